"""Attainment → payout factor (pay curve, rate tables), attainment itself, and the rounding to
the fen (largest remainder). Every expected value is computed by hand from the docstrings of
engine/commission/payfactor.py, measure.py and allocate.py; the arithmetic is in the comments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from qunce.commission.allocate import largest_remainder, to_fen
from qunce.commission.measure import attainment
from qunce.commission.payfactor import FactorStep, pay_factor, q6
from qunce.commission.plan import KpiSpec
from qunce.model.commission import Commission
from tests.commission.commission_plans import D, kpi


def commission(**extra: Any) -> Commission:
    return Commission.model_validate({"pool": {"per_group": 1000}, "kpis": [kpi("k", "sales", 100, 1)], **extra})


def factor(value: str, plan: Commission) -> FactorStep:
    return pay_factor(D(value), plan)


# The brand-complete example's curve: points (0.5, 0.3) (0.8, 0.8) (1.0, 1.0) (1.5, 1.6), floor 0.5.
BRAND = commission(curve={"points": [[0.5, 0.3], [0.8, 0.8], [1.0, 1.0], [1.5, 1.6]], "floor": 0.5})
NO_FLOOR = commission(curve=[[0.5, 0.3], [0.8, 0.8], [1.0, 1.0], [1.5, 1.6]])


# --- the pay curve ----------------------------------------------------------------------------

def test_below_the_floor_pays_nothing() -> None:
    step = factor("0.49", BRAND)
    assert (step.factor, step.kind) == (D(0), "floor")  # 0.49 < floor 0.5 → 0
    assert factor("0", BRAND).factor == D(0)


def test_below_the_first_point_is_a_straight_line_from_the_origin() -> None:
    # no floor: 0.25 × 0.3 / 0.5 = 0.15
    step = factor("0.25", NO_FLOOR)
    assert (step.factor, step.kind) == (D("0.15"), "origin")
    assert step.detail == ((D(0), D(0)), (D("0.5"), D("0.3")))
    # a floor below the first point: 0.45 ≥ floor 0.4, then 0.45 × 0.3 / 0.5 = 0.27
    floored = commission(curve={"points": [[0.5, 0.3], [1.0, 1.0]], "floor": 0.4})
    assert factor("0.45", floored).factor == D("0.27")
    # a repeating fraction: 0.1 × 0.1 / 0.3 = 0.0333… → 0.033333
    assert factor("0.1", commission(curve=[[0.3, 0.1]])).factor == D("0.033333")


def test_each_segment_interpolates_between_its_points() -> None:
    # (0.5, 0.3)–(0.8, 0.8): 0.3 + (0.65 − 0.5) × (0.8 − 0.3) / (0.8 − 0.5) = 0.3 + 0.15 × 5/3 = 0.55
    assert factor("0.65", BRAND) == FactorStep(D("0.55"), "segment", ((D("0.5"), D("0.3")), (D("0.8"), D("0.8"))))
    # (0.8, 0.8)–(1.0, 1.0): 0.8 + 0.1 × 0.2 / 0.2 = 0.9
    assert factor("0.9", BRAND).factor == D("0.9")
    # (1.0, 1.0)–(1.5, 1.6): 1.0 + 0.2 × 0.6 / 0.5 = 1.24
    assert factor("1.2", BRAND).factor == D("1.24")
    # (0.5, 0.3)–(0.8, 0.8) at 0.7: 0.3 + 0.2 × 5/3 = 0.6333… → 0.633333
    assert factor("0.7", BRAND).factor == D("0.633333")


def test_exactly_on_a_point_pays_its_factor() -> None:
    assert factor("0.5", BRAND).factor == D("0.3")  # the first point (and the floor itself)
    assert factor("0.8", BRAND).factor == D("0.8")
    assert factor("1.0", BRAND).factor == D("1.0")
    assert factor("1.5", BRAND).factor == D("1.6")  # the last point


def test_beyond_the_last_point_the_last_factor_holds() -> None:
    step = factor("2.3", BRAND)
    assert (step.factor, step.kind) == (D("1.6"), "beyond")  # 2.3 > 1.5 → 1.6


def test_the_cap_bounds_the_factor_and_keeps_the_uncapped_one() -> None:
    capped = commission(curve={"points": [[1, 1], [2, 3]], "cap": 2})
    # 1 + (1.8 − 1) × (3 − 1) / (2 − 1) = 2.6 > cap 2
    step = factor("1.8", capped)
    assert (step.factor, step.kind, step.uncapped) == (D(2), "capped", D("2.6"))
    # 1 + 0.25 × 2 = 1.5 ≤ 2: not capped
    below = factor("1.25", capped)
    assert (below.factor, below.kind, below.uncapped) == (D("1.5"), "segment", None)
    # beyond the last point: 3 > 2 → 2
    assert factor("5", capped).factor == D(2)


def test_without_curve_or_rates_the_factor_is_the_attainment() -> None:
    plain = commission()
    assert factor("1.234567", plain) == FactorStep(D("1.234567"), "linear")
    assert factor("0", plain).factor == D(0)
    assert factor("-0.3", plain).factor == D(0)  # a negative attainment (fewer members) pays 0, not < 0


# --- rate tables -------------------------------------------------------------------------------

BRACKETS = [{"from": 0, "rate": 0.5}, {"from": 0.8, "rate": 1.0}, {"from": 1.2, "rate": 1.5}]
TIERED = commission(rates={"mode": "tiered", "brackets": BRACKETS})
MARGINAL = commission(rates={"mode": "marginal", "brackets": BRACKETS})


@pytest.mark.parametrize(("reached", "tiered", "marginal"), [
    # 0.6: one bracket either way: 0.6 × 0.5 = 0.3
    ("0.6", "0.3", "0.3"),
    # 0.8: tiered 0.8 × 1.0 = 0.8; marginal 0.8 × 0.5 = 0.4 (nothing inside the 0.8 bracket yet)
    ("0.8", "0.8", "0.4"),
    # 1.0: tiered 1.0 × 1.0 = 1.0; marginal 0.8 × 0.5 + 0.2 × 1.0 = 0.4 + 0.2 = 0.6
    ("1.0", "1.0", "0.6"),
    # 1.5: tiered 1.5 × 1.5 = 2.25; marginal 0.4 + (1.2 − 0.8) × 1.0 + (1.5 − 1.2) × 1.5 = 0.4 + 0.4 + 0.45 = 1.25
    ("1.5", "2.25", "1.25"),
])
def test_tiered_and_marginal_differ_on_the_same_brackets(reached: str, tiered: str, marginal: str) -> None:
    assert factor(reached, TIERED).factor == D(tiered)
    assert factor(reached, MARGINAL).factor == D(marginal)


def test_the_steps_name_the_brackets_used() -> None:
    assert factor("1.0", TIERED) == FactorStep(D("1.0"), "tiered", ((D("0.8"), D("1.0")),))
    # marginal: (part, rate) per bracket: (0.8, 0.5), (0.2, 1.0)
    assert factor("1.0", MARGINAL).detail == ((D("0.8"), D("0.5")), (D("0.2"), D("1.0")))


def test_below_the_first_bracket_pays_nothing() -> None:
    brackets = [{"from": 0.5, "rate": 1}, {"from": 1, "rate": 2}]
    tiered = commission(rates={"mode": "tiered", "brackets": brackets})
    marginal = commission(rates={"mode": "marginal", "brackets": brackets})
    assert (factor("0.4", tiered).factor, factor("0.4", tiered).kind) == (D(0), "below_table")
    assert (factor("0.4", marginal).factor, factor("0.4", marginal).kind) == (D(0), "below_table")
    # 0.7: tiered 0.7 × 1 = 0.7 (the rate on the whole attainment); marginal (0.7 − 0.5) × 1 = 0.2
    assert factor("0.7", tiered).factor == D("0.7")
    assert factor("0.7", marginal).factor == D("0.2")
    # 1.1: tiered 1.1 × 2 = 2.2; marginal 0.5 × 1 + 0.1 × 2 = 0.7
    assert factor("1.1", tiered).factor == D("2.2")
    assert factor("1.1", marginal).factor == D("0.7")


def test_brackets_written_out_of_order_are_sorted() -> None:
    shuffled = commission(rates={"mode": "marginal", "brackets": list(reversed(BRACKETS))})
    assert factor("1.5", shuffled).factor == D("1.25")  # as above


# --- 6 decimal places, half up -----------------------------------------------------------------

def test_factors_round_to_six_places_half_up() -> None:
    assert q6(D("1.2345665")) == D("1.234567")  # half up (half even would give 1.234566)
    assert q6(D("1.23456649")) == D("1.234566")
    assert factor("1.2345665", commission()).factor == D("1.234567")
    # curve: 0.000001 × 1 / 2 = 0.0000005 → 0.000001 (half up)
    assert factor("0.000001", commission(curve=[[2, 1]])).factor == D("0.000001")
    # tiered: 0.3333335 × 1 = 0.3333335 → 0.333334; marginal with rate 3: 0.1111115 × 3 = 0.3333345 → 0.333335
    assert factor("0.3333335", commission(rates={"brackets": [{"from": 0, "rate": 1}]})).factor == D("0.333334")
    assert factor("0.1111115", commission(rates={"mode": "marginal", "brackets": [{"from": 0, "rate": 3}]})
                  ).factor == D("0.333335")


# --- attainment ---------------------------------------------------------------------------------

def spec(target: str, lower: bool = False) -> KpiSpec:
    return KpiSpec("k", "k", "m", D(target), D(1), lower)


def test_attainment_higher_is_actual_over_target() -> None:
    assert attainment(spec("150"), D(120)) == D("0.8")  # 120 / 150
    assert attainment(spec("150"), D(180)) == D("1.2")  # 180 / 150
    assert attainment(spec("3"), D(2)) == D("0.666667")  # 2/3 = 0.6666… half up
    assert attainment(spec("1"), D("1.0000005")) == D("1.000001")  # half up, not half even
    assert attainment(spec("100"), D(-20)) == D("-0.2")  # fewer members than before: negative


def test_attainment_lower_is_target_over_actual() -> None:
    assert attainment(spec("0.05", lower=True), D("0.04")) == D("1.25")  # 0.05 / 0.04
    assert attainment(spec("0.05", lower=True), D("0.1")) == D("0.5")  # 0.05 / 0.1
    assert attainment(spec("1", lower=True), D(3)) == D("0.333333")  # 1/3
    assert attainment(spec("0.05", lower=True), D(0)) == D(2)  # 0 → the documented 2
    assert attainment(spec("0.05", lower=True), D("-0.01")) == D(2)  # ≤ 0 → 2


def test_attainment_lower_is_better_zero_is_the_best() -> None:
    churn = spec("0.05", lower=True)
    # measure.py: "an actual of 0 or less there is the best possible result" → no positive actual beats it
    assert attainment(churn, D(0)) >= attainment(churn, D("0.01"))


# --- largest remainder ---------------------------------------------------------------------------

def test_largest_remainder_sums_to_the_rounded_total() -> None:
    # 0.333 + 0.333 + 0.334 = 1.000; floors 0.33 × 3 = 0.99; 1 fen left → the largest remainder (0.004)
    assert largest_remainder([D("0.333"), D("0.333"), D("0.334")]) == [D("0.33"), D("0.33"), D("0.34")]
    # 1.004 + 2.004 + 3.004 = 6.012 → 6.01; floors 1.00 + 2.00 + 3.00 = 6.00; 1 fen → the first of three ties
    assert largest_remainder([D("1.004"), D("2.004"), D("3.004")]) == [D("1.01"), D("2.00"), D("3.00")]
    # total half up: 0.005 → 0.01
    assert largest_remainder([D("0.005")]) == [D("0.01")]
    assert largest_remainder([D("0.0049")]) == [D("0.00")]
    assert largest_remainder([]) == []


def test_largest_remainder_ties_go_to_the_earlier_part() -> None:
    third = D(10) / D(3)  # 3.3333…
    # Σ = 10.00; floors 3.33 × 3 = 9.99; 1 fen, three equal remainders → the first
    assert largest_remainder([third, third, third]) == [D("3.34"), D("3.33"), D("3.33")]
    # 1.005 + 2.005 + 3.005 = 6.015 → 6.02 (half up); floors 6.00; 2 fen → the first two
    assert largest_remainder([D("1.005"), D("2.005"), D("3.005")]) == [D("1.01"), D("2.01"), D("3.00")]


def test_largest_remainder_keeps_each_part_within_a_fen() -> None:
    exact = [D(1000) * D(6) / D(31), D(1000) * D("0.6") * D(21) / D(31), D("0.001"), D("99.999")]
    parts = largest_remainder(exact)
    assert sum(parts) == to_fen(sum(exact, Decimal(0)))
    # Σ = 600 + 100 = 700.00; floors 193.54 + 406.45 + 0.00 + 99.99 = 699.98; 2 fen → the largest remainders:
    # 99.999 (0.009) → 100.00 and 193.548387… (0.0084) → 193.55; 406.451612… (0.0016) and 0.001 stay down
    assert parts == [D("193.55"), D("406.45"), D("0.00"), D("100.00")]
    assert all(abs(p - e) < D("0.01") for p, e in zip(parts, exact, strict=True))


def test_largest_remainder_with_negative_parts() -> None:
    # Σ = −1.234 + 5.678 − 0.444 = 4.000; floors (towards −∞) −1.24 + 5.67 − 0.45 = 3.98; 2 fen left;
    # remainders 0.006, 0.008, 0.006 → the second, then the first (tie with the third, earlier wins)
    assert largest_remainder([D("-1.234"), D("5.678"), D("-0.444")]) == [D("-1.23"), D("5.68"), D("-0.45")]
    # Σ = −0.010; floors −0.01 × 2 = −0.02; 1 fen → the first: 0.00, −0.01
    assert largest_remainder([D("-0.005"), D("-0.005")]) == [D("0.00"), D("-0.01")]
    # a cap line: 1440 − 240 = 1200
    assert largest_remainder([D(1440), D(-240)]) == [D(1440), D(-240)]


def test_largest_remainder_to_a_given_total() -> None:
    # floors 1.00 + 1.00 = 2.00; total 2.01 → 1 fen to the first (tie)
    assert largest_remainder([D("1.004"), D("1.004")], D("2.01")) == [D("1.01"), D("1.00")]
    # total 2.00 (the exact sum would round to 2.01): nothing to hand out
    assert largest_remainder([D("1.005"), D("1.005")], D("2.00")) == [D("1.00"), D("1.00")]


def test_largest_remainder_refuses_a_total_it_cannot_spread() -> None:
    with pytest.raises(ValueError, match="cannot spread"):
        largest_remainder([D(1), D(2)], D("3.03"))  # floors 3.00: 3 fen over 2 parts
    with pytest.raises(ValueError, match="cannot spread"):
        largest_remainder([D(1), D(2)], D("2.99"))  # below the floors' sum
