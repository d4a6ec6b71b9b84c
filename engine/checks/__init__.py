"""Semantic checks, one module per concern; each registers its codes and its check."""

from __future__ import annotations

from engine.checks import (  # noqa: F401  (importing registers the checks)
    commission,
    conditions,
    group_types,
    levels,
    metrics,
    reachability,
    references,
    sop,
    templates,
    unique_ids,
    workload,
)
from engine.checks.context import CheckContext
from engine.checks.registry import CHECKS
from engine.diagnostics import Diagnostic


def run_checks(ctx: CheckContext) -> list[Diagnostic]:
    """Every registered check's findings."""
    found: list[Diagnostic] = []
    for registered in CHECKS:
        found.extend(registered.run(ctx))
    return found
