"""Penalties from flagged messages: escalation with the last penalty repeating, separate counts
per behaviour and per group, ties broken by row, staff posts ignored, unknown flags kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

ibis = pytest.importorskip("ibis")

from qunce.model.rules import BannedBehaviour  # noqa: E402
from qunce.simulate.penalties import PENALTY_COLUMNS, penalties, penalty_summary  # noqa: E402
from tests.events.event_data import load_events  # noqa: E402

TZ = "Asia/Shanghai"
# Row numbers count the CSV header as row 1; the last two rows differ only in length.
EVENTS = """ts,type,group_id,member_id,staff_id,flag,length
2027-01-01 10:00:00,join,g1,m1,,,
2027-01-01 11:00:00,message,g1,m1,,ads,
2027-01-02 09:00:00,message,g1,m1,,ads,
2027-01-03 09:00:00,message,g1,m1,,spam,
2027-01-03 10:00:00,message,g1,m1,,ads,
2027-01-04 10:00:00,message,g1,m1,,ads,
2027-01-04 11:00:00,message,g1,m1,,spam,
2027-01-04 12:00:00,message,g1,m1,,spam,
2027-01-02 10:00:00,message,g2,m1,,ads,
2027-01-02 10:00:00,message,g1,s1,s1,ads,
2027-01-02 12:00:00,message,g1,m2,,politics,
2027-01-03 12:00:00,message,g1,m2,,politics,
2027-01-02 13:00:00,message,g1,m2,,,
2027-01-05 08:00:00,message,g1,m3,,ads,5
2027-01-05 08:00:00,message,g1,m3,,ads,6
"""
BANNED = [
    BannedBehaviour.model_validate({"id": "ads", "name": "打广告", "penalties": ["warn", "mute_1d", "remove"]}),
    BannedBehaviour.model_validate({"id": "spam", "name": "恶意刷屏", "penalties": ["警告", "禁言2小时"]}),
]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    return load_events(tmp_path_factory.mktemp("penalties"), EVENTS)


def rows(data: tuple[Any, Any], banned: list[BannedBehaviour] = BANNED) -> list[dict[str, Any]]:
    con, events = data
    return list(con.to_pyarrow(penalties(events, banned)).to_pylist())


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2027, 1, day, hour)


def test_escalation_repeats_the_last_penalty_and_counts_per_behaviour(data: tuple[Any, Any]) -> None:
    got = [(r["row"], r["group_id"], r["member_id"], r["behaviour"], r["offence"], r["penalty"], r["penalty_text"],
            r["mute_until"]) for r in rows(data) if r["member_id"] == "m1"]
    assert got == [
        (3, "g1", "m1", "ads", 1, "warn", "warn", None),
        (4, "g1", "m1", "ads", 2, "mute", "mute_1d", at(3, 9)),
        (5, "g1", "m1", "spam", 1, "warn", "警告", None),
        (6, "g1", "m1", "ads", 3, "remove", "remove", None),
        (7, "g1", "m1", "ads", 4, "remove", "remove", None),
        (8, "g1", "m1", "spam", 2, "mute", "禁言2小时", at(4, 13)),
        (9, "g1", "m1", "spam", 3, "mute", "禁言2小时", at(4, 14)),
        # counted again from the start in another group
        (10, "g2", "m1", "ads", 1, "warn", "warn", None),
    ]


def test_columns_names_and_dates(data: tuple[Any, Any]) -> None:
    got = rows(data)
    assert tuple(got[0]) == PENALTY_COLUMNS
    assert (got[0]["behaviour_name"], got[0]["date"], got[0]["ts"]) == ("打广告", dt.date(2027, 1, 1), at(1, 11))


def test_staff_posts_and_unflagged_messages_are_not_offences(data: tuple[Any, Any]) -> None:
    got = rows(data)
    assert "s1" not in {r["member_id"] for r in got}
    assert len(got) == 12


def test_unknown_flag_is_kept_and_counted(data: tuple[Any, Any]) -> None:
    got = [(r["row"], r["behaviour"], r["behaviour_name"], r["offence"], r["penalty"], r["penalty_text"], r["mute_until"])
           for r in rows(data) if r["member_id"] == "m2"]
    assert got == [(12, "politics", None, 1, "unknown", None, None), (13, "politics", None, 2, "unknown", None, None)]


def test_same_instant_is_ordered_by_row(data: tuple[Any, Any]) -> None:
    got = [(r["row"], r["offence"], r["penalty"]) for r in rows(data) if r["member_id"] == "m3"]
    assert got == [(15, 1, "warn"), (16, 2, "mute")]


def test_without_banned_behaviour_every_flag_is_unknown(data: tuple[Any, Any]) -> None:
    got = rows(data, [])
    assert len(got) == 12 and {r["penalty"] for r in got} == {"unknown"}


def test_summary_counts_per_behaviour_and_kind(data: tuple[Any, Any]) -> None:
    con, events = data
    got = con.to_pyarrow(penalty_summary(penalties(events, BANNED))).to_pylist()
    assert [(r["behaviour"], r["behaviour_name"], r["penalty"], r["rows"]) for r in got] == [
        ("ads", "打广告", "mute", 2),
        ("ads", "打广告", "remove", 2),
        ("ads", "打广告", "warn", 3),
        ("politics", None, "unknown", 2),
        ("spam", "恶意刷屏", "mute", 2),
        ("spam", "恶意刷屏", "warn", 1),
    ]
