"""Rounding to the fen without losing one: largest remainder (Hamilton).

Every amount is computed exactly first; the total is rounded half up to the fen, each part is
rounded down, and the fen left over go one each to the parts with the largest remainders
(ties: the earlier part). So the parts always add up to the total exactly, and each part is
within one fen of its exact value. Works for negative parts too (clawbacks, caps)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


def to_fen(value: Decimal) -> Decimal:
    """`value` rounded half up to the fen."""
    return value.quantize(FEN, ROUND_HALF_UP)


def largest_remainder(exact: Sequence[Decimal], total: Decimal | None = None) -> list[Decimal]:
    """The parts of `exact`, in fen, adding up to `total` (default: the exact sum rounded half
    up to the fen). `total` must be within len(exact) fen above the sum of the rounded-down parts."""
    if total is None:
        total = to_fen(sum(exact, Decimal(0)))
    floors = [value.quantize(FEN, ROUND_FLOOR) for value in exact]
    left = int((total - sum(floors, Decimal(0))) / FEN)
    if not 0 <= left <= len(exact):
        raise ValueError(f"cannot spread {total} over parts summing to {sum(exact, Decimal(0))}")
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += FEN
    return floors
