"""The committed schema and generated docs match the models; examples validate against the
schema with check-jsonschema, and broken playbooks fail there too."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qunce.reference import reference_markdown
from qunce.rules_doc import codes_markdown
from qunce.schema import schema_text
from qunce.source.nodes import Map
from qunce.source.reader import parse_text

ROOT = Path(__file__).resolve().parents[2]
STALE = "is stale: regenerate it with `make schema`"


@pytest.mark.parametrize(
    ("relative", "generate"),
    [
        ("schemas/playbook.schema.json", lambda: schema_text()),
        ("schemas/fragment.schema.json", lambda: schema_text(fragment=True)),
        ("schemas/events.schema.json", lambda: schema_text(kind="events")),
        ("schemas/roster.schema.json", lambda: schema_text(kind="roster")),
        ("docs/playbook-reference.md", reference_markdown),
        ("docs/rules.md", lambda: codes_markdown("en")),
    ],
)
def test_generated_files_are_current(relative: str, generate: object) -> None:
    committed = (ROOT / relative).read_text(encoding="utf-8")
    assert callable(generate)
    assert committed == generate(), f"{relative} {STALE}"


def test_schema_has_bilingual_help_and_enums() -> None:
    schema = json.loads(schema_text())
    entry_mode = schema["$defs"]["Entry"]["properties"]["mode"]
    assert {"open", "invite", "referral", "activity", "paid", "付费式", "邀请式"} <= set(entry_mode["enum"])
    role = schema["$defs"]["Role"]["properties"]["max_groups"]
    assert "一人最多负责的群数" in role["anyOf"][0].get("description", "") or "一人最多负责的群数" in role.get(
        "description", "")
    assert schema["properties"]["roles"]["additionalProperties"] is False
    assert "extends" in schema["properties"] and "include" in schema["properties"]


def _check_jsonschema() -> list[str]:
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("check-jsonschema is not installed")
    return [exe]


def _top_keys(path: Path) -> set[str]:
    parsed = parse_text(path.read_text(encoding="utf-8"), str(path))
    return set(parsed.root.entries) if isinstance(parsed.root, Map) else set()


def _entry_playbooks() -> list[Path]:
    # Complete playbooks; a file that extends a base may leave out what it inherits.
    files = sorted((ROOT / "playbooks").rglob("*.yaml"))
    return [f for f in files if "playbook" in _top_keys(f) and "extends" not in _top_keys(f)]


def _fragments() -> list[Path]:
    files = sorted((ROOT / "playbooks").rglob("*.yaml"))
    return [f for f in files if f not in _entry_playbooks()]


def test_examples_validate_with_check_jsonschema() -> None:
    playbooks = _entry_playbooks()
    assert playbooks, "no example playbooks found"
    cmd = [*_check_jsonschema(), "--schemafile", str(ROOT / "schemas/playbook.schema.json"), *map(str, playbooks)]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    fragments = _fragments()
    if fragments:
        cmd = [*_check_jsonschema(), "--schemafile", str(ROOT / "schemas/fragment.schema.json"), *map(str, fragments)]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_every_example_has_the_modeline() -> None:
    for path in sorted((ROOT / "playbooks").rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert target.is_file(), f"{path}: modeline points at missing {target}"
        expected = "playbook.schema.json" if path in _entry_playbooks() else "fragment.schema.json"
        assert target.name == expected, path


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("playbook: x\nroles:\n  owner: {name: 群主, max_group: 8}\n", "max_group"),
        ("playbook: x\nroles:\n  Owner: {name: 群主}\n", "Owner"),
        ("playbook: x\ngroup_types:\n  t: {name: 引流群, entry: {mode: free}}\n", "free"),
        ("playbook: x\nroles:\n  owner: {name: 群主, max_groups: eight}\n", "eight"),
        ("roles: {}\n", "playbook"),
    ],
)
def test_broken_playbooks_fail_check_jsonschema(tmp_path: Path, text: str, needle: str) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    cmd = [*_check_jsonschema(), "--schemafile", str(ROOT / "schemas/playbook.schema.json"), str(broken)]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert needle in result.stdout + result.stderr
