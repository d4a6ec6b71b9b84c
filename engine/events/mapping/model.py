"""The mapping file's shape, as pydantic checks it and the JSON Schema shows it.

Its meaning (which columns and event types exist, time formats, encodings) is checked in
load.py, which says what is wrong in words of its own; the schema still lists those names, so
that an editor completes them.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema, model_validator
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from ...event_contract import COLUMNS, EVENT_TYPES

# Every Chinese label of an event type → its id (EVENT_TYPES keeps them '|'-separated).
TYPE_LABELS: dict[str, str] = {label: kind for kind, (labels, _) in EVENT_TYPES.items() for label in labels.split("|")}
TYPE_NAMES: tuple[str, ...] = (*EVENT_TYPES, *TYPE_LABELS)
# unit → its meaning (English, Chinese)
TIME_UNITS: dict[str, tuple[str, str]] = {
    "epoch_seconds": ("seconds since 1970-01-01 UTC", "UTC 1970-01-01 以来的秒数"),
    "epoch_milliseconds": ("milliseconds since 1970-01-01 UTC", "UTC 1970-01-01 以来的毫秒数"),
    "excel_serial": ("days since 1899-12-30, as Excel counts dates", "1899-12-30 以来的天数，即 Excel 的日期序号"),
}
AMOUNT_UNITS: dict[str, tuple[str, str]] = {"yuan": ("the default", "元，默认"), "fen": ("分: divided by 100", "分，除以 100")}
HEADER_ROW_LIMIT = 1000  # rows above the header: a title block, never a thousand rows

# Text as the file writes it: trimmed, as the ingest trims every cell, and never empty.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Section(BaseModel):
    # Unknown keys are errors: a misspelt key would otherwise be a rule silently not applied.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _one_or_more(value: Any) -> Any:
    if isinstance(value, str):
        return [value]
    if value is None or isinstance(value, list):
        return value
    raise PydanticCustomError("mapping_format", "time.format takes a format in quotes, or a list of them",
                              {"zh": "time.format 应为一个加引号的格式，或由格式组成的列表"})


Formats = Annotated[list[str], Field(min_length=1), BeforeValidator(_one_or_more), WithJsonSchema({
    "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
    "examples": ["%Y/%m/%d %H:%M", ["%Y/%m/%d %H:%M:%S", "%Y/%m/%d"]],
})]


class TypeRule(_Section):
    """事件类型规则：文件中的标签对应的群策事件类型；退群时可注明是否被移出。
    A label's qunce event type; for a leave, whether staff removed the member."""

    type: Text = Field(description="群策事件类型（id 或中文名）。The qunce event type: its id or Chinese name.",
                       json_schema_extra={"enum": list(TYPE_NAMES)})
    removed: bool | None = Field(None, strict=True, description=(
        "被移出（仅用于 leave）：true 为员工移出，false 为成员自己退群。"
        "A leave only: true when staff removed the member, false when the member left."))

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # `入群: join` is short for `入群: {type: join}`.
        if isinstance(value, str):
            return {"type": value}
        if isinstance(value, dict):
            return value
        raise PydanticCustomError("mapping_type", "a label takes an event type, or {type: …, removed: …}",
                                  {"zh": "标签应对应一个事件类型，或 {type: …, removed: …}"})


class TimeSpec(_Section):
    """时间列的读法：文本的格式，或数字的单位。How the time column is read: text in a format, or a number in a unit."""

    format: Formats | None = Field(None, description=(
        "时间格式（DuckDB strptime 写法），一个或多个，依次尝试。"
        "One strptime format (DuckDB's directives) or a list of them, tried in order."))
    unit: Annotated[str, Field(json_schema_extra={"enum": list(TIME_UNITS)})] | None = Field(None, description=(
        "数字时间的单位：epoch_seconds、epoch_milliseconds 或 excel_serial（1899-12-30 以来的天数）。"
        "A numeric time's unit: epoch_seconds, epoch_milliseconds or excel_serial (days since 1899-12-30)."))


class AmountSpec(_Section):
    """金额列的读法。How the amount column is read."""

    unit: str = Field("yuan", description="金额单位：yuan（元，默认）或 fen（分，除以 100）。"
                                          "yuan (the default) or fen (the file counts 分: divided by 100).",
                      json_schema_extra={"enum": list(AMOUNT_UNITS)})


def _columns_schema(schema: JsonDict) -> None:
    # One property per contract column, so that an editor completes them and shows their meaning.
    properties: JsonDict = {}
    for column in COLUMNS:
        properties[column.name] = {"type": "string", "minLength": 1, "description": (
            f"{column.zh}：文件中对应的表头。The file's header for {column.name}: {column.en}.")}
    schema["properties"] = properties
    schema["additionalProperties"] = False


def _types_schema(schema: JsonDict) -> None:
    # A label's value is an event type (completed from the list) or the long form {type, removed}.
    long_form = schema["additionalProperties"]
    words = "; ".join(f"{kind} ({labels.split('|')[0]})" for kind, (labels, _) in EVENT_TYPES.items())
    schema["additionalProperties"] = {"anyOf": [
        {"type": "string", "enum": list(TYPE_NAMES), "description": f"事件类型。Event type: {words}."}, long_form]}


class MappingFile(_Section):
    """数据映射：你的导出文件的列名、类型标签、时间和金额的写法。
    How to read a team's own export: its column names, type labels, times and amounts."""

    encoding: Text | None = Field(None, description=(
        "CSV 的编码（不写则自动识别），如 gbk、gb18030、utf-8。The CSV's encoding (else detected), e.g. gbk."),
        json_schema_extra={"examples": ["gbk", "gb18030", "utf-8", "utf-16"]})
    sheet: Text | None = Field(None, description="工作簿中的工作表（不写则为第一个）。A workbook's sheet (else the first).")
    header_row: int = Field(1, ge=1, le=HEADER_ROW_LIMIT, strict=True, description=(
        "表头所在的行（从 1 起，按表格的行号），其上的行被忽略。The row holding the headers (1-based); rows above it "
        "are ignored."))
    columns: dict[str, Text] = Field(default_factory=dict, description=(
        "列对应：群策的列 → 文件中的表头（去掉首尾空格后完全一致）。qunce column → the file's header (exact text, "
        "trimmed)."), json_schema_extra=_columns_schema)
    ignore: list[Text] = Field(default_factory=list, description=(
        "不读取的列（文件中的表头）；其他未知的列会报错。The file's columns qunce should not read; any other unknown "
        "column is an error."))
    types: dict[str, TypeRule] = Field(default_factory=dict, description=(
        "类型标签：文件中的标签 → 群策事件类型，或 {type, removed}。The file's label → qunce event type, or "
        "{type, removed}."), json_schema_extra=_types_schema)
    time: TimeSpec | None = Field(None, description="时间列的读法。How the time column is read.")
    amount: AmountSpec | None = Field(None, description="金额列的读法。How the amount column is read.")


FIELDS: tuple[str, ...] = tuple(MappingFile.model_fields)
