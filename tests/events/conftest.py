"""Fixtures shared by the events tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from qunce.load import load_playbook
from qunce.model import Playbook

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def brand() -> Playbook:
    """The complete brand playbook (what `qunce events generate` and the demo use)."""
    loaded = load_playbook(ROOT / "playbooks" / "brand-complete.yaml").playbook
    assert loaded is not None
    return loaded
