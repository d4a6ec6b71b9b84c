"""What each command prints, under --lang zh and --lang en, kept as golden files
(tests/golden/lang/; QUNCE_UPDATE_GOLDEN=1 rewrites them), and checked for one language: a
Chinese run prints no English sentence of qunce's, an English run no Chinese word of qunce's
(names the playbook gives stay as written), and Chinese text uses full-width punctuation."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "lang"
UPDATE = os.environ.get("QUNCE_UPDATE_GOLDEN") == "1"
SIM = "docs/examples/simulate"
PAY = "docs/examples/commission"
DATA = {"sim": ["--events", f"{SIM}/events.csv", "--roster", f"{SIM}/roster.yaml"],
        "pay": ["--events", f"{PAY}/events.csv", "--roster", f"{PAY}/roster.yaml"]}

# name → the command's arguments ({out}: a fresh folder). Outputs that carry no qunce words
# (JSON, schemas) are left out.
COMMANDS: dict[str, list[str]] = {
    "validate": ["validate", "docs/examples/broken.yaml"],
    "rules": ["rules", "Q202"],
    "simulate": ["simulate", f"{SIM}/playbook.yaml", *DATA["sim"], "--out", "{out}"],
    "simulate-commission": ["simulate", f"{PAY}/playbook.yaml", *DATA["pay"], "--out", "{out}"],
    "explain-member": ["explain", f"{SIM}/playbook.yaml", *DATA["sim"], "--member", "m1"],
    "explain-staff": ["explain", f"{PAY}/playbook.yaml", *DATA["pay"], "--staff", "s1"],
    "diff": ["diff", f"{PAY}/playbook.yaml", f"{PAY}/raised-cap.yaml", *DATA["pay"]],
    "tasks": ["tasks", f"{SIM}/playbook.yaml", "--roster", f"{SIM}/roster.yaml", "--from", "2027-01-04",
              "--to", "2027-01-05", "--format", "md"],
    "events-inspect": ["events", "inspect", f"{SIM}/events.csv", "--rows", "2"],
}
# qunce's own words that say which language a line is in (names from playbooks aside)
ENGLISH = re.compile(r"\b(?:the|and|rows|members|groups|wrote|read|accepted|rejected|period|total|staff)\b")
HALF_WIDTH = re.compile(r"(?<=[\u4e00-\u9fff])[,;:()?!](?=[\u4e00-\u9fff])")


def _run(name: str, lang: str, tmp_path: Path) -> str:
    out = tmp_path / "out"
    args = [arg.replace("{out}", str(out)) for arg in COMMANDS[name]] + ["--lang", lang]
    cwd = os.getcwd()
    os.chdir(ROOT)  # the paths in the output are the README's, relative to the repository
    try:
        result = CliRunner().invoke(main, args, env={"QUNCE_LANG": None, "COLUMNS": "100"})
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 1), result.output
    text = result.output.replace(str(out), "OUT")
    return re.sub(r"\b\d+(?:\.\d+)? ?(?:s|ms|秒)\b", "T", text)  # timings vary


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_speaks_one_language(name: str, lang: str, tmp_path: Path) -> None:
    text = _run(name, lang, tmp_path)
    golden = GOLDEN / f"{name}.{lang}.txt"
    if UPDATE or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, "utf-8")
    assert text == golden.read_text("utf-8"), f"{golden} differs (QUNCE_UPDATE_GOLDEN=1 rewrites it)"
    if lang == "zh":
        english = [line for line in text.splitlines() if ENGLISH.search(_without_code(line))]
        assert not english, english[:5]
        assert not HALF_WIDTH.findall(text), [line for line in text.splitlines() if HALF_WIDTH.search(line)][:5]
    else:
        chinese = [line for line in text.splitlines() if re.search(r"[\u4e00-\u9fff]", _without_names(line))]
        assert not chinese, chinese[:5]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _names() -> re.Pattern[str]:
    """Every text the example playbooks and rosters give (names, actions, templates): they stay as
    written whatever the run's language."""
    from ruamel.yaml import YAML

    found: set[str] = set()
    for path in [*(ROOT / SIM).glob("*.yaml"), *(ROOT / PAY).glob("*.yaml"), ROOT / "docs/examples/broken.yaml"]:
        found.update(s for s in _strings(YAML(typ="safe").load(path.read_text("utf-8"))) if re.search(r"[\u4e00-\u9fff]", s))
    return re.compile("|".join(re.escape(s) for s in sorted(found, key=len, reverse=True)))


NAMES = _names()
CODE_FRAME = re.compile(r"^\s*\d+ \|")  # validate shows the YAML as written


def _without_names(line: str) -> str:
    """The line without the names the example playbooks and rosters give (they stay Chinese)."""
    return "" if CODE_FRAME.match(line) else NAMES.sub("", line)


def _without_code(line: str) -> str:
    """The line without what is code, not words: conditions, paths, option names, ids."""
    line = re.sub(r"\S*[/\\.]\S*", "", line)  # paths, file names
    line = re.sub(r"--?[a-z][\w-]*", "", line)  # options
    return re.sub(r"\b[a-z_]+\s*(?:[<>=!]=?|\bin\b)", "", line)  # a condition's names
