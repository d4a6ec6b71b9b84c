"""Files that ship inside the wheel: schemas/, templates/ and the example playbooks/."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def resource(package: str, *parts: str) -> Traversable:
    """A packaged data file, e.g. resource("schemas", "playbook.schema.json"): the data folders
    are subpackages of qunce (qunce.schemas, qunce.templates, qunce.playbooks)."""
    node = files(f"{__name__.rpartition('.')[0]}.{package}")
    for part in parts:
        node = node.joinpath(part)
    return node
