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

Not applied to the event files written by events/writers.py (`qunce events generate`'s): they
are inputs that qunce's ingest (and other pipelines) read back, and must hold the values
themselves; a prefixed id would be another id."""

from __future__ import annotations

import re
from typing import Any

# A cell to prefix: any apostrophes, then a trigger (the apostrophes make the rule reversible).
PATTERN = r"^'*[=+\-@\t\r]"
_MATCH = re.compile(PATTERN)
_RESTORE = re.compile(r"^'(?='*[=+\-@\t\r])")
_SQL_PATTERN = PATTERN.replace("'", "''")


def neutralised(text: str) -> str:
    """One cell as the CSV writes it (the rule every writer below follows)."""
    return "'" + text if _MATCH.match(text) else text


def restored(text: str) -> str:
    """The value a neutralised cell came from."""
    return _RESTORE.sub("", text, count=1)


def duckdb_select(cursor: Any, table: str) -> str:
    """A SELECT of every column of DuckDB `table`, in its order and under its names, its text
    columns neutralised: what `COPY (…) TO 'x.csv'` writes instead of the table itself."""
    columns = cursor.execute(f'DESCRIBE "{_ident(table)}"').fetchall()
    return "SELECT " + ", ".join(_duckdb_column(name, kind) for name, kind, *_ in columns) + f' FROM "{_ident(table)}"'


def _duckdb_column(name: str, kind: str) -> str:
    column = f'"{_ident(name)}"'
    if kind != "VARCHAR" and not kind.startswith("ENUM("):
        return column  # numbers, dates, booleans: written as they are
    text = column if kind == "VARCHAR" else f"CAST({column} AS VARCHAR)"
    byte = f'{text} COLLATE "binary"'  # compared byte by byte, whatever the connection's collation
    # Two range tests first: a cell whose first byte is outside 0x09…0x2F and 0x3D…0x40 (ids,
    # names, words, periods like 2027-01, empty cells) cannot match, and the regular expression
    # runs only on the few others. Not `ascii(…) IN (…)`: slower, and DuckDB turns an IN list
    # into a join, which loses the row order at scale.
    return (f"CASE WHEN (({byte} >= chr(9) AND {byte} < '0') OR ({byte} >= '=' AND {byte} < 'A')) "
            f"AND regexp_matches({text}, '{_SQL_PATTERN}') THEN '''' || {text} ELSE {text} END AS {column}")


def _ident(name: str) -> str:
    return name.replace('"', '""')


def ibis_table(table: Any) -> Any:
    """An Ibis table with its string columns neutralised (for backends other than DuckDB)."""
    import ibis

    def safe(name: str) -> Any:
        column = table[name]
        if not column.type().is_string():
            return column
        return ibis.ifelse(column.re_search(PATTERN), ibis.literal("'").concat(column), column).name(name)

    return table.select([safe(name) for name in table.columns])


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
