"""The points ledger: earning (with caps), refunds taking order points back, and expiry in
first-in-first-out batches — relationally, with window functions (a loop over the few earn
rules only; no loop over events, members or days).

`points_ledger(events, points, start, end)` has one row per entry:

    member_id, date, kind, rule, points, order_id, batch, balance, earned_total

kind is `earn`, `refund` or `expire`; `points` is signed (+ earn, − refund and expire);
`balance` is the member's running balance after the entry and `earned_total` the running sum
of earn entries (all history, so both are right even when `start` cuts earlier entries off).
Entries are ordered within a member by date, then kind (earn < refund < expire), then rule,
order_id and batch; `balance` follows that order. Only entries dated in [start, end] are
returned, but everything before `start` counts (balances carry in).

Which events earn
    Events with a member_id, on or before `end`. Staff posts (a message with staff_id) earn
    nothing; other events carrying a staff_id (a join with its inviter, a reach) belong to
    their member and do earn. Every row of the rule's type earns, flagged messages included:
    use `where` to narrow (it is compiled over the event row with the event names, e.g.
    `channel == "直播"`, `amount >= 100`). `on` takes the canonical type (`下单` is `order`).

How much one event earns (before the cap)
    `points × count` (count defaults to 1, so a pre-aggregated message row with count 3 earns
    3 × points) plus `floor(amount × per_yuan)`, exact in decimal (19.99 × 1 → 19; 9.90 × 0.5
    → 4). `per_yuan` is read to 12 decimal places. Validation allows only one of the two.

Caps
    Per rule, per member, per calendar period: `day`, `week` (starting Monday) or `month`.
    Events are taken in time order (ts, then the file row for ties); an event earns what is
    left under the cap, so the one that reaches it earns partially (points 3, max 10: 3, 3, 3,
    1, then 0) and later ones nothing. Relationally: with c the running sum of uncapped
    points in the period, an event earns min(c, max) − min(c − own, max).

Ledger rows
    Earn entries are summed per (member, date, rule, order_id): one row per rule and day, and
    per order for rules on orders (order_id set). `rule` is the rule's id, else its `on`;
    when two rules share that name the later ones get `#2`, `#3`…. Entries of 0 are dropped.
    `batch` is the earning date on earn rows (the batch they open) and on expire rows (the
    batch that expires); it is NULL on refund rows.

Refunds (when `refunds_deduct`)
    A refund takes back points of its member's order with the same order_id placed at or
    before the refund's ts; a refund without order_id, or without such an order, takes nothing.
    Refunds of one order are taken in time order and each takes the points that bring the
    order's refunded share up to floor(P × min(refunded so far, A) / A) per rule that paid
    points on it (P that rule's points on the order after caps, A the order's amount: the sum
    of its order rows). So a full refund in three parts takes everything back, refunding more
    than the order's amount takes no more, and an order of amount 0 gives everything back on
    its first refund. One refund row per (member, date, rule, order_id), `rule` the rule whose
    points it takes back.

    A refund always deducts in full, even if the points are gone (expired): the balance may
    drop below zero. A negative balance is a debt that the next points earned pay off first;
    points that pay a debt never expire. Only a refund can make the balance negative.

Expiry (when `expire_after` is set)
    expire_after in whole days, rounded up (`12h` is 1 day). Points earned on day d are valid
    through d + E − 1 and expire on d + E, the first day they no longer count (365d: earned
    2027-01-01, still valid on 2027-12-31, gone on 2028-01-01; 30d: gone on 2027-01-31).
    A batch is all the points a member earned on one day. Refunds consume batches first in,
    first out, regardless of which order they came from; what expires is what is left of the
    batch. Same-day order: earns, then refunds, then the expiry (a refund on the expiry day
    still takes from the expiring batch). Relationally, with S_i the member's points earned
    through batch i and R_i the refunds dated on or before batch i's expiry day, the points
    expired through batch i are max(0, max over k ≤ i of (S_k − R_k)): after batch i expires
    every batch up to i is gone, so the total removed is at least S_i. Batch i expires that
    running maximum minus the one before it.

`member_points(ledger, as_of, windows)` gives member_id, points_balance (the balance after the
member's last entry on or before as_of), points_<N>d (points earned in the N days up to and
including as_of: date > as_of − N, as features.py counts) and points_total (earned through
as_of). Earned means earn entries: refunds and expiry do not reduce it. A member appears when
they have an entry on or before as_of in the ledger given: build the ledger with `start` on or
before the first event so that members idle since before `start` keep their balance; the
windows need start ≤ as_of − N + 1.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from decimal import ROUND_DOWN, Decimal
from typing import Any

from engine.model.membership import EarnRule, Points

KINDS = ("earn", "refund", "expire")  # same-day order of the entries
PERIOD_UNITS = {"week": "W", "month": "M"}
PER_YUAN_SCALE = 12
MONEY = "decimal(38, 2)"
# A member's entries in ledger order (`_rank`: the kind's place in KINDS); the keys are unique.
ENTRY_ORDER = ["date", "_rank", "rule", "order_id", "batch"]

__all__ = ["KINDS", "earning_events", "expiry_days", "member_points", "points_ledger", "rule_names"]


def earning_events(events: Any, end: dt.date) -> Any:
    """Events that can earn or take back points: a member's, on or before `end`, not staff posts."""
    t = events
    staff_post = (t.type == "message") & t.staff_id.notnull()
    return t.filter(t.member_id.notnull() & ~staff_post & (t.date <= end))


def rule_names(rules: Iterable[EarnRule]) -> list[str]:
    """Each rule's ledger name: its id, else its `on`; repeated names get `#2`, `#3`…."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for rule in rules:
        base = rule.id or rule.on
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return names


def expiry_days(points: Points) -> int | None:
    """expire_after in whole days, rounded up; None when points never expire."""
    if points.expire_after is None:
        return None
    return max(1, math.ceil(points.expire_after.minutes / 1440))


def points_ledger(events: Any, points: Points, start: dt.date, end: dt.date) -> Any:
    """The ledger entries dated in [start, end], with running balances over all history."""
    import ibis

    t = earning_events(events, end)
    order_columns = ["ts", "row"] if "row" in t.columns else ["ts"]
    earned = [_earn(t, rule, name, order_columns) for rule, name in zip(points.earn, rule_names(points.earn),
                                                                          strict=True)]
    per_event = (ibis.union(*earned) if len(earned) > 1 else earned[0]) if earned else None

    entries = [_earn_entries(per_event)] if per_event is not None else []
    refunds = _refund_entries(t, per_event, order_columns) if per_event is not None and points.refunds_deduct else None
    if refunds is not None:
        entries.append(refunds)
    days = expiry_days(points)
    if days is not None and per_event is not None:
        entries.append(_expire_entries(entries[0], refunds, days, end))
    ledger = (ibis.union(*entries) if len(entries) > 1 else entries[0]) if entries else _empty(t)

    ledger = ledger.mutate(_rank=_rank(ledger))
    running = ibis.window(group_by="member_id", order_by=ENTRY_ORDER, rows=(None, 0))
    ledger = ledger.mutate(
        balance=ledger.points.sum().over(running),
        earned_total=ibis.ifelse(ledger.kind == "earn", ledger.points, 0).sum().over(running),
    )
    ledger = ledger.filter((ledger.date >= start) & (ledger.date <= end))
    ledger = ledger.order_by(["member_id", *ENTRY_ORDER])
    return ledger.select("member_id", "date", "kind", "rule", "points", "order_id", "batch", "balance",
                         "earned_total")


def member_points(ledger: Any, as_of: dt.date, windows: Iterable[int]) -> Any:
    """member_id, points_balance, points_<N>d for each N in `windows`, points_total — as of the
    end of `as_of`, for every member with a ledger entry on or before it."""
    import ibis

    t = ledger.filter(ledger.date <= as_of)
    t = t.mutate(_rank=_rank(t))
    t = t.mutate(_n=ibis.row_number().over(ibis.window(group_by="member_id", order_by=ENTRY_ORDER)),
                 _entries=t.count().over(ibis.window(group_by="member_id")))
    last = t._n == t._entries - 1
    columns: dict[str, Any] = {"points_balance": t.balance.max(where=last).cast("int64")}
    earn = t.kind == "earn"
    for days in sorted(set(windows)):
        since = as_of - dt.timedelta(days=days)
        columns[f"points_{days}d"] = t.points.sum(where=earn & (t.date > since)).fill_null(0).cast("int64")
    columns["points_total"] = t.earned_total.max(where=last).cast("int64")
    return t.group_by("member_id").aggregate(**columns)


def _rank(t: Any) -> Any:
    import ibis

    return ibis.cases(*[(t.kind == kind, i) for i, kind in enumerate(KINDS)], else_=len(KINDS))


# --- earning ----------------------------------------------------------------------------------


def _earn(t: Any, rule: EarnRule, name: str, order_columns: list[str]) -> Any:
    """Per matching event: member_id, date, ts, rule, order_id, amount, points (after the cap)."""
    import ibis

    from engine.catalog import Names
    from engine.expr.parse import parse
    from engine.expr.to_ibis import compile_expr

    match = t.type == rule.on
    if rule.where is not None:
        match = match & compile_expr(parse(rule.where), t, Names("event")).fill_null(False)
    e = t.filter(match)
    raw = ibis.literal(0, type="int64")
    if rule.points is not None:
        raw = raw + e["count"].fill_null(1).cast("int64") * rule.points
    if rule.per_yuan is not None:
        raw = raw + _floor_per_yuan(e.amount, rule.per_yuan)
    e = e.mutate(_raw=raw)
    if rule.cap is not None:
        period = e.date if rule.cap.per == "day" else e.date.truncate(PERIOD_UNITS[rule.cap.per])
        e = e.mutate(_period=period)
        window = ibis.window(group_by=["member_id", "_period"], order_by=order_columns, rows=(None, 0))
        e = e.mutate(_cum=e._raw.sum().over(window))
        limit = rule.cap.max
        e = e.mutate(_raw=ibis.least(e._cum, limit) - ibis.least(e._cum - e._raw, limit))
    return e.select(member_id=e.member_id, date=e.date, ts=e.ts, rule=ibis.literal(name, type="string"),
                    type=e.type, order_id=e.order_id, points=e._raw.cast("int64"))


def _floor_per_yuan(amount: Any, per_yuan: Decimal) -> Any:
    """floor(amount × per_yuan), exact: a DECIMAL product, floored (amounts are never negative)."""
    import ibis

    rate = per_yuan.quantize(Decimal(1).scaleb(-PER_YUAN_SCALE), rounding=ROUND_DOWN).normalize()
    exponent = rate.as_tuple().exponent
    scale = max(0, -exponent) if isinstance(exponent, int) else 0
    # Both factors DECIMAL(38, s), s = max(2, the rate's places): exact for products below 10^(38 − 2s).
    kind = f"decimal(38, {max(2, scale)})"
    product = amount.cast(kind).fill_null(0) * ibis.literal(rate, type=kind)
    return product.floor().cast("int64")


def _earn_entries(per_event: Any) -> Any:
    import ibis

    grouped = per_event.group_by(["member_id", "date", "rule", "order_id"]).aggregate(points=per_event.points.sum())
    grouped = grouped.filter(grouped.points > 0)
    return grouped.select(member_id=grouped.member_id, date=grouped.date, kind=ibis.literal("earn"),
                          rule=grouped.rule, points=grouped.points.cast("int64"), order_id=grouped.order_id,
                          batch=grouped.date)


# --- refunds ----------------------------------------------------------------------------------


def _refund_entries(t: Any, per_event: Any, order_columns: list[str]) -> Any:
    """Refund rows: each refund brings its order's taken-back share up to floor(P × min(c, A) / A)."""
    import ibis

    paid = per_event.filter((per_event.type == "order") & per_event.order_id.notnull())
    paid = paid.group_by(["member_id", "order_id", "rule"]).aggregate(order_points=paid.points.sum())
    paid = paid.filter(paid.order_points > 0)

    orders = t.filter((t.type == "order") & t.order_id.notnull())
    orders = orders.group_by(["member_id", "order_id"]).aggregate(
        order_amount=orders.amount.cast(MONEY).fill_null(0).sum(), placed=orders.ts.min())

    r = t.filter((t.type == "refund") & t.order_id.notnull())
    r = r.select("member_id", "order_id", "date", *order_columns, refund=r.amount.cast(MONEY).fill_null(0))
    r = r.join(orders, ["member_id", "order_id"])
    r = r.filter(r.ts >= r.placed)
    window = ibis.window(group_by=["member_id", "order_id"], order_by=order_columns, rows=(None, 0))
    r = r.mutate(_after=r.refund.sum().over(window), _nth=ibis.row_number().over(window))
    r = r.mutate(_before=r._after - r.refund)
    r = r.join(paid, ["member_id", "order_id"])
    amount = r.order_amount
    full = r.order_points.cast("int64")

    def taken(refunded: Any) -> Any:
        share = _floor_div(r.order_points.cast(MONEY) * ibis.least(refunded, amount), amount)
        return ibis.ifelse(amount > 0, ibis.least(share, full), ibis.ifelse(refunded > 0, full, 0))

    first = ibis.ifelse(r._nth == 0, 1, 0)  # an order of amount 0 is given back by its first refund
    back = ibis.ifelse(amount > 0, taken(r._after) - taken(r._before), full * first)
    r = r.mutate(_back=back.cast("int64"))
    grouped = r.group_by(["member_id", "date", "rule", "order_id"]).aggregate(back=r._back.sum())
    grouped = grouped.filter(grouped.back > 0)
    return grouped.select(member_id=grouped.member_id, date=grouped.date, kind=ibis.literal("refund"),
                          rule=grouped.rule, points=(-grouped.back).cast("int64"), order_id=grouped.order_id,
                          batch=ibis.null("date"))


def _floor_div(numerator: Any, denominator: Any) -> Any:
    """floor(n / d) for DECIMAL n ≥ 0 and d > 0, exact: a float64 guess corrected by one either way."""
    import ibis

    d = ibis.ifelse(denominator > 0, denominator, 1)
    guess = (numerator.cast("float64") / d.cast("float64")).floor().cast("int64")
    q = guess.cast("decimal(38, 0)")
    up = ibis.ifelse((q + 1) * d <= numerator, guess + 1, guess)
    return ibis.ifelse(q * d > numerator, guess - 1, up)


# --- expiry -----------------------------------------------------------------------------------


def _expire_entries(earn: Any, refunds: Any | None, days: int, end: dt.date) -> Any:
    """Expire rows: batch i expires max(0, max_{k≤i}(S_k − R_k)) minus the same through i − 1."""
    import ibis

    batches = earn.group_by(["member_id", "batch"]).aggregate(size=earn.points.sum())
    through = ibis.window(group_by="member_id", order_by="batch", rows=(None, 0))
    batches = batches.mutate(_earned=batches.size.sum().over(through))
    expiring = batches.select(
        member_id=batches.member_id,
        date=(batches.batch + ibis.interval(days=days)).cast("timestamp").cast("date"),
        _rank=ibis.literal(2),
        _taken=ibis.literal(0, type="int64"),
        _earned=batches._earned.cast("int64"),
        batch=batches.batch,
    )
    expiring = expiring.filter(expiring.date <= end)
    if refunds is not None:
        taken = refunds.select(member_id=refunds.member_id, date=refunds.date, _rank=ibis.literal(1),
                               _taken=(-refunds.points).cast("int64"), _earned=ibis.null("int64"),
                               batch=ibis.null("date"))
        both = ibis.union(expiring, taken)
        so_far = ibis.window(group_by="member_id", order_by=["date", "_rank"], rows=(None, 0))
        both = both.mutate(_refunded=both._taken.sum().over(so_far))
        expiring = both.filter(both._rank == 2)
    else:
        expiring = expiring.mutate(_refunded=ibis.literal(0, type="int64"))
    by_batch = ibis.window(group_by="member_id", order_by="batch", rows=(None, 0))
    e = expiring.mutate(_gone=ibis.greatest((expiring._earned - expiring._refunded).max().over(by_batch), 0))
    before = ibis.window(group_by="member_id", order_by="batch")
    e = e.mutate(_expired=e._gone - e._gone.lag().over(before).fill_null(0))
    e = e.filter(e._expired > 0)
    return e.select(member_id=e.member_id, date=e.date, kind=ibis.literal("expire"), rule=ibis.null("string"),
                    points=(-e._expired).cast("int64"), order_id=ibis.null("string"), batch=e.batch)


def _empty(t: Any) -> Any:
    import ibis

    none = t.filter(ibis.literal(False))
    return none.select(member_id=none.member_id, date=none.date, kind=ibis.literal("earn"),
                       rule=ibis.null("string"), points=ibis.literal(0, type="int64"),
                       order_id=none.order_id, batch=none.date)
