"""Load one playbook: files → composed tree → typed model, with every problem as a diagnostic."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .diagnostics import Diagnostic
from .model import Playbook
from .model.schema_errors import to_diagnostics
from .source.compose import load_document
from .source.nodes import plain
from .source.positions import PositionIndex


@dataclass(slots=True)
class Loaded:
    """A loaded playbook; `playbook` is None when its files could not be read at all.

    When some sections do not fit the schema, `playbook` still holds the others
    (the broken ones at their defaults) and `broken` names them, so later checks
    can go on without reporting errors that only follow from the first ones.
    """

    path: str
    playbook: Playbook | None
    positions: PositionIndex | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)


def load_playbook(path: Path, root: Path | None = None) -> Loaded:
    """Read, compose and type-check the playbook at `path`."""
    doc = load_document(path, root or path.parent)
    loaded = Loaded(doc.entry, None, None, list(doc.diagnostics), doc.texts, doc.files)
    if doc.root is None:
        return loaded
    index = PositionIndex(doc.root)
    loaded.positions = index
    data = plain(doc.root)
    try:
        loaded.playbook = Playbook.model_validate(data)
        return loaded
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    loaded.diagnostics.extend(to_diagnostics(errors, index, Playbook))
    loaded.broken = {str(e["loc"][0]) for e in errors if e["loc"]}
    loaded.playbook = _partial(data, loaded.broken)
    return loaded


def _partial(data: dict[str, Any], broken: set[str]) -> Playbook | None:
    # Drop the sections that failed; keep what is sound for the semantic checks.
    kept = {k: v for k, v in data.items() if k not in broken and k in Playbook.model_fields}
    kept.setdefault("playbook", "?")
    if not isinstance(kept["playbook"], str) or not kept["playbook"]:
        kept["playbook"] = "?"
    try:
        return Playbook.model_validate(kept)
    except ValidationError:
        return None
