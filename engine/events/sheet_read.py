"""A sheet of a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods) as an event table: every cell as text,
numbered with the sheet's own row numbers, written to Parquet for DuckDB to read.

fastexcel (calamine, in Rust) reads the sheet straight into Arrow: a date cell comes as
`2027-01-04 09:05:00`, a number as `12.5`, text as it is. calamine holds the whole sheet while it
reads it (it has no streaming reader); a sheet has at most 1,048,576 rows, and the Arrow table is
written out and released before the events are checked, so a run's peak is the larger of the
sheet and the simulation. Measured (bench/ingest_formats.py, 1M rows of 15 columns, the most a
sheet holds): calamine peaks at ~810 MB for a 33 MB workbook (about 45 bytes a cell), the Arrow
table is 104 MB; the ingest's peak is ~540 MB above the same events' Parquet ingest.

calamine starts a sheet at its first row holding a value, and fastexcel counts `header_row` from
there; the sheet's own row numbers (the ones Excel shows) need that first row: read from the
sheet's XML for .xlsx (the first bytes of the file), from calamine for the other formats.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, first_line

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
UNNAMED = "__UNNAMED__"  # what fastexcel calls a column whose header cell is empty
# A row element with its cells (a self-closing `<row r="1"/>` holds none and is not matched).
_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"[^>]*(?<!/)>(.*?)</(?:\w+:)?row>", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)\b")


@dataclass(frozen=True, slots=True)
class Sheet:
    """A sheet read: the name, the header's row (as Excel numbers rows), the rows read and kept."""

    name: str
    header_row: int
    rows: int
    blank_rows: int


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def sheet_to_parquet(path: Path, shown: str, target: Path, sheet: str | None, header_row: int = 1) -> Sheet:
    """Write the sheet (`sheet`, else the first) to `target`: its columns as text, and `_row`,
    each row's number in the sheet. Rows with no value at all are left out (and counted)."""
    import fastexcel
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        reader = fastexcel.read_excel(path)
    except Exception as exc:
        raise InputError(f"{shown}: cannot read the workbook: {first_line(exc)}; save it again from Excel (.xlsx) "
                         "and run again", f"{shown}：无法读取工作簿：{first_line(exc)}；请用 Excel 重新保存为 .xlsx 后再运行") from None
    names = list(reader.sheet_names)
    name = sheet if sheet is not None else (names[0] if names else None)
    if name is None or name not in names:
        listed = ", ".join(names) or "none"
        raise InputError(f"{shown}: no sheet named '{sheet}'; its sheets are {listed}: pass --sheet NAME",
                         f"{shown}：没有名为「{sheet}」的工作表；工作簿中的工作表为 {'、'.join(names) or '无'}：请用 --sheet 指定")
    first = _first_used_row(path, name)
    if first is None:
        raise InputError(f"{shown}: sheet '{name}' is empty: it needs a header row, then one event a row",
                         f"{shown}：工作表「{name}」是空的：第一行应为表头，其后每行一个事件")
    if header_row == 1 and first > 1:  # the header is the first row with values, unless the mapping says otherwise
        header_row = first
    if header_row < first:
        raise InputError(f"{shown}: sheet '{name}': row {header_row} is empty, the first row with values is {first}; "
                         "the header row is the row with the column names",
                         f"{shown}：工作表「{name}」第 {header_row} 行是空的，第一个有值的行是第 {first} 行；表头行应是写有列名的那一行")
    try:
        # Eager: straight into Arrow (a quarter faster at 1M rows than loading, then converting).
        # Cells holding only spaces are empty, as they look.
        table = pa.Table.from_batches([reader.load_sheet(name, header_row=header_row - first, dtypes="string",
                                                         whitespace_as_null=True, eager=True)])
    except Exception as exc:
        raise InputError(f"{shown}: sheet '{name}': cannot read it: {first_line(exc)}",
                         f"{shown}：工作表「{name}」无法读取：{first_line(exc)}") from None
    table = _named_columns(table, shown, name, header_row, reader, header_row - first)
    del reader
    numbers = pa.array(range(header_row + 1, header_row + 1 + table.num_rows), pa.int64())
    table = table.append_column("_row", numbers)
    values = [pc.is_valid(table[c]) for c in table.column_names if c != "_row"]
    kept = table
    if values:
        any_value = values[0]
        for more in values[1:]:
            any_value = pc.or_(any_value, more)
        kept = table.filter(any_value)
    pq.write_table(kept, target, compression="none")
    return Sheet(name, header_row, kept.num_rows, table.num_rows - kept.num_rows)


def _named_columns(table: Any, shown: str, sheet: str, header_row: int, reader: Any, relative_header: int) -> Any:
    """The table without its columns that have neither a header nor a value; a column with values
    under an empty header cell cannot be read as anything: say which, by its letter (`reader`,
    `relative_header`: to find the sheet's first used column)."""
    empty = [c for c in table.column_names if c.startswith(UNNAMED) and table[c].null_count == table.num_rows]
    for index, column in enumerate(table.column_names):
        if column.startswith(UNNAMED) and column not in empty:
            letter = column_letter(index + _first_column(reader, sheet, relative_header))
            raise InputError(f"{shown}: sheet '{sheet}': column {letter} has values but no name in the header row "
                             f"({header_row}): name it or delete the column",
                             f"{shown}：工作表「{sheet}」的 {letter} 列有数据，但表头行（第 {header_row} 行）没有列名：请补上列名或删除该列")
    return table.drop_columns(empty) if empty else table


def _first_column(reader: Any, sheet: str, header_row: int) -> int:
    """The sheet's first used column (0 = A): fastexcel knows each column's place in the sheet."""
    columns = reader.load_sheet(sheet, header_row=header_row, n_rows=0).available_columns()
    return min((c.absolute_index - c.index for c in columns), default=0)


def column_letter(index: int) -> str:
    """A column's letters as Excel shows them (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _first_used_row(path: Path, sheet: str) -> int | None:
    """The sheet's first row holding a value (1-based), where calamine starts it; None: empty."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        found = _first_xlsx_row(path, sheet)
        if found is not False:
            return found if isinstance(found, int) else None
    import python_calamine

    with python_calamine.CalamineWorkbook.from_path(str(path)) as workbook:
        start = workbook.get_sheet_by_name(sheet).start
    return None if start is None else start[0] + 1


def _first_xlsx_row(path: Path, sheet: str) -> int | bool | None:
    """From the sheet's XML, read as far as its first row with a value; False when the workbook's
    layout is not the usual one (calamine then says)."""
    try:
        with zipfile.ZipFile(path) as archive:
            member = _sheet_member(archive, sheet)
            if member is None:
                return False
            with archive.open(member) as xml:
                data = b""
                while chunk := xml.read(1 << 16):
                    data += chunk
                    end = data.rfind(b"</row>")
                    if end < 0:
                        if b"</sheetData>" in data or len(data) > 1 << 24:
                            break
                        continue
                    for row in _ROW.finditer(data, 0, end + len(b"</row>")):
                        if _VALUE.search(row.group(2)):
                            return int(row.group(1))
                    data = data[end + len(b"</row>"):]
                return None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False


def _sheet_member(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding the sheet named `sheet` (workbook.xml names it, its .rels file
    points to the part)."""
    import xml.etree.ElementTree as ET

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))
    ids = {s.get("name"): s.get(rel) for s in workbook.iter(f"{main}sheet")}
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    target = targets.get(ids.get(sheet))
    if not target:
        return None
    member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return member if member in archive.namelist() else None
