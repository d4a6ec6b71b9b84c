"""Which features and metrics a playbook's conditions read: the simulator computes only those."""

from __future__ import annotations

from collections.abc import Iterable

from ..catalog import Names, Resolved
from ..expr.parse import parse
from ..expr.tree import names_in
from ..model import Playbook
from ..model.metrics import CustomMetric


def resolved_names(texts: Iterable[str | None], names: Names) -> list[Resolved]:
    """Every name the condition texts use, resolved, in first-seen order, without repeats."""
    seen: dict[str, Resolved] = {}
    for text in texts:
        if not text:
            continue
        for name in names_in(parse(text)):
            resolved = names.resolve(name.id)
            if resolved is not None and resolved.id not in seen:
                seen[resolved.id] = resolved
    return list(seen.values())


def custom_read(playbook: Playbook, scope: str, texts: Iterable[str | None], names: Names) -> list[CustomMetric]:
    """The custom expression metrics of `scope` that `texts` read, directly or through one
    another, in declaration order (each is computed from the ones before it)."""
    expressions = {m.id: m for m in playbook.metrics.custom if m.scope == scope and m.expr is not None}
    wanted: set[str] = set()
    pending = [text for text in texts if text]
    while pending:
        for resolved in resolved_names([pending.pop()], names):
            metric = expressions.get(resolved.id)
            if metric is not None and metric.expr is not None and metric.id not in wanted:
                wanted.add(metric.id)
                pending.append(metric.expr)
    return [metric for metric in expressions.values() if metric.id in wanted]


def member_conditions(playbook: Playbook) -> list[str]:
    """The member-scope condition and expression texts: levels, segments, churn, custom metrics."""
    texts: list[str | None] = []
    if playbook.membership is not None:
        for level in playbook.membership.levels:
            texts += [level.promote_when, level.keep_when]
    texts += [segment.when for segment in playbook.segments]
    texts += [warning.when for warning in playbook.churn]
    texts += [metric.expr for metric in playbook.metrics.custom if metric.scope == "member"]
    return [text for text in texts if text]


def event_conditions(playbook: Playbook) -> list[str]:
    """The event-scope filters: earning rules' and custom metrics' `where`."""
    texts: list[str | None] = [metric.where for metric in playbook.metrics.custom]
    if playbook.membership is not None and playbook.membership.points is not None:
        texts += [rule.where for rule in playbook.membership.points.earn]
    return [text for text in texts if text]
