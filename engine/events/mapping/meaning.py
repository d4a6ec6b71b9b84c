"""What a mapping means, checked after its shape: the columns and event types named exist, no
header is claimed twice, time formats are DuckDB's and give a date, the encoding is one Python
knows. Each finding sits at the key or value at fault, with a hint in both languages.
"""

from __future__ import annotations

import codecs
from typing import Any

from ...diagnostics import Diagnostic, Span, diag
from ...event_contract import BY_NAME, COLUMNS, EVENT_TYPES
from ...model.schema_errors import suggest
from ...source.inside import point_at
from ...source.positions import PositionIndex
from . import formats
from .model import AMOUNT_UNITS, TIME_UNITS, TYPE_LABELS, TYPE_NAMES

ENCODINGS = ("gbk", "gb18030", "utf-8", "utf-16")  # what Chinese spreadsheets save, offered on a typo
_COLUMN_BY_ZH = {column.zh: column.name for column in COLUMNS}
_NO_WORDS = {"en": "", "zh": ""}
_EVENT_TYPES_EN = ", ".join(f"{kind} ({labels.replace('|', '/')})" for kind, (labels, _) in EVENT_TYPES.items())
_EVENT_TYPES_ZH = "、".join(f"{kind}（{labels.replace('|', '/')}）" for kind, (labels, _) in EVENT_TYPES.items())


def _units_words(units: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {"en": "Units: " + ", ".join(f"{k} ({en})" for k, (en, _) in units.items()) + ".",
            "zh": "可选单位：" + "、".join(f"{k}（{zh}）" for k, (_, zh) in units.items()) + "。"}


# What each key takes, for the hint of a value out of range or empty (the schema code Q104 has
# none of its own for those).
TAKES: dict[str, dict[str, str]] = {
    "encoding": {"en": f"Chinese spreadsheets save {', '.join(ENCODINGS)}; leave encoding: out to have it detected.",
                 "zh": f"中文表格常用的编码：{'、'.join(ENCODINGS)}；不写 encoding: 则自动识别。"},
    "sheet": {"en": "The sheet's name as the workbook's tab shows it.", "zh": "工作表名称，照工作簿标签上的写法。"},
    "header_row": {"en": "The row holding the headers, as the spreadsheet numbers rows: 1 to 1000.",
                   "zh": "表头所在的行，按表格的行号：1 到 1000。"},
    "columns": {"en": "Each header as the file shows it, e.g. ts: 下单时间.", "zh": "照文件中的写法填写表头，如 ts: 下单时间。"},
    "ignore": {"en": "The headers as the file shows them, e.g. 备注.", "zh": "照文件中的写法列出表头，如 备注。"},
    "types": {"en": f"Event types: {_EVENT_TYPES_EN}.", "zh": f"事件类型：{_EVENT_TYPES_ZH}。"},
    "time": {"en": 'format: one format in quotes ("%Y/%m/%d %H:%M") or a list of them; or unit: '
                   + ", ".join(TIME_UNITS) + ".",
             "zh": '用 format: 写一个加引号的格式（"%Y/%m/%d %H:%M"）或格式列表；或用 unit: 写 '
                   + "、".join(TIME_UNITS) + "。"},
    "amount": _units_words(AMOUNT_UNITS),
}


def meaning(data: dict[str, Any], index: PositionIndex) -> list[Diagnostic]:
    """What is wrong with what the mapping says. `data` is the file as plain data, whatever its
    shape: a value of the wrong type is pydantic's to report, and is passed over here."""
    found: list[Diagnostic] = []
    if isinstance(data.get("encoding"), str):
        found += _encoding(data["encoding"], index)
    mapped = _columns(data.get("columns"), index, found)
    if isinstance(data.get("ignore"), list):
        for i, header in enumerate(data["ignore"]):
            if isinstance(header, str) and same_header(header) in mapped:
                column, line = mapped[same_header(header)]
                found.append(diag("Q911", index.value_span(("ignore", i)), header=header.strip(), column=column,
                                  line=line))
    if isinstance(data.get("types"), dict):
        found += _types(data["types"], index)
    if isinstance(data.get("time"), dict):
        found += _time(data["time"], index)
    amount = data.get("amount")
    if isinstance(amount, dict) and isinstance(amount.get("unit"), str):
        found += _unit(amount["unit"], ("amount", "unit"), AMOUNT_UNITS, index)
    return found


def _encoding(name: str, index: PositionIndex) -> list[Diagnostic]:
    if not name.strip() or codec(name) is not None:
        return []
    # GB-2312 is gb2312 to Python, UTF_16 LE is utf-16-le: one without the dashes may exist.
    squeezed = "".join(c for c in name.lower() if c.isalnum())
    close = ({"en": f"; did you mean '{squeezed}'?", "zh": f"；是不是想写 '{squeezed}'？"} if codec(squeezed)
             else suggest(name.strip().lower(), list(ENCODINGS)))
    return [diag("Q104", index.value_span(("encoding",)),
                 detail={"en": f"'{name}' is not an encoding Python knows", "zh": f"'{name}' 不是 Python 认识的编码"},
                 suggestion=close, allowed=TAKES["encoding"])]


def codec(name: str) -> str | None:
    """Python's name for a text encoding; None when there is none (base64 is a codec, not text)."""
    try:
        "a".encode(name.strip())  # refuses codecs that are not text encodings, which lookup() finds
        return codecs.lookup(name.strip()).name
    except (LookupError, ValueError):  # unknown; a name with a NUL; `undefined`, which encodes nothing
        return None


def same_header(header: str) -> str:
    """A header as the ingest matches it: without spaces (full-width ones too) and case, so
    `群 ID` and `群id` are one header, and mapping both is mapping one twice."""
    return "".join(header.split()).lower()


def _columns(columns: Any, index: PositionIndex, found: list[Diagnostic]) -> dict[str, tuple[str, int]]:
    """Each header mapped (as same_header gives it) → its column and line; reports unknown
    columns and headers mapped twice into `found`."""
    mapped: dict[str, tuple[str, int]] = {}
    if not isinstance(columns, dict):
        return mapped
    names = [column.name for column in COLUMNS]
    for column, header in columns.items():
        if column not in BY_NAME:
            own = _COLUMN_BY_ZH.get(column)
            hint = ({"en": f"; did you mean '{own}'?", "zh": f"；是不是想写 '{own}'？"} if own
                    else suggest(column, names))
            found.append(diag("Q101", index.key_span(("columns", column)), key=column, where="columns",
                              suggestion=hint, allowed=", ".join(names)))
            continue  # its header is judged once the name is right
        if not isinstance(header, str) or not header.strip():
            continue
        span = index.value_span(("columns", column))
        if same_header(header) in mapped:
            first, line = mapped[same_header(header)]
            found.append(diag("Q910", span, header=header.strip(), column=column, first=first, first_line=line))
        else:
            mapped[same_header(header)] = (column, span.line)
    return mapped


def _types(types: dict[str, Any], index: PositionIndex) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    labels: dict[str, int] = {}
    for label, target in types.items():
        key = index.key_span(("types", label))
        if label.strip() in labels:  # two labels the same once trimmed, as the file's cells are
            found.append(diag("Q002", key, key=label.strip(), first_line=labels[label.strip()]))
        labels.setdefault(label.strip(), key.line)
        if not label.strip():
            found.append(diag("Q104", key, detail={"en": "a type label must not be empty", "zh": "类型标签不能为空"},
                              suggestion=_NO_WORDS, allowed={"en": "Write the label as the file's type column "
                                                                   "shows it, e.g. 入群.",
                                                             "zh": "照文件中类型列的写法填写标签，如 入群。"}))
        long_form = isinstance(target, dict)
        name = target.get("type") if isinstance(target, dict) else target
        kind = event_type(name) if isinstance(name, str) else None
        if isinstance(name, str) and name.strip() and kind is None:
            path = ("types", label, "type") if long_form else ("types", label)
            found.append(_not_a_type(name, index.value_span(path)))
        removed = target.get("removed") if isinstance(target, dict) else None
        if removed is not None and kind is not None and kind != "leave":
            found.append(diag("Q912", index.key_span(("types", label, "removed")), label=label, type=kind))
    return found


def event_type(name: str) -> str | None:
    """The event type an id or Chinese name stands for."""
    name = name.strip()
    return name if name in EVENT_TYPES else TYPE_LABELS.get(name)


def _not_a_type(name: str, span: Span) -> Diagnostic:
    return diag("Q104", span, detail={"en": f"'{name}' is not an event type", "zh": f"'{name}' 不是事件类型"},
                suggestion=suggest(name.strip(), list(TYPE_NAMES)), allowed=TAKES["types"])


def _time(time: dict[str, Any], index: PositionIndex) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    written = time.get("format")
    places = [(("time", "format"), written)] if isinstance(written, str) else (
        [(("time", "format", i), item) for i, item in enumerate(written)] if isinstance(written, list) else [])
    for path, text in places:
        if isinstance(text, str):
            found += _format(text, path, index)
    if written is not None and time.get("unit") is not None:
        found.append(diag("Q915", index.key_span(("time", "unit"))))
    if isinstance(time.get("unit"), str):
        found += _unit(time["unit"], ("time", "unit"), TIME_UNITS, index)
    return found


def _format(text: str, path: tuple[Any, ...], index: PositionIndex) -> list[Diagnostic]:
    known, unknown = formats.scan(text)
    scalar = index.scalar(path)
    if unknown:
        return [diag("Q913", point_at(scalar, u.offset, len(u.text)) if scalar else index.value_span(path),
                     directive=u.text, suggestion=formats.instead(u.text)) for u in unknown]
    missing = formats.missing_date(known)
    if missing is None:
        return []
    return [diag("Q914", index.value_span(path), format=text, missing=missing, note=formats.spelled_out(text))]


def _unit(unit: str, path: tuple[str, ...], units: dict[str, tuple[str, str]],
          index: PositionIndex) -> list[Diagnostic]:
    if unit in units:
        return []
    return [diag("Q104", index.value_span(path),
                 detail={"en": f"'{unit}' is not a unit of {path[0]}", "zh": f"'{unit}' 不是 {path[0]} 的单位"},
                 suggestion=suggest(unit, list(units)), allowed=_units_words(units))]
