"""The README's tour shows real output: its example lines must still be what qunce prints."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main
from qunce.load import load_playbook

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def output(*args: str) -> str:
    return CliRunner().invoke(main, list(args)).output


@dataclass
class Shown:
    """One `$ qunce …` command of the README: its arguments and the output lines shown under it."""

    args: list[str]
    lines: list[str] = field(default_factory=list)

    def outputs(self) -> list[str]:
        """What the command writes: the values of its output options and every `wrote PATH` it shows."""
        written = [value for option, value in zip(self.args, self.args[1:], strict=False) if option in OUTPUT_OPTIONS]
        written += [m.group(1) for line in self.lines if (m := re.match(r"wrote (\S+)", line))]
        return written


# The options whose value is a file or folder the command writes (not one it reads).
OUTPUT_OPTIONS = ("--out", "--capacity")
PATH_SUFFIXES = ("/", ".yaml", ".yml", ".csv", ".jsonl", ".parquet", ".json", ".md", ".html", ".ics")


def tour() -> list[Shown]:
    """Every `$ qunce …` command in the README, in order, continuation lines joined."""
    commands: list[Shown] = []
    current: Shown | None = None
    for line in README.replace("\\\n", " ").splitlines():
        if line.startswith("$ qunce "):
            # comments=True: `qunce init --type flash   # traffic | …` explains its choices in a comment.
            current = Shown(shlex.split(line.removeprefix("$ qunce "), comments=True))
            commands.append(current)
        elif line.startswith(("```", "$ ")):
            current = None
        elif current is not None:
            current.lines.append(line)
    return commands


def tour_outputs() -> set[str]:
    """Every path the tour writes when run from the repository root, `make demo`'s folder included."""
    assert "`qunce demo qunce-demo`" in README
    return {path for command in tour() for path in command.outputs()} | {"qunce-demo/"}


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


def test_the_inspect_example_prints_what_the_readme_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ibis")
    monkeypatch.chdir(ROOT)
    actual = CliRunner().invoke(main, ["events", "inspect", "docs/examples/own-data/订单明细.csv", "--roster",
                                       "docs/examples/simulate/roster.yaml", "--rows", "3", "--lang", "en"],
                                terminal_width=120)
    assert actual.exit_code == 0
    start = README.index("docs/examples/own-data/订单明细.csv: CSV, GBK (detected)")
    shown = README[start:README.index("```", start)]
    assert actual.output == shown


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


def test_every_file_the_tour_reads_is_shipped_or_written_before() -> None:
    # A new user runs the tour from a checkout, top to bottom: each file a command reads must be in
    # the repository or written by an earlier command (`data/events.csv` by `qunce events generate`).
    commands = tour()
    assert [c.args[0] for c in commands if c.args[0] in ("diff", "tasks", "events")] == [
        "events", "events", "events", "diff", "tasks"]
    written: set[str] = set()
    for command in commands:
        outputs = command.outputs()
        for arg in command.args:
            if arg in outputs or not arg.endswith(PATH_SUFFIXES):
                continue
            made = any(arg == path or (path.endswith("/") and arg.startswith(path)) for path in written)
            assert made or (ROOT / arg).exists(), (
                f"`qunce {shlex.join(command.args)}` reads {arg}: not in the repository, and no earlier command writes it")
        written.update(outputs)


def test_the_raised_cap_example_changes_only_the_cap() -> None:
    base = load_playbook(ROOT / COMMISSION / "playbook.yaml")
    raised = load_playbook(ROOT / COMMISSION / "raised-cap.yaml")
    assert base.diagnostics == [] and raised.diagnostics == []
    assert base.playbook is not None and base.playbook.commission is not None
    assert raised.playbook is not None and raised.playbook.commission is not None
    assert base.playbook.commission.cap is not None and raised.playbook.commission.cap is not None
    assert (base.playbook.commission.cap.per_staff, raised.playbook.commission.cap.per_staff) == (900, 2000)
    before, after = base.playbook.model_dump(), raised.playbook.model_dump()
    before["commission"]["cap"] = after["commission"]["cap"]
    assert before == after


def test_the_diff_example_prints_what_the_readme_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ibis")
    monkeypatch.chdir(ROOT)
    (diff,) = [command for command in tour() if command.args[0] == "diff"]
    assert diff.args == ["diff", COMMISSION + "playbook.yaml", COMMISSION + "raised-cap.yaml", *COMMISSION_DATA]
    # The command exactly as the README spells it, in the repository: no file made up for the test.
    assert output(*diff.args).splitlines() == diff.lines


def _git(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(ROOT), *args], input=stdin, capture_output=True, text=True, check=False)


def _skip_unless_git_checkout() -> None:
    # An unpacked sdist, or a checkout inside someone else's repository, has no .gitignore of its own to check.
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    top = _git("rev-parse", "--show-toplevel")
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != ROOT:
        pytest.skip("not a git checkout of this repository")


def test_what_the_tour_writes_is_ignored_by_git() -> None:
    _skip_unless_git_checkout()
    outputs = sorted(tour_outputs())
    assert {"playbook.yaml", "data/events.csv", "out/", "handbook/", "tasks.md", "capacity.csv"} <= set(outputs)
    # check-ignore prints the paths that are ignored; a tracked path never is, which is right: the
    # tour would overwrite it.
    checked = _git("check-ignore", "--stdin", stdin="".join(path + "\n" for path in outputs))
    assert checked.returncode in (0, 1), checked.stderr
    assert sorted(checked.stdout.splitlines()) == outputs


def test_no_tracked_file_is_ignored() -> None:
    # The ignore patterns for the tour's outputs must not hide a source file of the same name.
    _skip_unless_git_checkout()
    assert _git("ls-files", "--cached", "--ignored", "--exclude-standard").stdout == ""


def test_the_python_api_example_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The README's Python example, as written, with its output folder moved into tmp_path."""
    code = re.search(r"```python\n(.*?)```", README[README.index("## For developers"):], re.S)
    assert code is not None, "the README has no Python API example"
    source = code.group(1)
    assert 'out=Path("out/api")' in source
    monkeypatch.chdir(ROOT)
    exec(compile(source.replace('Path("out/api")', f"Path({str(tmp_path / 'api')!r})"), "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("0 ")  # the bundled playbooks validate clean
    assert printed[1].startswith("0 {'read': 16, 'accepted': 16, 'rejected': 0")
    assert (tmp_path / "api" / "summary.json").is_file()
