"""The language a run speaks: --lang, else QUNCE_LANG, else the locale (zh when Chinese)."""

from __future__ import annotations

import os

LANGS = ("en", "zh")


def default_lang() -> str:
    """zh when QUNCE_LANG or the user's locale is Chinese, else en."""
    for var in ("QUNCE_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def resolve(lang: str | None) -> str:
    """The run's language: the one asked for, or the default."""
    return lang if lang in LANGS else default_lang()
