"""Member levels (member_levels): members per level per period, the promotions and demotions as a
Sankey (the level before → the level after, over the window) and as a table per period, and the
ladder's conditions beside them (from summary.json: the playbook's conditions in words)."""

from __future__ import annotations

from typing import Any

from . import text
from .charts import Chart, Section, Table, axis_option, bars, colour
from .folder import Folder


def section(folder: Folder) -> Section | None:
    if not folder.has("member_levels"):
        return None
    say, lang = folder.say, folder.lang
    rows = folder.rows("SELECT period, level, MIN(rank), COUNT(*) FROM member_levels GROUP BY ALL ORDER BY 1, 3, 2")
    if not rows:
        return None
    periods = sorted({r[0] for r in rows})
    ranks = {r[1]: r[2] for r in rows}
    ladder = [level["id"] for level in folder.facts.get("levels", [])]
    levels = sorted(ranks, key=lambda lv: (ranks[lv], lv)) if not ladder else \
        [lv for lv in ladder if lv in ranks] + sorted(lv for lv in ranks if lv not in ladder)
    counts = {(r[0], r[1]): int(r[3]) for r in rows}
    last = periods[-1]
    top = [lv for lv in levels if counts.get((last, lv))][-1]
    total = sum(counts.get((last, lv), 0) for lv in levels)
    distribution = Chart(
        "levels", say("Members per level", "各等级会员人数"),
        say(f"At the end of {text.period(last, lang)}, {text.count(total)} members; "
            f"{text.count(counts[(last, top)])} at the top level reached, {folder.name('levels', top)}.",
            f"{text.period(last, lang)}末共 {text.count(total)} 名会员，已达到的最高等级{folder.name('levels', top)} "
            f"{text.count(counts[(last, top)])} 人。"),
        ["member_levels"], axis_option(periods, [bars(folder.name("levels", lv), [counts.get((p, lv), 0) for p in periods],
                                                      "members", colour(i)) for i, lv in enumerate(levels)],
                                       y_name=say("members", "人")))
    items: list[Chart | Table] = [distribution, *_flows(folder, levels)]
    if folder.facts.get("levels"):
        items.append(_ladder(folder))
    return Section("levels", say("Member levels", "会员等级"), items)


def _flows(folder: Folder, levels: list[str]) -> list[Chart | Table]:
    say, lang = folder.say, folder.lang
    rows = folder.rows("""SELECT period, previous_level, level, change, COUNT(*) FROM member_levels
                          WHERE change IN ('promote', 'demote') GROUP BY ALL ORDER BY 1, 4 DESC, 2, 3""")
    promoted = sum(r[4] for r in rows if r[3] == "promote")
    demoted = sum(r[4] for r in rows if r[3] == "demote")
    reading = say(f"{text.count(promoted)} promotions and {text.count(demoted)} demotions over the window.",
                  f"期间晋升 {text.count(promoted)} 人次，降级 {text.count(demoted)} 人次。")
    word = {"promote": say("promoted", "晋升"), "demote": say("demoted", "降级")}
    table = Table("level-flows", say("Promotions and demotions per period", "各期晋升与降级"), reading, ["member_levels"],
                  [say("period", "周期"), say("from", "原等级"), say("to", "新等级"), say("change", "变化"),
                   say("members", "人数")],
                  [[text.period(p, lang), say("new member", "新成员") if a is None else folder.name("levels", a),
                    folder.name("levels", b), word[c], text.count(n)]
                   for p, a, b, c, n in rows], numeric={4})
    if not rows:
        return [table]
    # A Sankey needs distinct nodes on each side: the level before and the level after. A member
    # promoted in the period they joined has no level before: "new member".
    before, after = say("{} (before)", "{}（原）"), say("{} (after)", "{}（新）")

    def rank(level: str | None) -> int:
        return -1 if level is None else levels.index(level) if level in levels else len(levels)

    def named(level: str | None) -> str:
        return say("new member", "新成员") if level is None else folder.name("levels", level)

    totals: dict[tuple[str | None, str], int] = {}
    for _, a, b, _, n in rows:
        totals[(a, b)] = totals.get((a, b), 0) + int(n)
    ordered = sorted(totals.items(), key=lambda item: (rank(item[0][0]), rank(item[0][1])))
    sources = sorted({a for a, _ in totals}, key=rank)
    targets = sorted({b for _, b in totals}, key=rank)
    nodes = [{"name": before.format(named(lv)), "itemStyle": {"color": "#999" if lv is None else colour(rank(lv))}}
             for lv in sources]
    nodes += [{"name": after.format(named(lv)), "itemStyle": {"color": colour(rank(lv))}} for lv in targets]
    links = [{"source": before.format(named(a)), "target": after.format(named(b)), "value": n} for (a, b), n in ordered]
    option: dict[str, Any] = {"animation": False, "tooltip": {"trigger": "item", "confine": True},
                              "series": [{"type": "sankey", "data": nodes, "links": links, "left": 8, "right": 96,
                                          "emphasis": {"focus": "adjacency"}, "lineStyle": {"color": "gradient",
                                                                                             "opacity": 0.4}}]}
    sankey = Chart("level-sankey", say("Flows between levels", "等级流动"), reading, ["member_levels"], option)
    return [sankey, table]


def _ladder(folder: Folder) -> Table:
    say, lang = folder.say, folder.lang
    rows = [[level["name"], (level.get("promote") or {}).get(lang) or "—", (level.get("keep") or {}).get(lang) or "—",
             str(level.get("min_stay") or 0)] for level in folder.facts["levels"]]
    return Table("ladder", say("The ladder", "等级阶梯"),
                 say("Each level's conditions, lowest level first, as the playbook says them.",
                     "各等级的晋升与保级条件（从低到高），取自剧本。"), ["member_levels"],
                 [say("level", "等级"), say("promoted when", "晋升条件"), say("kept while", "保级条件"),
                  say("protected periods", "保级期（期）")], rows, numeric={3})
