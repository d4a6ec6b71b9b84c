"""Levels over periods: promotion (levels can be skipped), hysteresis (keep_when below
promote_when), minimum stay, one-step and recompute demotion, newcomers, and reasons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

ibis = pytest.importorskip("ibis")

from qunce.catalog import Names  # noqa: E402
from qunce.compute.duckdb import connect  # noqa: E402
from qunce.model.membership import Level  # noqa: E402
from qunce.simulate.levels import Period, evaluate_levels  # noqa: E402

LEVELS = [
    Level(id="member", name="普通会员"),
    Level(id="silver", name="银卡", promote_when="points_90d >= 300", keep_when="points_90d >= 240", min_stay=1),
    Level(id="gold", name="金卡", promote_when="近90天积分 >= 600", keep_when="points_90d >= 500"),
]
PERIODS = [Period(f"2027-0{i}", dt.date(2027, i, 28)) for i in range(1, 5)]


def run(points: dict[str, list[int | None]], demotion: str = "one_step") -> dict[str, list[tuple[str, str]]]:
    con = connect("Asia/Shanghai")

    def features_at(period: Period) -> Any:
        index = PERIODS.index(period)
        members = [m for m, values in points.items() if values[index] is not None]
        return ibis.memtable({"member_id": members, "points_90d": [points[m][index] for m in members]},
                             schema={"member_id": "string", "points_90d": "int64"})

    table = evaluate_levels(con, LEVELS, PERIODS, features_at, Names("member"), demotion)
    rows = sorted(con.to_pyarrow(table).to_pylist(), key=lambda r: (r["member_id"], r["period"]))
    out: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        out.setdefault(row["member_id"], []).append((row["level"], row["change"]))
    return out


def test_promotion_hysteresis_and_demotion() -> None:
    got = run({"m1": [320, 250, 200, 200]})
    # 320 ≥ 300: silver; 250 ≥ 240 keeps it; 200 < 240 after the minimum stay: back to member
    assert got["m1"] == [("silver", "promote"), ("silver", "keep"), ("member", "demote"), ("member", "keep")]


def test_minimum_stay_protects_the_period_after_promotion() -> None:
    got = run({"m2": [350, 100, 100, 100]})
    assert got["m2"] == [("silver", "promote"), ("silver", "keep"), ("member", "demote"), ("member", "keep")]


def test_levels_can_be_skipped_and_demotion_is_one_step() -> None:
    got = run({"m3": [700, 100, 100, 100]})
    assert got["m3"] == [("gold", "promote"), ("silver", "demote"), ("silver", "keep"), ("member", "demote")]


def test_recompute_demotion_lands_on_the_highest_level_still_kept() -> None:
    assert run({"m3": [700, 100, 100, 100]}, "recompute")["m3"][1] == ("member", "demote")
    assert run({"m4": [700, 450, 450, 450]}, "recompute")["m4"][:2] == [("gold", "promote"), ("silver", "demote")]


def test_newcomers_start_at_the_first_level() -> None:
    got = run({"m1": [100, 100, 100, 100], "m5": [None, None, 50, 320]})
    assert got["m5"] == [("member", "new"), ("silver", "promote")]


def test_reasons_name_the_condition_and_its_values() -> None:
    con = connect("Asia/Shanghai")
    values = {PERIODS[0]: 320, PERIODS[1]: 100, PERIODS[2]: 100, PERIODS[3]: 100}

    def features_at(period: Period) -> Any:
        return ibis.memtable({"member_id": ["m1"], "points_90d": [values[period]]})

    rows = sorted(con.to_pyarrow(evaluate_levels(con, LEVELS, PERIODS, features_at, Names("member"))).to_pylist(),
                  key=lambda r: r["period"])
    assert rows[0]["reason"] == "silver: points_90d >= 300 — points_90d=320"
    assert rows[0]["previous_level"] is None
    assert rows[2]["reason"] == "silver: not (points_90d >= 240) — points_90d=100"
    assert rows[2]["previous_level"] == "silver"
