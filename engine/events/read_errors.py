"""Why an event file could not be read, in words a person can act on: the file, the line as an
editor counts it (a CSV's header is line 1), what is wrong there and what to do.

DuckDB's own message is many lines (the option values it used, fixes in its own terms), and its
line number cannot always be trusted: an error found while it sniffs the file's first rows is
reported at "Line: 1" (a 10 MB line at line 1,358 was), and it numbers CSV records, not lines.
So, on the error path only, the file is scanned here for what DuckDB complained of (the first
bytes that are not UTF-8, the first line over its size limit, the first quote left open), and
DuckDB's line is used only when the scan finds nothing.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from ..errors import InputError

CHUNK = 1 << 20
BOM = b"\xef\xbb\xbf"
WHITESPACE = b" \t\r\n\f\v"
# How far the scan for an open quote reads past the record DuckDB named (or its sniffing sample,
# 20,480 rows, when it named none): the quote is at or before it.
QUOTE_SCAN_MARGIN = 25_000

_LINE = re.compile(r"CSV Error on Line: (\d+)")
_MAX_LINE = re.compile(r"Maximum line size of (\d+) bytes")
_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_OWN_NAME = re.compile(r"column(\d+)")  # what DuckDB names a column without a name in the header
# DuckDB messages about the file read (others, from a query on what was read, stay bugs).
_ABOUT_THE_FILE = re.compile(r"CSV Error on Line|Error when sniffing file|Invalid unicode|not utf-8 encoded|"
                             r"Maximum line size|unterminated quote|[Pp]arquet|No magic bytes")


def is_empty(path: Path) -> bool:
    """Whether the file holds nothing but whitespace (after a UTF-8 byte-order mark, if any)."""
    with path.open("rb") as handle:
        head = handle.read(CHUNK)
        if head.startswith(BOM):
            head = head[len(BOM):]
        while head:
            if head.strip(WHITESPACE):
                return False
            head = handle.read(CHUNK)
    return True


def empty_file(shown: str, fmt: str) -> InputError:
    """An empty event file: no header, no events."""
    if fmt == "csv":
        return InputError(f"{shown} is empty: it has no header line and no events; an event file starts with a "
                          "header line (ts,type,group_id,…), then one event a line",
                          f"{shown} 是空文件：既没有表头行也没有事件；事件文件的第 1 行是表头（ts,type,group_id,…），"
                          "其后每行一个事件")
    if fmt == "jsonl":
        return InputError(f"{shown} is empty: it has no events (one JSON object a line)",
                          f"{shown} 是空文件：没有事件（每行一个 JSON 对象）")
    return InputError(f"{shown} is empty: it holds no Parquet data", f"{shown} 是空文件：不含 Parquet 数据")


def no_rows(shown: str, path: Path) -> InputError:
    """An event file that was read whole and holds no event: a CSV with its header alone."""
    if path.suffix.lower() in (".csv", ".tsv"):
        return InputError(f"{shown} has a header but no rows: no events to simulate",
                          f"{shown} 只有表头，没有数据行：没有可模拟的事件")
    return InputError(f"{shown} has no rows: no events to simulate", f"{shown} 没有数据行：没有可模拟的事件")


def read_failure(exc: BaseException, path: Path, shown: str, fmt: str, delimiter: str = ",") -> InputError | None:
    """What to tell the user when DuckDB failed reading `path` (`fmt`: csv, jsonl, parquet);
    None when `exc` is not about the file."""
    text = str(exc)
    if not _ABOUT_THE_FILE.search(text) and str(path) not in text:
        return None
    reported = int(found.group(1)) if (found := _LINE.search(text)) else None
    if "Invalid unicode" in text or "not utf-8 encoded" in text:
        return not_utf8(path, shown, fmt, reported)
    if found := _MAX_LINE.search(text):
        return _too_long(path, shown, int(found.group(1)), fmt, delimiter)
    if fmt == "csv" and ("Error when sniffing file" in text or "unterminated quote" in text):
        return _quotes(path, shown, delimiter, reported, text)
    if found := _COLUMNS.search(text):
        header, cells = int(found.group(1)), int(found.group(2))
        where = f"line {reported}" if reported else "a line"
        where_zh = f"第 {reported} 行" if reported else "某行"
        return InputError(f"{shown}: {where} has {cells} values but the header (line 1) has {header} columns; "
                          "a value holding a comma must be in double quotes",
                          f"{shown}：{where_zh}有 {cells} 个值，而表头（第 1 行）只有 {header} 列；含逗号的值须用英文双引号括起")
    reason = _reason(text)
    at, at_zh = (f"line {reported}: ", f"第 {reported} 行：") if reported else ("", "")
    return InputError(f"{shown}: cannot read events: {at}{reason}", f"{shown}：无法读取事件：{at_zh}{reason}")


def not_utf8(path: Path, shown: str, fmt: str, reported: int | None = None) -> InputError:
    """The file was to be read as UTF-8 (`--encoding utf-8`, or a mapping's `encoding:`) and is
    not: the first line that is not, what it looks like, and what to do."""
    found = first_bad_utf8(path)
    line = found[0] if found else reported
    where, where_zh = (f"line {line} is", f"第 {line} 行") if line else ("it is", "")
    guess, guess_zh = encoding_guess(_head(path), found[1] if found else b"")
    return InputError(f"{shown}: {where} not UTF-8 text{guess}, the encoding it was to be read in: pass the file's "
                      "encoding (e.g. --encoding gbk), or leave --encoding out to have it detected",
                      f"{shown}：{where_zh}不是 UTF-8 文本{guess_zh}，而指定的编码是 UTF-8：请指定文件实际的编码"
                      "（例如 --encoding gbk），或不写 --encoding 由 qunce 自动识别")


def encoding_guess(head: bytes, line: bytes) -> tuple[str, str]:
    """What a file that is not UTF-8 looks like, from its first bytes and its first bad line, as
    words to add to the message (en, zh); empty when nothing fits."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return (' (it is UTF-16: Excel\'s "Unicode Text")', "（该文件是 UTF-16 编码：Excel 的「Unicode 文本」）")
    try:
        line.decode("gbk")
    except UnicodeDecodeError:
        return "", ""
    if not line.isascii():
        return (" (it looks like GBK, what Excel saves on Chinese Windows)",
                "（看起来是 GBK 编码，即中文 Windows 上 Excel 默认保存的编码）")
    return "", ""


def first_bad_utf8(path: Path) -> tuple[int, bytes] | None:
    """(the line, that line's bytes, at most 4 KB) of the first bytes that are not UTF-8."""
    line, carry = 1, b""
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(CHUNK)
            data = carry + chunk
            if not data:
                return None
            try:
                data.decode("utf-8")
                good, carry = len(data), b""
            except UnicodeDecodeError as exc:
                if exc.reason == "unexpected end of data" and chunk:  # a character cut by the chunk's end
                    good, carry = exc.start, data[exc.start:]
                else:
                    start = data.rfind(b"\n", 0, exc.start) + 1
                    end = data.find(b"\n", exc.start)
                    text = data[start:end if end >= 0 else len(data)]
                    return line + data.count(b"\n", 0, exc.start), text[:4096]
            line += data.count(b"\n", 0, good)


def first_long_line(path: Path, limit: int) -> tuple[int, int] | None:
    """(the line, its length in bytes) of the first line longer than `limit` bytes."""
    line, length, long_line = 1, 0, 0  # the line being read and its bytes so far; the long one found
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            parts = chunk.split(b"\n")
            if not long_line and length + len(parts[0]) <= limit and max(map(len, parts)) <= limit:
                # Most chunks hold no long line: counted without a Python loop over their lines.
                length = length + len(parts[0]) if len(parts) == 1 else len(parts[-1])
                line += len(parts) - 1
                continue
            for i, part in enumerate(parts):
                if i:
                    if long_line:
                        return long_line, length
                    line, length = line + 1, 0
                length += len(part)
                if not long_line and length > limit:
                    long_line = line
    return (long_line, length) if long_line else None


def open_quote(path: Path, delimiter: str, records: int) -> int | None:
    """The line where the first of the first `records` CSV records that cannot be read starts (a
    quote never closed, or text after a closing quote); None when they all read."""
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
        try:
            for _ in range(records):
                start = reader.line_num + 1
                next(reader)
        except StopIteration:
            return None
        except csv.Error:  # strict: a bad quote; an open one reads on to the field size limit or the end
            return start
    return None


def unnamed_columns(path: Path, shown: str, unknown: list[str], delimiter: str) -> InputError | None:
    """For a column DuckDB named itself (`column3`: a header cell left empty, or cells past the
    header's last column): which, and where; None when every unknown column is named in the header."""
    header = _header(path, delimiter)
    for name in unknown:
        own = _OWN_NAME.fullmatch(name)
        if own is None or name in header:
            continue
        index = int(own.group(1))
        if index < len(header):
            return InputError(f"{shown}: column {index + 1} of the header (line 1) has no name: name it or delete the "
                              "column (often a comma at the end of line 1)",
                              f"{shown}：表头（第 1 行）第 {index + 1} 列没有列名：请补上列名或删除该列（常见原因是第 1 行末尾多了逗号）")
        line, cells = _first_wide_row(path, delimiter, len(header))
        where, where_zh = (f"line {line}", f"第 {line} 行") if line else ("a line", "某行")
        has = f"{cells} values" if cells else "more values"
        has_zh = f"{cells} 个值" if cells else "更多的值"
        return InputError(f"{shown}: {where} has {has} but the header (line 1) has {len(header)} columns; a value "
                          "holding a comma must be in double quotes",
                          f"{shown}：{where_zh}有 {has_zh}，而表头（第 1 行）只有 {len(header)} 列；含逗号的值须用英文双引号括起")
    return None


def _header(path: Path, delimiter: str) -> list[str]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        return next(csv.reader(handle, delimiter=delimiter, quotechar='"', doublequote=True), [])


def _first_wide_row(path: Path, delimiter: str, columns: int) -> tuple[int, int] | tuple[None, None]:
    """(the line it starts on, its values) of the first record with more than `columns` values,
    among the rows DuckDB sniffs (where it names the extra columns instead of failing)."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar='"', doublequote=True)
        try:
            for _ in range(QUOTE_SCAN_MARGIN):
                start = reader.line_num + 1
                row = next(reader)
                if len(row) > columns:
                    return start, len(row)
        except (StopIteration, csv.Error):
            pass
    return None, None


def _too_long(path: Path, shown: str, limit: int, fmt: str, delimiter: str) -> InputError:
    found = first_long_line(path, limit)
    if found is not None:
        line, size = found
        return InputError(f"{shown}: line {line} is {size:,} bytes long, more than the {limit:,} bytes a line may "
                          f"have; an event is one short line: check line {line} (a long text pasted in, or lines "
                          "run together)",
                          f"{shown}：第 {line} 行长 {size:,} 字节，超过每行 {limit:,} 字节的上限；每个事件应是一行短文本："
                          f"请检查第 {line} 行（是否粘贴了长文本，或多行连成了一行）")
    # No line is that long: a record is, its quote never closed (CSV only).
    return _unclosed(shown, open_quote(path, delimiter, QUOTE_SCAN_MARGIN) if fmt == "csv" else None, limit)


def _quotes(path: Path, shown: str, delimiter: str, reported: int | None, text: str) -> InputError:
    line = open_quote(path, delimiter, (reported or 0) + QUOTE_SCAN_MARGIN)
    if line is not None or "unterminated quote" in text:
        return _unclosed(shown, line or reported, None)
    sep = "tabs" if delimiter == "\t" else "commas"
    sep_zh = "制表符" if delimiter == "\t" else "逗号"
    return InputError(f"{shown}: cannot be read as CSV (a header on line 1, {sep} between values, double quotes "
                      "closed): check that it is a CSV file",
                      f"{shown}：无法按 CSV 读取（第 1 行为表头，值之间用{sep_zh}分隔，英文双引号成对）：请确认它是 CSV 文件")


def _unclosed(shown: str, line: int | None, limit: int | None) -> InputError:
    where, where_zh = (f"line {line} opens", f"第 {line} 行的") if line else ("a value opens", "某个")
    longer = f" (so a row is longer than {limit:,} bytes)" if limit else ""
    longer_zh = f"（因此有一行超过 {limit:,} 字节）" if limit else ""
    return InputError(f"{shown}: {where} a double quote (\") that is not closed where its value ends{longer}; "
                      "put the whole value in quotes and double each quote inside it (\"\")",
                      f"{shown}：{where_zh}英文双引号（\"）没有在值结束处闭合{longer_zh}；请把整个值放在双引号内，"
                      "值中的双引号写两次（\"\"）")


def _reason(text: str) -> str:
    """DuckDB's explanation: for a CSV error, the last line before its suggestions and option
    values (after the first line and the "Original Line:" it quotes); else its first line (the
    query it quotes below it says nothing to the user)."""
    lines = text.splitlines()
    if not _LINE.search(text):
        return lines[0] if lines else text
    said = ""
    for line in lines[1:]:
        stripped = line.strip()
        if stripped.startswith(("Possible", "file =")):
            break
        if stripped and not line.startswith("Original Line:"):
            said = stripped
    return said or (lines[0] if lines else text)


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(4)
