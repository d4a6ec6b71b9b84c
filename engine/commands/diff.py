"""`qunce diff OLD NEW`: what changing OLD into NEW would do on the same data (read and checked
once): every payout before and after, the total cost, the level, segment and group-health
distributions, and the members whose level would change."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..errors import EXIT_CLEAN, EXIT_FINDINGS, UsageError
from .data import DataCheck, DataRequest, load, shown_name
from .language import settle
from .playbook import Checked, check

FORMATS = ("text", "md", "json", "html")


@dataclass
class DiffRequest:
    old: Path
    new: Path
    data: DataRequest
    fmt: str = "text"
    fail_over: Decimal | None = None  # exit 1 when the total payout changes by more (either way)
    out: Path | None = None  # write the comparison here instead of returning it
    lang: str | None = None  # asked for (--lang); None: QUNCE_LANG, else OLD's locale


@dataclass
class DiffOutcome:
    """status 1: a playbook has errors, the data could not be used, or the total changed by more
    than fail_over (`over_limit`)."""

    status: int = EXIT_CLEAN
    checked: list[Checked] = field(default_factory=list)  # the playbooks that have errors
    data: DataCheck = field(default_factory=DataCheck)
    text: str = ""  # the comparison in the format asked for (also when written to `out`)
    change: Decimal = Decimal(0)  # the total payout's change
    over_limit: bool = False
    lang: str = "zh"  # the run's language (language.settle on OLD's playbook)


def _html(doc: dict[str, Any], lang: str) -> str:
    from ..report.diff_page import render

    return render(doc, lang)


def parse_fail_over(text: str) -> Decimal:
    """--fail-over AMOUNT: yuan, 0 or more."""
    try:
        limit = Decimal(text)
    except InvalidOperation:
        raise UsageError(f"--fail-over {text}: give an amount in yuan, e.g. 5000",
                         f"--fail-over {text}：请给出以元为单位的金额，例如 5000") from None
    if not limit.is_finite() or limit < 0:
        raise UsageError(f"--fail-over {text}: give an amount of 0 or more", f"--fail-over {text}：金额须为 0 或以上")
    return limit


def run(request: DiffRequest) -> DiffOutcome:
    """Compare two playbooks on the same data (Spark's errors as one line)."""
    from ..compute import run_scope

    with run_scope():
        return _run(request)


def _run(request: DiffRequest) -> DiffOutcome:
    from ..compare.document import document, names_for, render_json, render_markdown, render_text, total_change
    from ..compare.scenario import run_pair, same_time_zone
    from ..files import write_text_atomic
    from ..gc_pause import gc_paused

    outcome = DiffOutcome(data=DataCheck(events=shown_name(request.data.events)))
    old, new = check(request.old, request.data.cache), check(request.new, request.data.cache)
    outcome.checked = [c for c in (old, new) if c.playbook is None]
    outcome.lang = lang = settle(request.lang, old.playbook or new.playbook)
    if old.playbook is None or new.playbook is None:
        outcome.status = EXIT_FINDINGS
        return outcome
    same_time_zone(old.playbook, new.playbook)
    ctx = load(old.playbook, request.data, outcome.data)
    if ctx is None:
        outcome.status = EXIT_FINDINGS
        return outcome
    with gc_paused():  # simulate/context.py: the stages make many short-lived objects
        pair = run_pair(ctx, new.playbook)
    doc = document(pair, str(request.old), str(request.new),
                   names_for(old.playbook, new.playbook))
    renderers: dict[str, Any] = {"json": lambda: render_json(doc), "md": lambda: render_markdown(doc, lang),
                                 "text": lambda: render_text(doc, lang), "html": lambda: _html(doc, lang)}
    outcome.text = renderers[request.fmt]()
    if request.out is not None:
        write_text_atomic(request.out, outcome.text)
    outcome.change = total_change(doc)
    if request.fail_over is not None and abs(outcome.change) > request.fail_over:
        outcome.over_limit = True
        outcome.status = EXIT_FINDINGS
    return outcome
