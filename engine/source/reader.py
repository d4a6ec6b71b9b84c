"""Read one YAML file into a positioned tree, with guards against hostile input.

The tree is built from ruamel.yaml's event stream by an iterative composer, so
deep nesting cannot overflow the stack, alias expansion is counted as it is
built (an alias bomb stops early), and duplicate keys are findings, not
silent overwrites.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Span, diag
from .nodes import Entry, Map, Node, Scalar, Seq
from .scalars import STANDARD_TAGS, resolve_plain, resolve_tagged

MAX_FILE_BYTES = 1_000_000  # ~25,000 lines: far beyond any real playbook
MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_FLOW_COLONS = 200  # past this many, the YAML 1.2 parser reads the file
# Private-use characters libyaml reads as ordinary text: one absent from the file stands for ':'.
_PLACEHOLDERS = ("\ue000", "\ue001", "\ue002", "\ue003")
# Data files (a roster of thousands of groups) are read with these instead.
DATA_MAX_BYTES = 50_000_000
DATA_MAX_NODES = 10_000_000


@dataclass(slots=True)
class ParsedFile:
    path: str
    text: str
    root: Node | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


class _Unsure(Exception):
    """The fast parser's reading of a patched text may differ from YAML 1.2's: read it again."""


class _Abort(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic


_CACHE: dict[tuple[str, str, int, int, bool], ParsedFile] = {}


def read_file(path: Path, display: str | None = None, data: bool = False) -> ParsedFile:
    """Read and compose one YAML file; problems come back as diagnostics.

    Results are cached by path, name, size and modification time: a run reads a
    base or fragment once however many playbooks use it.
    """
    name = display or str(path)
    try:
        info = path.stat()
    except OSError:
        return _read(path, name, data)
    key = (str(path.resolve()), name, info.st_size, info.st_mtime_ns, data)
    if key not in _CACHE:
        _CACHE[key] = _read(path, name, data)
    return _CACHE[key]


def _read(path: Path, name: str, data: bool = False) -> ParsedFile:
    start = Span(name, 1, 1)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return ParsedFile(name, "", None, [diag("Q007", start, detail="not a regular file")])
        size = info.st_size
        limit = DATA_MAX_BYTES if data else MAX_FILE_BYTES
        if size > limit:
            return ParsedFile(name, "", None, [diag("Q003", start, size=size, limit=limit)])
        raw = path.read_bytes()
    except OSError as exc:
        return ParsedFile(name, "", None, [diag("Q007", start, detail=exc.strerror or str(exc))])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return ParsedFile(name, "", None, [diag("Q007", Span(name, line, 1), detail="not UTF-8 text")])
    return parse_text(text, name, data)


def parse_text(text: str, name: str, data: bool = False) -> ParsedFile:
    """Compose YAML text into a positioned tree (`data`: with the larger limits of data files)."""
    limit = DATA_MAX_BYTES if data else MAX_FILE_BYTES
    size = len(text.encode("utf-8"))
    if size > limit:
        return ParsedFile(name, "", None, [diag("Q003", Span(name, 1, 1), size=size, limit=limit)])
    composer = _Composer(name, text, DATA_MAX_NODES if data else MAX_NODES)
    try:
        root = composer.run()
    except _Abort as abort:
        return ParsedFile(name, text, None, [*composer.diagnostics, abort.diagnostic])
    return ParsedFile(name, text, root, composer.diagnostics)


class _Frame:
    __slots__ = ("anchor", "merge", "merged", "node", "pending_key", "size")

    def __init__(self, node: Map | Seq, anchor: str | None) -> None:
        self.node = node
        self.size = 1
        self.anchor = anchor
        self.pending_key: Scalar | None = None
        self.merge = False
        self.merged: set[str] = set()  # keys that came from '<<' and may be overridden


class _Composer:
    def __init__(self, name: str, text: str, max_nodes: int | None = None) -> None:
        self.name = name
        self.text = text
        self.max_nodes = MAX_NODES if max_nodes is None else max_nodes
        self.diagnostics: list[Diagnostic] = []
        self.anchors: dict[str, tuple[Node, int]] = {}
        self.stack: list[_Frame] = []
        self.root: Node | None = None
        self.root_size = 0
        self.documents = 0
        self.placeholder: str | None = None  # stands for ':' in the text the fast parser reads

    def span(self, start: Any, end: Any) -> Span:
        return Span(self.name, start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def run(self) -> Node | None:
        # libyaml (ruamel.yaml.clib) parses about 15× faster and gives the same
        # events and marks, but follows YAML 1.1 in places (`{at: 20:00}` is an
        # error there); on any error, parse again with the pure YAML 1.2 parser,
        # whose verdict and messages are the ones we report.
        if _fast_parser_available():
            text = self.text
            for _ in range(MAX_FLOW_COLONS + 1):
                try:
                    return self.compose(fast=True, text=text)
                except _Abort:
                    raise  # size and depth guards hold whichever parser reads the text
                except Exception as exc:  # any libyaml complaint: the YAML 1.2 parser decides
                    self.reset()
                    patched = self.flow_colon_patched(text, exc)
                    if patched is None:
                        break
                    text = patched
            self.placeholder = None
        return self.compose(fast=False)

    def flow_colon_patched(self, text: str, exc: Exception) -> str | None:
        # libyaml's one YAML 1.1 rule that real playbooks hit: a ':' inside a plain scalar in
        # a flow collection (`duties: [晚 20:00 直播课]`), valid YAML 1.2, where the scalar
        # goes on. That ':' (libyaml names it exactly) becomes a character no text holds, the
        # fast parser reads on, and scalar() puts the ':' back: the same tree, spans and
        # values as the YAML 1.2 parser's (tests/source/test_reader_speed.py), far faster.
        from ruamel.yaml.error import MarkedYAMLError

        if not (isinstance(exc, MarkedYAMLError) and exc.context == "while scanning a plain scalar"
                and exc.problem == "found unexpected ':'" and exc.problem_mark is not None):
            return None
        if not text.endswith("\n") or "\t" in text or "\r" in text:
            return None  # tabs, CR and the last line's end are read differently by the two parsers
        index = exc.problem_mark.index
        if not (0 <= index < len(text) and text[index] == ":"):
            return None
        if self.placeholder is None:
            self.placeholder = next((c for c in _PLACEHOLDERS if c not in self.text), None)
            if self.placeholder is None:
                return None
        return text[:index] + self.placeholder + text[index + 1:]

    def reset(self) -> None:
        self.diagnostics = []
        self.anchors = {}
        self.stack = []
        self.root = None
        self.root_size = 0
        self.documents = 0

    def compose(self, fast: bool, text: str | None = None) -> Node | None:
        from ruamel.yaml.error import YAMLError

        try:
            for event in _events(self.text if text is None else text, fast):
                self.handle(event)
        except YAMLError as exc:
            if fast:
                raise
            raise _Abort(self.syntax_error(exc)) from None
        except _Abort:
            raise
        except Exception as exc:  # e.g. ruamel asserts on `%YAML 1.21`: a finding, never a crash
            if fast:
                raise
            detail = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise _Abort(diag("Q001", Span(self.name, 1, 1), detail=detail)) from None
        return self.root

    def syntax_error(self, exc: Exception) -> Diagnostic:
        from ruamel.yaml.error import MarkedYAMLError

        if isinstance(exc, MarkedYAMLError):
            mark = exc.problem_mark or exc.context_mark
            # "never closed" problems are found at the end of the file; the
            # opening bracket or quote (the context) is where the fix goes.
            at_end = mark is not None and getattr(mark, "index", 0) >= len(self.text.rstrip())
            if at_end and exc.context_mark is not None:
                mark = exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            detail = " ".join(part for part in (exc.context, exc.problem) if part)
            return diag("Q001", Span(self.name, line, col), detail=detail or "invalid YAML")
        position = getattr(exc, "position", None)
        line, col = _line_col(self.text, position) if isinstance(position, int) else (1, 1)
        return diag("Q001", Span(self.name, line, col), detail=str(exc).splitlines()[0])

    def handle(self, event: Any) -> None:
        kind = type(event).__name__
        if self.placeholder is not None:
            self.check_patched(event, kind)
        if kind == "ScalarEvent":  # most events: first
            self.add(self.scalar(event), 1, event.anchor)
        elif kind == "DocumentStartEvent":
            self.documents += 1
            if self.documents > 1:
                raise _Abort(diag("Q013", self.span(event.start_mark, event.end_mark)))
        elif kind == "AliasEvent":
            span = self.span(event.start_mark, event.end_mark)
            if event.anchor not in self.anchors:
                raise _Abort(diag("Q001", span, detail=f"undefined alias *{event.anchor}"))
            anchored, size = self.anchors[event.anchor]
            self.add(anchored, size, None)
        elif kind in ("MappingStartEvent", "SequenceStartEvent"):
            self.check_tag(event, "map" if kind == "MappingStartEvent" else "seq")
            span = self.span(event.start_mark, event.end_mark)
            if len(self.stack) >= MAX_DEPTH:
                raise _Abort(diag("Q004", span, limit=MAX_DEPTH))
            container: Map | Seq = Map({}, span) if kind == "MappingStartEvent" else Seq([], span)
            self.stack.append(_Frame(container, event.anchor))
        elif kind in ("MappingEndEvent", "SequenceEndEvent"):
            frame = self.stack.pop()
            end = event.end_mark
            old = frame.node.span
            frame.node.span = Span(old.file, old.line, old.col, end.line + 1, end.column + 1)
            self.add(frame.node, frame.size, frame.anchor)

    def check_patched(self, event: Any, kind: str) -> None:
        # Where libyaml and YAML 1.2 part ways beyond that ':' (anchor and alias names, tags,
        # empty values' positions, a scalar starting with ':', collections and quoted text
        # right before ':' as keys), only the YAML 1.2 parser may answer.
        if kind == "AliasEvent" or getattr(event, "anchor", None) or getattr(event, "tag", None):
            raise _Unsure
        if kind != "ScalarEvent":
            return
        if not event.style and (not event.value or event.value[0] == self.placeholder):
            raise _Unsure
        if event.style in ("'", '"') and self.text[event.end_mark.index:event.end_mark.index + 1] == ":":
            raise _Unsure  # a JSON-like key ("a":b), read as a key by libyaml only

    def check_tag(self, event: Any, expected: str) -> None:
        tag = event.tag
        if tag is None or tag in ("!", "?"):
            return
        if STANDARD_TAGS.get(str(tag)) != expected:
            span = self.span(event.start_mark, event.end_mark)
            self.diagnostics.append(diag("Q006", span, tag=_as_written(str(tag))))

    def scalar(self, event: Any) -> Scalar:
        start, end = event.start_mark, event.end_mark
        span = Span(self.name, start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        raw = self.text[start.index : end.index]
        style = event.style or None
        written: Any = event.value
        if self.placeholder is not None and isinstance(written, str):
            written = written.replace(self.placeholder, ":")
        value: Any = written
        if style == ">" and isinstance(value, str):
            value = value.replace("\a", "")  # ruamel's round-trip parser marks folds with BEL
        tag = event.tag
        if tag is not None and str(tag) not in ("!", "?"):
            kind = STANDARD_TAGS.get(str(tag))
            if kind is None or kind in ("map", "seq"):
                self.diagnostics.append(diag("Q006", span, tag=_as_written(str(tag))))
            else:
                try:
                    value = resolve_tagged(kind, written)
                except ValueError as exc:
                    self.diagnostics.append(diag("Q001", span, detail=str(exc)))
        elif style is None:
            value = resolve_plain(written)
        return Scalar(value, span, style, raw)

    def add(self, node: Node, size: int, anchor: str | None) -> None:
        if anchor:
            self.anchors[anchor] = (node, size)
        if not self.stack:
            self.root = node
            self.root_size = size
            return
        frame = self.stack[-1]
        frame.size += size
        if frame.size > self.max_nodes:
            cause = ({"en": ", counting what aliases expand to", "zh": "（含别名展开后的值）"} if self.anchors
                     else {"en": "", "zh": ""})
            raise _Abort(diag("Q005", frame.node.span, limit=self.max_nodes, cause=cause))
        if isinstance(frame.node, Seq):
            frame.node.items.append(node)
            return
        if frame.pending_key is None:
            self.take_key(frame, node)
            return
        key = frame.pending_key
        frame.pending_key = None
        if frame.merge:
            frame.merge = False
            self.merge_into(frame, node, key.span)
            return
        name = _key_text(key.value)
        entries = frame.node.entries
        if name in frame.merged:
            frame.merged.discard(name)
        elif name in entries:
            first = entries[name].key_span.line
            self.diagnostics.append(diag("Q002", key.span, key=name, first_line=first))
            return
        entries[name] = Entry(key.span, node)

    def take_key(self, frame: _Frame, node: Node) -> None:
        if not isinstance(node, Scalar):
            if self.placeholder is not None:
                raise _Unsure  # libyaml takes a flow collection for a key where YAML 1.2 may not
            raise _Abort(diag("Q001", node.span, detail="a mapping key must be plain text, not a list or mapping"))
        frame.pending_key = node
        frame.merge = node.style is None and node.value == "<<"

    def merge_into(self, frame: _Frame, source: Node, span: Span) -> None:
        assert isinstance(frame.node, Map)
        target = frame.node
        sources = source.items if isinstance(source, Seq) else [source]
        for item in sources:
            if not isinstance(item, Map):
                self.diagnostics.append(diag("Q001", span, detail="'<<' merges mappings only"))
                continue
            for name, entry in item.entries.items():
                if name not in target.entries:
                    target.entries[name] = entry
                    frame.merged.add(name)


def _as_written(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _events(text: str, fast: bool) -> Iterator[Any]:
    # The fast parser straight from ruamel.yaml.clib: the events YAML(typ="safe").parse()
    # yields, without the loader class, resolver and plug-in search it sets up for each file.
    if not fast:
        from ruamel.yaml import YAML

        yield from YAML(typ="safe", pure=True).parse(text)
        return
    from _ruamel_yaml import CParser  # type: ignore[import-not-found]

    parser = CParser(text)
    try:
        while parser.check_event():
            yield parser.get_event()
    finally:
        parser.dispose()


def _fast_parser_available() -> bool:
    try:
        import _ruamel_yaml  # noqa: F401  (ruamel.yaml.clib's libyaml binding)
    except ImportError:
        return False
    return True


def _key_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _line_col(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    line = before.count("\n") + 1
    return line, index - (before.rfind("\n") + 1) + 1
