"""The records of a small JSON export (group details, change callbacks): one JSON value a line,
or one value in the whole file, pretty-printed over many lines. Each comes with the line it
starts on, for reports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import InputError


@dataclass(frozen=True, slots=True)
class Line:
    line: int
    value: Any = None
    problem: str | None = None  # not_json | not_utf8, when the line cannot be read


def read_text(path: Path, shown: str) -> str | None:
    """The file's text; None when it is not UTF-8."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    except OSError as exc:
        raise InputError(f"cannot read {shown}: {exc.strerror or exc}", f"无法读取 {shown}：{exc.strerror or exc}") from None


def json_records(text: str) -> Iterator[Line]:
    """The JSON values of `text`: the whole text when it is one value, else one a line (blank
    lines left out)."""
    stripped = text.strip()
    first = len(text) - len(text.lstrip())
    start = text.count("\n", 0, first) + 1
    if "\n" in stripped:
        try:
            yield Line(start, json.loads(stripped))
            return
        except (ValueError, RecursionError):
            pass  # not one value: one a line
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield Line(number, json.loads(line))
        except (ValueError, RecursionError):  # nested too deep for Python: no export is
            yield Line(number, problem="not_json")
