"""SOP items have exactly one trigger, written in the schedule grammar, with the options
that trigger needs; and each says what to do."""

from __future__ import annotations

import math
from collections.abc import Iterator

from ..diagnostics import Code, Diagnostic, diag, register
from ..model.common import Duration
from ..model.sop import TRIGGER_KEYS, SopItem
from ..schedule import ScheduleError, check_rrule, parse_every, rrule_bounds
from .context import CheckContext
from .registry import check

register(Code(
    "Q711", "sop-trigger", "error",
    "An SOP item has no trigger, or more than one.", "SOP 事项没有触发方式，或写了多个。",
    "SOP item '{id}' {detail}", "SOP 事项 '{id}' {detail}",
    "Give exactly one of: every (clock), rrule, days (day of the group's life), days_before_end, on (event).",
    "只写一种：every（时钟）、rrule、days（建群第几天）、days_before_end（结束前第几天）、on（事件）。",
    bad="- {id: topic, role: owner, minutes: 15}\n", good="- {id: topic, role: owner, every: daily 20:00, minutes: 15}\n",
    group="sop",
))
register(Code(
    "Q712", "schedule-syntax", "error",
    "A schedule is not written in the schedule grammar.", "计划的写法不符合规则。",
    "{detail}", "{detail}",
    "Examples: daily 20:00 · weekly mon,thu 20:00 · weekdays 09:00 · monthly 1,15 10:00 · 每周一，四 20:00; "
    "or rrule: FREQ=WEEKLY;BYDAY=MO with at: 10:00.",
    "示例：每天 20:00 · 每周一，四 20:00 · 工作日 09:00 · 每月1,15日 10:00；或 rrule: FREQ=WEEKLY;BYDAY=MO 加 at: 10:00。",
    bad="every: every evening\n", good="every: daily 20:00\n", group="sop",
))
register(Code(
    "Q713", "trigger-option", "error",
    "An SOP item's options do not fit its trigger.", "SOP 事项的选项与触发方式不匹配。",
    "SOP item '{id}': {detail}", "SOP 事项 '{id}'：{detail}",
    "days, days_before_end and member_days need at:; within: goes with on:; warning: goes with on: churn_warning.",
    "days、days_before_end 与 member_days 需要 at:；within: 只用于 on:；warning: 只用于 on: churn_warning。",
    bad="- {id: countdown, role: admin, days: [0, 1]}\n", good="- {id: countdown, role: admin, days: [0, 1], at: \"10:00\"}\n",
    group="sop",
))
register(Code(
    "Q717", "schedule-too-fine", "error",
    "An rrule fires more than once a day.", "rrule 每天触发不止一次。",
    "{detail}", "{detail}",
    "An SOP item is done at most once a day per group, at its at: time: use FREQ=DAILY or coarser, without several "
    "BYHOUR, BYMINUTE or BYSECOND values. For two times a day, write two items.",
    "SOP 事项每群每天最多做一次，时刻由 at: 指定：请用 FREQ=DAILY 或更粗的频率，BYHOUR、BYMINUTE、BYSECOND 只写一个值。"
    "一天两次请写两个事项。",
    bad="- {id: ping, role: owner, rrule: \"FREQ=SECONDLY\", at: \"10:00\"}\n",
    good="- {id: ping, role: owner, rrule: \"FREQ=DAILY\", at: \"10:00\"}\n", group="sop",
))
register(Code(
    "Q719", "schedule-out-of-range", "error",
    "An rrule never fires, starts outside 2000–2100, or repeats less often than every ten years.",
    "rrule 永远不会触发、起始日期不在 2000–2100 年之间，或重复间隔超过十年。",
    "{detail}", "{detail}",
    "Check the BY… parts against each other (there is no 30 February), and keep DTSTART and INTERVAL within the "
    "years a playbook plans.",
    "检查各 BY… 条件是否互相矛盾（没有 2 月 30 日），并让 DTSTART 与 INTERVAL 落在剧本规划的年份之内。",
    bad="- {id: leap, role: owner, rrule: \"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\", at: \"10:00\"}\n",
    good="- {id: leap, role: owner, rrule: \"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28\", at: \"10:00\"}\n", group="sop",
))
register(Code(
    "Q716", "sop-says-nothing", "warning",
    "An SOP item says nothing about what to do.", "SOP 事项没有写要做什么。",
    "SOP item '{id}' has no name, task, template or message", "SOP 事项 '{id}' 没有 name、task、template 或 message",
    "Staff see the task list; tell them what to do.", "员工会看到任务清单；请写明要做什么。",
    bad="- {id: t1, role: owner, every: daily 20:00}\n",
    good="- {id: t1, name: 每日话题, role: owner, every: daily 20:00, content: activation}\n", group="sop",
))


def _beyond_lifespan(ctx: CheckContext, base: tuple[object, ...], item: SopItem,
                     lifespans: dict[str, Duration | None]) -> Iterator[Diagnostic]:
    # A day past the end of every group the item applies to never comes.
    types = [t for t in (item.group_types or list(lifespans)) if t in lifespans]
    spans = [lifespans[t] for t in types]
    if not types or any(span is None for span in spans):
        return
    longest = max(math.ceil(span.days) for span in spans if span is not None)
    for key in ("days", "days_before_end"):
        late = [day for day in getattr(item, key) if day >= longest]
        if late:
            shown = ", ".join(map(str, late))
            shown_zh = "、".join(map(str, late))
            yield _option(ctx, base, key, item.id,
                          f"day {shown} never comes: its groups live {longest} day(s) (days {'0' if longest == 1 else f'0–{longest - 1}'})",
                          f"第 {shown_zh} 天不会到来：这些群只存续 {longest} 天")


def triggers(item: SopItem) -> list[str]:
    """The trigger keys an item sets."""
    return [key for key in TRIGGER_KEYS if getattr(item, key) not in (None, [])]


@check("Q711", "Q712", "Q713", "Q716", "Q717", "Q719")
def sop_items_are_scheduled(ctx: CheckContext) -> Iterator[Diagnostic]:
    lifespans = {k: gt.lifespan for k, gt in ctx.playbook.group_types.items()}
    for i, item in enumerate(ctx.playbook.sop):
        base = ("sop", i)
        found = triggers(item)
        if len(found) != 1:
            detail = ({"en": "has no trigger", "zh": "没有触发方式"} if not found else
                      {"en": f"has several triggers ({', '.join(found)}); give one",
                       "zh": f"写了多个触发方式（{', '.join(found)}）；只能写一个"})
            yield diag("Q711", ctx.span((*base, "id")), id=item.id, detail=detail)
        if item.every is not None:
            try:
                clock = parse_every(item.every, item.at)
                if clock.at is None:
                    yield _option(ctx, base, "every", item.id, "the schedule needs a time, e.g. daily 20:00",
                                  "计划需要时刻，如 每天 20:00")
            except ScheduleError as exc:
                yield diag("Q712", ctx.span((*base, "every")), detail={"en": exc.en, "zh": exc.zh})
        if item.rrule is not None:
            try:
                check_rrule(item.rrule)
            except ScheduleError as exc:
                yield diag("Q712", ctx.span((*base, "rrule")), detail={"en": exc.en, "zh": exc.zh})
            for bound in rrule_bounds(item.rrule):
                code = "Q717" if bound.kind == "too_fine" else "Q719"
                yield diag(code, ctx.span((*base, "rrule")), detail={"en": bound.en, "zh": bound.zh})
        yield from _options(ctx, base, item, lifespans)
        if not (item.name or item.task or item.template or item.message):
            yield diag("Q716", ctx.span((*base, "id")), id=item.id)


def _option(ctx: CheckContext, base: tuple[object, ...], key: str, item_id: str, en: str, zh: str) -> Diagnostic:
    return diag("Q713", ctx.span((*base, key)), id=item_id, detail={"en": en, "zh": zh})


def _options(ctx: CheckContext, base: tuple[object, ...], item: SopItem, lifespans: dict[str, Duration | None]) -> Iterator[Diagnostic]:
    for key in ("days", "days_before_end", "member_days"):
        if getattr(item, key) and item.at is None:
            yield _option(ctx, base, key, item.id, "a day-count trigger needs at: (time of day)", "按天触发需要 at:（时刻）")
    if item.rrule is not None and item.at is None:
        yield _option(ctx, base, "rrule", item.id, "an rrule needs at: (time of day)", "rrule 需要 at:（时刻）")
    if item.within is not None and item.on is None:
        yield _option(ctx, base, "within", item.id, "within: only goes with an event trigger (on:)",
                      "within: 只能和事件触发（on:）一起用")
    if item.warning is not None and item.on != "churn_warning":
        yield _option(ctx, base, "warning", item.id, "warning: only goes with on: churn_warning",
                      "warning: 只能和 on: churn_warning 一起用")
    if any(day < 0 for day in item.days) or any(day < 0 for day in item.member_days):
        key = "days" if any(day < 0 for day in item.days) else "member_days"
        yield _option(ctx, base, key, item.id, "days count from 0 (the day the group is created or the member joined)",
                      "天数从 0（建群或入群当天）开始计")
    yield from _beyond_lifespan(ctx, base, item, lifespans)
    if item.days_before_end:
        if any(day < 0 for day in item.days_before_end):
            yield _option(ctx, base, "days_before_end", item.id, "days_before_end counts from 0 (the last day)",
                          "days_before_end 从 0（最后一天）开始计")
        types = item.group_types or list(lifespans)
        endless = [t for t in types if t in lifespans and lifespans[t] is None]
        if endless:
            yield _option(ctx, base, "days_before_end", item.id,
                          f"group types without a lifespan never end: {', '.join(endless)}",
                          f"这些群类型没有存续时长，不会结束：{', '.join(endless)}")
    if item.skip_holidays and not ctx.playbook.calendar.holidays:
        yield _option(ctx, base, "skip_holidays", item.id, "skip_holidays is set but calendar.holidays is empty",
                      "设置了 skip_holidays，但 calendar.holidays 为空")
