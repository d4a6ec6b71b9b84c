"""Property test of the commission book on random plans, units, holdings and late refunds:
every statement reconciles to the fen, every line is within a fen of its exact value, the
units' payouts are all either paid or reported unassigned, the cap holds, and the same inputs
give the same book."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qunce.commission.allocate import to_fen
from qunce.commission.statements import Book, Holding, build_book
from tests.commission.commission_plans import D, hold, plan_of, reconcile, run

PERIODS = ["2027-01", "2027-02", "2027-03"]
METRICS = ["net_new_members", "interaction_rate", "csat", "sales", "leave_rate", "orders"]
VALUES = [*METRICS, "retention_rate"]
ROLES = ["owner", "admin", "helper"]
STAFF = ["s1", "s2", "s3", "s4"]
GROUPS = ["g1", "g2", "g3"]
FEN = Decimal("0.01")
TENTHS = st.integers(0, 30).map(lambda i: Decimal(i) / 10)
MONEY = st.decimals(min_value=Decimal(0), max_value=Decimal(5000), places=2)


def steps_of(draw: st.DrawFn, parts: int, whole: int) -> list[int]:
    """`parts` positive integers summing to `whole`."""
    cuts = sorted(draw(st.lists(st.integers(1, whole - 1), min_size=parts - 1, max_size=parts - 1, unique=True)))
    return [b - a for a, b in zip([0, *cuts], [*cuts, whole], strict=True)]


def rising(draw: st.DrawFn, values: st.SearchStrategy[Decimal], size: int, unique: bool) -> list[Decimal]:
    return sorted(draw(st.lists(values, min_size=size, max_size=size, unique=unique)))


@st.composite
def commissions(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 5))
    weights = [Decimal(s) * Decimal("0.05") for s in steps_of(draw, count, 20)]
    ids = [f"k{i + 1}" for i in range(count)]
    kpis = [{"id": kpi_id, "name": kpi_id, "metric": draw(st.sampled_from(METRICS)), "weight": weight,
             "target": draw(st.decimals(min_value=Decimal("0.1"), max_value=Decimal(1000), places=2)),
             "direction": draw(st.sampled_from(["higher", "lower"]))} for kpi_id, weight in zip(ids, weights, strict=True)]
    plan: dict[str, Any] = {"kpis": kpis}
    pool = draw(st.sampled_from(["per_group", "sales_share", "per_staff"]))
    plan["pool"] = {pool: draw(st.integers(1, 30)) / Decimal(100) if pool == "sales_share" else draw(MONEY)}
    method = draw(st.sampled_from(["curve", "rates", "linear"]))
    if method == "curve":
        size = draw(st.integers(1, 4))
        xs = rising(draw, st.integers(1, 30).map(lambda i: Decimal(i) / 10), size, unique=True)
        ys = rising(draw, TENTHS, size, unique=False)
        curve: dict[str, Any] = {"points": [[x, y] for x, y in zip(xs, ys, strict=True)]}
        if draw(st.booleans()):
            curve["floor"] = draw(st.integers(0, 10)) / Decimal(10)
        if draw(st.booleans()):
            curve["cap"] = draw(st.integers(5, 30)) / Decimal(10)
        plan["curve"] = curve
    elif method == "rates":
        size = draw(st.integers(1, 4))
        froms = rising(draw, st.integers(0, 20).map(lambda i: Decimal(i) / 10), size, unique=True)
        rates = rising(draw, TENTHS, size, unique=False)
        plan["rates"] = {"mode": draw(st.sampled_from(["tiered", "marginal"])),
                         "brackets": [{"from": f, "rate": r} for f, r in zip(froms, rates, strict=True)]}
    conditions = st.one_of(
        st.builds(lambda t: f"weighted_attainment >= {t}", TENTHS),
        st.builds(lambda k, t: f"attainment_{k} >= {t}", st.sampled_from(ids), TENTHS),
        st.builds(lambda t: f"sales >= {t}", st.integers(0, 3000)))
    if draw(st.booleans()):
        plan["gate"] = {"when": draw(conditions), "otherwise": draw(st.integers(0, 10)) / Decimal(10)}
    plan["bonuses"] = [{"id": f"b{i}", "name": f"b{i}", "when": draw(conditions), "amount": draw(MONEY)}
                       for i in range(draw(st.integers(0, 2)))]
    if draw(st.booleans()):
        plan["cap"] = {"per_staff": draw(MONEY)}
    if draw(st.booleans()):
        plan["split"] = {role: Decimal(s) / 10 for role, s in zip(ROLES, steps_of(draw, 3, 10), strict=True)}
    if count >= 2 and draw(st.booleans()):
        source, target = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
        move = Decimal("0.05") * draw(st.integers(1, int(weights[ids.index(source)] / Decimal("0.05"))))
        plan["adjust"] = [{"id": "move", "when": draw(st.one_of(
            conditions, st.builds(lambda t: f"retention_rate < {t}", TENTHS))), "move": move, "from": source,
            "to": target}]
    return plan


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], list[str], dict[tuple[str, str], dict[str, Any]],
                                        dict[str, Any], list[Holding], dict[tuple[str, str, str], Decimal]]:
    commission = draw(commissions())
    periods = PERIODS[:draw(st.integers(1, 3))]
    units = STAFF if "per_staff" in commission["pool"] else GROUPS
    metric = st.decimals(min_value=Decimal(0), max_value=Decimal(3000), places=2)
    rows = {(unit, period): {name: draw(metric) for name in VALUES}
            for period in periods for unit in units if draw(st.integers(0, 3))}
    holdings: list[Holding] = []
    for period in periods:
        for group in GROUPS:
            group_days = draw(st.integers(28, 31))
            for role in ROLES:
                holders = draw(st.lists(st.sampled_from(STAFF), max_size=2, unique=True))
                holdings += [hold(staff, role, group, period, draw(st.integers(1, group_days)), group_days,
                                  len(holders)) for staff in holders]
    late: dict[tuple[str, str, str], Decimal] = {}
    addback: dict[tuple[str, str], Decimal] = {}
    for (unit, origin) in rows:
        for later in periods[periods.index(origin) + 1:]:
            if draw(st.booleans()):
                amount = draw(MONEY)
                late[unit, origin, later] = amount
                if (unit, later) in rows and draw(st.booleans()):
                    addback[unit, later] = addback.get((unit, later), Decimal(0)) + amount
    extra = {"addback": addback, "base_share": {key: draw(st.sampled_from([D("0.25"), D("0.5"), D(1)]))
                                                for key in rows}}
    return commission, periods, rows, extra, holdings, late


def book_of(commission: dict[str, Any], periods: list[str], rows: dict[tuple[str, str], dict[str, Any]],
            extra: dict[str, Any], holdings: list[Holding], late: dict[tuple[str, str, str], Decimal]) -> Book:
    plan, recompute = plan_of(commission)
    results = run(plan, recompute, periods, rows, **extra)
    return build_book(plan, recompute, periods, results, holdings, late)


def snapshot(book: Book) -> tuple[object, ...]:
    return ([(key, s.total, [(li.kind, li.item, li.group_id, li.role, li.exact, li.amount) for li in s.lines])
             for key, s in book.statements.items()], book.period_totals, book.unassigned)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_book_reconciles_to_the_fen(scenario: tuple[Any, ...]) -> None:
    book = book_of(*scenario)
    commission = scenario[0]
    reconcile(book)  # Σ lines = statement total, Σ totals = period total, lines in whole fen
    for period in book.periods:
        statements = [s for (p, _), s in book.statements.items() if p == period]
        # the period total is the exact sum rounded half up to the fen
        assert book.period_totals[period] == to_fen(sum((s.exact for s in statements), Decimal(0)))
        for s in statements:
            assert s.total == s.total.quantize(FEN)
            assert abs(s.total - s.exact) < FEN
            assert all(abs(line.amount - line.exact) < FEN for line in s.lines)
            # the other views of the same lines: per kind, per unit held, the cap and clawbacks
            for kind in ("kpi", "bonus", "gate", "cap", "clawback"):
                assert s.part(kind) == sum((li.amount for li in s.lines if li.kind == kind), Decimal(0))
            per_unit = [(li.kind, li.item, li.amount) for li in s.lines if li.kind in ("kpi", "bonus", "gate")]
            assert [(kind, item, Decimal(fen).scaleb(-2)) for (_, _, result), amounts in s.amounts()
                    for (kind, item, _), fen in zip(result.items, amounts, strict=True)] == per_unit
            assert [(li.kind, li.item, li.amount) for li in s.extras()] == [
                (li.kind, li.item, li.amount) for li in s.lines if li.kind in ("cap", "clawback")]
            own = sum((li.exact for li in s.lines if li.kind in ("kpi", "bonus", "gate")), Decimal(0))
            capped = sum((li.exact for li in s.lines if li.kind != "clawback"), Decimal(0))
            if commission.get("cap"):  # the cap holds on the period's own lines
                assert capped == min(own, commission["cap"]["per_staff"])
            else:
                assert capped == own
        # every unit's payout is either on someone's statement or unassigned
        earned = sum((li.exact for s in statements for li in s.lines if li.kind in ("kpi", "bonus", "gate")),
                     Decimal(0))
        payouts = sum((r.measured.total for (_, p), r in book.results.items() if p == period), Decimal(0))
        assert abs(earned + book.unassigned[period] - payouts) <= Decimal("0.005") + Decimal("1e-15")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_the_same_inputs_give_the_same_book(scenario: tuple[Any, ...]) -> None:
    assert snapshot(book_of(*scenario)) == snapshot(book_of(*scenario))
