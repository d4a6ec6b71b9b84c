"""The commission built from Spark's group metrics equals DuckDB's (issue 21): every unit and
every statement line, on docs/examples/commission (worked out by hand) and its raised cap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qunce.commands.data import DataCheck, DataRequest, load
from qunce.commands.playbook import check
from qunce.commission.stage import run_commission
from qunce.commission.tables import statements_table, units_table
from qunce.simulate.group_stage import simulate_groups

from .parity import differences, on_spark

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "commission"


@pytest.mark.parametrize("playbook", ["playbook.yaml", "raised-cap.yaml"])
def test_units_and_statements_equal_duckdb(playbook: str, spark: Any) -> None:
    pb = check(EXAMPLE / playbook).playbook
    assert pb is not None
    ctx = load(pb, DataRequest(EXAMPLE / "events.csv", EXAMPLE / "roster.yaml", cache=False), DataCheck())
    assert ctx is not None
    duck = run_commission(ctx, simulate_groups(ctx).period)
    spark_ctx = on_spark(ctx, spark)
    other = run_commission(spark_ctx, simulate_groups(spark_ctx).period)
    assert duck is not None and other is not None
    units = units_table(duck.book)
    assert units.num_rows > 0
    assert differences(units, units_table(other.book)) == []
    lines = statements_table(duck.book, {}, {})
    assert lines.num_rows > 0
    assert differences(lines, statements_table(other.book, {}, {})) == []
