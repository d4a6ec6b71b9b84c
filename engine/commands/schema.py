"""`qunce schema`: the JSON Schema of a playbook (for editors), a fragment, the events, the
roster or a data mapping; or the playbook reference in Markdown."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import EXIT_CLEAN

KINDS = ("playbook", "fragment", "events", "roster", "mapping")


@dataclass
class SchemaOutcome:
    text: str
    written: Path | None = None  # the file, when asked to write one
    status: int = EXIT_CLEAN


def run(kind: str, fmt: str, out: Path | None) -> SchemaOutcome:
    from ..files import write_text_atomic

    if fmt == "md":
        from ..reference import reference_markdown

        text = reference_markdown()
    else:
        from ..schema import schema_text

        text = schema_text(kind=kind)
    if out is not None:
        write_text_atomic(out, text)
    return SchemaOutcome(text, out)
