"""Semantic checks, one module per concern; each registers its codes and its check."""

from __future__ import annotations

from ..diagnostics import Diagnostic
from . import (  # noqa: F401  (importing registers the checks)
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
    working_hours,
    workload,
)
from .context import CheckContext
from .registry import CHECKS


def run_checks(ctx: CheckContext) -> list[Diagnostic]:
    """Every registered check's findings."""
    found: list[Diagnostic] = []
    for registered in CHECKS:
        found.extend(registered.run(ctx))
    return found
