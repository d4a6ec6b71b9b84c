"""The code registry: every stable diagnostic code, its name, words and examples."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A parameter value in both languages."""

    en: str
    zh: str


class _Lenient(dict[str, Any]):
    # A template naming a param the caller did not give shows it as "?" rather
    # than failing: a diagnostic must never crash its own report.
    def __missing__(self, key: str) -> str:
        return "?"


@dataclass(frozen=True, slots=True)
class Code:
    """A stable diagnostic code with bilingual message and hint templates."""

    code: str
    name: str
    severity: str  # "error" | "warning" | "info"
    summary_en: str
    summary_zh: str
    message_en: str
    message_zh: str
    hint_en: str = ""
    hint_zh: str = ""
    bad: str = ""
    good: str = ""
    group: str = ""

    def format_message(self, lang: str, params: dict[str, Any]) -> str:
        template = self.message_zh if lang == "zh" else self.message_en
        return template.format_map(_Lenient(_words(params, lang)))

    def format_hint(self, lang: str, params: dict[str, Any]) -> str:
        template = self.hint_zh if lang == "zh" else self.hint_en
        return template.format_map(_Lenient(_words(params, lang)))


def _words(params: dict[str, Any], lang: str) -> dict[str, Any]:
    return {key: (value.zh if lang == "zh" else value.en) if isinstance(value, Bilingual) else value
            for key, value in params.items()}


_REGISTRY: dict[str, Code] = {}


def register(code: Code) -> Code:
    """Add a code; codes are stable, so registering one twice is a bug."""
    if code.code in _REGISTRY and _REGISTRY[code.code] != code:
        raise ValueError(f"diagnostic code {code.code} registered twice")
    _REGISTRY[code.code] = code
    return code


def lookup(code: str) -> Code:
    """A registered code; a diagnostic's code was registered by the module that made it."""
    if code not in _REGISTRY:
        _load_own()
    return _REGISTRY[code]


def registered_codes() -> list[Code]:
    """The codes registered so far, sorted: this package's own and those of every module imported.

    Not necessarily all of them: the checks register theirs when imported, and this package
    must not import them (they import it). qunce.codes_catalog.all_codes() gives the complete list.
    """
    _load_own()
    return [_REGISTRY[key] for key in sorted(_REGISTRY)]


def _load_own() -> None:
    # Codes live beside the code that emits them; this package's own (reading, schema,
    # conditions, templates) are in .codes, loaded on first use because it imports this module.
    from . import codes  # noqa: F401
