"""Who held which group for how many days (commission.inputs._holdings), computed on the
assignments' intervals, checked day by day against a reference: every day of a group's life
inside the window, the people assigned to a role that day share the day equally."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qunce.commission.inputs import _holdings
from qunce.commission.statements import Holding
from qunce.simulate.periods import label_of, start_of

START = dt.date(2027, 1, 20)
END = dt.date(2027, 3, 10)
GROUPS = ("g1", "g2")
STAFF = ("ann", "bo", "cy")
ROLES = ("owner", "helper")


@pytest.fixture(scope="module")
def con() -> Any:
    from qunce.compute.duckdb import connect

    return connect("Asia/Shanghai")


def day(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


# offsets from START: some before the window, some after it
dates = st.integers(min_value=-15, max_value=65).map(day)
groups = st.fixed_dictionaries({"created_at": dates, "ended_at": st.none() | dates})
assignments = st.lists(st.fixed_dictionaries({
    "staff_id": st.sampled_from(STAFF), "role": st.sampled_from(ROLES), "group_id": st.sampled_from(GROUPS),
    "from_date": dates, "to_date": st.none() | dates}), max_size=8)


def computed(con: Any, group_rows: dict[str, dict[str, Any]], rows: list[dict[str, Any]], grain: str) -> set[Holding]:
    import pyarrow as pa

    g = pa.table({"group_id": pa.array(list(group_rows), pa.string()),
                  "created_at": pa.array([r["created_at"] for r in group_rows.values()], pa.date32()),
                  "ended_at": pa.array([r["ended_at"] for r in group_rows.values()], pa.date32())})
    a = pa.table({k: pa.array([r[k] for r in rows], pa.date32() if k.endswith("date") else pa.string())
                  for k in ("staff_id", "role", "group_id", "from_date", "to_date")})
    ctx = SimpleNamespace(groups=con.create_table("t_groups", g, temp=True, overwrite=True),
                          assignments=con.create_table("t_assignments", a, temp=True, overwrite=True),
                          start=START, end=END)
    return set(_holdings(ctx, grain))  # type: ignore[arg-type]


def reference(group_rows: dict[str, dict[str, Any]], rows: list[dict[str, Any]], grain: str) -> set[Holding]:
    group_days: dict[tuple[str, str], int] = defaultdict(int)
    # (staff, role, group, period) → holders → days
    held: dict[tuple[str, str, str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    date = START
    while date <= END:
        period = label_of(start_of(date, grain), grain)
        for group, g in group_rows.items():
            if not (g["created_at"] <= date and (g["ended_at"] is None or date <= g["ended_at"])):
                continue
            group_days[group, period] += 1
            for role in ROLES:
                people = {r["staff_id"] for r in rows if r["group_id"] == group and r["role"] == role
                          and r["from_date"] <= date and (r["to_date"] is None or date <= r["to_date"])}
                for person in people:
                    held[person, role, group, period][len(people)] += 1
        date += dt.timedelta(days=1)
    out = set()
    for (person, role, group, period), by_holders in held.items():
        role_days = sum((Decimal(days) / Decimal(n) for n, days in sorted(by_holders.items())), Decimal(0))
        out.add(Holding(person, role, group, period, sum(by_holders.values()), group_days[group, period], role_days))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(g1=groups, g2=groups, rows=assignments, grain=st.sampled_from(["week", "month"]))
def test_holdings_match_counting_day_by_day(con: Any, g1: dict[str, Any], g2: dict[str, Any],
                                            rows: list[dict[str, Any]], grain: str) -> None:
    group_rows = {"g1": g1, "g2": g2}
    assert computed(con, group_rows, rows, grain) == reference(group_rows, rows, grain)


def test_a_shared_role_splits_its_days(con: Any) -> None:
    """Two owners for ten days of a 31-day month, one alone for the rest; the person assigned
    twice over the same days counts once."""
    group_rows = {"g1": {"created_at": dt.date(2027, 1, 1), "ended_at": None}}
    rows = [{"staff_id": "ann", "role": "owner", "group_id": "g1", "from_date": dt.date(2027, 1, 1), "to_date": None},
            {"staff_id": "ann", "role": "owner", "group_id": "g1", "from_date": dt.date(2027, 2, 1),
             "to_date": dt.date(2027, 2, 5)},
            {"staff_id": "bo", "role": "owner", "group_id": "g1", "from_date": dt.date(2027, 2, 1),
             "to_date": dt.date(2027, 2, 10)}]
    got = {(h.staff_id, h.period): (h.assigned_days, h.group_days, h.role_days)
           for h in computed(con, group_rows, rows, "month")}
    assert got == {("ann", "2027-01"): (12, 12, Decimal(12)),  # the window starts on 20 January
                   ("ann", "2027-02"): (28, 28, Decimal(18) + Decimal(10) / Decimal(2)),
                   ("bo", "2027-02"): (10, 28, Decimal(5)),
                   ("ann", "2027-03"): (10, 10, Decimal(10))}
