"""The commission (payouts, commission_units): each staff member's payout per period split into its
parts (KPI lines and bonuses above zero; gate, cap and clawbacks below), the pay curve or rate
table with every unit's attainment on it, and the weights dynamic adjustment moved, per period.
A playbook without a commission has none of these tables, and the report no such section."""

from __future__ import annotations

from typing import Any

from . import text
from .charts import Chart, Section, axis_option, bars, colour, line, rounded
from .folder import Folder

STAFF_SHOWN = 60  # per period, the staff paid most; every payout is in the table the chart links to
PARTS = (("kpi", "KPI lines", "指标提成"), ("bonus", "bonuses", "达标奖励"), ("gate", "gate", "门槛扣减"),
         ("cap", "cap", "个人封顶扣减"), ("clawback", "clawbacks", "退款追回"))


def section(folder: Folder) -> Section | None:
    if not folder.has("payouts"):
        return None
    items: list[Chart] = _payouts(folder)
    if folder.has("commission_units"):
        items += _curve(folder)
        items += _weights(folder)
    if not items:
        return None
    return Section("commission", folder.say("Commission", "运营提成"), list(items))


def _payouts(folder: Folder) -> list[Chart]:
    say, lang = folder.say, folder.lang
    # Two queries for every period, no bound parameter: binding a string makes DuckDB import
    # pandas (0.3 s, a third of a demo's report).
    top: dict[str, list[tuple[Any, ...]]] = {}
    for row in folder.rows(f"""
            SELECT period, staff_id, staff_name, kpi, bonus, gate, cap, clawback, total FROM payouts
            QUALIFY row_number() OVER (PARTITION BY period ORDER BY total DESC, staff_id) <= {STAFF_SHOWN}
            ORDER BY period, total DESC, staff_id"""):
        top.setdefault(row[0], []).append(row[1:])
    totals = folder.rows("""SELECT period, COUNT(*), SUM(kpi), SUM(bonus), SUM(gate), SUM(cap), SUM(clawback),
                            SUM(total) FROM payouts GROUP BY period ORDER BY period""")
    charts = []
    for index, (period, *sums) in enumerate(totals):
        rows = top.get(period, [])
        staff = [f"{r[1]}（{r[0]}）" if lang == "zh" else f"{r[1]} ({r[0]})" for r in rows]
        series = [bars(say(en, zh), [rounded(r[2 + i], 2) for r in rows], "pay", colour(i))
                  for i, (_, en, zh) in enumerate(PARTS)]
        series.append({"type": "scatter", "name": say("total", "应发合计"), "data": [rounded(r[7], 2) for r in rows],
                       "symbol": "diamond", "symbolSize": 9, "itemStyle": {"color": "#333"}, "z": 5})
        shown = "" if sums[0] <= STAFF_SHOWN else say(f" The {STAFF_SHOWN} paid most are shown.",
                                                       f"图中为应发最多的 {STAFF_SHOWN} 人。")
        reading = say(f"{text.period(period, lang)}: {text.money(sums[6])} to {sums[0]} staff: KPI lines "
                      f"{text.money(sums[1])}, bonuses {text.money(sums[2])}, gate {text.money(sums[3])}, cap "
                      f"{text.money(sums[4])}, clawbacks {text.money(sums[5])}.{shown}",
                      f"{text.period(period, lang)}：{sums[0]} 人共应发 {text.money(sums[6])}，其中指标提成 "
                      f"{text.money(sums[1])}，达标奖励 {text.money(sums[2])}，门槛扣减 {text.money(sums[3])}，"
                      f"个人封顶扣减 {text.money(sums[4])}，退款追回 {text.money(sums[5])}。{shown}")
        charts.append(Chart(f"payouts-{index + 1}", say(f"Payouts per staff member, {text.period(period, lang)}",
                                                         f"每人提成构成（{text.period(period, lang)}）"),
                            reading, ["payouts"], axis_option(staff, series, y_name="¥", horizontal=True), fmt="money",
                            height=max(260, 22 * len(rows) + 100)))
    return charts


def _kpis(folder: Folder) -> dict[str, str]:
    return {k["id"]: k["name"] for k in folder.facts.get("commission", {}).get("kpis", [])}


def _curve(folder: Folder) -> list[Chart]:
    say = folder.say
    plan = folder.facts.get("commission", {})
    names = _kpis(folder)
    # Units at the same (attainment, factor), to a thousandth, are one dot: bounded at any scale.
    rows = folder.rows("""SELECT kpi, ROUND(attainment, 3) AS a, ROUND(factor, 3) AS f, COUNT(*) FROM commission_units
                          GROUP BY ALL ORDER BY 1, 2, 3""")
    if not rows:
        return []
    kpis = sorted({r[0] for r in rows}, key=lambda k: (list(names).index(k) if k in names else len(names), k))
    series: list[dict[str, Any]] = []
    curve, rates = plan.get("curve"), plan.get("rates")
    marks: list[dict[str, Any]] = []
    if curve:
        points = [[float(x), float(y)] for x, y in curve["points"]]
        if curve.get("floor") is not None:
            marks.append({"xAxis": float(curve["floor"]), "name": say("floor", "起提线")})
        if curve.get("cap") is not None:
            marks.append({"yAxis": float(curve["cap"]), "name": say("factor cap", "系数封顶")})
        series.append({**line(say("pay curve", "提成曲线"), points, "#333"), "showSymbol": True, "z": 4})
    elif rates:
        points = [[float(x), float(y)] for x, y in rates["brackets"]]
        series.append({**line(say("rate table", "阶梯系数表"), points, "#333"), "step": "end", "showSymbol": True,
                       "z": 4})
    if marks and series:
        series[0]["markLine"] = {"symbol": "none", "lineStyle": {"type": "dashed"}, "data": marks,
                                 "label": {"formatter": "{b}"}}
    for i, kpi in enumerate(kpis):
        series.append({"type": "scatter", "name": names.get(kpi, kpi), "symbolSize": 7, "itemStyle": {"color": colour(i)},
                       "data": [[rounded(r[1], 3), rounded(r[2], 3), int(r[3])] for r in rows if r[0] == kpi]})
    stats = folder.rows("""SELECT COUNT(*), MEDIAN(attainment), COUNT(*) FILTER (WHERE factor = 0)
                           FROM commission_units""")[0]
    reading = say(f"{text.count(stats[0])} unit KPI lines; median attainment {text.percent(stats[1])}; "
                  f"{text.count(stats[2])} pay nothing (factor 0).",
                  f"共 {text.count(stats[0])} 条单位指标；达成率中位数 {text.percent(stats[1])}；"
                  f"{text.count(stats[2])} 条提成系数为 0（不计提成）。")
    option = {"animation": False, "color": [colour(i) for i in range(len(kpis) + 1)],
              "tooltip": {"trigger": "item", "confine": True}, "legend": {"type": "scroll", "top": 0},
              "grid": {"left": 8, "right": 24, "top": 48, "bottom": 8, "containLabel": True},
              "xAxis": {"type": "value", "name": say("attainment", "达成率"), "nameLocation": "middle", "nameGap": 24},
              "yAxis": {"type": "value", "name": say("factor", "提成系数")}, "series": series}
    return [Chart("curve", say("Pay curve and every unit's attainment", "提成曲线与各单位达成率"), reading,
                  ["commission_units"], option, fmt="number", height=360)]


def _weights(folder: Folder) -> list[Chart]:
    say, lang = folder.say, folder.lang
    rules = folder.facts.get("commission", {}).get("adjust", [])
    if not rules:
        return []
    names = _kpis(folder)
    rows = folder.rows("""SELECT period, kpi, AVG(weight), COUNT(*) FILTER (WHERE weight <> base_weight)
                          FROM commission_units GROUP BY ALL ORDER BY 1, 2""")
    periods = sorted({r[0] for r in rows})
    kpis = [k for k in names if any(r[1] == k for r in rows)] + sorted({r[1] for r in rows} - set(names))
    mean = {(r[0], r[1]): r[2] for r in rows}
    moves = folder.rows("""SELECT period, moved_by, COUNT(DISTINCT unit) FROM commission_units
                           WHERE moved_by IS NOT NULL AND moved_by <> '' GROUP BY ALL ORDER BY 1, 2""")
    if moves:
        said = [say(f"{text.period(p, lang)}: {rule} in {n} units", f"{text.period(p, lang)}：{rule} 调整了 {n} 个单位")
                for p, rule, n in moves]
        reading = say("Weights moved: ", "权重调整：") + ("; " if lang == "en" else "；").join(said) + say(".", "。")
    else:
        reading = say("No adjustment rule moved a weight in the window.", "期间没有动态调整规则改变权重。")
    series = [line(names.get(k, k), [rounded(mean.get((p, k))) for p in periods], colour(i)) for i, k in enumerate(kpis)]
    for s in series:
        s["showSymbol"] = True
    return [Chart("weights", say("KPI weights per period (mean over units)", "各期指标权重（各单位平均）"), reading,
                  ["commission_units"], axis_option(periods, series, y_name=say("weight", "权重")), fmt="percent")]
