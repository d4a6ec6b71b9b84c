"""Where qunce's tables are computed: one small interface, one module per engine.

`duckdb` (embedded, the default) and `spark` (issue 21) each give the same pieces: a table
stored once for the stages to read (`store`, `store_union`), a query's own view (`view`), a
result fetched as Arrow (`fetch`), the SQL of an expression (`compiled`), in-memory tables made
known to the connection (`prepare_tables`), and whether rows keep their order (`keep_row_order`).
The functions here hand each call to the engine of the connection it is given; the shared
stage code calls only these, never an engine's module."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from .choice import EngineChoice
from .duckdb import MERGE_FROM, literal_table

__all__ = ["MERGE_FROM", "EngineChoice", "asof_next", "compiled", "connect", "drop", "engine_name", "fetch",
           "fetch_rows", "fetch_value", "from_arrow", "keep_row_order", "literal_table", "merge_selects",
           "prepare_tables", "repeated_values", "run_scope", "scratch", "store", "store_union", "view",
           "with_stored_row_ids"]


def connect(timezone: str, choice: EngineChoice | None = None) -> Any:
    """A connection to the chosen engine (default: embedded DuckDB), reading and writing naive
    times in `timezone`."""
    if choice is not None and choice.spark:
        from .spark_session import connect as spark_connect

        return spark_connect(choice, timezone)
    from .duckdb import connect as duckdb_connect

    return duckdb_connect(timezone)


@contextlib.contextmanager
def run_scope() -> Iterator[None]:
    """A command's run on any engine: Spark's errors as one line naming its log file, and the
    Spark tables the run made let go at its end (DuckDB's errors are judged where they happen,
    and its connection goes with the run)."""
    from .spark_session import scope

    with scope():
        yield


def engine_name(con: Any) -> str:
    """"duckdb" or "spark": the engine of an Ibis connection."""
    return "spark" if getattr(con, "name", None) == "pyspark" else "duckdb"


def _engine(con: Any) -> ModuleType:
    if engine_name(con) == "spark":
        from . import spark

        return spark
    from . import duckdb

    return duckdb


def store(con: Any, name: str, table: Any, temp: bool = True, sql: str | None = None) -> tuple[Any, int]:
    """`table` computed once into the table `name` (replaced when there), and its rows. `sql`:
    its SQL, when known already (compute/sql_cache.py; DuckDB only)."""
    return store_union(con, name, [table], temp, [sql])


def store_union(con: Any, name: str, parts: Sequence[Any], temp: bool = True,
                sqls: Sequence[str | None] | None = None) -> tuple[Any, int]:
    """`store` of the union of `parts` (tables of one schema; all rows kept)."""
    stored: tuple[Any, int] = _engine(con).store_union(con, name, parts, temp, sqls)
    if temp:
        _made(name)
    return stored


def drop(con: Any, name: str) -> None:
    """Forget the stored temporary table `name` (its memory, its spill files)."""
    _engine(con).drop(con, name)


def asof_next(con: Any, left: Any, right: Any, at: tuple[str, str], key: tuple[str, str]) -> Any:
    """`left` with the row of `right` of its key at or after its time, the earliest such (an
    as-of join looking forward), `right`'s columns NULL where there is none. `at`, `key`: the
    (left, right) columns of the time and the key; `right`: one row per key and time, its
    columns' names none of `left`'s. `con`: None: found from the tables.

    DuckDB's as-of join; Spark has none: a running minimum over both sides in one stream there
    (on DuckDB, the SOP match at 10M events, that took twice the as-of join's time)."""
    if con is None:
        con = left._find_backend(use_default=True)
    return _engine(con).asof_next(left, right, at, key)


def view(con: Any, name: str, table: Any) -> Any:
    """`table` as the temporary view `name` (its query run where it is read)."""
    return _engine(con).view(con, name, table)


def fetch(con: Any, expr: Any) -> Any:
    """An expression's value as Arrow (a table, a column or a scalar), typed as Ibis types it.
    `con`: the connection of the tables it reads; None: found from them."""
    if con is None:
        con = expr._find_backend(use_default=True)
    return _engine(con).fetch(con, expr)


def fetch_rows(con: Any, expr: Any) -> list[dict[str, Any]]:
    """The rows of a table expression, as dictionaries."""
    return list(fetch(con, expr).to_pylist())


def fetch_value(con: Any, expr: Any) -> Any:
    """The Python value of a scalar expression."""
    return fetch(con, expr).as_py()


def compiled(con: Any, table: Any) -> str:
    """The SQL of `table` on `con`, its in-memory tables made known to the connection."""
    return str(_engine(con).compiled(con, table))


def prepare_tables(con: Any, table: Any) -> None:
    """The in-memory tables `table` reads, made known to the connection."""
    _engine(con).prepare_tables(con, table)


def from_arrow(con: Any, name: str, arrow: Any) -> Any:
    """An Arrow table as the temporary table (or view) `name`, as an Ibis table."""
    table = _engine(con).from_arrow(con, name, arrow)
    _made(name)
    return table


def repeated_values(con: Any, table: Any, column: str) -> Any:
    """The values of `table`'s `column` found in more than one row (one row each). `con`: None:
    found from the table."""
    if con is None:
        con = table._find_backend(use_default=True)
    return _engine(con).repeated_values(table, column)


def with_stored_row_ids(con: Any, name: str, table: Any, column: str) -> Any:
    """A stored table with `column`: an int64 unique to each row, the same wherever the table is
    read in this run (a join key, nothing more: not an order). DuckDB's are the stored table's
    own row ids (nothing stored); Spark's its own row ids, stored as `name`."""
    numbered = _engine(con).with_stored_row_ids(con, name, table, column)
    _made(name)  # nothing by that name on DuckDB: its drop is then nothing
    return numbered


def merge_selects(con: Any, merge: bool) -> None:
    """Whether the connection's SQL is compiled with Ibis's Select merging: off for a run on few
    events, where compiling costs more than the queries (compute/duckdb.MERGE_FROM)."""
    _engine(con).merge_selects(con, merge)


def keep_row_order(con: Any, keep: bool) -> None:
    """Whether the connection's queries keep rows in the order they were read or inserted."""
    _engine(con).keep_row_order(con, keep)


@dataclass
class Scratch:
    """The temporary tables stored while a `scratch` block runs (their names), and those it keeps."""

    made: set[str] = field(default_factory=set)
    kept: set[str] = field(default_factory=set)

    def keep(self, *tables: Any) -> None:
        """Keep past the block every stored table these expressions read (None: skipped)."""
        import ibis.expr.operations as ops

        for table in tables:
            if table is not None:
                self.kept.update(t.name for t in table.op().find(ops.DatabaseTable))


class _Blocks(threading.local):
    """The open scratch blocks, per thread (the commission stores its tables in a thread of its
    own, maybe while the main thread's stage runs: never one block's to drop)."""

    def __init__(self) -> None:
        self.open: list[Scratch] = []


_SCRATCH = _Blocks()


def _made(name: str) -> None:
    if _SCRATCH.open:
        _SCRATCH.open[-1].made.add(name)


@contextlib.contextmanager
def scratch(con: Any) -> Iterator[Scratch]:
    """A stage's working tables let go of at its end: every temporary table this thread stores
    inside the block is dropped when it ends, but those `Scratch.keep` is given (its results).
    DuckDB's memory is capped (duckdb.DEFAULT_MEMORY_LIMIT): what a stage leaves behind pushes
    the tables later stages read out to disk (at 10M events the SOP assessment left 0.5 GB of the
    2 GB). An enclosing block takes over the kept ones; after a failure nothing is dropped (the
    run is over)."""
    block = Scratch()
    _SCRATCH.open.append(block)
    try:
        yield block
    finally:
        _SCRATCH.open.pop()
    for name in sorted(block.made - block.kept):
        drop(con, name)
    if _SCRATCH.open:
        _SCRATCH.open[-1].made.update(block.made & block.kept)
