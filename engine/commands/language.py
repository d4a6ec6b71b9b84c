"""The language a run speaks, chosen once: `--lang`, else `QUNCE_LANG`, else the playbook's
`locale` (a playbook is zh-CN unless it says otherwise), else the terminal's locale (for the
commands that read no playbook). Every piece of a run (terminal, statements, task lists,
calendars, handbook, report) uses the one language chosen."""

from __future__ import annotations

import os
from contextvars import ContextVar
from typing import Any

LANGS = ("en", "zh")

# The language a command settled on once it read its playbook, for the error map: an error
# raised after that point speaks the run's language, not the terminal's.
_SETTLED: ContextVar[str | None] = ContextVar("qunce_run_lang", default=None)


def _word(value: str) -> str:
    return "zh" if value.lower().startswith("zh") else "en"


def requested(lang: str | None) -> str | None:
    """`--lang`, else QUNCE_LANG; None when the user asked for neither."""
    if lang in LANGS:
        return lang
    value = os.environ.get("QUNCE_LANG", "")
    return _word(value) if value else None


def default_lang() -> str:
    """zh when QUNCE_LANG or the user's locale is Chinese, else en."""
    for var in ("QUNCE_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return _word(value)
    return "en"


def resolve(lang: str | None) -> str:
    """The language of a command that reads no playbook: the one asked for, or the default."""
    return lang if lang in LANGS else default_lang()


def of_locale(locale: str) -> str:
    """A playbook's `locale:` (zh-CN, en, …) → the language qunce speaks for it."""
    return _word(locale)


def settle(lang: str | None, playbook: Any | None) -> str:
    """The run's language, once its playbook is read (None: it could not be): remembered for the
    error map (`settled`)."""
    chosen = requested(lang) or (of_locale(playbook.locale) if playbook is not None else default_lang())
    _SETTLED.set(chosen)
    return chosen


def settled() -> str | None:
    """The language the running command settled on, if it got that far."""
    return _SETTLED.get()


def forget() -> None:
    """A new command starts: nothing settled yet (the CLI calls this; tests run many in one thread)."""
    _SETTLED.set(None)
