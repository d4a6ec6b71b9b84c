"""Pick a renderer by its format name."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from engine.diagnostics.diagnostic import Diagnostic
from engine.diagnostics.render_github import render_github
from engine.diagnostics.render_json import render_json
from engine.diagnostics.render_sarif import render_sarif
from engine.diagnostics.render_text import render_text

RENDERERS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
}


def render(
    fmt: str,
    diagnostics: Sequence[Diagnostic],
    texts: Mapping[str, str],
    lang: str = "en",
    color: bool = False,
    files_checked: int | None = None,
) -> str:
    """Render diagnostics in format `fmt` (one of RENDERERS); files_checked feeds the text summary."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown output format {fmt!r}; choose one of: {', '.join(RENDERERS)}")
    if fmt == "text":
        return render_text(diagnostics, texts, lang, color, files_checked=files_checked)
    return RENDERERS[fmt](diagnostics, texts, lang, color)
