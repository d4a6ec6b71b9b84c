"""`qunce demo`: the README's main job, end to end in a temporary folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main

pytest.importorskip("ibis")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = CliRunner().invoke(main, ["demo", "qunce-demo", "--lang", "en"])
    assert result.exit_code == 0, result.output
    return folder / "qunce-demo", result.output


def test_demo_writes_every_product(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    for name in ("playbook.yaml", "events.parquet", "events.roster.yaml", "simulation/summary.json",
                 "simulation/payouts.csv", "simulation/payouts.xlsx", "simulation/statements/s0001.md",
                 "tasks/tasks.csv", "tasks/tasks.md", "tasks/capacity.csv", "handbook/handbook.md",
                 "handbook/handbook.html"):
        assert (folder / name).is_file(), name
    assert len(list((folder / "tasks" / "calendars").glob("*.ics"))) == 42
    assert (folder / "simulation" / "statements" / "s0001.md").read_text(encoding="utf-8").startswith("# 提成结算单")
    assert (folder / "playbook.yaml").read_bytes() == (ROOT / "playbooks" / "brand-complete.yaml").read_bytes()


def test_demo_prints_what_the_readme_shows(demo: tuple[Path, str]) -> None:
    _, printed = demo
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("==> copy and validate the example playbook")
    shown = readme[start:readme.index("```", start)]
    def timeless(text: str) -> list[str]:
        return [re.sub(r" \(\d+\.\d s\)$", "", line) for line in text.splitlines()]
    lines = timeless(printed)
    for line in timeless(shown):
        if line.strip() != "…":
            assert line in lines, line
