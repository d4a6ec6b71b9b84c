"""The simulator's group and member stages on Spark give the tables DuckDB gives (issue 21):
values equal, floats within 1e-12 relative, decimals exact. The events are read and checked by
DuckDB and handed to Spark as Arrow: this holds the shared stage code portable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qunce.commands.data import DataCheck, DataRequest, load
from qunce.commands.playbook import check
from qunce.commands.simulate import _outputs
from qunce.compute import fetch
from qunce.simulate.group_stage import simulate_groups
from qunce.simulate.members import simulate_members

from .parity import differences, generated_brand, on_spark

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "simulate"


@pytest.mark.parametrize("case", ["example", "brand-complete"])
def test_every_stage_table_equals_duckdb(case: str, spark: Any, tmp_path: Path) -> None:
    if case == "example":
        playbook, events, roster = EXAMPLE / "playbook.yaml", EXAMPLE / "events.csv", EXAMPLE / "roster.yaml"
    else:
        playbook, events, roster = generated_brand(tmp_path)
    pb = check(playbook).playbook
    assert pb is not None
    ctx = load(pb, DataRequest(events, roster, cache=False), DataCheck())
    assert ctx is not None
    spark_ctx = on_spark(ctx, spark)
    duck = _outputs(simulate_groups(ctx), simulate_members(ctx))
    other = _outputs(simulate_groups(spark_ctx), simulate_members(spark_ctx))
    compared = 0
    for (name, d, order), (_, s, _) in zip(duck, other, strict=True):
        assert (d is None) == (s is None), name
        if d is None:
            continue
        a, b = fetch(ctx.con, d.order_by(order)), fetch(spark_ctx.con, s.order_by(order))
        assert a.num_rows > 0 or case == "example", name
        assert differences(a, b) == [], name
        compared += 1
    assert compared >= 13
