"""Turn pydantic's validation errors into positioned, bilingual diagnostics."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel

from ..diagnostics import Diagnostic, diag
from ..source.positions import PositionIndex
from .fields import allowed_keys, model_at

_EXPECTED = {
    "int": ("a whole number", "整数"),
    "float": ("a number", "数字"),
    "decimal": ("a number", "数字"),
    "string": ("text", "文本"),
    "str": ("text", "文本"),
    "bool": ("true or false", "true 或 false"),
    "list": ("a list", "列表"),
    "tuple": ("a list", "列表"),
    "dict": ("a mapping (key: value)", "映射（键： 值）"),
    "model": ("a mapping (key: value)", "映射（键： 值）"),
    "model_attributes": ("a mapping (key: value)", "映射（键： 值）"),
    "date": ("a date such as 2027-01-28", "日期，如 2027-01-28"),
}

_RANGE = {
    "greater_than": ("must be greater than {gt}", "必须大于 {gt}"),
    "greater_than_equal": ("must be at least {ge}", "必须不小于 {ge}"),
    "less_than": ("must be less than {lt}", "必须小于 {lt}"),
    "less_than_equal": ("must be at most {le}", "必须不大于 {le}"),
    "too_short": ("needs at least {min_length} item(s)", "至少需要 {min_length} 项"),
    "too_long": ("has more than {max_length} item(s)", "不能超过 {max_length} 项"),
    "string_too_short": ("must not be empty", "不能为空"),
    "decimal_max_places": ("has more than {decimal_places} decimal places", "小数位超过 {decimal_places} 位"),
    "finite_number": ("must be a finite number", "必须是有限的数字"),
}

# The bounds of engine/model/bounds.py: error type → code.
BOUND_CODES = {"too_far": "Q106", "too_many": "Q107", "too_large": "Q108"}
FORMAT_ERRORS = {"duration_format", "clock_format", "penalty_format", "cadence_format", "id_format", "string_pattern_mismatch"}
FORMAT_EXAMPLES = {
    "duration_format": ("e.g. 10m, 2h, 3d, 1w", "如 10m、2h、3d、1w"),
    "clock_format": ("e.g. 09:30, 20:00", "如 09:30、20:00"),
    "penalty_format": ("e.g. [warn, mute_1d, remove]", "如 [warn, mute_1d, remove] 或 [警告， 禁言1天， 移出]"),
    "cadence_format": ("e.g. daily, 3/week, 2/month", "如 每天、每周3次、每月2次"),
    "id_format": ("e.g. silver_card; put the Chinese label in name:", "如 silver_card；中文名称写在 name: 中"),
    "string_pattern_mismatch": ("e.g. silver_card", "如 silver_card"),
}


def path_text(path: tuple[Any, ...]) -> str | dict[str, str]:
    """A path as people write it: membership.levels[2].promote_when (the top level in both languages)."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + str(step)
    return out or {"en": "the playbook's top level", "zh": "剧本顶层"}


def _describe(value: Any) -> dict[str, str]:
    if value is None:
        return {"en": "nothing (null)", "zh": "空值"}
    if isinstance(value, bool):
        return {"en": str(value).lower(), "zh": str(value).lower()}
    if isinstance(value, dict):
        return {"en": "a mapping", "zh": "映射"}
    if isinstance(value, list):
        return {"en": "a list", "zh": "列表"}
    text = str(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    return {"en": f"'{text}'", "zh": f"'{text}'"}


def suggest(word: str, choices: list[str]) -> dict[str, str]:
    """A did-you-mean suffix in both languages (empty when nothing is close)."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        return {"en": "", "zh": ""}
    return {"en": f"; did you mean '{close[0]}'?", "zh": f"；是不是想写 '{close[0]}'？"}


def to_diagnostics(errors: list[Any], index: PositionIndex, root: type[BaseModel]) -> list[Diagnostic]:
    """One diagnostic per pydantic error, placed at the key or value it is about."""
    return [_one(error, index, root) for error in errors]


def _one(error: dict[str, Any], index: PositionIndex, root: type[BaseModel]) -> Diagnostic:
    kind: str = error["type"]
    loc = tuple(error["loc"])
    ctx: dict[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    if loc and loc[-1] == "[key]":
        loc = loc[:-1]
        span = index.key_span(loc)
        return diag("Q105", span, detail={"en": error["msg"], "zh": ctx.get("zh", error["msg"])},
                    example=_example(kind))
    if kind == "extra_forbidden":
        parent = loc[:-1]
        model = model_at(root, parent)
        keys = allowed_keys(model) if model else []
        return diag("Q101", index.key_span(loc), key=loc[-1], where=path_text(parent),
                    suggestion=suggest(str(loc[-1]), keys), allowed=", ".join(keys))
    if kind == "missing":
        parent = loc[:-1]
        return diag("Q102", index.key_span(parent), key=loc[-1], where=path_text(parent))
    span = index.value_span(loc)
    if kind.startswith("roster_"):
        return diag("Q901", span, detail={"en": error["msg"], "zh": ctx.get("zh", error["msg"])})
    if kind in BOUND_CODES:
        return diag(BOUND_CODES[kind], span, where=path_text(loc),
                    detail={"en": error["msg"], "zh": ctx.get("zh", error["msg"])})
    if kind in FORMAT_ERRORS:
        return diag("Q105", span, detail={"en": error["msg"], "zh": ctx.get("zh", error["msg"])},
                    example=_example(kind))
    if kind == "literal_error":
        options = [str(o).strip("'") for o in str(ctx.get("expected", "")).replace(" or ", ", ").split(", ")]
        shown = ", ".join(options)
        return diag("Q104", span,
                    detail={"en": f"{_describe(value)['en']} is not allowed here", "zh": f"此处不能写 {_describe(value)['zh']}"},
                    suggestion=suggest(str(value), options),
                    allowed={"en": f"Allowed: {shown} (or their Chinese names).", "zh": f"可选值：{shown}（或对应的中文名称）。"})
    if kind in _RANGE:
        en, zh = _RANGE[kind]
        params = {k: str(v) for k, v in ctx.items()}
        where = str(path_text(loc))
        return diag("Q104", span,
                    detail={"en": f"{where} {en.format_map(params)}, found {_describe(value)['en']}",
                            "zh": f"{where} {zh.format_map(params)}，实际为 {_describe(value)['zh']}"},
                    suggestion={"en": "", "zh": ""}, allowed={"en": "", "zh": ""})
    expected = _expected(kind)
    if expected is not None:
        return diag("Q103", span, expected={"en": expected[0], "zh": expected[1]}, found=_describe(value),
                    detail={"en": f"at {path_text(loc)}", "zh": f"位置：{path_text(loc)}"} if loc else "")
    return diag("Q104", span, detail={"en": error["msg"], "zh": ctx.get("zh", error["msg"])},
                suggestion={"en": "", "zh": ""}, allowed={"en": "", "zh": ""})


def _expected(kind: str) -> tuple[str, str] | None:
    for suffix in ("_type", "_parsing", "_from_datetime_parsing"):
        if kind.endswith(suffix):
            base = kind[: -len(suffix)]
            if base in _EXPECTED:
                return _EXPECTED[base]
    if kind in ("int_from_float", "decimal_whole_number"):
        return _EXPECTED["int"]
    return None


def _example(kind: str) -> dict[str, str]:
    en, zh = FORMAT_EXAMPLES.get(kind, ("", ""))
    return {"en": en, "zh": zh}
