"""group_daily on a small hand-computed dataset: members at the start and end of each day
(carrying joins and leaves from before the window), daily counts, and rates by each basis."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

ibis = pytest.importorskip("ibis")

from qunce.compute.duckdb import connect  # noqa: E402
from qunce.events.ingest import ingest  # noqa: E402
from qunce.model.metrics import MetricsConfig  # noqa: E402
from qunce.simulate.group_daily import group_daily  # noqa: E402

TZ = "Asia/Shanghai"
EVENTS = """ts,type,group_id,member_id,count,amount,score,flag,length,removed,staff_id
2027-01-01 10:00:00,join,g1,m1,,,,,,
2027-01-01 10:30:00,message,g1,s1,,,,,,,s1
2027-01-01 11:00:00,message,g1,m1,,,,,,
2027-01-01 12:00:00,message,g1,m1,3,,,,,
2027-01-01 12:30:00,message,g1,m2,,,,ads,,
2027-01-01 12:40:00,message,g1,m3,,,,,1,
2027-01-02 09:00:00,leave,g1,m9,,,,,,true
2027-01-02 10:00:00,order,g1,m1,,19.90,,,,
2027-01-02 10:05:00,order,g1,m1,,5.10,,,,
2027-01-02 11:00:00,survey,g1,m1,,,5,,,
2027-01-02 11:10:00,survey,g1,m2,,,4,,,
2027-01-02 12:00:00,exposure,g1,,200,,,,,
2027-01-03 09:00:00,join,g2,m5,,,,,,
2027-01-03 10:00:00,message,g2,m5,,,,,,
2027-01-04 08:00:00,join,g1,m6,,,,,,
"""


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Any]:
    folder = tmp_path_factory.mktemp("gd")
    path = folder / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    con = connect(TZ)
    groups = ibis.memtable({"group_id": ["g1", "g2"], "name": ["一群", "快闪"], "group_type": ["traffic", "flash"],
                            "created_at": [dt.date(2027, 1, 1), dt.date(2027, 1, 3)],
                            "ended_at": [None, dt.date(2027, 1, 4)], "initial_members": [10, 0]})
    result = ingest(con, Path(path), groups, TZ)
    assert result.rejected == 0
    return con, result.events, groups


def rows(data: tuple[Any, Any, Any], start: dt.date, end: dt.date, **config: Any) -> list[dict[str, Any]]:
    con, events, groups = data
    table = group_daily(events, groups, start, end, MetricsConfig(**config))
    return con.execute(table).to_dict("records")


def test_members_counts_and_rates_with_the_average_basis(data: tuple[Any, Any, Any]) -> None:
    got = rows(data, dt.date(2027, 1, 1), dt.date(2027, 1, 4), valid_message_min_chars=2)
    g1 = [r for r in got if r["group_id"] == "g1"]
    assert [(r["date"].day, r["members_start"], r["members_end"]) for r in g1] == [
        (1, 10, 11), (2, 11, 10), (3, 10, 10), (4, 10, 11)]
    day1 = g1[0]
    # all 7 messages count (a staff post too); only m1 spoke validly: s1 is staff, m2's message
    # is flagged, m3's is under 2 characters
    assert (day1["speakers"], day1["messages"]) == (1, 7)
    assert day1["interaction_rate"] == pytest.approx(1 / 10.5)
    day2 = g1[1]
    assert (day2["leaves"], day2["removed"], day2["orders"], day2["buyers"]) == (1, 1, 2, 1)
    assert str(day2["order_amount"]) == "25.00"
    assert day2["csat"] == pytest.approx(4.5)
    assert day2["exposures"] == 200 and day2["join_rate"] == 0.0
    assert day2["leave_rate"] == pytest.approx(1 / 10.5)


def test_a_flash_group_only_has_its_own_days(data: tuple[Any, Any, Any]) -> None:
    got = rows(data, dt.date(2027, 1, 1), dt.date(2027, 1, 6))
    g2 = [(r["date"].day, r["members_start"], r["members_end"]) for r in got if r["group_id"] == "g2"]
    assert g2 == [(3, 0, 1), (4, 1, 1)]


def test_a_window_starting_later_carries_earlier_joins_and_leaves(data: tuple[Any, Any, Any]) -> None:
    got = rows(data, dt.date(2027, 1, 3), dt.date(2027, 1, 4))
    g1 = [(r["date"].day, r["members_start"], r["members_end"]) for r in got if r["group_id"] == "g1"]
    assert g1 == [(3, 10, 10), (4, 10, 11)]


@pytest.mark.parametrize(("basis", "members"), [("start", 10.0), ("end", 11.0), ("average", 10.5)])
def test_the_member_basis_is_the_playbooks_choice(data: tuple[Any, Any, Any], basis: str, members: float) -> None:
    got = rows(data, dt.date(2027, 1, 1), dt.date(2027, 1, 1), members_basis=basis)
    assert got[0]["members"] == members
    assert got[0]["speakers"] == 2  # m1, and m3 whose one-character message is valid by default
    assert got[0]["interaction_rate"] == pytest.approx(2 / members)
