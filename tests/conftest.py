"""Every test gets its own empty result cache, so no test sees another's (or the user's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path_factory.mktemp("qunce-cache")
    monkeypatch.setenv("QUNCE_CACHE_DIR", str(folder))
    monkeypatch.delenv("QUNCE_NO_CACHE", raising=False)
    return folder


@pytest.fixture(scope="session")
def brand() -> Any:
    """The complete brand playbook (what `qunce events generate` and the demo use), loaded once."""
    from qunce.load import load_playbook

    loaded = load_playbook(Path(__file__).resolve().parents[1] / "playbooks" / "brand-complete.yaml").playbook
    assert loaded is not None
    return loaded


@pytest.fixture
def example_context() -> Any:
    """A loader of docs/examples/NAME (playbook.yaml, events.csv, roster.yaml) into a simulation
    context, read afresh (no cache): `example_context("sop")`."""
    from qunce.commands.data import DataCheck, DataRequest, load
    from qunce.validation import checked_playbook

    def loaded(name: str) -> Any:
        example = Path(__file__).resolve().parents[1] / "docs" / "examples" / name
        playbook, _ = checked_playbook(example / "playbook.yaml", use_cache=False)
        assert playbook is not None
        ctx = load(playbook, DataRequest(example / "events.csv", example / "roster.yaml", cache=False), DataCheck())
        assert ctx is not None
        return ctx

    return loaded
