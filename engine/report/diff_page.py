"""`qunce diff --format html`: the comparison (compare.document's plain JSON) as a report page: the
total cost change, every staff member's payout before and after, payouts per period, the level,
segment and lifecycle distributions before and after, and the members whose level changes."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..commission.formatting import money
from .charts import Chart, Section, Table, axis_option, bars, colour
from .page import html_page

Say = Callable[[str, str], str]  # the words of the page's language: say(en, zh)
STAFF_SHOWN = 40  # the staff whose payout moves most, in the chart (the table has everyone)
CHANGES_SHOWN = 500  # member level changes listed (JSON has them all)


def render(doc: dict[str, Any], lang: str) -> str:
    """The page for one comparison, in `lang`."""
    def say(en: str, zh: str) -> str:
        return zh if lang == "zh" else en

    sections: list[Section] = []
    if doc["commission"]:
        sections.append(_payouts(doc, say))
    distributions = [item for name, key in (("levels", "level"), ("segments", "segment"), ("health", "state"))
                     if doc[name] for item in _distribution(doc[name], name, key, say)]
    if distributions:
        sections.append(Section("distributions", say("Levels, segments and groups", "会员等级、用户分类与群状态"),
                                distributions))
    sections.append(Section("members", say("Members", "成员"), [_level_changes(doc, say)]))
    total = doc["payouts"]["total"]
    facts = [say(f"{doc['old']} → {doc['new']}", f"{doc['old']} → {doc['new']}"),
             say(f"{doc['window']['from']} to {doc['window']['to']}", f"{doc['window']['from']} 至 {doc['window']['to']}")]
    if doc["commission"]:
        facts.append(say("total payout ", "提成总额 ") + f"{money(Decimal(total['before']))} → {money(Decimal(total['after']))}")
    footer = say("Made by qunce diff: both playbooks run on the same events. Charts: Apache ECharts (Apache-2.0).",
                 "由 qunce diff 生成：两个剧本在同一批事件上运行。图表：Apache ECharts（Apache-2.0 许可）。")
    labels = {"x": say("attainment", "达成率"), "y": say("factor", "提成系数"), "n": say("units", "个单位")}
    return html_page(lang, say("What the rule change would do", "规则修改的影响"), facts, sections, {}, {}, footer,
                     labels)


def _payouts(doc: dict[str, Any], say: Say) -> Section:
    total = doc["payouts"]["total"]
    delta = Decimal(total["change"])
    by_staff: dict[str, list[Decimal]] = {}
    names: dict[str, str] = {}
    for row in doc["payouts"]["by_staff"]:
        pair = by_staff.setdefault(row["staff_id"], [Decimal(0), Decimal(0)])
        pair[0] += Decimal(row["before"])
        pair[1] += Decimal(row["after"])
        names[row["staff_id"]] = row["name"]
    moved = sorted(by_staff, key=lambda s: (-abs(by_staff[s][1] - by_staff[s][0]), s))[:STAFF_SHOWN]
    zh = say("en", "zh") == "zh"
    labels = [f"{names[s]}（{s}）" if zh else f"{names[s]} ({s})" for s in moved]
    before, after = say("before", "修改前"), say("after", "修改后")
    staff_chart = Chart(
        "payout-staff", say("Payout per staff member, before and after", "每位员工的提成：修改前后"),
        _reading_total(delta, total, say), [],
        axis_option(labels, [bars(before, [float(by_staff[s][0]) for s in moved], None, colour(0)),
                             bars(after, [float(by_staff[s][1]) for s in moved], None, colour(1))],
                    horizontal=True), fmt="money", height=max(240, 28 * len(moved) + 80))
    periods = doc["payouts"]["by_period"]
    period_chart = Chart(
        "payout-period", say("Payout per period", "各期提成总额"),
        say(f"{len(periods)} period(s); the change per period is in the table below.",
            f"共 {len(periods)} 期；每期的变化见下表。"), [],
        axis_option([p["period"] for p in periods],
                    [bars(before, [float(Decimal(p["before"])) for p in periods], None, colour(0)),
                     bars(after, [float(Decimal(p["after"])) for p in periods], None, colour(1))]),
        fmt="money")
    rows = [[r["period"], f"{r['name']}（{r['staff_id']}）" if zh else f"{r['name']} ({r['staff_id']})",
             money(Decimal(r["before"])), money(Decimal(r["after"])), _signed(Decimal(r["change"]))]
            for r in doc["payouts"]["by_staff"]]
    table = Table("payout-table", say("Every payout before and after", "每笔提成：修改前后"),
                  say(f"{len(rows):,} payouts (staff member × period).", f"共 {len(rows):,} 笔（员工 × 周期）。"), [],
                  [say("period", "周期"), say("staff", "员工"), before, after, say("change", "变化")], rows, {2, 3, 4})
    return Section("payouts", say("Commission", "提成"), [staff_chart, period_chart, table])


def _reading_total(delta: Decimal, total: dict[str, Any], say: Say) -> str:
    if not delta:
        return say("The total payout does not change.", "提成总额不变。")
    pct = f" ({Decimal(total['change_pct']) * 100:+.1f}%)" if total["change_pct"] is not None else ""
    return say(f"The total payout changes by {_signed(delta)}{pct}, from {money(Decimal(total['before']))} to "
               f"{money(Decimal(total['after']))}.",
               f"提成总额变化 {_signed(delta)}{pct}，由 {money(Decimal(total['before']))} 变为 "
               f"{money(Decimal(total['after']))}。")


def _distribution(section: dict[str, Any], name: str, key: str, say: Say) -> list[Chart | Table]:
    titles = {"levels": say("Members per level at the end of each period", "各期末各等级人数"),
              "segments": say("Members per segment", "各用户分类人数"),
              "health": say("Groups per lifecycle state", "各生命周期状态的群数")}
    periods = sorted(section)
    last = periods[-1]
    keys = sorted(section[last])
    before, after = say("before", "修改前"), say("after", "修改后")
    moved = sum(abs(v["change"]) for v in section[last].values()) // 2
    chart = Chart(f"{name}-chart", titles[name] + say(f" ({last})", f"（{last}）"),
                  say(f"At the end of {last}, {moved:,} move from one {key} to another.",
                      f"{last} 期末，有 {moved:,} 个变到了另一{_zh_key(key)}。"), [],
                  axis_option(keys, [bars(before, [section[last][k]["before"] for k in keys], None, colour(0)),
                                     bars(after, [section[last][k]["after"] for k in keys], None, colour(1))]))
    rows = [[period, k, f"{v['before']:,}", f"{v['after']:,}", f"{v['change']:+,}" if v["change"] else "0"]
            for period in periods for k, v in sorted(section[period].items())]
    table = Table(f"{name}-table", titles[name], say("Every period.", "每一期。"), [],
                  [say("period", "周期"), say(key, _zh_key(key)), before, after, say("change", "变化")], rows, {2, 3, 4})
    return [chart, table]


def _zh_key(key: str) -> str:
    return {"level": "等级", "segment": "分类", "state": "状态"}[key]


def _level_changes(doc: dict[str, Any], say: Say) -> Table:
    changes = doc["level_changes"]
    rows = [[c["period"], c["member_id"], c["old"] or "—", c["new"] or "—"] for c in changes["members"][:CHANGES_SHOWN]]
    more = changes["count"] - len(rows)
    reading = say(f"{changes['count']:,} member-periods change level.", f"共 {changes['count']:,} 人次等级会变化。")
    if more > 0:
        reading += say(f" The first {len(rows):,} are listed; --format json lists them all.",
                       f"列出前 {len(rows):,} 条；--format json 列出全部。")
    return Table("level-changes", say("Members whose level would change", "等级会变化的成员"), reading, [],
                 [say("period", "周期"), say("member", "成员"), say("before", "修改前"), say("after", "修改后")], rows)


def _signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + money(value) if value else "¥0.00"
