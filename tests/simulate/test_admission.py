"""Entry thresholds on a small hand-computed dataset: each join's mode, admitted and reason, the
rates per group type, and the events left when the refused joins are taken out.

Group types: traffic (open), vip (invite: owner or admin), team (invite: any assigned staff),
club (referral), course (activity 直播课), event (any activity), paid (fee 9.90); legacy is not in
the playbook (open). One group per type: gO traffic, gX legacy, gI vip, gA team, gR club,
gC course, gD event, gP paid. r0 is a member of gR from before the data (members_before).
Assignments: s1 owner of gI; s2 helper in gI; s3 admin of gI until 05-09; s4 helper in gA.
The row numbers below are the CSV's (the header is row 1).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

ibis = pytest.importorskip("ibis")

from qunce.compute.duckdb import connect  # noqa: E402
from qunce.events.ingest import ingest  # noqa: E402
from qunce.events.roster import Assignment, Roster  # noqa: E402
from qunce.model.groups import Entry, GroupType  # noqa: E402
from qunce.model.metrics import MetricsConfig  # noqa: E402
from qunce.simulate.admission import (  # noqa: E402
    ADMITTING,
    REASONS,
    admission_rates,
    admissions,
    refusal_reasons,
    without_refused,
)
from qunce.simulate.group_daily import group_daily  # noqa: E402
from qunce.simulate.periods import assignments_table  # noqa: E402

TZ = "Asia/Shanghai"
D = dt.date
EVENTS = """ts,type,group_id,member_id,staff_id,referrer_id,activity,amount
2027-05-10 09:00:00,join,gO,o1,,,,
2027-05-10 09:00:00,join,gX,x1,,,,
2027-05-10 10:00:00,join,gI,i1,s1,,,
2027-05-10 10:05:00,join,gI,i2,s2,,,
2027-05-10 10:10:00,join,gI,i3,s3,,,
2027-05-10 10:15:00,join,gI,i4,,,,
2027-05-09 10:20:00,join,gI,i5,s3,,,
2027-05-10 10:30:00,join,gI,i6,s4,,,
2027-05-10 11:00:00,join,gA,a1,s4,,,
2027-05-10 11:05:00,join,gA,a2,s1,,,
2027-05-02 09:00:00,join,gR,r1,,r0,,
2027-05-03 09:00:00,join,gR,r2,,r1,,
2027-05-04 09:00:00,leave,gR,r1,,,,
2027-05-05 09:00:00,join,gR,r3,,r1,,
2027-05-05 09:10:00,join,gR,r4,,,,
2027-05-05 09:20:00,join,gR,r5,,o1,,
2027-05-05 09:30:00,join,gR,r6,,r6,,
2027-05-05 10:00:00,message,gR,r4,,,,
2027-05-05 11:00:00,order,gR,r4,,,,5.00
2027-05-06 09:00:00,leave,gR,r4,,,,
2027-05-07 09:00:00,join,gR,r4,,r2,,
2027-05-07 10:00:00,message,gR,r4,,,,
2027-05-08 08:00:00,message,gR,r3,,,,
2027-05-08 09:00:00,join,gR,r5,,r2,,
2027-05-08 10:00:00,message,gR,r5,,,,
2027-05-06 10:00:00,message,gR,r5,,,,
2027-05-09 09:00:00,leave,gR,r0,,,,
2027-05-10 09:00:00,join,gR,r7,,r0,,
2027-05-11 09:00:00,message,gO,i2,,,,
2027-05-11 10:00:00,message,gI,i2,,,,
2027-05-12 09:00:00,leave,gI,i2,,,,
2027-05-13 09:00:00,message,gI,i2,,,,
2027-05-10 12:00:00,join,gC,c1,,,直播课,
2027-05-10 12:05:00,join,gC,c2,,,抽奖,
2027-05-10 12:10:00,join,gC,c3,,,,
2027-05-10 12:20:00,join,gD,d1,,,抽奖,
2027-05-10 12:25:00,join,gD,d2,,,,
2027-05-10 13:00:00,join,gP,p1,,,,9.90
2027-05-10 13:05:00,join,gP,p2,,,,19.90
2027-05-10 13:10:00,join,gP,p3,,,,5.00
2027-05-10 13:15:00,join,gP,p4,,,,
2027-05-10 13:20:00,join,gP,p5,,,,0
2027-05-11 09:00:00,join,gR,r9,,r2,,
2027-05-11 09:00:00,join,gR,r8,,r9,,
2027-05-12 09:00:00,join,gR,r10,,r11,,
2027-05-12 09:00:00,join,gR,r11,,r2,,
"""

GROUP_TYPES = {
    "traffic": GroupType(name="引流群"),
    "vip": GroupType(name="VIP群", entry=Entry(mode="invite", roles=["owner", "admin"])),
    "team": GroupType(name="内部群", entry=Entry(mode="邀请式")),
    "club": GroupType(name="俱乐部", entry=Entry(mode="referral")),
    "course": GroupType(name="课程群", entry=Entry(mode="activity", activity="直播课")),
    "event": GroupType(name="活动群", entry=Entry(mode="activity")),
    "paid": GroupType(name="付费群", entry=Entry(mode="paid", fee=Decimal("9.90"))),
}
GROUPS = {"gO": "traffic", "gX": "legacy", "gI": "vip", "gA": "team", "gR": "club", "gC": "course", "gD": "event",
          "gP": "paid"}
ROSTER = Roster(assignments=[
    Assignment.model_validate({"staff_id": "s1", "role": "owner", "group_id": "gI", "from": "2027-05-01"}),
    Assignment.model_validate({"staff_id": "s2", "role": "helper", "group_id": "gI", "from": "2027-05-01"}),
    Assignment.model_validate({"staff_id": "s3", "role": "admin", "group_id": "gI", "from": "2027-05-01",
                               "to": "2027-05-09"}),
    Assignment.model_validate({"staff_id": "s4", "role": "helper", "group_id": "gA", "from": "2027-05-01"}),
])
COLUMNS = ["row", "ts", "date", "group_id", "group_type", "member_id", "mode", "admitted", "reason"]

# row → (group_type, member_id, mode, reason)
EXPECTED = {
    2: ("traffic", "o1", "open", "open"),
    3: ("legacy", "x1", "open", "open"),  # not in the playbook: open
    4: ("vip", "i1", "invite", "invited_by_role"),  # s1 is gI's owner
    5: ("vip", "i2", "invite", "inviter_not_allowed"),  # s2 is a helper, not owner or admin
    6: ("vip", "i3", "invite", "inviter_not_allowed"),  # s3's assignment ended the day before
    7: ("vip", "i4", "invite", "no_inviter"),
    8: ("vip", "i5", "invite", "invited_by_role"),  # s3 on the last day of the assignment
    9: ("vip", "i6", "invite", "inviter_not_allowed"),  # s4 is assigned to gA, not gI
    10: ("team", "a1", "invite", "invited_by_role"),  # no roles listed: any assigned staff
    11: ("team", "a2", "invite", "inviter_not_allowed"),  # s1 is not assigned to gA
    12: ("club", "r1", "referral", "referred_by_member"),  # r0: a member from before
    13: ("club", "r2", "referral", "referred_by_member"),
    15: ("club", "r3", "referral", "referrer_not_member"),  # r1 left on 05-04
    16: ("club", "r4", "referral", "no_referrer"),
    17: ("club", "r5", "referral", "referrer_not_member"),  # o1 is a member of gO, not gR
    18: ("club", "r6", "referral", "referrer_not_member"),  # referred themselves
    22: ("club", "r4", "referral", "referred_by_member"),  # the re-join after a refused join
    25: ("club", "r5", "referral", "referred_by_member"),  # re-join without a leave in between
    29: ("club", "r7", "referral", "referrer_not_member"),  # r0 (from before) left on 05-09
    34: ("course", "c1", "activity", "took_activity"),
    35: ("course", "c2", "activity", "wrong_activity"),
    36: ("course", "c3", "activity", "no_activity"),
    37: ("event", "d1", "activity", "took_activity"),  # no activity configured: any
    38: ("event", "d2", "activity", "no_activity"),
    39: ("paid", "p1", "paid", "paid"),  # exactly the fee
    40: ("paid", "p2", "paid", "paid"),
    41: ("paid", "p3", "paid", "underpaid"),
    42: ("paid", "p4", "paid", "unpaid"),
    43: ("paid", "p5", "paid", "unpaid"),  # 0 paid
    44: ("club", "r9", "referral", "referred_by_member"),
    45: ("club", "r8", "referral", "referred_by_member"),  # r9 joined at the same time, one row earlier
    46: ("club", "r10", "referral", "referrer_not_member"),  # r11 joined at the same time, one row later
    47: ("club", "r11", "referral", "referred_by_member"),
}
REFUSED = {row for row, (_, _, _, reason) in EXPECTED.items() if reason not in ADMITTING}
# The later events of refused joiners in that group, up to and including their next leave.
FOLLOWING = {
    31, 32,  # i2 in gI (row 5): a message and the leave; the message after the leave (33) stays
    19, 20, 21,  # r4 in gR (row 16): message, order, leave; the re-join (22) and what follows stay
    24,  # r3 in gR (row 15): never leaves
    27,  # r5 in gR (row 17): until the re-join at row 25, which is kept
}
ALL_ROWS = set(range(2, 48))

Data = tuple[Any, Any, Any]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Data:
    path = tmp_path_factory.mktemp("admission") / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    con = connect(TZ)
    groups = ibis.memtable({"group_id": list(GROUPS), "name": list(GROUPS), "group_type": list(GROUPS.values()),
                            "created_at": [D(2027, 5, 1)] * len(GROUPS), "ended_at": [None] * len(GROUPS),
                            "initial_members": [0] * len(GROUPS)},
                           schema={"group_id": "string", "name": "string", "group_type": "string",
                                   "created_at": "date", "ended_at": "date", "initial_members": "int64"})
    result = ingest(con, Path(path), groups, TZ)
    assert result.rejected == 0
    return con, result.events, groups


def records(con: Any, table: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = con.to_pyarrow(table).to_pylist()
    return rows


BEFORE = {"group_id": ["gR"], "member_id": ["r0"]}


def judged(data: Data, before: dict[str, list[str]] | None = BEFORE) -> Any:
    _, events, groups = data
    members_before = ibis.memtable(before) if before is not None else None
    return admissions(events, groups, assignments_table(ROSTER), GROUP_TYPES, members_before)


def test_every_mode_and_reason(data: Data) -> None:
    con = data[0]
    got = records(con, judged(data))
    assert all(list(r) == COLUMNS for r in got)
    assert {r["row"]: (r["group_type"], r["member_id"], r["mode"], r["reason"]) for r in got} == EXPECTED
    assert [r["row"] for r in got] == sorted(EXPECTED)
    assert all(r["admitted"] == (r["reason"] in ADMITTING) for r in got)
    assert {r["reason"] for r in got} | {"referrer_below_level"} == set(REASONS)
    first = got[0]
    assert (first["date"], first["group_id"], first["ts"].hour) == (D(2027, 5, 10), "gO", 9)


def test_without_members_before_the_first_referral_is_refused(data: Data) -> None:
    got = {r["row"]: r["reason"] for r in records(data[0], judged(data, None))}
    assert got[12] == "referrer_not_member"
    # r1 is still a member by the recorded events: no cascade
    assert got[13] == "referred_by_member"


def test_rates_per_group_type(data: Data) -> None:
    con = data[0]
    table = judged(data)
    got = [(r["group_type"], r["mode"], r["joins"], r["admitted"], r["refused"], r["admission_rate"])
           for r in records(con, admission_rates(table))]
    assert got == [
        ("club", "referral", 13, 7, 6, pytest.approx(7 / 13)),
        ("course", "activity", 3, 1, 2, pytest.approx(1 / 3)),
        ("event", "activity", 2, 1, 1, 0.5),
        ("legacy", "open", 1, 1, 0, 1.0),
        ("paid", "paid", 5, 2, 3, 0.4),
        ("team", "invite", 2, 1, 1, 0.5),
        ("traffic", "open", 1, 1, 0, 1.0),
        ("vip", "invite", 6, 2, 4, pytest.approx(1 / 3)),
    ]
    # With the playbook's types, a type without joins gets a row with a rate of 0.
    types = {**GROUP_TYPES, "flash": GroupType(name="快闪群", entry=Entry(mode="paid", fee=Decimal("1")))}
    with_types = records(con, admission_rates(table, types))
    assert [r["group_type"] for r in with_types] == [
        "club", "course", "event", "flash", "legacy", "paid", "team", "traffic", "vip"]
    assert with_types[3] == {"group_type": "flash", "mode": "paid", "joins": 0, "admitted": 0, "refused": 0,
                             "admission_rate": 0.0}


def test_refusal_reasons(data: Data) -> None:
    got = [(r["group_type"], r["reason"], r["refused"], r["share"])
           for r in records(data[0], refusal_reasons(judged(data)))]
    assert got == [
        ("club", "no_referrer", 1, pytest.approx(1 / 13)),
        ("club", "referrer_not_member", 5, pytest.approx(5 / 13)),
        ("course", "no_activity", 1, pytest.approx(1 / 3)),
        ("course", "wrong_activity", 1, pytest.approx(1 / 3)),
        ("event", "no_activity", 1, 0.5),
        ("paid", "underpaid", 1, 0.2),
        ("paid", "unpaid", 2, 0.4),
        ("team", "inviter_not_allowed", 1, 0.5),
        ("vip", "inviter_not_allowed", 3, 0.5),
        ("vip", "no_inviter", 1, pytest.approx(1 / 6)),
    ]


def test_without_refused_drops_exactly_the_refused_stints(data: Data) -> None:
    con, events, _ = data
    kept = without_refused(events, judged(data))
    assert kept.columns == events.columns
    rows = [r["row"] for r in records(con, kept)]
    assert len(rows) == len(set(rows))
    dropped = ALL_ROWS - set(rows)
    assert dropped == REFUSED | FOLLOWING
    assert dropped == {5, 6, 7, 9, 11, 15, 16, 17, 18, 29, 35, 36, 38, 41, 42, 43, 46,  # the refused joins
                       19, 20, 21, 24, 27, 31, 32}


def test_group_daily_on_the_events_without_refused_joins(data: Data) -> None:
    con, events, groups = data
    kept = without_refused(events, judged(data))

    def g_i(table: Any) -> list[tuple[int, int, int, int]]:
        daily = group_daily(table, groups, D(2027, 5, 9), D(2027, 5, 13), MetricsConfig())
        return [(r["date"].day, r["joins"], r["leaves"], r["members_end"])
                for r in records(con, daily) if r["group_id"] == "gI"]

    assert g_i(events) == [(9, 1, 0, 1), (10, 5, 0, 6), (11, 0, 0, 6), (12, 0, 1, 5), (13, 0, 0, 5)]
    # only i5 (05-09) and i1 (05-10) were let in; i2's leave goes with their join
    assert g_i(kept) == [(9, 1, 0, 1), (10, 1, 0, 2), (11, 0, 0, 2), (12, 0, 0, 2), (13, 0, 0, 2)]


# --- min_level of a referral ---------------------------------------------------------------------

LEVEL_TYPES = {"circle": GroupType(name="圈子", entry=Entry(mode="referral", min_level="silver"))}
LEVEL_ORDER = ["bronze", "silver", "gold"]


def level_events() -> Any:
    at = dt.datetime(2027, 5, 2, 9)
    referrers = ["f1", "f2", "f3", "f4"]
    n = len(referrers)
    return ibis.memtable(
        {"row": [2, 3, 4, 5], "ts": [at] * n, "date": [at.date()] * n, "type": ["join"] * n, "group_id": ["gL"] * n,
         "member_id": ["n1", "n2", "n3", "n4"], "staff_id": [None] * n, "referrer_id": referrers,
         "activity": [None] * n, "amount": [Decimal("0")] * n},
        schema={"row": "int64", "ts": "timestamp", "date": "date", "type": "string", "group_id": "string",
                "member_id": "string", "staff_id": "string", "referrer_id": "string", "activity": "string",
                "amount": "decimal(18, 2)"})


# Nobody is assigned to gL (referrals do not read the assignments).
NO_STAFF = ibis.memtable({"staff_id": ["s1"], "role": ["owner"], "group_id": ["g0"], "from_date": [D(2027, 5, 1)],
                          "to_date": [D(2027, 5, 2)]})


def level_reasons(levels: Any | None) -> list[str]:
    groups = ibis.memtable({"group_id": ["gL"], "group_type": ["circle"]})
    before = ibis.memtable({"group_id": ["gL"] * 4, "member_id": ["f1", "f2", "f3", "f4"]})
    table = admissions(level_events(), groups, NO_STAFF, LEVEL_TYPES, before, levels=levels,
                       level_order=LEVEL_ORDER)
    return [r["reason"] for r in ibis.duckdb.connect().to_pyarrow(table).to_pylist()]


def test_min_level_is_judged_only_with_levels() -> None:
    levels = ibis.memtable({"member_id": ["f1", "f2", "f4"], "level_rank": [2, 0, 1]})
    # f1 gold, f2 bronze, f3 no level (the first), f4 silver
    assert level_reasons(levels) == ["referred_by_member", "referrer_below_level", "referrer_below_level",
                                     "referred_by_member"]
    assert level_reasons(None) == ["referred_by_member"] * 4


def test_an_unknown_min_level_is_an_error() -> None:
    types = {"circle": GroupType(name="圈子", entry=Entry(mode="referral", min_level="platinum"))}
    with pytest.raises(ValueError, match="platinum"):
        admissions(level_events(), ibis.memtable({"group_id": ["gL"], "group_type": ["circle"]}),
                   NO_STAFF, types, level_order=LEVEL_ORDER)
