"""First-match classification (segments, lifecycle states), condition flags (churn
warnings) and the values a condition read, compiled from the same condition trees validation
checked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..catalog import Names
from ..expr.parse import parse
from ..expr.to_ibis import compile_expr
from ..expr.tree import names_in


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


def values_text(text: str, table: Any, names: Names) -> Any:
    """The values a condition reads, as text for reasons: "points_90d=320, orders_30d=1"
    (NULL prints as 0; names missing from `table` are left out)."""
    import ibis

    parts: list[Any] = []
    for name in dict.fromkeys(n.id for n in names_in(parse(text))):
        resolved = names.resolve(name)
        column = resolved.id if resolved and resolved.id in table.columns else name
        if column in table.columns:
            parts += [ibis.literal(f"{column}="), table[column].cast("string").fill_null("0"), ibis.literal(", ")]
    if not parts:
        return ibis.literal("")
    joined = parts[0]
    for part in parts[1:-1]:
        joined = joined.concat(part)
    return joined
