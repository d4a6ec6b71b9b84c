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

from qunce.compute.duckdb import connect  # noqa: E402
from qunce.errors import InputError  # noqa: E402
from qunce.events.ingest import ingest  # noqa: E402

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
        ("9999-12-31 10:00:00,message,g1,m1,,,,,", (2, "ts", "far_from_roster")),
    ],
)
def test_each_reason_is_reported_at_its_row_and_column(tmp_path: Path, row: str,
                                                      expected: tuple[int, str, str]) -> None:
    result = run(write_csv(tmp_path, row))
    assert problems(result) == [expected]
    assert (result.rows_read, result.accepted, result.rejected) == (1, 0, 1)


def test_a_sop_done_names_who_did_which_item(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("ts,type,group_id,member_id,staff_id,sop\n"
                    "2027-01-04 20:10:00,sop_done,g1,,s1,live\n"  # no member needed
                    "2027-01-04 20:11:00,sop_done,g1,m1,s1,care\n"
                    "2027-01-04 20:12:00,sop_done,g1,,,live\n"
                    "2027-01-04 20:13:00,sop_done,g1,,s1,\n"
                    "2027-01-04 20:14:00,message,g1,m1,,live\n", encoding="utf-8")
    result = run(path)
    assert problems(result) == [(4, "staff_id", "missing_staff"), (5, "sop", "missing_sop"), (6, "sop", "not_allowed")]
    kept = result.events.order_by("row").to_pyarrow().to_pylist()
    assert [(e["type"], e["member_id"], e["staff_id"], e["sop"]) for e in kept] == [
        ("sop_done", None, "s1", "live"), ("sop_done", "m1", "s1", "care")]


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


def test_an_event_two_years_past_the_roster_is_a_bad_row(tmp_path: Path) -> None:
    # The roster's latest date is g2's end, 2027-01-03: its day + 731 is the last one accepted.
    rows = ["2029-01-03 23:59:59,message,g1,m1,,,,,", "2029-01-04 00:00:00,message,g1,m1,,,,,",
            "9999-12-31 23:59:59,message,g2,m1,,,,,"]
    result = run(write_csv(tmp_path, *rows))
    assert problems(result) == [(3, "ts", "far_from_roster"), (4, "ts", "after_ended"), (4, "ts", "far_from_roster")]
    assert (result.accepted, result.rejected) == (1, 2)


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
        ("e.docx", "x", "unknown event file format"),
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
    from qunce.events.ingest import _checks, with_type_rules
    from qunce.events.reasons import REASONS, reason_words

    groups_dates = groups().select("group_id", "created_at", "ended_at").mutate(_roster_until=ibis.null("date"))
    raw = ibis.memtable({name: ["x"] for name in ("_row", "ts", "type", "group_id", "member_id", "staff_id", "amount",
                                                  "order_id", "channel", "referrer_id", "activity", "removed", "flag",
                                                  "score", "count", "length", "sop", "_extra_keys")})
    table = raw.mutate(_ts=ibis.null("timestamp"), _bad_json=ibis.literal(False)).left_join(
        groups_dates, raw.group_id == groups_dates.group_id)
    used = {reason for reason, _, _ in _checks(with_type_rules(table))} | {"duplicate"}
    assert used <= set(REASONS)
    for reason in used:
        assert reason_words(reason, "en") and reason_words(reason, "zh") != reason_words(reason, "en")


# The same events, good and bad, as CSV, JSONL and Parquet: text columns take the text checks,
# typed Parquet columns (timestamps, decimals, integers, booleans) the typed ones; both must find
# the same problems at the same rows (CSV counts its header line, so its rows are one more).
SAME_EVENTS: list[dict[str, Any]] = [
    {"ts": "2027-01-04 10:00:00", "type": "join", "group_id": "g1", "member_id": "m1", "channel": "poster"},
    {"ts": "2027-01-04 10:05:00", "type": "order", "group_id": "g1", "member_id": "m1", "amount": "19.90"},
    {"ts": "2027-01-04 10:06:00", "type": "refund", "group_id": "g1", "member_id": "m1", "amount": "-5.00"},
    {"ts": None, "type": "message", "group_id": "g1", "member_id": "m1"},
    {"ts": "2027-01-04T02:07:00Z", "type": "message", "group_id": "g1", "member_id": "m2", "length": "12"},
    {"ts": "2027-01-04 10:00:00", "type": "join", "group_id": "g1", "member_id": "m1", "channel": "poster"},
    {"ts": "2027-01-04 10:08:00", "type": "survey", "group_id": "g1", "member_id": "m1", "score": "6"},
    {"ts": "2027-01-04 10:09:00", "type": "order", "group_id": "g1", "member_id": "m1", "amount": "1.00",
     "count": "2"},
    {"ts": "2027-01-04 10:10:00", "type": "exposure", "group_id": "g1", "channel": "poster", "count": "-3"},
    {"ts": "2026-12-31 23:00:00", "type": "checkin", "group_id": "g1", "member_id": "m3"},
    {"ts": "2027-01-05 09:00:00", "type": "leave", "group_id": "g2", "member_id": "m3", "removed": "true"},
    {"ts": "2027-01-04 10:11:00", "type": "checkin", "group_id": "g9", "member_id": "m3"},
    {"ts": "2027-01-04 10:12:00", "type": "task", "group_id": "g1"},
    {"ts": "2027-01-04 10:13:00", "type": "cost", "group_id": "g1"},
    {"ts": "2027-01-04 10:14:00", "type": "leave", "group_id": "g1", "member_id": "m2", "removed": "false"},
    {"ts": "2027-01-04 10:15:00", "type": "survey", "group_id": "g1", "member_id": "m2", "score": "4"},
    {"ts": "2027-01-04 10:05:00", "type": "order", "group_id": "g1", "member_id": "m1", "amount": "19.90"},
    {"ts": "2027-01-04 10:00:00", "type": "join", "group_id": "g1", "member_id": "m1", "channel": "poster"},
]
EXPECTED_PROBLEMS = [
    (3, "amount", "negative_amount", "-5.00"), (4, "ts", "missing_ts", None), (6, "*", "duplicate", "1"),
    (7, "score", "bad_score", "6"), (8, "count", "not_allowed", "2"), (9, "count", "bad_count", "-3"),
    (10, "ts", "before_created", "2026-12-31 23:00:00"), (11, "ts", "after_ended", "2027-01-05 09:00:00"),
    (12, "group_id", "unknown_group", "g9"), (13, "member_id", "missing_member", None),
    (14, "amount", "missing_amount", None), (17, "*", "duplicate", "2"), (18, "*", "duplicate", "1"),
]
FIELDS = HEADER.split(",")


def write_same_events(tmp_path: Path, fmt: str) -> Path:
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = SAME_EVENTS
    if fmt == "csv":
        return write_csv(tmp_path, *(",".join(row.get(f) or "" for f in FIELDS) for row in rows))
    if fmt == "jsonl":
        path = tmp_path / "events.jsonl"
        path.write_text("".join(json.dumps({k: v for k, v in row.items() if v is not None}) + "\n" for row in rows),
                        encoding="utf-8")
        return path

    def local(text: str | None) -> dt.datetime | None:  # the offset row as the local time it means
        if text is None:
            return None
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            return moment
        return (moment + dt.timedelta(hours=8)).replace(tzinfo=None)

    def column(name: str, kind: Any, convert: Any) -> Any:
        return pa.array([None if row.get(name) is None else convert(row[name]) for row in rows], kind)

    ts = pa.array([local(row.get("ts")) for row in rows], pa.timestamp("ms"))
    if fmt == "parquet-utc":  # the same instants, stored with a time zone
        ts = pa.array([None if t is None else (t - dt.timedelta(hours=8)).replace(tzinfo=dt.UTC)
                       for t in ts.to_pylist()], pa.timestamp("us", tz="UTC"))
    table = pa.table({
        "ts": ts,
        "type": pa.array([row["type"] for row in rows], pa.string()).dictionary_encode(),
        "group_id": column("group_id", pa.string(), str),
        "member_id": column("member_id", pa.string(), str),
        "amount": column("amount", pa.decimal128(12, 2), decimal.Decimal),
        "score": column("score", pa.int32(), int),
        "removed": column("removed", pa.bool_(), lambda v: v == "true"),
        "channel": column("channel", pa.string(), str),
        "count": column("count", pa.int32(), int),
        "length": column("length", pa.int64(), int),
    })
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "parquet-utc"])
def test_csv_jsonl_and_typed_parquet_find_the_same_problems(tmp_path: Path, fmt: str) -> None:
    result = run(write_same_events(tmp_path, fmt))
    shift = 1 if fmt == "csv" else 0  # the CSV header is row 1
    found = [(r["row"] - shift, r["column"], r["reason"], r["value"])
             for r in result.problems.order_by(["row", "reason"]).to_pyarrow().to_pylist()]
    expected = [(row, column, reason, str(int(value) + shift) if reason == "duplicate" and value else value)
                for row, column, reason, value in EXPECTED_PROBLEMS]
    if fmt == "parquet-utc":  # a TIMESTAMPTZ prints with its offset, in the playbook's time zone
        expected = [(r, c, reason, f"{v}+08" if c == "ts" and v else v) for r, c, reason, v in expected]
    assert found == expected
    assert (result.rows_read, result.accepted, result.rejected) == (18, 5, 13)
    events = result.events.order_by("row").to_pyarrow().to_pylist()
    assert [e["ts"] for e in events][:3] == [dt.datetime(2027, 1, 4, 10, 0), dt.datetime(2027, 1, 4, 10, 5),
                                             dt.datetime(2027, 1, 4, 10, 7)]
    assert [(e["type"], str(e["amount"]), e["score"], e["count"], e["length"], e["removed"]) for e in events] == [
        ("join", "None", None, 1, None, False), ("order", "19.90", None, 1, None, False),
        ("message", "None", None, 1, 12, False), ("leave", "None", None, 1, None, False),
        ("survey", "None", 4, 1, None, False)]
    schema = result.events.schema()
    assert (str(schema["amount"]), str(schema["ts"]), str(schema["date"])) == ("decimal(18, 2)", "timestamp(6)", "date")
    assert (str(schema["score"]), str(schema["count"]), str(schema["removed"])) == ("int8", "int64", "boolean")


@pytest.mark.parametrize(
    ("column", "kind", "values"),
    [
        ("amount", "decimal(12, 4)", ["19.9990", "19.9900", "-0.0100", "0.0000"]),
        ("amount", "int64", [5, -5, 10**13, -(10**13) + 1]),
        ("amount", "float64", [0.1, 12.5, -3.0, 1e20]),
        ("amount", "decimal(38, 6)", ["1.000001", "2.500000"]),
        ("score", "int64", [0, 1, 5, 6, -1, 10**12]),
        ("score", "float64", [4.0, 4.5]),
        ("count", "uint32", [0, 3, 4_000_000_000]),
        ("count", "int64", [-3, 10**12 - 1, 10**12]),
        ("removed", "bool", [True, False]),
        ("ts", "timestamp(ns)", [1_799_200_000_123_456_789, 1_799_200_000_000_000_000]),
        ("ts", "timestamp(ms, UTC)", [1_799_200_000_120, 1_767_196_800_000]),
    ],
)
def test_typed_parquet_columns_are_judged_as_their_text(tmp_path: Path, column: str, kind: str,
                                                        values: list[Any]) -> None:
    """A typed column takes the typed checks (or, for types they do not cover, the text ones):
    either way, the same problems and events as a CSV of the values as DuckDB prints them."""
    import decimal

    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = {"decimal(12, 4)": pa.decimal128(12, 4), "decimal(38, 6)": pa.decimal128(38, 6), "int64": pa.int64(),
             "float64": pa.float64(), "uint32": pa.uint32(), "bool": pa.bool_()}
    if kind.startswith("timestamp"):
        unit, _, zone = kind[len("timestamp("):-1].partition(", ")
        array = pa.array(values, pa.int64()).cast(pa.timestamp(unit, tz=zone or None))
    else:
        array = pa.array([decimal.Decimal(v) if isinstance(v, str) else v for v in values], arrow[kind])
    types = {"amount": "order", "score": "survey", "count": "exposure", "removed": "leave", "ts": "checkin"}
    n = len(values)
    table = pa.table({"ts": pa.array([dt.datetime(2027, 1, 4, 10)] * n, pa.timestamp("s")), "type": [types[column]] * n,
                      "group_id": ["g1"] * n, "member_id": [None if column == "count" else "m1"] * n})
    table = table.set_column(0, "ts", array) if column == "ts" else table.append_column(column, array)
    parquet, csv = tmp_path / "events.parquet", tmp_path / "events.csv"
    pq.write_table(table, parquet)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    con.execute(f"COPY (SELECT * REPLACE (CAST({column} AS VARCHAR) AS {column}) FROM '{parquet}') TO '{csv}' (HEADER)")
    typed, text = run(parquet), run(csv)

    def found(result: Any, shift: int) -> list[tuple[Any, ...]]:
        return sorted((r["row"] - shift, r["column"], r["reason"], r["value"])
                      for r in result.problems.to_pyarrow().to_pylist())

    assert found(typed, 0) == found(text, 1)
    assert (typed.rows_read, typed.accepted, typed.rejected) == (text.rows_read, text.accepted, text.rejected)
    assert typed.events.drop("row").to_pyarrow().to_pylist() == text.events.drop("row").to_pyarrow().to_pylist()
    assert typed.events.schema() == text.events.schema()


def test_memory_limit_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from qunce.errors import UsageError

    monkeypatch.setenv("QUNCE_MEMORY_LIMIT", "1GB")
    con = connect(TZ)
    limit = con.raw_sql("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit.replace(" ", "") in ("953.6MiB", "1.0GiB", "1GB", "953.6MB")
    monkeypatch.setenv("QUNCE_MEMORY_LIMIT", "lots")
    with pytest.raises(UsageError, match="QUNCE_MEMORY_LIMIT"):
        connect(TZ)


def test_a_quoted_value_with_line_breaks_is_read_and_rows_count_records(tmp_path: Path) -> None:
    # Excel writes a cell typed with Alt+Enter as a quoted value over several lines.
    path = tmp_path / "events.csv"
    path.write_text('ts,type,group_id,member_id,channel\n2027-01-04 10:00:00,join,g1,m1,"海报\n第二行"\n'
                    "2027-01-04 10:01:00,join,g1,m2\n2027-01-04 10:02:00,join,g9,m3,x\n", encoding="utf-8")
    result = run(path)
    assert (result.rows_read, result.accepted) == (3, 2)
    assert problems(result) == [(4, "group_id", "unknown_group")]
    channels = result.events.order_by("row").channel.to_pyarrow().to_pylist()
    assert channels == ["海报\n第二行", None]
