"""The group lifecycle (group_health): how many groups are in each state per period, stacked, and
the groups that should be dissolved with their owner (the owners come from summary.json: the
output tables do not name them)."""

from __future__ import annotations

from . import text
from .charts import Chart, Section, Table, axis_option, bars, colour
from .folder import Folder


def section(folder: Folder) -> Section | None:
    if not folder.has("group_health"):
        return None
    say, lang = folder.say, folder.lang
    rows = folder.rows("SELECT period, state, COUNT(*) FROM group_health GROUP BY ALL ORDER BY period, state")
    if not rows:
        return None
    periods = sorted({r[0] for r in rows})
    order = list(folder.facts.get("names", {}).get("lifecycle", {}))
    seen = sorted({r[1] for r in rows})
    states = [s for s in order if s in seen] + [s for s in seen if s not in order]
    counts = {(r[0], r[1]): int(r[2]) for r in rows}
    series = [bars(folder.name("lifecycle", s), [counts.get((p, s), 0) for p in periods], "groups", colour(i))
              for i, s in enumerate(states)]
    last = periods[-1]
    now = "，".join(f"{folder.name('lifecycle', s)} {counts.get((last, s), 0)} 个" for s in states) if lang == "zh" \
        else ", ".join(f"{counts.get((last, s), 0)} {folder.name('lifecycle', s)}" for s in states)
    items: list[Chart | Table] = [Chart(
        "lifecycle", say("Groups by lifecycle state", "各生命周期状态的群数"),
        say(f"In {text.period(last, lang)}: {now} (groups).", f"{text.period(last, lang)}：{now}。"),
        ["group_health"], axis_option(periods, series, y_name=say("groups", "个群")))]
    items.append(_dissolve(folder))
    return Section("lifecycle", say("Group lifecycle", "群生命周期"), items)


def _dissolve(folder: Folder) -> Table:
    say, lang = folder.say, folder.lang
    # One row per group: the latest period that says it should be dissolved.
    rows = folder.rows("""
        SELECT group_id, arg_max(state, period), arg_max(state_since, period),
               arg_max(dissolve_on, period), arg_max(action, period)
        FROM group_health WHERE should_dissolve GROUP BY group_id ORDER BY 4, 1""")
    known = folder.facts.get("dissolving", {})
    table_rows = []
    for group_id, state, since, dissolve_on, action in rows:
        group = known.get(group_id, {})
        name = f"{group['name']}（{group_id}）" if group and lang == "zh" else \
            f"{group['name']} ({group_id})" if group else group_id
        owners = "、".join(folder.staff(s) for s in group.get("owners", [])) or "—"
        table_rows.append([name, folder.name("lifecycle", state), text.day(since, lang) if since else "—",
                           text.day(dissolve_on, lang) if dissolve_on else "—", owners, action or ""])
    reading = say(f"{len(rows)} groups should be dissolved; ask their owners.", f"{len(rows)} 个群应解散，请联系群主处理。") \
        if rows else say("No group should be dissolved.", "没有应解散的群。")
    return Table("dissolve", say("Groups that should be dissolved", "应解散的群"), reading, ["group_health"],
                 [say("group", "群"), say("state", "状态"), say("in this state since", "进入该状态"),
                  say("dissolve on", "应解散日期"), say("owner", "群主"), say("action", "应对措施")], table_rows)
