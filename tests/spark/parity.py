"""The parity suite's helpers: a generated dataset, Arrow tables compared."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def generated_brand(tmp: Path) -> tuple[Path, Path, Path]:
    """(playbook, events, roster): a small generated dataset of playbooks/brand-complete.yaml
    (6 groups, 300 members, 40 days), every stage and the SOP with rows."""
    from qunce.commands.events import GenerateRequest, generate

    events = tmp / "events.parquet"
    generate(GenerateRequest(ROOT / "playbooks" / "brand-complete.yaml", events, groups=6, members=300, days=40))
    return ROOT / "playbooks" / "brand-complete.yaml", events, tmp / "events.roster.yaml"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    return bool(a == b)


def differences(duck: Any, spark: Any) -> list[str]:
    """What differs between two Arrow tables: the schema, the rows, each column's values (floats
    within 1e-12 relative, everything else equal)."""
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
