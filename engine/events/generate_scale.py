"""The generator's scale, read from the playbook's commission plan (`commission:`).

A plan's KPI targets say what a group (or a staff member) is expected to reach per period: a
sales target of ¥60,000 per group per month, 150 net new members, an interaction rate of 0.15.
Generated data that falls far short of them makes every commission look broken, and data far
above them makes every unit hit its caps. So the generator draws each group's volume from these
targets: each group gets a strength (a common log-normal factor, strong and weak groups, and a
smaller one of its own per metric), and is then drawn to reach about target × strength; declining
and newly created groups fall short of that by themselves. The gate's own thresholds on metrics
that are not KPIs (`conversion_rate >= 0.05`) are aimed a little above the threshold, so that most
groups pass it and some do not.

Only the metrics the generator can steer are read (orders and sales, joins and leaves, messages,
surveys, entry exposures); a playbook without a commission keeps the generator's defaults.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]

# The metrics the generator steers (canonical ids); the others keep the generator's defaults.
STEERED = ("sales", "order_amount", "orders", "conversion_rate", "net_new_members", "new_members",
           "interaction_rate", "leave_rate", "csat", "join_rate")
# Summed over a staff member's groups in a per-staff pool (the rest are rates, the same per group).
COUNTS = ("sales", "order_amount", "orders", "net_new_members", "new_members")
COMMON_SPREAD = 0.22  # log-normal sigma of a group's overall strength (weighted attainment's spread)
OWN_SPREAD = 0.15  # and of each metric's own deviation from it
GATE_MARGIN = 1.25  # a gate threshold on a non-KPI metric is aimed at threshold × this
GRAINS = {"weekly": "week", "monthly": "month", "quarterly": "quarter"}  # as commission.plan's
# A gate comparison the generator can aim at: `name >= 0.05`, `name > 3`.
COMPARISON = re.compile(r"\b([A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*)\s*(>=|>)\s*([0-9]+(?:\.[0-9]+)?)")


@dataclass(frozen=True)
class Targets:
    """What one group should reach per commission period, by canonical metric id."""

    grain: str  # week | month | quarter
    per_staff: bool  # the plan's unit: counts are per staff member, shared by the groups they hold
    values: dict[str, float]
    lower: frozenset[str]  # metrics where less is better (a strong group has less)

    def per_group(self, groups_per_holder: float) -> Targets:
        """Per-staff targets as a group's share: counts ÷ the groups one person holds."""
        if not self.per_staff or groups_per_holder <= 0:
            return self
        values = {k: v / groups_per_holder if k in COUNTS else v for k, v in self.values.items()}
        return Targets(self.grain, False, values, self.lower)


def targets(playbook: Any) -> Targets | None:
    """The targets the generator steers, or None when the playbook has no commission (or none of
    its KPIs is a metric the generator can steer)."""
    # Read from the model, not commission.plan: the commission stage reads events (no cycle).
    from ..playbook_names import playbook_names

    plan = playbook.commission
    if plan is None:
        return None
    names = playbook_names(playbook, "staff")

    def canonical(name: str) -> str:  # 销售额 → sales
        found = names.resolve(name)
        return found.id if found is not None else name

    values: dict[str, float] = {}
    lower: set[str] = set()
    for kpi in plan.kpis:
        metric = canonical(kpi.metric)
        if metric in STEERED and metric not in values:
            values[metric] = float(kpi.target)
            if kpi.direction == "lower":
                lower.add(metric)
    if plan.gate is not None:
        for name, _, number in COMPARISON.findall(plan.gate.when):
            metric = canonical(name)
            if metric in STEERED and metric not in values and float(number) > 0:
                values[metric] = float(number) * GATE_MARGIN
    if not values:
        return None
    return Targets(GRAINS[plan.period], plan.pool.per_staff is not None, values, frozenset(lower))


def strengths(rng: np.random.Generator, groups: int, metrics: list[str]) -> dict[str, Array]:
    """Per metric, each group's factor on its target (median 1): strong groups are strong on most
    metrics (the common factor), each metric varies a little on its own."""
    common = rng.normal(0.0, COMMON_SPREAD, groups)
    return {m: np.exp(common + rng.normal(0.0, OWN_SPREAD, groups)) for m in metrics}


def period_days(start: dt.date, days: int, grain: str) -> tuple[Array, Array, Array]:
    """The window's commission periods: the first window day of each, each window day's period,
    and each period's full calendar length in days (a target is for the whole period)."""
    firsts, lengths, index = [], [], np.zeros(days, dtype=np.int64)
    day = 0
    while day < days:
        date = start + dt.timedelta(days=day)
        begin, following = _period(date, grain)
        last = min(days, (following - start).days)
        firsts.append(day)
        lengths.append((following - begin).days)
        index[day:last] = len(firsts) - 1
        day = last
    return np.asarray(firsts, dtype=np.int64), index, np.asarray(lengths, dtype=np.float64)


def _period(date: dt.date, grain: str) -> tuple[dt.date, dt.date]:
    """The first day of `date`'s period and the first day of the next (weeks start on Monday)."""
    if grain == "week":
        begin = date - dt.timedelta(days=date.weekday())
        return begin, begin + dt.timedelta(days=7)
    months = 3 if grain == "quarter" else 1
    first_month = (date.month - 1) // months * months
    begin = dt.date(date.year, first_month + 1, 1)
    after = first_month + months
    return begin, dt.date(date.year + after // 12, after % 12 + 1, 1)


def valid_share(min_chars: int, median: float, sigma: float) -> float:
    """The share of generated messages (lengths ⌈log-normal⌉) at least `min_chars` long."""
    if min_chars <= 1:
        return 1.0
    z = (math.log(min_chars - 1) - math.log(median)) / sigma
    return 0.5 * math.erfc(z / math.sqrt(2))


def chat_rates(talk: Array, group: Array, weight: Array, level: Array, wanted: Array, valid: float) -> Array:
    """Per group, the factor c on its members' talkativeness for which the expected share of
    members posting a valid message on a day, 1 − exp(−c × talk × level × valid) averaged over
    the members (weighted by days present), is `wanted`. Bisection in log space, all groups at
    once (a few dozen passes over the memberships)."""
    groups = wanted.size
    total = np.bincount(group, weights=weight, minlength=groups)
    a = talk * level[group] * valid
    low, high = np.full(groups, -12.0), np.full(groups, 8.0)
    for _ in range(24):
        mid = (low + high) / 2
        share = np.bincount(group, weights=weight * -np.expm1(-np.exp(mid)[group] * a), minlength=groups)
        short = share < wanted * total
        low, high = np.where(short, mid, low), np.where(short, high, mid)
    rates: Array = np.exp((low + high) / 2)
    return rates
