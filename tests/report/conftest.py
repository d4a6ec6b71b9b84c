"""One simulated folder for every report test: the complete example on a small generated month
and a half (12 groups, 800 members), with the report written by `simulate --report`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = ROOT / "playbooks" / "brand-complete.yaml"


@pytest.fixture(scope="session")
def sim_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("ibis")
    from qunce.commands.data import DataRequest
    from qunce.commands.simulate import SimulateRequest, run
    from qunce.events.generate import generate_files
    from qunce.load import load_playbook

    playbook = load_playbook(PLAYBOOK).playbook
    assert playbook is not None
    folder = tmp_path_factory.mktemp("report")
    events, roster, _ = generate_files(playbook, folder / "events.parquet", 12, 800, 45, dt.date(2027, 1, 4), 1)
    outcome = run(SimulateRequest(PLAYBOOK, DataRequest(events, roster), folder / "out", report=True))
    assert outcome.status == 0
    return folder / "out"


@pytest.fixture(scope="module")
def page(sim_dir: Path) -> str:
    """The report page `simulate --report` wrote."""
    return (sim_dir / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def summary(sim_dir: Path) -> dict[str, Any]:
    """The folder's summary.json."""
    document: dict[str, Any] = json.loads((sim_dir / "summary.json").read_text(encoding="utf-8"))
    return document
