"""A run's language is chosen once: --lang, else QUNCE_LANG, else the playbook's locale, else the
terminal's locale; the terminal, the statements, the report's folder and the errors all use it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main
from qunce.commands.language import of_locale, requested, settle

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "simulate"
ENGLISH_TERMINAL = {"LANG": "en_US.UTF-8", "LC_ALL": None, "LC_MESSAGES": None, "LANGUAGE": None, "QUNCE_LANG": None}


def _simulate(out: Path, *extra: str, env: dict[str, str | None], playbook: Path = EXAMPLE / "playbook.yaml") -> str:
    result = CliRunner().invoke(main, ["simulate", str(playbook), "--events", str(EXAMPLE / "events.csv"),
                                       "--roster", str(EXAMPLE / "roster.yaml"), "--out", str(out), *extra], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_playbooks_locale_beats_the_terminals(tmp_path: Path) -> None:
    out = _simulate(tmp_path / "sim", env=ENGLISH_TERMINAL)  # the example says nothing: zh-CN
    assert "事件行数：读取 16" in out and "Event rows" not in out
    assert json.loads((tmp_path / "sim" / "summary.json").read_text("utf-8"))["report"]["lang"] == "zh"


def test_qunce_lang_beats_the_playbook(tmp_path: Path) -> None:
    out = _simulate(tmp_path / "sim", env={**ENGLISH_TERMINAL, "LANG": "zh_CN.UTF-8", "QUNCE_LANG": "en"})
    assert "Event rows: read 16" in out and "事件行数" not in out
    assert json.loads((tmp_path / "sim" / "summary.json").read_text("utf-8"))["report"]["lang"] == "en"


def test_an_english_playbook_speaks_english_on_a_chinese_terminal(tmp_path: Path) -> None:
    text = (EXAMPLE / "playbook.yaml").read_text("utf-8").replace("timezone: Asia/Shanghai",
                                                                   "timezone: Asia/Shanghai\nlocale: en")
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text(text, "utf-8")
    out = _simulate(tmp_path / "sim", env={**ENGLISH_TERMINAL, "LANG": "zh_CN.UTF-8"}, playbook=playbook)
    assert "Event rows: read 16" in out and "事件行数" not in out
    assert json.loads((tmp_path / "sim" / "summary.json").read_text("utf-8"))["report"]["lang"] == "en"


def test_an_error_after_the_playbook_is_read_speaks_its_language(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["simulate", str(EXAMPLE / "playbook.yaml"), "--events",
                                       str(EXAMPLE / "events.csv"), "--roster", str(EXAMPLE / "roster.yaml"),
                                       "--out", str(tmp_path / "sim"), "--xlsx"], env=ENGLISH_TERMINAL)
    assert result.exit_code == 2
    assert "没有 commission: 部分" in result.output and "has no commission" not in result.output


def test_an_error_before_any_playbook_speaks_the_terminals_language(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["simulate", str(tmp_path / "missing.yaml"), "--events",
                                       str(EXAMPLE / "events.csv"), "--roster", str(EXAMPLE / "roster.yaml"),
                                       "--out", str(tmp_path / "sim")], env=ENGLISH_TERMINAL)
    assert result.exit_code == 2
    assert "no such playbook" in result.output


class _Playbook:
    def __init__(self, locale: str) -> None:
        self.locale = locale


@pytest.mark.parametrize(("asked", "env", "locale", "chosen"), [
    ("en", {"QUNCE_LANG": "zh"}, "zh-CN", "en"),
    (None, {"QUNCE_LANG": "en"}, "zh-CN", "en"),
    (None, {}, "zh-CN", "zh"),
    (None, {}, "en", "en"),
    (None, {"QUNCE_LANG": "zh_CN"}, "en", "zh"),
])
def test_settle_order(asked: str | None, env: dict[str, str], locale: str, chosen: str,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUNCE_LANG", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert settle(asked, _Playbook(locale)) == chosen


def test_words() -> None:
    assert of_locale("zh-CN") == "zh" and of_locale("en") == "en" and of_locale("zh-TW") == "zh"
    assert requested("zh") == "zh"


def test_tasks_and_docs_follow_the_playbook_and_qunce_lang(tmp_path: Path) -> None:
    args = ["tasks", str(EXAMPLE / "playbook.yaml"), "--roster", str(EXAMPLE / "roster.yaml"), "--from", "2027-01-04",
            "--to", "2027-01-04", "--format", "md"]
    zh = CliRunner().invoke(main, args, env=ENGLISH_TERMINAL)
    en = CliRunner().invoke(main, args, env={**ENGLISH_TERMINAL, "QUNCE_LANG": "en"})
    assert zh.exit_code == 0 and en.exit_code == 0
    assert "任务清单" in zh.output and "任务清单" not in en.output
    docs = CliRunner().invoke(main, ["docs", str(EXAMPLE / "playbook.yaml"), "--out", str(tmp_path / "hb"),
                                     "--format", "md"], env={**ENGLISH_TERMINAL, "QUNCE_LANG": "en"})
    assert docs.exit_code == 0, docs.output
    assert (tmp_path / "hb" / "handbook.en.md").is_file() and "wrote" in docs.output
