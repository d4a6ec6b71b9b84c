"""SARIF 2.1.0 output, in the shape GitHub code scanning accepts."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from .diagnostic import Diagnostic, Span
from .registry import Code, lookup

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_DRIVE = re.compile(r"^[A-Za-z]:/")


def render_sarif(
    diagnostics: Sequence[Diagnostic],
    texts: Mapping[str, str],
    lang: str = "en",
    color: bool = False,
) -> str:
    """Render diagnostics as a SARIF 2.1.0 log with one run."""
    rule_index: dict[str, int] = {}
    rules: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for diagnostic in diagnostics:
        if diagnostic.code not in rule_index:
            rule_index[diagnostic.code] = len(rules)
            rules.append(_rule(lookup(diagnostic.code), lang))
        results.append(
            {
                "ruleId": diagnostic.code,
                "ruleIndex": rule_index[diagnostic.code],
                "level": _LEVEL[diagnostic.level.value],
                "message": {"text": diagnostic.message(lang)},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": artifact_location(diagnostic.span.file),
                            "region": _region(diagnostic.span),
                        }
                    }
                ],
            }
        )
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "qunce", "version": _tool_version(), "rules": rules}},
                # Span columns count code points, not SARIF's default UTF-16 code units.
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def artifact_location(file: str) -> dict[str, str]:
    """A file path as a SARIF artifact location: relative paths against %SRCROOT%, absolute ones as file URIs."""
    path = file.replace("\\", "/")
    # SARIF uris are RFC 3986 references, so spaces, '#', '%' and non-ASCII characters are percent-encoded.
    if path.startswith("/"):
        return {"uri": PurePosixPath(path).as_uri()}
    if _DRIVE.match(path):
        return {"uri": "file:///" + quote(path, safe="/:")}
    while path.startswith("./"):
        path = path[2:]
    return {"uri": quote(path, safe="/"), "uriBaseId": "%SRCROOT%"}


def _rule(code: Code, lang: str) -> dict[str, Any]:
    summary = code.summary_zh if lang == "zh" else code.summary_en
    return {
        "id": code.code,
        "name": code.name,
        "shortDescription": {"text": summary},
        "help": {"text": _static_hint(code, lang) or summary},
        "defaultConfiguration": {"level": _LEVEL[code.severity]},
    }


def _static_hint(code: Code, lang: str) -> str:
    # A rule's help is shared by all its results, so a hint that needs a result's
    # params ("Allowed here: {allowed}") cannot stand alone; the summary serves instead.
    try:
        return (code.hint_zh if lang == "zh" else code.hint_en).format_map({})
    except (KeyError, IndexError, ValueError):
        return ""


def _region(span: Span) -> dict[str, int]:
    end_line = span.end_line or span.line
    known = span.end_col > 0 and (end_line > span.line or span.end_col > span.col)
    return {
        "startLine": span.line,
        "startColumn": span.col,
        "endLine": end_line,
        "endColumn": span.end_col if known else span.col + 1,
    }


def _tool_version() -> str:
    try:
        return version("qunce")
    except PackageNotFoundError:
        return "0.0.0"
