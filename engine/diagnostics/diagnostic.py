"""A diagnostic: one finding, with its place in a file and its words in two languages."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .registry import Bilingual, lookup


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Span:
    """A place in a file; line and col are 1-based, the end is exclusive."""

    file: str
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    span: Span
    params: tuple[tuple[str, Any], ...] = field(default=())
    severity: Severity | None = None

    @property
    def name(self) -> str:
        return lookup(self.code).name

    @property
    def level(self) -> Severity:
        return self.severity or Severity(lookup(self.code).severity)

    def message(self, lang: str = "en") -> str:
        return lookup(self.code).format_message(lang, dict(self.params))

    def hint(self, lang: str = "en") -> str:
        return lookup(self.code).format_hint(lang, dict(self.params))

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.file, self.span.line, self.span.col, self.code, self.message())

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.level.value,
            "message": self.message(lang),
            "hint": self.hint(lang),
            "file": self.span.file,
            "line": self.span.line,
            "col": self.span.col,
            "end_line": self.span.end_line or self.span.line,
            "end_col": self.span.end_col or self.span.col,
        }


def diag(code: str, span: Span, severity: Severity | None = None, **params: Any) -> Diagnostic:
    """Make a diagnostic; params fill the code's message and hint templates."""
    lookup(code)  # fail fast on a typo in a code
    frozen = {key: _freeze(value) for key, value in params.items()}
    return Diagnostic(code, span, tuple(sorted(frozen.items())), severity)


def _freeze(value: Any) -> Any:
    # Params given as {"en": ..., "zh": ...} become Bilingual, so diagnostics hash and dedupe.
    if isinstance(value, dict) and set(value) == {"en", "zh"}:
        return Bilingual(str(value["en"]), str(value["zh"]))
    if isinstance(value, (list, dict, set)):
        return str(value)
    return value
