"""The JSON Schema of playbooks, generated from the models, for editors and CI.

yaml-language-server (VS Code and others) reads it through the modeline each
playbook starts with, and gives completion, hover help and red squiggles.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

from .model import Playbook

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://qunce.dev/schemas/playbook.schema.json"
MODELINE = "# yaml-language-server: $schema={path}"

_COMPOSITION = {
    "extends": {
        "type": "string",
        "description": "继承的基础剧本（相对路径），本文件的内容覆盖它。A base playbook to inherit and override.",
        "examples": ["base.yaml"],
    },
    "include": {
        "description": "引入的片段文件，按顺序合并。Fragment files merged in order.",
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        "examples": [["fragments/sop.yaml"]],
    },
}


# Shorthands the models accept before validation (gate: "cond", curve: [[a, f], …],
# holidays: [2027-02-17]); the schema must accept them too or editors flag them.
_SHORTHANDS: dict[tuple[str, str], dict[str, Any]] = {
    ("Commission", "gate"): {"type": "string", "description": "门槛条件（简写）。A gate condition (shorthand)."},
    ("Commission", "curve"): {
        "type": "array",
        "description": "支付曲线 [[达成率， 系数], ...]（简写）。Pay curve points (shorthand).",
        "items": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
    },
    ("Calendar", "holidays"): {
        "type": "array",
        "items": {"anyOf": [{"type": "string", "format": "date"}, {"$ref": "#/$defs/Holiday"}]},
    },
}


def _add_shorthands(schema: dict[str, Any]) -> None:
    for (model, prop), extra in _SHORTHANDS.items():
        props = schema["$defs"][model]["properties"]
        original = props[prop]
        keep = {k: original[k] for k in ("title", "description", "default") if k in original}
        if prop == "holidays":
            props[prop] = {**keep, **extra}
            continue
        options = original.get("anyOf", [original])
        props[prop] = {**keep, "anyOf": [extra, *[o for o in options if o not in (extra,)]]}


def _close_id_maps(node: Any) -> None:
    # Maps keyed by ids (roles, group_types, …) get patternProperties; without
    # additionalProperties: false an editor would accept a key like "Owner".
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_id_maps(value)
    elif isinstance(node, list):
        for item in node:
            _close_id_maps(item)


def _relax(node: Any) -> None:
    # In a fragment or an override, an item may give only the keys it changes;
    # list items still need their id, which is how they merge.
    if isinstance(node, dict):
        if isinstance(node.get("required"), list):
            kept = [key for key in node["required"] if key == "id"]
            if kept:
                node["required"] = kept
            else:
                node.pop("required")
        for value in node.values():
            _relax(value)
    elif isinstance(node, list):
        for item in node:
            _relax(item)


_CUT = re.compile(r"[。：:，,（(；;]")


def _bilingual_titles(node: Any) -> None:
    # Hover titles in both languages: the Chinese phrase that opens each
    # description, then the key as written (pydantic's default is "Max Groups").
    if isinstance(node, dict):
        for key, prop in (node.get("properties") or {}).items():
            if isinstance(prop, dict):
                description = prop.get("description") or ""
                chinese = _CUT.split(description, maxsplit=1)[0].strip()
                has_chinese = any("\u4e00" <= char <= "\u9fff" for char in chinese)
                prop["title"] = f"{chinese} {key}" if has_chinese and len(chinese) <= 16 else key
        for value in node.values():
            _bilingual_titles(value)
    elif isinstance(node, list):
        for item in node:
            _bilingual_titles(item)


def playbook_schema(fragment: bool = False) -> dict[str, Any]:
    """The playbook schema; a fragment (for include:) has no required keys."""
    schema = Playbook.model_json_schema(by_alias=True, mode="validation")
    _bilingual_titles(schema)
    _add_shorthands(schema)
    _close_id_maps(schema)
    schema["properties"] = {**schema["properties"], **_COMPOSITION}
    if fragment:
        _relax(schema)
        schema["title"] = "群策 qunce playbook fragment"
        schema["description"] = ("剧本片段或覆盖：被 include 的片段，或 extends 基础剧本的文件。"
                                 "A partial playbook: a fragment for include:, or a file that extends a base.")
    else:
        schema["title"] = "群策 qunce playbook"
    head = {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID.replace("playbook", "fragment") if fragment else SCHEMA_ID}
    return {**head, **schema}


def roster_schema() -> dict[str, Any]:
    """The roster file's schema (YAML; a folder of CSVs and a workbook's sheets have the same columns)."""
    from .events.roster import RosterFile

    return _data_file_schema(RosterFile, "roster", "群策 qunce roster", (
        "花名册：员工、群和分工。YAML 文件；或含 groups.csv、staff.csv、assignments.csv（或 群.csv、"
        "员工.csv、分工.csv）的目录；或含这三个工作表的工作簿（.xlsx 等）。"
        "The roster: staff, groups and assignments; a YAML file, a folder of three CSVs (groups.csv, "
        "staff.csv, assignments.csv, or 群.csv, 员工.csv, 分工.csv), or a workbook (.xlsx …) with "
        "those three sheets."))


def mapping_schema() -> dict[str, Any]:
    """The mapping file's schema: how to read a team's own export (events.mapping.yaml)."""
    from .events.mapping.model import MappingFile

    return _data_file_schema(MappingFile, "mapping", "群策 qunce data mapping", (
        "数据映射：写一次、放在数据旁边（events.mapping.yaml），说明你的导出文件的列名、类型标签、时间和金额的写法。"
        "How to read a team's own export, kept beside it: its column names, type labels, times and amounts."))


def _data_file_schema(model: type[BaseModel], kind: str, title: str, description: str) -> dict[str, Any]:
    """A data file's schema (a roster, a mapping): the model's, with bilingual titles, published as `kind`."""
    schema = model.model_json_schema(by_alias=True, mode="validation")
    _bilingual_titles(schema)
    schema["title"] = title
    schema["description"] = description
    return {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID.replace("playbook", kind), **schema}


SCHEMAS = ("playbook", "fragment", "events", "roster", "mapping")


def schema_for(kind: str) -> dict[str, Any]:
    """One of the published schemas by name."""
    if kind == "events":
        from .event_contract import events_json_schema

        return events_json_schema()
    if kind == "roster":
        return roster_schema()
    if kind == "mapping":
        return mapping_schema()
    return playbook_schema(fragment=kind == "fragment")


def schema_text(fragment: bool = False, kind: str | None = None) -> str:
    """A schema as committed: stable key order, UTF-8, trailing newline."""
    chosen = kind or ("fragment" if fragment else "playbook")
    return json.dumps(schema_for(chosen), ensure_ascii=False, indent=2) + "\n"
