"""Ingest checks: every bad row is found with its row number, column and reason; rows read
always equal accepted + rejected; times without an offset are in the playbook's time zone."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

ibis = pytest.importorskip("ibis")

from engine.errors import InputError  # noqa: E402
from engine.events.ingest import connect, ingest  # noqa: E402

TZ = "Asia/Shanghai"
HEADER = "ts,type,group_id,member_id,amount,score,removed,channel,count,length"


def groups() -> Any:
    schema = {"group_id": "string", "created_at": "date", "ended_at": "date"}
    return ibis.memtable({"group_id": ["g1", "g2"], "created_at": [dt.date(2027, 1, 1), dt.date(2027, 1, 1)],
                          "ended_at": [None, dt.date(2027, 1, 3)]}, schema=schema)


def run(path: Path) -> Any:
    return ingest(connect(TZ), path, groups(), TZ)


def problems(result: Any) -> list[tuple[int, str, str]]:
    rows = result.problems.order_by(["row", "reason"]).to_pyarrow().to_pylist()
    return [(r["row"], r["column"], r["reason"]) for r in rows]


def write_csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "events.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_clean_file_is_accepted_whole(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "2027-01-04 10:00:00,join,g1,m1,,,,poster,",
                     "2027-01-04 10:05:00,order,g1,m1,19.90,,,,", "2027-01-04 10:06:00,exposure,g1,,,,,poster,300")
    result = run(path)
    assert (result.rows_read, result.accepted, result.rejected) == (3, 3, 0)
    events = result.events.order_by("row").to_pyarrow().to_pylist()
    assert [e["type"] for e in events] == ["join", "order", "exposure"]
    assert str(events[1]["amount"]) == "19.90"
    assert events[2]["count"] == 300 and events[0]["count"] == 1


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("2027-13-04 10:00:00,message,g1,m1,,,,,", (2, "ts", "bad_ts")),
        (",message,g1,m1,,,,,", (2, "ts", "missing_ts")),
        ("2027-01-04 10:00:00,party,g1,m1,,,,,", (2, "type", "unknown_type")),
        ("2027-01-04 10:00:00,message,,m1,,,,,", (2, "group_id", "missing_group")),
        ("2027-01-04 10:00:00,message,g9,m1,,,,,", (2, "group_id", "unknown_group")),
        ("2027-01-04 10:00:00,checkin,g1,,,,,,", (2, "member_id", "missing_member")),
        ("2027-01-04 10:00:00,order,g1,m1,,,,,", (2, "amount", "missing_amount")),
        ("2027-01-04 10:00:00,order,g1,m1,lots,,,,", (2, "amount", "bad_amount")),
        ("2027-01-04 10:00:00,refund,g1,m1,-5,,,,", (2, "amount", "negative_amount")),
        ("2027-01-04 10:00:00,order,g1,m1,19.999,,,,", (2, "amount", "amount_decimals")),
        ("2027-01-04 10:00:00,survey,g1,m1,,6,,,", (2, "score", "bad_score")),
        ("2027-01-04 10:00:00,survey,g1,m1,,4.5,,,", (2, "score", "bad_score")),
        ("2027-01-04 10:00:00,exposure,g1,,,,,poster,-3", (2, "count", "bad_count")),
        ("2027-01-04 10:00:00,leave,g1,m1,,,maybe,,", (2, "removed", "bad_boolean")),
        ("2027-01-04 10:00:00,message,g1,m1,,,,,,-2", (2, "length", "bad_length")),
        ("2027-01-04 10:00:00,message,g1,m1,,,true,,", (2, "removed", "not_allowed")),
        ("2026-12-31 23:59:59,message,g1,m1,,,,,", (2, "ts", "before_created")),
        ("2027-01-04 00:00:00,message,g2,m1,,,,,", (2, "ts", "after_ended")),
    ],
)
def test_each_reason_is_reported_at_its_row_and_column(tmp_path: Path, row: str,
                                                      expected: tuple[int, str, str]) -> None:
    result = run(write_csv(tmp_path, row))
    assert problems(result) == [expected]
    assert (result.rows_read, result.accepted, result.rejected) == (1, 0, 1)


def test_rows_read_equal_accepted_plus_rejected(tmp_path: Path) -> None:
    rows = ["2027-01-04 10:00:00,join,g1,m1,,,,poster,", "2027-13-04 10:00:00,message,g1,m2,,,,,",
            "2027-01-04 10:00:00,join,g1,m1,,,,poster,", "2027-01-04 10:07:00,survey,g1,m1,,7,maybe,,"]
    result = run(write_csv(tmp_path, *rows))
    assert result.rows_read == result.accepted + result.rejected == 4
    assert result.rejected == 3
    # a row with two problems counts once, and both are listed
    assert [p for p in problems(result) if p[0] == 5] == [(5, "removed", "bad_boolean"), (5, "score", "bad_score"),
                                                           (5, "removed", "not_allowed")]
    assert sum(n for _, _, n in result.by_reason) >= result.rejected


def test_duplicates_are_reported_with_the_first_row(tmp_path: Path) -> None:
    row = "2027-01-04 10:00:00,join,g1,m1,,,,poster,"
    result = run(write_csv(tmp_path, row, "2027-01-04 10:01:00,join,g1,m2,,,,poster,", row, row))
    found = result.problems.order_by("row").to_pyarrow().to_pylist()
    assert [(p["row"], p["reason"], p["value"]) for p in found] == [(4, "duplicate", "2"), (5, "duplicate", "2")]
    assert result.accepted == 2


def test_naive_times_are_local_and_offsets_are_converted(tmp_path: Path) -> None:
    result = run(write_csv(tmp_path, "2027-01-04 10:00:00,message,g1,m1,,,,,", "2027-01-04T02:00:00Z,message,g1,m2,,,,,",
                           "2027-01-04T10:00:00+08:00,message,g1,m3,,,,,", "2027-01-03T16:30:00+00:00,message,g1,m4,,,,,"))
    events = result.events.order_by("row").to_pyarrow().to_pylist()
    assert [e["ts"] for e in events] == [dt.datetime(2027, 1, 4, 10, 0)] * 3 + [dt.datetime(2027, 1, 4, 0, 30)]
    assert events[3]["date"] == dt.date(2027, 1, 4)  # the local day, not the UTC one


def test_jsonl_with_a_broken_line_and_an_unknown_key(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    lines = [json.dumps({"ts": "2027-01-04 10:00:00", "type": "join", "group_id": "g1", "member_id": "m1"}),
             "{not json",
             "",
             json.dumps({"ts": "2027-01-04 10:01:00", "type": "order", "group_id": "g1", "member_id": "m1",
                         "amount": 9.9, "coupon": "X"}),
             json.dumps({"ts": "2027-01-04 10:02:00", "type": "leave", "group_id": "g1", "member_id": "m1",
                         "removed": True})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(path)
    assert problems(result) == [(2, "line", "bad_json"), (4, "line", "unknown_key")]
    assert (result.rows_read, result.accepted, result.rejected) == (4, 2, 2)
    leave = [e for e in result.events.to_pyarrow().to_pylist() if e["type"] == "leave"]
    assert leave[0]["removed"] is True


def test_parquet_keeps_typed_columns(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"ts": pa.array([dt.datetime(2027, 1, 4, 10), dt.datetime(2027, 1, 4, 11)], pa.timestamp("s")),
                      "type": ["order", "survey"], "group_id": ["g1", "g1"], "member_id": ["m1", "m1"],
                      "amount": pa.array([12.5, None], pa.float64()), "score": pa.array([None, 9], pa.int64())})
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    result = run(path)
    assert problems(result) == [(2, "score", "bad_score")]
    assert str(result.events.to_pyarrow().to_pylist()[0]["amount"]) == "12.50"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("e.csv", "ts,type,group_id,coupon\n", "unknown column(s) coupon"),
        ("e.csv", "ts,type\n", "missing column(s) group_id"),
        ("e.xlsx", "x", "unknown event file format"),
        ("missing.csv", None, "no such event file"),
    ],
)
def test_file_level_problems_are_input_errors(tmp_path: Path, name: str, text: str | None, message: str) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)):
        run(path)


def test_quoted_commas_chinese_text_and_short_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path, '2027-01-04 10:00:00,join,g1,会员1,,,,"朋友圈,海报",', "2027-01-04 10:01:00,message,g1,会员1")
    result = run(path)
    assert (result.rows_read, result.accepted, result.rejected) == (2, 2, 0)
    events = result.events.order_by("row").to_pyarrow().to_pylist()
    assert events[0]["channel"] == "朋友圈,海报" and events[0]["member_id"] == "会员1"
    assert events[1]["type"] == "message"


def test_tab_separated_files(tmp_path: Path) -> None:
    path = tmp_path / "events.tsv"
    path.write_text("ts\ttype\tgroup_id\tmember_id\n2027-01-04 10:00:00\tcheckin\tg1\tm1\n", encoding="utf-8")
    result = run(path)
    assert (result.accepted, result.rejected) == (1, 0)


def test_every_reason_has_words_in_both_languages() -> None:
    from engine.events.ingest import _checks
    from engine.events.reasons import REASONS, reason_words

    groups_dates = groups().select("group_id", "created_at", "ended_at")
    raw = ibis.memtable({name: ["x"] for name in ("_row", "ts", "type", "group_id", "member_id", "staff_id", "amount",
                                                  "order_id", "channel", "referrer_id", "activity", "removed", "flag",
                                                  "score", "count", "length", "_extra_keys")})
    table = raw.mutate(_ts=ibis.null("timestamp"), _bad_json=ibis.literal(False)).left_join(
        groups_dates, raw.group_id == groups_dates.group_id)
    used = {reason for reason, _, _ in _checks(table)} | {"duplicate"}
    assert used <= set(REASONS)
    for reason in used:
        assert reason_words(reason, "en") and reason_words(reason, "zh") != reason_words(reason, "en")
