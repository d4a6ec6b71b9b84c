"""`qunce events generate`: realistic synthetic events for a playbook's group types, with the
matching roster (same seed, same bytes). `qunce events import wecom`: a team's own WeCom exports
as an events file and a roster."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_CLEAN, EXIT_FINDINGS
from .language import settle
from .playbook import Checked, checked_for

if TYPE_CHECKING:  # numpy and pyarrow are imported only by the commands that compute
    from ..events.generate import Summary
    from ..events.wecom.run import Imported


@dataclass
class GenerateRequest:
    playbook: Path
    out: Path  # .csv, .jsonl or .parquet; the roster goes beside it as <name>.roster.yaml
    groups: int = 100
    members: int = 10_000
    days: int = 30
    start: dt.date = dt.date(2027, 1, 4)
    seed: int = 1
    lang: str | None = None  # asked for (--lang); None: QUNCE_LANG, else the playbook's locale


@dataclass
class GenerateOutcome:
    status: int = EXIT_CLEAN
    checked: Checked | None = None
    events: Path | None = None
    roster: Path | None = None
    summary: Summary | None = None
    lang: str = "zh"  # the run's language (language.settle)


def generate(request: GenerateRequest) -> GenerateOutcome:
    from ..events.generate_follow_ups import generate_staffed_files
    from .generated_follow_ups import follow_ups
    from .generated_tasks import staffed_tasks

    outcome = GenerateOutcome()
    playbook = checked_for(outcome, request.playbook)
    outcome.lang = settle(request.lang, playbook)
    if playbook is None:
        return outcome
    # the staff carry out the SOP (events/generate_sop.py) and follow up the promotions, demotions
    # and churn warnings the simulation finds (events/generate_follow_ups.py)
    outcome.events, outcome.roster, outcome.summary = generate_staffed_files(
        playbook, request.out, request.groups, request.members, request.days, request.start, request.seed,
        tasks=staffed_tasks, follow_ups=follow_ups)
    return outcome


@dataclass
class ImportWecomRequest:
    sources: list[Path]  # files or folders of WeCom exports; each file's kind is told from its content
    out: Path  # the events file: .csv, .jsonl or .parquet
    roster: Path  # the roster, YAML
    playbook: Path | None = None  # types the groups by its naming patterns; its time zone
    default_type: str | None = None  # the type of a group no naming pattern matches
    staff: Path | None = None  # more staff userids, one a line
    lang: str | None = None  # asked for (--lang); None: QUNCE_LANG, else the playbook's locale, else the terminal's


@dataclass
class ImportWecomOutcome:
    status: int = EXIT_CLEAN  # 1 when the playbook has errors or records were rejected (the files are written)
    checked: Checked | None = None
    imported: Imported | None = None
    lang: str = "zh"  # the run's language (language.settle)


def import_wecom(request: ImportWecomRequest) -> ImportWecomOutcome:
    """`qunce events import wecom`: WeCom's own exports as an events file and a roster."""
    from ..events.wecom.run import import_wecom as run

    outcome = ImportWecomOutcome()
    playbook = None
    if request.playbook is not None:
        playbook = checked_for(outcome, request.playbook)
    outcome.lang = settle(request.lang, playbook)
    if request.playbook is not None and playbook is None:
        return outcome
    outcome.imported = run(request.sources, request.out, request.roster, playbook, request.default_type,
                           request.staff)
    if outcome.imported.tally.total(outcome.imported.tally.rejected):
        outcome.status = EXIT_FINDINGS
    return outcome
