"""Members, joins and leaves per day by group type, and the interaction rate by group type
(group_daily): speakers ÷ members summed over the type's groups, so that a big group weighs more
than a small one, as the rate's definition (members who posted ÷ members) has it."""

from __future__ import annotations

from typing import Any

from . import text
from .charts import Chart, Section, axis_option, bars, colour, line, rounded
from .folder import Folder


def section(folder: Folder) -> Section | None:
    if not folder.has("group_daily"):
        return None
    say = folder.say
    rows = folder.rows("""
        SELECT CAST(date AS VARCHAR) AS day, group_type, SUM(members_end), SUM(joins), SUM(leaves), SUM(speakers),
               SUM(members)
        FROM group_daily GROUP BY ALL ORDER BY day, group_type""")
    if not rows:
        return None
    days = sorted({r[0] for r in rows})
    types = _types(folder, sorted({r[1] for r in rows}))
    at = {(r[0], r[1]): r for r in rows}

    def per_type(column: int, sign: int = 1) -> list[list[Any]]:
        return [[sign * int(at[(d, kind)][column]) if (d, kind) in at else 0 for d in days] for kind in types]

    members, joins, leaves = per_type(2), per_type(3), per_type(4, -1)
    rate = [[rounded(at[(d, kind)][5] / at[(d, kind)][6]) if (d, kind) in at and at[(d, kind)][6] else None
             for d in days] for kind in types]
    names = [folder.name("group_types", kind) for kind in types]
    charts = [
        Chart("members", say("Members by group type", "各类型群的成员数"), _members_reading(folder, days, names, members),
              ["group_daily"], axis_option(days, [line(n, members[i], colour(i), area=True, stack="members")
                                                  for i, n in enumerate(names)], y_name=say("members", "人"))),
        Chart("joins-leaves", say("Joins and leaves per day", "每日入群与退群"),
              _flow_reading(folder, joins, leaves), ["group_daily"],
              axis_option(days, [bars(n, joins[i], "joins", colour(i)) for i, n in enumerate(names)]
                          + [bars(n, leaves[i], "leaves", colour(i)) for i, n in enumerate(names)],
                          y_name=say("members (leaves below zero)", "人（退群在零线以下）"))),
        Chart("interaction", say("Interaction rate by group type", "各类型群的互动率"),
              _rate_reading(folder, names), ["group_daily"],
              axis_option(days, [line(n, rate[i], colour(i)) for i, n in enumerate(names)],
                          y_name=say("members who posted ÷ members", "发言人数 ÷ 成员数")), fmt="percent"),
    ]
    return Section("members", say("Members and activity", "成员与活跃"), list(charts))


def _types(folder: Folder, seen: list[str]) -> list[str]:
    """The playbook's order of group types, then any other the data has."""
    order = list(folder.facts.get("names", {}).get("group_types", {}))
    return [t for t in order if t in seen] + [t for t in seen if t not in order]


def _members_reading(folder: Folder, days: list[str], names: list[str], members: list[list[int]]) -> str:
    first, last = sum(series[0] for series in members), sum(series[-1] for series in members)
    growth = [series[-1] - series[0] for series in members]
    best = max(range(len(names)), key=lambda i: (growth[i], -i))
    lang = folder.lang
    return folder.say(
        f"Members went from {text.count(first)} on {text.day(days[0], lang)} to {text.count(last)} on "
        f"{text.day(days[-1], lang)}; {names[best]} grew the most ({growth[best]:+,}).",
        f"成员数从 {text.day(days[0], lang)}的 {text.count(first)} 人变为 {text.day(days[-1], lang)}的 "
        f"{text.count(last)} 人；{names[best]}增长最多（{growth[best]:+,} 人）。")


def _flow_reading(folder: Folder, joins: list[list[int]], leaves: list[list[int]]) -> str:
    joined, left = sum(map(sum, joins)), -sum(map(sum, leaves))
    return folder.say(f"{text.count(joined)} joins and {text.count(left)} leaves over the window "
                      f"(net {joined - left:+,}); bars above zero are joins, below zero leaves.",
                      f"期间入群 {text.count(joined)} 人次、退群 {text.count(left)} 人次（净增 {joined - left:+,}）；"
                      "零线以上为入群，以下为退群。")


def _rate_reading(folder: Folder, names: list[str]) -> str:
    rows = folder.rows("""SELECT group_type, SUM(speakers) / NULLIF(SUM(members), 0) FROM group_daily
                          GROUP BY ALL ORDER BY 2 DESC NULLS LAST, 1""")
    if not rows:
        return ""
    overall = folder.rows("SELECT SUM(speakers) / NULLIF(SUM(members), 0) FROM group_daily")[0][0] or 0
    high, low = rows[0], rows[-1]
    high_name, low_name = folder.name("group_types", high[0]), folder.name("group_types", low[0])
    return folder.say(
        f"Over the window {text.percent(overall)} of members posted on an average day; highest in {high_name} "
        f"({text.percent(high[1])}), lowest in {low_name} ({text.percent(low[1])}).",
        f"整个期间平均每天 {text.percent(overall)} 的成员发言；{high_name}最高（{text.percent(high[1])}），"
        f"{low_name}最低（{text.percent(low[1])}）。")
