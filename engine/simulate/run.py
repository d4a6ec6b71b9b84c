"""`qunce simulate`: read the roster and the events, check every row, then compute every
group-side and member-side output of the playbook and write them (Parquet and CSV) with
summary.json. The stages are in group_stage.py and members.py; this module wires them."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..events.roster import Roster, load_roster
from ..model import Playbook
from .context import SimContext, profiled
from .outputs import FORMATS, Deferred, Output

MAX_PROBLEMS_SHOWN = 20


@dataclass
class Request:
    playbook: Playbook
    playbook_path: Path
    events: Path
    roster: Path
    out: Path
    start: dt.date | None = None
    end: dt.date | None = None
    skip_bad_rows: bool = False
    statement_lang: str = "zh"  # the staff statements' language (zh unless --lang en)
    # The tables' file formats (--formats); rejected rows are always written in both.
    formats: tuple[str, ...] = FORMATS


@dataclass
class Outcome:
    """What a run did. `stopped`: bad rows were found and not skipped (nothing was written)."""

    summary: dict[str, Any] = field(default_factory=dict)
    roster: Roster | None = None
    stopped: bool = False
    problems: list[dict[str, Any]] = field(default_factory=list)  # the first bad rows, for the terminal
    written: list[tuple[str, int]] = field(default_factory=list)  # (file stem, rows)
    formats: dict[str, tuple[str, ...]] = field(default_factory=dict)  # file stem → formats (else both)
    timings: dict[str, float] = field(default_factory=dict)
    rows: dict[str, Any] = field(default_factory=dict)  # read, accepted, rejected, by_reason
    problem_table: Any | None = None  # every problem (ibis.Table), when there were any


Progress = Callable[[str], None]


def load(request: Request, outcome: Outcome, progress: Progress = lambda stage: None) -> SimContext | None:
    """Read the roster and the events and check them. None when the run must stop (roster
    findings in outcome.roster, or bad rows not skipped in outcome.problems)."""
    from ..events.ingest import connect, ingest, keep_row_order
    from .frames import groups_table
    from .periods import assignments_table

    if request.start and request.end and request.start > request.end:
        raise UsageError(f"--from {request.start} is after --to {request.end}")
    roster = load_roster(request.roster)
    outcome.roster = roster
    if roster.diagnostics:
        outcome.stopped = True
        return None
    progress("ingest")
    con = connect(request.playbook.timezone)
    groups = con.create_table("qunce_groups", groups_table(roster), temp=True, overwrite=True)
    assignments = con.create_table("qunce_assignments", assignments_table(roster), temp=True, overwrite=True)
    ingested = ingest(con, request.events, groups, request.playbook.timezone)
    outcome.rows = {"read": ingested.rows_read, "accepted": ingested.accepted, "rejected": ingested.rejected,
                    "by_reason": [{"reason": r, "column": c, "rows": n} for r, c, n in ingested.by_reason]}
    outcome.summary = {"rows": outcome.rows}
    if ingested.rejected:
        outcome.problems = _first_problems(ingested.problems)
        outcome.problem_table = ingested.problems
        if not request.skip_bad_rows:
            outcome.stopped = True
            return None
    if not ingested.accepted:
        raise InputError(f"{request.events}: no events to simulate")
    first = ingested.events.date.min().to_pyarrow().as_py()
    last = ingested.events.date.max().to_pyarrow().as_py()
    start, end = request.start or first, request.end or last
    if start > end:
        raise UsageError(f"the window {start} … {end} is empty; the events run from {first} to {last}")
    keep_row_order(con, False)  # the rows are numbered: from here on, ORDER BY says every order
    ctx = SimContext(con, request.playbook, roster, groups, assignments, ingested.events, start, end,
                     min(first, start))
    if _uses_staff_role(request.playbook):
        ctx.staff_roles = con.create_table("qunce_staff_roles", staff_roles(ingested.events, assignments), temp=True,
                                           overwrite=True)
    return ctx


def for_playbook(ctx: SimContext, playbook: Playbook) -> SimContext:
    """The same data under another playbook (for `qunce diff`: the events are read once)."""
    import dataclasses

    other = dataclasses.replace(ctx, playbook=playbook, _names={})
    if other.staff_roles is None and _uses_staff_role(playbook):
        other.staff_roles = ctx.con.create_table("qunce_staff_roles", staff_roles(ctx.events, ctx.assignments),
                                                 temp=True, overwrite=True)
    return other


def _uses_staff_role(playbook: Playbook) -> bool:
    from .needs import event_conditions

    return any("staff_role" in text or "员工角色" in text for text in event_conditions(playbook))


def staff_roles(events: Any, assignments: Any) -> Any:
    """_r (the event's row), staff_role: the role each event's staff_id held in the event's group
    that day (from the roster's assignments; the first role by id when they held several). Only
    rows with staff: a small table, joined to the events where a filter reads `staff_role`."""
    a = assignments
    e = events.filter(events.staff_id.notnull())
    matched = e.select("row", "group_id", "staff_id", "date").join(
        a, [e.group_id == a.group_id, e.staff_id == a.staff_id, e.date >= a.from_date,
            a.to_date.isnull() | (e.date <= a.to_date)])
    return matched.group_by(_r="row").aggregate(staff_role=matched.role.min())


def simulate(request: Request, progress: Progress = lambda stage: None) -> Outcome:
    """Run the whole simulation and write its outputs; raises InputError/UsageError for files
    that cannot be used."""
    import json

    from ..commission.report import CommissionWriter, commission_summary
    from ..commission.stage import prepare_commission
    from ..files import write_text_atomic
    from .group_stage import simulate_groups
    from .members import simulate_members
    from .outputs import write_outputs
    from .summary import build_summary

    clock = _Clock()
    outcome = Outcome()
    ctx = load(request, outcome, progress)
    if ctx is None:
        return outcome
    clock.lap("ingest")
    progress("groups")
    group_result = simulate_groups(ctx, clock.lap)
    clock.lap("groups")
    progress("commission")
    prepared = prepare_commission(ctx, group_result.period)
    clock.lap("commission")

    # The commission is built, then its tables and statements, by a thread while this one
    # computes and writes the member-side outputs (report.CommissionWriter): that work is plain
    # Python, this one DuckDB's, which releases the interpreter while it works. Its tables are
    # written first: built long before, their files are written while the next tables sort.
    with CommissionWriter(prepared, request.out, request.statement_lang) as writer:
        progress("members")
        member_result = simulate_members(ctx)
        clock.lap("members")
        progress("write")
        rejected = _rejected(outcome.problem_table, request.events) if outcome.problem_table is not None else None
        simulator = _outputs(group_result, member_result)
        commission_tables = _commission_outputs(writer)
        last = ("rejected", rejected, ["row", "column", "reason"])
        chosen = {name: request.formats for name, _, _ in [*commission_tables, *simulator]}
        rows = dict(write_outputs(ctx.con, [*commission_tables, *simulator, last], request.out, chosen))
        listed = [*simulator, *commission_tables, last]
        outcome.written = [(name, rows[name]) for name, _, _ in listed if name in rows]  # in the order listed
        outcome.formats = chosen
        with profiled("wait for the statements"):
            writer.finish()
    outcome.summary = build_summary(ctx, request, outcome.rows, group_result, member_result, outcome.written)
    if writer.planned:
        outcome.summary["commission"] = commission_summary(writer.result())
    write_text_atomic(request.out / "summary.json", json.dumps(outcome.summary, ensure_ascii=False, indent=2) + "\n")
    clock.lap("write")
    outcome.timings = clock.laps()
    write_text_atomic(request.out / "timings.json", json.dumps({"timings_s": outcome.timings}, indent=2) + "\n")
    return outcome


def _outputs(groups: Any, members: Any) -> list[Output]:
    # (file stem, table or None, row order): every output a run can have, in a stable order.
    return [
        ("group_daily", groups.daily, ["group_id", "date"]),
        ("group_period", groups.period, ["grain", "group_id", "period_start"]),
        ("staff_period", groups.staff, ["grain", "staff_id", "role", "period_start"]),
        ("retention", groups.retention, ["group_id", "join_date"]),
        ("group_states", groups.states, ["group_id", "date"]),
        ("group_health", groups.health, ["group_id", "period_start"]),
        ("admissions", groups.admissions, ["group_id", "ts", "row"]),
        ("admission_rates", groups.admission_rates, ["group_type", "mode"]),
        ("refusal_reasons", groups.refusal_reasons, ["group_type", "mode", "reason"]),
        ("group_period_admitted", groups.period_admitted, ["group_id", "period_start"]),
        ("penalties", groups.penalties, ["group_id", "member_id", "ts", "row"]),
        ("points_ledger", members.ledger, ["member_id", "seq"]),
        ("member_levels", members.levels, ["member_id", "period_end"]),
        ("segments", members.segments, ["period", "member_id"]),
        ("churn_warnings", members.churn, ["period", "warning", "group_id", "member_id"]),
    ]


def _commission_outputs(writer: Any) -> list[Output]:
    if not writer.planned:
        return [("statements", None, []), ("payouts", None, []), ("commission_units", None, [])]
    return [
        ("statements", Deferred(writer, "statements"), ["period", "staff_id", "line"]),
        ("payouts", Deferred(writer, "payouts"), ["period", "staff_id"]),
        ("commission_units", Deferred(writer, "commission_units"), ["period", "unit", "kpi"]),
    ]


def _first_problems(problems: Any) -> list[dict[str, Any]]:
    first = problems.order_by(["row", "column", "reason"]).limit(MAX_PROBLEMS_SHOWN)
    return [dict(row) for row in first.to_pyarrow().to_pylist()]


def _rejected(problems: Any, path: Path) -> Any:
    import ibis

    from ..events.reasons import REASONS

    words = ibis.cases(*[(problems.reason == key, ibis.literal(en)) for key, (en, _) in REASONS.items()],
                       else_=problems.reason)
    return problems.select(file=ibis.literal(str(path)), row=problems.row, column=problems.column,
                           reason=problems.reason, explanation=words, value=problems.value)


class _Clock:
    def __init__(self) -> None:
        self.begin = self.last = time.perf_counter()
        self._laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self._laps[name] = round(now - self.last, 3)
        self.last = now

    def laps(self) -> dict[str, float]:
        return {**self._laps, "total": round(time.perf_counter() - self.begin, 3)}
