"""Commands that run a playbook take its check from the validation cache while its files are
unchanged (validation.checked_playbook): loaded, not checked again; the warnings still shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import qunce.checks
from qunce.validation import checked_playbook

WARNED = """playbook: 缓存测试
roles:
  owner: {name: 群主}
lifecycle:
  - {id: alive, name: 社群, when: "interaction_rate_7d >= 0.1"}
sop:
  - {id: topic, name: 话题, role: owner, every: daily 20:00}
"""


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the checks ran."""
    calls: list[int] = []
    real = qunce.checks.run_checks

    def run_checks(context: object) -> object:
        calls.append(1)
        return real(context)  # type: ignore[arg-type]

    monkeypatch.setattr(qunce.checks, "run_checks", run_checks)
    return calls


def _codes(report: object) -> list[str]:
    return [d.code for d in report.diagnostics]  # type: ignore[attr-defined]


def test_an_unchanged_playbook_is_loaded_not_checked_again(tmp_path: Path, _private_cache: Path,
                                                           counted: list[int]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(WARNED, encoding="utf-8")
    first, report = checked_playbook(path)
    assert first is not None and _codes(report) == ["Q506"] and counted == [1]
    second, again = checked_playbook(path)
    assert counted == [1]  # from the cache
    assert second is not None and second.sop[0].id == "topic"
    assert _codes(again) == ["Q506"] and again.warnings == 1 and again.errors == 0
    assert again.diagnostics[0].span == report.diagnostics[0].span
    assert list(_private_cache.glob("validate-*.json"))


def test_a_changed_playbook_is_checked_again(tmp_path: Path, _private_cache: Path, counted: list[int]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(WARNED, encoding="utf-8")
    assert checked_playbook(path)[0] is not None
    path.write_text(WARNED.replace("role: owner", "role: onwer"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    playbook, report = checked_playbook(path)
    assert playbook is None and report.errors == 1 and "Q402" in _codes(report)
    assert counted == [1, 1]


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_without_the_cache_it_is_checked_each_time(tmp_path: Path, _private_cache: Path, counted: list[int],
                                                   monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(WARNED, encoding="utf-8")
    if how == "environment":
        monkeypatch.setenv("QUNCE_NO_CACHE", "1")
    for _ in range(2):
        playbook, report = checked_playbook(path, use_cache=how != "argument")
        assert playbook is not None and _codes(report) == ["Q506"]
    assert counted == [1, 1]
    assert not list(_private_cache.glob("validate-*.json"))


def test_simulate_no_cache_checks_the_playbook_again(tmp_path: Path, _private_cache: Path,
                                                     counted: list[int]) -> None:
    from qunce.commands.data import DataRequest
    from qunce.commands.simulate import SimulateRequest, run

    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "simulate"

    def simulate(cache: bool) -> int:
        data = DataRequest(events=example / "events.csv", roster=example / "roster.yaml", cache=cache)
        return run(SimulateRequest(playbook=example / "playbook.yaml", data=data, out=tmp_path / "out")).status

    assert simulate(cache=True) == 0 and counted == [1]
    assert simulate(cache=True) == 0 and counted == [1]
    assert simulate(cache=False) == 0 and counted == [1, 1]
