"""GitHub Actions workflow commands: one annotation line per diagnostic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .diagnostic import Diagnostic, Severity

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render_github(
    diagnostics: Sequence[Diagnostic],
    texts: Mapping[str, str],
    lang: str = "en",
    color: bool = False,
) -> str:
    """Render diagnostics as `::error file=...::message` lines for GitHub annotations."""
    return "".join(_command(d, lang) + "\n" for d in diagnostics)


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(diagnostic: Diagnostic, lang: str) -> str:
    span = diagnostic.span
    end_line = span.end_line or span.line
    end_col = span.end_col if span.end_col and (end_line > span.line or span.end_col > span.col) else span.col + 1
    properties = {
        "file": span.file.replace("\\", "/"),
        "line": str(span.line),
        "col": str(span.col),
        "endLine": str(end_line),
        "endColumn": str(end_col),
        "title": f"{diagnostic.code} {diagnostic.name}",
    }
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    text = diagnostic.message(lang)
    hint = diagnostic.hint(lang)
    if hint:
        text = f"{text}\n{hint}"
    return f"::{_COMMAND[diagnostic.level]} {props}::{escape_data(text)}"
