"""JSON output: one object per diagnostic, in the order given."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from .diagnostic import Diagnostic


def render_json(
    diagnostics: Sequence[Diagnostic],
    texts: Mapping[str, str],
    lang: str = "en",
    color: bool = False,
) -> str:
    """Render diagnostics as a JSON array of `Diagnostic.as_dict` objects."""
    return json.dumps([d.as_dict(lang) for d in diagnostics], ensure_ascii=False, indent=2) + "\n"
