"""Member features on a hand-computed dataset: windows are the last N days up to and
including the evaluation day; never-done events count from the day the member joined;
staff posts are not member activity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

ibis = pytest.importorskip("ibis")

from qunce.catalog import Names  # noqa: E402
from qunce.compute.duckdb import connect  # noqa: E402
from qunce.events.ingest import ingest  # noqa: E402
from qunce.simulate.features import member_features, needed  # noqa: E402

EVENTS = """ts,type,group_id,member_id,staff_id,amount,count,score
2027-01-01 10:00:00,join,g1,m1,,,,
2027-01-02 10:00:00,message,g1,m1,,,,
2027-01-02 11:00:00,message,g1,m1,,,3,
2027-01-05 23:59:59,message,g1,m1,,,,
2027-01-10 11:00:00,message,g1,m1,,,,
2027-01-10 12:00:00,order,g1,m1,,19.90,,
2027-01-11 12:00:00,refund,g1,m1,,5.00,,
2027-01-11 13:00:00,survey,g1,m1,,,,4
2027-01-03 10:00:00,join,g1,m2,,,,
2027-01-05 10:00:00,message,g1,s1,s1,,,
2027-01-13 10:00:00,message,g1,m2,,,,
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    path = tmp_path_factory.mktemp("features") / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    con = connect("Asia/Shanghai")
    groups = ibis.memtable({"group_id": ["g1"], "created_at": [dt.date(2027, 1, 1)], "ended_at": [None]},
                           schema={"group_id": "string", "created_at": "date", "ended_at": "date"})
    result = ingest(con, Path(path), groups, "Asia/Shanghai")
    assert result.rejected == 0
    return con, result.events


def features(setup: tuple[Any, Any], names: list[str], as_of: dt.date) -> dict[str, dict[str, Any]]:
    con, events = setup
    resolved = [Names("member").resolve(n) for n in names]
    assert all(r is not None for r in resolved)
    table = con.execute(member_features(events, [r for r in resolved if r], as_of))
    return {row["member_id"]: row for row in table.to_dict("records")}


def test_windows_include_the_evaluation_day_and_exclude_the_day_n_before(setup: tuple[Any, Any]) -> None:
    got = features(setup, ["messages_5d", "messages_total", "active_days_30d", "messages_1d"], dt.date(2027, 1, 10))
    m1 = got["m1"]
    # last 5 days = 01-06 … 01-10: only the 01-10 message; the 01-05 23:59:59 one is out
    assert m1["messages_5d"] == 1
    assert m1["messages_total"] == 6 and m1["active_days_30d"] == 3 and m1["messages_1d"] == 1
    assert got["m2"]["messages_total"] == 0  # the 01-13 message is after the evaluation day


def test_money_counts_and_scores(setup: tuple[Any, Any]) -> None:
    got = features(setup, ["order_amount_30d", "refund_amount_30d", "orders", "refunds_total", "avg_score"],
                   dt.date(2027, 1, 12))
    m1 = got["m1"]
    assert (str(m1["order_amount_30d"]), str(m1["refund_amount_30d"])) == ("19.90", "5.00")
    assert (m1["orders_total"], m1["refunds_total"], m1["avg_score"]) == (1, 1, 4.0)


def test_days_since_and_tenure(setup: tuple[Any, Any]) -> None:
    got = features(setup, ["days_since_last_message", "days_since_last_order", "tenure_days"], dt.date(2027, 1, 12))
    assert (got["m1"]["days_since_last_message"], got["m1"]["days_since_last_order"], got["m1"]["tenure_days"]) == (2, 2, 11)
    # m2 never posted by 01-12: counted from joining on 01-03
    assert (got["m2"]["days_since_last_message"], got["m2"]["tenure_days"]) == (9, 9)


def test_staff_posts_are_not_members(setup: tuple[Any, Any]) -> None:
    got = features(setup, ["messages_total"], dt.date(2027, 1, 31))
    assert set(got) == {"m1", "m2"}


def test_chinese_names_and_duplicates_resolve_to_one_feature() -> None:
    names = Names("member")
    resolved = [names.resolve(n) for n in ("近30天订单数", "orders_30d", "累计订单数", "orders", "points_90d")]
    assert [r.id for r in needed(r for r in resolved if r)] == ["orders_30d", "orders_total"]


def test_a_join_with_an_inviting_staff_member_still_counts(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("ts,type,group_id,member_id,staff_id\n2027-01-02 10:00:00,join,g1,m7,s1\n"
                    "2027-01-03 10:00:00,reach,g1,m7,s1\n", encoding="utf-8")
    con = connect("Asia/Shanghai")
    groups = ibis.memtable({"group_id": ["g1"], "created_at": [dt.date(2027, 1, 1)], "ended_at": [None]},
                           schema={"group_id": "string", "created_at": "date", "ended_at": "date"})
    events = ingest(con, path, groups, "Asia/Shanghai").events
    names = Names("member")
    wanted = [names.resolve(n) for n in ("tenure_days", "reaches_total")]
    row = con.execute(member_features(events, [w for w in wanted if w], dt.date(2027, 1, 12))).to_dict("records")[0]
    assert (row["member_id"], row["tenure_days"], row["reaches_total"]) == ("m7", 10, 1)


def test_group_type_of_a_tie_on_ts_is_the_later_rows_group() -> None:
    """Two groups' events in the same second: the member's group type is the one of the event
    later in the file, whatever order the rows come in."""
    from types import SimpleNamespace

    from qunce.simulate.members import _with_group_type
    from qunce.simulate.periods import Period

    day = dt.date(2027, 1, 5)
    ts = dt.datetime(2027, 1, 5, 9, 30)
    groups = ibis.memtable({"group_id": ["g1", "g2", "g3"], "group_type": ["flash", "vip", "traffic"]})
    # m1: g2 (row 3) and g1 (row 7) at the same second, g3 earlier; m2: the other way round.
    events = ibis.memtable({
        "row": [3, 7, 2, 4, 9], "ts": [ts, ts, ts - dt.timedelta(hours=1), ts, ts],
        "date": [day] * 5, "type": ["checkin", "message", "join", "message", "checkin"],
        "group_id": ["g2", "g1", "g3", "g1", "g2"], "member_id": ["m1", "m1", "m1", "m2", "m2"],
        "staff_id": [None] * 5,
    }, schema={"row": "int64", "ts": "timestamp", "date": "date", "type": "string", "group_id": "string",
               "member_id": "string", "staff_id": "string"})
    table = ibis.memtable({"member_id": ["m1", "m2"]})
    out = _with_group_type(SimpleNamespace(groups=groups), table, events, Period(day, day, day, "2027-01"))
    got = dict(ibis.duckdb.connect().execute(out.select("member_id", "group_type")).itertuples(index=False))
    assert got == {"m1": "flash", "m2": "vip"}
