"""The SOP assessment's as-of match on Spark (issue 21): `compute.asof_next` finds what DuckDB's
as-of join finds. Whole runs with the SOP (its three tables equal on both engines) are in
test_engine_parity."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qunce.compute import fetch

from .parity import differences

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "sop"


def test_asof_next_equals_duckdbs_as_of_join(spark: Any) -> None:
    """Spark's running minimum finds what DuckDB's as-of join finds: a right row at the left
    row's very time, the earliest of several after it, none (after every right row, another
    key, or no time at all)."""
    import datetime as dt

    import ibis
    import pyarrow as pa

    from qunce.compute import asof_next
    from qunce.compute.spark import from_arrow as spark_table

    def at(hour: int) -> dt.datetime:
        return dt.datetime(2027, 1, 1, hour)

    left = pa.table({"task": [1, 2, 3, 4, 5], "start": [at(9), at(10), at(13), at(9), None], "k": [1, 1, 1, 2, 1]},
                    pa.schema([("task", pa.int64()), ("start", pa.timestamp("us")), ("k", pa.int64())]))
    right = pa.table({"ek": [1, 1, 1, 3], "ts": [at(9), at(11), at(12), at(9)], "row": [7, 8, 9, 10]},
                     pa.schema([("ek", pa.int64()), ("ts", pa.timestamp("us")), ("row", pa.int64())]))
    duck = ibis.duckdb.connect()
    con = ibis.pyspark.connect(spark)
    found = []
    for c, lt, rt in ((duck, duck.create_table("asof_left", left), duck.create_table("asof_right", right)),
                      (con, spark_table(con, "asof_left", left), spark_table(con, "asof_right", right))):
        joined = asof_next(c, lt, rt, ("start", "ts"), ("k", "ek"))
        found.append(fetch(c, joined.select("task", "ts", "row").order_by("task")))
    assert found[0]["row"].to_pylist() == [7, 8, None, None, None]
    assert differences(found[0], found[1]) == []
