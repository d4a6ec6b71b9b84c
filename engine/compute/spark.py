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
SETTINGS = {"spark.sql.decimalOperations.allowPrecisionLoss": "false",
            # Constraint propagation derives every filter's consequences through every operator:
            # on the stages' wide plans of unions and CASE chains it fails (a union's constraint
            # naming a column it lost: SPARK "key not found") or fills the driver's memory.
            "spark.sql.constraintPropagation.enabled": "false"}


def configure(session: Any, timezone: str) -> None:
    """Set the session's time zone and decimal settings (qunce's results depend on both)."""
    session.conf.set("spark.sql.session.timeZone", timezone)
    # Times a pattern does not read are NULL (a bad time, judged by the checks), never Spark
    # 3's error about the parser it replaced.
    session.conf.set("spark.sql.legacy.timeParserPolicy", "CORRECTED")
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
    # Computed once, and its plan cut to its rows (a local checkpoint, kept by the executors):
    # a cached DataFrame keeps the plan that made it, which Spark analyses again in every query
    # reading it, so that the plans of a chain of stored steps grow with every step (the driver
    # ran out of memory analysing the group stage of 16 events read from Parquet).
    frame = frame.localCheckpoint(eager=True)
    rows = frame.count()
    frame.createOrReplaceTempView(name)
    return ops.DatabaseTable(name, schema=schema, source=con, namespace=ops.Namespace()).to_expr(), int(rows)


def asof_next(left: Any, right: Any, at: tuple[str, str], key: tuple[str, str]) -> Any:
    """compute.asof_next without an as-of join (Spark has none): both sides in one stream per
    key, latest first, each left row taking the smallest of `right`'s rows (time first, so the
    earliest) before it: a running minimum Spark computes in one pass of the sorted stream."""
    import ibis
    import ibis.expr.datatypes as dt

    (left_at, right_at), (left_key, right_key) = at, key
    when = right[right_at].type()
    rest = [c for c in right.columns if c not in (right_at, right_key)]
    found = dt.Struct({right_at: when, **{c: right[c].type() for c in rest}})
    own = {c: left[c].type().copy(nullable=True) for c in left.columns}
    right = right.filter(right[right_at].notnull() & right[right_key].notnull())  # what an as-of join can match
    marks = right.select(_asof_key=right[right_key], _asof_at=right[right_at], _asof_side=ibis.literal(1, "int8"),
                         _asof_found=ibis.struct({c: right[c] for c in found.names}),
                         **{c: ibis.null(t) for c, t in own.items()})
    asks = left.select(_asof_key=left[left_key].cast(right[right_key].type()), _asof_at=left[left_at].cast(when),
                       _asof_side=ibis.literal(0, "int8"), _asof_found=ibis.null(found),
                       **{c: left[c].cast(t) for c, t in own.items()})
    stream = ibis.union(marks, asks, distinct=False)
    # a right row at a left row's very time sorts before it: it counts
    latest_first = ibis.window(group_by="_asof_key", order_by=[ibis.desc("_asof_at"), ibis.desc("_asof_side")],
                               rows=(None, 0))
    stream = stream.mutate(_asof_next=stream._asof_found.min().over(latest_first))
    s = stream.filter(stream._asof_side == 0)
    hit = ibis.ifelse(s._asof_at.notnull() & s._asof_key.notnull(), s._asof_next, ibis.null(found))
    matched_key = ibis.ifelse(hit.notnull(), s._asof_key, ibis.null(s._asof_key.type()))
    return s.select(*left.columns, **{right_key: matched_key}, **{c: hit[c] for c in found.names})


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


def drop(con: Any, name: str) -> None:
    """Uncache the DataFrame under the temporary view `name` and drop the view."""
    session = con._session
    if session.catalog.tableExists(name):
        session.catalog.uncacheTable(name)
        session.catalog.dropTempView(name)


def view(con: Any, name: str, table: Any) -> Any:
    """`table` as the temporary view `name`, computed where it is read."""
    import ibis.expr.operations as ops

    con._session.sql(compiled(con, table)).createOrReplaceTempView(name)
    return ops.DatabaseTable(name, schema=table.schema(), source=con, namespace=ops.Namespace()).to_expr()


def merge_selects(con: Any, merge: bool) -> None:
    """Nothing to do: Spark's SQL is always compiled with Ibis's default (its planning is its cost)."""


def keep_row_order(con: Any, keep: bool) -> None:
    """Nothing to do: Spark keeps no order but the one a query's ORDER BY gives, and qunce orders
    every result it writes."""


def with_stored_row_ids(con: Any, name: str, table: Any, column: str) -> Any:
    """compute.with_stored_row_ids: Spark's own id of each row (its partition's number and its
    place there: unique, computed in parallel), stored at once so that it is never computed
    again (a window numbering every row runs as one task; at 12M events the SOP stage took about
    the same time either way, 207 and 211 s, one run each: its time is elsewhere)."""
    import ibis
    import ibis.expr.datatypes as dt
    import ibis.expr.operations as ops
    from pyspark.sql import functions as F

    frame = con._session.sql(compiled(con, table)).withColumn(column, F.monotonically_increasing_id())
    frame = frame.localCheckpoint(eager=True)
    frame.createOrReplaceTempView(name)
    schema = ibis.schema({**table.schema(), column: dt.Int64(nullable=False)})
    return ops.DatabaseTable(name, schema=schema, source=con, namespace=ops.Namespace()).to_expr()


def repeated_values(table: Any, column: str) -> Any:
    """compute.repeated_values: a count per value, in parallel (a window over the sorted values
    would move every row to one task)."""
    counted = table.group_by(column).aggregate(_n=table.count())
    return counted.filter(counted._n > 1).select(column)
