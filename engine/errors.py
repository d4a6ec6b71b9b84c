"""The one error base class; cli.py maps each subclass to an exit code."""

from __future__ import annotations


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type's name when it has none): what a
    one-line error report shows of a library's multi-line message."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class QunceError(Exception):
    """Base of every error qunce raises on purpose."""


class BilingualError(QunceError):
    """A problem the engine turns into a diagnostic: its words in English and Chinese."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh


class UsageError(QunceError):
    """The command line asked for something that cannot be done (exit 2)."""


class InputError(QunceError):
    """A file could not be read or written (exit 2)."""
