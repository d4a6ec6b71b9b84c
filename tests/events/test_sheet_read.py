"""Workbooks as event files (events/sheet_read.py through the ingest): date cells, Excel serials
and text dates, sheets chosen by name, the header row, the sheet's own row numbers (bad rows
are reported as the row Excel shows), blank rows, columns without a header, empty sheets; and
`qunce simulate` naming a workbook's bad rows FILE:SHEET:ROW.

Workbooks are written with XlsxWriter in tmp_path; one DuckDB connection serves the module."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

ibis = pytest.importorskip("ibis")
pytest.importorskip("fastexcel")
xlsxwriter = pytest.importorskip("xlsxwriter")

from qunce.cli import main  # noqa: E402
from qunce.compute.duckdb import connect  # noqa: E402
from qunce.errors import InputError  # noqa: E402
from qunce.events.ingest import ingest, read_raw  # noqa: E402
from qunce.events.sheet_read import column_letter, read_sheet  # noqa: E402
from qunce.events.source_file import ReadOptions  # noqa: E402

TZ = "Asia/Shanghai"
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "simulate"
HEADER = ["ts", "type", "group_id", "member_id"]
NINE_FIVE = dt.datetime(2027, 1, 4, 9, 5)


def book(path: Path, sheets: dict[str, dict[int, list[Any]]]) -> Path:
    """A workbook: sheet name → {row number as Excel shows it: the cells from column A}. A cell is
    text, a number (a General cell), a datetime or date (a date cell, with a date format), a
    (value, number format) pair, or None (no cell)."""
    workbook = xlsxwriter.Workbook(str(path))
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    day = workbook.add_format({"num_format": "yyyy/m/d"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for number, cells in rows.items():
            for column, value in enumerate(cells):
                if value is None:
                    continue
                if isinstance(value, tuple):
                    value, form = value
                    sheet.write_number(number - 1, column, value, workbook.add_format({"num_format": form}))
                elif isinstance(value, dt.datetime):
                    sheet.write_datetime(number - 1, column, value, when)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(number - 1, column, dt.datetime.combine(value, dt.time()), day)
                elif isinstance(value, int | float):
                    sheet.write_number(number - 1, column, value)
                else:
                    sheet.write_string(number - 1, column, value)
    workbook.close()
    return path


def groups(*ids: str) -> Any:
    schema = {"group_id": "string", "created_at": "date", "ended_at": "date"}
    ids = ids or ("g1",)
    return ibis.memtable({"group_id": list(ids), "created_at": [dt.date(2027, 1, 1)] * len(ids),
                          "ended_at": [None] * len(ids)}, schema=schema)


@pytest.fixture(scope="module")
def con() -> Any:
    return connect(TZ)


def rows(con: Any, path: Path, options: ReadOptions | None = None) -> list[dict[str, Any]]:
    table = read_raw(con, path, TZ, path.name, options)
    return table.order_by("_row").select("_row", "ts", "type", "group_id", "member_id", "amount", "removed",
                                         "_ts").to_pyarrow().to_pylist()


def problems(result: Any) -> list[tuple[int, str, str]]:
    listed = result.problems.order_by(["row", "column", "reason"]).to_pyarrow().to_pylist()
    return [(p["row"], p["column"], p["reason"]) for p in listed]


def mapping(folder: Path, text: str) -> Any:
    """The real mapping file's EventMapping for `text` (it must have no findings)."""
    from qunce.events.mapping import load_mapping

    path = folder / "events.mapping.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_mapping(path, path.name)
    assert loaded.diagnostics == [], loaded.diagnostics
    return loaded.mapping


# --- times in cells --------------------------------------------------------------------------


def test_date_cells_serial_numbers_and_text_dates_read_as_the_same_time(con: Any, tmp_path: Path) -> None:
    path = book(tmp_path / "times.xlsx", {"事件": {
        1: HEADER,
        2: [NINE_FIVE, "join", "g1", "m1"],  # a date cell
        3: [46391.378472222222, "join", "g1", "m2"],  # a General cell holding Excel's serial
        4: ["2027/1/4 9:05", "join", "g1", "m3"],
        5: ["2027年1月4日 09:05", "join", "g1", "m4"],
        6: ["2027-01-04 09:05:00", "join", "g1", "m5"],
        7: [dt.date(2027, 1, 4), "join", "g1", "m6"],  # a date cell without a time
        8: [46391, "join", "g1", "m7"],
        9: [(46391.378472222222, "yyyy/m/d h:mm"), "join", "g1", "m8"],  # a serial with a date format
    }})
    read = rows(con, path)
    assert [r["_row"] for r in read] == [2, 3, 4, 5, 6, 7, 8, 9]
    assert [r["_ts"] for r in read] == [NINE_FIVE] * 5 + [dt.datetime(2027, 1, 4)] * 2 + [NINE_FIVE]
    result = ingest(con, path, groups(), TZ, path.name)
    assert (result.rows_read, result.accepted, result.rejected) == (8, 8, 0)


def test_serials_outside_excel_dates_are_bad_times(con: Any, tmp_path: Path) -> None:
    path = book(tmp_path / "serials.xlsx", {"S": {
        1: HEADER, 2: [0, "join", "g1", "m1"], 3: [3000000, "join", "g1", "m2"], 4: [46392.5, "join", "g1", "m3"],
    }})
    read = rows(con, path)
    assert [r["_ts"] for r in read] == [None, None, dt.datetime(2027, 1, 5, 12)]
    result = ingest(con, path, groups(), TZ, path.name)
    assert problems(result) == [(2, "ts", "bad_ts"), (3, "ts", "bad_ts")]


def test_chinese_labels_and_money_cells_in_a_workbook(con: Any, tmp_path: Path) -> None:
    path = book(tmp_path / "labels.xlsx", {"S": {
        1: ["时间", "类型", "群ID", "客户ID", "金额"],
        2: [NINE_FIVE, "入群", "g1", "m1", None],
        3: [NINE_FIVE, "下单", "g1", "m1", (1308.9, "¥#,##0.00")],  # a number shown as money
        4: [NINE_FIVE, "下单", "g1", "m1", "¥1,308.90"],  # money typed as text
        5: [NINE_FIVE, "被移出", "g1", "m1", None],
    }})
    read = rows(con, path)
    assert [(r["type"], r["amount"], r["removed"]) for r in read] == [
        ("join", None, None), ("order", "1308.9", None), ("order", "1308.90", None), ("leave", None, "true")]
    result = ingest(con, path, groups(), TZ, path.name)
    assert result.rejected == 0, result.by_reason
    events = result.events.order_by("row").to_pyarrow().to_pylist()
    assert [str(e["amount"]) for e in events if e["type"] == "order"] == ["1308.90", "1308.90"]
    assert result.read["columns"] == {"ts": "时间", "type": "类型", "group_id": "群ID", "member_id": "客户ID",
                                      "amount": "金额"}


# --- sheets ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def months(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return book(tmp_path_factory.mktemp("months") / "months.xlsx", {
        "一月事件": {1: HEADER, 2: ["2027-01-04 09:05:00", "join", "g1", "m1"]},
        "二月事件": {1: HEADER, 2: ["2027-02-04 09:05:00", "join", "g1", "m2"],
                     3: ["2027-02-05 09:05:00", "leave", "g1", "m2"]},
    })


def test_the_first_sheet_is_read_by_default(con: Any, months: Path) -> None:
    result = ingest(con, months, groups(), TZ, months.name)
    assert result.rows_read == 1
    assert result.read["format"] == "xlsx"
    assert result.read["sheet"] == "一月事件"
    assert (result.read["header_row"], result.read["blank_rows"]) == (1, 0)


def test_sheet_option_chooses_a_sheet_by_its_chinese_name(con: Any, months: Path) -> None:
    read = rows(con, months, ReadOptions(sheet="二月事件"))
    assert [(r["_row"], r["member_id"], r["type"]) for r in read] == [(2, "m2", "join"), (3, "m2", "leave")]
    result = ingest(con, months, groups(), TZ, months.name, ReadOptions(sheet="二月事件"))
    assert result.rows_read == 2 and result.read["sheet"] == "二月事件"


def test_the_mapping_names_the_sheet_and_the_option_wins(con: Any, months: Path, tmp_path: Path) -> None:
    said = mapping(tmp_path, "sheet: 二月事件\n")
    assert [r["member_id"] for r in rows(con, months, ReadOptions(mapping=said))] == ["m2", "m2"]
    assert [r["member_id"] for r in rows(con, months, ReadOptions(sheet="一月事件", mapping=said))] == ["m1"]


def test_an_unknown_sheet_is_an_error_listing_the_sheets(con: Any, months: Path) -> None:
    with pytest.raises(InputError) as caught:
        rows(con, months, ReadOptions(sheet="三月事件"))
    assert caught.value.en == ("months.xlsx: no sheet named '三月事件'; its sheets are 一月事件, 二月事件: "
                               "pass --sheet NAME")
    assert "没有名为「三月事件」的工作表" in caught.value.zh and "一月事件、二月事件" in caught.value.zh


# --- the header row and the sheet's own row numbers --------------------------------------------


def test_a_title_row_above_the_header_with_the_mappings_header_row(con: Any, tmp_path: Path) -> None:
    path = book(tmp_path / "titled.xlsx", {"S": {
        1: ["2027年1月 社群事件导出（内部）"],
        2: ["时间", "类型", "群ID", "成员ID"],
        3: ["2027-01-04 09:05:00", "入群", "g1", "m1"],
        4: ["2027-13-04 09:05:00", "入群", "g1", "m2"],
    }})
    options = ReadOptions(mapping=mapping(tmp_path, "header_row: 2\n"))
    assert [(r["_row"], r["member_id"]) for r in rows(con, path, options)] == [(3, "m1"), (4, "m2")]
    result = ingest(con, path, groups(), TZ, path.name, options)
    assert problems(result) == [(4, "ts", "bad_ts")]
    assert result.read["header_row"] == 2


def test_a_title_row_read_as_the_header_names_the_first_column_without_a_name(con: Any, tmp_path: Path) -> None:
    path = book(tmp_path / "titled.xlsx", {"S": {
        1: ["社群事件导出"], 2: HEADER, 3: ["2027-01-04 09:05:00", "join", "g1", "m1"]}})
    with pytest.raises(InputError) as caught:
        rows(con, path)
    assert caught.value.en == ("titled.xlsx: sheet 'S': column B has values but no name in the header row (1): "
                               "name it or delete the column")


def test_a_header_row_given_above_the_first_used_row_is_explained(tmp_path: Path) -> None:
    path = book(tmp_path / "late.xlsx", {"S": {3: HEADER, 4: ["2027-01-04 09:05:00", "join", "g1", "m1"]}})
    with pytest.raises(InputError) as caught:
        read_sheet(path, path.name, None, 2)
    assert "row 2 is empty, the first row with values is 3" in caught.value.en


def test_a_sheet_starting_at_row_3_keeps_its_row_numbers_with_header_row(con: Any, tmp_path: Path) -> None:
    path = book(tmp_path / "late.xlsx", {"S": {
        3: HEADER, 4: ["2027-01-04 09:05:00", "join", "g1", "m1"], 5: ["bad", "join", "g1", "m2"]}})
    options = ReadOptions(mapping=mapping(tmp_path, "header_row: 3\n"))
    assert [r["_row"] for r in rows(con, path, options)] == [4, 5]
    assert problems(ingest(con, path, groups(), TZ, path.name, options)) == [(5, "ts", "bad_ts")]


def test_a_sheet_starting_at_row_3_is_read_without_a_mapping(con: Any, tmp_path: Path) -> None:
    """BUG (sheet_read.py:69): two empty rows above the header make the default header row (1)
    an error, though row 1 can never be the header; the header should be the first row with
    values unless a header row was given."""
    path = book(tmp_path / "late.xlsx", {"S": {
        3: HEADER, 4: ["2027-01-04 09:05:00", "join", "g1", "m1"], 5: ["bad", "join", "g1", "m2"]}})
    assert [r["_row"] for r in rows(con, path)] == [4, 5]
    result = ingest(con, path, groups(), TZ, path.name)
    assert problems(result) == [(5, "ts", "bad_ts")]
    assert result.read["header_row"] == 3


def test_blank_rows_are_left_out_counted_and_not_numbered_away(con: Any, tmp_path: Path) -> None:
    path = book(tmp_path / "gaps.xlsx", {"S": {
        1: HEADER,
        2: ["2027-01-04 09:05:00", "join", "g1", "m1"],
        # rows 3 and 4 blank
        5: ["2027-01-04 09:06:00", "join", "g1", "m2"],
        6: ["2027-01-04 09:07:00", "party", "g1", "m3"],
        # row 7 blank
        8: ["2027-01-04 09:08:00", "join", "g9", "m4"],
    }})
    assert [(r["_row"], r["member_id"]) for r in rows(con, path)] == [(2, "m1"), (5, "m2"), (6, "m3"), (8, "m4")]
    result = ingest(con, path, groups(), TZ, path.name)
    assert (result.rows_read, result.accepted, result.rejected) == (4, 2, 2)
    assert problems(result) == [(6, "type", "unknown_type"), (8, "group_id", "unknown_group")]
    assert result.read["blank_rows"] == 3


def test_read_sheet_says_what_it_read(tmp_path: Path) -> None:
    path = book(tmp_path / "gaps.xlsx", {"数据": {
        1: HEADER, 2: ["a", "join", "g1", "m1"], 4: ["b", None, None, None], 5: [None, None, "g2", None]}})
    table, sheet = read_sheet(path, path.name, None)
    assert (sheet.name, sheet.header_row, sheet.rows, sheet.blank_rows) == ("数据", 1, 3, 1)
    table = table.to_pydict()
    assert table == {"ts": ["a", "b", None], "type": ["join", None, None], "group_id": ["g1", None, "g2"],
                     "member_id": ["m1", None, None], "_row": [2, 4, 5]}


# --- columns without a header --------------------------------------------------------------------


def test_values_under_an_empty_header_cell_name_the_column_letter(con: Any, tmp_path: Path) -> None:
    path = book(tmp_path / "unnamed.xlsx", {"事件": {
        1: ["ts", "type", None, "group_id"], 2: ["2027-01-04 09:05:00", "join", "备注", "g1"]}})
    with pytest.raises(InputError) as caught:
        rows(con, path)
    assert caught.value.en == ("unnamed.xlsx: sheet '事件': column C has values but no name in the header row (1): "
                               "name it or delete the column")
    assert caught.value.zh == "unnamed.xlsx：工作表「事件」的 C 列有数据，但表头行（第 1 行）没有列名：请补上列名或删除该列"


def test_the_column_letter_counts_from_column_a_when_the_first_columns_are_empty(con: Any, tmp_path: Path) -> None:
    """BUG (sheet_read.py:93, `_named_columns`): the letter is the column's place in the range
    calamine read, which starts at the first column holding a value, not at column A: values in
    column D with columns A empty are reported as column C. Fix: add the range's first column
    (fastexcel's absolute_index) to `index`."""
    path = book(tmp_path / "offset.xlsx", {"S": {
        1: [None, "ts", "type", None, "group_id"], 2: [None, "2027-01-04 09:05:00", "join", "备注", "g1"]}})
    with pytest.raises(InputError) as caught:
        rows(con, path)
    assert "column D has values but no name" in caught.value.en


def test_an_empty_column_without_a_header_is_not_an_unknown_column(con: Any, tmp_path: Path) -> None:
    """BUG (sheet_read.py:81, `_named_columns` keeps it): an empty column between named ones
    (no header, no value) reaches the header check as `__UNNAMED__2`, an unknown column. Fix:
    drop the unnamed columns without values before writing the Parquet file."""
    path = book(tmp_path / "gap.xlsx", {"S": {
        1: ["ts", "type", None, "group_id"], 2: ["2027-01-04 09:05:00", "join", None, "g1"]}})
    assert [(r["_row"], r["group_id"]) for r in rows(con, path)] == [(2, "g1")]


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (2, "C"), (25, "Z"), (26, "AA"), (51, "AZ"), (701, "ZZ"),
                                                (702, "AAA"), (16383, "XFD")])
def test_column_letters_as_excel_shows_them(index: int, letters: str) -> None:
    assert column_letter(index) == letters


# --- empty sheets ------------------------------------------------------------------------------


def test_an_empty_sheet_is_an_error_saying_so(con: Any, tmp_path: Path) -> None:
    path = book(tmp_path / "empty.xlsx", {"空表": {}, "数据": {1: HEADER}})
    with pytest.raises(InputError) as caught:
        rows(con, path)
    assert caught.value.en == "empty.xlsx: sheet '空表' is empty: it needs a header row, then one event a row"
    assert caught.value.zh == "empty.xlsx：工作表「空表」是空的：第一行应为表头，其后每行一个事件"


def test_a_header_only_sheet_reads_no_rows(con: Any, tmp_path: Path) -> None:
    path = book(tmp_path / "empty.xlsx", {"空表": {}, "数据": {1: HEADER}})
    _, sheet = read_sheet(path, path.name, "数据")
    assert (sheet.rows, sheet.blank_rows) == (0, 0)
    result = ingest(con, path, groups(), TZ, path.name, ReadOptions(sheet="数据"))
    assert (result.rows_read, result.accepted, result.rejected) == (0, 0, 0)


def test_simulate_on_a_header_only_sheet_says_it_has_no_rows(tmp_path: Path) -> None:
    path = book(tmp_path / "empty.xlsx", {"数据": {1: HEADER}})
    result = CliRunner().invoke(main, ["simulate", str(EXAMPLE / "playbook.yaml"), "--events", str(path),
                                       "--roster", str(EXAMPLE / "roster.yaml"), "--out", str(tmp_path / "out"),
                                       "--lang", "en"])
    assert result.exit_code == 2
    assert f"{path} has no rows: no events to simulate" in result.output


# --- simulate on a workbook ------------------------------------------------------------------------


def example_book(path: Path, bad: dict[int, str] | None = None, first_row: int = 1) -> Path:
    """docs/examples/simulate's events in the sheet 事件 (after a sheet 说明), the header at
    `first_row`; `bad`: Excel row → a ts written instead."""
    with (EXAMPLE / "events.csv").open(encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    sheet: dict[int, list[Any]] = {}
    for offset, cells in enumerate(table):
        number = first_row + offset
        written: list[Any] = [cell or None for cell in cells]
        if bad and number in bad:
            written[0] = bad[number]
        sheet[number] = written
    return book(path, {"说明": {1: ["事件在下一页"]}, "事件": sheet})


def simulate(events: Path, out: Path, *extra: str, lang: str = "en") -> tuple[int, str]:
    result = CliRunner().invoke(main, ["simulate", str(EXAMPLE / "playbook.yaml"), "--events", str(events),
                                       "--roster", str(EXAMPLE / "roster.yaml"), "--out", str(out), *extra,
                                       "--lang", lang], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_simulate_reports_a_workbooks_bad_rows_as_file_sheet_row(tmp_path: Path) -> None:
    path = example_book(tmp_path / "events.xlsx", bad={4: "2027-13-01 10:00:00", 9: "昨天"})
    code, output = simulate(path, tmp_path / "out", "--sheet", "事件")
    assert code == 1, output
    lines = output.splitlines()
    assert f"{path}:事件:4: ts: ts is not a timestamp (write 2027-01-04 20:00:00, or with an offset +08:00) " \
           "('2027-13-01 10:00:00')" in lines
    assert any(line.startswith(f"{path}:事件:9: ts: ") and line.endswith("('昨天')") for line in lines), output
    assert "2 of 16 rows have problems; nothing was simulated." in output
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def playbook() -> Any:
    from qunce.validation import checked_playbook

    loaded, _ = checked_playbook(EXAMPLE / "playbook.yaml")
    assert loaded is not None
    return loaded


def test_the_data_check_reads_the_sheet_a_mapping_beside_the_events_names(playbook: Any, tmp_path: Path) -> None:
    from qunce.commands.data import DataCheck, DataRequest, load

    path = example_book(tmp_path / "events.xlsx", bad={4: "2027-13-01 10:00:00"})
    (tmp_path / "events.mapping.yaml").write_text("sheet: 事件\n", encoding="utf-8")
    check = DataCheck()
    assert load(playbook, DataRequest(path, EXAMPLE / "roster.yaml", skip_bad_rows=True), check) is not None
    assert check.mapping is not None and check.mapping.shown == str(tmp_path / "events.mapping.yaml")
    assert check.rows_in == f"{path}:事件"
    assert [(p["row"], p["column"], p["reason"]) for p in check.problems] == [(4, "ts", "bad_ts")]
    assert (check.rows["read"], check.rows["accepted"], check.rows["rejected"]) == (16, 15, 1)
    source = check.rows["source"]
    assert (source["format"], source["sheet"], source["header_row"], source["blank_rows"]) == ("xlsx", "事件", 1, 0)
    assert source["mapping"] == str(tmp_path / "events.mapping.yaml")
    assert source["columns"]["ts"] == "ts" and source["ignored"] == []


def test_the_data_checks_sheet_option_beats_the_mappings(playbook: Any, tmp_path: Path) -> None:
    from qunce.commands.data import DataCheck, DataRequest, load

    path = example_book(tmp_path / "events.xlsx")
    (tmp_path / "events.mapping.yaml").write_text("sheet: 没有这页\n", encoding="utf-8")
    check = DataCheck()
    assert load(playbook, DataRequest(path, EXAMPLE / "roster.yaml", sheet="事件"), check) is not None
    assert check.rows["source"]["sheet"] == "事件" and check.rows["accepted"] == 16
    with pytest.raises(InputError, match="no sheet named '没有这页'; its sheets are 说明, 事件"):
        load(playbook, DataRequest(path, EXAMPLE / "roster.yaml"), DataCheck())


PLAYBOOK = str(EXAMPLE / "playbook.yaml")
COMMANDS = {
    "simulate": ["simulate", PLAYBOOK, "--out", "{out}"],
    "explain": ["explain", PLAYBOOK, "--member", "m1"],
    "diff": ["diff", PLAYBOOK, PLAYBOOK],
    "tasks": ["tasks", PLAYBOOK, "--from", "2027-01-01", "--to", "2027-01-05"],
}


@pytest.fixture(scope="module")
def bad_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_book(tmp_path_factory.mktemp("bad-book") / "events.xlsx", bad={4: "2027-13-01 10:00:00"})


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_reading_events_takes_sheet_and_names_bad_rows_by_sheet(command: str, bad_book: Path,
                                                                            tmp_path: Path) -> None:
    args = [a.format(out=tmp_path / "out") for a in COMMANDS[command]]
    data = ["--events", str(bad_book), "--roster", str(EXAMPLE / "roster.yaml"), "--lang", "en"]
    result = CliRunner().invoke(main, [*args, *data, "--sheet", "事件"], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert f"{bad_book}:事件:4: ts: ts is not a timestamp" in result.output
    result = CliRunner().invoke(main, [*args, *data, "--sheet", "三月"])
    assert result.exit_code == 2
    assert f"{bad_book}: no sheet named '三月'; its sheets are 说明, 事件" in result.output


@pytest.mark.parametrize("command", ["simulate", "tasks"])
def test_a_broken_mapping_option_stops_the_command_with_its_findings(command: str, bad_book: Path,
                                                                     tmp_path: Path) -> None:
    mapping_file = tmp_path / "ours.yaml"
    mapping_file.write_text("sheet: 事件\nfoo: 2\n", encoding="utf-8")
    args = [a.format(out=tmp_path / "out") for a in COMMANDS[command]]
    result = CliRunner().invoke(main, [*args, "--events", str(bad_book), "--roster", str(EXAMPLE / "roster.yaml"),
                                       "--mapping", str(mapping_file), "--lang", "en"])
    assert result.exit_code == 1
    assert f"{mapping_file}:2:1: error Q101" in result.stderr
    assert "unknown key 'foo' in the mapping file" in result.stderr
    result = CliRunner().invoke(main, [*args, "--events", str(bad_book), "--roster", str(EXAMPLE / "roster.yaml"),
                                       "--mapping", str(tmp_path / "none.yaml"), "--lang", "en"])
    assert result.exit_code == 2
    assert f"--mapping {tmp_path / 'none.yaml'}: no such file" in result.output
