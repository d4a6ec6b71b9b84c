"""expand.staffed's `holders`: how many hold a task's role in its group that day (the SOP
assessment matches a task of one holder as its own person's, without joining the holders)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytest.importorskip("ibis")

from qunce.compile.expand import register, scheduled_rows, staffed
from qunce.compile.tables import Window, build
from qunce.compute import fetch_rows
from qunce.compute.duckdb import connect
from qunce.events.roster import load_roster
from qunce.validation import checked_playbook

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "sop"
ROSTER = """staff:
  - {id: s1, name: 王芳}
  - {id: s2, name: 张伟}
  - {id: h1, name: 李雷}
  - {id: k1, name: 韩梅}
groups:
  - {id: g1, name: 花漾1群, type: traffic, created_at: 2027-01-01}
  - {id: g2, name: 花漾2群, type: traffic, created_at: 2027-01-01}
assignments:
  - {staff_id: s1, role: owner, group_id: g1, from: 2027-01-01}
  - {staff_id: s2, role: owner, group_id: g1, from: 2027-01-02}
  - {staff_id: s1, role: owner, group_id: g2, from: 2027-01-01}
  - {staff_id: h1, role: helper, group_id: g1, from: 2027-01-01}
  - {staff_id: k1, role: kol, group_id: g1, from: 2027-01-01}
  - {staff_id: k1, role: kol, group_id: g2, from: 2027-01-01}
"""


def test_each_task_says_how_many_hold_its_role_there_that_day(tmp_path: Path) -> None:
    playbook, _ = checked_playbook(EXAMPLE / "playbook.yaml", use_cache=False)
    assert playbook is not None
    (tmp_path / "roster.yaml").write_text(ROSTER, "utf-8")
    window = Window(dt.date(2027, 1, 1), dt.date(2027, 1, 2))
    con = connect("Asia/Shanghai")
    tables = build(playbook, load_roster(tmp_path / "roster.yaml"), window)
    reg = register(con, tables)
    counted = staffed(reg, scheduled_rows(reg, tables, window), holders=True)
    rows = {(r["idx"], r["group_id"], r["date"].day, r["staff_id"]): r["holders"] for r in fetch_rows(con, counted)}
    topic, live = 0, 2  # the daily topic (per group, the owner's) and the KOL's live session (per person)
    assert rows[topic, "g1", 1, "s1"] == 1  # s1 alone on the 1st
    # two owners from the 2nd: they take turns, and each task says there are two
    assert [n for (i, g, d, _), n in rows.items() if (i, g, d) == (topic, "g1", 2)] == [2]
    assert rows[topic, "g2", 2, "s1"] == 1
    assert [n for (i, _, _, s), n in rows.items() if i == live] == [None, None]  # once a day for k1: no one group
    plain = staffed(reg, scheduled_rows(reg, tables, window))
    assert "holders" not in plain.columns
    assert sorted(tuple(r.values()) for r in fetch_rows(con, plain)) == sorted(
        tuple(v for k, v in r.items() if k != "holders") for r in fetch_rows(con, counted))
