"""`qunce docs`: the staff handbook of a playbook, handbook.md and a self-contained handbook.html
(every file written whole, or none when a template fails). With a pay curve or rate table, the
Markdown's chart is a file beside it (pay-curve.svg), listed in the folder's manifest like the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EXIT_CLEAN
from .language import settle
from .playbook import Checked, checked_for

FORMATS = ("md", "html")


@dataclass
class DocsRequest:
    playbook: Path
    out: Path
    formats: tuple[str, ...] = FORMATS
    lang: str | None = None  # the handbook's language (default: the playbook's locale)
    templates: Path | None = None  # the user's own templates, each replacing the built-in one


@dataclass
class DocsOutcome:
    status: int = EXIT_CLEAN
    checked: Checked | None = None
    lang: str = "zh"  # the language the handbook was written in
    summary: str = ""
    written: list[tuple[Path, int]] = field(default_factory=list)  # (file, bytes)


def run(request: DocsRequest) -> DocsOutcome:
    from ..compile.docs.handbook import summary, write_handbook
    from ..output_folder import replaced_whole

    outcome = DocsOutcome()
    playbook = checked_for(outcome, request.playbook)
    outcome.lang = settle(request.lang, playbook)  # --lang, else QUNCE_LANG, else the playbook's locale
    if playbook is None:
        return outcome
    with replaced_whole(request.out) as staged:  # every format, or none: the folder holds one run
        written = write_handbook(playbook, staged.path, request.formats or FORMATS, outcome.lang, request.templates)
    outcome.summary = summary(playbook, outcome.lang)
    outcome.written = [(request.out / w.path.name, w.size) for w in written]
    return outcome
