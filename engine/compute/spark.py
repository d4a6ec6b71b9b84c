"""The Spark engine's pieces (issue 21, docs/spark-plan.md): a session with the settings qunce's
results depend on, tables stored as cached views, results fetched as Arrow, in-memory tables
sent through Arrow. Ibis's pyspark backend does the rest; pyspark is imported by the caller's
session only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# What every session qunce runs on must say: its times are the playbook's local clock, and
# decimal arithmetic keeps every digit (Spark's default rounds a product or a quotient whose
# precision would exceed 38 digits, which the statements' reconciliation cannot allow).
SETTINGS = {"spark.sql.decimalOperations.allowPrecisionLoss": "false"}


def configure(session: Any, timezone: str) -> None:
    """Set the session's time zone and decimal settings (qunce's results depend on both)."""
    session.conf.set("spark.sql.session.timeZone", timezone)
    for key, value in SETTINGS.items():
        session.conf.set(key, value)


def compiled(con: Any, table: Any) -> str:
    """The Spark SQL of an Ibis table expression, its in-memory tables registered."""
    prepare_tables(con, table)
    return str(con.compiler.to_sqlglot(table).sql(dialect=con.dialect, copy=False))


def store_union(con: Any, name: str, parts: Sequence[Any], temp: bool = True,
                sqls: Sequence[str | None] | None = None) -> tuple[Any, int]:
    """The union of `parts` computed once and kept (a cached DataFrame under the temporary view
    `name`; Spark has no temporary tables), as an Ibis table of the parts' schema; and its rows.
    `temp`, `sqls`: DuckDB's (a view lasts as long as the session; the SQL is compiled here).

    Counting the rows computes and caches it: a stage's later reads find it in memory."""
    import ibis.expr.operations as ops

    schema = parts[0].schema()
    frames = [con._session.sql(compiled(con, part)) for part in parts]
    frame = frames[0]
    for other in frames[1:]:
        frame = frame.unionAll(other)
    frame = frame.cache()
    rows = frame.count()
    frame.createOrReplaceTempView(name)
    return ops.DatabaseTable(name, schema=schema, source=con, namespace=ops.Namespace()).to_expr(), int(rows)


def fetch(con: Any, expr: Any) -> Any:
    """`expr` computed and fetched as Arrow (Spark's own Arrow path: no pandas, no float rounding
    of decimals), cast to the types Ibis gives it (Spark's sums are DECIMAL(28–29, 2), its
    row numbers int32)."""
    from ibis.formats.pyarrow import PyArrowData

    table = expr.as_table()
    arrow = con._session.sql(compiled(con, table)).toArrow()
    return expr.__pyarrow_result__(PyArrowData.convert_table(arrow, table.schema()))


def from_arrow(con: Any, name: str, arrow: Any) -> Any:
    """An Arrow table as the temporary view `name`, read as an Ibis table of its own types."""
    import ibis.expr.operations as ops
    from ibis.formats.pyarrow import PyArrowSchema

    con._session.createDataFrame(arrow).createOrReplaceTempView(name)
    return ops.DatabaseTable(name, schema=PyArrowSchema.to_ibis(arrow.schema), source=con,
                             namespace=ops.Namespace()).to_expr()


def prepare_tables(con: Any, table: Any) -> None:
    """The in-memory tables `table` reads, each made a temporary view once, through Arrow (Ibis's
    own path goes through pandas and fails on a NULL decimal)."""
    import ibis.expr.operations as ops

    for memtable in table.op().find(ops.InMemoryTable):
        if memtable in con._memtables:
            continue
        arrow = memtable.data.to_pyarrow(memtable.schema)
        con._session.createDataFrame(arrow).createOrReplaceTempView(memtable.name)
        con._memtables.add(memtable)


def view(con: Any, name: str, table: Any) -> Any:
    """`table` as the temporary view `name`, computed where it is read."""
    import ibis.expr.operations as ops

    con._session.sql(compiled(con, table)).createOrReplaceTempView(name)
    return ops.DatabaseTable(name, schema=table.schema(), source=con, namespace=ops.Namespace()).to_expr()


def keep_row_order(con: Any, keep: bool) -> None:
    """Nothing to do: Spark keeps no order but the one a query's ORDER BY gives, and qunce orders
    every result it writes."""


def with_row_ids(table: Any, column: str) -> Any:
    """Row numbers in the order of every column (Spark has no stored row ids, and an id a
    recomputed partition could change would not do): rows equal in every column are
    interchangeable, so any numbering of them gives the same results."""
    import ibis

    return table.mutate(**{column: (ibis.row_number().over(order_by=list(table.columns))).cast("int64")})
