"""The YAML tree with positions: what the reader builds and composition merges."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Span


@dataclass(slots=True)
class Scalar:
    value: Any
    span: Span
    style: str | None = None  # None plain, "'" or '"' quoted, "|" or ">" block
    raw: str = ""  # the scalar's text as written, for positions inside it


@dataclass(slots=True)
class Seq:
    items: list[Node]
    span: Span


@dataclass(slots=True)
class Entry:
    key_span: Span
    value: Node


@dataclass(slots=True)
class Map:
    entries: dict[str, Entry] = field(default_factory=dict)
    span: Span = field(default_factory=lambda: Span("", 1, 1))


Node = Scalar | Seq | Map


def plain(node: Node) -> Any:
    """The node as plain Python data (dicts, lists, scalars)."""
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Seq):
        return [plain(item) for item in node.items]
    return {key: plain(entry.value) for key, entry in node.entries.items()}
