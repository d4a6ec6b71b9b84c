"""Custom metrics are well formed (an expression, or an event aggregate) and do not
depend on themselves; points rules give points one way."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Code, Diagnostic, diag, register
from ..expr.tree import names_in
from .context import CheckContext
from .registry import check

register(Code(
    "Q801", "custom-metric-shape", "error",
    "A custom metric is neither an expression nor a complete event aggregate.", "自定义指标既不是表达式，也不是完整的事件聚合。",
    "custom metric '{id}' {detail}", "自定义指标 '{id}' {detail}",
    "Write expr: (from other metrics), or event: with agg: (and field: for sum/avg).",
    "写 expr:（由其他指标计算），或写 event: 加 agg:（sum/avg 还需 field:）。",
    bad="- {id: vip_orders, name: VIP订单, scope: member}\n",
    good="- {id: vip_orders, name: VIP订单, scope: member, event: order, agg: count, window: 30d, where: \"channel == 'vip'\"}\n",
    group="metrics",
))
register(Code(
    "Q802", "metric-cycle", "error",
    "Custom metrics are defined in terms of each other in a cycle.", "自定义指标之间循环引用。",
    "custom metric '{id}' depends on itself: {chain}", "自定义指标 '{id}' 依赖于自身：{chain}",
    "Define at least one of them from built-in metrics only.", "至少让其中一个只由内置指标计算。", bad='custom:\n  - {id: a, name: 甲, expr: "b + 1"}\n  - {id: b, name: 乙, expr: "a * 2"}\n', good='custom:\n  - {id: a, name: 甲, expr: "orders_30d + 1"}\n  - {id: b, name: 乙, expr: "a * 2"}\n',
    group="metrics",
))
register(Code(
    "Q803", "earn-rule-shape", "error",
    "A points rule gives points in no way, or in two.", "积分规则没有写或同时写了两种积分方式。",
    "points rule {which} {detail}", "积分规则 {which} {detail}",
    "Give points: (per event) or per_yuan: (per yuan ordered, with on: order).",
    "写 points:（每次事件）或 per_yuan:（每消费 1 元，配合 on: order）。",
    bad="- {on: order}\n", good="- {on: order, per_yuan: 1}\n", group="membership",
))

_FIELD_AGGS = ("sum", "avg")


@check("Q801", "Q802", "Q803")
def metrics_are_well_formed(ctx: CheckContext) -> Iterator[Diagnostic]:
    custom = ctx.playbook.metrics.custom
    for i, metric in enumerate(custom):
        detail = None
        if metric.expr is not None and (metric.event is not None or metric.agg is not None):
            detail = {"en": "has both expr: and event:/agg:; choose one", "zh": "同时写了 expr 和 event/agg；只能选一种"}
        elif metric.expr is None and (metric.event is None or metric.agg is None):
            detail = {"en": "needs expr:, or event: with agg:", "zh": "需要 expr，或 event 加 agg"}
        elif metric.agg in _FIELD_AGGS and not metric.field:
            detail = {"en": f"uses agg: {metric.agg} and needs field: (e.g. amount)", "zh": f"agg 为 {metric.agg} 时需要 field（如 amount）"}
        if detail is not None:
            yield diag("Q801", ctx.span(("metrics", "custom", i, "id")), id=metric.id, detail=detail)
    yield from _cycles(ctx)
    yield from _earn_rules(ctx)


def _cycles(ctx: CheckContext) -> Iterator[Diagnostic]:
    custom = {m.id: i for i, m in enumerate(ctx.playbook.metrics.custom)}
    depends: dict[str, list[str]] = {}
    for metric_id, i in custom.items():
        site = ctx.condition(("metrics", "custom", i, "expr"))
        depends[metric_id] = [n.id for n in names_in(site.expr)] if site and site.expr else []
    reported: set[str] = set()
    for start in custom:
        path = [start]
        stack = [(start, iter(depends.get(start, [])))]
        while stack:
            _node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
            elif child == start:
                if start not in reported:
                    reported.update(path)
                    yield diag("Q802", ctx.span(("metrics", "custom", custom[start], "expr")), id=start,
                               chain=" → ".join([*path, start]))
                break
            elif child in depends and child not in path:
                path.append(child)
                stack.append((child, iter(depends[child])))


def _earn_rules(ctx: CheckContext) -> Iterator[Diagnostic]:
    membership = ctx.playbook.membership
    if membership is None or membership.points is None:
        return
    for i, rule in enumerate(membership.points.earn):
        which = rule.id or f"#{i + 1}"
        detail = None
        if rule.points is None and rule.per_yuan is None:
            detail = {"en": "gives no points: add points: or per_yuan:", "zh": "没有给分：请写 points 或 per_yuan"}
        elif rule.points is not None and rule.per_yuan is not None:
            detail = {"en": "has both points: and per_yuan:; choose one", "zh": "同时写了 points 和 per_yuan；只能选一种"}
        elif rule.per_yuan is not None and rule.on != "order":
            detail = {"en": f"uses per_yuan: with on: {rule.on}; per_yuan is for orders", "zh": f"per_yuan 只用于订单，此处为 on: {rule.on}"}
        if detail is not None:
            yield diag("Q803", ctx.span(("membership", "points", "earn", i)), which=which, detail=detail)
