"""`qunce events inspect FILE` end to end: what it prints for a workbook and for a CSV with Chinese
headers and labels (in both languages), unknown and missing columns, bad rows, --roster, mapping
files found beside the file or broken, and the exit status of each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qunce.cli import main

pytest.importorskip("ibis")
xlsxwriter = pytest.importorskip("xlsxwriter")

ROOT = Path(__file__).resolve().parents[2]
ROSTER = ROOT / "docs" / "examples" / "simulate" / "roster.yaml"  # groups g1 and g2, created 2027-01-01
NO_ROSTER_EN = "Groups and dates were not checked: pass --roster to check them too."
NO_ROSTER_ZH = "未检查群与日期：加 --roster 可一并检查。"


def inspect(*args: str | Path, lang: str = "en") -> tuple[int, str, str]:
    """(exit status, stdout, stderr); a wide terminal, so that no table cell wraps."""
    result = CliRunner().invoke(main, ["events", "inspect", *map(str, args), "--lang", lang],
                                env={"COLUMNS": "240"})
    return result.exit_code, result.stdout, result.stderr


def cells(output: str) -> list[list[str]]:
    """The rows of every table printed: each row's cells, stripped."""
    return [[cell.strip() for cell in line.strip().strip("│").split("│")]
            for line in output.splitlines() if line.startswith("│")]


def lines(output: str) -> list[str]:
    return [line.rstrip() for line in output.splitlines()]


def book(path: Path, sheets: dict[str, dict[int, list[Any]]]) -> Path:
    """A workbook: sheet → {Excel row number: cells from column A}; datetimes as date cells."""
    workbook = xlsxwriter.Workbook(str(path))
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for number, row in rows.items():
            for column, value in enumerate(row):
                if isinstance(value, dt.datetime):
                    sheet.write_datetime(number - 1, column, value, when)
                elif isinstance(value, int | float):
                    sheet.write_number(number - 1, column, value)
                elif value is not None:
                    sheet.write_string(number - 1, column, value)
    workbook.close()
    return path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


CHINESE_CSV = ("时间,类型,群 ID,客户ID,金额\n"
               "2027/1/4 9:05,入群,g1,m1,\n"
               '2027年1月4日 10:00,下单,g1,m1,"¥1,308.90"\n'
               "2027-01-05 10:00:00,被移出,g1,m1,\n")


# --- clean files -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return book(tmp_path_factory.mktemp("inspect") / "一月.xlsx", {
        "说明": {1: ["导出说明：事件在「事件」页"]},
        "事件": {
            1: ["时间", "类型", "群ID", "成员ID", "金额"],
            2: [dt.datetime(2027, 1, 4, 9, 5), "入群", "g1", "m1", None],
            4: [46391.420138888889, "下单", "g1", "m1", 19.9],  # a serial: 2027-01-04 10:05; row 3 blank
            5: ["2027年1月5日 08:00", "退群", "g1", "m1", None],
        },
    })


def test_a_workbook_in_english(workbook: Path) -> None:
    code, out, _ = inspect(workbook, "--sheet", "事件")
    assert code == 0, out
    shown = lines(out)
    assert shown[0] == f"{workbook}: XLSX, sheet 事件, blank rows left out 1, no mapping file"
    table = cells(out)
    assert table[:5] == [["时间", "ts", "a common header"], ["类型", "type", "a common header"],
                         ["群ID", "group_id", "a common header"], ["成员ID", "member_id", "a common header"],
                         ["金额", "amount", "a common header"]]
    assert table[5:8] == [["2", "2027-01-04 09:05:00", "join", "g1", "m1", "", ""],
                          ["4", "2027-01-04 10:05:00", "order", "g1", "m1", "19.90", ""],
                          ["5", "2027-01-05 08:00:00", "leave", "g1", "m1", "", ""]]
    assert "The first 3 rows as they would be read" in shown
    assert "3 rows read: 3 without problems, 0 with problems" in shown
    assert shown[-1] == NO_ROSTER_EN


def test_a_workbook_in_chinese(workbook: Path) -> None:
    code, out, _ = inspect(workbook, "--sheet", "事件", lang="zh")
    assert code == 0, out
    shown = lines(out)
    assert shown[0] == f"{workbook}：XLSX，工作表 事件，跳过的空行 1，无映射文件"
    assert ["时间", "ts", "常用表头"] in cells(out)
    assert "前 3 行的读取结果" in shown
    assert "共读取 3 行：3 行无问题，0 行有问题" in shown
    assert shown[-1] == NO_ROSTER_ZH


def test_a_workbooks_first_sheet_is_inspected_by_default_and_an_unknown_sheet_is_refused(workbook: Path) -> None:
    code, out, err = inspect(workbook)  # 说明, which is no event table
    assert code != 0
    assert "missing column(s) ts, type, group_id" in (out + err).lower()
    code, out, err = inspect(workbook, "--sheet", "二月")
    assert code == 2
    assert f"{workbook}: no sheet named '二月'; its sheets are 说明, 事件: pass --sheet NAME" in out + err


@pytest.fixture(scope="module")
def chinese_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("inspect") / "导出.csv", CHINESE_CSV)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_csv_with_chinese_headers_and_labels(chinese_csv: Path, lang: str) -> None:
    code, out, _ = inspect(chinese_csv, lang=lang)
    assert code == 0, out
    shown = lines(out)
    if lang == "en":
        assert shown[0] == f"{chinese_csv}: CSV, UTF-8, no mapping file"
        alias, count, note = "a common header", "3 rows read: 3 without problems, 0 with problems", NO_ROSTER_EN
        header = ["row", "ts", "type", "group_id", "member_id", "amount", "removed", "problems"]
    else:
        assert shown[0] == f"{chinese_csv}：CSV，UTF-8，无映射文件"
        alias, count, note = "常用表头", "共读取 3 行：3 行无问题，0 行有问题", NO_ROSTER_ZH
        header = ["行", "ts", "type", "group_id", "member_id", "amount", "removed", "问题"]
    table = cells(out)
    assert table[:5] == [["时间", "ts", alias], ["类型", "type", alias], ["群 ID", "group_id", alias],
                         ["客户ID", "member_id", alias], ["金额", "amount", alias]]
    assert table[5:8] == [["2", "2027-01-04 09:05:00", "join", "g1", "m1", "", "False", ""],
                          ["3", "2027-01-04 10:00:00", "order", "g1", "m1", "1308.90", "False", ""],
                          ["4", "2027-01-05 10:00:00", "leave", "g1", "m1", "", "True", ""]]
    assert any(line.replace(" ", "").replace("┃", "|") == "|" + "|".join(header) + "|" for line in shown), out
    assert count in shown and shown[-1] == note


def test_the_encoding_and_how_it_was_known_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(CHINESE_CSV.replace("¥", "￥").encode("gbk"))  # Excel's "CSV" on Chinese Windows
    code, out, _ = inspect(path)
    assert code == 0, out
    assert lines(out)[0] == f"{path}: CSV, GBK (detected), no mapping file"
    assert ["3", "2027-01-04 10:00:00", "order", "g1", "m1", "1308.90", "False", ""] in cells(out)
    code, out, _ = inspect(path, "--encoding", "gbk")
    assert code == 0 and lines(out)[0] == f"{path}: CSV, GBK (--encoding), no mapping file"


def test_the_chinese_format_line_uses_full_width_parentheses(tmp_path: Path) -> None:
    """BUG (terminal/events_inspect.py:91): how the encoding was known is put in ASCII
    parentheses in Chinese too (`GBK (自动识别)`); docs/architecture.md: Chinese uses full-width
    punctuation. Fix: `（…）` without the space when lang == "zh"."""
    path = tmp_path / "gbk.csv"
    path.write_bytes(CHINESE_CSV.replace("¥", "￥").encode("gbk"))
    code, out, _ = inspect(path, lang="zh")
    assert code == 0, out
    assert lines(out)[0] == f"{path}：CSV，GBK（自动识别），无映射文件"


def test_rows_limits_the_preview(chinese_csv: Path) -> None:
    code, out, _ = inspect(chinese_csv, "--rows", "1")
    assert code == 0
    assert "The first row as it would be read" in lines(out)
    assert [row[0] for row in cells(out)[5:]] == ["2"]
    assert "3 rows read: 3 without problems, 0 with problems" in lines(out)


# --- columns ---------------------------------------------------------------------------------------


def test_an_unknown_column_is_shown_as_unknown_and_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", "时间,类型,群ID,成员ID,备注\n2027/1/4 9:05,入群,g1,m1,老客户\n")
    code, out, _ = inspect(path)
    assert code == 1
    table = cells(out)
    assert ["备注", "—", "unknown: name it in a mapping file"] in table
    assert ["群ID", "group_id", "a common header"] in table
    assert "1 rows read: 1 without problems, 0 with problems" in lines(out)
    code, out, _ = inspect(path, lang="zh")
    assert code == 1 and ["备注", "—", "未知：请在映射文件中说明"] in cells(out)


def test_a_missing_required_column_exits_1_with_the_message(tmp_path: Path) -> None:
    """BUG (events/ingest.py:197): `read_source` raises "missing column(s)" even when not strict,
    so `qunce events inspect` exits 2 with that one line, and its own handling (the column table,
    then the missing columns, exit 1: commands/events_inspect.py:90-93) never runs. Fix: raise
    there only when `strict` (the select already reads a missing column as NULL)."""
    path = write(tmp_path / "e.csv", "时间,成员ID\n2027/1/4 9:05,m1\n")
    code, out, err = inspect(path)
    assert code == 1, out + err
    assert ["时间", "ts", "a common header"] in cells(out)
    assert ("Missing column(s) type, group_id: the file cannot be read as events until a column is read as each"
            in lines(out))
    code, out, err = inspect(path, lang="zh")
    assert code == 1 and "缺少列 type, group_id：需要有列读作它们，才能作为事件读取" in lines(out)


# --- bad rows and the roster -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bad_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("inspect") / "bad.csv",
                 "ts,type,group_id,member_id,amount\n"
                 "2027-13-04 09:05:00,join,g1,m1,\n"
                 '2027-01-04 09:05:00,order,g1,m1,"1,23"\n'
                 "2027-01-04 09:05:00,party,g9,m1,\n"
                 "2027-01-04 09:06:00,join,g1,m2,\n")


def test_bad_rows_exit_1_with_the_reasons_and_file_row_lines(bad_csv: Path) -> None:
    code, out, _ = inspect(bad_csv)
    assert code == 1
    shown = lines(out)
    assert "4 rows read: 1 without problems, 3 with problems" in shown
    table = cells(out)
    assert ["amount is not a number", "amount", "1"] in table
    assert ["type is not an event type", "type", "1"] in table
    assert ["2", "", "join", "g1", "m1", "ts is not a timestamp (write 2027-01-04 20:00:00, or with an offset "
            "+08:00)"] in table
    assert f"{bad_csv}:2: ts: ts is not a timestamp (write 2027-01-04 20:00:00, or with an offset +08:00) " \
           "('2027-13-04 09:05:00')" in shown
    assert f"{bad_csv}:3: amount: amount is not a number ('1,23')" in shown
    assert f"{bad_csv}:4: type: type is not an event type ('party')" in shown
    assert not any("not in the roster" in line for line in shown)  # no roster: groups not checked
    assert shown[-1] == NO_ROSTER_EN


def test_with_the_roster_unknown_groups_are_found_too(bad_csv: Path) -> None:
    code, out, _ = inspect(bad_csv, "--roster", ROSTER)
    assert code == 1
    shown = lines(out)
    assert f"{bad_csv}:4: group_id: group_id is not in the roster ('g9')" in shown
    assert ["group_id is not in the roster", "group_id", "1"] in cells(out)
    assert NO_ROSTER_EN not in shown


def test_with_the_roster_dates_before_a_group_are_found(tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", "ts,type,group_id,member_id\n2026-12-31 09:00:00,join,g1,m1\n"
                                     "2027-01-02 09:00:00,join,g2,m2\n")
    assert inspect(path)[0] == 0
    code, out, _ = inspect(path, "--roster", ROSTER, lang="zh")
    assert code == 1
    assert any(line.startswith(f"{path}:2: ts: ") for line in lines(out)), out
    assert "共读取 2 行：1 行无问题，1 行有问题" in lines(out)


def test_a_roster_with_findings_is_reported(tmp_path: Path) -> None:
    roster = write(tmp_path / "roster.yaml", ROSTER.read_text(encoding="utf-8").replace("group_id: g2", "group_id: g7"))
    path = write(tmp_path / "e.csv", "ts,type,group_id,member_id\n2027-01-02 09:00:00,join,g1,m1\n")
    code, _, err = inspect(path, "--roster", roster)
    assert code == 1
    assert "Q901" in err and "'g7' is not in the roster" in err


def test_a_workbooks_bad_rows_are_its_sheet_rows(tmp_path: Path) -> None:
    path = book(tmp_path / "e.xlsx", {"事件": {
        1: ["ts", "type", "group_id", "member_id"], 2: ["2027-01-04 09:00:00", "join", "g1", "m1"],
        6: ["2027-01-04 09:00:00", "party", "g1", "m2"]}})
    code, out, _ = inspect(path)
    assert code == 1
    assert lines(out)[0] == f"{path}: XLSX, sheet 事件, blank rows left out 3, no mapping file"
    assert f"{path}:6: type: type is not an event type ('party')" in lines(out)


def test_a_file_whose_rows_all_lack_a_time_is_inspected_without_a_roster(tmp_path: Path) -> None:
    """BUG (commands/events_inspect.py:141): without --roster, when no row has both a group and a
    time (a header-only file, or every time bad), the empty groups table is an `ibis.memtable`
    of empty lists, which pandas types as float64 and Arrow cannot cast to date: an internal
    error (exit 2). Fix: use `spans` as it is (an empty aggregate keeps its types), or build the
    empty table from a pyarrow table with the date schema."""
    path = write(tmp_path / "e.csv", "ts,type,group_id,member_id\nsoon,join,g1,m1\n")
    code, out, err = inspect(path)
    assert "internal error" not in out + err
    assert code == 1
    assert f"{path}:2: ts: " in out
    header_only = write(tmp_path / "h.csv", "ts,type,group_id\n")
    code, out, err = inspect(header_only)
    assert "internal error" not in out + err
    assert code == 0 and "0 rows read: 0 without problems, 0 with problems" in lines(out)


def test_a_header_only_file_with_the_roster_reads_no_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "h.csv", "ts,type,group_id\n")
    code, out, _ = inspect(path, "--roster", ROSTER)
    assert code == 0
    assert "0 rows read: 0 without problems, 0 with problems" in lines(out)


def test_a_time_past_year_9999_is_a_problem_not_an_internal_error(tmp_path: Path) -> None:
    """BUG (commands/events_inspect.py:113, and value_forms.py:92): milliseconds read as
    `unit: epoch_seconds` give a time in the year 58969; the preview's `to_pylist()` cannot make
    a Python datetime of it: "internal error … OverflowError". Fix: bound epochs to 9999-12-31
    (bad_ts, see tests/events/test_value_forms.py), and never let the preview fail on a value
    (e.g. show times as DuckDB's text)."""
    path = write(tmp_path / "e.csv", "ts,type,group_id,member_id\n1798732800,join,g1,m1\n1798732800123,join,g1,m2\n")
    write(tmp_path / "e.mapping.yaml", "time:\n  unit: epoch_seconds\n")
    code, out, err = inspect(path, "--roster", ROSTER)
    assert "internal error" not in out + err
    assert code == 1
    assert f"{path}:3: ts: " in out


# --- mapping files -----------------------------------------------------------------------------------

EXPORT = ("下单时间,动作,群,用户,备注\n"
          "2027/01/04 09:05,加入,g1,m1,x\n"
          "04.01.2027 10:00,踢出,g1,m1,y\n")
MAPPING = """\
columns:
  ts: 下单时间
  group_id: 群
  member_id: 用户
ignore: [备注]
types:
  加入: join
  踢出: {type: leave, removed: true}
time:
  format: ["%d.%m.%Y %H:%M"]
"""


def check_export_read(out: str, mapping: Path, lang: str = "en") -> None:
    table = cells(out)
    if lang == "en":
        assert ["下单时间", "ts", "the mapping file"] in table
        assert ["动作", "type", "a common header"] in table
        assert ["备注", "—", "ignored (the mapping's ignore:)"] in table
        assert lines(out)[0].endswith(f", mapping {mapping}")
    else:
        assert ["下单时间", "ts", "映射文件"] in table
        assert ["备注", "—", "忽略（映射文件 ignore:）"] in table
        assert lines(out)[0].endswith(f"，映射文件 {mapping}")
    assert ["2", "2027-01-04 09:05:00", "join", "g1", "m1", "False", ""] in table
    assert ["3", "2027-01-04 10:00:00", "leave", "g1", "m1", "True", ""] in table


def test_a_mapping_beside_the_file_is_found_and_named(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", EXPORT)
    assert inspect(path)[0] != 0  # without it: unknown and missing columns
    mapping = write(tmp_path / "x.mapping.yaml", MAPPING)
    code, out, _ = inspect(path)
    assert code == 0, out
    check_export_read(out, mapping)


def test_the_folders_events_mapping_is_found_and_named(tmp_path: Path) -> None:
    path = write(tmp_path / "二月.csv", EXPORT)
    mapping = write(tmp_path / "events.mapping.yaml", MAPPING)
    code, out, _ = inspect(path, lang="zh")
    assert code == 0, out
    check_export_read(out, mapping, "zh")


def test_the_files_own_mapping_wins_over_the_folders(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", EXPORT)
    write(tmp_path / "events.mapping.yaml", "columns:\n  ts: 没有这列\n")
    mapping = write(tmp_path / "x.mapping.yaml", MAPPING)
    code, out, _ = inspect(path)
    assert code == 0, out
    check_export_read(out, mapping)


def test_mapping_option_names_the_mapping_and_a_missing_one_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", EXPORT)
    mapping = write(tmp_path / "rules" / "ours.yaml", MAPPING)
    code, out, _ = inspect(path, "--mapping", mapping)
    assert code == 0, out
    check_export_read(out, mapping)
    code, out, err = inspect(path, "--mapping", tmp_path / "none.yaml")
    assert code == 2
    assert f"--mapping {tmp_path / 'none.yaml'}: no such file" in out + err


def test_a_workbook_with_a_title_row_and_the_mappings_sheet_and_header_row(tmp_path: Path) -> None:
    path = book(tmp_path / "x.xlsx", {
        "说明": {1: ["见下一页"]},
        "明细": {1: ["2027年1月 事件导出"], 2: ["时间", "类型", "群ID", "成员ID"],
                 3: ["2027/1/4 9:05", "入群", "g1", "m1"], 4: ["2027/1/4 9:06", "入群", "g1", "m2"]}})
    mapping = write(tmp_path / "x.mapping.yaml", "sheet: 明细\nheader_row: 2\n")
    code, out, _ = inspect(path)
    assert code == 0, out
    assert lines(out)[0] == f"{path}: XLSX, sheet 明细, header row 2, mapping {mapping}"
    assert [row[:2] for row in cells(out)[4:]] == [["3", "2027-01-04 09:05:00"], ["4", "2027-01-04 09:06:00"]]


def test_a_broken_mapping_exits_1_with_file_line_column_diagnostics(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", EXPORT)
    mapping = write(tmp_path / "x.mapping.yaml", "columns:\n  ts: 下单时间\n  grop_id: 群\ntime:\n  unit: epoch_minutes\n")
    code, out, err = inspect(path)
    assert code == 1
    assert f"{mapping}:3:3: error Q101" in err
    assert "unknown key 'grop_id' in columns; did you mean 'group_id'?" in err
    assert f"{mapping}:5:9: error Q104" in err and "'epoch_minutes' is not a unit of time" in err
    assert "Columns" not in out  # nothing was read
