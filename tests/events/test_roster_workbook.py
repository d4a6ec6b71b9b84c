"""A roster workbook (`--roster roster.xlsx`): sheets groups, staff, assignments (or 群, 员工,
分工) read with fastexcel; dates as date cells, Excel serial numbers or text; findings name the
file, the sheet and the row as Excel numbers it (`roster.xlsx:群:5`)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest

xlsxwriter = pytest.importorskip("xlsxwriter")
pytest.importorskip("fastexcel")

from qunce.diagnostics.render import render  # noqa: E402
from qunce.events.roster import load_roster  # noqa: E402

SHEETS = {"groups": ["id", "name", "type", "created_at", "ended_at", "initial_members"], "staff": ["id", "name"],
          "assignments": ["staff_id", "role", "group_id", "from", "to"]}


def workbook(path: Path, sheets: dict[str, list[tuple[int, int, list[Any]]]]) -> Path:
    """Sheets of (row, column, values) runs, rows and columns from 0 as XlsxWriter counts them; a
    date or datetime is a date cell (shown as yyyy/m/d), a number a General cell."""
    book = xlsxwriter.Workbook(str(path))
    date = book.add_format({"num_format": "yyyy/m/d"})
    for name, runs in sheets.items():
        sheet = book.add_worksheet(name)
        for row, column, values in runs:
            for offset, value in enumerate(values):
                if isinstance(value, dt.date):
                    sheet.write_datetime(row, column + offset, value, date)
                elif value is not None:
                    sheet.write(row, column + offset, value)
    book.close()
    return path


def plain_roster(path: Path) -> Path:
    return workbook(path, {
        "groups": [(0, 0, SHEETS["groups"]), (1, 0, ["g1", "花漾福利1群", "traffic", dt.datetime(2027, 1, 4), None, 120]),
                   (2, 0, ["g2", "花漾会员群", "vip", dt.datetime(2027, 1, 5), dt.datetime(2027, 2, 1)])],
        "staff": [(0, 0, SHEETS["staff"]), (1, 0, ["s1", "王芳"]), (2, 0, ["s2", "李雷"])],
        "assignments": [(0, 0, SHEETS["assignments"]), (1, 0, ["s1", "owner", "g1", dt.datetime(2027, 1, 4)]),
                        (2, 0, ["s2", "admin", "g2", dt.datetime(2027, 1, 5), dt.datetime(2027, 1, 31)])],
    })


def read(roster: Any) -> tuple[list[Any], list[Any], list[Any]]:
    assert not roster.diagnostics, [(d.span, d.message("en")) for d in roster.diagnostics]
    return ([(g.id, g.name, g.type, g.created_at, g.ended_at, g.initial_members) for g in roster.groups],
            [(s.id, s.name) for s in roster.staff],
            [(a.staff_id, a.role, a.group_id, a.from_, a.to) for a in roster.assignments])


EXPECTED = ([("g1", "花漾福利1群", "traffic", dt.date(2027, 1, 4), None, 120),
             ("g2", "花漾会员群", "vip", dt.date(2027, 1, 5), dt.date(2027, 2, 1), 0)],
            [("s1", "王芳"), ("s2", "李雷")],
            [("s1", "owner", "g1", dt.date(2027, 1, 4), None), ("s2", "admin", "g2", dt.date(2027, 1, 5), dt.date(2027, 1, 31))])


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm", ".XLSX"])
def test_a_workbook_reads_like_the_yaml(tmp_path: Path, suffix: str) -> None:
    path = plain_roster(tmp_path / "book.xlsx").rename(tmp_path / f"roster{suffix}")
    assert read(load_roster(path)) == EXPECTED


def test_chinese_sheets_and_headers_a_title_row_serials_and_text_dates(tmp_path: Path) -> None:
    # The 群 sheet starts at B3 under a title in B1; 员工 at row 4 with rows 1-3 empty.
    path = workbook(tmp_path / "roster.xlsx", {
        "群": [(0, 1, ["群名单（2027 年 1 月）"]), (2, 1, ["群ID", "群名", "群类型", "建群日期", "解散日期", "初始人数"]),
              (3, 1, ["g1", "花漾福利1群", "traffic", 46391, None, 120]),  # a serial in a General cell
              (4, 1, ["g2", "花漾会员群", "vip", "2027年1月5日", "2027/2/1"])],
        "员工": [(3, 0, ["员工ID", "姓名"]), (4, 0, ["s1", "王芳"]), (6, 0, ["s2", "李雷"])],  # row 6 (index 5) empty
        "分工": [(0, 0, ["员工ID", "角色", "群ID", "开始日期", "结束日期"]),
               (1, 0, ["s1", "owner", "g1", dt.datetime(2027, 1, 4, 9, 30)]),  # a date cell with a time
               (2, 0, ["s2", "admin", "g2", "2027-01-05", dt.date(2027, 1, 31)])],
    })
    roster = load_roster(path)
    assert read(roster) == EXPECTED
    places = {key: (span.file.rsplit("/", 1)[-1], span.line) for key, span in roster.places.items()}
    assert places[("groups", 0)] == ("roster.xlsx:群", 4)
    assert places[("groups", 1)] == ("roster.xlsx:群", 5)
    assert places[("staff", 1)] == ("roster.xlsx:员工", 7)


def test_findings_name_the_file_the_sheet_and_the_row_excel_shows(tmp_path: Path) -> None:
    path = workbook(tmp_path / "roster.xlsx", {
        "groups": [(1, 2, SHEETS["groups"]), (2, 2, ["g1", "a", "traffic", dt.datetime(2027, 1, 4)]),
                   (4, 2, ["g2", "b", "vip", 12, "2027/2/30", "many"])],
        "staff": [(0, 0, SHEETS["staff"]), (1, 0, ["s1", "王芳"])],
        "assignments": [(0, 0, SHEETS["assignments"]), (1, 0, ["s1", "owner", "g9", 46391])],
    })
    roster = load_roster(path)
    shown = [(d.span.file.rsplit("/", 1)[-1], d.span.line, d.message("en")) for d in roster.diagnostics]
    assert shown == [
        ("roster.xlsx:groups", 5, "row 5, column ended_at: '2027/2/30' is no day of the calendar"),
    ]
    text = render("text", roster.diagnostics, roster.texts, "en")
    assert text.startswith(f"{path}:groups:5:1: error Q901 roster-invalid: row 5, column ended_at:")


def test_a_date_outside_the_years_and_cross_checks(tmp_path: Path) -> None:
    path = workbook(tmp_path / "roster.xlsx", {
        "groups": [(0, 0, SHEETS["groups"]), (1, 0, ["g1", "a", "traffic", 12, None, "many"])],
        "staff": [(0, 0, SHEETS["staff"]), (1, 0, ["s1", "王芳"])],
        "assignments": [(0, 0, SHEETS["assignments"]), (1, 0, ["s1", "owner", "g9", 46391])],
    })
    found = load_roster(path).diagnostics
    assert [(d.span.file.rsplit("/", 1)[-1], d.span.line) for d in found] == [("roster.xlsx:groups", 2)] * 2
    assert [d.message("en") for d in found] == [
        "row 2, column created_at: 1900-01-11 is outside the years 2000–2100",
        "row 2, column initial_members: 'many' is not a whole number"]
    fixed = workbook(tmp_path / "fixed.xlsx", {
        "groups": [(0, 0, SHEETS["groups"]), (1, 0, ["g1", "a", "traffic", 46391])],
        "staff": [(0, 0, SHEETS["staff"]), (1, 0, ["s1", "王芳"])],
        "assignments": [(0, 0, SHEETS["assignments"]), (1, 0, ["s1", "owner", "g9", 46391])],
    })
    [finding] = load_roster(fixed).diagnostics
    assert (finding.span.file.rsplit("/", 1)[-1], finding.span.line) == ("fixed.xlsx:assignments", 2)
    assert finding.message("en") == "assignments: group_id 'g9' is not in the roster"


def test_numbers_as_ids_read_as_their_digits(tmp_path: Path) -> None:
    path = workbook(tmp_path / "roster.xlsx", {
        "groups": [(0, 0, SHEETS["groups"]), (1, 0, [1001, "a", "traffic", dt.datetime(2027, 1, 4)])],
        "staff": [(0, 0, SHEETS["staff"]), (1, 0, [7, "王芳"])],
        "assignments": [(0, 0, SHEETS["assignments"]), (1, 0, [7, "owner", 1001, dt.datetime(2027, 1, 4)])],
    })
    roster = load_roster(path)
    assert not roster.diagnostics
    assert (roster.groups[0].id, roster.staff[0].id, roster.assignments[0].group_id) == ("1001", "7", "1001")


def test_a_missing_sheet_names_the_sheets_there_are(tmp_path: Path) -> None:
    path = workbook(tmp_path / "roster.xlsx", {"Sheet1": [(0, 0, SHEETS["staff"])], "员工": [(0, 0, ["员工ID", "姓名"])],
                                               "群": [(0, 0, ["群ID"])], "Groups": [(0, 0, ["id"])]})
    found = load_roster(path).diagnostics
    assert [(d.span.file.rsplit("/", 1)[-1], d.span.line) for d in found] == [("roster.xlsx", 1)] * 2
    assert [d.message("en") for d in found] == [
        "the workbook has both sheets 群 and Groups: keep one",
        "the workbook has no sheet assignments (or 分工); its sheets: Sheet1, 员工, 群, Groups"]
    assert [d.message("zh") for d in found] == [
        "工作簿中同时有工作表 群 和 Groups：请只保留一个",
        "工作簿中没有工作表 assignments（或 分工）；现有工作表：Sheet1、员工、群、Groups"]


def test_an_empty_sheet_and_a_header_only_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "roster.xlsx", {"groups": [], "staff": [(0, 0, SHEETS["staff"])],
                                               "assignments": [(0, 0, SHEETS["assignments"])]})
    [finding] = load_roster(path).diagnostics
    assert finding.span.file.endswith("roster.xlsx:groups")
    assert finding.message("en") == ("sheet groups is empty: it needs its header row (id, name, type, created_at, "
                                     "ended_at, initial_members), even with no rows")
    assert finding.message("zh") == ("sheet groups 是空表：即使没有数据行，也需要表头行（id、name、type、created_at、ended_at、"
                                     "initial_members）")


def test_a_value_under_no_header(tmp_path: Path) -> None:
    path = workbook(tmp_path / "roster.xlsx", {
        "groups": [(0, 0, SHEETS["groups"])], "assignments": [(0, 0, SHEETS["assignments"])],
        "staff": [(0, 0, SHEETS["staff"]), (1, 0, ["s1", "王芳"]), (2, 0, ["s2", "李雷", None, "备注"])],
    })
    [finding] = load_roster(path).diagnostics
    assert finding.span.line == 3
    assert finding.message("en") == ("row 3 has a value ('备注') in a column the header (row 1) does not name: name the "
                                     "column or delete the value")


@pytest.mark.parametrize(("content", "words"), [(b"not a workbook", "cannot read the workbook: "), (None, "no such file")])
def test_a_workbook_that_cannot_be_read(tmp_path: Path, content: bytes | None, words: str) -> None:
    path = tmp_path / "roster.xlsx"
    if content is not None:
        path.write_bytes(content)
    [finding] = load_roster(path).diagnostics
    assert finding.code == "Q007" and words in finding.message("en")


def test_an_ods_workbook(tmp_path: Path) -> None:
    """OpenDocument (LibreOffice, WPS) through the same reader: its rows from 1 as well."""
    def table(name: str, rows: list[list[str]], blank: int = 0) -> str:
        cells = "".join(
            "<table:table-row>" + "".join(f'<table:table-cell office:value-type="string"><text:p>{v}</text:p>'
                                          "</table:table-cell>" for v in row) + "</table:table-row>" for row in rows)
        empty = f'<table:table-row table:number-rows-repeated="{blank}"><table:table-cell/></table:table-row>' if blank else ""
        return f'<table:table table:name="{name}">{empty}{cells}</table:table>'

    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
               "<office:spreadsheet>"
               + table("群", [["群ID", "群名", "群类型", "建群日期"], ["g1", "花漾福利1群", "traffic", "2027-01-04"]])
               + table("员工", [["员工ID", "姓名"], ["s1", "王芳"], ["s2", ""]], blank=2)
               + table("分工", [["员工ID", "角色", "群ID", "开始日期"]])
               + "</office:spreadsheet></office:body></office:document-content>")
    path = tmp_path / "roster.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
                         'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                         "</manifest:manifest>")
    [finding] = load_roster(path).diagnostics
    assert (finding.span.file.rsplit("/", 1)[-1], finding.span.line) == ("roster.ods:员工", 5)
    assert finding.message("en") == "row 5, column 姓名: no value; every row needs one"
    assert finding.message("zh") == "第 5 行，姓名 列：没有值；每行都需要填写"
