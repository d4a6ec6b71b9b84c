"""The semantic checks, each registered under the codes it may emit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..diagnostics import Diagnostic
from .context import CheckContext

CheckFunction = Callable[[CheckContext], Iterable[Diagnostic]]


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    codes: tuple[str, ...]
    run: CheckFunction


CHECKS: list[Check] = []


def check(*codes: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function that emits the given codes."""

    def register(function: CheckFunction) -> CheckFunction:
        CHECKS.append(Check(function.__module__.rsplit(".", 1)[-1], codes, function))
        return function

    return register
