"""`qunce simulate --xlsx`: payouts.xlsx, the commission as finance opens it. One sheet per table:
the payouts (staff member, period), the per-staff totals over the window and every statement
line, headers and sheet names in the run's language. Money, percentages and dates are typed cells
with number formats (¥1,308.90, 85.20%, 2027-01-31), never text, so sums and filters work; a text
cell is a string cell, never a formula, so no apostrophe is needed (spreadsheet_safe is for CSV).

The tables are read from the database in Arrow batches and written in XlsxWriter's
constant_memory mode (each row is flushed to a temporary file as the next one starts): a table
of millions of lines needs no memory in proportion to it. A table longer than a sheet's rows goes
on in sheets named "… (2)", "… (3)". The same inputs give the same bytes: the document's creation
time is the window's last day, not the clock."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError, first_line
from ..simulate.outputs import stored
from .workbook_words import KINDS, SHEETS, Sheet

FILE = "payouts.xlsx"
MAX_ROWS = 1_048_576  # rows of an Excel sheet, the header's included
BATCH = 16_384
WIDEST = 60  # a column of long texts (conditions, values) is cut to this width; the cell keeps it all
EXCEL_EPOCH = 25_569  # Excel's serial number of 1970-01-01 (day 0 of Arrow's date32)
NUMBER_FORMATS = {"money": "¥#,##0.00", "exact": "¥#,##0.00####", "percent": "0.00%", "factor": "0.00##",
                  "date": "yyyy-mm-dd"}
SHOWN = {"money": lambda v: f"¥{v:,.2f}", "exact": lambda v: f"¥{v:,.6f}", "percent": lambda v: f"{v * 100:.2f}%",
         "factor": lambda v: f"{v:.4f}", "number": lambda v: f"{v:.10g}", "int": lambda v: f"{v:,.0f}"}


def width(text: str) -> int:
    """Columns a text takes on screen: a CJK (wide) character counts double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_workbook(con: Any, folder: Path, lang: str, periods: Sequence[Any], created: dt.date) -> dict[str, int]:
    """folder/payouts.xlsx from the payouts and statements stored by write_outputs (kept, then
    dropped here); `periods`: the commission's (label, first, last). Sheet name → rows."""
    import xlsxwriter
    from xlsxwriter.exceptions import XlsxWriterException

    from ..compute import keep_row_order

    path = folder / FILE
    raw = con.con  # DuckDB's own connection: the stored tables may be TEMP ones, of this connection
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(folder)})
    book.set_properties({"created": dt.datetime.combine(created, dt.time())})
    formats = {kind: book.add_format({"num_format": code}) for kind, code in NUMBER_FORMATS.items()}
    header = book.add_format({"bold": True})
    rows: dict[str, int] = {}
    # The statement lines are read in the order they were stored in, sorted (outputs.Files): sorted
    # again, millions of them would cost DuckDB memory in proportion. The small tables are sorted.
    keep_row_order(con, True)
    try:
        for sheet in SHEETS:
            table = _Table(book, sheet, lang, formats, header)
            result = raw.execute(_query(sheet, lang, periods))
            # DuckDB 1.5 named it to_arrow_reader (fetch_record_batch is deprecated); 1.4 has the old name.
            reader = result.to_arrow_reader(BATCH) if hasattr(result, "to_arrow_reader") else result.fetch_record_batch(BATCH)
            for batch in reader:
                table.add(batch)
            rows.update(table.finish())
        book.close()
    except (OSError, XlsxWriterException) as exc:  # the disk, the folder (FileCreateError): say which file
        raise InputError(f"cannot write {path}: {first_line(exc)}", f"无法写入 {path}：{first_line(exc)}") from None
    finally:
        keep_row_order(con, False)
        for name in ("payouts", "statements"):
            raw.execute(f'DROP TABLE IF EXISTS "{stored(name)}"')
    return rows


def _query(sheet: Sheet, lang: str, periods: Sequence[Any]) -> str:
    def quoted(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    dates = ", ".join(f"({quoted(p.label)}, DATE '{p.first}', DATE '{p.last}')" for p in periods) or "(NULL, NULL, NULL)"
    words = " ".join(f"WHEN {quoted(kind)} THEN {quoted(en if lang == 'en' else zh)}" for kind, (en, zh) in KINDS.items())
    source = {"payouts": f'"{stored("payouts")}" LEFT JOIN (VALUES {dates}) AS d(_period, first_day, last_day) '
                         "ON period = _period",
              "statements": f'"{stored("statements")}"'}
    columns = ", ".join(f'CASE kind {words} ELSE kind END AS kind' if c.name == "kind" else (c.sql or f'"{c.name}"')
                        for c in sheet.columns)
    grouped = f" GROUP BY {sheet.group}" if sheet.group else ""
    return f"SELECT {columns} FROM {source[sheet.source]}{grouped}" + (f" ORDER BY {sheet.order}" if sheet.order else "")


class _Table:
    """One table written over as many sheets as it needs: a bold header row, frozen, with an
    autofilter; each column as wide as its widest cell (computed on the batches, in Arrow)."""

    def __init__(self, book: Any, sheet: Sheet, lang: str, formats: dict[str, Any], header: Any) -> None:
        self.book, self.spec, self.header = book, sheet, header
        self.name = sheet.en if lang == "en" else sheet.zh
        self.titles = [c.en if lang == "en" else c.zh for c in sheet.columns]
        self.formats = [formats.get(c.kind) for c in sheet.columns]
        self.widths = [width(title) + 3 for title in self.titles]  # the filter's button
        self.sheets: list[tuple[Any, int]] = []  # (worksheet, data rows)
        self._sheet()

    def _sheet(self) -> None:
        number = len(self.sheets) + 1
        sheet = self.book.add_worksheet(self.name if number == 1 else f"{self.name} ({number})")
        for column, title in enumerate(self.titles):
            sheet.write_string(0, column, title, self.header)
        sheet.freeze_panes(1, 0)
        self.sheets.append((sheet, 0))

    def add(self, batch: Any) -> None:
        columns = [self._cells(batch.column(i), c.kind, i) for i, c in enumerate(self.spec.columns)]
        text = [c.kind == "text" for c in self.spec.columns]
        sheet, row = self.sheets[-1]
        for i in range(batch.num_rows):
            if row == MAX_ROWS - 1:
                self.sheets[-1] = (sheet, row)
                self._sheet()
                sheet, row = self.sheets[-1]
            row += 1
            for c, cells in enumerate(columns):
                value = cells[i]
                if value is None:
                    continue
                if text[c]:
                    sheet.write_string(row, c, value)
                else:
                    sheet.write_number(row, c, value, self.formats[c])
        self.sheets[-1] = (sheet, row)

    def _cells(self, column: Any, kind: str, at: int) -> list[Any]:
        import pyarrow as pa
        import pyarrow.compute as pc

        if kind == "text":
            longest = pc.max(pc.add(pc.utf8_length(column), pc.binary_length(column))).as_py()
            shown = ((longest or 0) + 1) // 2  # (characters + UTF-8 bytes) / 2: CJK counts 2, ASCII 1
        elif kind == "date":  # Excel's day numbers: added in Python (pc.add of a Python int imports pandas)
            self.widths[at] = max(self.widths[at], 11)
            return [None if day is None else day + EXCEL_EPOCH for day in column.cast(pa.int32()).to_pylist()]
        else:
            column = column.cast(pa.float64())
            ends = pc.min_max(column)
            shown = max((len(SHOWN[kind](ends[end].as_py())) for end in ("min", "max") if ends[end].is_valid),
                        default=0)
        self.widths[at] = max(self.widths[at], min(shown + 1, WIDEST))
        values: list[Any] = column.to_pylist()
        return values

    def finish(self) -> dict[str, int]:
        """Widths and autofilters, once every row is written; sheet name → data rows."""
        last = len(self.titles) - 1
        for sheet, rows in self.sheets:
            sheet.autofilter(0, 0, rows, last)
            for column, wide in enumerate(self.widths):
                sheet.set_column(column, column, wide)
        return {sheet.name: rows for sheet, rows in self.sheets}
