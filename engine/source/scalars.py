"""Plain scalars resolved by the YAML 1.2 core schema (so `on:` and `no` stay text)."""

from __future__ import annotations

import re
from typing import Any

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")

STANDARD_TAGS = {
    "tag:yaml.org,2002:str": "str",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:map": "map",
    "tag:yaml.org,2002:seq": "seq",
    "!!str": "str",
    "!!int": "int",
    "!!float": "float",
    "!!bool": "bool",
    "!!null": "null",
    "!!map": "map",
    "!!seq": "seq",
}


# The first characters of every value resolved below: any other plain scalar is text.
_NOT_TEXT_STARTS = frozenset("~nNtTfF-+.0123456789")


def resolve_plain(text: str) -> Any:
    """The value of a plain (unquoted) scalar."""
    if text and text[0] not in _NOT_TEXT_STARTS:
        return text  # most scalars (names, ids, Chinese text): no pattern to try
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.match(text):
        return float("nan")
    return text


def resolve_tagged(kind: str, text: str) -> Any:
    """The value of a scalar with an explicit standard tag; ValueError if it does not fit."""
    if kind == "str":
        return text
    value = resolve_plain(text)
    if kind == "null" and value is None:
        return None
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise ValueError(f"'{text}' is not a valid !!{kind}")
