"""The README's tour shows real output: its example lines must still be what qunce prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def output(*args: str) -> str:
    return CliRunner().invoke(main, list(args)).output


def test_the_broken_example_prints_what_the_readme_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    actual = output("validate", "docs/examples/broken.yaml", "--lang", "en")
    shown = [line for line in README.splitlines() if line.startswith("docs/examples/broken.yaml:") and " 错误 " not in line]
    assert len(shown) == 5
    for line in shown:
        assert line in actual.splitlines(), line
    assert "5 errors, 0 warnings in 1 file checked" in actual
    zh = output("validate", "docs/examples/broken.yaml", "--lang", "zh")
    zh_shown = [line for line in README.splitlines() if line.startswith("docs/examples/broken.yaml:") and " 错误 " in line]
    assert zh_shown and all(line in zh.splitlines() for line in zh_shown)


def test_the_examples_are_clean_as_the_readme_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert output("validate", "playbooks/").strip() == "No problems found in 7 files."
    assert "No problems found in 7 files." in README


def test_every_command_in_the_tour_exists() -> None:
    commands = set(re.findall(r"^### `qunce (\w+)", README, flags=re.MULTILINE))
    assert commands == {"validate", "rules", "init", "schema", "events", "simulate", "explain", "diff", "docs", "tasks"}
    help_text = output("--help")
    for command in commands:
        assert command in help_text


def test_the_explain_example_prints_what_the_readme_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ibis")
    monkeypatch.chdir(ROOT)
    example = "docs/examples/simulate/"
    actual = output("explain", example + "playbook.yaml", "--events", example + "events.csv", "--roster",
                    example + "roster.yaml", "--member", "m1", "--lang", "en")
    start = README.index("Member m1\n")
    shown = README[start:README.index("```", start)]
    assert actual == shown


def test_the_simulate_example_prints_what_the_readme_shows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pytest.importorskip("ibis")
    monkeypatch.chdir(ROOT)
    example = "docs/examples/simulate/"
    actual = output("simulate", example + "playbook.yaml", "--events", example + "events.csv", "--roster",
                    example + "roster.yaml", "--out", str(tmp_path / "out"), "--lang", "en").splitlines()
    start = README.index("模拟测试剧本: ")
    shown = README[start:README.index("…\n```", start)].splitlines()
    assert actual[:len(shown)] == shown


def test_the_docs_example_prints_what_the_readme_shows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "playbooks").symlink_to(ROOT / "playbooks")
    start = README.index("$ qunce docs playbooks/brand-complete.yaml --out handbook/\n")
    shown = README[start:README.index("```", start)].strip().split("\n\n")
    for example in shown:
        command, *lines = example.splitlines()
        assert output(*command.removeprefix("$ qunce ").split()).splitlines() == lines


COMMISSION = "docs/examples/commission/"
COMMISSION_DATA = ["--events", COMMISSION + "events.csv", "--roster", COMMISSION + "roster.yaml", "--from",
                   "2027-01-01", "--to", "2027-02-28", "--lang", "en"]


def _block(start: str) -> str:
    at = README.index(start)
    return README[at:README.index("```", at)]


def test_the_commission_examples_print_what_the_readme_shows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pytest.importorskip("ibis")
    monkeypatch.chdir(ROOT)
    simulated = output("simulate", COMMISSION + "playbook.yaml", *COMMISSION_DATA, "--out", str(tmp_path / "out"))
    table = _block("Commission (statements in statements/)\n")
    assert table in simulated
    statement = (tmp_path / "out" / "statements" / "s4.md").read_text(encoding="utf-8")
    shown = _block("## 2027-02 · 本期应发 ¥594.00")
    # The README shows the statement up to g1's KPI table; the file goes on with g2 and the clawback.
    zh = output("simulate", COMMISSION + "playbook.yaml", *COMMISSION_DATA[:-2], "--out", str(tmp_path / "zh"))
    assert zh and shown in (tmp_path / "zh" / "statements" / "s4.md").read_text(encoding="utf-8")
    assert statement.startswith("# Commission statement")
    trace = output("explain", COMMISSION + "playbook.yaml", *COMMISSION_DATA, "--staff", "s4", "--period", "2027-02")
    for line in _block("Commission trace · 张伟 (s4) · 2027-02").splitlines():
        if line != "…":
            assert line in trace.splitlines(), line


def test_the_diff_example_prints_what_the_readme_shows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import shutil

    pytest.importorskip("ibis")
    shutil.copytree(ROOT / COMMISSION, tmp_path / COMMISSION)
    text = (ROOT / COMMISSION / "playbook.yaml").read_text(encoding="utf-8")
    (tmp_path / "raised-cap.yaml").write_text(text.replace("cap: {per_staff: 900}", "cap: {per_staff: 2000}"),
                                              encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    actual = output("diff", COMMISSION + "playbook.yaml", "raised-cap.yaml", *COMMISSION_DATA)
    shown = _block("qunce diff docs/examples/commission/playbook.yaml → raised-cap.yaml")
    assert actual == shown
