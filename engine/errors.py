"""The one error base class; cli.py maps each subclass to an exit code."""

from __future__ import annotations


class QunceError(Exception):
    """Base of every error qunce raises on purpose."""


class UsageError(QunceError):
    """The command line asked for something that cannot be done (exit 2)."""


class InputError(QunceError):
    """A file could not be read or written (exit 2)."""
