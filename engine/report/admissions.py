"""Entry thresholds: per group type, the joins split into admitted and refused by reason
(admission_rates, refusal_reasons), so each bar is the type's joins."""

from __future__ import annotations

from ..simulate.admission import REASONS
from . import text
from .charts import Chart, Section, axis_option, bars, colour
from .folder import Folder


def section(folder: Folder) -> Section | None:
    if not folder.has("admission_rates"):
        return None
    say = folder.say
    rates = folder.rows("""SELECT group_type, SUM(joins), SUM(admitted), SUM(refused) FROM admission_rates
                           GROUP BY ALL ORDER BY 1""")
    if not rates:
        return None
    order = list(folder.facts.get("names", {}).get("group_types", {}))
    types = sorted((r[0] for r in rates), key=lambda t: (order.index(t) if t in order else len(order), t))
    admitted = {r[0]: int(r[2]) for r in rates}
    refusals = folder.rows("SELECT reason, group_type, SUM(refused) FROM refusal_reasons GROUP BY ALL ORDER BY 1, 2") \
        if folder.has("refusal_reasons") else []
    reasons = sorted({r[0] for r in refusals})
    refused = {(r[0], r[1]): int(r[2]) for r in refusals}
    names = [folder.name("group_types", t) for t in types]
    series = [bars(say("admitted", "准入"), [admitted[t] for t in types], "joins", colour(1))]
    series += [bars(_reason(folder, reason), [refused.get((reason, t), 0) for t in types], "joins", colour(i + 3))
               for i, reason in enumerate(reasons)]
    joins, let_in = sum(int(r[1]) for r in rates), sum(admitted.values())
    reading = say(f"{text.count(let_in)} of {text.count(joins)} joins would be admitted "
                  f"({text.percent(let_in / joins if joins else 0)}).",
                  f"{text.count(joins)} 次入群中有 {text.count(let_in)} 次符合门槛（{text.percent(let_in / joins if joins else 0)}）。")
    if refusals:
        reason, kind, n = max(refusals, key=lambda r: (r[2], r[0], r[1]))
        reading += say(f" Most refusals: {_reason(folder, reason)} in {folder.name('group_types', kind)} ({text.count(n)}).",
                       f"拒绝最多的原因：{folder.name('group_types', kind)}的「{_reason(folder, reason)}」（{text.count(n)} 次）。")
    chart = Chart("admissions", say("Admission funnel per group type", "各类型群的入群门槛漏斗"), reading,
                  ["admission_rates", "refusal_reasons"],
                  axis_option(names, series, y_name=say("joins", "入群人次"), horizontal=True),
                  height=max(240, 44 * len(types) + 90))
    return Section("admissions", say("Entry thresholds", "入群门槛"), [chart])


def _reason(folder: Folder, reason: str) -> str:
    en, zh = REASONS.get(reason, (reason, reason))
    return folder.say(en, zh)
