"""The playbook a command runs: checked first, as `qunce validate` would."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..errors import EXIT_FINDINGS
from ..model import Playbook
from ..validation import Report, checked_playbook


@dataclass(slots=True)
class Checked:
    """The playbook when it has no errors; the report (findings to show) either way."""

    playbook: Playbook | None
    report: Report


def check(path: Path, use_cache: bool = True) -> Checked:
    """Load and check the playbook at `path` (InputError when there is no such file); with
    `use_cache`, the report of an earlier check of the unchanged files (validation.checked_playbook)."""
    playbook, report = checked_playbook(path, use_cache=use_cache)
    return Checked(playbook, report)


class NeedsPlaybook(Protocol):
    """An outcome of a command that runs a playbook."""

    status: int
    checked: Checked | None


def checked_for(outcome: NeedsPlaybook, path: Path, use_cache: bool = True) -> Playbook | None:
    """The checked playbook at `path` for a command: None (and status 1, the findings in
    outcome.checked) when it has errors."""
    outcome.checked = check(path, use_cache)
    if outcome.checked.playbook is None:
        outcome.status = EXIT_FINDINGS
    return outcome.checked.playbook
