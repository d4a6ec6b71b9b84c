"""SOP 考核 (sop_compliance, sop_warnings; docs/sop-assessment.md): the on-time rate per role and
week, each role's tasks by status, the staff who missed most, and the churn warnings their owners
followed up. Every number is an aggregate of those tables; a folder without them (a playbook
without an SOP, or a run from before the assessment) has no such section."""

from __future__ import annotations

from typing import Any

from ..assess.status import LATE, MISSED, NOT_DUE, NOT_OBSERVABLE, ON_TIME
from ..assess.status import STATUSES as WORDS
from . import text
from .charts import Chart, Section, Table, axis_option, bars, colour, line, rounded
from .folder import Folder

STAFF_SHOWN = 20  # the staff who missed most; every person's counts are in sop_compliance
OWNERS_SHOWN = 20  # the owners with most warnings
# The statuses (each one a column of sop_compliance), in the order a task goes through them, in
# colours that read at a glance: green on time, amber late, red missed, greys for the rest.
COLOURS = {ON_TIME: "#3ba272", LATE: "#fac858", MISSED: "#ee6666", NOT_OBSERVABLE: "#9e9e9e", NOT_DUE: "#c9d1dc"}
STATUSES = tuple((status, WORDS[status][1], WORDS[status][0], hue) for status, hue in COLOURS.items())
ACTED, NOT_ACTED = "#3ba272", "#ee6666"


def section(folder: Folder) -> Section | None:
    if not folder.has("sop_compliance"):
        return None
    # The month rows hold every task once (the week rows too, cut differently): the window's totals.
    totals = folder.rows(f"""SELECT role, {_sums()} FROM sop_compliance WHERE grain = 'month'
                             GROUP BY role ORDER BY role""")
    if not totals:
        return None
    roles = _roles(folder, [r[0] for r in totals])
    items: list[Chart | Table] = [_on_time(folder, roles), _status(folder, roles, totals), _missed(folder)]
    if folder.has("sop_warnings"):
        items += _warnings(folder)
    return Section("sop", folder.say("SOP assessment", "SOP 考核"), items)


def _sums() -> str:
    return ", ".join(f"SUM({status}) AS {status}" for status, *_ in STATUSES)


def _roles(folder: Folder, seen: list[str]) -> list[str]:
    """The playbook's order of roles, then any other the data has."""
    order = list(folder.facts.get("names", {}).get("roles", {}))
    return [r for r in order if r in seen] + sorted(r for r in seen if r not in order)


def _rate(on_time: Any, late: Any, missed: Any) -> float | None:
    """On time ÷ (on time + late + missed): tasks not observable or not due yet are not judged."""
    assessed = int(on_time or 0) + int(late or 0) + int(missed or 0)
    return int(on_time or 0) / assessed if assessed else None


def _on_time(folder: Folder, roles: list[str]) -> Chart:
    say = folder.say
    rows = folder.rows("""SELECT strftime(period_start, '%G-W%V') AS week, role, SUM(on_time), SUM(late), SUM(missed)
                          FROM sop_compliance WHERE grain = 'week' GROUP BY ALL ORDER BY 1, 2""")
    weeks = sorted({r[0] for r in rows})
    rate = {(r[0], r[1]): _rate(*r[2:]) for r in rows}
    series = []
    for i, role in enumerate(roles):
        values = [rate.get((w, role)) for w in weeks]
        if any(v is not None for v in values):
            series.append({**line(folder.name("roles", role), [None if v is None else rounded(v) for v in values],
                                  colour(i)), "showSymbol": True, "connectNulls": False})
    overall = folder.rows("""SELECT SUM(on_time), SUM(late), SUM(missed) FROM sop_compliance
                             WHERE grain = 'month'""")[0]
    whole = _rate(*overall)
    if whole is None:
        reading = say("No task could be judged yet: none was due, or every one is logged and never logged.",
                      "暂无可考核的任务：没有到期的任务，或全部为需登记而未登记的事项。")
    else:
        per_role = folder.rows("""SELECT role, SUM(on_time), SUM(late), SUM(missed) FROM sop_compliance
                                  WHERE grain = 'month' GROUP BY role""")
        rates = {r[0]: v for r in per_role if (v := _rate(*r[1:])) is not None}
        best = max(rates, key=lambda r: (rates[r], -roles.index(r)))
        worst = min(rates, key=lambda r: (rates[r], roles.index(r)))
        reading = say(f"Over the window {text.percent(whole)} of the tasks that could be assessed were done on time",
                      f"整个期间可考核的任务中 {text.percent(whole)} 按时完成")
        if best != worst:
            reading += say(f"; highest {folder.name('roles', best)} ({text.percent(rates[best])}), lowest "
                           f"{folder.name('roles', worst)} ({text.percent(rates[worst])})",
                           f"；最高的是{folder.name('roles', best)}（{text.percent(rates[best])}），"
                           f"最低的是{folder.name('roles', worst)}（{text.percent(rates[worst])}）")
        reading += say(". The rate is on time ÷ (on time + late + missed), per week.",
                       "。准时率 = 按时 ÷（按时 + 迟做 + 漏做），按周计。")
    return Chart("sop-on-time", say("On-time rate per role and week", "各角色每周的 SOP 准时率"), reading,
                 ["sop_compliance"], axis_option(weeks, series, y_name=say("on-time rate", "准时率")), fmt="percent")


def _status(folder: Folder, roles: list[str], totals: list[tuple[Any, ...]]) -> Chart:
    say = folder.say
    counts = {r[0]: [int(v or 0) for v in r[1:]] for r in totals}
    series = [bars(say(en, zh), [counts[role][i] for role in roles], "tasks", hue)
              for i, (_, en, zh, hue) in enumerate(STATUSES)]
    tasks = sum(sum(c) for c in counts.values())
    missed = {role: counts[role][2] for role in roles}
    most = max(roles, key=lambda r: (missed[r], -roles.index(r)))
    unobservable = sum(c[3] for c in counts.values())
    reading = say(f"{text.count(tasks)} tasks over the window; {folder.name('roles', most)} missed the most "
                  f"({text.count(missed[most])}).",
                  f"期间共 {text.count(tasks)} 项任务；漏做最多的是{folder.name('roles', most)}（{text.count(missed[most])} 项）。")
    if unobservable:
        reading += say(f" {text.count(unobservable)} are not observable: items assessed by logging (sop_done) "
                       "that the data never logs.",
                       f"{text.count(unobservable)} 项不可考核：需登记完成（sop_done）的事项，数据中没有登记。")
    return Chart("sop-status", say("Tasks by status per role", "各角色任务的考核结果"), reading, ["sop_compliance"],
                 axis_option([folder.name("roles", r) for r in roles], series, y_name=say("tasks", "项"),
                             horizontal=True), height=max(240, 44 * len(roles) + 90))


def _missed(folder: Folder) -> Table:
    say = folder.say
    # Per person over the window; the median delay from the tasks themselves (a median of the
    # months' medians is not the window's), for the people shown only.
    rows = folder.rows(f"""
        WITH per AS (
            SELECT staff_id, string_agg(DISTINCT role, ',' ORDER BY role) AS roles, SUM(due) AS due, {_sums()}
            FROM sop_compliance WHERE grain = 'month' GROUP BY staff_id),
        top AS (SELECT * FROM per WHERE missed > 0 ORDER BY missed DESC, staff_id LIMIT {STAFF_SHOWN})
        SELECT * FROM top ORDER BY missed DESC, staff_id""")
    delays: dict[str, Any] = {}
    if rows and folder.has("sop_tasks"):
        ids = ", ".join("'" + str(r[0]).replace("'", "''") + "'" for r in rows)  # literals: no bound string
        delays = dict(folder.rows(f"""SELECT staff_id, MEDIAN(late_minutes) FROM sop_tasks
                                      WHERE status = 'late' AND staff_id IN ({ids}) GROUP BY staff_id"""))
    table_rows = []
    for staff_id, roles, due, on_time, late, missed, unobservable, _ in rows:
        rate = _rate(on_time, late, missed)
        delay = delays.get(staff_id)
        table_rows.append([folder.staff(staff_id), "、".join(folder.name("roles", r) for r in roles.split(",")),
                           text.count(due), text.count(on_time), text.count(late), text.count(missed),
                           text.count(unobservable), "—" if rate is None else text.percent(rate),
                           "—" if delay is None else _minutes(delay, folder.lang)])
    people = folder.rows("SELECT COUNT(DISTINCT staff_id) FROM sop_compliance WHERE grain = 'month' AND missed > 0")[0][0]
    if rows:
        top = rows[0]
        reading = say(f"{text.count(people)} staff missed at least one task; {folder.staff(top[0])} missed the most "
                      f"({text.count(top[5])} of {text.count(top[2])} due).",
                      f"{text.count(people)} 名员工有漏做；{folder.staff(top[0])}漏做最多（应做 {text.count(top[2])} 项，"
                      f"漏做 {text.count(top[5])} 项）。")
        if people > len(rows):
            reading += say(f" The {len(rows)} who missed most are shown.", f"表中为漏做最多的 {len(rows)} 人。")
    else:
        reading = say("Nobody missed a task.", "没有人漏做任务。")
    return Table("sop-missed", say("Staff with the most missed tasks", "漏做最多的员工"), reading,
                 ["sop_compliance", "sop_tasks"],
                 [say("staff", "员工"), say("role", "角色"), say("due", "应做"), say("on time", "按时"),
                  say("late", "迟做"), say("missed", "漏做"), say("not observable", "不可考核"),
                  say("on-time rate", "准时率"), say("median delay", "迟做时长中位数")], table_rows,
                 numeric={2, 3, 4, 5, 6, 7, 8})


_DUE = "status <> 'not_due'"


def _warnings(folder: Folder) -> list[Chart]:
    say = folder.say
    # a warning whose due day is not over when the data ends is not counted yet
    (owned, acted), = folder.rows(f"SELECT COUNT(*), COUNT(acted_at) FROM sop_warnings WHERE {_DUE}")
    if not owned:
        return []
    rows = folder.rows(f"""SELECT owner, COUNT(*) AS owned, COUNT(acted_at) FROM sop_warnings WHERE {_DUE} GROUP BY owner
                           ORDER BY owned DESC, owner LIMIT {OWNERS_SHOWN}""")
    people = [r[0] for r in rows]
    series = [bars(say("followed up", "已跟进"), [int(r[2]) for r in rows], "warnings", ACTED),
              bars(say("not followed up", "未跟进"), [int(r[1] - r[2]) for r in rows], "warnings", NOT_ACTED)]
    reading = say(f"Their owners followed up {text.count(acted)} of {text.count(owned)} churn warnings "
                  f"({text.percent(acted / owned)}): reached the member one to one from the day after the warning to "
                  "its due date (those not due yet when the data ends are left out).",
                  f"{text.count(owned)} 条流失预警中负责人跟进了 {text.count(acted)} 条（{text.percent(acted / owned)}）："
                  "即在预警次日至到期日内一对一触达该成员（数据结束时尚未到期的预警不计）。")
    owners = folder.rows(f"SELECT COUNT(DISTINCT owner) FROM sop_warnings WHERE {_DUE}")[0][0]
    if owners > len(people):
        reading += say(f" The {len(people)} owners with most warnings are shown.",
                       f"图中为预警最多的 {len(people)} 人。")
    return [Chart("sop-warnings", say("Churn warnings followed up per owner", "各负责人的流失预警跟进"), reading,
                  ["sop_warnings"], axis_option([folder.staff(p) for p in people], series,
                                                y_name=say("warnings", "条"), horizontal=True),
                  height=max(240, 28 * len(people) + 80))]


def _minutes(value: Any, lang: str) -> str:
    minutes = round(float(value))
    if minutes < 60:
        return f"{minutes} 分钟" if lang == "zh" else f"{minutes} min"
    hours = minutes / 60
    return f"{hours:.1f} 小时" if lang == "zh" else f"{hours:.1f} h"

