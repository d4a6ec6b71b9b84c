"""The order of events: by time, then by row (the file's order breaks ties of a second).

`latest` gives the value of the last event (a member's group, the type of their last event in a
group) as an aggregate over that order. As a struct (ts, row) DuckDB compares it field by field, slowly; on
DuckDB the pair is one HUGEINT instead (microseconds since 1970 × 2^64 + the row: the same order
for any row an int64 holds), computed by a macro the connection defines (`define`). Other
backends (Spark: issue "When one machine is not enough") get the struct."""

from __future__ import annotations

import functools
from typing import Any

MACRO = "qunce_ts_row"
_ROWS = 2**64  # above every row number (a non-negative int64): the pair orders exactly


def define(con: Any) -> None:
    """Define the ordering macro on a DuckDB connection (compute.duckdb.connect does)."""
    con.raw_sql(f"CREATE OR REPLACE MACRO {MACRO}(ts, r) AS epoch_us(ts)::HUGEINT * CAST('{_ROWS}' AS HUGEINT) + r")


def latest(value: Any, ts: Any, row: Any, where: Any = None) -> Any:
    """The text `value` of the latest row by (ts, row) (of those `where` holds): an aggregate.
    On DuckDB its `arg_max_null` over the HUGEINT key (Ibis compiles `argmax` as an ordered
    `first`, which sorts each group: twice as slow again)."""
    import ibis

    if _backend_name(ts) == "duckdb":
        return _arg_max()(value, _macro()(ts, row), where=where)
    return value.argmax(ibis.struct({"ts": ts, "row": row}), where=where)


def order_key(ts: Any, row: Any) -> Any | None:
    """The (ts, row) order as one comparable value, on DuckDB (its HUGEINT key); None elsewhere."""
    return _macro()(ts, row) if _backend_name(ts) == "duckdb" else None


def _backend_name(expr: Any) -> str | None:
    try:
        return str(expr._find_backend().name)
    except Exception:  # an unbound table (a memtable of its own): no backend to ask
        return None


@functools.cache
def _macro() -> Any:
    import ibis
    import ibis.expr.datatypes as dt

    def order_key(ts: Any, r: Any) -> Any:
        """The DuckDB macro; its value is a HUGEINT, only ever compared."""

    # the types as objects (this module's annotations are text, which Ibis would look up here)
    order_key.__annotations__ = {"ts": dt.timestamp, "r": dt.int64, "return": dt.Decimal(38, 0)}
    return ibis.udf.scalar.builtin(name=MACRO)(order_key)


@functools.cache
def _arg_max() -> Any:
    import ibis
    import ibis.expr.datatypes as dt

    def arg_max_null(value: Any, key: Any) -> Any:
        """DuckDB's arg_max_null: the value of the row with the largest key, NULL included (its
        arg_max skips rows whose value is NULL; Ibis's argmax does not)."""

    arg_max_null.__annotations__ = {"value": dt.string, "key": dt.Decimal(38, 0), "return": dt.string}
    return ibis.udf.agg.builtin(name="arg_max_null")(arg_max_null)
