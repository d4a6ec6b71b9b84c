"""The simulator's group and member stages on Spark give the tables DuckDB gives (issue 21):
values equal, floats within 1e-12 relative, decimals exact. The events are read and checked by
DuckDB and handed to Spark as Arrow: this holds the shared stage code portable."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import pytest

from qunce.commands.data import DataCheck, DataRequest, load
from qunce.commands.playbook import check
from qunce.commands.simulate import _outputs
from qunce.compute import fetch
from qunce.simulate.group_stage import simulate_groups
from qunce.simulate.members import simulate_members

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "simulate"


def _spark_context(ctx: Any, session: Any) -> Any:
    import ibis

    from qunce.compute.spark import configure, from_arrow

    configure(session, ctx.playbook.timezone)
    con = ibis.pyspark.connect(session)

    def moved(name: str, table: Any) -> Any:
        return None if table is None else from_arrow(con, f"parity_{name}", fetch(ctx.con, table))

    return dataclasses.replace(ctx, con=con, groups=moved("groups", ctx.groups),
                               assignments=moved("assignments", ctx.assignments), events=moved("events", ctx.events),
                               staff_roles=moved("staff_roles", ctx.staff_roles))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    return bool(a == b)


def _differences(duck: Any, spark: Any) -> list[str]:
    found = []
    if duck.schema != spark.schema:
        found.append(f"schema {duck.schema} != {spark.schema}")
    if duck.num_rows != spark.num_rows:
        return [*found, f"rows {duck.num_rows} != {spark.num_rows}"]
    for name in duck.column_names:
        pairs = zip(duck[name].to_pylist(), spark[name].to_pylist(), strict=True)
        bad = [(i, x, y) for i, (x, y) in enumerate(pairs) if not _same(x, y)]
        if bad:
            found.append(f"{name}: {len(bad)} values differ, first {bad[0]}")
    return found


def _generated(tmp: Path) -> tuple[Path, Path, Path]:
    from qunce.commands.events import GenerateRequest, generate

    events = tmp / "events.parquet"
    generate(GenerateRequest(ROOT / "playbooks" / "brand-complete.yaml", events, groups=6, members=300, days=40))
    return ROOT / "playbooks" / "brand-complete.yaml", events, tmp / "events.roster.yaml"


@pytest.mark.parametrize("case", ["example", "brand-complete"])
def test_every_stage_table_equals_duckdb(case: str, spark: Any, tmp_path: Path) -> None:
    if case == "example":
        playbook, events, roster = EXAMPLE / "playbook.yaml", EXAMPLE / "events.csv", EXAMPLE / "roster.yaml"
    else:
        playbook, events, roster = _generated(tmp_path)
    pb = check(playbook).playbook
    assert pb is not None
    ctx = load(pb, DataRequest(events, roster, cache=False), DataCheck())
    assert ctx is not None
    on_spark = _spark_context(ctx, spark)
    duck = _outputs(simulate_groups(ctx), simulate_members(ctx))
    other = _outputs(simulate_groups(on_spark), simulate_members(on_spark))
    compared = 0
    for (name, d, order), (_, s, _) in zip(duck, other, strict=True):
        assert (d is None) == (s is None), name
        if d is None:
            continue
        a, b = fetch(ctx.con, d.order_by(order)), fetch(on_spark.con, s.order_by(order))
        assert a.num_rows > 0 or case == "example", name
        assert _differences(a, b) == [], name
        compared += 1
    assert compared >= 13
