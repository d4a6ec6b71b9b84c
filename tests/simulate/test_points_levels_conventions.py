"""The points and levels conventions written in docs/language.md ("Points and levels
conventions") that no other test pins on its own: a partial refund of an order whose points a
cap cut takes back that share of what the order earned, and the protected periods (min_stay)
protect a level reached by demotion as well. The others have their tests in test_points.py
(per_yuan rounded down, a refund on the expiry day before the expiry) and test_levels.py
(recompute demotion reads the lower levels' keep conditions)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ibis")

from qunce.compute.duckdb import connect
from tests.simulate.test_levels import run
from tests.simulate.test_points import TZ, ledger

ROOT = Path(__file__).resolve().parents[2]
D = dt.date


@pytest.fixture(scope="module")
def con() -> Any:
    return connect(TZ)


def test_a_partial_refund_takes_back_its_share_of_what_a_capped_order_earned(con: Any, tmp_path: Path) -> None:
    # 10 points an order, at most 15 a day: o1 earns 10, o2 only 5. Refunding half of o2 takes
    # floor(5 × 1/2) = 2 (not 5 = half of 10); the other half brings it to 5: 3 more.
    rows = ("2027-01-02 10:00:00,order,g1,m1,,20.00,o1,,\n"
            "2027-01-02 11:00:00,order,g1,m1,,20.00,o2,,\n"
            "2027-01-03 10:00:00,refund,g1,m1,,10.00,o2,,\n"
            "2027-01-04 10:00:00,refund,g1,m1,,10.00,o2,,\n")
    got = ledger(con, tmp_path, rows, {"earn": [{"id": "buy", "on": "order", "points": 10,
                                                 "cap": {"per": "day", "max": 15}}]})
    assert [(r["kind"], r["order_id"], r["points"], r["balance"]) for r in got] == [
        ("earn", "o1", 10, 10), ("earn", "o2", 5, 15), ("refund", "o2", -2, 13), ("refund", "o2", -3, 10)]


def test_min_stay_protects_a_level_reached_by_demotion() -> None:
    # gold (min_stay 0) falls to silver in February; silver's min_stay 1 keeps it in March though
    # 100 < 240 (silver's keep condition); April demotes.
    got = run({"m1": [700, 100, 100, 100]})["m1"]
    assert got == [("gold", "promote"), ("silver", "demote"), ("silver", "keep"), ("member", "demote")]


def test_the_docs_say_min_stay_protects_every_level_reached() -> None:
    language = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    assert "保级期（min_stay）保护每一次到达的等级，晋升到达和降级到达都一样" in language
    assert "protect every level reached, by promotion or by demotion alike" in language
    reference = (ROOT / "docs" / "playbook-reference.md").read_text(encoding="utf-8")
    assert "到达该等级（晋升或降级）后" in reference and "晋升后至少保留" not in reference
