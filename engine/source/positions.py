"""Where each value of a composed playbook came from, by its path (keys and list indexes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..diagnostics import Span
from .nodes import Map, Node, Scalar, Seq

Path = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Place:
    key: Span | None  # the key's span, when the value sits under a key
    value: Span
    node: Node


class PositionIndex:
    """Path → place, built once from the composed tree."""

    def __init__(self, root: Map) -> None:
        self._places: dict[Path, Place] = {(): Place(None, root.span, root)}
        self._walk(root, ())

    def _walk(self, node: Node, path: Path) -> None:
        # Iterative: aliases may share nodes, but depth and size were bounded by the reader.
        stack: list[tuple[Node, Path]] = [(node, path)]
        while stack:
            current, here = stack.pop()
            if isinstance(current, Map):
                for key, entry in current.entries.items():
                    child = (*here, key)
                    self._places[child] = Place(entry.key_span, entry.value.span, entry.value)
                    stack.append((entry.value, child))
            elif isinstance(current, Seq):
                for index, item in enumerate(current.items):
                    child = (*here, index)
                    self._places[child] = Place(None, item.span, item)
                    stack.append((item, child))

    def place(self, path: Path) -> Place:
        """The place of `path`, or of its nearest ancestor that was written in the file."""
        for cut in range(len(path), -1, -1):
            found = self._places.get(tuple(path[:cut]))
            if found is not None:
                return found
        return self._places[()]

    def exact(self, path: Path) -> Place | None:
        return self._places.get(tuple(path))

    def value_span(self, path: Path) -> Span:
        return self.place(path).value

    def key_span(self, path: Path) -> Span:
        found = self.place(path)
        return found.key or found.value

    def scalar(self, path: Path) -> Scalar | None:
        found = self.exact(path)
        return found.node if found is not None and isinstance(found.node, Scalar) else None
