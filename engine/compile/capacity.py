"""The capacity report: per person per day, the minutes of their tasks (plus the expected minutes of
their standing instructions, from `per_day`) against their role's `minutes_per_day`, and the
groups they hold against each role's `max_groups`. A person holding several roles gets the largest
of their roles' minutes per day.
"""

from __future__ import annotations

import pyarrow as pa

from ..compute import from_arrow
from ..model import Playbook
from .expand import Registered, temp_name

COLUMNS = ("date", "staff_id", "roles", "tasks", "minutes", "estimated", "total", "minutes_per_day", "groups",
           "group_limits", "overloaded", "over_group_limit")


def estimates(playbook: Playbook, standing: pa.Table) -> pa.Table:
    """role, group_type, minutes: the expected minutes per group-day of the standing items."""
    minutes: dict[tuple[str, str], float] = {}
    for idx, role, group_type in zip(*(standing.column(c).to_pylist() for c in ("idx", "role", "group_type")),
                                     strict=True):
        item = playbook.sop[idx]
        if item.per_day:
            minutes[(role, group_type)] = minutes.get((role, group_type), 0.0) + item.per_day * item.minutes
    keys = sorted(minutes)
    return pa.table({"role": [k[0] for k in keys], "group_type": [k[1] for k in keys],
                     "minutes": [minutes[k] for k in keys]},
                    schema=pa.schema([("role", pa.string()), ("group_type", pa.string()), ("minutes", pa.float64())]))


def roles_table(playbook: Playbook) -> pa.Table:
    roles = sorted(playbook.roles.items())
    return pa.table({"role": [k for k, _ in roles], "minutes_per_day": [r.minutes_per_day for _, r in roles],
                     "max_groups": [r.max_groups for _, r in roles]},
                    schema=pa.schema([("role", pa.string()), ("minutes_per_day", pa.int64()),
                                      ("max_groups", pa.int64())]))


def task_minutes(tasks: pa.Table, playbook: Playbook) -> pa.Table:
    """date, staff_id, tasks, minutes: the expanded tasks per person and day."""
    minutes = pa.array([item.minutes for item in playbook.sop], pa.int64()).take(tasks.column("idx"))
    table = pa.table({"date": tasks.column("date"), "staff_id": tasks.column("staff_id"), "minutes": minutes})
    done = table.group_by(["date", "staff_id"]).aggregate([("minutes", "count"), ("minutes", "sum")])
    return done.rename_columns({"minutes_count": "tasks", "minutes_sum": "minutes"})


def capacity(reg: Registered, tasks: pa.Table, playbook: Playbook, standing: pa.Table) -> pa.Table:
    """One row per person and day on which they hold a group (COLUMNS), ordered by date and person;
    `tasks` are the expanded rows (expand.Expanded.tasks)."""
    import ibis

    con, holders = reg.con, reg.holders
    done = from_arrow(con, temp_name("done"), task_minutes(tasks, playbook))
    rates = from_arrow(con, temp_name("rates"), estimates(playbook, standing))
    on_duty = holders.filter(holders.on_duty).join(rates, ["role", "group_type"])
    expected = on_duty.group_by(["date", "staff_id"]).aggregate(estimated=on_duty.minutes.sum())

    roles = from_arrow(con, temp_name("roles"), roles_table(playbook))
    # holders has one row per group, role, day and person: a count is the groups held
    held = holders.group_by(["date", "staff_id", "role"]).aggregate(held=holders.count())
    held = held.left_join(roles, "role")
    over = held.max_groups.notnull() & (held.held > held.max_groups)
    breach = held.role.concat(" ", held.held.cast("string"), ">", held.max_groups.cast("string"))
    held = held.mutate(_over=over, _breach=ibis.ifelse(over, breach, ibis.null("string")))
    # collect + sort: an ordered string aggregate costs DuckDB ten times more
    per_day = held.group_by(["date", "staff_id"]).aggregate(
        roles=held.role.collect().sort(), minutes_per_day=held.minutes_per_day.max(),
        group_limits=held._breach.collect().sort(), over_group_limit=held._over.any())
    per_day = per_day.mutate(roles=per_day.roles.join(","), group_limits=per_day.group_limits.join("; "))
    groups = holders.group_by(["date", "staff_id"]).aggregate(groups=holders.group_id.nunique())

    t = per_day.join(groups, ["date", "staff_id"]).left_join(done, ["date", "staff_id"])
    t = t.left_join(expected, ["date", "staff_id"])
    total = t.minutes.fill_null(0) + t.estimated.fill_null(0.0)
    report = t.select(
        date=t.date, staff_id=t.staff_id, roles=t.roles, tasks=t.tasks.fill_null(0), minutes=t.minutes.fill_null(0),
        estimated=t.estimated.fill_null(0.0).round(1), total=total.round(1), minutes_per_day=t.minutes_per_day,
        groups=t.groups, group_limits=t.group_limits.fill_null(""),
        overloaded=t.minutes_per_day.notnull() & (total > t.minutes_per_day), over_group_limit=t.over_group_limit,
    )
    return report.order_by(["date", "staff_id"]).to_pyarrow()
