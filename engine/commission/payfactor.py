"""Attainment → payout factor: the piecewise-linear pay curve (with floor and cap) or the rate
table (tiered: one rate on the whole attainment; marginal: each bracket's rate on the part of
the attainment inside it). Each result carries the step that produced it, for the trace.

Semantics (the handbook and `qunce explain` print them):
- curve: below `floor` the factor is 0; below the first point the factor rises in a straight
  line from (0, 0) to that point; between two points, a straight line; beyond the last point
  the last point's factor holds; `cap` bounds the result.
- tiered: factor = attainment × the rate of the highest bracket whose `from` ≤ attainment
  (0 below the first bracket).
- marginal: factor = Σ rate × (the part of the attainment between the bracket's `from` and the
  next bracket's `from`).
- no curve and no rates: factor = attainment.
- a negative attainment (refunds above the period's sales) pays factor 0, whatever the curve or
  table: the curve is not extended below (0, 0) and the attainment itself is not used, so that
  money a refund takes back goes through the clawback only, never a second time through the factor.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..model.commission import Commission

PLACES = Decimal("0.000001")  # attainments and factors are kept to 6 decimal places
ZERO = Decimal(0)


def q6(value: Decimal) -> Decimal:
    """`value` to 6 decimal places, half up: the precision of attainments and factors."""
    return value.quantize(PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class FactorStep:
    """How a factor was found: `kind` says which rule, `detail` the numbers it used."""

    factor: Decimal
    kind: str  # linear | floor | origin | segment | beyond | capped | tiered | marginal | below_table | negative
    detail: tuple[tuple[Decimal, Decimal], ...] = ()  # the points or (from, rate) brackets used
    uncapped: Decimal | None = None  # the factor before the cap, when the cap applied


def pay_factor(attainment: Decimal, plan: Commission) -> FactorStep:
    """The payout factor for one KPI's attainment under `plan`."""
    if attainment < 0:
        return FactorStep(ZERO, "negative")
    if plan.curve is not None:
        step = _curve(attainment, [(Decimal(x), Decimal(y)) for x, y in plan.curve.points], plan.curve.floor)
        cap = plan.curve.cap
        if cap is not None and step.factor > cap:
            return FactorStep(q6(cap), "capped", step.detail, step.factor)
        return step
    if plan.rates is not None:
        brackets = sorted((b.from_, b.rate) for b in plan.rates.brackets)
        return _marginal(attainment, brackets) if plan.rates.mode == "marginal" else _tiered(attainment, brackets)
    return FactorStep(q6(max(attainment, ZERO)), "linear")


def _curve(a: Decimal, points: list[tuple[Decimal, Decimal]], floor: Decimal | None) -> FactorStep:
    points = sorted(points)
    if floor is not None and a < floor:
        return FactorStep(ZERO, "floor", ((floor, ZERO),))
    first_x, first_y = points[0]
    if a <= first_x:
        if first_x <= 0:
            return FactorStep(q6(first_y), "origin", (points[0],))
        return FactorStep(q6(max(a, ZERO) * first_y / first_x), "origin", ((ZERO, ZERO), points[0]))
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if a <= x1:
            factor = y0 + (a - x0) * (y1 - y0) / (x1 - x0) if x1 != x0 else y1
            return FactorStep(q6(factor), "segment", ((x0, y0), (x1, y1)))
    return FactorStep(q6(points[-1][1]), "beyond", (points[-1],))


def _tiered(a: Decimal, brackets: list[tuple[Decimal, Decimal]]) -> FactorStep:
    chosen = [b for b in brackets if b[0] <= a]
    if not chosen:
        return FactorStep(ZERO, "below_table", (brackets[0],))
    return FactorStep(q6(a * chosen[-1][1]), "tiered", (chosen[-1],))


def _marginal(a: Decimal, brackets: list[tuple[Decimal, Decimal]]) -> FactorStep:
    total = ZERO
    used: list[tuple[Decimal, Decimal]] = []
    for i, (start, rate) in enumerate(brackets):
        if a <= start:
            break
        stop = brackets[i + 1][0] if i + 1 < len(brackets) else a
        part = min(a, stop) - start
        total += part * rate
        used.append((part, rate))
    if not used:
        return FactorStep(ZERO, "below_table", (brackets[0],))
    return FactorStep(q6(total), "marginal", tuple(used))
