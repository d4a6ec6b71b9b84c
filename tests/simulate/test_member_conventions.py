"""The points and levels conventions (engine/simulate/member_conventions.py): the same paragraphs
in docs/language.md, the handbook (end of the points section, else of the membership section) and
at the end of `qunce explain --member`; which ones concern a playbook; and the numbers of those no
other test pins: per yuan floored row by row, the points window's days, a refund making a window
negative, points_total net of refunds and not of expiry.

Pinned elsewhere: a partial refund of a capped order and min_stay after a demotion in
test_points_levels_conventions.py; the cap (test_points.py: partially, in time order, weeks from
Monday), a refund on the expiry day before the expiry and a debt paid first (test_points.py);
one_step and recompute demotion (test_levels.py); the 保级期 line of the timeline
(test_member_timeline.py)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from markupsafe import escape

from qunce.cli import main
from qunce.compile.docs.handbook import FORMATS, render_all
from qunce.load import load_playbook
from qunce.model.membership import Membership
from qunce.simulate.member_conventions import CONVENTIONS, TITLE, applicable, conventions

ROOT = Path(__file__).resolve().parents[2]
LANGUAGE = ROOT / "docs" / "language.md"


def sentence(key: str, lang: str) -> str:
    return next(c for c in CONVENTIONS if c.key == key).say(lang)


def membership(data: dict[str, Any]) -> Membership:
    return Membership.model_validate(data)


# --- the same words in three places --------------------------------------------------------------


def test_language_md_holds_every_convention_in_both_languages_and_no_other() -> None:
    text = LANGUAGE.read_text(encoding="utf-8")
    section = text[text.index("## Points and levels conventions"):]
    section = section[:section.find("\n## ", 1)] if "\n## " in section[1:] else section
    bullets = re.findall(r"^  - (.+)$", section, re.MULTILINE)
    assert bullets == [text for c in CONVENTIONS for text in (c.zh, c.en)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_handbook_prints_them_at_the_end_of_the_points_section(lang: str) -> None:
    book = load_playbook(ROOT / "playbooks" / "brand-complete.yaml").playbook
    assert book is not None
    rendered = render_all(book, FORMATS, lang)
    wanted = conventions(book.membership, lang)
    assert wanted and sentence("min_stay", lang) in wanted and sentence("demotion_recompute", lang) not in wanted
    md = rendered["md"]
    points = md[md.index('<a id="points"></a>'):md.index('<a id="segments"></a>')]
    assert f"### {TITLE[lang]}\n" in points
    assert "".join(f"- {text}\n" for text in wanted) in points
    for text in wanted:
        assert md.count(text) == 1
        assert f"<li>{escape(text)}</li>" in rendered["html"]


def test_without_points_the_membership_section_prints_them(tmp_path: Path) -> None:
    path = tmp_path / "levels.yaml"
    path.write_text((ROOT / "docs" / "examples" / "simulate" / "playbook.yaml").read_text(encoding="utf-8")
                    .replace("  points:\n    earn:\n      - {on: message, points: 1, cap: {per: day, max: 2}}\n"
                             "      - {on: order, per_yuan: 1}\n", ""), encoding="utf-8")
    book = load_playbook(path).playbook
    assert book is not None and book.membership is not None and book.membership.points is None
    md = render_all(book, ("md",), "zh")["md"]
    assert '<a id="points"></a>' not in md
    levels = md[md.index('<a id="membership"></a>'):]
    assert "### 计算约定\n\n下面这些约定决定积分和等级怎么算" in levels
    assert f"- {sentence('demotion_one_step', 'zh')}\n" in levels
    assert sentence("windows", "zh") not in md


def test_which_conventions_concern_a_playbook() -> None:
    assert applicable(None) == []
    plain = membership({"points": {"earn": [{"on": "message", "points": 1}]},
                        "levels": [{"id": "a", "name": "A"}, {"id": "b", "name": "B", "promote_when": "points_90d >= 1"}]})
    assert applicable(plain) == ["windows", "demotion_one_step"]
    full = membership({"demotion": "重新计算", "points": {
        "earn": [{"on": "order", "per_yuan": 1}, {"on": "message", "points": 1, "cap": {"per": "day", "max": 2}}],
        "expire_after": "365d"}, "levels": [{"id": "a", "name": "A"}, {"id": "b", "name": "B", "min_stay": 2}]})
    assert applicable(full) == ["per_yuan", "cap", "partial_refund", "windows", "expiry", "expiry_refund", "min_stay",
                                "demotion_recompute"]
    # refunds that deduct nothing, or no rule on orders: no refund conventions
    kept = membership({"points": {"earn": [{"on": "order", "points": 5}], "expire_after": "30d",
                                  "refunds_deduct": False}})
    assert applicable(kept) == ["windows", "expiry"]
    assert conventions(kept, "en") == [sentence("windows", "en"), sentence("expiry", "en")]


# --- end to end: explain --member, and the numbers ----------------------------------------------

PLAYBOOK = """playbook: 约定
timezone: Asia/Shanghai
roles:
  owner: {name: 群主, max_groups: 10, minutes_per_day: 480}
group_types:
  traffic:
    name: 引流群
    content_mix: {activation: 0.6, conversion: 0.3, brand: 0.1}
    entry: {mode: open}
membership:
  evaluate: monthly
  points:
    earn:
      - {id: buy, name: 购物, on: order, per_yuan: 1}
      - {id: sign, name: 签到, on: checkin, points: 7}
    expire_after: 30d
  levels:
    - {id: member, name: 普通会员}
    - {id: silver, name: 银卡, promote_when: points_90d >= 100}
"""
ROSTER = """staff:
  - {id: s1, name: 王芳}
groups:
  - {id: g1, name: 一群, type: traffic, created_at: 2026-10-01}
assignments:
  - {staff_id: s1, role: owner, group_id: g1, from: 2026-10-01}
"""
# m1: one order o1 on three rows of 0.60 (floor row by row: 0 + 0 + 0, not floor(1.80) = 1) and
# o2 of 10.90 (10). m2: check-ins on 2026-11-02 (outside January's 90 days) and 2026-11-03
# (inside); an order of 50 on 2026-10-20, refunded on 2027-01-05: January's window holds the
# refund (−50) and the check-in of 11-03 (+7): −43; points_total = 7 + 7 + 50 − 50 = 14, though
# every point has expired by then (30 days).
EVENTS = """ts,type,group_id,member_id,amount,order_id
2027-01-04 10:00:00,order,g1,m1,0.60,o1
2027-01-04 10:00:01,order,g1,m1,0.60,o1
2027-01-04 10:00:02,order,g1,m1,0.60,o1
2027-01-06 10:00:00,order,g1,m1,10.90,o2
2026-10-20 10:00:00,order,g1,m2,50.00,o9
2026-11-02 10:00:00,checkin,g1,m2,,
2026-11-03 10:00:00,checkin,g1,m2,,
2027-01-05 10:00:00,refund,g1,m2,50.00,o9
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("ibis")
    here = tmp_path_factory.mktemp("member_conventions")
    (here / "playbook.yaml").write_text(PLAYBOOK, encoding="utf-8")
    (here / "roster.yaml").write_text(ROSTER, encoding="utf-8")
    (here / "events.csv").write_text(EVENTS, encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", *args(here), "--out", str(here / "out")])
    assert result.exit_code == 0, result.output
    return here


def args(here: Path) -> list[str]:
    return [str(here / "playbook.yaml"), "--events", str(here / "events.csv"), "--roster", str(here / "roster.yaml"),
            "--from", "2027-01-01", "--to", "2027-01-31"]


def table(folder: Path, name: str) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return pq.read_table(folder / "out" / f"{name}.parquet").to_pylist()


def test_per_yuan_is_floored_row_by_row(folder: Path) -> None:
    """sentence("per_yuan"): an order on three rows of ¥0.60 earns 0, not floor(¥1.80) = 1."""
    earned = [(r["order_id"], r["points"]) for r in table(folder, "points_ledger")
              if r["member_id"] == "m1" and r["kind"] == "earn"]
    assert earned == [("o2", 10)]


def test_the_window_its_days_and_refunds(tmp_path: Path) -> None:
    """sentence("windows"): January's points_90d counts 2026-11-03 to 2027-01-31 (the check-in of
    11-02 is out, that of 11-03 in) net of refunds: 7 − 50 = −43; points_total is net of refunds
    and not of expiry: 14; the balance is what is left after both: −50."""
    from qunce.compute.duckdb import connect
    from qunce.model.membership import Points
    from qunce.simulate.points import member_points, points_ledger
    from tests.simulate.test_points import TZ, events, records

    con = connect(TZ)
    rows = ("2026-10-20 10:00:00,order,g1,m2,,50.00,o9,,\n"
            "2026-11-02 10:00:00,checkin,g1,m2,,,,,\n"
            "2026-11-03 10:00:00,checkin,g1,m2,,,,,\n"
            "2027-01-05 10:00:00,refund,g1,m2,,50.00,o9,,\n")
    config = Points.model_validate({"earn": [{"on": "order", "per_yuan": 1}, {"on": "checkin", "points": 7}],
                                    "expire_after": "30d"})
    ledger = points_ledger(events(con, tmp_path, rows), config, dt.date(2026, 1, 1), dt.date(2027, 1, 31))
    got = records(con, member_points(ledger, dt.date(2027, 1, 31), [90]))
    assert [(r["points_90d"], r["points_total"], r["points_balance"]) for r in got] == [(-43, 14, -50)]
    # one day later, 11-03 leaves the window: −50
    assert records(con, member_points(ledger, dt.date(2027, 2, 1), [90]))[0]["points_90d"] == -50


def test_the_window_values_in_the_timeline(folder: Path) -> None:
    result = CliRunner().invoke(main, ["explain", *args(folder), "--member", "m2", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert ("  values at the evaluation (2027-01-31): points balance −50, points in the last 90 days −43, "
            "points (all time) 14") in result.output.splitlines()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_explain_member_ends_with_the_conventions(folder: Path, lang: str) -> None:
    result = CliRunner().invoke(main, ["explain", *args(folder), "--member", "m1", "--lang", lang])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    book = load_playbook(folder / "playbook.yaml").playbook
    assert book is not None
    wanted = conventions(book.membership, lang)
    assert [c.key for c in CONVENTIONS if c.say(lang) in wanted] == [
        "per_yuan", "partial_refund", "windows", "expiry", "expiry_refund", "demotion_one_step"]
    assert lines[-len(wanted) - 1] == ("计算约定：" if lang == "zh" else "How it is counted:")
    assert lines[-len(wanted):] == [f"  - {text}" for text in wanted]


def test_the_days_of_the_window_as_the_sentence_says() -> None:
    # 2027-01-31 and the 89 days before it: 2026-11-03 … 2027-01-31
    last = dt.date(2027, 1, 31)
    assert last - dt.timedelta(days=89) == dt.date(2026, 11, 3)
    assert "2026-11-03 至 2027-01-31" in sentence("windows", "zh")
    assert "2026-11-03 to 2027-01-31" in sentence("windows", "en")
