"""`qunce events generate`: realistic synthetic events for a playbook's group types, with the
matching roster (same seed, same bytes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_CLEAN
from .playbook import Checked, checked_for

if TYPE_CHECKING:  # numpy and pyarrow are imported only by the commands that compute
    from ..events.generate import Summary


@dataclass
class GenerateRequest:
    playbook: Path
    out: Path  # .csv, .jsonl or .parquet; the roster goes beside it as <name>.roster.yaml
    groups: int = 100
    members: int = 10_000
    days: int = 30
    start: dt.date = dt.date(2027, 1, 4)
    seed: int = 1


@dataclass
class GenerateOutcome:
    status: int = EXIT_CLEAN
    checked: Checked | None = None
    events: Path | None = None
    roster: Path | None = None
    summary: Summary | None = None


def generate(request: GenerateRequest) -> GenerateOutcome:
    from ..events.generate import generate_files

    outcome = GenerateOutcome()
    playbook = checked_for(outcome, request.playbook)
    if playbook is None:
        return outcome
    outcome.events, outcome.roster, outcome.summary = generate_files(
        playbook, request.out, request.groups, request.members, request.days, request.start, request.seed)
    return outcome
