"""An event file as the user gave it, made into one DuckDB reads: UTF-8 CSV (or TSV), JSONL or
Parquet.

A CSV, TSV or JSONL in another encoding (GBK from Excel on Chinese Windows, Excel's "Unicode
text" in UTF-16) is copied to UTF-8 line for line (in a folder of this run's, removed when it
ends), so row N of the copy is row N of the file; a sheet of a workbook is read into an Arrow
table with the sheet's own row numbers, which DuckDB scans in place. The encoding, the sheet and the mapping used are kept, for
the summary and `qunce events inspect` to say what was read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..work_folder import work_folder
from .sheet_read import Sheet, is_workbook, read_sheet

TEXT_KINDS = {".csv": ("csv", ","), ".tsv": ("tsv", "\t"), ".txt": ("tsv", "\t"),
              ".jsonl": ("jsonl", ""), ".ndjson": ("jsonl", ""), ".json": ("jsonl", "")}
PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read an event file, from the command line or the mapping file (the command line wins)."""

    encoding: str | None = None
    sheet: str | None = None
    mapping: Any = None  # events.mapping.EventMapping, or None

    @property
    def header_row(self) -> int:
        return int(getattr(self.mapping, "header_row", 1) or 1)


@dataclass(frozen=True, slots=True)
class Source:
    """What DuckDB reads (`path`, as `reads_as`), and what it was made from."""

    original: Path
    shown: str
    kind: str  # csv | tsv | jsonl | parquet | workbook
    path: Path
    reads_as: str  # csv | jsonl | parquet | arrow (a sheet's rows, in `table`)
    separator: str = ","
    encoding: Any = None  # text_encoding.TextEncoding for text files
    sheet: Sheet | None = None
    header_row: int = 1
    table: Any = None  # a sheet's rows (pyarrow.Table with `_row`), which DuckDB reads in place

    def describe(self) -> dict[str, Any]:
        """What was read, for the summary: the format, and the encoding or the sheet."""
        described: dict[str, Any] = {"format": self.original.suffix.lower().lstrip(".") or self.kind}
        if self.encoding is not None:
            described["encoding"] = self.encoding.label
            described["encoding_how"] = self.encoding.how
        if self.sheet is not None:
            described["sheet"] = self.sheet.name
            described["header_row"] = self.sheet.header_row
            described["blank_rows"] = self.sheet.blank_rows
        elif self.header_row != 1:
            described["header_row"] = self.header_row
        return described


def kind_of(path: Path) -> tuple[str, str]:
    """(kind, separator) of an event file by its name; InputError for a name qunce does not read."""
    suffix = path.suffix.lower()
    if suffix in TEXT_KINDS:
        return TEXT_KINDS[suffix]
    if suffix in PARQUET_SUFFIXES:
        return "parquet", ""
    if is_workbook(path):
        return "workbook", ""
    raise InputError(f"{path}: unknown event file format '{path.suffix}'; use .csv, .tsv, .txt (tab-separated), "
                     ".jsonl, .parquet or a workbook (.xlsx, .xls, .ods)",
                     f"{path}：未知的事件文件格式 '{path.suffix}'；请用 .csv、.tsv、.txt（制表符分隔）、.jsonl、.parquet "
                     "或工作簿（.xlsx、.xls、.ods）")


def prepare(path: Path, shown: str, options: ReadOptions | None = None) -> Source:
    """The file made readable by DuckDB (nothing is copied for UTF-8 text and Parquet)."""
    options = options or ReadOptions()
    kind, separator = kind_of(path)
    if options.sheet is not None and kind != "workbook":  # the mapping's sheet: for the workbooks it may also serve
        raise UsageError(f"--sheet {options.sheet}: {shown} is not a workbook; --sheet is for .xlsx, .xls and .ods files",
                         f"--sheet {options.sheet}：{shown} 不是工作簿；--sheet 只用于 .xlsx、.xls 和 .ods 文件")
    header_row = options.header_row
    if kind == "parquet":
        return Source(path, shown, kind, path, "parquet", header_row=header_row)
    if kind == "workbook":
        sheet = options.sheet or getattr(options.mapping, "sheet", None)
        table, read = read_sheet(path, shown, sheet, header_row)
        return Source(path, shown, kind, path, "arrow", sheet=read, header_row=read.header_row, table=table)
    from .text_encoding import detect, utf8_copy

    given = options.encoding or getattr(options.mapping, "encoding", None)
    encoding = detect(path, shown, given)
    readable = path
    if not encoding.readable_as_utf8:
        readable = work_folder() / f"utf8-{_next()}{path.suffix.lower()}"
        utf8_copy(path, shown, encoding, readable)
    reads_as = "jsonl" if kind == "jsonl" else "csv"
    return Source(path, shown, kind, readable, reads_as, separator or ",", encoding, header_row=header_row)


_COUNTER = iter(range(1_000_000_000))


def _next() -> int:
    return next(_COUNTER)
