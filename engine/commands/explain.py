"""`qunce explain`: one member's timeline (--member), or how one staff member's commission was
computed (--staff [--period]): every input, rule and rounding."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EXIT_CLEAN, EXIT_FINDINGS, UsageError
from ..simulate.context import SimContext
from .data import DataCheck, DataRequest, load, shown_name
from .language import settle
from .playbook import Checked, checked_for


@dataclass
class ExplainRequest:
    playbook: Path
    data: DataRequest
    member_id: str | None = None
    staff_id: str | None = None
    period: str | None = None  # with staff_id: one commission period (default: all)
    lang: str | None = None  # asked for (--lang); None: QUNCE_LANG, else the playbook's locale


@dataclass
class ExplainOutcome:
    status: int = EXIT_CLEAN
    checked: Checked | None = None
    data: DataCheck = field(default_factory=DataCheck)
    lines: list[str] = field(default_factory=list)
    lang: str = "zh"  # the run's language (language.settle)


def validate_request(request: ExplainRequest) -> None:
    """Exactly one of member and staff; a period only with staff."""
    if (request.member_id is None) == (request.staff_id is None):
        raise UsageError("give exactly one of --member ID or --staff ID", "请给出 --member ID 或 --staff ID 中的一个")
    if request.period is not None and request.staff_id is None:
        raise UsageError("--period goes with --staff", "--period 只能与 --staff 一起使用")


def run(request: ExplainRequest) -> ExplainOutcome:
    """Explain a member or a staff member's commission (Spark's errors as one line)."""
    from ..compute import run_scope

    with run_scope():
        return _run(request)


def _run(request: ExplainRequest) -> ExplainOutcome:
    validate_request(request)
    outcome = ExplainOutcome(data=DataCheck(events=shown_name(request.data.events)))
    playbook = checked_for(outcome, request.playbook, request.data.cache)
    outcome.lang = settle(request.lang, playbook)
    ctx = load(playbook, request.data, outcome.data) if playbook is not None else None
    if ctx is None:
        outcome.status = EXIT_FINDINGS
        return outcome
    if request.member_id is not None:
        from ..simulate.member_timeline import member_timeline

        outcome.lines = member_timeline(ctx, request.member_id, outcome.lang)
    else:
        from ..gc_pause import gc_paused

        with gc_paused():  # the group and commission stages, as simulate runs them
            outcome.lines = staff_trace(ctx, str(request.staff_id), request.period, outcome.lang)
    return outcome


def staff_trace(ctx: SimContext, staff_id: str, period: str | None, lang: str) -> list[str]:
    """The lines of a staff member's commission trace, then of their SOP assessment (which tasks
    were missed or late, and when)."""
    from ..commission.stage import commission_of
    from ..commission.trace import staff_trace as trace

    pb = ctx.playbook
    if pb.commission is None and not pb.sop:
        raise UsageError("the playbook has no commission: section and no sop: to explain",
                         "剧本没有 commission（提成）部分，也没有 sop：无可解释")
    from ..assess.stage import kept_or_assessed

    sop = kept_or_assessed(ctx) if pb.sop else None
    lines: list[str] = []
    if pb.commission is not None:
        commission = commission_of(ctx, sop)  # the group stage an earlier simulate kept, when it did
        assert commission is not None  # the playbook has a plan
        lines = trace(commission, staff_id, period, lang)
    if sop is not None:
        from ..assess.trace import sop_lines

        if lines:
            lines.append("")
        lines += sop_lines(ctx.con, sop, pb, ctx.roster, staff_id, lang)
    return lines
