"""The roster's three tables as a team saves them: CSV files (in a folder) in the encodings Excel
writes, or the sheets of one workbook; their rows as text, numbered as the file or sheet numbers
them, and their headers in English or Chinese.

Names accepted (letters in any case, spaces and full-width forms ignored):

| table | file in a folder | sheet in a workbook |
|---|---|---|
| groups | groups.csv or 群.csv | groups or 群 |
| staff | staff.csv or 员工.csv | staff or 员工 |
| assignments | assignments.csv or 分工.csv | assignments or 分工 |

A file may end in .csv, .tsv or .txt (Excel's "Unicode text" is a tab-separated .txt); commas or
tabs between values, whichever the header uses. Chinese headers: `CHINESE_COLUMNS`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, Span, diag
from ..errors import first_line
from ..source.compose import display_name
from .headers import normal
from .text_encoding import TextError, decode_text, detect
from .value_forms import SERIAL_MAX

TABLES = ("groups", "staff", "assignments")
TABLE_NAMES = {"groups": ("groups", "群"), "staff": ("staff", "员工"), "assignments": ("assignments", "分工")}
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
# The columns' Chinese names, as written in the docs (looked up as `header_key` writes them).
CHINESE_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "groups": {"id": ("群ID", "群聊ID"), "name": ("群名", "群名称"), "type": ("群类型",),
               "created_at": ("建群日期", "建群时间", "创建时间"), "ended_at": ("解散日期", "解散时间"),
               "initial_members": ("初始人数", "初始成员数")},
    "staff": {"id": ("员工ID", "成员ID"), "name": ("姓名", "员工姓名")},
    "assignments": {"staff_id": ("员工ID",), "role": ("角色",), "group_id": ("群ID", "群聊ID"), "from": ("开始日期",),
                    "to": ("结束日期",)},
}
DATE_COLUMNS = frozenset({"created_at", "ended_at", "from", "to"})
# The rows searched for the header (rows above it, a title, are skipped).
HEADER_SEARCH_ROWS = 10
# Excel's day 0 for its serial numbers (value_forms says why it is not 1899-12-31).
EXCEL_EPOCH = dt.date(1899, 12, 30)

_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})日")
_TIME = re.compile(r"(?:[T\s]\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_SERIAL = re.compile(r"\d+(?:\.\d+)?")
# Line breaks the diagnostics' text renderer counts that the roster does not: a text holding one
# is not kept for source frames (the frame would show another line).
_OTHER_BREAKS = re.compile("\r(?!\n)|[\x85\u2028\u2029]")

Cells = list[str | None]


@dataclass(slots=True)
class Sheet:
    """One table as read: its rows (number as the file or sheet shows it, cells as text, None
    for empty), the first row the header's."""

    table: str
    shown: str  # the file (and sheet) findings name: "roster/群.csv", "roster.xlsx:groups"
    described: str  # the same in words: "groups.csv", "sheet groups"
    rows: list[tuple[int, Cells]] = field(default_factory=list)
    serials: bool = False  # a number in a date column is a date (Excel's serial number)
    text: str | None = None  # the decoded CSV, for source frames under findings


def header_key(cell: str) -> str:
    """A header cell as looked up: as the event files' (no spaces, lower case), full-width
    letters narrowed too (群ＩＤ)."""
    return normal(unicodedata.normalize("NFKC", cell))


_ALIASES = {table: {header_key(alias): column for column, aliases in columns.items() for alias in aliases}
            for table, columns in CHINESE_COLUMNS.items()}


def column_of(table: str, cell: str, columns: tuple[str, ...]) -> str | None:
    """The roster column a header cell names (`columns`: the table's, in English), or None."""
    key = header_key(cell)
    return key if key in columns else _ALIASES[table].get(key)


def roster_date(text: str, serials: bool) -> dt.date | None:
    """The date a cell means: ISO (2027-01-04), as Excel writes it in text (2027/1/4, 2027.1.4,
    2027年1月4日), any of them with a time of day after it (the day is kept), or, in a workbook,
    Excel's serial number (46391); None when it is none of them or no day of the calendar."""
    value = text.strip()
    found = _DATE.match(value)
    if found and _TIME.fullmatch(value, found.end()):
        year, month, day = (found.group(1), found.group(3), found.group(4)) if found.group(1) else found.group(5, 6, 7)
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            return None
    if serials and _SERIAL.fullmatch(value) and 1 <= float(value) <= SERIAL_MAX:
        return EXCEL_EPOCH + dt.timedelta(days=int(float(value)))
    return None


def date_shaped(text: str) -> bool:
    """Whether a cell is written as a date (2027/13/1 is, and is no day)."""
    value = text.strip()
    found = _DATE.match(value)
    return bool(found and _TIME.fullmatch(value, found.end()))


def csv_sheets(folder: Path, encoding: str | None, found: list[Diagnostic]) -> list[Sheet]:
    """The folder's three tables; what is missing or unreadable is a finding in `found`."""
    files: dict[str, list[Path]] = {table: [] for table in TABLES}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.suffix.lower() in CSV_SUFFIXES and path.is_file():
            for table, names in TABLE_NAMES.items():
                if header_key(path.stem) in names:
                    files[table].append(path)
    sheets = []
    for table in TABLES:
        english, chinese = TABLE_NAMES[table]
        if not files[table]:
            found.append(diag("Q901", Span(display_name(folder), 1, 1), detail={
                "en": f"the roster folder has no {english}.csv (or {chinese}.csv)",
                "zh": f"花名册目录中没有 {english}.csv（或 {chinese}.csv）"}))
            continue
        if len(files[table]) > 1:
            both = [p.name for p in files[table]]
            found.append(diag("Q901", Span(display_name(folder), 1, 1), detail={
                "en": f"the roster folder has both {' and '.join(both)}: keep one",
                "zh": f"花名册目录中同时有 {' 和 '.join(both)}：请只保留一个"}))
            continue
        sheet = _csv_sheet(table, files[table][0], encoding, found)
        if sheet is not None:
            sheets.append(sheet)
    return sheets


def _csv_sheet(table: str, path: Path, encoding: str | None, found: list[Diagnostic]) -> Sheet | None:
    shown = display_name(path)
    try:
        data = path.read_bytes()
        text = decode_text(data, shown, detect(path, shown, encoding))
    except TextError as exc:
        found.append(diag("Q007", Span(shown, exc.line, 1), detail={"en": exc.detail, "zh": exc.detail_zh}))
        return None
    except OSError as exc:
        found.append(diag("Q007", Span(shown, 1, 1), detail=exc.strerror or str(exc)))
        return None
    sheet = Sheet(table, shown, path.name, text=None if _OTHER_BREAKS.search(text) else text)
    # Tabs or commas, whichever the first lines (the header, a title above it) hold more of.
    head = "\n".join(text[:1 << 16].split("\n")[:HEADER_SEARCH_ROWS])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if head.count("\t") > head.count(",") else ",")
    try:
        while True:
            start = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            sheet.rows.append((start, [cell if cell.strip() else None for cell in row]))
    except csv.Error as exc:
        found.append(diag("Q007", Span(shown, reader.line_num, 1), detail={
            "en": f"line {reader.line_num}: {exc}", "zh": f"第 {reader.line_num} 行：{exc}"}))
        return None
    return sheet


def workbook_sheets(path: Path, found: list[Diagnostic]) -> list[Sheet]:
    """The workbook's three sheets, every cell as text (fastexcel: calamine, in Rust), rows
    numbered as the sheet shows them; what is missing or unreadable is a finding in `found`."""
    import fastexcel

    shown = display_name(path)
    try:
        reader = fastexcel.read_excel(path)
        names = list(reader.sheet_names)
    except fastexcel.FastExcelError as exc:
        found.append(diag("Q007", Span(shown, 1, 1), detail={
            "en": f"cannot read the workbook: {first_line(exc)}", "zh": f"无法读取工作簿：{first_line(exc)}"}))
        return []
    sheets = []
    for table in TABLES:
        english, chinese = TABLE_NAMES[table]
        matching = [name for name in names if header_key(name) in (english, chinese)]
        if len(matching) != 1:
            has = ", ".join(names) or "none"
            found.append(diag("Q901", Span(shown, 1, 1), detail={
                "en": f"the workbook has no sheet {english} (or {chinese}); its sheets: {has}" if not matching else
                      f"the workbook has both sheets {' and '.join(matching)}: keep one",
                "zh": f"工作簿中没有工作表 {english}（或 {chinese}）；现有工作表：{'、'.join(names) or '无'}" if not matching
                      else f"工作簿中同时有工作表 {' 和 '.join(matching)}：请只保留一个"}))
            continue
        # header_row=None and skip_rows=0: from the sheet's row 1, empty rows above the first used
        # one included (by default fastexcel starts at the first used row), so row i is row i + 1.
        try:
            batch = reader.load_sheet(matching[0], header_row=None, skip_rows=0, dtypes="string").to_arrow()
        except fastexcel.FastExcelError as exc:
            found.append(diag("Q007", Span(f"{shown}:{matching[0]}", 1, 1), detail={
                "en": f"cannot read sheet {matching[0]}: {first_line(exc)}",
                "zh": f"无法读取工作表 {matching[0]}：{first_line(exc)}"}))
            continue
        columns = [column.to_pylist() for column in batch.columns]
        sheet = Sheet(table, f"{shown}:{matching[0]}", f"sheet {matching[0]}", serials=True)
        for index in range(batch.num_rows):
            cells: Cells = [_cell(column[index]) for column in columns]
            sheet.rows.append((index + 1, cells))
        sheets.append(sheet)
    return sheets


def _cell(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None
