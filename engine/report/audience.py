"""Segments per period (segments) and churn warnings (churn_warnings) per owner and per warning."""

from __future__ import annotations

from . import text
from .charts import Chart, Section, axis_option, bars, colour
from .folder import Folder

OWNERS_SHOWN = 20  # the owners with most warnings; the rest are in the table the chart links to


def section(folder: Folder) -> Section | None:
    items: list[Chart] = []
    if folder.has("segments"):
        items += _segments(folder)
    if folder.has("churn_warnings"):
        items += _churn(folder)
    if not items:
        return None
    return Section("audience", folder.say("Segments and churn warnings", "用户分类与流失预警"), list(items))


def _ordered(folder: Folder, kind: str, seen: list[str]) -> list[str]:
    order = list(folder.facts.get("names", {}).get(kind, {}))
    return [s for s in order if s in seen] + [s for s in seen if s not in order]


def _segments(folder: Folder) -> list[Chart]:
    say, lang = folder.say, folder.lang
    rows = folder.rows("SELECT period, segment, COUNT(*) FROM segments GROUP BY ALL ORDER BY 1, 2")
    if not rows:
        return []
    periods = sorted({r[0] for r in rows})
    segments = _ordered(folder, "segments", sorted({r[1] for r in rows}))
    counts = {(r[0], r[1]): int(r[2]) for r in rows}
    last = periods[-1]
    total = sum(counts.get((last, s), 0) for s in segments) or 1
    big = max(segments, key=lambda s: (counts.get((last, s), 0), -segments.index(s)))
    share = text.percent(counts.get((last, big), 0) / total)
    return [Chart("segments", say("Members per segment", "各分类会员人数"),
                  say(f"In {text.period(last, lang)} the largest segment is {folder.name('segments', big)} "
                      f"({text.count(counts.get((last, big), 0))} members, {share}).",
                      f"{text.period(last, lang)}人数最多的分类是{folder.name('segments', big)}"
                      f"（{text.count(counts.get((last, big), 0))} 人，占 {share}）。"),
                  ["segments"], axis_option(periods, [bars(folder.name("segments", s),
                                                           [counts.get((p, s), 0) for p in periods], "members",
                                                           colour(i)) for i, s in enumerate(segments)],
                                            y_name=say("members", "人")))]


def _churn(folder: Folder) -> list[Chart]:
    say = folder.say
    rows = folder.rows("SELECT period, warning, COUNT(*) FROM churn_warnings GROUP BY ALL ORDER BY 1, 2")
    if not rows:
        return []
    periods = sorted({r[0] for r in rows})
    warnings = _ordered(folder, "warnings", sorted({r[1] for r in rows}))
    counts = {(r[0], r[1]): int(r[2]) for r in rows}
    total = sum(counts.values())
    most = max(warnings, key=lambda w: (sum(counts.get((p, w), 0) for p in periods), -warnings.index(w)))
    per_warning = Chart(
        "warnings", say("Churn warnings per period", "各期流失预警"),
        say(f"{text.count(total)} warnings over the window; the most frequent is {folder.name('warnings', most)}.",
            f"期间共 {text.count(total)} 条流失预警，最多的是{folder.name('warnings', most)}。"),
        ["churn_warnings"], axis_option(periods, [bars(folder.name("warnings", w), [counts.get((p, w), 0) for p in periods],
                                                       "warnings", colour(i)) for i, w in enumerate(warnings)],
                                        y_name=say("warnings", "条")))
    owners = folder.rows(f"""
        WITH per AS (SELECT owner, COUNT(*) AS n FROM churn_warnings GROUP BY owner
                     ORDER BY n DESC, owner NULLS LAST LIMIT {OWNERS_SHOWN})
        SELECT c.owner, c.warning, COUNT(*), ANY_VALUE(per.n) FROM churn_warnings c JOIN per
        ON c.owner IS NOT DISTINCT FROM per.owner GROUP BY ALL ORDER BY 4 DESC, 1 NULLS LAST, 2""")
    people = list(dict.fromkeys(r[0] for r in owners))
    by = {(r[0], r[1]): int(r[2]) for r in owners}
    top = people[0]
    per_owner = Chart(
        "warnings-owner", say("Churn warnings per owner", "各负责人的流失预警"),
        say(f"{folder.staff(top)} has the most warnings to follow up ({text.count(owners[0][3])}); "
            f"the {len(people)} owners with most are shown.",
            f"{folder.staff(top)}待跟进的预警最多（{text.count(owners[0][3])} 条）；图中为预警最多的 {len(people)} 人。"),
        ["churn_warnings"], axis_option([folder.staff(p) for p in people],
                                        [bars(folder.name("warnings", w), [by.get((p, w), 0) for p in people], "warnings",
                                              colour(i)) for i, w in enumerate(warnings)],
                                        y_name=say("warnings", "条"), horizontal=True),
        height=max(240, 28 * len(people) + 80))
    return [per_warning, per_owner]
