"""Time formats as DuckDB's strptime reads them: which directives exist, and whether a format
says the whole date.

Pure Python, so that checking a mapping never loads DuckDB; tests/events/test_mapping_formats.py
holds this list to what DuckDB itself accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

# DuckDB's documented strptime directives (without the %); `-` drops the leading zero. DuckDB
# also takes %h and %T, undocumented: not offered, so that a format that passes here keeps
# working when DuckDB tidies them away.
DIRECTIVES = frozenset("aAbBcdfgGHIjmMnpSuUVwWxXyYzZ%") | frozenset(
    {"-d", "-H", "-I", "-j", "-m", "-M", "-S", "-y"})

# What a format needs to give a day: one directive of each group (or a whole date, %c %x).
_WHOLE_DATE = frozenset({"c", "x"})
_YEAR = frozenset({"Y", "y", "-y"})
_MONTH = frozenset({"m", "-m", "b", "B"})
_DAY = frozenset({"d", "-d"})
_DAY_OF_YEAR = frozenset({"j", "-j"})

# Other tools' directives → DuckDB's spelling ("": none, %s is a number, not text).
_INSTEAD = {
    "e": "%-d", "k": "%-H", "l": "%-I", "F": "%Y-%m-%d", "T": "%H:%M:%S", "R": "%H:%M", "D": "%m/%d/%y",
    "h": "%b", "-Y": "%Y", "-e": "%-d", "i": "%M", "s": "",
}


@dataclass(frozen=True, slots=True)
class Unknown:
    """A directive DuckDB does not know: where its % is (0-based, in the format) and its text."""

    offset: int
    text: str


def scan(text: str) -> tuple[list[str], list[Unknown]]:
    """The known directives of a format (without their %) and the unknown ones."""
    known: list[str] = []
    unknown: list[Unknown] = []
    at = text.find("%")
    while at >= 0:
        end = at + 1
        if text.startswith("-", end):
            end += 1
        directive = text[at + 1:end + 1]  # empty, or a lone -, at the end of the text: unknown too
        if directive in DIRECTIVES:
            known.append(directive)
        else:
            unknown.append(Unknown(at, "%" + directive))
        at = text.find("%", end + 1)
    return known, unknown


def instead(directive: str) -> dict[str, str]:
    """What to write instead of an unknown directive, as a suffix in both languages."""
    replacement = _INSTEAD.get(directive.removeprefix("%"))
    if replacement is None:
        return {"en": "", "zh": ""}
    if not replacement:  # %s: seconds since 1970 are a number, not text
        return {"en": "; for seconds since 1970 write unit: epoch_seconds instead of format:",
                "zh": "；1970 年以来的秒数请写 unit: epoch_seconds，而不是 format:"}
    return {"en": f"; DuckDB writes {replacement}", "zh": f"；DuckDB 的写法是 {replacement}"}


def missing_date(known: list[str]) -> dict[str, str] | None:
    """What a format's directives lack to give a whole date (both languages); None if nothing."""
    found = set(known)
    if found & _WHOLE_DATE:
        return None
    lacks: list[tuple[str, str]] = []
    if not found & _YEAR:
        lacks.append(("year (%Y)", "年（%Y）"))
    if not found & _DAY_OF_YEAR:
        if not found & _MONTH:
            lacks.append(("month (%m)", "月（%m）"))
        if not found & _DAY:
            lacks.append(("day (%d)", "日（%d）"))
    if not lacks:
        return None
    english = [en for en, _ in lacks]
    words = english[0] if len(english) == 1 else ", ".join(english[:-1]) + " or " + english[-1]
    return {"en": words, "zh": "、".join(zh for _, zh in lacks)}


def spelled_out(text: str) -> dict[str, str]:
    """A note for a format written the way spreadsheets spell dates (YYYY-MM-DD), in both languages."""
    if "%" not in text and any(word in text for word in ("YYYY", "yyyy", "YY", "yy")):
        return {"en": "; formats use %Y, %m, %d, not YYYY, MM, DD", "zh": "；格式用 %Y、%m、%d，而不是 YYYY、MM、DD"}
    return {"en": "", "zh": ""}
