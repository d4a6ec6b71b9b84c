"""Pick a renderer by its format name (each imported only when used: start-up time matters)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence

from .diagnostic import Diagnostic

RENDERERS: dict[str, str] = {
    "text": ".render_text:render_text",
    "json": ".render_json:render_json",
    "sarif": ".render_sarif:render_sarif",
    "github": ".render_github:render_github",
}


def renderer(fmt: str) -> Callable[..., str]:
    """The render function for `fmt`."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown output format {fmt!r}; choose one of: {', '.join(RENDERERS)}")
    module, name = RENDERERS[fmt].split(":")
    function: Callable[..., str] = getattr(importlib.import_module(module, __name__.rpartition('.')[0]), name)
    return function


def render(
    fmt: str,
    diagnostics: Sequence[Diagnostic],
    texts: Mapping[str, str],
    lang: str = "en",
    color: bool = False,
    files_checked: int | None = None,
) -> str:
    """Render diagnostics in format `fmt` (one of RENDERERS); files_checked feeds the text summary."""
    if fmt == "text":
        return renderer(fmt)(diagnostics, texts, lang, color, files_checked=files_checked)
    return renderer(fmt)(diagnostics, texts, lang, color)
