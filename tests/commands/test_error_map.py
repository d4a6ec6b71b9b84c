"""The one error map (qunce.errors.report): each kind of error → its exit status and one line in
the run's language, for every command; Ctrl-C → 130 with one line and no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main
from qunce.compile.docs.render import TemplateFailure
from qunce.errors import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    FindingsError,
    InputError,
    QunceError,
    UsageError,
    report,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "simulate"
PLAYBOOK = str(EXAMPLE / "playbook.yaml")
DATA = ["--events", str(EXAMPLE / "events.csv"), "--roster", str(EXAMPLE / "roster.yaml")]


# --- the map itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(("error", "status"), [
    (UsageError("bad flag", "参数错误"), EXIT_USAGE),
    (InputError("no file", "没有文件"), EXIT_USAGE),
    (QunceError("plain"), EXIT_USAGE),
    (FindingsError("too much", "太多"), EXIT_FINDINGS),
    (TemplateFailure("handbook.md.j2", 3, "boom", "出错"), EXIT_FINDINGS),
])
def test_each_kind_of_error_has_its_status_and_words(error: QunceError, status: int) -> None:
    english, chinese = report(error, "en"), report(error, "zh")
    assert english.status == chinese.status == status
    assert english.message == f"qunce: {error.en}"
    assert chinese.message == f"qunce: {error.zh}"


def test_an_error_without_chinese_words_shows_its_english() -> None:
    assert report(InputError("cannot write x"), "zh").message == "qunce: cannot write x"


def test_interrupt_is_130_in_either_language() -> None:
    assert report(KeyboardInterrupt(), "en").status == EXIT_INTERRUPTED == 130
    assert "interrupted" in str(report(KeyboardInterrupt(), "en").message)
    assert "已中断" in str(report(KeyboardInterrupt(), "zh").message)


def test_a_signal_decides_the_status_whatever_the_run_ended_with() -> None:
    """A query stopped by Ctrl-C ends in DuckDB's RuntimeError("Query interrupted"): still 130,
    never "internal error"; SIGTERM gives 143."""
    stopped_query = RuntimeError("Query interrupted")
    assert report(stopped_query, "en", signal.SIGINT).status == 130
    assert report(stopped_query, "en", signal.SIGTERM).status == 143
    assert "internal error" not in str(report(stopped_query, "en", signal.SIGINT).message)


def test_a_bug_is_one_line_with_status_2() -> None:
    shown = report(RuntimeError("boom\nsecond line"), "zh")
    assert shown.status == EXIT_USAGE
    assert shown.message is not None and "\n" not in shown.message
    assert "内部错误" in shown.message and "RuntimeError: boom" in shown.message


# --- every command, through the command line ----------------------------------------------------


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture()
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "a-file"
    path.write_text("not a folder", encoding="utf-8")
    return path


def cases(tmp_path: Path, a_file: Path) -> dict[str, tuple[list[str], str, str]]:
    """command → (arguments that make it fail, the English words, the Chinese words)."""
    empty = tmp_path / "empty"
    empty.mkdir()
    taken = tmp_path / "taken.yaml"
    taken.write_text("x: 1\n", encoding="utf-8")
    return {
        "validate": (["validate", str(empty)], "no playbook to check", "没有可检查的剧本"),
        "rules": (["rules", "Q999"], "no diagnostic code or name 'Q999'", "没有名为 'Q999' 的诊断代码"),
        "schema": (["schema", "--out", str(a_file / "x.json")], "cannot write", "无法写入"),
        "init": (["init", str(taken)], "already exists", "已存在"),
        "docs": (["docs", PLAYBOOK, "--out", str(tmp_path / "hb"), "--templates", str(tmp_path / "nope")],
                 "no such folder", "找不到目录"),
        "events": (["events", "generate", PLAYBOOK, "--out", str(tmp_path / "e.xlsx")], "unknown event file format",
                   "未知的事件文件格式"),
        "simulate": (["simulate", PLAYBOOK, *DATA, "--out", str(tmp_path / "o"), "--formats", "xml"],
                     "use parquet, csv or both", "可选 parquet、csv 或两者"),
        "explain": (["explain", PLAYBOOK, *DATA, "--member", "m1", "--staff", "s1"], "give exactly one of",
                    "请给出 --member ID 或 --staff ID 中的一个"),
        "diff": (["diff", PLAYBOOK, PLAYBOOK, *DATA, "--fail-over", "lots"], "give an amount in yuan",
                 "请给出以元为单位的金额"),
        "tasks": (["tasks", PLAYBOOK, "--roster", str(EXAMPLE / "roster.yaml"), "--from", "2027-01-01",
                   "--to", "2027-01-02", "--split"], "--split needs --out FOLDER", "--split 需要 --out 目录"),
        "demo": (["demo", str(a_file / "demo")], "cannot create", "无法创建"),
        "report": (["report", str(tmp_path)], "not a simulation's output folder", "不是模拟的输出目录"),
    }


COMMANDS = ["validate", "rules", "schema", "init", "docs", "events", "simulate", "explain", "diff", "tasks", "demo",
            "report"]


def test_every_command_is_covered() -> None:
    """A new command needs its case here."""
    assert sorted(main.commands) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_an_error_follows_lang(command: str, tmp_path: Path, a_file: Path) -> None:
    args, english, chinese = cases(tmp_path, a_file)[command]
    code_en, out_en = run([*args, "--lang", "en"])
    code_zh, out_zh = run([*args, "--lang", "zh"])
    assert code_en == code_zh == EXIT_USAGE, (out_en, out_zh)
    assert english in out_en and chinese not in out_en
    assert chinese in out_zh and english not in out_zh
    assert out_zh.startswith("qunce: ") and out_zh.count("\n") == 1  # one line
    assert "Traceback" not in out_en + out_zh


def test_qunce_lang_sets_the_language_without_lang(tmp_path: Path) -> None:
    code, out = run(["rules", "Q999"], env={"QUNCE_LANG": "zh"})
    assert code == EXIT_USAGE
    assert "没有名为 'Q999' 的诊断代码" in out


# --- one test per exit status ------------------------------------------------------------------


def test_exit_0_clean() -> None:
    assert run(["validate", str(ROOT / "playbooks"), "--no-cache"])[0] == EXIT_CLEAN


def test_exit_1_findings(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("playbook: x\nroles:\n  owner: {name: 群主, max_groups: -1}\n", encoding="utf-8")
    code, out = run(["validate", str(broken), "--no-cache"])
    assert code == EXIT_FINDINGS
    assert "broken.yaml:3" in out


def test_exit_1_findings_stop_a_command_that_uses_the_playbook(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("playbook: x\nroles:\n  owner: {name: 群主, max_groups: -1}\n", encoding="utf-8")
    code, out = run(["simulate", str(broken), *DATA, "--out", str(tmp_path / "out")])
    assert code == EXIT_FINDINGS
    assert "broken.yaml:3" in out
    assert not (tmp_path / "out").exists()


def test_exit_2_usage(tmp_path: Path) -> None:
    code, out = run(["validate", str(tmp_path / "missing.yaml")])
    assert code == EXIT_USAGE
    assert out == f"qunce: no such file or folder: {tmp_path / 'missing.yaml'}\n"


@pytest.mark.parametrize(("signal_number", "delay"), [
    (signal.SIGINT, 0.0), (signal.SIGINT, 1.5), (signal.SIGINT, 3.0), (signal.SIGTERM, 2.0)])
def test_an_interrupt_exits_128_plus_the_signal(signal_number: int, delay: float, tmp_path: Path) -> None:
    """SIGINT (Ctrl-C) or SIGTERM while `qunce demo` computes, at several moments (in Python, in a
    DuckDB query, while writing): exit 130 or 143, one line, no traceback, no "internal error",
    and no staging folder of half-written outputs left behind."""
    env = {**os.environ, "QUNCE_LANG": "en"}
    env.pop("QUNCE_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-m", "qunce", "demo", str(tmp_path / "demo")], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the first step is done: the run is computing
    assert first.startswith("==> "), first
    time.sleep(delay)
    proc.send_signal(signal_number)
    sent = time.monotonic()
    _, err = proc.communicate(timeout=120)
    stopped_within = time.monotonic() - sent
    if proc.returncode == 0:
        pytest.skip("the demo finished before the signal arrived")
    assert proc.returncode == 128 + signal_number, err
    assert stopped_within < 5, stopped_within  # about a second on an idle machine; CI shares two cores
    assert err.strip().splitlines() == ["qunce: interrupted; no half-written output was left"], err
    simulation = tmp_path / "demo" / "simulation"
    assert not simulation.exists() or not [p for p in simulation.iterdir() if p.name.startswith(".")]


def test_an_interrupt_inside_a_string_exec_still_exits_130(tmp_path: Path) -> None:
    """Ctrl-C landing inside a string `exec` (a namedtuple or dataclass being built while modules
    import) leaves CPython's unhandled-KeyboardInterrupt flag set; `python -m qunce` must still exit
    130, not die by SIGINT (-2). The interrupt is raised there on purpose, from sitecustomize."""
    (tmp_path / "sitecustomize.py").write_text(
        "import qunce.commands.rules as rules\n"
        "def run(*args, **kwargs):\n"
        "    exec('raise KeyboardInterrupt')\n"
        "rules.run = run\n", encoding="utf-8")
    env = {**os.environ, "QUNCE_LANG": "en", "PYTHONPATH": str(tmp_path)}
    env.pop("QUNCE_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "qunce", "rules"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip().splitlines() == ["qunce: interrupted; no half-written output was left"]
