"""The SOP assessment stage of a simulation: the playbook's SOP expanded over the window by the
task list's own code (compile/), each task matched with the events, its status, the compliance
per person and period, and the churn warnings acted on (docs/sop-assessment.md)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from ..simulate.context import SimContext
from .evidence import DEFAULT_TOLERANCE_MINUTES, evidence

# sop_tasks: one row per task, in the order of the task list.
TASK_COLUMNS = ("date", "scheduled", "staff_id", "role", "item", "group_id", "member_id", "evidence", "window_start",
                "window_end", "status", "done_at", "done_row", "late_minutes", "event_row")
# and the order its files have (the writer's: simulate/outputs.py)
TASK_ORDER = ("date", "window_start", "staff_id", "item", "group_id", "member_id", "event_row")
WARNING_COLUMNS = ("period", "as_of", "due", "warning", "member_id", "group_id", "owner", "role", "status",
                   "acted_at", "acted_row")


@dataclass
class SopResult:
    tasks: Any  # sop_tasks (TASK_COLUMNS)
    compliance: Any  # sop_compliance (compliance.compliance)
    warnings: Any | None = None  # sop_warnings: each churn warning with an owner, and when it was acted on


def assess_sop(ctx: SimContext, churn: Any | None = None, levels: Any | None = None,
               homes: Any | None = None) -> SopResult | None:
    """The assessment of `ctx`'s playbook over its window; None without an SOP. `churn`, `levels`:
    the member stage's churn warnings and levels (the items answering them are assessed, and the
    warnings' owners' follow-ups); `homes`: its members' groups at each period end, if it has them."""
    from ..compute import scratch

    if not ctx.playbook.sop:
        return None
    # the task rows, their evidence and the compiled tables (0.5 GB at 10M events) let go of
    with scratch(ctx.con) as working:
        result = _assessed(ctx, churn, levels, homes)
        working.keep(result.tasks, result.compliance, result.warnings)
    return result


def _assessed(ctx: SimContext, churn: Any | None, levels: Any | None, homes: Any | None) -> SopResult:
    from ..compute import scratch
    from .compliance import compliance
    from .status import with_status

    # the expansion's and the match's tables (the compiled tables, the answered events, the
    # holders, the members' numbers) let go of before sop_tasks is stored: at 10M events its
    # 2.7M rows took 2 s to store with room for them, 4.7-7 s when others had to be pushed out
    with scratch(ctx.con) as matching:
        tasks, first, data_end, observable = _matched(ctx, churn, levels, homes)
        matching.keep(tasks, first)
    # only what is written and read later (compliance reads a few of these columns)
    assessed = _stored_for_writing(ctx, with_status(tasks, first, data_end, observable).select(*TASK_COLUMNS))
    return SopResult(assessed, ctx.materialise("sop_compliance", compliance(assessed)),
                     _warnings(ctx, churn, data_end) if churn is not None else None)


def _matched(ctx: SimContext, churn: Any | None, levels: Any | None,
             homes: Any | None) -> tuple[Any, Any, Any, list[str]]:
    """The tasks (stored, with their item's id, evidence and role), their first evidence
    (match.first_evidence, stored), the last event's time and the items the data logs."""
    import ibis

    from ..compile.event_tasks import event_rows
    from ..compile.expand import register, scheduled_rows, staffed
    from ..compile.tables import Window, build
    from ..compute import fetch_value, with_stored_row_ids
    from .match import first_evidence
    from .simulated import simulated_rows
    from .windows import with_windows

    pb = ctx.playbook
    window = Window(ctx.start, ctx.end)
    tables = build(pb, ctx.roster, window)
    reg = register(ctx.con, tables)
    simulated = simulated_rows(pb, ctx.events, levels, churn, _default_tolerance(pb), homes)
    rows = staffed(reg, scheduled_rows(reg, tables, window) + event_rows(reg, tables, window, ctx.events) + simulated,
                   holders=True)
    t = rows.join(_items(pb), "idx")
    t = t.select(
        idx=t.idx, item=t.item, evidence=t.evidence, tolerance=t.tolerance,
        staff_id=t.staff_id, role=t.role, group_id=ibis.ifelse(t.per == "person", ibis.null("string"), t.group_id),
        member_id=t.member_id, date=t.date, time=t.time, event_row=t.event_row, holders=t.holders,
        # a reply without `within:` is due at its event (or when the next working span opens):
        # it is on time within the tolerance after that
        due=ibis.ifelse(t.due.notnull() & t.event_row.notnull() & ~t.has_within,
                        t.due + t.tolerance.as_interval("m"), t.due),
        trigger_ts=t.trigger_ts)  # the answered event's time starts a reply's window (compile/event_tasks)
    # what the match, the statuses and sop_tasks read: the window's inputs are done with; the
    # item's id, evidence and role stored as its index (strings cost the store of 2.7M tasks at
    # 10M events 0.57 s against 0.24), read back through the item's index where used
    stored = ctx.materialise("sop_task_rows", with_windows(t).drop("item", "evidence", "role", "tolerance", "time",
                                                                    "due", "trigger_ts"))
    # an id to join a task with its evidence, nothing more: the stored row's own number (numbering
    # 2.7M tasks with a window took 0.4-2 s at 10M events; Spark, without one, numbers them once
    # rather than at each of the match's reads); the outputs are ordered by their columns
    stored = with_stored_row_ids(ctx.con, "qunce_sop_task_ids", stored, "task")
    tasks = stored.mutate(**{column: _by_item(values, stored.idx) for column, values in _item_values(pb).items()})
    holders = reg.holders.select("group_id", "date", "role", "staff_id", "holders")
    # a few rows, read three times: one scan of the events, not three
    logged = ctx.materialise("sop_logged", ctx.events.filter(ctx.events.type == "sop_done"))
    observable = sorted(str(v) for v in fetch_value(ctx.con, logged.sop.collect(distinct=True)) or [])
    data_end = ibis.literal(fetch_value(ctx.con, ctx.events.ts.max()))
    evidence = first_evidence(tasks, ctx.events, holders, logged, store=ctx.materialise)
    first = ctx.materialise("sop_evidence", evidence)
    return tasks, first, data_end, observable


def _stored_for_writing(ctx: SimContext, tasks: Any) -> Any:
    """`tasks` in its files' order, computed once for the writer: on DuckDB written straight to
    its Parquet output (in the run's folder) and read where used as a view of that file, which
    the writer copies (outputs.Files.copied); at 10M events a sorted store and its copy took 3.5 s
    (6.8 s of CPU) where the one COPY of the sorted query takes 2.4 s (4.6 s), the same bytes.
    Elsewhere stored once in that order where the writer looks for it (outputs.stored)."""
    from ..compute import engine_name, keep_row_order, store
    from ..simulate.context import profiled
    from ..simulate.outputs import stored

    ordered = tasks.order_by(list(TASK_ORDER))
    with profiled("sop_tasks"):
        keep_row_order(ctx.con, True)
        try:
            written = _written(ctx.con, ordered) if engine_name(ctx.con) == "duckdb" else None
            return written if written is not None else store(ctx.con, stored("sop_tasks"), ordered, temp=False)[0]
        finally:
            keep_row_order(ctx.con, False)


def _written(con: Any, ordered: Any) -> Any | None:
    """`ordered` written as sop_tasks' Parquet file with the writer's own COPY (outputs.copy_sql:
    the same bytes), and read back as a view of it that knows it is that output; None when a
    column's type would not read back the same (then it is stored)."""
    from ..compute import compiled
    from ..events.cached_tables import read, schema_text
    from ..simulate.outputs import copy_sql
    from ..work_folder import work_folder

    text = schema_text(ordered)
    if text is None:
        return None
    file = work_folder() / f"sop_tasks-{next(_WRITTEN)}.parquet"
    rows = con.con.execute(copy_sql(f"({compiled(con, ordered)})", file, "parquet")).fetchone()[0]
    return read(con, file, text, "sop", int(rows), "sop_tasks")


_WRITTEN = itertools.count()


def cached_sop(ctx: SimContext) -> SopResult | None:
    """The assessment kept by an earlier run of the same data, window and sections (the SOP and
    everything the member stage reads: its churn warnings are followed up); None on a miss."""
    from ..simulate.stage_cache import lookup_tables

    tables = lookup_tables(ctx, "sop")
    return SopResult(**tables) if tables is not None else None


def _default_tolerance(pb: Any) -> int:
    return pb.calendar.tolerance.minutes if pb.calendar.tolerance is not None else DEFAULT_TOLERANCE_MINUTES


def _item_values(pb: Any) -> dict[str, list[str]]:
    """item (its id), evidence and role of each SOP item, by its index."""
    items = pb.sop
    return {"item": [i.id for i in items], "evidence": [evidence(i) for i in items], "role": [i.role for i in items]}


def _by_item(values: list[str], idx: Any) -> Any:
    """The value of the item at `idx` (a column): an index into a list (no join, no CASE over
    every item)."""
    import ibis

    return ibis.literal(values, type="array<string>")[idx]


def _items(pb: Any) -> Any:
    """idx, item, evidence, tolerance (minutes), per, role and has_within of every SOP item."""
    from ..compute import literal_table

    default = _default_tolerance(pb)
    items = pb.sop
    return literal_table({
        "idx": list(range(len(items))), "item": [i.id for i in items], "evidence": [evidence(i) for i in items],
        "tolerance": [i.tolerance.minutes if i.tolerance is not None else default for i in items],
        "per": [i.per for i in items], "role": [i.role for i in items],
        "has_within": [i.within is not None for i in items],
    }, {"idx": "int32", "item": "string", "evidence": "string", "tolerance": "int64", "per": "string",
        "role": "string", "has_within": "boolean"})


def _warnings(ctx: SimContext, churn: Any, data_end: Any) -> Any:
    """Each churn warning with an owner, one row per owner, and its first follow-up: a reach of
    the member by one of its owners from the period's close (a warning is raised at the end of
    its day) to the end of its due day (without a due date: the day after it is raised). status:
    acted, not_acted, or not_due when that time runs past the data's end without a reach."""
    import ibis

    from .status import WARNING_ACTED, WARNING_NOT_ACTED, WARNING_NOT_DUE

    w = churn.filter(churn.owner.notnull())
    raised = (w.as_of + ibis.interval(days=1)).cast("timestamp")  # the period closes at the day's end
    last_day = ibis.ifelse(w.due.notnull(), w.due.cast("timestamp"), raised)
    end = last_day + ibis.interval(days=1) - ibis.interval(microseconds=1)
    # several owners (a handover day, two holders of the role) are joined with ",": any of them acts
    w = w.mutate(_start=raised, _end=end, _owners=w.owner.split(","), _k=ibis.row_number().over(ibis.window()))
    e = ctx.events
    reach = e.filter(e.type == "reach").select(_m="member_id", _s="staff_id", _ts="ts", _row="row")
    hits = w.join(reach, w.member_id == reach._m)
    hits = hits.filter(hits._owners.contains(hits._s) & (hits._ts >= hits._start) & (hits._ts <= hits._end))
    hits = hits.group_by("_k").aggregate(_first=ibis.struct({"ts": hits._ts, "row": hits._row}).min())
    joined = w.left_join(hits, w._k == hits._k)
    acted_at = joined._first["ts"]
    status = ibis.cases((acted_at.notnull(), ibis.literal(WARNING_ACTED)),
                        (joined._end > data_end, ibis.literal(WARNING_NOT_DUE)), else_=ibis.literal(WARNING_NOT_ACTED))
    joined = joined.mutate(owner=joined._owners.unnest(), status=status, acted_at=acted_at,
                           acted_row=joined._first["row"])
    return ctx.materialise("sop_warnings", joined.select(*WARNING_COLUMNS))


def sop_summary(con: Any, result: SopResult) -> dict[str, Any]:
    """What summary.json says of the assessment: per role over the window, the tasks by status
    and the on-time rate; the churn warnings owned and acted on."""
    from ..compute import fetch_rows
    from .status import LATE, MISSED, NOT_DUE, NOT_OBSERVABLE, ON_TIME, WARNING_ACTED, WARNING_NOT_DUE

    c = result.compliance
    month = c.filter(c.grain == "month")
    counted = (ON_TIME, LATE, MISSED, NOT_OBSERVABLE, NOT_DUE)
    per_role = month.group_by("role").aggregate(due=month.due.sum(), **{k: month[k].sum() for k in counted})
    roles = []
    for row in fetch_rows(con, per_role.order_by("role")):
        assessed = row[ON_TIME] + row[LATE] + row[MISSED]
        roles.append({"role": row["role"], "due": int(row["due"]), **{k: int(row[k]) for k in counted},
                      "on_time_rate": round(row[ON_TIME] / assessed, 4) if assessed else None})
    summary: dict[str, Any] = {"by_role": roles}
    if result.warnings is not None:
        w = result.warnings
        row = fetch_rows(con, w.aggregate(owned=w.count(), acted=(w.status == WARNING_ACTED).sum(),
                                          not_due=(w.status == WARNING_NOT_DUE).sum()))[0]
        summary["warnings"] = {k: int(row[k] or 0) for k in ("owned", "acted", "not_due")}
    return summary


def assessment_for(ctx: SimContext, plan: Any) -> SopResult | None:
    """The SOP assessment a commission plan that pays on it needs; None when the plan reads none
    of its metrics."""
    from ..commission.sop_metrics import reads_sop, reads_warnings

    if plan is None or not reads_sop(plan):
        return None
    return kept_or_assessed(ctx, with_members=reads_warnings(plan) or answers_the_simulation(ctx.playbook))


def kept_or_assessed(ctx: SimContext, with_members: bool = True) -> SopResult | None:
    """The assessment an earlier simulate kept, else assessed here: with the member stage's
    churn warnings and levels (kept, or computed) when `with_members`, for `explain` and `diff`
    (simulate runs the member stage itself)."""
    kept = cached_sop(ctx)
    if kept is not None:
        return kept
    churn = levels = homes = None
    if with_members:
        from ..simulate.members import simulate_members
        from ..simulate.stage_cache import cached_members

        members = cached_members(ctx) or simulate_members(ctx, tag="_sop")
        churn, levels, homes = members.churn, members.levels, members.homes
    return assess_sop(ctx, churn, levels, homes)


def answers_the_simulation(playbook: Any) -> bool:
    """Whether an SOP item answers a promotion, a demotion or a churn warning."""
    return any(item.on in ("level_up", "level_down", "churn_warning") for item in playbook.sop)
