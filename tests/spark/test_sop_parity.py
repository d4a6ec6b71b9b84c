"""The SOP assessment on Spark gives the tables DuckDB gives (issue 21): sop_tasks,
sop_compliance and sop_warnings, every value equal. The member stage's churn warnings, levels
and homes it reads are DuckDB's handed to Spark as Arrow (test_stage_parity compares those;
running them on Spark here too would double this test's time)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qunce.assess.stage import assess_sop
from qunce.commands.data import DataCheck, DataRequest, load
from qunce.commands.playbook import check
from qunce.commands.simulate import _sop_outputs
from qunce.compute import fetch, fetch_rows, from_arrow
from qunce.simulate.members import simulate_members

from .parity import differences, generated_brand, on_spark

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "sop"


@pytest.mark.parametrize("case", ["sop-example", "brand-complete"])
def test_every_sop_table_equals_duckdb(case: str, spark: Any, tmp_path: Path) -> None:
    if case == "sop-example":
        playbook, events, roster = EXAMPLE / "playbook.yaml", EXAMPLE / "events.csv", EXAMPLE / "roster.yaml"
    else:
        playbook, events, roster = generated_brand(tmp_path)
    pb = check(playbook).playbook
    assert pb is not None and pb.sop
    ctx = load(pb, DataRequest(events, roster, cache=False), DataCheck())
    assert ctx is not None
    spark_ctx = on_spark(ctx, spark)
    members = simulate_members(ctx)

    def moved(name: str, table: Any) -> Any:
        return None if table is None else from_arrow(spark_ctx.con, f"parity_sop_{name}", fetch(ctx.con, table))

    duck = assess_sop(ctx, members.churn, members.levels, members.homes)
    other = assess_sop(spark_ctx, moved("churn", members.churn), moved("levels", members.levels),
                       moved("homes", members.homes))
    assert duck is not None and other is not None
    for (name, d, order), (_, s, _) in zip(_sop_outputs(duck), _sop_outputs(other), strict=True):
        assert (d is None) == (s is None), name
        if d is None:
            assert case == "sop-example", name  # no churn warnings without a membership
            continue
        a, b = fetch(ctx.con, d.order_by(order)), fetch(spark_ctx.con, s.order_by(order))
        assert a.num_rows > 0, name
        assert differences(a, b) == [], name
    # every status the assessment gives is compared, not only the easy ones
    t = duck.tasks
    statuses = {r["status"] for r in fetch_rows(ctx.con, t.select("status").distinct())}
    assert {"on_time", "late", "missed"} <= statuses, statuses


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
