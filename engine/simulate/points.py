"""The points ledger: earning (with caps), refunds taking order points back, and expiry in
first-in-first-out batches — relationally, with window functions (a loop over the few earn
rules only; no loop over events, members or days).

`points_ledger(events, points, start, end)` has one row per entry (COLUMNS):

    member_id, date, kind, rule, points, order_id, batch, seq, balance, earned_total

kind is `earn`, `refund` or `expire`; `points` is signed (+ earn, − refund and expire). A
member's entries are numbered `seq` = 1, 2, … over all history in ledger order: by date, then
kind (earn < refund < expire), then the rule's place in the playbook, then order_id.
`balance` is the member's running balance after the entry and `earned_total` the running sum
of earn and refund entries (points earned, less what refunds took back), both over all history. Only entries dated in [start, end] are returned, but
everything before `start` counts (balances carry in). The table is unordered: order it by
member_id, seq.

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

    As a rule on other types than order (and refund) gives one entry per day, its events are
    summed per member and day before the cap: a daily cap is then min(day's points, max) and
    a weekly or monthly cap a window over days — the same totals as event by event, without
    sorting events. Rules on orders are capped event by event, in time order.

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
as_of, from earned_total: right whatever the ledger's start). Earned is net of refunds: a
refund in the window takes back what its order earned (so ordering, reaching a level and
refunding does not keep the level); expiry does not reduce it. A member appears when they have an entry on or before
as_of in the ledger given, so build it with `start` on or before the first event (members idle
since before `start` would be missing); the windows need start ≤ as_of − N + 1.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from decimal import ROUND_DOWN, Decimal
from typing import Any

from ..model.membership import EarnRule, Points
from .features import member_events

KINDS = ("earn", "refund", "expire")  # same-day order of the entries
COLUMNS = ("member_id", "date", "kind", "rule", "points", "order_id", "batch", "seq", "balance", "earned_total")
PERIOD_UNITS = {"week": "W", "month": "M"}
PER_YUAN_SCALE = 12
MONEY = "decimal(38, 2)"
# Rules on these types make one entry per order (their events carry order_id): capped event by event.
PER_ORDER = ("order", "refund")

__all__ = ["COLUMNS", "KINDS", "daily_points", "earning_events", "expiry_days", "member_points", "order_events",
           "points_ledger", "rule_names"]


def earning_events(events: Any, end: dt.date) -> Any:
    """Events that can earn or take back points: a member's (features.member_events: not staff
    posts), on or before `end`."""
    t = member_events(events)
    return t.filter(t.date <= end)


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


def points_ledger(events: Any, points: Points, start: dt.date, end: dt.date, *, daily: Any | None = None,
                  orders: Any | None = None) -> Any:
    """The ledger entries dated in [start, end] (unordered: order by member_id, seq), with
    running balances over all history.

    The events are read twice, whatever the rules: once summed per member and day for the
    rules not on orders (`daily_points`), once for the order and refund rows (`order_events`).
    A caller that keeps those two tables (members.py: the day sums share their pass with the
    member features') passes them as `daily` (member_id, date and daily_points' columns; a
    rule's column set on one row per member and day at most: member_days.py) and `orders`."""
    import ibis

    t = earning_events(events, end)
    if not points.earn:
        return _empty(t)
    order_columns = ["ts", "row"] if "row" in t.columns else ["ts"]
    if daily is None:
        days = t.filter(t.type.isin(sorted({r.on for r in points.earn if r.on not in PER_ORDER} or {""})))
        daily = days.group_by(["member_id", "date"]).aggregate(**daily_points(days, points))
    if orders is None:
        orders = order_events(t, points)
    earned, paid = _earned(daily, orders, points, order_columns)
    parts = [earned]
    refunds = _refund_entries(orders, _union(paid), order_columns) if paid and points.refunds_deduct else None
    if refunds is not None:
        parts.append(refunds)
    days_valid = expiry_days(points)
    if days_valid is not None:
        # The batches that can expire by `end` are earned by end − E: their entries are computed
        # again from the days up to then (caps only look back), not read from `earned`, which
        # DuckDB would then keep whole for both readers although few or none of its rows expire.
        last = end - dt.timedelta(days=days_valid)
        early, _ = _earned(daily.filter(daily.date <= last), orders.filter(orders.date <= last), points, order_columns)
        parts.append(_expire_entries(early, refunds, days_valid, end, len(points.earn)))
    ledger = _union(parts)

    running = ibis.window(group_by="member_id", order_by=["date", "_rank", "_rule", "order_id"], rows=(None, 0))
    ledger = ledger.mutate(
        seq=ibis.row_number().over(running) + 1,
        balance=ledger.points.sum().over(running),
        # Net earned: a refund takes back what its order earned (expiry does not count).
        earned_total=ibis.ifelse(ledger._rank <= 1, ledger.points, 0).sum().over(running),
    )
    ledger = ledger.filter((ledger.date >= start) & (ledger.date <= end))
    return _named(ledger, rule_names(points.earn)).select(*COLUMNS)


def _earned(daily: Any, orders: Any, points: Points, order_columns: list[str]) -> tuple[Any, list[Any]]:
    """Every rule's earn entries (a union), and the points per order event of the rules on
    orders, for refunds."""
    earn: list[Any] = []
    paid: list[Any] = []
    for position, (rule, name) in enumerate(zip(points.earn, rule_names(points.earn), strict=True)):
        if rule.on in PER_ORDER:
            entries, per_event = _earn_orders(orders, rule, name, position, order_columns)
            earn.append(entries)
            if rule.on == "order":
                paid.append(per_event)
        else:
            earn.append(_earn_days(daily, rule, position))
    return _union(earn), paid


def daily_points(t: Any, points: Points, kinds: Callable[[str], bool] = lambda kind: True) -> dict[str, Any]:
    """The aggregates, per member and day over earning events `t`, that the rules not on orders
    earn from: `_points_<i>` the uncapped points of the i-th rule (its place in points.earn),
    NULL on a day without an event of the rule; only for the rules on types `kinds` accepts."""
    return {_day_column(i): _raw(t, rule).sum(where=_match(t, rule))
            for i, rule in enumerate(points.earn) if rule.on not in PER_ORDER and kinds(rule.on)}


def order_events(t: Any, points: Points) -> Any:
    """The earning events on orders and refunds, with `_match_<i>` for each rule on them
    (whether the row earns by the i-th rule): what the rules on orders and the refunds read."""
    order_columns = ["ts", "row"] if "row" in t.columns else ["ts"]
    kinds = {rule.on for rule in points.earn if rule.on in PER_ORDER}
    if points.refunds_deduct and "order" in kinds:
        kinds.add("refund")
    o = t.filter(t.type.isin(sorted(kinds or {""})))
    matches = {_order_column(i): _match(o, rule) for i, rule in enumerate(points.earn) if rule.on in PER_ORDER}
    return o.select("member_id", "date", "type", "order_id", "amount", "count", *order_columns, **matches)


def member_points(ledger: Any, as_of: dt.date, windows: Iterable[int]) -> Any:
    """member_id, points_balance, points_<N>d for each N in `windows`, points_total — as of the
    end of `as_of`, for every member with a ledger entry on or before it."""
    t = ledger.filter(ledger.date <= as_of)
    columns: dict[str, Any] = {"points_balance": t.balance.argmax(t.seq).cast("int64")}
    earn = t.kind.isin(["earn", "refund"])
    for days in sorted(set(windows)):
        since = as_of - dt.timedelta(days=days)
        columns[f"points_{days}d"] = t.points.sum(where=earn & (t.date > since)).fill_null(0).cast("int64")
    columns["points_total"] = t.earned_total.argmax(t.seq).cast("int64")
    return t.group_by("member_id").aggregate(**columns)


def _union(tables: list[Any]) -> Any:
    import ibis

    return ibis.union(*tables) if len(tables) > 1 else tables[0]


def _entries(t: Any, kind: str, position: Any, points: Any, order_id: Any, batch: Any) -> Any:
    """Ledger rows in one shape; `_rank` (the kind's place in KINDS) and `_rule` (the rule's place
    in the playbook; expiry comes after every rule) order a member's entries within a day."""
    import ibis

    # kind and rule follow from _rank and _rule: named after the running window (`_named`), not
    # carried through its sort (at 10M events 4.45M rows, the window's cost)
    return t.select(member_id=t.member_id, date=t.date, points=points.cast("int64"), order_id=order_id, batch=batch,
                    _rank=ibis.literal(KINDS.index(kind), type="int8"), _rule=position)


def _named(ledger: Any, names: list[str]) -> Any:
    """`ledger` with kind (by _rank) and rule (by _rule: the rule's name; none for expiry)."""
    import ibis

    kind = ledger._rank.cases(*[(i, ibis.literal(k)) for i, k in enumerate(KINDS)], else_=ibis.null("string"))
    rule = ledger._rule.cases(*[(i, ibis.literal(n)) for i, n in enumerate(names)], else_=ibis.null("string")) \
        if names else ibis.null("string")
    return ledger.mutate(kind=kind, rule=rule)


# --- earning ----------------------------------------------------------------------------------


def _day_column(position: int) -> str:
    return f"_points_{position}"


def _order_column(position: int) -> str:
    return f"_match_{position}"


def _match(t: Any, rule: EarnRule) -> Any:
    """Whether an event earns by `rule`: its type, and `where` compiled over the event row."""
    from ..catalog import Names
    from ..expr.parse import parse
    from ..expr.to_ibis import compile_expr

    match = t.type == rule.on
    if rule.where is not None:
        match = match & compile_expr(parse(rule.where), t, Names("event")).fill_null(False)
    return match


def _raw(e: Any, rule: EarnRule) -> Any:
    """What one event earns by `rule` before the cap."""
    import ibis

    raw = ibis.literal(0, type="int64")
    if rule.points is not None:
        raw = raw + e["count"].fill_null(1).cast("int64") * rule.points
    if rule.per_yuan is not None:
        raw = raw + _floor_per_yuan(e.amount, rule.per_yuan)
    return raw


def _earn_days(daily: Any, rule: EarnRule, position: int) -> Any:
    """The entries of a rule not on orders: one per member and day, from its events summed per
    day (daily_points). A daily cap is then min(day's points, max) and a weekly or monthly cap a
    window over the member's days: the same totals as event by event, without sorting events."""
    import ibis

    column = daily[_day_column(position)]
    e = daily.filter(column.notnull()).select("member_id", "date", _raw=column)
    if rule.cap is not None:
        limit = rule.cap.max
        if rule.cap.per == "day":
            e = e.mutate(_raw=ibis.least(e._raw, limit))
        else:
            e = _capped(e, rule.cap.per, limit, ["date"])
    e = e.filter(e._raw > 0)
    return _entries(e, "earn", ibis.literal(position, type="int16"), e._raw, ibis.null("string"), e.date)


def _earn_orders(orders: Any, rule: EarnRule, name: str, position: int, order_columns: list[str]) -> tuple[Any, Any]:
    """A rule on orders (order_events): capped event by event (a window over the events in time
    order), one entry per order; and its points per event (member_id, order_id, points) for
    refunds."""
    import ibis

    e = orders.filter(orders[_order_column(position)])
    e = e.select("member_id", "date", "order_id", *order_columns, _raw=_raw(e, rule))
    if rule.cap is not None:
        e = _capped(e, rule.cap.per, rule.cap.max, order_columns)
    label, place = ibis.literal(name, type="string"), ibis.literal(position, type="int16")
    per_event = e.select("member_id", "order_id", points=e._raw.cast("int64"), rule=label, _rule=place)
    g = e.group_by(["member_id", "date", "order_id"]).aggregate(points=e._raw.sum())
    g = g.filter(g.points > 0)
    return _entries(g, "earn", place, g.points, g.order_id, g.date), per_event


def _capped(e: Any, per: str, limit: int, order: list[str]) -> Any:
    """`_raw` capped at `limit` per member and calendar `per` (day, week, month), taken in
    `order`: with c the running sum of uncapped points, a row earns min(c, max) − min(c − own, max)."""
    import ibis

    period = e.date if per == "day" else e.date.truncate(PERIOD_UNITS[per])
    e = e.mutate(_period=period)
    window = ibis.window(group_by=["member_id", "_period"], order_by=order, rows=(None, 0))
    e = e.mutate(_cum=e._raw.sum().over(window))
    return e.mutate(_raw=ibis.least(e._cum, limit) - ibis.least(e._cum - e._raw, limit))


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


# --- refunds ----------------------------------------------------------------------------------


def _refund_entries(t: Any, per_event: Any, order_columns: list[str]) -> Any:
    """Refund rows: each refund brings its order's taken-back share up to floor(P × min(c, A) / A)."""
    import ibis

    paid = per_event.filter(per_event.order_id.notnull())
    paid = paid.group_by(["member_id", "order_id", "rule", "_rule"]).aggregate(order_points=paid.points.sum())
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
        return _floor_div(r.order_points.cast(MONEY) * ibis.least(refunded, amount), amount)

    first = ibis.ifelse(r._nth == 0, 1, 0)  # an order of amount 0 is given back by its first refund
    back = ibis.ifelse(amount > 0, taken(r._after) - taken(r._before), full * first)
    r = r.mutate(_back=back.cast("int64"))
    g = r.group_by(["member_id", "date", "rule", "_rule", "order_id"]).aggregate(back=r._back.sum())
    g = g.filter(g.back > 0)
    return _entries(g, "refund", g._rule, -g.back, g.order_id, ibis.null("date"))


def _floor_div(numerator: Any, denominator: Any) -> Any:
    """floor(n / d) for DECIMAL n ≥ 0 and d > 0, exact: a float64 guess corrected by one either way."""
    import ibis

    d = ibis.ifelse(denominator > 0, denominator, 1)
    guess = (numerator.cast("float64") / d.cast("float64")).floor().cast("int64")
    q = guess.cast("decimal(38, 0)")
    up = ibis.ifelse((q + 1) * d <= numerator, guess + 1, guess)
    return ibis.ifelse(q * d > numerator, guess - 1, up)


# --- expiry -----------------------------------------------------------------------------------


def _expire_entries(earn: Any, refunds: Any | None, days: int, end: dt.date, after_rules: int) -> Any:
    """Expire rows: batch i expires max(0, max_{k≤i}(S_k − R_k)) minus the same through i − 1."""
    import ibis

    # Batches expiring after `end` do not count: S_i sums batches up to i only.
    last = end - dt.timedelta(days=days)
    earn = earn.filter(earn.batch <= last)
    batches = earn.group_by(["member_id", "batch"]).aggregate(size=earn.points.sum())
    by_batch = ibis.window(group_by="member_id", order_by="batch", rows=(None, 0))
    b = batches.mutate(_earned=batches.size.sum().over(by_batch),
                       date=(batches.batch + ibis.interval(days=days)).cast("timestamp").cast("date"))
    if refunds is not None:
        # R_i: the member's refunds dated on or before the expiry day: a running sum over the
        # refund days and the batches in one stream per member, a refund day sorting before a
        # batch expiring that day (not an as-of join: Spark has none).
        daily = refunds.group_by(["member_id", "date"]).aggregate(_taken=-refunds.points.sum())
        taken = daily._taken.type()
        marks = daily.select("member_id", batch=ibis.null("date"), date="date", _earned=ibis.null(b._earned.type()),
                             _taken="_taken", _k=ibis.literal(0))
        rows = b.select("member_id", "batch", "date", "_earned", _taken=ibis.literal(0, type=taken), _k=ibis.literal(1))
        u = ibis.union(marks, rows, distinct=False)
        u = u.mutate(_refunded=u._taken.sum().over(ibis.window(group_by="member_id", order_by=["date", "_k"],
                                                              rows=(None, 0))))
        b = u.filter(u._k == 1).select("member_id", "batch", "date", "_earned", "_refunded")
    else:
        b = b.mutate(_refunded=ibis.literal(0, type="int64"))
    # Expired through this batch and through the one before (one sort: same order, two frames).
    before = ibis.window(group_by="member_id", order_by="batch", rows=(None, -1))
    gap = b._earned - b._refunded
    b = b.mutate(_expired=ibis.greatest(gap.max().over(by_batch), 0) - ibis.greatest(gap.max().over(before), 0)
                 .fill_null(0))
    b = b.filter(b._expired > 0)
    return _entries(b, "expire", ibis.literal(after_rules, type="int16"), -b._expired,
                    ibis.null("string"), b.batch)


def _empty(t: Any) -> Any:
    import ibis

    none = t.filter(ibis.literal(False))
    return none.select(member_id=none.member_id, date=none.date, kind=ibis.literal("earn"),
                       rule=ibis.null("string"), points=ibis.literal(0, type="int64"), order_id=none.order_id,
                       batch=none.date, seq=ibis.literal(0, type="int64"), balance=ibis.literal(0, type="int64"),
                       earned_total=ibis.literal(0, type="int64"))
