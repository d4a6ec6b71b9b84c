"""The mapping file's JSON Schema (schemas/mapping.schema.json): current, published beside the
others, listing the columns and event types an editor completes; the example in docs/data.md
loads clean and passes check-jsonschema, broken mappings fail it."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from qunce.commands import schema as schema_command
from qunce.event_contract import COLUMNS, EVENT_TYPES
from qunce.events.mapping import load_mapping
from qunce.schema import SCHEMAS, schema_text
from tests.model.test_schema import _check_jsonschema as check_jsonschema

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schemas" / "mapping.schema.json"


def schema() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(schema_text(kind="mapping"))
    return loaded


def test_the_committed_schema_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(kind="mapping"), (
        "schemas/mapping.schema.json is stale: regenerate it with `make schema`")


def test_it_is_published_like_the_others() -> None:
    assert "mapping" in SCHEMAS
    loop = re.search(r"for kind in ([a-z ]+); do \$\(BIN\)/qunce schema", (ROOT / "Makefile").read_text(encoding="utf-8"))
    assert loop and loop.group(1).split() == list(SCHEMAS)
    assert schema_command.run("mapping", "json", None).text == schema_text(kind="mapping")
    head = schema()
    assert (head["$id"], head["title"]) == ("https://qunce.dev/schemas/mapping.schema.json", "群策 qunce data mapping")


def test_an_editor_completes_the_columns_and_the_event_types() -> None:
    found = schema()
    properties = found["properties"]
    assert isinstance(properties, dict)
    columns = properties["columns"]
    assert list(columns["properties"]) == [c.name for c in COLUMNS]
    assert columns["additionalProperties"] is False
    assert columns["properties"]["ts"]["title"] == "时间 ts"
    assert columns["properties"]["ts"]["description"].startswith("时间：文件中对应的表头。The file's header for ts:")
    names = [*EVENT_TYPES, "曝光", "入群", "退群", "发言", "消息", "下单", "订单", "退款", "推荐", "签到", "问卷", "触达",
             "投入", "任务", "SOP完成", "执行记录"]
    short, long_form = properties["types"]["additionalProperties"]["anyOf"]
    assert short["enum"] == names
    assert long_form == {"$ref": "#/$defs/TypeRule"}
    defs = found["$defs"]
    assert isinstance(defs, dict)
    assert defs["TypeRule"]["properties"]["type"]["enum"] == names
    assert defs["TimeSpec"]["properties"]["unit"]["anyOf"][0]["enum"] == ["epoch_seconds", "epoch_milliseconds",
                                                                           "excel_serial"]
    assert defs["AmountSpec"]["properties"]["unit"]["enum"] == ["yuan", "fen"]
    assert properties["header_row"]["title"] == "表头所在的行 header_row"
    assert (properties["header_row"]["minimum"], properties["header_row"]["maximum"]) == (1, 1000)


def docs_example() -> str:
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert block, "docs/data.md has no yaml example"
    return block.group(1)


def test_the_example_in_the_docs_loads_clean(tmp_path: Path) -> None:
    path = tmp_path / "orders.mapping.yaml"
    path.write_text(docs_example(), encoding="utf-8")
    result = load_mapping(path)
    assert result.diagnostics == []
    assert result.mapping is not None and result.mapping.types["被移出"] == ("leave", True)


def _check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*check_jsonschema(), "--schemafile", str(COMMITTED), str(path)],
                          capture_output=True, text=True, check=False, timeout=120)


@pytest.mark.parametrize("other", ["", "time: {format: ['%Y/%m/%d', '%Y年%-m月%-d日']}\n",
                                   "time: {unit: excel_serial}\namount: {unit: yuan}\n"])
def test_good_mappings_pass_check_jsonschema(tmp_path: Path, other: str) -> None:
    text = docs_example()
    if other:  # the example's own time: and amount: replaced
        text = text[:text.index("time:")] + other
    path = tmp_path / "orders.mapping.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_mapping(path).diagnostics == []
    result = _check(path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("text", "needle"), [
    ("columns: {member: 客户ID}\n", "member"),
    ("types: {入群: joins}\n", "joins"),
    ("types: {退群: {type: leave, removed: 1}}\n", "removed"),
    ("header_row: 0\n", "0"),
    ("colums: {}\n", "colums"),
    ("time: {unit: seconds}\n", "seconds"),
])
def test_broken_mappings_fail_check_jsonschema(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "broken.mapping.yaml"
    path.write_text(text, encoding="utf-8")
    result = _check(path)
    assert result.returncode == 1, result.stdout
    assert needle in result.stdout + result.stderr
