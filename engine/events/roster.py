"""The roster: which groups exist (and of which type), who the staff are, and who is
assigned to which group when. YAML (one file), a folder of CSV files (groups.csv, staff.csv and
assignments.csv, or 群.csv, 员工.csv, 分工.csv; in UTF-8, GBK, UTF-16 …), or a workbook with
those three sheets (`roster_sheets`). Every problem is a diagnostic with file:line or file:row
(file:sheet:row in a workbook), like a playbook's.
"""

from __future__ import annotations

import datetime as dt
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
from .roster_sheets import (
    CHINESE_COLUMNS,
    DATE_COLUMNS,
    HEADER_SEARCH_ROWS,
    Sheet,
    column_of,
    csv_sheets,
    date_shaped,
    roster_date,
    workbook_sheets,
)
from .sheet_read import WORKBOOK_SUFFIXES

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


def load_roster(path: Path, encoding: str | None = None) -> Roster:
    """Read a roster (a YAML file, a folder of CSVs, a workbook) and check it on its own.
    `encoding`: the user's --encoding, for the folder's CSVs (else each one's is detected)."""
    if path.is_dir():
        roster = Roster()
        _load_tables(roster, csv_sheets(path, encoding, roster.diagnostics))
    elif path.suffix.lower() in WORKBOOK_SUFFIXES:
        roster = Roster()
        if path.is_file():
            _load_tables(roster, workbook_sheets(path, roster.diagnostics))
        else:
            roster.diagnostics.append(diag("Q007", Span(display_name(path), 1, 1), detail={
                "en": "no such file", "zh": "文件不存在"}))
    else:
        fast = _load_yaml_fast(path)
        if fast is not None:
            return fast
        roster = _load_yaml(path)
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


_MODELS: dict[str, type[_Row]] = {"groups": Group, "staff": Staff, "assignments": Assignment}
# Each table's columns as written (an alias where the model has one: `from`) and the required ones.
_COLUMNS = {table: tuple(f.alias or name for name, f in model.model_fields.items()) for table, model in _MODELS.items()}
_REQUIRED = {table: tuple(f.alias or name for name, f in model.model_fields.items() if f.is_required())
             for table, model in _MODELS.items()}


def _load_tables(roster: Roster, sheets: list[Sheet]) -> None:
    rows: dict[str, list[Any]] = {"groups": roster.groups, "staff": roster.staff, "assignments": roster.assignments}
    for sheet in sheets:
        if sheet.text is not None:
            roster.texts[sheet.shown] = sheet.text
        for number, row in _table_rows(sheet, roster.diagnostics):
            rows[sheet.table].append(row)
            roster.places[(sheet.table, len(rows[sheet.table]) - 1)] = Span(sheet.shown, number, 1)


def _table_rows(sheet: Sheet, found: list[Diagnostic]) -> list[tuple[int, _Row]]:
    """The sheet's rows as the table's model, each with its row number; problems in `found`."""
    header_at = _header_at(sheet)
    if header_at is None:
        columns = ", ".join(_COLUMNS[sheet.table])
        line, line_zh = ("line", "表头行") if sheet.text is not None else ("row", "表头行")
        found.append(diag("Q901", Span(sheet.shown, 1, 1), detail={
            "en": f"{sheet.described} is empty: it needs its header {line} ({columns}), even with no rows",
            "zh": f"{sheet.described} 是空{'文件' if sheet.text is not None else '表'}：即使没有数据行，也需要{line_zh}"
                  f"（{'、'.join(_COLUMNS[sheet.table])}）"}))
        return []
    header_number, header = sheet.rows[header_at]
    names = _header_names(sheet, header_number, header, found)
    if names is None:
        return []
    # Each column as its header writes it (建群日期 for created_at), for the findings' words.
    written = {name: cell.strip() for name, cell in zip(names, header, strict=True) if name and cell}
    model = _MODELS[sheet.table]
    out: list[tuple[int, _Row]] = []
    for number, cells in sheet.rows[header_at + 1:]:
        if all(cell is None for cell in cells):
            continue  # a blank line, or a row of empty cells Excel kept
        values = _row_values(sheet, number, header_number, names, written, cells, found)
        if values is None:
            continue
        try:
            out.append((number, model.model_validate(values)))
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                column = str(error["loc"][0]) if error["loc"] else ""
                shown = written.get(column) or column or "?"
                if error["type"] in _ROW_WORDS:
                    en, zh = (words.format(value=error.get("input")) for words in _ROW_WORDS[error["type"]])
                else:
                    en, zh = error["msg"], (error.get("ctx") or {}).get("zh", error["msg"])
                found.append(diag("Q901", Span(sheet.shown, number, 1), detail={
                    "en": f"row {number}, column {shown}: {en}", "zh": f"第 {number} 行，{shown} 列：{zh}"}))
    return out


# pydantic's words, in both languages, for what a cell of a roster row can get wrong.
_ROW_WORDS = {
    "missing": ("no value; every row needs one", "没有值；每行都需要填写"),
    "int_parsing": ("'{value}' is not a whole number", "「{value}」不是整数"),
    "int_from_float": ("'{value}' is not a whole number", "「{value}」不是整数"),
    "greater_than_equal": ("'{value}' is below 0", "「{value}」小于 0"),
}


def _header_at(sheet: Sheet) -> int | None:
    """Which row is the header: the first of the first rows that names a column of the table
    (rows above it, a title, are skipped), else the first row that is not empty."""
    filled = [i for i, (_, cells) in enumerate(sheet.rows) if any(cell is not None for cell in cells)]
    for i in filled[:HEADER_SEARCH_ROWS]:
        if any(cell is not None and column_of(sheet.table, cell, _COLUMNS[sheet.table]) for cell in sheet.rows[i][1]):
            return i
    return filled[0] if filled else None


def _header_names(sheet: Sheet, number: int, header: list[str | None],
                  found: list[Diagnostic]) -> list[str | None] | None:
    """The column each header cell names (None: an empty cell); None, with findings, when a cell
    names no column, two name one, or a required one is missing."""
    table, columns = sheet.table, _COLUMNS[sheet.table]
    names: list[str | None] = []
    problems: list[tuple[str, str]] = []
    for cell in header:
        name = column_of(table, cell, columns) if cell is not None else None
        if cell is not None and name is None:
            chinese = "、".join(alias for aliases in CHINESE_COLUMNS[table].values() for alias in aliases)
            problems.append((f"the header (row {number}) has a column '{cell.strip()}' that {table} does not have; its "
                             f"columns: {', '.join(columns)} (or in Chinese: {chinese.replace('、', ', ')})",
                             f"表头（第 {number} 行）中的列「{cell.strip()}」不是 {table} 的列；可用的列："
                             f"{'、'.join(columns)}（或中文：{chinese}）"))
        elif name is not None and name in names:
            problems.append((f"the header (row {number}) names column {name} twice", f"表头（第 {number} 行）中 {name} 列出现了两次"))
        names.append(name)
    for name in _REQUIRED[table]:
        if name not in names:
            chinese = " / ".join(CHINESE_COLUMNS[table][name])
            problems.append((f"the header (row {number}) has no column {name} ({chinese}); every row needs one",
                             f"表头（第 {number} 行）缺少 {name} 列（{chinese}）；每行都需要该列"))
    for en, zh in problems:
        found.append(diag("Q901", Span(sheet.shown, number, 1), detail={"en": en, "zh": zh}))
    return None if problems else names


def _row_values(sheet: Sheet, number: int, header_number: int, names: list[str | None], written: dict[str, str],
                cells: list[str | None], found: list[Diagnostic]) -> dict[str, Any] | None:
    """A row's values by column, its dates read; None, with a finding, when it cannot be."""
    extra = [cell for cell in cells[len(names):] if cell is not None]
    if extra:  # a CSV row longer than its header
        found.append(diag("Q901", Span(sheet.shown, number, 1), detail={
            "en": f"row {number} has {len(names) + len(extra)} values but the header has {len(names)} columns; a value "
                  "holding a comma must be in double quotes",
            "zh": f"第 {number} 行有 {len(names) + len(extra)} 个值，而表头只有 {len(names)} 列；含逗号的值须用英文双引号括起"}))
        return None
    values: dict[str, Any] = {}
    for name, cell in zip(names, cells, strict=False):
        if cell is None:
            continue
        if name is None:
            found.append(diag("Q901", Span(sheet.shown, number, 1), detail={
                "en": f"row {number} has a value ('{cell.strip()}') in a column the header (row {header_number}) does "
                      "not name: name the column or delete the value",
                "zh": f"第 {number} 行的值「{cell.strip()}」所在的列在表头（第 {header_number} 行）中没有列名："
                      "请补上列名或删除该值"}))
            return None
        if name in DATE_COLUMNS:
            date = roster_date(cell, sheet.serials)
            if date is None:
                at, at_zh = f"row {number}, column {written[name]}: '{cell.strip()}'", f"第 {number} 行，{written[name]} 列："
                found.append(diag("Q901", Span(sheet.shown, number, 1), detail={
                    "en": f"{at} is no day of the calendar" if date_shaped(cell) else
                          f"{at} is not a date (write 2027-01-04, 2027/1/4 or 2027年1月4日)",
                    "zh": f"{at_zh}「{cell.strip()}」不是日历上的日期" if date_shaped(cell) else
                          f"{at_zh}「{cell.strip()}」不是日期（请写作 2027-01-04、2027/1/4 或 2027年1月4日）"}))
                return None
            values[name] = date
        else:
            values[name] = cell
    return values


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
