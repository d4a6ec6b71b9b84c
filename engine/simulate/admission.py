"""Entry thresholds (门槛) in the simulator: would each join have been let in, the admission rates
per group type, and the events with the refused joins left out.

Conventions (the handbook prints them):

- Every `join` event is judged by the `entry` of its group's type. A group whose type is not in
  the playbook (or that has no type) is treated as open: its joins are admitted as "open".
- Order: events are ordered by ts, then by row (the file's order breaks ties at the same time).
- Judged on the events as recorded, with no cascade: a referrer whose own join would have been
  refused still counts as a member, and `without_refused` keeps the joins they referred.
- invite (邀请式): admitted when staff_id held one of `entry.roles` in that group on the join's
  date (assignment from ≤ date ≤ to, both inclusive; no `to`: still assigned); no roles listed:
  any staff assigned to the group. `min_level` is not judged for staff (staff have no level).
- referral (推荐式): admitted when referrer_id is a member of the same group at the join's time
  (a referral vouches for the group being joined, so membership of another group does not
  count): their last join or leave in that group before the join is a join, or they have none
  and are in `members_before`. A member cannot refer themselves. `min_level` is judged only
  when a `levels` table is given (rank ≥ the rank of min_level in `level_order`; a referrer
  without a row is at the first level, rank 0); without one it is not judged.
- activity (活动式): the join's activity equals `entry.activity`; no activity configured: any
  activity.
- paid (付费式): the join's amount ≥ `entry.fee`; no fee configured (or 0): any amount above 0.
  No amount, or 0, is "unpaid".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model.groups import GroupType
from .periods import rate

# reason → (English, Chinese); the first five admit.
REASONS: dict[str, tuple[str, str]] = {
    "open": ("open group: anyone may join", "开放群：任何人可入群"),
    "invited_by_role": ("invited by staff in an allowed role", "由有邀请权限的员工邀请"),
    "referred_by_member": ("referred by a member of the group", "由群成员推荐"),
    "took_activity": ("took part in the activity", "参加了指定活动"),
    "paid": ("paid the entry fee", "已支付入群费用"),
    "inviter_not_allowed": ("the inviter did not hold an allowed role in the group that day",
                            "邀请人当天在该群没有可邀请的角色"),
    "no_inviter": ("no inviter (staff_id is empty)", "没有邀请人（staff_id 为空）"),
    "referrer_not_member": ("the referrer was not a member of the group at the time", "推荐人当时不是该群成员"),
    "referrer_below_level": ("the referrer's level is below the minimum", "推荐人的会员等级低于要求"),
    "no_referrer": ("no referrer (referrer_id is empty)", "没有推荐人（referrer_id 为空）"),
    "wrong_activity": ("took part in another activity", "参加的不是指定活动"),
    "no_activity": ("took part in no activity", "未参加活动"),
    "underpaid": ("paid less than the entry fee", "支付金额低于入群费用"),
    "unpaid": ("paid no entry fee", "未支付入群费用"),
}
ADMITTING = ("open", "invited_by_role", "referred_by_member", "took_activity", "paid")


def _types_table(group_types: Mapping[str, GroupType], level_order: Sequence[str]) -> Any:
    """_type, _mode, _activity, _fee, _min_rank, _any_role — one row per playbook group type."""
    from ..compute import literal_table

    rows: list[dict[str, Any]] = []
    for type_id, group_type in group_types.items():
        entry = group_type.entry
        min_rank = None
        if entry.min_level is not None and level_order:
            if entry.min_level not in level_order:
                raise ValueError(f"group type '{type_id}': min_level '{entry.min_level}' is not a level "
                                 f"({', '.join(level_order)})")
            min_rank = list(level_order).index(entry.min_level)
        rows.append({"_type": type_id, "_mode": entry.mode, "_activity": entry.activity, "_fee": entry.fee,
                     "_min_rank": min_rank, "_any_role": not entry.roles})
    # Not through pandas: a pandas column cannot hold a NULL decimal.
    schema = {"_type": "string", "_mode": "string", "_activity": "string", "_fee": "decimal(18, 2)",
              "_min_rank": "int64", "_any_role": "boolean"}
    return literal_table({name: [row[name] for row in rows] for name in schema}, schema)


def _roles_table(group_types: Mapping[str, GroupType]) -> Any:
    """_rtype, _rrole: the roles allowed to invite, per group type."""
    from ..compute import literal_table

    pairs = [(type_id, role) for type_id, group_type in group_types.items() for role in group_type.entry.roles]
    return literal_table({"_rtype": [t for t, _ in pairs], "_rrole": [r for _, r in pairs]},
                         {"_rtype": "string", "_rrole": "string"})


def moves(events: Any) -> Any:
    """The joins and leaves of members: _mg, _mm, _mts, _mrow, _mtype. Read by admissions and
    refused_rows: materialise it once for both (small), instead of a scan of the events in each."""
    e = events.filter(events.type.isin(["join", "leave"]) & events.member_id.notnull())
    return e.select(_mg=e.group_id, _mm=e.member_id, _mts=e.ts, _mrow=e.row, _mtype=e.type)


def _after(ts: Any, row: Any, other_ts: Any, other_row: Any) -> Any:
    """(ts, row) comes after (other_ts, other_row)."""
    return (ts > other_ts) | ((ts == other_ts) & (row > other_row))


def _invited(j: Any, assignments: Any, roles: Any) -> Any:
    """_irow: the invite joins whose staff_id held an allowed role in the group on the join's date."""
    a = assignments
    a = a.select(_astaff=a.staff_id, _arole=a.role, _agroup=a.group_id, _afrom=a.from_date.cast("date"),
                 _ato=a.to_date.cast("date"))
    inv = j.filter((j.mode == "invite") & j.staff_id.notnull())
    held = inv.join(a, [inv.group_id == a._agroup, inv.staff_id == a._astaff, inv.date >= a._afrom,
                        a._ato.isnull() | (inv.date <= a._ato)])
    held = held.left_join(roles, [held.group_type == roles._rtype, held._arole == roles._rrole])
    ok = held.filter(held._any_role.fill_null(False) | held._rrole.notnull())
    return ok.select(_irow=ok.row).distinct()


def _referrer_members(j: Any, m: Any, members_before: Any | None) -> Any:
    """_frow: the referral joins whose referrer was a member of the same group at the join's time
    (`m`: the events' moves)."""
    import ibis

    r = j.filter((j.mode == "referral") & j.referrer_id.notnull() & (j.referrer_id != j.member_id))
    r = r.select(_frow=r.row, _fts=r.ts, _fg=r.group_id, _fref=r.referrer_id)
    x = r.join(m, [r._fg == m._mg, r._fref == m._mm, _after(r._fts, r._frow, m._mts, m._mrow)])
    last = x.mutate(_n=ibis.row_number().over(group_by=x._frow, order_by=[ibis.desc(x._mts), ibis.desc(x._mrow)]))
    last = last.filter(last._n == 0).select(_lrow=last._frow, _last=last._mtype)
    r = r.left_join(last, r._frow == last._lrow).drop("_lrow")
    if members_before is None:
        founder = ibis.literal(False)
    else:
        b = members_before.select(_bg=members_before.group_id, _bm=members_before.member_id, _b=ibis.literal(True))
        b = b.distinct()
        r = r.left_join(b, [r._fg == b._bg, r._fref == b._bm]).drop("_bg", "_bm")
        founder = r._b.notnull()
    member = (r._last == "join").fill_null(False) | (r._last.isnull() & founder)
    return r.filter(member).select("_frow")


def join_rows(events: Any, groups: Any, group_types: Mapping[str, GroupType], level_order: Sequence[str] = ()) -> Any:
    """The joins with their group's type and entry rule (mode, _activity, _fee, _min_rank,
    _any_role): what admissions judges. Read three times by it: materialise it once (a join per
    member, not the events) rather than scan the events each time."""
    e = events.filter(events.type == "join")
    j = e.select("row", "ts", "date", "group_id", "member_id", "amount",
                 staff_id=e.staff_id.nullif(""), referrer_id=e.referrer_id.nullif(""), activity=e.activity.nullif(""))
    g = groups.select(_group=groups.group_id, group_type=groups.group_type)
    j = j.left_join(g, j.group_id == g._group).drop("_group")
    types = _types_table(group_types, level_order)
    j = j.left_join(types, j.group_type == types._type).drop("_type")
    return j.mutate(mode=j._mode.fill_null("open"))


def admissions(events: Any, groups: Any, assignments: Any, group_types: Mapping[str, GroupType],
               members_before: Any | None = None, *, levels: Any | None = None,
               level_order: Sequence[str] = (), joins: Any | None = None, moved: Any | None = None) -> Any:
    """row, ts, date, group_id, group_type, member_id, mode, admitted, reason — one row per join.

    `assignments`: staff_id, role, group_id, from_date, to_date (periods.assignments_table);
    `members_before`: group_id, member_id of members in a group before its first event (they can
    refer until they leave); `levels`: member_id, level_rank (one row per member) with
    `level_order` the playbook's level ids, lowest first, to judge a referral's min_level.
    `joins`, `moved`: join_rows(events, groups, group_types, level_order) and moves(events), when
    materialised already."""
    import ibis

    j = join_rows(events, groups, group_types, level_order) if joins is None else joins
    invited = _invited(j, assignments, _roles_table(group_types))
    j = j.left_join(invited, j.row == invited._irow)
    members = _referrer_members(j, moves(events) if moved is None else moved, members_before)
    j = j.left_join(members, j.row == members._frow)
    level_ok: Any = ibis.literal(True)
    if levels is not None:
        lv = levels.select(_lm=levels.member_id, _rank=levels.level_rank.cast("int64"))
        j = j.left_join(lv, j.referrer_id == lv._lm)
        level_ok = j._min_rank.isnull() | (j._rank.fill_null(0) >= j._min_rank)

    reason = ibis.cases(
        (j.mode == "invite", ibis.cases((j.staff_id.isnull(), "no_inviter"), (j._irow.notnull(), "invited_by_role"),
                                        else_="inviter_not_allowed")),
        (j.mode == "referral", ibis.cases((j.referrer_id.isnull(), "no_referrer"),
                                          (j._frow.isnull(), "referrer_not_member"),
                                          (~level_ok, "referrer_below_level"), else_="referred_by_member")),
        (j.mode == "activity", ibis.cases((j.activity.isnull(), "no_activity"),
                                          (j._activity.isnull() | (j.activity == j._activity), "took_activity"),
                                          else_="wrong_activity")),
        (j.mode == "paid", ibis.cases((j.amount.isnull() | (j.amount <= 0), "unpaid"),
                                      (j._fee.notnull() & (j.amount < j._fee), "underpaid"), else_="paid")),
        else_="open",
    )
    j = j.mutate(reason=reason)
    return j.select("row", "ts", "date", "group_id", "group_type", "member_id", "mode",
                    admitted=j.reason.isin(list(ADMITTING)), reason=j.reason).order_by("row")


def admission_rates(admissions_table: Any, group_types: Mapping[str, GroupType] | None = None) -> Any:
    """group_type, mode, joins, admitted, refused, admission_rate — one row per group type and mode
    with joins; with `group_types`, every playbook type too (0 joins: rate 0)."""
    import ibis

    from ..compute import literal_table

    t = admissions_table
    out = t.group_by(["group_type", "mode"]).aggregate(joins=t.count(), admitted=t.admitted.sum().cast("int64"))
    if group_types:
        known = literal_table({"group_type": list(group_types), "mode": [g.entry.mode for g in group_types.values()]},
                              {"group_type": "string", "mode": "string"})
        missing = known.anti_join(out, [known.group_type == out.group_type, known.mode == out.mode])
        out = out.union(missing.mutate(joins=ibis.literal(0, type="int64"), admitted=ibis.literal(0, type="int64")))
    out = out.mutate(refused=out.joins - out.admitted, admission_rate=rate(out.admitted, out.joins))
    return out.select("group_type", "mode", "joins", "admitted", "refused", "admission_rate").order_by(
        ["group_type", "mode"])


def refusal_reasons(admissions_table: Any) -> Any:
    """group_type, mode, reason, refused, share (refused ÷ the type and mode's joins) — one row per
    reason a join was refused for."""
    t = admissions_table
    totals = t.group_by([t.group_type.name("_type"), t.mode.name("_mode")]).aggregate(_joins=t.count())
    r = t.filter(~t.admitted)
    r = r.group_by(["group_type", "mode", "reason"]).aggregate(refused=r.count())
    # Group types may be NULL (a group without a type), so match them NULL-safely.
    r = r.join(totals, [r.group_type.identical_to(totals._type), r.mode == totals._mode])
    return r.select("group_type", "mode", "reason", "refused", share=rate(r.refused, r._joins)).order_by(
        ["group_type", "mode", "reason"])


def without_refused(events: Any, admissions_table: Any, dropped: Any | None = None) -> Any:
    """The events (same columns) without the refused joins and, for each, every later event of that
    member in that group up to and including their next leave; their next join ends it too, but
    is kept (it is judged on its own). `dropped` is refused_rows(events, admissions_table), when
    already computed (materialise it: it is small, and the view then costs one anti join)."""
    if dropped is None:
        dropped = refused_rows(events, admissions_table)
    return events.anti_join(dropped, events.row == dropped._drop)


def refused_rows(events: Any, admissions_table: Any, moved: Any | None = None) -> Any:
    """_drop: the rows without_refused leaves out (`moved`: moves(events), when materialised)."""
    import ibis

    a = admissions_table.filter(~admissions_table.admitted)
    a = a.select(_row=a.row, _ts=a.ts, _g=a.group_id, _m=a.member_id)
    m = moves(events) if moved is None else moved
    x = a.join(m, [a._g == m._mg, a._m == m._mm, _after(m._mts, m._mrow, a._ts, a._row)])
    first = x.mutate(_n=ibis.row_number().over(group_by=x._row, order_by=[x._mts, x._mrow]))
    first = first.filter(first._n == 0).select(_erow=first._row, _end_ts=first._mts, _end_row=first._mrow,
                                              _end_leave=first._mtype == "leave")
    ranges = a.left_join(first, a._row == first._erow).drop("_erow")
    e = events
    inside = [
        e.group_id == ranges._g,
        e.member_id == ranges._m,
        ~_after(ranges._ts, ranges._row, e.ts, e.row),
        ranges._end_row.isnull() | _after(ranges._end_ts, ranges._end_row, e.ts, e.row)
        | (ranges._end_leave & (e.row == ranges._end_row)),
    ]
    # An inner join finds the rows to drop (equality keys hash, the rest filters); an anti join
    # with these inequalities would run as a nested loop.
    return e.select("row", "group_id", "member_id", "ts").join(ranges, inside).select(_drop="row")
