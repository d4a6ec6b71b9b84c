"""Lifecycle states over time (alive → pseudo → dead) and first-match segments, evaluated
relationally from the playbook's own conditions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

ibis = pytest.importorskip("ibis")

from qunce.catalog import Names  # noqa: E402
from qunce.compute.duckdb import connect  # noqa: E402
from qunce.events.ingest import ingest  # noqa: E402
from qunce.model.metrics import MetricsConfig  # noqa: E402
from qunce.simulate.classify import first_match  # noqa: E402
from qunce.simulate.features import member_features  # noqa: E402
from qunce.simulate.group_daily import group_daily  # noqa: E402
from qunce.simulate.group_windows import group_metrics_as_of  # noqa: E402

START = dt.date(2027, 1, 4)
LIFECYCLE = [("alive", "interaction_rate_7d >= 0.2"), ("pseudo", "interaction_rate_7d >= 0.05"), ("dead", None)]


def _events() -> str:
    rows = ["ts,type,group_id,member_id,amount"]
    for day in range(21):
        date = START + dt.timedelta(days=day)
        speakers = 5 if day < 7 else 1 if day < 14 else 0  # 10 members: 0.5, then 0.1, then 0 a day
        rows += [f"{date} 10:{m:02d}:00,message,g1,m{m}," for m in range(speakers)]
    rows += [f"{START} 09:00:00,order,g1,m1,30.00", f"{START + dt.timedelta(days=2)} 09:00:00,order,g1,m1,20.00",
             f"{START} 09:30:00,referral,g1,m1,", f"{START} 09:31:00,referral,g1,m1,",
             f"{START} 09:00:00,order,g1,m2,9.90"]
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Any]:
    path = tmp_path_factory.mktemp("classify") / "events.csv"
    path.write_text(_events(), encoding="utf-8")
    con = connect("Asia/Shanghai")
    schema = {"group_id": "string", "name": "string", "group_type": "string", "created_at": "date",
              "ended_at": "date", "initial_members": "int64"}
    groups = ibis.memtable({"group_id": ["g1"], "name": ["一群"], "group_type": ["welfare"],
                            "created_at": [dt.date(2026, 12, 1)], "ended_at": [None], "initial_members": [10]},
                           schema=schema)
    result = ingest(con, Path(path), groups, "Asia/Shanghai")
    assert result.rejected == 0
    daily = group_daily(result.events, groups, START, START + dt.timedelta(days=20), MetricsConfig())
    return con, result.events, daily


def test_a_group_goes_alive_pseudo_dead(setup: tuple[Any, Any, Any]) -> None:
    con, _, daily = setup
    names = Names("group")
    feature = names.resolve("interaction_rate_7d")
    assert feature is not None
    states = []
    for week in range(3):
        as_of = START + dt.timedelta(days=7 * week + 6)
        metrics = group_metrics_as_of(daily, as_of, [feature], START)
        table = metrics.mutate(state=first_match(metrics, LIFECYCLE, names))
        row = con.execute(table).to_dict("records")[0]
        states.append((row["state"], round(row["interaction_rate_7d"], 3)))
    assert states == [("alive", 0.5), ("pseudo", 0.1), ("dead", 0.0)]


def test_first_match_segments_with_a_catch_all(setup: tuple[Any, Any, Any]) -> None:
    con, events, _ = setup
    names = Names("member")
    segments = [("loyal", "orders_30d >= 2 and referrals_total >= 2"), ("buyer", "orders_total >= 1"),
                ("other", None)]
    wanted = [names.resolve(n) for n in ("orders_30d", "referrals_total", "orders_total")]
    features = member_features(events, [w for w in wanted if w], START + dt.timedelta(days=20))
    table = features.mutate(segment=first_match(features, segments, names))
    got = {r["member_id"]: r["segment"] for r in con.execute(table).to_dict("records")}
    assert got["m1"] == "loyal" and got["m2"] == "buyer" and got["m3"] == "other"


def test_no_catch_all_leaves_unmatched_rows_null(setup: tuple[Any, Any, Any]) -> None:
    con, events, _ = setup
    names = Names("member")
    wanted = names.resolve("orders_total")
    assert wanted is not None
    features = member_features(events, [wanted], START + dt.timedelta(days=20))
    table = features.mutate(segment=first_match(features, [("buyer", "orders_total >= 1")], names))
    got = {r["member_id"]: r["segment"] for r in con.to_pyarrow(table).to_pylist()}
    assert got["m1"] == "buyer" and got["m3"] is None
