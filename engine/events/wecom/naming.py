"""A group's type from its name: each group type's `naming:` pattern read backwards.

The pattern is rendered as the generator renders it, with the playbook's vars and the type's own
names as they are, and `seq` and `date` as markers; the markers become wildcards (`seq`: a
number, `date`: any text) and the rest must match as written, spaces aside. A pattern that does
not render that way (it uses a name it does not define, or does arithmetic on `seq`) falls back
to every `{{ … }}` as a wildcard. The name must match a pattern whole. When several types match,
the most specific wins: the one whose pattern matches more characters as written
(`{{ brand }}会员福利{{ seq }}群` over `{{ brand }}{{ x }}福利{{ seq }}群`); a tie is reported, as is
a name no pattern matches when there is no default type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...model import Playbook
from ...sandbox import try_render

SEQ, DATE = "\x00seq\x00", "\x00date\x00"
_MARKERS = re.compile("(\x00seq\x00|\x00date\x00)")
_TAGS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_SPACES = re.compile(r"\s+")
NUMBER = r"(?:\d+|[零〇一二三四五六七八九十百两]+)"
ANY = r".+?"


@dataclass(frozen=True, slots=True)
class NamePattern:
    type_id: str
    regex: re.Pattern[str]
    literal: int  # characters the pattern matches as written: the more, the more specific
    source: str  # the pattern as the playbook writes it


@dataclass(frozen=True, slots=True)
class Typing:
    """A group's type, how it was found, and the other types that matched as well as it did."""

    type_id: str | None
    how: str  # pattern | default | none | tie
    ties: tuple[str, ...] = ()


@dataclass
class Typer:
    patterns: list[NamePattern] = field(default_factory=list)
    default: str | None = None

    def type_of(self, name: str | None) -> Typing:
        text = (name or "").strip()
        matched = [p for p in self.patterns if text and p.regex.fullmatch(text)]
        if matched:
            best = max(p.literal for p in matched)
            top = sorted(p.type_id for p in matched if p.literal == best)
            if len(top) == 1:
                return Typing(top[0], "pattern")
            return Typing(None, "tie", tuple(top))
        if self.default is not None:
            return Typing(self.default, "default")
        return Typing(None, "none")


def typer(playbook: Playbook | None, default: str | None) -> Typer:
    """The naming patterns of the playbook's group types (none without a playbook)."""
    if playbook is None:
        return Typer([], default)
    patterns = [pattern_of(playbook, type_id) for type_id, group_type in playbook.group_types.items()
                if group_type.naming and group_type.naming.strip()]
    return Typer([p for p in patterns if p is not None], default)


def pattern_of(playbook: Playbook, type_id: str) -> NamePattern | None:
    group_type = playbook.group_types[type_id]
    source = group_type.naming or ""
    context = {**playbook.vars, "playbook": playbook.playbook, "vars": dict(playbook.vars), "seq": SEQ,
               "group_type": type_id, "group_type_name": group_type.name, "date": DATE}
    rendered = try_render(source, context)[0]
    pieces: list[str] = []
    literal = 0
    # A filter that changed a marker (`seq|upper`) leaves a stray \x00: read the source instead.
    if rendered is not None and "\x00" not in _MARKERS.sub("", rendered):
        for piece in _MARKERS.split(rendered.strip()):
            if piece in (SEQ, DATE):
                pieces.append(NUMBER if piece == SEQ else ANY)
            else:
                literal += len(_SPACES.sub("", piece))
                pieces.append(_literal(piece))
    else:  # cannot be rendered with markers: every tag is a wildcard (`{{ seq }}` a number)
        text = source.strip()
        tags = _TAGS.findall(text)
        for index, piece in enumerate(_TAGS.split(text)):
            if index:
                pieces.append(NUMBER if tags[index - 1][2:-2].strip() == "seq" else ANY)
            literal += len(_SPACES.sub("", piece))
            pieces.append(_literal(piece))
    if not literal:
        return None  # all wildcards would type every group: no pattern at all
    return NamePattern(type_id, re.compile("".join(pieces)), literal, source)


def _literal(text: str) -> str:
    """Text to match as written, any run of spaces as any spaces (or none)."""
    return r"\s*".join(re.escape(part) for part in _SPACES.split(text))
