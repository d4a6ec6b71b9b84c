"""What staff read in Chinese follows docs/glossary.md: none of the words its last column rules
out, no raw id where the playbook gives a name, full-width punctuation in Chinese sentences.
Checked on the demo's Chinese outputs: statements, task list, handbook, explain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main

pytest.importorskip("ibis")

ROOT = Path(__file__).resolve().parents[2]
HALF_WIDTH = re.compile(r"(?<=[\u4e00-\u9fff])[,;:()?!](?=[\u4e00-\u9fff])")


def _avoided() -> list[str]:
    """The glossary's 不用 column: words outputs must not use (the ones with Chinese in them)."""
    words: list[str] = []
    for line in (ROOT / "docs" / "glossary.md").read_text("utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.search(r"[\u4e00-\u9fff]", cells[3]):
            words += [word.strip() for word in re.split(r"[、,，]", cells[3]) if re.search(r"[\u4e00-\u9fff]", word)]
    return words


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("demo-zh")
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = runner.invoke(main, ["demo", "qunce-demo", "--lang", "zh"])
        assert result.exit_code == 0, result.output
        demo = folder / "qunce-demo"
        data = ["--events", str(demo / "events.parquet"), "--roster", str(demo / "events.roster.yaml"),
                "--lang", "zh"]
        staff = runner.invoke(main, ["explain", str(demo / "playbook.yaml"), *data, "--staff", "s0001"])
        assert staff.exit_code == 0, staff.output
    texts = {"demo": result.output, "explain --staff": staff.output,
             "tasks.md": (demo / "tasks" / "tasks.md").read_text("utf-8"),
             "handbook.md": (demo / "handbook" / "handbook.md").read_text("utf-8")}
    for path in sorted((demo / "simulation" / "statements").glob("*.md"))[:10]:
        texts[path.name] = path.read_text("utf-8")
    return texts


def test_the_glossary_rules_out_words() -> None:
    assert {"您的份额", "常驻事项", "成立", "无人在岗", "保护期"} <= set(_avoided())


def test_no_word_the_glossary_rules_out(outputs: dict[str, str]) -> None:
    avoided = _avoided()
    found = {(name, word) for name, text in outputs.items() for word in avoided if word in text}
    assert not found, sorted(found)


def test_no_half_width_punctuation_between_chinese(outputs: dict[str, str]) -> None:
    found = [(name, line) for name, text in outputs.items() for line in text.splitlines()
             if HALF_WIDTH.search(line) and not line.lstrip().startswith(("|", "```"))]
    assert not found, found[:5]


def test_no_range_written_with_an_ellipsis(outputs: dict[str, str]) -> None:
    found = [(name, line) for name, text in outputs.items() for line in text.splitlines()
             if re.search(r"\d{4}-\d\d-\d\d …", line)]
    assert not found, found[:5]


def test_no_raw_id_where_the_playbook_gives_a_name(outputs: dict[str, str]) -> None:
    """Level, segment, lifecycle and penalty ids appear only where they are code (backticks,
    condition text in the handbook's reference tables), never as the word for the thing."""
    ids = ("deal_seeker", "need_driven", "low_need", "mute_1d", "pseudo")
    found = [(name, line) for name, text in outputs.items() if name != "handbook.md" for line in text.splitlines()
             for word in ids if re.search(rf"(?<![\w`]){word}(?![\w`])", line)]
    assert not found, found[:5]
