"""Read simple conditions as bounds on names, to compare them: `points_90d >= 300 and
orders_30d >= 1` is {points_90d: [300, ∞), orders_30d: [1, ∞)}. Anything not a plain
conjunction of comparisons with constants gives None: the checks then say nothing."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..catalog import Names
from .tree import Compare, Const, Expr, Logic, Name

_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "=="}


@dataclass(frozen=True, slots=True)
class Interval:
    low: Decimal | None = None
    low_open: bool = False
    high: Decimal | None = None
    high_open: bool = False

    def within(self, other: Interval) -> bool:
        """Whether every value in self is also in other."""
        return _inside(self.low, self.low_open, other.low, other.low_open, below=True) and _inside(
            self.high, self.high_open, other.high, other.high_open, below=False)

    def meet(self, other: Interval) -> Interval:
        low, low_open = self.low, self.low_open
        if other.low is not None and (low is None or other.low > low or (other.low == low and other.low_open)):
            low, low_open = other.low, other.low_open
        high, high_open = self.high, self.high_open
        if other.high is not None and (high is None or other.high < high or (other.high == high and other.high_open)):
            high, high_open = other.high, other.high_open
        return Interval(low, low_open, high, high_open)


def _inside(mine: Decimal | None, mine_open: bool, theirs: Decimal | None, theirs_open: bool, below: bool) -> bool:
    # Whether my end stays inside their end (their lower end when `below`).
    if theirs is None:
        return True
    if mine is None:
        return False
    if mine == theirs:
        return mine_open or not theirs_open
    return mine > theirs if below else mine < theirs


Bounds = dict[str, Interval]


def bounds(expr: Expr, names: Names) -> Bounds | None:
    """The condition as bounds on canonical names, or None when it is not that simple."""
    parts = expr.values if isinstance(expr, Logic) and expr.op == "and" else (expr,)
    out: Bounds = {}
    for part in parts:
        atom = _atom(part, names)
        if atom is None:
            return None
        name, interval = atom
        out[name] = out[name].meet(interval) if name in out else interval
    return out


def _atom(expr: Expr, names: Names) -> tuple[str, Interval] | None:
    if not isinstance(expr, Compare) or expr.op not in _FLIP:
        return None
    left, right, op = expr.left, expr.right, expr.op
    if isinstance(left, Const) and isinstance(right, Name):
        left, right, op = right, left, _FLIP[op]
    if not (isinstance(left, Name) and isinstance(right, Const) and isinstance(right.value, Decimal)):
        return None
    resolved = names.resolve(left.id)
    if resolved is None:
        return None
    value = right.value
    interval = {
        ">=": Interval(low=value), ">": Interval(low=value, low_open=True),
        "<=": Interval(high=value), "<": Interval(high=value, high_open=True),
        "==": Interval(value, False, value, False),
    }[op]
    return resolved.id, interval


def contained(inner: Bounds, outer: Bounds) -> bool:
    """Whether every case of `inner` is also a case of `outer`."""
    return all(name in inner and inner[name].within(interval) for name, interval in outer.items())
