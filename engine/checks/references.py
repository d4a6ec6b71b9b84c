"""Every reference resolves: roles, group types, levels, templates, churn warnings,
KPIs and metrics named elsewhere in the playbook exist."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..catalog import KPI_EXTRA
from ..diagnostics import Code, Diagnostic, diag, register
from ..model.schema_errors import suggest
from .context import CheckContext
from .registry import check

register(Code(
    "Q402", "unknown-reference", "error",
    "A reference names something the playbook does not define.", "引用了剧本中未定义的内容。",
    "{kind} '{name}' is not defined{suggestion}",
    "未定义的{kind} '{name}'{suggestion}",
    "Defined {kind_plural}: {known}.", "已定义的{kind}：{known}。",
    bad="roles:\n  owner: {name: 群主}\nsop:\n  - {id: topic, role: onwer, every: daily 20:00}\n",
    good="roles:\n  owner: {name: 群主}\nsop:\n  - {id: topic, role: owner, every: daily 20:00}\n",
    group="structure",
))

_KINDS = {
    "role": ("role", "roles", "角色", "roles"),
    "group_type": ("group type", "group types", "群类型", "group_types"),
    "level": ("level", "levels", "会员等级", "membership"),
    "template": ("template", "templates", "消息模板", "templates"),
    "warning": ("churn warning", "churn warnings", "流失预警", "churn"),
    "kpi": ("KPI", "KPIs", "考核指标", "commission"),
    "metric": ("metric", "metrics", "指标", "metrics"),
}


def _refs(ctx: CheckContext) -> Iterator[tuple[str, tuple[Any, ...], str]]:
    pb = ctx.playbook
    for role_id, role in pb.roles.items():
        if role.reports_to:
            yield "role", ("roles", role_id, "reports_to"), role.reports_to
    for type_id, group_type in pb.group_types.items():
        for i, role_id in enumerate(group_type.entry.roles):
            yield "role", ("group_types", type_id, "entry", "roles", i), role_id
        if group_type.entry.min_level:
            yield "level", ("group_types", type_id, "entry", "min_level"), group_type.entry.min_level
        for role_id in group_type.staffing:
            yield "role", ("group_types", type_id, "staffing", role_id), role_id
    for i, item in enumerate(pb.sop):
        yield "role", ("sop", i, "role"), item.role
        for j, type_id in enumerate(item.group_types):
            yield "group_type", ("sop", i, "group_types", j), type_id
        if item.template:
            yield "template", ("sop", i, "template"), item.template
        if item.warning:
            yield "warning", ("sop", i, "warning"), item.warning
    for i, warning in enumerate(pb.churn):
        if warning.role:
            yield "role", ("churn", i, "role"), warning.role
        if warning.template:
            yield "template", ("churn", i, "template"), warning.template
    if pb.membership is not None:
        for i, care in enumerate(pb.membership.care):
            for j, level in enumerate(care.levels):
                yield "level", ("membership", "care", i, "levels", j), level
            if care.template:
                yield "template", ("membership", "care", i, "template"), care.template
    plan = pb.commission
    if plan is not None:
        for role_id in plan.split:
            yield "role", ("commission", "split", role_id), role_id
        for i, rule in enumerate(plan.adjust):
            yield "kpi", ("commission", "adjust", i, "from"), rule.from_
            yield "kpi", ("commission", "adjust", i, "to"), rule.to
        for i, kpi in enumerate(plan.kpis):
            yield "metric", ("commission", "kpis", i, "metric"), kpi.metric


def _labels(ctx: CheckContext, kind: str) -> dict[str, str]:
    # People type the Chinese name where the id belongs; point them to the id.
    pb = ctx.playbook
    if not ctx.usable(_KINDS[kind][3]) and kind in _WRITTEN:
        return {name: key for key, name in ctx.written_names(_WRITTEN[kind]).items()}
    if kind == "role":
        return {role.name: key for key, role in pb.roles.items()}
    if kind == "group_type":
        return {gt.name: key for key, gt in pb.group_types.items()}
    if kind == "level" and pb.membership:
        return {lv.name: lv.id for lv in pb.membership.levels}
    if kind == "warning":
        return {w.name: w.id for w in pb.churn}
    if kind == "kpi" and pb.commission:
        return {k.name: k.id for k in pb.commission.kpis}
    return {}


_WRITTEN = {"role": ("roles",), "group_type": ("group_types",), "level": ("membership", "levels"),
            "warning": ("churn",), "kpi": ("commission", "kpis")}


def _known(ctx: CheckContext, kind: str) -> Iterable[str] | None:
    pb = ctx.playbook
    if not ctx.usable(_KINDS[kind][3]):
        # The section failed to load for its own reasons (reported already);
        # its ids as written still tell a wrong reference from a right one.
        return ctx.written_ids(_WRITTEN[kind]) if kind in _WRITTEN else None
    if kind == "role":
        return pb.roles
    if kind == "group_type":
        return pb.group_types
    if kind == "level":
        return [lv.id for lv in pb.membership.levels] if pb.membership else []
    if kind == "template":
        return pb.all_templates()
    if kind == "warning":
        return [w.id for w in pb.churn]
    if kind == "kpi":
        return [k.id for k in pb.commission.kpis] if pb.commission else []
    return None


@check("Q402")
def references_resolve(ctx: CheckContext) -> Iterator[Diagnostic]:
    names = ctx.names("group")
    for kind, path, name in _refs(ctx):
        en, en_plural, zh, _ = _KINDS[kind]
        if kind == "metric":
            extra = ctx.names("staff").resolve(name)  # a KPI may measure the SOP assessment too
            if names.resolve(name) is not None or (extra is not None and extra.id in KPI_EXTRA):
                continue
            choices = names.examples()
            plain_ids = sorted({*names.single, *names.windowed})
            shown = ", ".join(plain_ids)
            yield diag("Q402", ctx.span(path), kind={"en": en, "zh": zh}, kind_plural={"en": en_plural, "zh": zh},
                       name=name, suggestion=suggest(name, choices), known=shown)
            continue
        else:
            known = _known(ctx, kind)
            if known is None or name in known:
                continue
            choices = list(known)
        listed = ", ".join(sorted(choices)[:12]) + (" …" if len(choices) > 12 else "")
        span = ctx.key_span(path) if path[-1] == name else ctx.span(path)
        by_label = _labels(ctx, kind).get(name)
        hint = ({"en": f"; use the id '{by_label}' (its name is {name})", "zh": f"；请写 id '{by_label}'（“{name}”是它的名称）"}
                if by_label else suggest(name, choices))
        yield diag("Q402", span, kind={"en": en, "zh": zh}, kind_plural={"en": en_plural, "zh": zh}, name=name,
                   suggestion=hint, known=listed or {"en": "none", "zh": "无"})
