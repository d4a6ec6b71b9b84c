"""Membership levels make sense as a ladder: every level above the first can be reached,
a higher level is not easier to reach than a lower one on the same metric, and the bar
to keep a level is no higher than the bar to earn it (hysteresis)."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Code, Diagnostic, diag, register
from ..expr.bounds import Bounds, Interval, bounds
from .context import CheckContext
from .registry import check

register(Code(
    "Q501", "level-order", "error",
    "A higher level is easier to reach than a lower one on the same metric.", "更高等级在同一指标上的晋升门槛反而更低。",
    "level '{level}' asks {this} but the lower level '{lower}' asks {that}",
    "等级 '{level}' 要求 {this}，而更低的等级 '{lower}' 要求 {that}",
    "List levels from lowest to highest, each bar at least as high as the one below.",
    "等级按从低到高排列，每一级的门槛不低于下一级。",
    bad="levels:\n  - {id: member, name: 普通会员}\n  - {id: gold, name: 金卡, promote_when: \"points_90d >= 600\"}\n"
        "  - {id: diamond, name: 钻石, promote_when: \"points_90d >= 300\"}\n",
    good="levels:\n  - {id: member, name: 普通会员}\n  - {id: gold, name: 金卡, promote_when: \"points_90d >= 300\"}\n"
         "  - {id: diamond, name: 钻石, promote_when: \"points_90d >= 600\"}\n",
    group="membership",
))
register(Code(
    "Q502", "keep-stricter-than-promote", "error",
    "The condition to keep a level is stricter than the one to earn it.", "保级条件比晋升条件更严格。",
    "level '{level}' is kept only with {keep}, but earned with {promote}",
    "等级 '{level}' 晋升只需 {promote}，保级却要 {keep}",
    "Keep the bar to stay no higher than the bar to enter (e.g. 80% of it), or members bounce in and out.",
    "保级门槛应不高于晋升门槛（如其 80%），否则成员会反复升降。",
    bad="- {id: silver, name: 银卡, promote_when: \"points_90d >= 300\", keep_when: \"points_90d >= 400\"}\n",
    good="- {id: silver, name: 银卡, promote_when: \"points_90d >= 300\", keep_when: \"points_90d >= 240\"}\n",
    group="membership",
))
register(Code(
    "Q503", "level-unreachable", "error",
    "A level above the first has no promote_when, so no one can reach it.", "第一级以上的等级没有晋升条件，无人能达到。",
    "level '{level}' has no promote_when: no member can be promoted to it",
    "等级 '{level}' 没有 promote_when：没有成员能晋升到该等级",
    "Add promote_when: with the condition to reach it; only the first level is where everyone starts.",
    "添加 promote_when: 晋升条件；只有第一级是所有人的起点。",
    bad="levels:\n  - {id: member, name: 普通会员}\n  - {id: silver, name: 银卡}\n",
    good="levels:\n  - {id: member, name: 普通会员}\n  - {id: silver, name: 银卡, promote_when: \"points_90d >= 300\"}\n",
    group="membership",
))
register(Code(
    "Q504", "base-level-condition", "warning",
    "The first level has a promote_when, but every member starts there anyway.", "第一级写了晋升条件，但所有成员本来就从这一级开始。",
    "the first level '{level}' is where every member starts; its promote_when is never used",
    "第一级 '{level}' 是所有成员的起点，它的 promote_when 不会被使用",
    "Remove it, or add a lower level below it.", "删除它，或在它下面再加一级。", bad='levels:\n  - {id: member, name: 普通会员, promote_when: "points_90d >= 0"}\n', good='levels:\n  - {id: member, name: 普通会员}\n',
    group="membership",
))


def _say(name: str, interval: Interval) -> str:
    parts = []
    if interval.low is not None:
        parts.append(f"{name} {'>' if interval.low_open else '>='} {interval.low}")
    if interval.high is not None:
        parts.append(f"{name} {'<' if interval.high_open else '<='} {interval.high}")
    return " and ".join(parts)


def _easier(upper: Interval, lower: Interval) -> bool:
    # The higher level accepts someone the lower level's bar would refuse.
    if upper.low is not None and lower.low is not None and (
            upper.low < lower.low or (upper.low == lower.low and lower.low_open and not upper.low_open)):
        return True
    if upper.high is not None and lower.high is not None:
        return upper.high > lower.high or (upper.high == lower.high and lower.high_open and not upper.high_open)
    return False


@check("Q501", "Q502", "Q503", "Q504")
def levels_form_a_ladder(ctx: CheckContext) -> Iterator[Diagnostic]:
    membership = ctx.playbook.membership
    if membership is None or not membership.levels:
        return
    promote: list[Bounds | None] = []
    for i, level in enumerate(membership.levels):
        base = ("membership", "levels", i)
        if i == 0 and level.promote_when is not None:
            yield diag("Q504", ctx.span((*base, "promote_when")), level=level.id)
        if i > 0 and level.promote_when is None:
            yield diag("Q503", ctx.span((*base, "id")), level=level.id)
        promote.append(_bounds_at(ctx, (*base, "promote_when")))
        keep = _bounds_at(ctx, (*base, "keep_when"))
        here = promote[-1]
        if keep is not None and here is not None:
            for name, interval in keep.items():
                if name in here and not here[name].within(interval):
                    yield diag("Q502", ctx.span((*base, "keep_when")), level=level.id,
                               keep=_say(name, interval), promote=_say(name, here[name]))
    for j in range(1, len(promote)):
        upper = promote[j]
        if upper is not None:
            yield from _easier_than_below(ctx, j, upper, promote)


def _easier_than_below(ctx: CheckContext, j: int, upper: Bounds, promote: list[Bounds | None]) -> Iterator[Diagnostic]:
    # One finding per level: the nearest lower level it undercuts.
    levels = ctx.playbook.membership.levels if ctx.playbook.membership else []
    for i in range(j - 1, 0, -1):
        lower = promote[i]
        if lower is None:
            continue
        for name, interval in upper.items():
            if name in lower and _easier(interval, lower[name]):
                yield diag("Q501", ctx.span(("membership", "levels", j, "promote_when")), level=levels[j].id,
                           this=_say(name, interval), lower=levels[i].id, that=_say(name, lower[name]))
                return


def _bounds_at(ctx: CheckContext, path: tuple[object, ...]) -> Bounds | None:
    site = ctx.condition(path)
    if site is None or site.expr is None or site.checked is None or site.checked.issues:
        return None
    return bounds(site.expr, ctx.names("member"))
