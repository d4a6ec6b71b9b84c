"""Every condition parses, uses known names, has sound types and gives true/false.

Codes Q201–Q206 are defined with the other pre-check codes in
engine/diagnostics/codes.py; this check places them inside the YAML scalar. Q207: a name
the scope offers that the rows a condition is evaluated on lack (catalog.NOT_COMPUTED).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import NOT_COMPUTED, Names
from ..diagnostics import Code, Diagnostic, diag, register
from ..expr.tree import names_in
from .context import CheckContext
from .registry import check


@check("Q201", "Q202", "Q203", "Q204", "Q205", "Q206")
def conditions_are_sound(ctx: CheckContext) -> Iterator[Diagnostic]:
    for site in ctx.conditions:
        if site.error is not None:
            error = site.error
            span = ctx.span_inside(site.path, error.offset)
            if error.code == "Q205":
                yield diag("Q205", span, construct={"en": error.en, "zh": error.zh})
            else:
                yield diag("Q201", span, detail={"en": error.en, "zh": error.zh})
            continue
        assert site.checked is not None
        for issue in site.checked.issues:
            length = len(str(issue.params.get("value" if issue.code == "Q206" else "name", ""))) or 1
            yield diag(issue.code, ctx.span_inside(site.path, issue.offset, length), **issue.params)


register(Code(
    "Q207", "name-not-computed-here", "error",
    "A condition reads a name that is not computed where it is evaluated.", "条件读取的名称在此处无法计算。",
    "'{name}'{via} is not computed here: {reason}", "'{name}'{via}在此处无法计算：{reason}",
    "{advice}", "{advice}",
    bad="lifecycle:\n  - {id: alive, name: 社群, when: retention_rate >= 0.5}\n",
    good="lifecycle:\n  - {id: alive, name: 社群, when: leave_rate_7d <= 0.05}\n",
    group="conditions",
))

# What to do instead, by place of catalog.NOT_COMPUTED.
_ADVICE = {
    "group_day": {"en": "Judge the states on daily metrics, e.g. leave_rate_7d; retention_rate suits commission.",
                  "zh": "生命周期请用按天可算的指标，如 leave_rate_7d；留存率可用于提成。"},
    "staff_member": {"en": "Read group_type with a per_group pool, or drop it from the condition.",
                     "zh": "group_type 请用于按群计提（per_group）的奖金池，或从条件中去掉。"},
    "member_metric": {"en": "Read level and level_rank in segments, churn warnings or level conditions.",
                      "zh": "level 和 level_rank 请在用户分类、流失预警或等级条件中使用。"},
}


def _place(ctx: CheckContext, path: tuple[object, ...]) -> str | None:
    """Which place of catalog.NOT_COMPUTED the condition at `path` is evaluated in, if any."""
    plan = ctx.playbook.commission
    if path[0] == "lifecycle":
        return "group_day"
    if path[0] == "commission" and plan is not None and plan.pool.per_staff is not None:
        return "staff_member"
    if path[:2] == ("metrics", "custom") and path[-1] == "expr" and isinstance(path[2], int) \
            and ctx.playbook.metrics.custom[path[2]].scope == "member":
        return "member_metric"
    return None


@check("Q207")
def names_are_computed_where_read(ctx: CheckContext) -> Iterator[Diagnostic]:
    """A lifecycle state reads a group on a day, a per_staff pool a staff member, a custom member
    metric a member before the levels: a name of the scope those rows lack would fail the run.
    A custom group metric is computed where it is read, so what it reads is judged there too."""
    expressions = {m.id: i for i, m in enumerate(ctx.playbook.metrics.custom) if m.scope == "group" and m.expr}
    for site in ctx.conditions:
        place = _place(ctx, site.path)
        if place is None or site.expr is None:
            continue
        lacking, reason = NOT_COMPUTED[place]
        names = ctx.names(site.scope)
        for name in names_in(site.expr):
            missing = _missing(ctx, names, name.id, lacking, expressions, set())
            if missing is None:
                continue
            written, through = missing
            via = ({"en": f" (read by the custom metric '{through}')", "zh": f"（由自定义指标 '{through}' 读取）"}
                   if through else {"en": "", "zh": ""})
            yield diag("Q207", ctx.span_inside(site.path, name.offset, len(name.id)), name=written, via=via,
                       reason=reason, advice=_ADVICE[place])


def _missing(ctx: CheckContext, names: Names, written: str, lacking: frozenset[str], expressions: dict[str, int],
             seen: set[str]) -> tuple[str, str | None] | None:
    """(the name the rows lack, the custom metric that reads it or None) for `written`, or None
    when the rows have it (a cycle is Q802's)."""
    found = names.resolve(written)
    if found is None:
        return None
    if found.id not in expressions or names.scope == "member":
        return (written, None) if found.id in lacking else None
    if found.id in seen:
        return None
    seen.add(found.id)
    site = ctx.condition(("metrics", "custom", expressions[found.id], "expr"))
    for inner in names_in(site.expr) if site is not None and site.expr is not None else ():
        missing = _missing(ctx, ctx.names("group"), inner.id, lacking, expressions, seen)
        if missing is not None:
            return missing[0], missing[1] or found.id
    return None
