"""The commission plan adds up: KPI weights sum to 1, and still do after each dynamic
adjustment; the role split sums to 1; targets are positive; the pay curve and rate
table rise with attainment."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..diagnostics import Code, Diagnostic, diag, register
from ..model.commission import Commission
from .context import CheckContext
from .registry import check

register(Code(
    "Q601", "weights-sum", "error",
    "KPI weights do not sum to 1.", "KPI 权重之和不等于 1。",
    "KPI weights sum to {total}, not 1", "KPI 权重之和为 {total}，而不是 1",
    "Each weight is a KPI's share of the payout; make them add up to exactly 1 ({detail}).",
    "权重是各 KPI 在提成中的占比，合计须恰好为 1（{detail}）。",
    bad="kpis:\n  - {id: growth, name: 增长, metric: net_new_members, target: 150, weight: 0.5}\n"
        "  - {id: activity, name: 活跃, metric: interaction_rate, target: 0.15, weight: 0.4}\n",
    good="kpis:\n  - {id: growth, name: 增长, metric: net_new_members, target: 150, weight: 0.6}\n"
         "  - {id: activity, name: 活跃, metric: interaction_rate, target: 0.15, weight: 0.4}\n",
    group="commission",
))
register(Code(
    "Q602", "adjustment-weights", "error",
    "A dynamic adjustment would push a KPI weight below 0 or above 1.", "动态调整会使某个 KPI 权重小于 0 或大于 1。",
    "after {which}, the weight of '{kpi}' would be {weight}",
    "{which}时，'{kpi}' 的权重将变为 {weight}",
    "Weights stay within 0 … 1 when every adjustment fires in the same period; move less weight.",
    "即使所有调整在同一期同时生效，权重也必须在 0 … 1 之间；请减少移动的权重。",
    bad="adjust:\n  - {when: \"retention_rate < 0.4\", move: 0.5, from: growth, to: activity}   # growth weighs 0.3\n",
    good="adjust:\n  - {when: \"retention_rate < 0.4\", move: 0.1, from: growth, to: activity}\n", group="commission",
))
register(Code(
    "Q603", "split-sum", "error",
    "The role split does not sum to 1.", "按角色分配的比例之和不等于 1。",
    "role shares sum to {total}, not 1", "角色分配比例之和为 {total}，而不是 1",
    "The split divides a group's payout among its staff; the shares must add up to 1.",
    "split 把一个群的提成分给群内员工，比例合计须为 1。",
    bad="split: {owner: 0.6, admin: 0.3}\n", good="split: {owner: 0.6, admin: 0.3, helper: 0.1}\n", group="commission",
))
register(Code(
    "Q604", "target-not-positive", "error",
    "A KPI target is zero or negative.", "KPI 目标值不是正数。",
    "target of KPI '{kpi}' is {target}; it must be positive",
    "KPI '{kpi}' 的目标值为 {target}，必须是正数",
    "Attainment divides by the target; for 'lower is better' KPIs set direction: lower.",
    "达成率要除以目标值；“越低越好”的指标请设置 direction: lower。",
    bad="- {id: churn, name: 退群率, metric: leave_rate, target: 0, weight: 0.2}\n",
    good="- {id: churn, name: 退群率, metric: leave_rate, target: 0.05, weight: 0.2, direction: lower}\n",
    group="commission",
))
register(Code(
    "Q605", "curve-not-monotone", "error",
    "The pay curve or rate table does not rise with attainment.", "支付曲线或费率表没有随达成率递增。",
    "{detail}", "{detail}",
    "List points by increasing attainment; a higher attainment must never pay a lower factor.",
    "按达成率从低到高排列；达成率更高时系数不能更低。",
    bad="curve: [[0.5, 0.5], [1.0, 1.2], [1.5, 1.0]]\n", good="curve: [[0.5, 0.5], [1.0, 1.0], [1.5, 2.0]]\n",
    group="commission",
))
register(Code(
    "Q606", "curve-and-rates", "error",
    "A plan gives both a pay curve and a rate table.", "方案同时写了支付曲线和费率表。",
    "give either curve: or rates:, not both", "curve 与 rates 只能二选一",
    "Use curve: for a smooth payout, rates: for brackets.", "平滑计算用 curve，分档计算用 rates。", bad='curve: [[0.5, 0.5], [1.0, 1.0]]\nrates: {mode: tiered, brackets: [{from: 0.8, rate: 1.0}]}\n', good='curve: [[0.5, 0.5], [1.0, 1.0]]\n',
    group="commission",
))
register(Code(
    "Q607", "commission-window", "error",
    "A commission KPI or condition reads a rolling window.", "提成的考核指标或条件用了滚动窗口指标。",
    "'{name}' is a rolling-window metric; commission reads the period's own metrics",
    "'{name}' 是滚动窗口指标；提成只读取本期指标",
    "Commission is settled per period: write the metric without _Nd or _total ({base}).",
    "提成按结算周期计算：请去掉 _Nd 或 _total 后缀（{base}）。",
    bad="kpis:\n  - {id: activity, name: 活跃度, metric: interaction_rate_7d, target: 0.15, weight: 1}\n",
    good="kpis:\n  - {id: activity, name: 活跃度, metric: interaction_rate, target: 0.15, weight: 1}\n",
    group="commission",
))


def _total(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


@check("Q607")
def commission_reads_periods(ctx: CheckContext) -> Iterator[Diagnostic]:
    """The simulator settles commission on the period's metrics; a rolling window would be
    silently something else."""
    plan = ctx.playbook.commission
    if plan is None:
        return
    from ..expr.tree import names_in

    names = ctx.names("staff")
    for i, kpi in enumerate(plan.kpis):
        found = names.resolve(kpi.metric)
        if found is not None and (found.days is not None or found.total):
            yield diag("Q607", ctx.span(("commission", "kpis", i, "metric")), name=kpi.metric, base=found.metric.id)
    for site in ctx.conditions:
        if site.path[0] != "commission" or site.expr is None:
            continue
        for name in names_in(site.expr):
            found = names.resolve(name.id)
            if found is not None and (found.days is not None or found.total):
                yield diag("Q607", ctx.span_inside(site.path, name.offset, len(name.id)), name=name.id,
                           base=found.metric.id)


@check("Q204")
def kpis_measure_numbers(ctx: CheckContext) -> Iterator[Diagnostic]:
    """Attainment divides a KPI's value by its target: a text name (group_type) has none."""
    plan = ctx.playbook.commission
    if plan is None:
        return
    names = ctx.names("staff")
    for i, kpi in enumerate(plan.kpis):
        found = names.resolve(kpi.metric)
        if found is not None and found.metric.type != "number":
            yield diag("Q204", ctx.span(("commission", "kpis", i, "metric")), detail={
                "en": f"KPI '{kpi.id}' measures '{kpi.metric}', which is {found.metric.type}; a KPI needs a number",
                "zh": f"KPI '{kpi.id}' 的指标 '{kpi.metric}' 是文本，KPI 需要数字指标"})


@check("Q601", "Q602", "Q603", "Q604", "Q605", "Q606")
def commission_adds_up(ctx: CheckContext) -> Iterator[Diagnostic]:
    plan = ctx.playbook.commission
    if plan is None:
        return
    weights = {k.id: k.weight for k in plan.kpis}
    total = _total(list(weights.values()))
    if total != 1:
        detail = " + ".join(f"{k.id} {k.weight}" for k in plan.kpis)
        yield diag("Q601", ctx.key_span(("commission", "kpis")), total=_fmt(total), detail=detail)
    else:
        yield from _adjustments(ctx, plan, weights)
    if plan.split:
        split_total = _total(list(plan.split.values()))
        if split_total != 1:
            yield diag("Q603", ctx.key_span(("commission", "split")), total=_fmt(split_total))
    for i, kpi in enumerate(plan.kpis):
        if kpi.target <= 0:
            yield diag("Q604", ctx.span(("commission", "kpis", i, "target")), kpi=kpi.id, target=_fmt(kpi.target))
    if plan.curve is not None and plan.rates is not None:
        yield diag("Q606", ctx.key_span(("commission", "rates")))
    yield from _curve(ctx, plan)


def _adjustments(ctx: CheckContext, plan: Commission, weights: dict[str, Decimal]) -> Iterator[Diagnostic]:
    together = dict(weights)
    for i, rule in enumerate(plan.adjust):
        if rule.from_ not in weights or rule.to not in weights:
            continue  # the reference check reports it
        alone = dict(weights)
        alone[rule.from_] -= rule.move
        alone[rule.to] += rule.move
        together[rule.from_] -= rule.move
        together[rule.to] += rule.move
        for kpi in (rule.from_, rule.to):
            if not 0 <= alone[kpi] <= 1:
                which = {"en": f"adjustment {i + 1}", "zh": f"第 {i + 1} 条调整生效"}
                yield diag("Q602", ctx.span(("commission", "adjust", i, "move")), which=which, kpi=kpi,
                           weight=_fmt(alone[kpi]))
    if all(0 <= w <= 1 for w in (weights[r.from_] - r.move for r in plan.adjust if r.from_ in weights)):
        for kpi, weight in together.items():
            if not 0 <= weight <= 1:
                which = {"en": "all adjustments fire together", "zh": "所有调整在同一期同时生效"}
                yield diag("Q602", ctx.key_span(("commission", "adjust")), which=which, kpi=kpi, weight=_fmt(weight))


def _curve(ctx: CheckContext, plan: Commission) -> Iterator[Diagnostic]:
    if plan.curve is not None:
        points = plan.curve.points
        # `curve: [[…], …]` is shorthand for `curve: {points: [[…], …]}`.
        full: tuple[str, ...] = ("commission", "curve", "points")
        at = full if ctx.positions.exact(full) is not None else full[:2]
        for i in range(1, len(points)):
            (a0, f0), (a1, f1) = points[i - 1], points[i]
            if a1 <= a0:
                yield diag("Q605", ctx.span((*at, i)), detail={
                    "en": f"point {i + 1}: attainment {a1} does not come after {a0}",
                    "zh": f"第 {i + 1} 个点：达成率 {a1} 没有大于前一个点的 {a0}"})
            elif f1 < f0:
                yield diag("Q605", ctx.span((*at, i)), detail={
                    "en": f"point {i + 1}: factor {f1} is lower than {f0} at a lower attainment",
                    "zh": f"第 {i + 1} 个点：系数 {f1} 低于达成率更低时的 {f0}"})
        if plan.curve.cap is not None and points and plan.curve.cap < points[0][1]:
            yield diag("Q605", ctx.span(("commission", "curve", "cap")), detail={
                "en": f"the cap {plan.curve.cap} is below the first factor {points[0][1]}",
                "zh": f"系数上限 {plan.curve.cap} 低于第一个点的系数 {points[0][1]}"})
    if plan.rates is not None:
        brackets = plan.rates.brackets
        for i in range(1, len(brackets)):
            if brackets[i].from_ <= brackets[i - 1].from_:
                yield diag("Q605", ctx.span(("commission", "rates", "brackets", i, "from")), detail={
                    "en": f"bracket {i + 1} starts at {brackets[i].from_}, not above {brackets[i - 1].from_}",
                    "zh": f"第 {i + 1} 档起点 {brackets[i].from_} 没有大于上一档的 {brackets[i - 1].from_}"})
            elif brackets[i].rate < brackets[i - 1].rate:
                yield diag("Q605", ctx.span(("commission", "rates", "brackets", i, "rate")), detail={
                    "en": f"bracket {i + 1} pays {brackets[i].rate}, less than the bracket below it",
                    "zh": f"第 {i + 1} 档费率 {brackets[i].rate} 低于下一档"})


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


register(Code(
    "Q608", "pays-on-missing-sop", "warning",
    "The commission pays on the SOP assessment, but the playbook has no SOP.",
    "提成方案用到了 SOP 考核指标，但剧本没有 SOP。",
    "'{name}' measures the SOP assessment, and this playbook has no sop: items; it is always {value}",
    "'{name}' 是 SOP 考核指标，而本剧本没有 sop 事项；它将恒为 {value}",
    "Add the sop: items the staff are assessed on, or take the metric out of the plan.",
    "请写出员工要被考核的 sop 事项，或从方案中去掉该指标。",
    bad="kpis:\n  - {id: sop, name: SOP执行, metric: sop_on_time_rate, target: 1, weight: 1}\n",
    good="sop:\n  - {id: topic, role: owner, every: daily 19:30}\n",
    group="commission",
))


@check("Q608")
def pays_on_the_sop(ctx: CheckContext) -> Iterator[Diagnostic]:
    """A plan paying on sop_on_time_rate (…) without an SOP pays on a constant: no task is ever
    assessed (commission/sop_metrics.defaults)."""
    from ..catalog import KPI_EXTRA
    from ..expr.tree import names_in

    plan = ctx.playbook.commission
    if plan is None or ctx.playbook.sop:
        return
    names = ctx.names("staff")
    constant = {"sop_on_time_rate": "1", "sop_missed": "0", "warnings_acted_rate": "1"}
    for i, kpi in enumerate(plan.kpis):
        found = names.resolve(kpi.metric)
        if found is not None and found.id in KPI_EXTRA:
            yield diag("Q608", ctx.span(("commission", "kpis", i, "metric")), name=kpi.metric,
                       value=constant[found.id])
    for site in ctx.conditions:
        if site.path[0] != "commission" or site.expr is None:
            continue
        for name in names_in(site.expr):
            found = names.resolve(name.id)
            if found is not None and found.id in KPI_EXTRA:
                yield diag("Q608", ctx.span_inside(site.path, name.offset, len(name.id)), name=name.id,
                           value=constant[found.id])
