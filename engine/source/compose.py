"""Compose a playbook from its files: `extends:` a base, `include:` fragments.

Order of precedence, lowest first: the base playbook, the included fragments
in the order listed, the file's own keys. Mappings merge key by key; lists of
items with an `id` merge item by item (same id: merged in place, new id:
appended); any other value replaces the one below it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, Span, diag
from .nodes import Entry, Map, Node, Scalar, Seq
from .reader import ParsedFile, read_file

COMPOSITION_KEYS = ("extends", "include")
PER_FILE_KEYS = ("abstract",)  # a base being abstract does not make its children abstract


@dataclass(slots=True)
class LoadedDocument:
    """A playbook's composed tree, the files it came from and what went wrong."""

    entry: str
    root: Map | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def display_name(path: Path) -> str:
    """A path as the user should see it: relative to the working folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def load_document(path: Path, root: Path) -> LoadedDocument:
    """Load the playbook at `path` with everything it extends or includes."""
    loader = _Loader(root.resolve())
    tree = loader.load(path.resolve(), chain=[], via=None)
    doc = LoadedDocument(display_name(path), tree, loader.diagnostics, loader.texts, loader.files)
    return doc


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.diagnostics: list[Diagnostic] = []
        self.texts: dict[str, str] = {}
        self.files: list[Path] = []
        self.cache: dict[Path, ParsedFile] = {}

    def parse(self, path: Path) -> ParsedFile:
        if path not in self.cache:
            parsed = read_file(path, display_name(path))
            self.cache[path] = parsed
            self.texts[parsed.path] = parsed.text
            self.files.append(path)
            self.diagnostics.extend(parsed.diagnostics)
        return self.cache[path]

    def load(self, path: Path, chain: list[Path], via: Span | None) -> Map | None:
        parsed = self.parse(path)
        if parsed.root is None:
            if not parsed.diagnostics:
                self.diagnostics.append(diag("Q011", Span(parsed.path, 1, 1), found={"en": "an empty file", "zh": "空文件"}))
            return None
        if not isinstance(parsed.root, Map):
            found = "a list" if isinstance(parsed.root, Seq) else "a single value"
            found_zh = "列表" if isinstance(parsed.root, Seq) else "单个值"
            self.diagnostics.append(diag("Q011", parsed.root.span, found={"en": found, "zh": found_zh}))
            return None
        own = parsed.root
        chain = [*chain, path]
        layers: list[Map] = []
        extends = own.entries.get("extends")
        if extends is not None:
            for target in self.targets(extends.value, path, chain, single=True):
                layers.append(Map({k: v for k, v in target.entries.items() if k not in PER_FILE_KEYS}, target.span))
        include = own.entries.get("include")
        if include is not None:
            layers.extend(self.targets(include.value, path, chain, single=False))
        body = Map({k: v for k, v in own.entries.items() if k not in COMPOSITION_KEYS}, own.span)
        merged: Map | None = None
        for layer in [*layers, body]:
            merged = layer if merged is None else merge_maps(merged, layer)
        return merged

    def targets(self, node: Node, origin: Path, chain: list[Path], single: bool) -> list[Map]:
        path_words = {"en": "a file path", "zh": "文件路径"}
        scalars: list[Scalar] = []
        if isinstance(node, Scalar) and isinstance(node.value, str):
            scalars = [node]
        elif isinstance(node, Seq) and not single:
            for item in node.items:
                if isinstance(item, Scalar) and isinstance(item.value, str):
                    scalars.append(item)
                else:
                    self.diagnostics.append(diag("Q103", item.span, expected=path_words, found=_kind(item), detail=""))
        else:
            what = path_words if single else {"en": "a file path or a list of them", "zh": "文件路径或路径列表"}
            self.diagnostics.append(diag("Q103", node.span, expected=what, found=_kind(node), detail=""))
            return []
        out: list[Map] = []
        for scalar in scalars:
            loaded = self.target(scalar, origin, chain)
            if loaded is not None:
                out.append(loaded)
        return out

    def target(self, scalar: Scalar, origin: Path, chain: list[Path]) -> Map | None:
        target = (origin.parent / str(scalar.value)).resolve()
        if not target.is_relative_to(self.root):
            self.diagnostics.append(diag("Q008", scalar.span, target=scalar.value, root=display_name(self.root)))
            return None
        if target in chain:
            names = " → ".join(display_name(p) for p in [*chain, target])
            self.diagnostics.append(diag("Q009", scalar.span, target=scalar.value, chain=names))
            return None
        if not target.exists():
            self.diagnostics.append(diag("Q010", scalar.span, target=scalar.value))
            return None
        if not target.is_file():
            what = "a folder" if target.is_dir() else "not a regular file"
            what_zh = "是文件夹" if target.is_dir() else "不是普通文件"
            self.diagnostics.append(diag("Q007", scalar.span, detail={"en": f"'{scalar.value}' is {what}",
                                                                      "zh": f"'{scalar.value}' {what_zh}"}))
            return None
        return self.load(target, chain, scalar.span)


def _kind(node: Node) -> dict[str, str]:
    if isinstance(node, Map):
        return {"en": "a mapping", "zh": "映射"}
    if isinstance(node, Seq):
        return {"en": "a list", "zh": "列表"}
    return {"en": f"'{node.value}'", "zh": f"'{node.value}'"}


def merge_maps(base: Map, over: Map) -> Map:
    """`over` merged onto `base` (neither is changed)."""
    entries = dict(base.entries)
    for key, entry in over.entries.items():
        below = entries.get(key)
        entries[key] = entry if below is None else Entry(entry.key_span, merge_nodes(below.value, entry.value))
    return Map(entries, over.span)


def merge_nodes(base: Node, over: Node) -> Node:
    if isinstance(base, Map) and isinstance(over, Map):
        return merge_maps(base, over)
    if isinstance(base, Seq) and isinstance(over, Seq) and _by_id(base) and _by_id(over):
        return _merge_by_id(base, over)
    return over


def _item_id(node: Node) -> object:
    if isinstance(node, Map) and "id" in node.entries:
        value = node.entries["id"].value
        if isinstance(value, Scalar):
            return value.value
    return None


def _by_id(seq: Seq) -> bool:
    return bool(seq.items) and all(_item_id(item) is not None for item in seq.items)


def _merge_by_id(base: Seq, over: Seq) -> Seq:
    items = list(base.items)
    index = {_item_id(item): i for i, item in enumerate(items)}
    for item in over.items:
        key = _item_id(item)
        if key in index:
            items[index[key]] = merge_nodes(items[index[key]], item)
        else:
            index[key] = len(items)
            items.append(item)
    return Seq(items, over.span)
