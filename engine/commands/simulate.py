"""`qunce simulate`: replay the events through the playbook (group metrics, lifecycle, entry
thresholds, penalties, points, levels, segments, churn, the commission) and write every table
(Parquet and/or CSV), the staff statements and summary.json into the output folder."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import EXIT_CLEAN, EXIT_FINDINGS, UsageError
from ..simulate.outputs import FORMATS, Deferred, Output
from .data import DataCheck, DataRequest, load, shown_name
from .language import settle
from .playbook import Checked, checked_for

# The stages a run reports to its progress callback, in order (the progress bar's steps).
STAGES = ("ingest", "groups", "commission", "members", "write")

Progress = Callable[[str], None]


@dataclass
class SimulateRequest:
    playbook: Path
    data: DataRequest
    out: Path  # replaced whole by the run (output_folder): never a mix of two runs
    formats: tuple[str, ...] = FORMATS  # the tables' file formats; rejected rows are always in both
    lang: str | None = None  # asked for (--lang); None: QUNCE_LANG, else the playbook's locale (language.settle)
    xlsx: bool = False  # also payouts.xlsx (commission.workbook); a usage error without a commission
    inputs: dict[str, str] | None = None  # how summary.json names the inputs (default: as given)
    report: bool = False  # also report.html (commands/report.py)


@dataclass
class SimulateOutcome:
    """What a run did. status 1: the playbook has errors (`checked`) or the data could not be
    used (`data`); nothing was written."""

    status: int = EXIT_CLEAN
    checked: Checked | None = None
    data: DataCheck = field(default_factory=DataCheck)
    summary: dict[str, Any] = field(default_factory=dict)
    written: list[tuple[str, int]] = field(default_factory=list)  # (file stem, rows), in the listed order
    formats: dict[str, tuple[str, ...]] = field(default_factory=dict)  # file stem → formats
    timings: dict[str, float] = field(default_factory=dict)
    lang: str = "zh"  # the run's language: terminal, statements, workbook, rejected.csv, report
    reused: list[str] = field(default_factory=list)  # stages ("groups", "members") an earlier run kept (stage_cache)


def parse_formats(text: str) -> tuple[str, ...]:
    """--formats parquet,csv → the formats, in the writer's order."""
    words = [word.strip().lower() for word in text.split(",") if word.strip()]
    if not words or any(word not in FORMATS for word in words):
        raise UsageError(f"--formats {text!r}: use parquet, csv or both, separated by a comma (e.g. --formats parquet)",
                         f"--formats {text!r}：可选 parquet、csv 或两者（用逗号分隔，例如 --formats parquet）")
    return tuple(fmt for fmt in FORMATS if fmt in words)


def run(request: SimulateRequest, progress: Progress = lambda stage: None) -> SimulateOutcome:
    """Check the playbook, read the data, run every stage and write the outputs: into a staging
    folder that replaces `out` whole at the end (nothing is written when the run stops)."""
    import dataclasses

    from ..output_folder import replaced_whole

    outcome = SimulateOutcome(data=DataCheck(events=shown_name(request.data.events)))
    playbook = checked_for(outcome, request.playbook, request.data.cache)
    outcome.lang = settle(request.lang, playbook)
    if playbook is None:
        return outcome
    from ..compute import run_scope

    with replaced_whole(request.out) as staged, run_scope():
        simulate(playbook, dataclasses.replace(request, out=staged.path), outcome, progress)
        if outcome.status != EXIT_CLEAN:
            staged.cancel()
    return outcome


def simulate(playbook: Any, request: SimulateRequest, outcome: SimulateOutcome,
             progress: Progress = lambda stage: None) -> SimulateOutcome:
    """The stages on a checked playbook (the demo calls this with its own)."""
    from ..gc_pause import gc_paused

    with gc_paused():  # see there: ~0.3 s of a small run
        return _simulate(playbook, request, outcome, progress)


def _simulate(playbook: Any, request: SimulateRequest, outcome: SimulateOutcome, progress: Progress) -> SimulateOutcome:
    import json

    from ..assess.stage import sop_summary
    from ..commission.stage import prepare_commission
    from ..commission.statement_writer import CommissionWriter, commission_summary
    from ..files import write_text_atomic
    from ..report.facts import report_facts
    from ..simulate import stage_cache
    from ..simulate.context import profiled
    from ..simulate.group_stage import simulate_groups
    from ..simulate.outputs import write_outputs
    from ..simulate.summary import build_summary

    if request.xlsx and playbook.commission is None:  # before the data is read: nothing to pay, no workbook
        raise UsageError(f"--xlsx writes the commission's payouts, and {request.playbook} has no commission: section; "
                         "add one, or leave out --xlsx",
                         f"--xlsx 输出的是提成发放表，而 {request.playbook} 没有 commission: 部分；请添加提成方案，或去掉 --xlsx")
    clock = _Clock()
    ctx = load(playbook, request.data, outcome.data, progress)
    if ctx is None:
        outcome.status = EXIT_FINDINGS
        return outcome
    clock.lap("ingest")
    progress("groups")
    group_result = stage_cache.cached_groups(ctx)  # an earlier run's, when its data and sections were the same
    computed_groups = group_result is None
    if group_result is None:
        group_result = simulate_groups(ctx, clock.lap)
    else:
        outcome.reused.append("groups")
    clock.lap("groups")
    member_result = sop = None
    if pays_on_sop(playbook):  # the commission reads the SOP assessment: members and it come first
        member_result, sop = _members_and_sop(ctx, outcome, clock)
    progress("commission")
    prepared = prepare_commission(ctx, group_result.period, sop)
    clock.lap("commission")

    # The commission is built, then its tables and statements, by a thread while this one
    # computes and writes the member-side outputs (report.CommissionWriter): that work is plain
    # Python, this one DuckDB's, which releases the interpreter while it works. Its tables are
    # written first: built long before, their files are written while the next tables sort.
    with CommissionWriter(prepared, request.out, outcome.lang) as writer:
        progress("members")
        if member_result is None:
            member_result, sop = _members_and_sop(ctx, outcome, clock)
        computed_members = "members" not in outcome.reused
        progress("write")
        problems = outcome.data.problem_table
        rejected = _rejected(problems, outcome.data.rows_in, outcome.lang) if problems is not None else None
        stages, assessed = _outputs(group_result, member_result), _sop_outputs(sop)
        simulator = stages + assessed
        commission_tables = _commission_outputs(writer)
        last = ("rejected", rejected, ["row", "column", "reason"])
        chosen = {name: request.formats for name, _, _ in [*commission_tables, *simulator]}
        # The workbook reads the payouts and statements as stored for their files (sorted once).
        keep = ("payouts", "statements") if request.xlsx else ()
        # sop_tasks first: its stage wrote its Parquet file, copied (and its CSV written) while the others sort
        order = [*assessed[:1], *commission_tables, *stages, *assessed[1:], last]
        rows = dict(write_outputs(ctx.con, order, request.out, chosen, keep))
        listed = [*simulator, *commission_tables, last]
        outcome.written = [(name, rows[name]) for name, _, _ in listed if name in rows]  # in the order listed
        outcome.formats = chosen
        with profiled("keep the stages"):  # for the next run (simulate/stage_cache.py)
            if computed_groups:
                stage_cache.keep(ctx, "groups", group_result, request.out)
            if computed_members:
                stage_cache.keep(ctx, "members", member_result, request.out)
            if sop is not None and "sop" not in outcome.reused:
                stage_cache.keep(ctx, "sop", sop, request.out)
        with profiled("wait for the statements"):
            writer.finish()
        if request.xlsx:
            from ..commission.workbook import FILE, write_workbook
            from ..simulate.outputs import writer_of

            with profiled("write the workbook"):
                sheets = write_workbook(writer_of(ctx.con), request.out, outcome.lang, writer.result().inputs.periods,
                                        ctx.end)
    inputs = request.inputs or {"playbook": str(request.playbook), "events": outcome.data.events,
                                "roster": str(request.data.roster)}
    outcome.summary = build_summary(ctx, inputs, outcome.data.rows, group_result, member_result, outcome.written)
    if sop is not None:
        outcome.summary["sop"] = sop_summary(ctx.con, sop)
    if writer.planned:
        outcome.summary["commission"] = commission_summary(writer.result())
    if request.xlsx:
        outcome.summary["workbook"] = {"file": FILE, "sheets": sheets}
    # The playbook's names, ladder and curve for `qunce report`, which reads this folder alone.
    outcome.summary["report"] = report_facts(playbook, ctx.roster, _dissolving(ctx.con, group_result), ctx.end)
    outcome.summary["report"]["lang"] = outcome.lang  # the folder's language: its report speaks it too
    write_text_atomic(request.out / "summary.json", json.dumps(outcome.summary, ensure_ascii=False, indent=2) + "\n")
    if request.report:
        from .report import ReportRequest
        from .report import run as write_report

        write_report(ReportRequest(request.out, lang=outcome.lang))
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


def pays_on_sop(playbook: Any) -> bool:
    """Whether the playbook's commission reads the SOP assessment's metrics (commission/sop_metrics.py)."""
    from ..commission.plan import compile_plan
    from ..commission.sop_metrics import reads_sop

    plan = compile_plan(playbook)
    return plan is not None and reads_sop(plan)


def _members_and_sop(ctx: Any, outcome: SimulateOutcome, clock: _Clock) -> tuple[Any, Any]:
    """The member stage (kept by an earlier run, or computed), then the SOP assessment, which
    reads its churn warnings (docs/sop-assessment.md)."""
    from ..assess.stage import assess_sop, cached_sop
    from ..simulate import stage_cache
    from ..simulate.members import simulate_members

    members = stage_cache.cached_members(ctx)
    if members is None:
        members = simulate_members(ctx)
    else:
        outcome.reused.append("members")
    clock.lap("members")
    sop = cached_sop(ctx) if ctx.playbook.sop else None
    if sop is None:
        sop = assess_sop(ctx, members.churn, members.levels, members.homes)
    else:
        outcome.reused.append("sop")
    clock.lap("sop")
    return members, sop


def _sop_outputs(sop: Any) -> list[Output]:
    from ..assess.stage import TASK_ORDER

    if sop is None:
        return [("sop_tasks", None, []), ("sop_compliance", None, []), ("sop_warnings", None, [])]
    return [
        ("sop_tasks", sop.tasks, list(TASK_ORDER)),  # written in that order by the stage: copied as it is
        ("sop_compliance", sop.compliance, ["grain", "staff_id", "role", "period_start"]),
        ("sop_warnings", sop.warnings, ["period", "warning", "group_id", "member_id", "owner"]),
    ]


def _dissolving(con: Any, groups: Any) -> list[str]:
    """The groups some period says should be dissolved (a few: their owners go into summary.json)."""
    from ..compute import fetch

    health = groups.health
    if health is None:
        return []
    return sorted(fetch(con, health.filter(health.should_dissolve).group_id.name("g").as_table().distinct().g).to_pylist())


def _commission_outputs(writer: Any) -> list[Output]:
    if not writer.planned:
        return [("statements", None, []), ("payouts", None, []), ("commission_units", None, [])]
    return [
        ("statements", Deferred(writer, "statements"), ["period", "staff_id", "line"]),
        ("payouts", Deferred(writer, "payouts"), ["period", "staff_id"]),
        ("commission_units", Deferred(writer, "commission_units"), ["period", "unit", "kpi"]),
    ]


def _rejected(problems: Any, events: str, lang: str) -> Any:
    """The rejected rows, each reason explained in the folder's language (the statements')."""
    import ibis

    from ..events.reasons import REASONS

    words = ibis.cases(*[(problems.reason == key, ibis.literal(zh if lang == "zh" else en))
                         for key, (en, zh) in REASONS.items()], else_=problems.reason)
    return problems.select(file=ibis.literal(events), row=problems.row, column=problems.column,
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
