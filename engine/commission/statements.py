"""From unit results to each staff member's statement: their share of every group they held
(role share × days held ÷ the group's days in the period), the per-staff cap, clawbacks of
closed periods, and the rounding to the fen.

A group's payout is split by `commission.split` (role → share) and days: a holder of a role
earns the role's share × their days ÷ the group's days in the period, a day shared equally
when several people held the role that day; days nobody held a role are not paid (reported as
`unassigned`).
Without a split, everyone who held the group shares it by days held (a person counted once,
whatever their roles there). A per-staff pool pays the
staff member directly. The cap applies to a period's own lines; a clawback is the difference
between what a closed period paid (after its cap) and what it would have paid had its later
refunds been known, shown in the period the refunds happened."""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import MappingProxyType

from .allocate import largest_remainder, to_fen
from .payfactor import ZERO
from .plan import Plan
from .units import Recompute, UnitResult, claw


@dataclass(frozen=True)
class Holding:
    """A staff member held a group in a role for some days of a period."""

    staff_id: str
    role: str
    group_id: str
    period: str
    assigned_days: int
    group_days: int  # the group's days in the period (inside the window)
    role_days: Decimal  # assigned days, each divided by the number of holders of the role that day


NO_DETAIL: Mapping[str, object] = MappingProxyType({})


@dataclass(slots=True)
class Line:
    """One line of a statement. Only a statement's cap and clawback lines are kept as Lines;
    the others are made when asked for (`Statement.lines`) from the units it held."""

    period: str
    staff_id: str
    kind: str  # kpi | bonus | gate | cap | clawback
    item: str  # KPI id, bonus id, gate, cap, or the clawed period
    exact: Decimal
    group_id: str | None = None
    role: str | None = None
    share: Decimal | None = None  # the staff member's part of the unit's payout
    result: UnitResult | None = None  # the unit's result the line comes from
    holding: Holding | None = None  # the holding the share comes from
    detail: Mapping[str, object] = field(default_factory=lambda: NO_DETAIL)
    amount: Decimal = ZERO  # in fen, after rounding


# A unit a staff member held in a period: the holding (None for a per-staff pool), their share
# of the unit's payout and the unit's result. Its lines are the result's items × the share.
Held = tuple[Holding | None, Decimal, UnitResult]
KINDS = ("kpi", "bonus", "gate", "cap", "clawback")  # of lines, in the order statements and summaries list them


@dataclass(slots=True)
class Statement:
    """A staff member's lines of a period: the units they held (`held`, each giving one line per
    item of its result) then the cap and clawback lines (`extra`). The lines' amounts in fen are
    kept as integers (`fen`), not as Line objects: a run has hundreds of thousands of lines, and
    each line's exact amount is its item's amount × the share, recomputed when needed (the
    same Decimal operation gives the same value)."""

    period: str
    staff_id: str
    held: list[Held] = field(default_factory=list)
    extra: list[Line] = field(default_factory=list)
    total: Decimal = ZERO  # in fen
    fen: array[int] = field(default_factory=lambda: array("q"))  # each line's amount in fen, in line order
    parts: dict[str, Decimal] = field(default_factory=dict)  # kind → its lines' amounts

    def exacts(self) -> Iterator[Decimal]:
        """Each line's exact amount, in line order."""
        for _, share, result in self.held:
            for _, _, amount in result.items:
                yield amount * share
        for line in self.extra:
            yield line.exact

    def kinds(self) -> Iterator[str]:
        for _, _, result in self.held:
            for kind, _, _ in result.items:
                yield kind
        for line in self.extra:
            yield line.kind

    def part(self, kind: str) -> Decimal:
        return self.parts.get(kind, ZERO)

    @property
    def exact(self) -> Decimal:
        return sum(self.exacts(), ZERO)

    @property
    def lines(self) -> list[Line]:
        """Every line as a Line (for one statement at a time: the trace, tests)."""
        out = [Line(self.period, self.staff_id, kind, item, amount * share,
                    holding.group_id if holding else None, holding.role if holding else None, share, result,
                    holding)
               for holding, share, result in self.held for kind, item, amount in result.items]
        for line, fen in zip(out, self.fen, strict=False):
            line.amount = in_yuan(fen)
        return out + self.extras()

    def extras(self) -> list[Line]:
        """The cap and clawback lines, with their amounts."""
        first = len(self.fen) - len(self.extra)
        return [replace(line, amount=in_yuan(self.fen[first + i]) if self.fen else ZERO)
                for i, line in enumerate(self.extra)]

    def amounts(self) -> Iterator[tuple[Held, array[int]]]:
        """Each unit held, with this statement's amount in fen of each of its items (in the
        order of the unit's `items`)."""
        at = 0
        for held in self.held:
            count = len(held[2].items)
            yield held, self.fen[at:at + count]
            at += count


def in_yuan(fen: int) -> Decimal:
    """An amount kept in fen, as yuan with two places."""
    return Decimal(fen).scaleb(-2)


@dataclass
class Book:
    """Every statement of the run, period by period, and what was not paid to anyone."""

    periods: list[str]
    statements: dict[tuple[str, str], Statement]  # (period, staff) → statement
    results: dict[tuple[str, str], UnitResult]  # (unit, period) → as paid when the period closed
    unassigned: dict[str, Decimal]  # period → exact amount of the units' payouts nobody held
    period_totals: dict[str, Decimal]  # period → total in fen (= Σ staff totals)


def shares(plan: Plan, holdings: list[Holding]) -> dict[tuple[str, str], list[tuple[Holding, Decimal]]]:
    """(staff, period) → [(holding, share of the group's payout)], shares above 0 only."""
    split = plan.commission.split
    if not split:
        holdings = _one_per_person(holdings)
    held_days: dict[tuple[str, str], int] = defaultdict(int)
    for h in holdings:
        held_days[h.group_id, h.period] += h.assigned_days
    out: dict[tuple[str, str], list[tuple[Holding, Decimal]]] = defaultdict(list)
    for h in sorted(holdings, key=lambda h: (h.staff_id, h.period, h.group_id, h.role)):
        if split:
            share = split.get(h.role, ZERO) * h.role_days / Decimal(h.group_days)
        else:
            share = Decimal(h.assigned_days) / Decimal(held_days[h.group_id, h.period])
        if share > 0:
            out[h.staff_id, h.period].append((h, share))
    return out


def _one_per_person(holdings: list[Holding]) -> list[Holding]:
    """Without a split roles do not matter: one holding per person, group and period, with the
    most days of their roles there (someone holding a group in two roles counts once)."""
    best: dict[tuple[str, str, str], Holding] = {}
    for h in sorted(holdings, key=lambda h: (h.staff_id, h.group_id, h.period, -h.assigned_days, h.role)):
        best.setdefault((h.staff_id, h.group_id, h.period), h)
    return list(best.values())


class _Ledger:
    def __init__(self, plan: Plan, by_staff: dict[tuple[str, str], list[tuple[Holding, Decimal]]]) -> None:
        self.plan = plan
        self.by_staff = by_staff

    def earned(self, staff: str, period: str, results: dict[tuple[str, str], UnitResult]) -> list[Held]:
        """The units the staff member held in a period, with their share (their lines before the cap)."""
        if self.plan.unit == "staff":
            result = results.get((staff, period))
            return [(None, Decimal(1), result)] if result else []
        return [(holding, share, results[holding.group_id, period])
                for holding, share in self.by_staff.get((staff, period), []) if (holding.group_id, period) in results]

    def paid(self, staff: str, period: str, results: dict[tuple[str, str], UnitResult]) -> Decimal:
        """What the staff member's own lines of a period add up to, after the cap (the sum of
        their shares of the units' totals: the lines without building them)."""
        if self.plan.unit == "staff":
            result = results.get((staff, period))
            total = result.measured.total if result else ZERO
        else:
            total = sum((share * results[h.group_id, period].measured.total
                         for h, share in self.by_staff.get((staff, period), []) if (h.group_id, period) in results),
                        ZERO)
        cap = self.plan.commission.cap
        return min(total, cap.per_staff) if cap is not None else total


def build_book(plan: Plan, recompute: Recompute, periods: list[str], results: dict[tuple[str, str], UnitResult],
               holdings: list[Holding], late: dict[tuple[str, str, str], Decimal]) -> Book:
    """The statements. `late`: (unit, order period, refund period) → refunds of that unit's
    orders of a closed period, made in a later period (only when the plan claws back)."""
    by_staff = shares(plan, holdings)
    ledger = _Ledger(plan, by_staff)
    staff_periods = sorted({key for key in by_staff} | (
        {(unit, period) for unit, period in results} if plan.unit == "staff" else set()), key=lambda k: (k[1], k[0]))
    statements: dict[tuple[str, str], Statement] = {}
    for staff, period in staff_periods:
        statement = statements[period, staff] = Statement(period, staff, ledger.earned(staff, period, results))
        cap = plan.commission.cap
        total = statement.exact
        if cap is not None and total > cap.per_staff:
            statement.extra.append(Line(period, staff, "cap", "cap", cap.per_staff - total, detail={"before": total}))

    current = dict(results)
    for refund_period in periods:
        for origin in periods:
            refunds = {unit: amount for (unit, q, p), amount in late.items() if q == origin and p == refund_period}
            if not refunds:
                continue
            touched = {s for (s, q), held in by_staff.items() if q == origin
                       and any(h.group_id in refunds for h, _ in held)} if plan.unit == "group" else set(refunds)
            before = {s: ledger.paid(s, origin, current) for s in touched}
            for unit, amount in refunds.items():
                if (unit, origin) in current:
                    current[unit, origin] = claw(plan, recompute, current[unit, origin], refund_period, amount)
            for s in sorted(touched):
                delta = ledger.paid(s, origin, current) - before[s]
                if delta:
                    statement = statements.setdefault((refund_period, s), Statement(refund_period, s))
                    units = sorted(u for u in refunds if plan.unit == "staff" or any(
                        h.group_id == u for h, _ in by_staff.get((s, origin), [])))
                    statement.extra.append(Line(refund_period, s, "clawback", origin, delta, detail={
                        "origin": origin, "refunds": {u: refunds[u] for u in units}, "before": before[s],
                        "after": before[s] + delta}))

    period_totals = _round(periods, statements)
    unassigned = _unassigned(plan, periods, results, by_staff)
    ordered = dict(sorted(statements.items(), key=lambda item: (item[0][0], item[0][1])))
    return Book(periods, ordered, results, unassigned, period_totals)


def _round(periods: list[str], statements: dict[tuple[str, str], Statement]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for period in periods:
        keys = sorted(k for k in statements if k[0] == period)
        exacts = [list(statements[k].exacts()) for k in keys]  # one period's lines at a time
        staff_totals = largest_remainder([sum(lines, ZERO) for lines in exacts])
        for key, lines, total in zip(keys, exacts, staff_totals, strict=True):
            statement = statements[key]
            statement.total = total
            amounts = largest_remainder(lines, total)
            statement.fen = array("q", [int(amount.scaleb(2)) for amount in amounts])
            parts: dict[str, Decimal] = {}
            for kind, amount in zip(statement.kinds(), amounts, strict=True):
                parts[kind] = parts.get(kind, ZERO) + amount
            statement.parts = parts
        totals[period] = sum(staff_totals, ZERO)
    return totals


def _unassigned(plan: Plan, periods: list[str], results: dict[tuple[str, str], UnitResult],
                by_staff: dict[tuple[str, str], list[tuple[Holding, Decimal]]]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for period in periods:
        if plan.unit == "staff":
            out[period] = ZERO
            continue
        paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for (_, q), held in by_staff.items():
            if q == period:
                for holding, share in held:
                    paid[holding.group_id] += share
        out[period] = sum(((1 - paid[unit]) * r.measured.total for (unit, q), r in results.items() if q == period),
                          ZERO)
    return {p: to_fen(v) for p, v in out.items()}
