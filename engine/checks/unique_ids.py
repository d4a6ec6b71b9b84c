"""Ids are unique within their list, and custom metrics do not hide built-in names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..catalog import Names
from ..diagnostics import Code, Diagnostic, diag, register
from .context import CheckContext
from .registry import check

register(Code(
    "Q401", "duplicate-id", "error",
    "Two items of one list share an id.", "同一列表中有重复的 id。",
    "duplicate id '{id}' in {where} (first used at line {first_line})",
    "{where} 中 id '{id}' 重复（第 {first_line} 行已使用）",
    "Ids name things for references and reports; give each item its own.",
    "id 用于引用和报表，每一项都要有自己的 id。",
    bad="segments:\n  - {id: loyal, name: 忠实型, when: \"orders_30d >= 1\"}\n  - {id: loyal, name: 羊毛型}\n",
    good="segments:\n  - {id: loyal, name: 忠实型, when: \"orders_30d >= 1\"}\n  - {id: deal_seeker, name: 羊毛型}\n",
    group="structure",
))
register(Code(
    "Q407", "shadowed-name", "error",
    "A custom metric has the name of a built-in metric or feature.", "自定义指标与内置指标或特征重名。",
    "custom metric '{id}' has the same name as the built-in {label}",
    "自定义指标 '{id}' 与内置指标“{label}”重名",
    "Pick another id, e.g. '{id}_custom'.", "换一个 id，例如 '{id}_custom'。",
    bad="metrics:\n  custom:\n    - {id: messages_30d, name: 发言, expr: \"messages_7d * 4\"}\n",
    good="metrics:\n  custom:\n    - {id: messages_est_30d, name: 估算发言, expr: \"messages_7d * 4\"}\n", group="structure",
))

_LISTS: tuple[tuple[str, ...], ...] = (
    ("segments",), ("lifecycle",), ("churn",), ("sop",), ("rules", "banned"), ("metrics", "custom"),
    ("membership", "levels"), ("membership", "points", "earn"), ("commission", "kpis"),
    ("commission", "bonuses"), ("commission", "adjust"),
)


def _get(root: Any, path: tuple[str, ...]) -> list[Any]:
    node = root
    for key in path:
        node = getattr(node, key, None) if node is not None else None
    return list(node) if isinstance(node, list) else []


@check("Q401", "Q407")
def ids_are_unique(ctx: CheckContext) -> Iterator[Diagnostic]:
    for path in _LISTS:
        seen: dict[str, int] = {}
        for index, item in enumerate(_get(ctx.playbook, path)):
            item_id = getattr(item, "id", None)
            if item_id is None:
                continue
            here = (*path, index, "id")
            if item_id in seen:
                first = ctx.span((*path, seen[item_id], "id")).line
                yield diag("Q401", ctx.span(here), id=item_id, where=".".join(path), first_line=first)
            else:
                seen[item_id] = index
    for index, metric in enumerate(ctx.playbook.metrics.custom):
        builtin = Names(metric.scope).resolve(metric.id)
        if builtin is not None:
            labels = {"en": builtin.label("en"), "zh": builtin.label("zh")}
            yield diag("Q407", ctx.span(("metrics", "custom", index, "id")), id=metric.id, label=labels)
