"""CSV cells a spreadsheet will not run as formulas (OWASP's "CSV injection").

Excel, LibreOffice and Google Sheets treat a cell starting with =, +, -, @, a tab or a carriage
return as a formula, quoted or not, and member ids, staff and group names come from rosters and
events nobody vetted. Every CSV qunce writes for people (the simulator's and the commission's
tables, tasks.csv, capacity.csv) passes its text cells through the one rule here: such a cell
gets a leading apostrophe, so it is text and never a formula. Numbers are typed columns
and never touched; a text cell holding "-5" is an id or a name and is prefixed like any other.
Parquet files keep the exact values.

The rule is reversible: a cell that already starts with apostrophes before one of those
characters gets one more, so removing one leading apostrophe from every cell matching
^'+[=+\\-@\\t\\r] gives back the value exactly (`restored`).

Every such CSV also starts with a UTF-8 byte-order mark (BOM). Excel on Chinese Windows reads a
CSV without one as GBK (the system's code page), and every Chinese name, header and word in our
UTF-8 files shows up garbled; with it, Excel reads UTF-8. Every reader we know handles the mark:
DuckDB's read_csv, pandas' C parser, Python's csv module with encoding="utf-8-sig", Excel, WPS,
Numbers and LibreOffice. DuckDB's COPY writes it at no cost: the first column is named with the
mark in front (`duckdb_select`, `ibis_table`), and COPY writes the header line unquoted, so the
file starts with the bytes EF BB BF; Arrow's writer quotes the header, so `arrow_csv` writes the
mark to the stream first.

Neither rule is applied to the event files written by events/writers.py (`qunce events
generate`'s, the WeCom import's): they are inputs that qunce's ingest (and other pipelines) read
back, and must hold the values themselves; a prefixed id would be another id."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

# A cell to prefix: any apostrophes, then a trigger (the apostrophes make the rule reversible).
PATTERN = r"^'*[=+\-@\t\r]"
_MATCH = re.compile(PATTERN)
_RESTORE = re.compile(r"^'(?='*[=+\-@\t\r])")
_SQL_PATTERN = PATTERN.replace("'", "''")
BOM = "\ufeff"  # in front of the first column's name: see the module's note


def neutralised(text: str) -> str:
    """One cell as the CSV writes it (the rule every writer below follows)."""
    return "'" + text if _MATCH.match(text) else text


def restored(text: str) -> str:
    """The value a neutralised cell came from."""
    return _RESTORE.sub("", text, count=1)


def duckdb_select(cursor: Any, table: str) -> str:
    """A SELECT of every column of DuckDB `table`, in its order and under its names (the first
    with the BOM in front), its text columns neutralised: what `COPY (…) TO 'x.csv' (HEADER)`
    writes instead of the table itself. The first column's name must be one DuckDB writes
    unquoted (no comma, quote or line break): every output's is an id, a grain or a period."""
    columns = cursor.execute(f'DESCRIBE "{_ident(table)}"').fetchall()
    return "SELECT " + ", ".join(_duckdb_column(name, kind, BOM if at == 0 else "")
                                 for at, (name, kind, *_) in enumerate(columns)) + f' FROM "{_ident(table)}"'


def duckdb_select_known(columns: Sequence[tuple[str, bool, str | None]], source: str) -> str:
    """`duckdb_select` of a source whose columns are known, without asking DuckDB: each column's
    name, whether it is text, and the SQL of its value (None: the column itself), in order;
    `source`: what follows FROM."""
    return "SELECT " + ", ".join(_duckdb_column(name, "VARCHAR" if text else "", BOM if at == 0 else "", value)
                                 for at, (name, text, value) in enumerate(columns)) + f" FROM {source}"


def _duckdb_column(name: str, kind: str, mark: str = "", value: str | None = None) -> str:
    column = value or f'"{_ident(name)}"'
    alias = f'"{mark}{_ident(name)}"'
    if kind != "VARCHAR" and not kind.startswith("ENUM("):
        # numbers, dates, booleans: written as they are
        return f"{column} AS {alias}" if mark or value else column
    text = column if kind == "VARCHAR" else f"CAST({column} AS VARCHAR)"
    byte = f'{text} COLLATE "binary"'  # compared byte by byte, whatever the connection's collation
    # Two range tests first: a cell whose first byte is outside 0x09…0x2F and 0x3D…0x40 (ids,
    # names, words, periods like 2027-01, empty cells) cannot match, and the regular expression
    # runs only on the few others. Not `ascii(…) IN (…)`: slower, and DuckDB turns an IN list
    # into a join, which loses the row order at scale.
    return (f"CASE WHEN (({byte} >= chr(9) AND {byte} < '0') OR ({byte} >= '=' AND {byte} < 'A')) "
            f"AND regexp_matches({text}, '{_SQL_PATTERN}') THEN '''' || {text} ELSE {text} END AS {alias}")


def _ident(name: str) -> str:
    return name.replace('"', '""')


def ibis_table(table: Any) -> Any:
    """An Ibis table with its string columns neutralised and the BOM in front of its first
    column's name, for the backend's to_csv (DuckDB's is a COPY: the header unquoted)."""
    import ibis

    def safe(name: str) -> Any:
        column = table[name]
        if not column.type().is_string():
            return column
        return ibis.ifelse(column.re_search(PATTERN), ibis.literal("'").concat(column), column).name(name)

    columns = [safe(name) for name in table.columns]
    return table.select([column.name(BOM + name) if at == 0 else column
                         for at, (name, column) in enumerate(zip(table.columns, columns, strict=True))])


def arrow_csv(table: Any) -> bytes:
    """A pyarrow Table as the bytes of a CSV file: the BOM, then a header and every row, quoting
    only where needed (Arrow quotes every text cell and the header), text cells neutralised."""
    import codecs

    import pyarrow as pa
    import pyarrow.csv as pacsv

    sink = pa.BufferOutputStream()
    sink.write(codecs.BOM_UTF8)  # before the header: Arrow writes it quoted
    pacsv.write_csv(arrow_table(table), sink, write_options=pacsv.WriteOptions(quoting_style="needed"))
    data = bytes(sink.getvalue().to_pybytes())
    return data if data.endswith(b"\n") else data + b"\n"  # Arrow ends a header-only file without one


def arrow_table(table: Any) -> Any:
    """A pyarrow Table with its string columns neutralised (the same schema)."""
    import pyarrow as pa

    columns = [_arrow_column(column) for column in table.columns]
    return pa.Table.from_arrays(columns, schema=table.schema)


def _arrow_column(column: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.ChunkedArray):
        return pa.chunked_array([_arrow_column(chunk) for chunk in column.chunks], column.type)
    kind = column.type
    if pa.types.is_dictionary(kind):  # each distinct value once
        return pa.DictionaryArray.from_arrays(column.indices, _arrow_column(column.dictionary))
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return column
    matches = pc.match_substring_regex(column, PATTERN)
    if not pc.any(matches).as_py():
        return column  # the usual case: nothing to change, nothing copied
    prefixed = pc.binary_join_element_wise(pa.scalar("'", kind), column, pa.scalar("", kind))
    return pc.if_else(matches, prefixed, column)
