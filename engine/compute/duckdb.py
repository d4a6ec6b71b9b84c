"""The DuckDB engine: the embedded connection and its settings, tables stored and fetched
without Ibis's round trips, literal tables as SQL. What other engines do instead is in their own
module (spark.py); `compute` (the package) hands each call to the connection's engine."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import UsageError
from ..work_folder import work_folder

MEMORY_LIMIT_ENV = "QUNCE_MEMORY_LIMIT"


def connect(timezone: str) -> Any:
    """An embedded DuckDB connection through Ibis, reading naive times in `timezone`.

    DuckDB's memory is capped at DEFAULT_MEMORY_LIMIT (`QUNCE_MEMORY_LIMIT`, e.g. `6GB`,
    overrides it); beyond it DuckDB spills to a temporary folder of its own (removed at exit)
    instead of failing. At 10M events the 2GB cap keeps a whole simulation under 3 GB of peak
    memory for about 10% more time."""
    from .ibis_loading import duckdb_connection

    con = duckdb_connection()
    con.raw_sql(f"SET TimeZone = '{sql_text(timezone)}'")
    con.raw_sql("SET enable_progress_bar = false")  # DuckDB's own bar would print over qunce's output
    from ..event_order import define

    define(con)
    merge_selects(con, False)  # until the data is known to be large (MERGE_FROM)
    # DuckDB's default spill folder is ./.tmp, in the user's working folder.
    con.raw_sql(f"SET temp_directory = '{sql_text(str(work_folder()))}'")
    limit = os.environ.get(MEMORY_LIMIT_ENV, "").strip() or DEFAULT_MEMORY_LIMIT
    if limit:
        try:
            con.raw_sql(f"SET memory_limit = '{sql_text(limit)}'")
        except Exception as exc:
            raise UsageError(f"{MEMORY_LIMIT_ENV}={limit!r}: not a memory size DuckDB understands "
                             "(e.g. 6GB, 800MB)", f"{MEMORY_LIMIT_ENV}={limit!r}：DuckDB 无法识别的内存大小"
                             "（例如 6GB、800MB）") from exc
    return con


DEFAULT_MEMORY_LIMIT = "2GB"


def drop(con: Any, name: str) -> None:
    """Drop the temporary table `name`, if there is one."""
    con.con.execute(f'DROP TABLE IF EXISTS "temp"."main".{quoted_name(name)}')


def keep_row_order(con: Any, keep: bool) -> None:
    """Whether this connection's queries keep rows in the order they were read or inserted
    (DuckDB's `preserve_insertion_order`).

    On while the events are read and numbered (a text file's `_row` is its place in the file)
    and while an output is stored and copied in its sorted order; off for the computing in
    between, where every ordered result has its ORDER BY: DuckDB then runs more of each query in
    parallel, on less memory (at 10M events, side by side: ~3% off the wall and the CPU time,
    ~12% off the system time)."""
    con.raw_sql(f"SET SESSION preserve_insertion_order = {'true' if keep else 'false'}")


# --- queries on DuckDB, without Ibis's round trips ----------------------------------------------
# Ibis's own create_table and to_pyarrow cost more than the query on a small run: the first runs
# eight statements (two asking the current catalog, a copy of every row into a second table, a
# DESCRIBE to read back the schema it had), the second imports pandas (~0.2 s) to convert one
# value. These do the same work in one compile and one or two statements.

# Ibis merges each Select into the one it reads (`ibis.options.sql.fuse_selects`) before it
# compiles: a third of each compile (the example's cold simulate 4.22 -> 4.03 s, a cold diff of
# the demo's month 6.48 -> 5.42 s), and DuckDB's optimiser merges the projections itself. But
# DuckDB (1.4 on) materialises a CTE that a query reads twice, and the unmerged SQL has more of
# them: at 12M events the SOP assessment's evidence query took 6-10 s unmerged against 3.4 s
# merged (4.7 s with its CTEs inlined), each query timed in place (bench/merge_selects.py). So
# only a connection told its data is large (`merge_selects(con, True)`: MERGE_FROM events or
# more) compiles merged; the others (a new connection, a small run: where compiling is the cost)
# unmerged. Spark keeps Ibis's default (its planning is its cost).
MERGE_FROM = 1_000_000
_UNMERGED = "_qunce_unmerged"  # the attribute a connection compiling unmerged carries
# The option is the process's: set for the compile only, under a lock (the commission's thread
# compiles too; compiling is Python's work, so the lock costs no parallelism).
_COMPILING = threading.Lock()


def merge_selects(con: Any, merge: bool) -> None:
    """Whether `con` compiles with Ibis's Select merging (the default) or without (a small run)."""
    setattr(con, _UNMERGED, not merge)


def merges_selects(con: Any) -> bool:
    """Whether `con` compiles with Ibis's Select merging (a connection not told: yes, as Ibis does)."""
    return not getattr(con, _UNMERGED, False)


def compiled(con: Any, table: Any) -> str:
    """The SQL of `table` (an Ibis table expression) on `con`, its in-memory tables registered."""
    from ibis import options

    prepare_tables(con, table)
    with _COMPILING:
        default = options.sql.fuse_selects
        options.sql.fuse_selects = merges_selects(con)
        try:
            return str(con.compiler.to_sqlglot(table).sql(dialect=con.dialect, copy=False))
        finally:
            options.sql.fuse_selects = default


def store_union(con: Any, name: str, parts: Sequence[Any], temp: bool = True,
                sqls: Sequence[str | None] | None = None) -> tuple[Any, int]:
    """`store` of the union of `parts` (tables of one schema; all rows kept), each part compiled
    and inserted on its own: a part of a shape seen before keeps its SQL (sql_cache)."""
    schema = parts[0].schema()
    if any(part.schema() != schema for part in parts[1:]):
        raise ValueError(f"{name}: the parts of a union have different schemas")
    queries = [compiled(con, part) if sql is None else sql for part, sql in zip(parts, sqls or [None] * len(parts), strict=True)]
    return store_select(con, name, schema, queries, temp)


def store_select(con: Any, name: str, schema: Any, queries: Sequence[str], temp: bool = True) -> tuple[Any, int]:
    """DuckDB only: the rows of each SELECT of `queries` stored into the table `name` (replaced
    when there), typed by the Ibis `schema`, which the returned table keeps (its nullability
    too: no query asks the database for it); and the rows."""
    import ibis.expr.operations as ops

    columns = ", ".join(f"{quoted_name(column)} {_column_type(dtype)}" for column, dtype in schema.items())
    target = f'"temp"."main".{quoted_name(name)}' if temp else quoted_name(name)
    names = ", ".join(quoted_name(column) for column in schema.names)
    con.con.execute(f"CREATE OR REPLACE {'TEMP ' if temp else ''}TABLE {target} ({columns})")
    rows = 0
    for query in queries:
        rows += con.con.execute(f"INSERT INTO {target} ({names}) {query}").fetchone()[0]
    namespace = ops.Namespace(catalog="temp", database="main") if temp else ops.Namespace()
    return ops.DatabaseTable(name, schema=schema, source=con, namespace=namespace).to_expr(), int(rows)


@functools.cache
def _column_type(dtype: Any) -> str:
    """A column's type in DuckDB's CREATE TABLE, as `Schema.to_sqlglot_column_defs` writes it."""
    from ibis.backends.sql.datatypes import DuckDBType

    return str(DuckDBType.from_ibis(dtype).sql("duckdb")) + ("" if dtype.nullable else " NOT NULL")


def asof_next(left: Any, right: Any, at: tuple[str, str], key: tuple[str, str]) -> Any:
    """compute.asof_next: DuckDB's own as-of join."""
    return left.asof_join(right, on=left[at[0]] <= right[at[1]], predicates=[left[key[0]] == right[key[1]]])


def view(con: Any, name: str, table: Any) -> Any:
    """`table` as the temporary view `name` of a DuckDB connection (its query run where read)."""
    import ibis.expr.operations as ops

    con.con.execute(f'CREATE OR REPLACE TEMP VIEW "temp"."main".{quoted_name(name)} AS {compiled(con, table)}')
    return ops.DatabaseTable(name, schema=table.schema(), source=con,
                             namespace=ops.Namespace(catalog="temp", database="main")).to_expr()


def fetch(con: Any, expr: Any) -> Any:
    """`expr.to_pyarrow()`: an Arrow table, column or scalar, as Ibis types it."""
    from .sql_cache import sql_of

    # the SQL kept by the query's shape: a re-run's reads (the commission's inputs, the summary)
    # compile nothing (sql_of gives None on other engines only)
    table = expr.as_table()
    arrow = con.con.sql(sql_of(con, table) or compiled(con, table)).to_arrow_table()
    return expr.__pyarrow_result__(arrow)


# Ibis type names → DuckDB's, for literal_table.
_LITERAL_TYPES = {"string": "VARCHAR", "date": "DATE", "int64": "BIGINT", "int32": "INTEGER", "boolean": "BOOLEAN",
                  "decimal(18, 2)": "DECIMAL(18, 2)"}
_LITERALS: dict[str, Any] = {}  # literal_table's tables by name (their values' digest)
_LITERALS_KEPT = 256


def literal_table(columns: Mapping[str, Sequence[Any]], schema: Mapping[str, str]) -> Any:
    """An in-memory Ibis table of these values, typed by `schema` (Ibis type names: string, date,
    int64, int32, boolean, decimal(18, 2)).

    Kept as the SQL of a VALUES list: given Python values, pyarrow imports pandas (~0.2 s) to see
    whether it was handed one, and so does DuckDB given Arrow. `store` and `fetch` create the
    table from that SQL in their connection (`prepare_tables`); Ibis's own execution gets it as Arrow.
    Named by its values, and the same Ibis table for the same values: the SQL of a query reading
    it is the same from run to run, and no copy of it unregisters another's name when it goes."""
    import hashlib

    import ibis
    import ibis.expr.operations as ops

    names = list(schema)
    rows = len(columns[names[0]]) if names else 0
    types = [_LITERAL_TYPES[schema[name]] for name in names]
    if rows:
        values = ", ".join("(" + ", ".join(_literal(columns[name][row]) for name in names) + ")" for row in range(rows))
        casts = ", ".join(f"CAST(c{i} AS {kind}) AS {quoted_name(name)}" for i, (name, kind) in enumerate(zip(names, types, strict=True)))
        aliases = ", ".join(f"c{i}" for i in range(len(names)))
        query = f"SELECT {casts} FROM (VALUES {values}) AS v({aliases})"
    else:
        nulls = ", ".join(f"CAST(NULL AS {kind}) AS {quoted_name(name)}" for name, kind in zip(names, types, strict=True))
        query = f"SELECT {nulls} WHERE false"
    name = f"qunce_values_{hashlib.blake2b(query.encode(), digest_size=12).hexdigest()}"
    found = _LITERALS.get(name)
    if found is None:
        found = ops.InMemoryTable(name=name, schema=ibis.schema(dict(schema)), data=_values_proxy()([query])).to_expr()
        if len(_LITERALS) >= _LITERALS_KEPT:
            _LITERALS.pop(next(iter(_LITERALS)))
        _LITERALS[name] = found
    return found


@functools.cache
def _values_proxy() -> Any:
    """The class holding a literal table's data: its query, run by DuckDB when Ibis asks for Arrow."""
    from ibis.formats import TableProxy

    class Values(TableProxy):  # type: ignore[misc]
        def to_pyarrow(self, schema: Any = None) -> Any:
            import duckdb

            return duckdb.connect().sql(self.obj[0]).to_arrow_table()

        def to_frame(self) -> Any:
            return self.to_pyarrow().to_pandas()

        def to_polars(self, schema: Any = None) -> Any:
            import importlib

            return importlib.import_module("polars").from_arrow(self.to_pyarrow())

    return Values


def prepare_tables(con: Any, table: Any) -> None:
    """What Ibis's pre-execute hooks do for the expressions qunce builds (no UDFs, no spatial
    types, no record batch readers), in one walk of the expression: literal tables created from
    their SQL in the connection, other in-memory tables registered by Ibis (through Arrow)."""
    import ibis.expr.operations as ops

    others = False
    for memtable in table.op().find(ops.InMemoryTable):
        data = memtable.data
        if type(data) is not _values_proxy():
            others = True
        elif memtable not in con._memtables:
            con.con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {quoted_name(memtable.name)} AS {data.obj[0]}")
            con._memtables.add(memtable)
    if others:
        con._register_in_memory_tables(table)


def _literal(value: Any) -> str:
    """`value` as a DuckDB literal (text, a date, a whole number, a truth value, NULL)."""
    import datetime as dt
    from decimal import Decimal

    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal) and value.is_finite():
        return f"'{value}'"  # text, cast to the column's decimal: exact
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):  # a NUL character cannot be in a literal's text
        return "'" + value.replace("'", "''").replace("\x00", "' || chr(0) || '") + "'"
    raise TypeError(f"no literal for {type(value).__name__}")


def quoted_name(name: str) -> str:
    """A name quoted for DuckDB's SQL."""
    return '"' + _q(name) + '"'


def sql_text(text: str) -> str:
    """Text to put inside a DuckDB string literal's quotes."""
    return text.replace("'", "''")


def _q(name: str) -> str:
    return name.replace('"', '""')


def from_arrow(con: Any, name: str, arrow: Any) -> Any:
    """An Arrow table as the temporary table `name` (replaced when there), handed over as an
    Arrow C stream: given the Arrow table itself, DuckDB scans it through pyarrow.dataset, which
    imports pandas."""
    source = f"{name}_arrow"
    con.con.register(source, arrow.__arrow_c_stream__())
    try:
        con.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT * FROM "{source}"')
    finally:
        con.con.unregister(source)
    return con.table(name, database=("temp", "main"))


def with_stored_row_ids(con: Any, name: str, table: Any, column: str) -> Any:
    """compute.with_stored_row_ids: the stored table's own row numbers (`rowid`), nothing
    stored (numbering 2.7M SOP tasks with a window took 0.4-2 s at 10M events)."""
    return table.mutate(**{column: table.rowid()})


def repeated_values(table: Any, column: str) -> Any:
    """compute.repeated_values: a value repeats when it equals the one before it in its order, a
    sort of one column, which DuckDB does in parallel on less memory than a hash table of every
    value (the duplicate check at 10M events: ~40% less CPU time)."""
    import ibis

    values = table.select(column)
    values = values.mutate(_before=values[column].lag().over(ibis.window(order_by=values[column])))
    return values.filter(values[column] == values._before).select(column).distinct()
