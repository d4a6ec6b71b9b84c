"""`qunce explain --staff`'s SOP lines: a staff member's tasks by status per month, the tasks
missed or done late (when, which, where, how late) and the churn warnings they owned."""

from __future__ import annotations

from typing import Any

SHOWN = 20  # tasks listed before "… and N more (see sop_tasks)"


def sop_lines(con: Any, result: Any, playbook: Any, roster: Any, staff_id: str, lang: str) -> list[str]:
    """The lines of `staff_id`'s SOP assessment (assess.stage.SopResult), in `lang`."""
    from ..compute import fetch_rows
    from .status import LATE, MISSED, WARNING_ACTED, WARNING_NOT_DUE

    zh = lang == "zh"
    names = {s.id: s.name for s in roster.staff}
    groups = {g.id: g.name for g in roster.groups}
    items = {i.id: i.name or i.id for i in playbook.sop}
    name = names.get(staff_id, staff_id)
    out = [f"SOP 考核 · {name}（{staff_id}）" if zh else f"SOP assessment · {name} ({staff_id})"]
    c = result.compliance
    months = fetch_rows(con, c.filter((c.staff_id == staff_id) & (c.grain == "month")).order_by(["period_start", "role"]))
    if not months:
        return [*out, "  本期没有分配给此人的 SOP 任务" if zh else "  no SOP task was this person's in the window"]
    for m in months:
        rate = "—" if m["on_time_rate"] is None else f"{m['on_time_rate']:.1%}"
        median = "" if m["median_late_minutes"] is None else (
            f"（中位 {m['median_late_minutes']:g} 分钟）" if zh else f" (median {m['median_late_minutes']:g} min)")
        month = m["period_start"].strftime("%Y-%m")
        out.append(f"  {month} {playbook.roles[m['role']].name if m['role'] in playbook.roles else m['role']}："
                   f"应做 {m['due']}，按时 {m['on_time']}，迟做 {m['late']}{median}，漏做 {m['missed']}，"
                   f"不可考核 {m['not_observable']}，未到期 {m['not_due']}；准时率 {rate}" if zh else
                   f"  {month} {m['role']}: {m['due']} due, {m['on_time']} on time, {m['late']} late{median}, "
                   f"{m['missed']} missed, {m['not_observable']} not observable, {m['not_due']} not due yet; "
                   f"on-time rate {rate}")
    t = result.tasks
    faults = t.filter((t.staff_id == staff_id) & t.status.isin([MISSED, LATE]))
    listed = fetch_rows(con, faults.order_by(["date", "window_start", "item", "group_id", "member_id"]).limit(SHOWN + 1))
    total = int(fetch_rows(con, faults.aggregate(n=faults.count()))[0]["n"])
    if listed:
        out.append("  漏做与迟做的任务：" if zh else "  Tasks missed or done late:")
    for task in listed[:SHOWN]:
        when = (task["scheduled"] or task["window_start"]).strftime("%Y-%m-%d %H:%M")
        where = groups.get(task["group_id"], task["group_id"] or "")
        whom = f" {task['member_id']}" if task["member_id"] else ""
        if task["status"] == MISSED:
            verdict = "漏做" if zh else "missed"
        else:
            verdict = f"迟做 {task['late_minutes']} 分钟" if zh else f"late by {task['late_minutes']} min"
        place = f"{where}{whom}".strip()  # a per-person task has neither
        out.append(f"    {when} {items.get(task['item'], task['item'])}{f'（{place}）' if place else ''}：{verdict}" if zh
                   else f"    {when} {task['item']}{f' ({place})' if place else ''}: {verdict}")
    if total > SHOWN:
        out.append(f"    ……另有 {total - SHOWN} 条（见 sop_tasks）" if zh else f"    … and {total - SHOWN} more (see sop_tasks)")
    if result.warnings is not None:
        w = result.warnings.filter(result.warnings.owner == staff_id)
        row = fetch_rows(con, w.aggregate(owned=w.count(), acted=(w.status == WARNING_ACTED).sum(),
                                          not_due=(w.status == WARNING_NOT_DUE).sum()))[0]
        owned, acted, not_due = (int(row[k] or 0) for k in ("owned", "acted", "not_due"))
        if owned:
            later = (f"，另有 {not_due} 条未到期" if zh else f", {not_due} not due yet") if not_due else ""
            out.append(f"  流失预警：负责 {owned - not_due} 条，按期跟进 {acted} 条{later}" if zh else
                       f"  Churn warnings: {owned - not_due} owned, {acted} followed up by their due day{later}")
    return out
