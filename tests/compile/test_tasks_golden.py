"""`qunce tasks` on the golden cases in tests/golden/tasks/: each output compared byte for byte
(QUNCE_UPDATE_GOLDEN=1 rewrites them). The values that matter are asserted one by one in
tests/compile/test_tasks.py."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from qunce.cli import main

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "tasks"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "case.yaml").is_file())
UPDATE = bool(os.environ.get("QUNCE_UPDATE_GOLDEN"))


def case(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load((GOLDEN / name / "case.yaml").read_text(encoding="utf-8"))
    return loaded


def run(name: str, fmt: str, tmp_path: Path, *extra: str) -> str:
    """The task list of a case in `fmt` (English), as written to a file."""
    folder = GOLDEN / name
    spec = case(name)
    out = tmp_path / f"{name}.{fmt}"
    args = ["tasks", str(folder / "playbook.yaml"), "--roster", str(folder / "roster.yaml"), "--from",
            str(spec["from"]), "--to", str(spec["to"]), "--format", fmt, "--out", str(out), "--lang", "en", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def compare(actual: str, expected_path: Path) -> None:
    if UPDATE or not expected_path.exists():
        expected_path.write_text(actual, encoding="utf-8")
    assert actual == expected_path.read_text(encoding="utf-8"), f"{expected_path} differs"


@pytest.mark.parametrize("name", CASES)
def test_golden_task_lists(name: str, tmp_path: Path) -> None:
    pytest.importorskip("ibis")
    spec = case(name)
    folder = GOLDEN / name
    for fmt in (f for f in spec["outputs"] if f != "capacity"):
        compare(run(name, fmt, tmp_path), folder / f"tasks.{fmt}")
        if spec.get("events"):
            compare(run(name, fmt, tmp_path, "--events", str(folder / spec["events"])), folder / f"events.tasks.{fmt}")
    if "capacity" in spec["outputs"]:
        capacity = tmp_path / "capacity.csv"
        run(name, "csv", tmp_path, "--capacity", str(capacity))
        compare(capacity.read_text(encoding="utf-8"), folder / "capacity.csv")
