"""Words kept as (English, Chinese) pairs, picked by language."""

from __future__ import annotations

from collections.abc import Mapping


def pick(words: Mapping[str, tuple[str, str]], key: str, lang: str) -> str:
    """The Chinese word of `key` for zh, else the English one."""
    en, zh = words[key]
    return zh if lang == "zh" else en
