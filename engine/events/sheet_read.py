"""A sheet of a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods) as an event table: every cell as text,
numbered with the sheet's own row numbers, an Arrow table DuckDB reads in place.

fastexcel (calamine, in Rust) reads the sheet straight into Arrow: a date cell comes as
`2027-01-04 09:05:00`, a number as `12.5`, text as it is. calamine holds the whole sheet while it
reads it (it has no streaming reader); a sheet has at most 1,048,576 rows, and calamine's cells
are released as soon as the Arrow table is built, so a run's peak is the larger of the sheet
and the simulation. Measured (bench/ingest_formats.py, 1M rows of 15 columns, the most a
sheet holds): calamine peaks at ~810 MB for a 33 MB workbook (about 45 bytes a cell), the Arrow
table is 104 MB; the ingest's peak is ~540 MB above the same events' Parquet ingest.

Asked for no header and no rows to skip, fastexcel gives every row from the sheet's row 1, so
row numbers are the ones Excel shows; the header row is then found (the first row holding a
value) or given (the mapping's `header_row`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, first_line

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
UNNAMED = "__UNNAMED__"  # what fastexcel calls a column whose header cell is empty


@dataclass(frozen=True, slots=True)
class Sheet:
    """A sheet read: the name, the header's row (as Excel numbers rows), the rows read and kept."""

    name: str
    header_row: int
    rows: int
    blank_rows: int


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def read_sheet(path: Path, shown: str, sheet: str | None, header_row: int = 1) -> tuple[Any, Sheet]:
    """The sheet (`sheet`, else the first) as an Arrow table: its columns as text, and `_row`,
    each row's number in the sheet; and what was read. The header is `header_row`, or (1, the
    default) the first row holding a value. Rows with no value at all are left out (and counted)."""
    import fastexcel
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

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
    try:
        # Every row from the sheet's row 1 (no header: the cells as they are), so that row i is
        # the sheet's row i + 1. Eager: straight into Arrow. Cells holding only spaces are empty.
        grid = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string", whitespace_as_null=True,
                                 eager=True)
    except Exception as exc:
        raise InputError(f"{shown}: sheet '{name}': cannot read it: {first_line(exc)}",
                         f"{shown}：工作表「{name}」无法读取：{first_line(exc)}") from None
    used = _any_value(grid, pc)
    first = _first_true(used, pc)
    if first < 0:
        raise InputError(f"{shown}: sheet '{name}' is empty: it needs a header row, then one event a row",
                         f"{shown}：工作表「{name}」是空的：第一行应为表头，其后每行一个事件")
    if header_row == 1:  # the header is the first row with values, unless the mapping says otherwise
        header_row = first + 1
    if header_row > grid.num_rows:
        raise InputError(f"{shown}: sheet '{name}' has {grid.num_rows} rows: there is no header row {header_row}",
                         f"{shown}：工作表「{name}」只有 {grid.num_rows} 行，没有第 {header_row} 行作表头")
    if not used[header_row - 1].as_py():
        raise InputError(f"{shown}: sheet '{name}': row {header_row} is empty, the first row with values is {first + 1}; "
                         "the header row is the row with the column names",
                         f"{shown}：工作表「{name}」第 {header_row} 行是空的，第一个有值的行是第 {first + 1} 行；表头行应是写有列名的那一行")
    headers = [grid.column(i)[header_row - 1].as_py() for i in range(grid.num_columns)]
    rows = grid.slice(header_row)
    kept_mask = used.slice(header_row)
    columns = _columns(rows, headers, shown, name, header_row, functools.partial(_first_column, reader, name))
    del reader, grid
    numbers = np.arange(header_row + 1, header_row + 1 + rows.num_rows, dtype=np.int64)  # a Python range: 0.1 s a million
    table = pa.table({**columns, "_row": pa.array(numbers)})
    kept = table.filter(kept_mask) if kept_mask.false_count else table
    # In row groups of DuckDB's vector size × 60, as a Parquet file would be: DuckDB scans an Arrow
    # table one batch per thread, and a sheet comes as one batch.
    kept = pa.Table.from_batches(kept.to_batches(max_chunksize=122_880), kept.schema)
    return kept, Sheet(name, header_row, kept.num_rows, table.num_rows - kept.num_rows)


def _any_value(grid: Any, pc: Any) -> Any:
    """Per row: whether any cell holds a value."""
    import pyarrow as pa

    if not grid.num_columns:
        return pa.array([], pa.bool_())
    found = pc.is_valid(grid.column(0))
    for i in range(1, grid.num_columns):
        found = pc.or_(found, pc.is_valid(grid.column(i)))
    return found


def _first_true(used: Any, pc: Any) -> int:
    """The first row holding a value (-1: none), looked for in the first rows first (a full
    `index` costs 0.15 s a million rows; the header is nearly always near the top)."""
    for part in (used.slice(0, 1000), used):
        found = int(pc.index(part, True).as_py()) if len(part) else -1
        if found >= 0:
            return found
    return -1


def _columns(rows: Any, headers: list[str | None], shown: str, sheet: str, header_row: int,
             first_column: Any) -> dict[str, Any]:
    """The data's columns by their header. A column with neither a header nor a value is left out;
    one with values under an empty header, or a header written twice, cannot be read: say which
    column, by its letter (`first_column()`: the sheet's first used column)."""
    columns: dict[str, Any] = {}
    for index, header in enumerate(headers):
        values = rows.column(index)
        text = (header or "").strip()
        if not text:
            if values.null_count == len(values):
                continue
            letter = column_letter(index + first_column())
            raise InputError(f"{shown}: sheet '{sheet}': column {letter} has values but no name in the header row "
                             f"({header_row}): name it or delete the column",
                             f"{shown}：工作表「{sheet}」的 {letter} 列有数据，但表头行（第 {header_row} 行）没有列名：请补上列名或删除该列")
        if text in columns:
            letter = column_letter(index + first_column())
            raise InputError(f"{shown}: sheet '{sheet}': the header '{text}' is written twice (the second time in "
                             f"column {letter}, row {header_row}): rename or delete one of them",
                             f"{shown}：工作表「{sheet}」的表头「{text}」出现了两次（第二次在 {letter} 列，第 {header_row} 行）："
                             "请重命名或删除其中一列")
        columns[text] = values
    return columns


def _first_column(reader: Any, sheet: str) -> int:
    """The sheet's first used column (0 = A): fastexcel starts a sheet's columns there, and knows
    each one's place in the sheet."""
    columns = reader.load_sheet(sheet, header_row=None, n_rows=0).available_columns()
    return min((c.absolute_index - c.index for c in columns), default=0)


def column_letter(index: int) -> str:
    """A column's letters as Excel shows them (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
