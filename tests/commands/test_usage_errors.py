"""click's own usage errors speak the run's language: Chinese when --lang zh (even when click could
not parse the line), QUNCE_LANG or the locale say so; exit 2 and no traceback either way."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from qunce.cli import main

ZH = {"QUNCE_LANG": "zh"}
EN = {"QUNCE_LANG": None, "LANG": "en_US.UTF-8", "LC_ALL": None, "LANGUAGE": None, "LC_MESSAGES": None}


def _run(args: list[str], env: dict[str, str | None]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env=env, prog_name="qunce")
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.parametrize(("args", "said"), [
    (["simulate", "--bogus"], "错误：没有 --bogus 这个选项；您要的是不是 --out？"),
    (["simulate"], "错误：缺少参数 PLAYBOOK。"),
    (["validate", "--format", "foo", "x.yaml"], "错误：--format 的值无效：foo 不是可选值之一（可选：text、json、sarif、github）。"),
    (["events", "generate", "p.yaml", "--out", "x.csv", "--groups", "0"], "错误：--groups 的值无效：0 不在允许的范围内（x>=1）。"),
    (["simulate", "p.yaml", "--out", "o", "--events", "e", "--roster", "r", "--from", "2027-13-01"],
     "错误：--from 的值无效：2027-13-01 不是所需的日期格式（%Y-%m-%d，如 2027-01-31）。"),
    (["tasks", "p.yaml", "--roster"], "错误：选项 --roster 后面需要一个值。"),
    (["bogus"], "错误：没有 bogus 这个命令。"),
])
def test_chinese(args: list[str], said: str) -> None:
    code, out = _run(args, ZH)
    assert code == 2
    assert said in out.splitlines()
    assert "Error:" not in out and "Usage:" not in out


def test_the_usage_line_and_help_hint_in_chinese() -> None:
    _, out = _run(["simulate", "--bogus"], ZH)
    assert out.splitlines()[:2] == ["用法：qunce simulate [OPTIONS] PLAYBOOK", "运行 'qunce simulate --help' 查看帮助。"]


def test_lang_on_the_unparsed_line_decides() -> None:
    code, out = _run(["simulate", "--bogus", "--lang", "zh"], EN)
    assert code == 2 and "错误：没有 --bogus 这个选项" in out
    code, out = _run(["simulate", "--bogus", "--lang=en"], ZH)
    assert code == 2 and "Error: No such option '--bogus'" in out


def test_english_stays_clicks() -> None:
    code, out = _run(["simulate", "--bogus"], EN)
    assert code == 2 and "Error: No such option '--bogus'. Did you mean '--out'?" in out
