"""The smaller commands: rules, schema, init, and --help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main
from qunce.codes_catalog import all_codes
from qunce.commands.language import default_lang
from qunce.schema import schema_text
from qunce.validation import validate_paths


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_help_lists_the_commands() -> None:
    code, out = run("--help")
    assert code == 0
    for command in ("validate", "rules", "schema", "init"):
        assert command in out


def test_rules_lists_every_code_with_an_example() -> None:
    code, out = run("rules", "--lang", "en")
    assert code == 0
    for registered in all_codes():
        assert f"{registered.code}  {registered.name}  [{registered.severity}]" in out
        assert registered.bad and registered.good, registered.code
    assert "    ✗ when: point_90d >= 300" in out


def test_rules_one_code_in_chinese() -> None:
    code, out = run("rules", "Q202", "--lang", "zh")
    assert code == 0
    assert out.splitlines()[0] == "Q202  unknown-name  [错误]  条件中使用了未知的指标或特征名。"


def test_rules_unknown_code_is_a_usage_error() -> None:
    code, out = run("rules", "Q999")
    assert code == 2
    assert "no diagnostic code" in out


def test_rules_json_and_names() -> None:
    code, out = run("rules", "--format", "json")
    rows = json.loads(out)
    assert {row["code"] for row in rows} == {c.code for c in all_codes()}
    code, out = run("rules", "--names", "--lang", "zh")
    assert code == 0
    assert "points_<N>d / points_total" in out and "积分" in out
    assert "interaction_rate[_<N>d]" in out


def test_schema_prints_the_committed_schema() -> None:
    code, out = run("schema")
    assert code == 0
    assert out == schema_text()
    assert json.loads(out)["title"] == "群策 qunce playbook"


def test_schema_out_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    code, _ = run("schema", "--fragment", "--out", str(target))
    assert code == 0
    assert "required" not in json.loads(target.read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", ["traffic", "welfare", "flash", "full"])
def test_init_writes_a_starter_that_validates_clean(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "my.yaml"
    code, out = run("init", str(target), "--type", kind)
    assert code == 0, out
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=./qunce.schema.json"
    assert (tmp_path / "qunce.schema.json").read_text(encoding="utf-8") == schema_text()
    report = validate_paths([target])
    assert [d.code for d in report.diagnostics] == []


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "p.yaml"
    target.write_text("keep me", encoding="utf-8")
    code, out = run("init", str(target))
    assert code == 2
    assert "already exists" in out
    assert target.read_text(encoding="utf-8") == "keep me"
    code, _ = run("init", str(target), "--force", "--type", "flash")
    assert code == 0
    assert "keep me" not in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("env", "expected"),
    [({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "en_US.UTF-8"}, "en"), ({"LC_ALL": "zh_TW"}, "zh"),
     ({"QUNCE_LANG": "en", "LANG": "zh_CN"}, "en"), ({}, "en")],
)
def test_default_language_follows_the_locale(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                             expected: str) -> None:
    for var in ("QUNCE_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert default_lang() == expected


def test_color_flag_colors_the_text_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    _, colored = run("validate", "docs/examples/broken.yaml", "--color", "--lang", "en")
    _, plain = run("validate", "docs/examples/broken.yaml", "--no-color", "--lang", "en")
    assert "\x1b[1;31merror Q101 unknown-key\x1b[0m" in colored
    assert "\x1b[" not in plain
