"""First-match classification (segments, lifecycle states) and condition flags (churn
warnings), compiled from the same condition trees validation checked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.catalog import Names
from engine.expr.parse import parse
from engine.expr.to_ibis import compile_expr


def condition(text: str, table: Any, names: Names) -> Any:
    """A playbook condition as an Ibis boolean over `table` (columns named by canonical ids).
    The playbook was validated, so the text parses and its names resolve."""
    return compile_expr(parse(text), table, names)


def first_match(table: Any, items: Sequence[tuple[str, str | None]], names: Names) -> Any:
    """The id of the first item whose condition holds (None: a catch-all), else NULL."""
    import ibis

    cases: list[tuple[Any, Any]] = []
    for item_id, text in items:
        if text is None:
            return ibis.cases(*cases, else_=ibis.literal(item_id)) if cases else ibis.literal(item_id)
        cases.append((condition(text, table, names).fill_null(False), ibis.literal(item_id)))
    return ibis.cases(*cases, else_=ibis.null("string")) if cases else ibis.null("string")
