"""What validation does for speed leaves the process as it found it: the cycle collector paused
while validating, then back as the caller had it; anyone's frozen objects stay frozen."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from qunce.validation import validate_paths

PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"


@pytest.fixture(autouse=True)
def collector_as_it_was() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_comes_back_on() -> None:
    gc.enable()
    report = validate_paths([PLAYBOOKS / "flash.yaml"])
    assert report.files_checked == 1
    assert report.errors == 0
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_paused_collector_stays_paused() -> None:
    gc.disable()
    validate_paths([PLAYBOOKS / "flash.yaml"])
    assert not gc.isenabled()


def test_objects_someone_froze_stay_frozen() -> None:
    kept = [[] for _ in range(100)]
    gc.freeze()
    frozen = gc.get_freeze_count()
    validate_paths([PLAYBOOKS / "flash.yaml"])
    # Still frozen (a few may have been freed since; an unfreeze would leave none).
    assert gc.get_freeze_count() > frozen - 100
    assert len(kept) == 100


def test_the_same_findings_with_the_collector_paused_or_not() -> None:
    # Nothing validation computes depends on when the collector runs.
    gc.enable()
    first = validate_paths([PLAYBOOKS])
    gc.disable()
    second = validate_paths([PLAYBOOKS])
    assert first.files_checked == second.files_checked == 7
    assert first.diagnostics == second.diagnostics
