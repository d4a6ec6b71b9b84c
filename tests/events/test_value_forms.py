"""How a team writes values, read as qunce's (events/value_forms.py): type labels, times in the
forms exports write them (and a mapping's formats, epochs, Excel serials), money with ¥, 元 and
thousands separators, amounts in fen. The SQL snippets run in DuckDB directly; the ingest is
exercised on small CSV and Parquet files; two properties (hypothesis) read back what they wrote."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ibis = pytest.importorskip("ibis")
duckdb = pytest.importorskip("duckdb")

from qunce.compute.duckdb import connect  # noqa: E402
from qunce.event_contract import EVENT_TYPES  # noqa: E402
from qunce.events.ingest import ingest, read_raw  # noqa: E402
from qunce.events.source_file import ReadOptions  # noqa: E402
from qunce.events.value_forms import (  # noqa: E402
    DEFAULT_LABELS,
    amount_sql,
    labels_for,
    local_time_sql,
    quote,
    serial_sql,
)

TZ = "Asia/Shanghai"
NINE_FIVE = dt.datetime(2027, 1, 4, 9, 5)
NEW_YEAR = dt.datetime(2027, 1, 1)  # 1798732800 seconds since the epoch, in Shanghai


@pytest.fixture(scope="module")
def sql() -> Any:
    """A plain DuckDB connection in the playbook's time zone, for the SQL snippets."""
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{TZ}'")
    return con


@pytest.fixture(scope="module")
def con() -> Any:
    return connect(TZ)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("value-forms")


_NAMES = itertools.count()


def time_of(sql: Any, text: str | None, **how: Any) -> Any:
    value = "NULL" if text is None else quote(text)
    return sql.execute(f"SELECT {local_time_sql('x', TZ, **how)} FROM (SELECT CAST({value} AS VARCHAR) AS x)").fetchone()[0]


def amount_of(sql: Any, text: str, unit: str = "yuan") -> Any:
    return sql.execute(f"SELECT {amount_sql('x', unit)} FROM (SELECT CAST({quote(text)} AS VARCHAR) AS x)").fetchone()[0]


def csv_file(folder: Path, header: str, *lines: str) -> Path:
    path = folder / f"e{next(_NAMES)}.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def raw_rows(con: Any, path: Path, options: ReadOptions | None = None) -> list[dict[str, Any]]:
    table = read_raw(con, path, TZ, path.name, options)
    return table.order_by("_row").select("_row", "ts", "type", "amount", "removed", "_ts").to_pyarrow().to_pylist()


def groups() -> Any:
    schema = {"group_id": "string", "created_at": "date", "ended_at": "date"}
    return ibis.memtable({"group_id": ["g1"], "created_at": [dt.date(2026, 12, 1)], "ended_at": [None]}, schema=schema)


def problems(result: Any) -> list[tuple[int, str, str]]:
    listed = result.problems.order_by(["row", "column", "reason"]).to_pyarrow().to_pylist()
    return [(p["row"], p["column"], p["reason"]) for p in listed]


def mapping(folder: Path, text: str) -> Any:
    from qunce.events.mapping import load_mapping

    path = folder / f"m{next(_NAMES)}.mapping.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_mapping(path, path.name)
    assert loaded.diagnostics == [], loaded.diagnostics
    return loaded.mapping


# --- type labels ---------------------------------------------------------------------------------

EVERY_LABEL = [(label, kind) for kind, (labels, _) in EVENT_TYPES.items() for label in labels.split("|")]


def test_every_event_types_chinese_label_is_a_default_label() -> None:
    assert len(EVERY_LABEL) == 16
    for label, kind in EVERY_LABEL:
        assert DEFAULT_LABELS[label] == (kind, None), label
    assert DEFAULT_LABELS["被移出"] == ("leave", True)
    assert DEFAULT_LABELS["移出群聊"] == ("leave", True)


def test_every_default_label_is_read_as_its_type(con: Any, folder: Path) -> None:
    lines = [f"2027-01-04 09:05:00,{label},g1," for label, _ in EVERY_LABEL]
    path = csv_file(folder, "ts,type,group_id,removed", *lines, "2027-01-04 09:05:00,join,g1,",
                    "2027-01-04 09:05:00,Join,g1,")
    read = raw_rows(con, path)
    assert [r["type"] for r in read] == [kind for _, kind in EVERY_LABEL] + ["join", "Join"]
    assert all(r["removed"] is None for r in read)


def test_removal_labels_are_leaves_with_removed_true(con: Any, folder: Path) -> None:
    path = csv_file(folder, "时间,类型,群ID,成员ID,被移出",
                    "2027-01-04 09:05:00,被移出,g1,m1,", "2027-01-04 09:05:00,移出群聊,g1,m2,false",
                    "2027-01-04 09:05:00,退群,g1,m3,", "2027-01-04 09:05:00,退群,g1,m4,true")
    read = raw_rows(con, path)
    assert [(r["type"], r["removed"]) for r in read] == [("leave", "true"), ("leave", "true"), ("leave", None),
                                                         ("leave", "true")]
    result = ingest(con, path, groups(), TZ, path.name)
    assert result.rejected == 0, result.by_reason
    events = result.events.order_by("row").to_pyarrow().to_pylist()
    assert [(e["type"], e["removed"]) for e in events] == [("leave", True), ("leave", True), ("leave", False),
                                                           ("leave", True)]


def test_a_mappings_labels_are_read_and_override_the_defaults(con: Any, folder: Path) -> None:
    said = mapping(folder, "types:\n  退群: {type: leave, removed: true}\n  主动退群: {type: leave, removed: false}\n"
                           "  签到: task\n  加入: 入群\n")
    assert labels_for(said)["退群"] == ("leave", True)
    assert labels_for(said)["入群"] == ("join", None)  # the defaults stay
    path = csv_file(folder, "ts,type,group_id,removed", "2027-01-04 09:05:00,退群,g1,",
                    "2027-01-04 09:05:00,主动退群,g1,true", "2027-01-04 09:05:00,签到,g1,",
                    "2027-01-04 09:05:00,加入,g1,", "2027-01-04 09:05:00,入群,g1,")
    read = raw_rows(con, path, ReadOptions(mapping=said))
    assert [(r["type"], r["removed"]) for r in read] == [("leave", "true"), ("leave", "false"), ("task", None),
                                                         ("join", None), ("join", None)]


# --- times -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2027-01-04 09:05:00", NINE_FIVE),
    ("2027-01-04T09:05:00", NINE_FIVE),
    ("2027-01-04 09:05", NINE_FIVE),
    ("2027-01-04", dt.datetime(2027, 1, 4)),
    ("2027-01-04 09:05:00.250", NINE_FIVE.replace(microsecond=250000)),
    ("2027-01-04T01:05:00Z", NINE_FIVE),
    ("2027-01-04T09:05:00+08:00", NINE_FIVE),
    ("2027-01-03T20:05:00-05:00", NINE_FIVE),
    ("2027/1/4 9:05", NINE_FIVE),
    ("2027/01/04 09:05", NINE_FIVE),
    ("2027/1/4 9:05:07", NINE_FIVE.replace(second=7)),
    ("2027/1/4", dt.datetime(2027, 1, 4)),
    ("2027年1月4日 09:05", NINE_FIVE),
    ("2027年1月4日 9:05:07", NINE_FIVE.replace(second=7)),
    ("2027年01月04日", dt.datetime(2027, 1, 4)),
    ("2027-1-4 9:05", NINE_FIVE),
    ("2027/13/4 9:05", None),
    ("2027/2/30", None),
    ("2027年13月4日", None),
    ("昨天 9:05", None),
    ("1798732800", None),  # an epoch needs the mapping's unit
    ("46391.378472222", None),  # a serial in a text file too
    (None, None),
])
def test_time_forms_read_without_a_mapping(sql: Any, text: str | None, expected: dt.datetime | None) -> None:
    assert time_of(sql, text) == expected


def test_a_mappings_formats_are_tried_first_and_the_defaults_still_read(sql: Any) -> None:
    formats = ("%d.%m.%Y %H:%M", "%Y%m%d%H%M%S", "%m/%d/%Y %I:%M %p")
    assert time_of(sql, "04.01.2027 09:05", formats=formats) == NINE_FIVE
    assert time_of(sql, "20270104090500", formats=formats) == NINE_FIVE
    assert time_of(sql, "01/04/2027 09:05 AM", formats=formats) == NINE_FIVE
    assert time_of(sql, "2027/1/4 9:05", formats=formats) == NINE_FIVE
    assert time_of(sql, "04.13.2027 09:05", formats=formats) is None
    # a format with an offset is converted to the zone
    assert time_of(sql, "2027-01-04 01:05:00 +0000", formats=("%Y-%m-%d %H:%M:%S %z",)) == NINE_FIVE


def test_a_mapping_format_list_through_read_raw(con: Any, folder: Path) -> None:
    said = mapping(folder, "time:\n  format: [\"%d.%m.%Y %H:%M\", \"%Y%m%d%H%M%S\"]\n")
    path = csv_file(folder, "ts,type,group_id", "04.01.2027 09:05,join,g1", "20270104090500,join,g1",
                    "2027-01-04 09:05:00,join,g1", "31.02.2027 09:05,join,g1")
    assert [r["_ts"] for r in raw_rows(con, path, ReadOptions(mapping=said))] == [NINE_FIVE] * 3 + [None]


@pytest.mark.parametrize(("unit", "text", "expected"), [
    ("epoch_seconds", "1798732800", NEW_YEAR),
    ("epoch_seconds", "1798732800.5", NEW_YEAR.replace(microsecond=500000)),
    ("epoch_seconds", "0", dt.datetime(1970, 1, 1, 8)),
    ("epoch_seconds", "1799024700", NINE_FIVE),
    ("epoch_seconds", "2027-01-04 09:05:00", NINE_FIVE),  # text times still read
    ("epoch_seconds", "-5", None),
    ("epoch_milliseconds", "1798732800000", NEW_YEAR),
    ("epoch_milliseconds", "1798732800123", NEW_YEAR.replace(microsecond=123000)),
    ("epoch_milliseconds", "1798732800123.5", NEW_YEAR.replace(microsecond=123500)),
    ("epoch_milliseconds", "1799024700000", NINE_FIVE),
    ("excel_serial", "46391.378472222222", NINE_FIVE),
    ("excel_serial", "46391", dt.datetime(2027, 1, 4)),
    ("excel_serial", "46392.5", dt.datetime(2027, 1, 5, 12)),
    ("excel_serial", "2027/1/4 9:05", NINE_FIVE),
    ("excel_serial", "0", None),
    ("excel_serial", "3000000", None),
])
def test_numeric_times_in_the_mappings_unit(sql: Any, unit: str, text: str, expected: dt.datetime | None) -> None:
    assert time_of(sql, text, unit=unit) == expected


def test_epoch_seconds_past_year_9999_are_not_a_time(tmp_path: Path) -> None:
    """Milliseconds read with `unit: epoch_seconds` (an easy slip) are a time in the year 58969:
    DuckDB holds it, Python cannot. The reader bounds every time to 1900 … 9999: a bad time."""
    path = tmp_path / "e.csv"
    path.write_text("ts,type,group_id\n1798732800123,join,g1\n1798732800,join,g1\n", encoding="utf-8")
    said = mapping(tmp_path, "time:\n  unit: epoch_seconds\n")
    rows = read_raw(connect(TZ), path, TZ, None, ReadOptions(mapping=said)).order_by("_row").to_pyarrow()
    assert rows.column("_ts").to_pylist() == [None, dt.datetime(2027, 1, 1)]


@pytest.mark.parametrize(("text", "expected"), [
    ("46391.378472222222", NINE_FIVE),
    ("46391.37847222222", NINE_FIVE),
    ("46391", dt.datetime(2027, 1, 4)),
    ("1", dt.datetime(1899, 12, 31)),
    ("2958465", dt.datetime(9999, 12, 31)),
    ("0", None),
    ("0.5", None),
    ("2958466", None),
    ("3000000", None),
    ("abc", None),
])
def test_excel_serial_bounds(sql: Any, text: str, expected: dt.datetime | None) -> None:
    got = sql.execute(f"SELECT {serial_sql('x')} FROM (SELECT {quote(text)} AS x)").fetchone()[0]
    assert got == expected


def test_epochs_in_a_csv_and_serials_out_of_bounds_are_bad_times(con: Any, folder: Path) -> None:
    path = csv_file(folder, "ts,type,group_id,member_id", "1798732800,join,g1,m1", "1798732800.25,join,g1,m2",
                    "2027-01-04 09:05:00,join,g1,m3", "soon,join,g1,m4")
    result = ingest(con, path, groups(), TZ, path.name, ReadOptions(mapping=mapping(folder, "time:\n  unit: epoch_seconds\n")))
    assert problems(result) == [(5, "ts", "bad_ts")]
    events = result.events.order_by("row").to_pyarrow().to_pylist()
    assert [e["ts"] for e in events] == [NEW_YEAR, NEW_YEAR.replace(microsecond=250000), NINE_FIVE]

    serials = csv_file(folder, "ts,type,group_id,member_id", "46391.378472222222,join,g1,m1", "0,join,g1,m2",
                       "3000000,join,g1,m3")
    result = ingest(con, serials, groups(), TZ, serials.name,
                    ReadOptions(mapping=mapping(folder, "time:\n  unit: excel_serial\n")))
    assert problems(result) == [(3, "ts", "bad_ts"), (4, "ts", "bad_ts")]
    assert [e["ts"] for e in result.events.to_pyarrow().to_pylist()] == [NINE_FIVE]


def test_epoch_milliseconds_and_fen_in_typed_parquet_columns(con: Any, folder: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / "typed.parquet"
    pq.write_table(pa.table({
        "ts": pa.array([1798732800000, 1799024700000, 1799024700123], pa.int64()),
        "type": ["order", "order", "refund"], "group_id": ["g1"] * 3, "member_id": ["m1"] * 3,
        "amount": pa.array([130890, 5, 1250], pa.int64())}), path)
    said = mapping(folder, "time:\n  unit: epoch_milliseconds\namount:\n  unit: fen\n")
    result = ingest(con, path, groups(), TZ, path.name, ReadOptions(mapping=said))
    assert result.rejected == 0, result.by_reason
    events = result.events.order_by("row").to_pyarrow().to_pylist()
    assert [(e["row"], e["ts"], e["amount"]) for e in events] == [
        (1, NEW_YEAR, Decimal("1308.90")), (2, NINE_FIVE, Decimal("0.05")),
        (3, NINE_FIVE.replace(microsecond=123000), Decimal("12.50"))]


# --- money -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("¥1,308.90", "1308.90"),
    ("￥1,308.90", "1308.90"),
    ("1308.9元", "1308.9"),
    ("1,308.90元", "1308.90"),
    ("RMB 12", "12"),
    ("CNY12.50", "12.50"),
    ("¥ 1,308.90 元", "1308.90"),
    ("1,234", "1234"),
    ("1,234,567.8", "1234567.8"),
    ("¥-5", "-5"),
    ("1308.90", "1308.90"),
    ("+5", "+5"),
    # not money: left as written, for the checks to name
    ("1,23", "1,23"),
    ("¥", "¥"),
    ("12元元", "12元元"),
    ("12,34,567", "12,34,567"),
    ("1.2.3", "1.2.3"),
    ("-¥5", "-¥5"),
    ("十二元", "十二元"),
])
def test_money_forms(sql: Any, text: str, expected: str) -> None:
    assert amount_of(sql, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("130890", Decimal("1308.90")),
    ("¥1,308", Decimal("13.08")),
    ("0", Decimal("0")),
    ("12.5", Decimal("0.125")),
])
def test_fen_are_divided_by_100(sql: Any, text: str, expected: Decimal) -> None:
    assert Decimal(amount_of(sql, text, "fen")) == expected
    assert amount_of(sql, "abc", "fen") == "abc"


def test_money_through_the_ingest_good_and_bad(con: Any, folder: Path) -> None:
    path = csv_file(folder, "时间,类型,群ID,成员ID,金额",
                    '2027-01-04 09:05:00,下单,g1,m1,"¥1,308.90"', '2027-01-04 09:05:01,下单,g1,m1,"￥1,308.90"',
                    "2027-01-04 09:05:02,下单,g1,m1,1308.9元", "2027-01-04 09:05:03,下单,g1,m1,RMB 12",
                    '2027-01-04 09:05:04,下单,g1,m1,"1,234"', '2027-01-04 09:05:05,下单,g1,m1,"1,23"',
                    "2027-01-04 09:05:06,下单,g1,m1,¥", "2027-01-04 09:05:07,下单,g1,m1,12元元",
                    "2027-01-04 09:05:08,退款,g1,m1,¥-5", "2027-01-04 09:05:09,下单,g1,m1,¥1.999")
    result = ingest(con, path, groups(), TZ, path.name)
    assert problems(result) == [(7, "amount", "bad_amount"), (8, "amount", "bad_amount"), (9, "amount", "bad_amount"),
                                (10, "amount", "negative_amount"), (11, "amount", "amount_decimals")]
    events = result.events.order_by("row").to_pyarrow().to_pylist()
    assert [e["amount"] for e in events] == [Decimal("1308.90"), Decimal("1308.90"), Decimal("1308.90"),
                                             Decimal("12.00"), Decimal("1234.00")]
    values = {p["row"]: p["value"] for p in result.problems.to_pyarrow().to_pylist()}
    assert values[7] == "1,23" and values[9] == "12元元"  # the text as written


def test_fen_through_the_ingest(con: Any, folder: Path) -> None:
    path = csv_file(folder, "ts,type,group_id,member_id,amount", "2027-01-04 09:05:00,order,g1,m1,130890",
                    "2027-01-04 09:05:01,order,g1,m1,12.5", '2027-01-04 09:05:02,order,g1,m1,"¥1,308"')
    result = ingest(con, path, groups(), TZ, path.name, ReadOptions(mapping=mapping(folder, "amount:\n  unit: fen\n")))
    assert problems(result) == [(3, "amount", "amount_decimals")]
    assert [e["amount"] for e in result.events.order_by("row").to_pyarrow().to_pylist()] == [
        Decimal("1308.90"), Decimal("13.08")]


# --- properties ------------------------------------------------------------------------------------

AMOUNTS = st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2, allow_nan=False, allow_infinity=False)
TIMES = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31, 23, 59, 59)).map(
    lambda t: t.replace(microsecond=0))


@settings(max_examples=50, deadline=None)
@given(amount=AMOUNTS)
def test_any_amount_written_with_yuan_signs_reads_back_exactly(con: Any, folder: Path, amount: Decimal) -> None:
    forms = [f"¥{amount:,.2f}", f"{amount:,.2f}元", f"{amount:.2f}元", f"￥{amount:,.2f}"]
    path = csv_file(folder, "ts,type,group_id,amount", *(f'2027-01-04 09:05:00,order,g1,"{form}"' for form in forms))
    assert [Decimal(r["amount"]) for r in raw_rows(con, path)] == [amount] * len(forms)


@settings(max_examples=50, deadline=None)
@given(when=TIMES)
def test_any_time_written_in_the_chinese_forms_reads_back_exactly(con: Any, folder: Path, when: dt.datetime) -> None:
    forms = [f"{when.year}/{when.month}/{when.day} {when.hour}:{when:%M:%S}",
             f"{when.year}年{when.month}月{when.day}日 {when:%H:%M:%S}"]
    path = csv_file(folder, "ts,type,group_id", *(f"{form},join,g1" for form in forms))
    assert [r["_ts"] for r in raw_rows(con, path)] == [when, when]
