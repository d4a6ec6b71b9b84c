"""`qunce diff` of playbooks that differ only in the commission reuses the old scenario's groups
and members (issue "A fast what-if loop"): the comparison is the same as running every stage
twice, and a change outside the commission still runs them again."""

from __future__ import annotations

from pathlib import Path

import pytest

from qunce.commands.data import DataCheck, DataRequest, load
from qunce.compare import scenario
from qunce.compare.document import document, names_for, render_json
from qunce.load import load_playbook

pytest.importorskip("ibis")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "commission"


def _real() -> object:
    from qunce.simulate import members

    return members.simulate_members


REAL_SIMULATE_MEMBERS = _real()


def _playbook(path: Path) -> object:
    loaded = load_playbook(path)
    assert loaded.playbook is not None
    return loaded.playbook


def _variant(tmp_path: Path, old: str, new: str) -> object:
    text = (EXAMPLE / "playbook.yaml").read_text("utf-8")
    assert old in text
    path = tmp_path / "variant.yaml"
    path.write_text(text.replace(old, new), "utf-8")
    return _playbook(path)


def _compare(new: object, reuse: bool, calls: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    from qunce.simulate import members

    real = REAL_SIMULATE_MEMBERS

    def counted(ctx: object) -> object:
        calls.append("members")
        return real(ctx)  # type: ignore[operator]

    monkeypatch.setattr(members, "simulate_members", counted)
    old = _playbook(EXAMPLE / "playbook.yaml")
    ctx = load(old, DataRequest(EXAMPLE / "events.csv", EXAMPLE / "roster.yaml"), DataCheck())  # type: ignore[arg-type]
    assert ctx is not None
    pair = scenario.run_pair(ctx, new, reuse=reuse)  # type: ignore[arg-type]
    return render_json(document(pair, "old.yaml", "new.yaml", names_for(old, new)))  # type: ignore[arg-type]


def test_a_commission_change_reuses_groups_and_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    new = _variant(tmp_path, "pool: {per_group: 1000}", "pool: {per_group: 1200}")
    reused: list[str] = []
    twice: list[str] = []
    fast = _compare(new, True, reused, monkeypatch)
    slow = _compare(new, False, twice, monkeypatch)
    assert fast == slow
    assert '"total_change"' in fast or "payouts" in fast
    assert len(reused) == 1 and len(twice) == 2


def test_a_change_elsewhere_runs_every_stage_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    new = _variant(tmp_path, "name: 引流群", "name: 引流群二")
    calls: list[str] = []
    _compare(new, True, calls, monkeypatch)
    assert len(calls) == 2


def test_what_no_stage_reads_does_not_count() -> None:
    old = _playbook(EXAMPLE / "playbook.yaml")
    renamed = old.model_copy(update={"playbook": "另一个名字", "description": "说明"})  # type: ignore[attr-defined]
    assert scenario.same_apart_from_commission(old, renamed)  # type: ignore[arg-type]
