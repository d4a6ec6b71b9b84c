"""Read a mapping file into an EventMapping, or into diagnostics at the key or value at fault.

pydantic checks the shape (model.py), meaning.py the meaning; an EventMapping is made only
from a file with no finding at all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ...diagnostics import Diagnostic, diag
from ...diagnostics.registry import Bilingual
from ...model.schema_errors import suggest, to_diagnostics
from ...source.compose import display_name
from ...source.nodes import Map, Scalar, plain
from ...source.positions import PositionIndex
from ...source.reader import read_file
from .meaning import TAKES, codec, event_type, meaning
from .model import FIELDS, MappingFile


@dataclass(frozen=True, slots=True)
class EventMapping:
    """A mapping, read and checked: plain values for the ingest to apply."""

    path: str  # the file, as diagnostics name it
    encoding: str | None  # Python's name for the codec (gbk for GBK or cp936)
    sheet: str | None
    header_row: int
    columns: dict[str, str]  # qunce column → the file's header
    ignore: tuple[str, ...]
    types: dict[str, tuple[str, bool | None]]  # the file's label → (event type, removed or None)
    time_formats: tuple[str, ...]
    time_unit: str | None  # None, epoch_seconds, epoch_milliseconds or excel_serial
    amount_unit: str  # yuan or fen
    digest: str  # sha256 of every field but path: the same rules give the same digest

    def source_header(self, column: str) -> str:
        """The file's header read as `column`: its own name when the mapping does not rename it."""
        return self.columns.get(column, column)

    def __hash__(self) -> int:  # the dicts would make the generated hash fail
        return hash((self.path, self.digest))


@dataclass(slots=True)
class MappingResult:
    mapping: EventMapping | None  # None on any error, and for an empty file (no mapping)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    text: str = ""  # the file's text, for renderers that quote the line


def load_mapping(path: Path, shown: str | None = None) -> MappingResult:
    """Read and check the mapping at `path`; `shown`: the file as diagnostics name it."""
    parsed = read_file(path, shown or display_name(path))
    found = list(parsed.diagnostics)
    root = parsed.root
    if root is None or (isinstance(root, Scalar) and root.value is None):
        return MappingResult(None, found, parsed.text)  # unreadable (a finding), or empty: no mapping
    if not isinstance(root, Map):
        found.append(diag("Q011", root.span, found={"en": "not a mapping", "zh": "不是映射"}))
        return MappingResult(None, found, parsed.text)
    index = PositionIndex(root)
    data = _as_written(plain(root), index)
    found += _unknown_keys(data, index)
    model: MappingFile | None = None
    try:
        model = MappingFile.model_validate({key: value for key, value in data.items() if key in FIELDS})
    except ValidationError as exc:
        found += _with_hints(exc.errors(include_url=False), index)
    found += meaning(data, index)
    if found or model is None:
        return MappingResult(None, sorted(found, key=Diagnostic.sort_key), parsed.text)
    return MappingResult(_mapping(model, parsed.path), [], parsed.text)


def _as_written(data: dict[str, Any], index: PositionIndex) -> dict[str, Any]:
    # Headers and sheet names are text: a header 2024 or 1.0, unquoted, is a number to YAML.
    def written(path: tuple[Any, ...], value: Any) -> Any:
        scalar = index.scalar(path)
        if scalar is None or scalar.style is not None or not isinstance(value, int | float):
            return value
        return scalar.raw if scalar.raw and scalar.raw[0] not in "!&*" else value

    if "sheet" in data:
        data["sheet"] = written(("sheet",), data["sheet"])
    if isinstance(data.get("columns"), dict):
        data["columns"] = {key: written(("columns", key), value) for key, value in data["columns"].items()}
    if isinstance(data.get("ignore"), list):
        data["ignore"] = [written(("ignore", i), value) for i, value in enumerate(data["ignore"])]
    return data


def _with_hints(errors: list[Any], index: PositionIndex) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for error, found in zip(errors, to_diagnostics(errors, index, MappingFile), strict=True):
        params = dict(found.params)
        takes = TAKES.get(str(error["loc"][0])) if error["loc"] else None
        if found.code == "Q104" and params.get("allowed") == Bilingual("", "") and takes:
            found = diag("Q104", found.span, **{**params, "allowed": takes})
        out.append(found)
    return out


def _unknown_keys(data: dict[str, Any], index: PositionIndex) -> list[Diagnostic]:
    # Here rather than from pydantic, whose words name the playbook's top level.
    where = {"en": "the mapping file", "zh": "映射文件顶层"}
    return [diag("Q101", index.key_span((key,)), key=key, where=where, suggestion=suggest(key, list(FIELDS)),
                 allowed=", ".join(FIELDS)) for key in data if key not in FIELDS]


def _mapping(model: MappingFile, path: str) -> EventMapping:
    values: dict[str, Any] = {
        "encoding": codec(model.encoding) if model.encoding else None,
        "sheet": model.sheet,
        "header_row": model.header_row,
        "columns": dict(model.columns),
        "ignore": tuple(model.ignore),
        "types": {label.strip(): (event_type(rule.type) or rule.type, rule.removed)
                  for label, rule in model.types.items()},
        "time_formats": tuple(model.time.format or ()) if model.time else (),
        "time_unit": model.time.unit if model.time else None,
        "amount_unit": model.amount.unit if model.amount else "yuan",
    }
    return EventMapping(path=path, digest=digest(values), **values)


def digest(values: dict[str, Any]) -> str:
    """sha256 of the fields as canonical JSON (sorted keys, no spaces): what a cache keys on."""
    text = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
