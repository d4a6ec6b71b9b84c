"""The roster: which groups exist (and of which type), who the staff are, and who is
assigned to which group when. YAML (one file) or CSV (a folder with groups.csv,
staff.csv and assignments.csv). Every problem is a diagnostic with file:line or
file:row, like a playbook's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..diagnostics import Diagnostic, Span, diag
from ..model.schema_errors import to_diagnostics
from ..source.compose import display_name
from ..source.nodes import Map, plain
from ..source.positions import PositionIndex
from ..source.reader import read_file
from ..source.scalars import resolve_plain
from .read_errors import encoding_guess

CSV_FILES = ("groups.csv", "staff.csv", "assignments.csv")
# The years a roster's dates may name: a simulation allocates its groups' days, so a group
# created in the year 1 is hundreds of thousands of days (WeCom exists since 2016).
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _plausible(value: dt.date | None) -> dt.date | None:
    if value is not None and not FIRST_DATE <= value <= LAST_DATE:
        raise PydanticCustomError("roster_dates", "{value} is outside the years {first}–{last}",
                                  {"value": str(value), "first": FIRST_DATE.year, "last": LAST_DATE.year,
                                   "zh": f"{value} 不在 {FIRST_DATE.year}–{LAST_DATE.year} 年之间"})
    return value


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=True)


class Staff(_Row):
    """员工。A staff member."""

    id: str = Field(min_length=1, description="员工 id。Staff id.")
    name: str = Field(min_length=1, description="姓名。Name.")


class Group(_Row):
    """群。A group: its type from the playbook, when it was created and ended."""

    id: str = Field(min_length=1, description="群 id。Group id.")
    name: str = Field(min_length=1, description="群名称。Group name.")
    type: str = Field(min_length=1, description="群类型 id（剧本 group_types 中的 id）。Group type id.")
    created_at: dt.date = Field(description="建群日期。Creation date.")
    ended_at: dt.date | None = Field(None, description="解散日期（可空）。End date, if ended.")
    initial_members: int = Field(0, ge=0, description="数据开始前已有的成员数。Members before the event data starts.")

    _dates = field_validator("created_at", "ended_at")(_plausible)

    @model_validator(mode="after")
    def _ends_after_start(self) -> Group:
        if self.ended_at is not None and self.ended_at < self.created_at:
            raise PydanticCustomError("roster_dates", "ended_at {end} is before created_at {start}",
                                      {"end": str(self.ended_at), "start": str(self.created_at),
                                       "zh": f"解散日期 {self.ended_at} 早于建群日期 {self.created_at}"})
        return self


class Assignment(_Row):
    """分工：某员工以某角色负责某群，从何日到何日。A staff member's role in a group, over dates."""

    staff_id: str = Field(min_length=1, description="员工 id。Staff id.")
    role: str = Field(min_length=1, description="角色 id（剧本 roles 中的 id）。Role id.")
    group_id: str = Field(min_length=1, description="群 id。Group id.")
    from_: dt.date = Field(alias="from", description="开始日期。First day.")
    to: dt.date | None = Field(None, description="结束日期（含，可空）。Last day, if it ended.")

    _dates = field_validator("from_", "to")(_plausible)

    @model_validator(mode="after")
    def _ordered(self) -> Assignment:
        if self.to is not None and self.to < self.from_:
            raise PydanticCustomError("roster_dates", "to {end} is before from {start}",
                                      {"end": str(self.to), "start": str(self.from_),
                                       "zh": f"结束日期 {self.to} 早于开始日期 {self.from_}"})
        return self


class RosterFile(_Row):
    """花名册。The roster: staff, groups and assignments."""

    staff: list[Staff] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list)
    assignments: list[Assignment] = Field(default_factory=list)


@dataclass(slots=True)
class Roster:
    staff: list[Staff] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    # where each row came from, for later findings: (table, index) → span
    places: dict[tuple[str, int], Span] = field(default_factory=dict)


def load_roster(path: Path) -> Roster:
    """Read a roster (YAML file or folder of CSVs) and check it on its own."""
    if not path.is_dir():
        fast = _load_yaml_fast(path)
        if fast is not None:
            return fast
    roster = _load_csv_folder(path) if path.is_dir() else _load_yaml(path)
    if not roster.diagnostics:
        roster.diagnostics.extend(_cross_check(roster))
    return roster


FAST_MAX_BYTES = 50_000_000


def _load_yaml_fast(path: Path) -> Roster | None:
    """A clean roster read by libyaml without positions (a generated roster of 5,000 groups: 0.6 s
    instead of 5 s). None when anything is off — the positioned reader then says where."""
    try:
        if not path.is_file() or path.stat().st_size > FAST_MAX_BYTES:
            return None
        text = path.read_text(encoding="utf-8")
        if "&" in text or "*" in text:  # anchors and aliases: let the guarded reader expand them
            return None
        data = _generated_rows(text)
        if data is None:
            from ruamel.yaml import YAML

            data = YAML(typ="safe", pure=False).load(text)
        loaded = RosterFile.model_validate(data)
    except Exception:  # any problem at all: the slow path reports it with its place
        return None
    roster = Roster(staff=loaded.staff, groups=loaded.groups, assignments=loaded.assignments,
                    texts={display_name(path): text})
    for table, rows in (("staff", loaded.staff), ("groups", loaded.groups), ("assignments", loaded.assignments)):
        for i in range(len(rows)):
            roster.places[(table, i)] = Span(display_name(path), 1, 1)
    return roster if not _cross_check(roster) else None


# The shape writers.roster_yaml writes: `name:` or `name: []`, then one flow mapping per line.
_TABLE_LINE = re.compile(r"(staff|groups|assignments):( \[\])?")
_ROW_LINE = re.compile(r"  - \{(.*)\}")
_CELL = re.compile(r'([a-z_]+): ("(?:[^"\\]|\\.)*"|[^,{}\[\]"]*)(?:, |$)')
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE = re.compile(r"0|[1-9]\d{0,17}")
# Text written (and read) plain in a flow mapping: starts with a letter (so no YAML 1.1 number
# or date either); anything else is quoted.
_PLAIN_TEXT = re.compile(r"[^\W\d][\w\-. /()（）·、]*")
_YAML_1_1_WORDS = {"yes", "no", "on", "off", "y", "n"}  # booleans to YAML 1.1 readers


def plain_text(text: str) -> bool:
    """Whether `text` is written as a plain scalar in the roster (writers.yaml_scalar) and so reads
    back as that text."""
    return bool(_PLAIN_TEXT.fullmatch(text) and not text.endswith(" ") and resolve_plain(text) == text
                and text.lower() not in _YAML_1_1_WORDS)


def _generated_rows(text: str) -> dict[str, list[dict[str, Any]]] | None:
    """The rows of a roster in the exact shape the generator writes, read line by line with the
    values libyaml would give (text, dates, whole numbers): a 5,000-group roster in 0.2 s instead
    of 4 s. None for anything else (comments after a row, block mappings, other scalars …): the
    YAML readers then take it."""
    data: dict[str, list[dict[str, Any]]] = {}
    rows: list[dict[str, Any]] | None = None
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if table := _TABLE_LINE.fullmatch(line):
            if table.group(1) in data:
                return None
            rows = data[table.group(1)] = []
            if table.group(2):
                rows = None  # `name: []`: no rows may follow
            continue
        row = _ROW_LINE.fullmatch(line)
        if row is None or rows is None:
            return None
        cells = _row_cells(row.group(1))
        if cells is None:
            return None
        rows.append(cells)
    return data


def _row_cells(inside: str) -> dict[str, Any] | None:
    cells: dict[str, Any] = {}
    position = 0
    while position < len(inside):
        cell = _CELL.match(inside, position)
        if cell is None or cell.end() == position or cell.group(1) in cells:
            return None
        value = _cell_value(cell.group(2))
        if value is None:
            return None
        cells[cell.group(1)] = value
        position = cell.end()
    return cells


def _cell_value(text: str) -> Any:
    """A flow scalar's value as libyaml reads it; None when it is not one of the simple kinds."""
    if text.startswith('"'):
        try:
            value = json.loads(text)  # the writer quotes with JSON, a subset of YAML's double quotes
        except ValueError:
            return None
        return value if isinstance(value, str) else None
    if _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    if _WHOLE.fullmatch(text):
        return int(text)
    return text if plain_text(text) else None


def _load_yaml(path: Path) -> Roster:
    parsed = read_file(path, display_name(path), data=True)
    roster = Roster(texts={parsed.path: parsed.text}, diagnostics=list(parsed.diagnostics))
    if parsed.root is None:
        return roster
    if not isinstance(parsed.root, Map):
        roster.diagnostics.append(diag("Q011", parsed.root.span, found={"en": "not a mapping", "zh": "不是映射"}))
        return roster
    index = PositionIndex(parsed.root)
    try:
        loaded = RosterFile.model_validate(plain(parsed.root))
    except ValidationError as exc:
        roster.diagnostics.extend(to_diagnostics(exc.errors(include_url=False), index, RosterFile))
        return roster
    roster.staff, roster.groups, roster.assignments = loaded.staff, loaded.groups, loaded.assignments
    for table, rows in (("staff", loaded.staff), ("groups", loaded.groups), ("assignments", loaded.assignments)):
        for i in range(len(rows)):
            roster.places[(table, i)] = index.value_span((table, i))
    return roster


def _load_csv_folder(folder: Path) -> Roster:
    roster = Roster()
    models: dict[str, type[_Row]] = {"groups.csv": Group, "staff.csv": Staff, "assignments.csv": Assignment}
    tables: dict[str, list[Any]] = {"groups.csv": roster.groups, "staff.csv": roster.staff,
                                    "assignments.csv": roster.assignments}
    for name in CSV_FILES:
        path = folder / name
        shown = display_name(path)
        if not path.is_file():
            roster.diagnostics.append(diag("Q901", Span(display_name(folder), 1, 1), detail={
                "en": f"the roster folder has no {name}", "zh": f"花名册目录中没有 {name}"}))
            continue
        rows = _csv_rows(path, shown, roster.diagnostics)
        if rows is None:
            continue
        for number, row in enumerate(rows, start=2):  # row 1 is the header
            if None in row:  # csv.DictReader keeps cells past the header's end under None
                roster.diagnostics.append(diag("Q901", Span(shown, number, 1), detail={
                    "en": f"row {number} has {len(row) - 1 + len(row[None])} values but the header has {len(row) - 1} "
                          "columns; a value holding a comma must be in double quotes",
                    "zh": f"第 {number} 行有 {len(row) - 1 + len(row[None])} 个值，而表头只有 {len(row) - 1} 列；"
                          "含逗号的值须用英文双引号括起"}))
                continue
            values = {k: (v if v not in ("", None) else None) for k, v in row.items() if k is not None}
            values = {k: v for k, v in values.items() if v is not None}
            try:
                tables[name].append(models[name].model_validate(values))
            except ValidationError as exc:
                for error in exc.errors(include_url=False):
                    column = str(error["loc"][0]) if error["loc"] else ""
                    roster.diagnostics.append(diag("Q901", Span(shown, number, 1), detail={
                        "en": f"row {number}, column {column or '?'}: {error['msg']}",
                        "zh": f"第 {number} 行，{column or '?'} 列：{(error.get('ctx') or {}).get('zh', error['msg'])}"}))
            else:
                table = name.removesuffix(".csv")
                roster.places[(table, len(tables[name]) - 1)] = Span(shown, number, 1)
    return roster


def _csv_rows(path: Path, shown: str, found: list[Diagnostic]) -> list[dict[str | Any, Any]] | None:
    """The rows of a roster CSV; None, with a finding in `found`, when it cannot be read: not
    UTF-8 (at the line an editor shows), empty, or not CSV."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        found.append(diag("Q007", Span(shown, 1, 1), detail=exc.strerror or str(exc)))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # exc.start counts from the file's first byte here (a file read in chunks would not).
        line = data.count(b"\n", 0, exc.start) + 1
        end = data.find(b"\n", exc.start)
        guess, guess_zh = encoding_guess(data[:4], data[data.rfind(b"\n", 0, exc.start) + 1:end if end >= 0 else None])
        found.append(diag("Q007", Span(shown, line, 1), detail={
            "en": f"line {line} is not UTF-8 text{guess}: save {path.name} as UTF-8 (in Excel: Save As → "
                  "\"CSV UTF-8 (Comma delimited)\")",
            "zh": f"第 {line} 行不是 UTF-8 文本{guess_zh}：请将 {path.name} 另存为 UTF-8 编码（Excel：另存为 →"
                  "「CSV UTF-8（逗号分隔）」）"}))
        return None
    if not text.strip():
        found.append(diag("Q901", Span(shown, 1, 1), detail={
            "en": f"{path.name} is empty: it needs its header line ({', '.join(_HEADERS[path.name])}), even with no rows",
            "zh": f"{path.name} 是空文件：即使没有数据行，也需要表头行（{'、'.join(_HEADERS[path.name])}）"}))
        return None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return list(reader)
    except csv.Error as exc:
        line = reader.line_num
        found.append(diag("Q007", Span(shown, line, 1), detail={"en": f"line {line}: {exc}", "zh": f"第 {line} 行：{exc}"}))
        return None


# The columns of each roster CSV, for the words of a finding.
_HEADERS = {"groups.csv": tuple(Group.model_fields), "staff.csv": tuple(Staff.model_fields),
            "assignments.csv": tuple(f.alias or name for name, f in Assignment.model_fields.items())}


def _cross_check(roster: Roster) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    id_lists: list[tuple[str, list[str]]] = [("staff", [s.id for s in roster.staff]),
                                             ("groups", [g.id for g in roster.groups])]
    for table, ids in id_lists:
        seen: set[str] = set()
        for i, row_id in enumerate(ids):
            if row_id in seen:
                found.append(diag("Q901", roster.places[(table, i)], detail={
                    "en": f"{table}: id '{row_id}' appears twice", "zh": f"{table}：id '{row_id}' 重复"}))
            seen.add(row_id)
    staff_ids = {s.id for s in roster.staff}
    group_ids = {g.id for g in roster.groups}
    for i, assignment in enumerate(roster.assignments):
        for column, value, known in (("staff_id", assignment.staff_id, staff_ids),
                                     ("group_id", assignment.group_id, group_ids)):
            if value not in known:
                found.append(diag("Q901", roster.places[("assignments", i)], detail={
                    "en": f"assignments: {column} '{value}' is not in the roster",
                    "zh": f"assignments：{column} '{value}' 不在花名册中"}))
    return found
