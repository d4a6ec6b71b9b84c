"""The group and member stages kept across runs (simulate/stage_cache.py): a re-run whose
playbook changed only where a stage does not read reuses that stage; every change a stage reads,
another window or other data computes it again; a damaged entry is computed again; and the
outputs are byte-identical to a run without the cache."""

from __future__ import annotations

import dataclasses
import filecmp
import shutil
from pathlib import Path

import pytest

from qunce.commands.data import DataRequest
from qunce.commands.simulate import SimulateOutcome, SimulateRequest, run
from qunce.simulate import stage_cache
from qunce.simulate.group_stage import GroupResult
from qunce.simulate.members import MemberResult

pytest.importorskip("ibis")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    folder = tmp_path / "simulate"
    shutil.copytree(EXAMPLES / "simulate", folder)
    return folder


@pytest.fixture
def commission(tmp_path: Path) -> Path:
    folder = tmp_path / "commission"
    shutil.copytree(EXAMPLES / "commission", folder)
    return folder


def _variant(folder: Path, name: str, old: str, new: str) -> Path:
    text = (folder / "playbook.yaml").read_text("utf-8")
    assert old in text
    path = folder / name
    path.write_text(text.replace(old, new), "utf-8")
    return path


def _simulate(folder: Path, playbook: Path, out: str, **data: object) -> SimulateOutcome:
    request = SimulateRequest(playbook, DataRequest(folder / "events.csv", folder / "roster.yaml", **data),  # type: ignore[arg-type]
                              folder.parent / out)
    outcome = run(request)
    assert outcome.status == 0
    return outcome


def _same_outputs(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir() if p.is_file())
    assert names == sorted(p.name for p in b.iterdir() if p.is_file())
    differ = [n for n in names if n not in (".qunce-manifest.json", "timings.json", "summary.json")
              and not filecmp.cmp(a / n, b / n, shallow=False)]
    assert not differ


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob(f"{stage_cache.PREFIX}*"))


def test_every_table_of_a_stage_result_is_kept() -> None:
    # A table a stage adds to its result must be kept too, or a reused run would lack its file.
    assert {f.name for f in dataclasses.fields(GroupResult)} == {f for f, _ in stage_cache.GROUP_TABLES}
    # features and homes are read by later stages of the same run only (the SOP assessment works
    # its homes out again when the members are reused)
    assert {f.name for f in dataclasses.fields(MemberResult)} - {"features", "homes"} == {
        f for f, _ in stage_cache.MEMBER_TABLES}


def test_a_changed_commission_weight_reuses_both_stages(commission: Path, _private_cache: Path) -> None:
    first = _simulate(commission, commission / "playbook.yaml", "first")
    assert first.reused == [] and len(_entries(_private_cache)) == 2
    changed = _variant(commission, "weights.yaml", "target: 4, weight: 0.4}\n    - {id: sales, name: 销售额, metric: sales, target: 1000, weight: 0.4}",
                       "target: 4, weight: 0.5}\n    - {id: sales, name: 销售额, metric: sales, target: 1000, weight: 0.3}")
    again = _simulate(commission, changed, "again")
    assert again.reused == ["groups", "members"]
    fresh = _simulate(commission, changed, "fresh", cache=False)
    assert fresh.reused == []
    _same_outputs(commission.parent / "again", commission.parent / "fresh")
    payouts = [(commission.parent / run_ / "payouts.csv").read_bytes() for run_ in ("first", "again")]
    assert payouts[0] != payouts[1]  # the weight changed the pay: the commission really ran again


def test_a_changed_level_reuses_the_groups_only(example: Path, _private_cache: Path) -> None:
    _simulate(example, example / "playbook.yaml", "first")
    changed = _variant(example, "levels.yaml", "近90天积分 >= 50", "近90天积分 >= 60")
    again = _simulate(example, changed, "again")
    assert again.reused == ["groups"]
    _simulate(example, changed, "fresh", cache=False)
    _same_outputs(example.parent / "again", example.parent / "fresh")


@pytest.mark.parametrize("old, new", [
    ("interaction_rate_7d >= 0.2", "interaction_rate_7d >= 0.3"),  # the lifecycle: the group stage
    ("timezone: Asia/Shanghai", "timezone: Asia/Shanghai\nmetrics: {members_basis: end}"),  # a metric convention
])
def test_a_change_the_groups_read_reuses_nothing(example: Path, old: str, new: str, _private_cache: Path) -> None:
    _simulate(example, example / "playbook.yaml", "first")
    again = _simulate(example, _variant(example, "changed.yaml", old, new), "again")
    assert again.reused == []


def test_a_renamed_playbook_reuses_both(example: Path, _private_cache: Path) -> None:
    _simulate(example, example / "playbook.yaml", "first")
    again = _simulate(example, _variant(example, "renamed.yaml", "playbook: 模拟测试剧本", "playbook: 另一个名字"), "again")
    assert again.reused == ["groups", "members"]
    _same_outputs(example.parent / "first", example.parent / "again")


def test_another_window_or_other_data_computes_again(example: Path, _private_cache: Path) -> None:
    import datetime as dt

    _simulate(example, example / "playbook.yaml", "first")
    assert _simulate(example, example / "playbook.yaml", "window", end=dt.date(2027, 1, 20)).reused == []
    with (example / "events.csv").open("a", encoding="utf-8") as events:
        events.write("\n")  # the file changed: another events entry, other stages
    assert _simulate(example, example / "playbook.yaml", "data").reused == []


def test_csv_only_runs_keep_their_stages_too(example: Path, _private_cache: Path) -> None:
    first = run(SimulateRequest(example / "playbook.yaml", DataRequest(example / "events.csv", example / "roster.yaml"),
                                example.parent / "first", formats=("csv",)))
    assert first.status == 0
    again = _simulate(example, example / "playbook.yaml", "again")
    assert again.reused == ["groups", "members"]
    assert _simulate(example, example / "playbook.yaml", "fresh", cache=False).reused == []
    _same_outputs(example.parent / "again", example.parent / "fresh")


def test_a_damaged_entry_is_computed_again(example: Path, _private_cache: Path) -> None:
    _simulate(example, example / "playbook.yaml", "first")
    for entry in _entries(_private_cache):
        for table in entry.glob("*.parquet"):
            table.write_bytes(b"not parquet")
    again = _simulate(example, example / "playbook.yaml", "again")
    assert again.reused == []
    _same_outputs(example.parent / "first", example.parent / "again")


def test_no_cache_keeps_no_stage(example: Path, _private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _simulate(example, example / "playbook.yaml", "first", cache=False)
    assert _entries(_private_cache) == []
    monkeypatch.setenv("QUNCE_NO_CACHE", "1")
    assert _simulate(example, example / "playbook.yaml", "second").reused == []
    assert _entries(_private_cache) == []


def test_the_entries_do_not_change_when_the_outputs_are_replaced(example: Path, _private_cache: Path) -> None:
    # The outputs' Parquet files are copied into the entry: the entry and the outputs are apart.
    _simulate(example, example / "playbook.yaml", "out")
    before = {p: p.read_bytes() for entry in _entries(_private_cache) for p in entry.iterdir()}
    _simulate(example, _variant(example, "levels.yaml", "近90天积分 >= 50", "近90天积分 >= 60"), "out")
    assert all(p.read_bytes() == content for p, content in before.items())


def test_diff_and_explain_use_the_kept_group_stage(commission: Path, _private_cache: Path) -> None:
    from qunce.commands.diff import DiffRequest
    from qunce.commands.diff import run as diff

    changed = _variant(commission, "weights.yaml", "target: 2, weight: 0.2", "target: 3, weight: 0.2")
    data = DataRequest(commission / "events.csv", commission / "roster.yaml")
    without = diff(DiffRequest(commission / "playbook.yaml", changed, data=dataclasses.replace(data, cache=False)))
    _simulate(commission, commission / "playbook.yaml", "first")
    with_kept = diff(DiffRequest(commission / "playbook.yaml", changed, data=data))
    assert with_kept.text == without.text
    from qunce.commands.explain import ExplainRequest
    from qunce.commands.explain import run as explain

    fresh = explain(ExplainRequest(commission / "playbook.yaml", dataclasses.replace(data, cache=False), staff_id="s1"))
    kept = explain(ExplainRequest(commission / "playbook.yaml", data, staff_id="s1"))
    assert kept.lines == fresh.lines and any("s1" in line or "王芳" in line for line in kept.lines)


def test_the_terminal_says_which_stages_were_reused(example: Path, _private_cache: Path) -> None:
    from click.testing import CliRunner

    from qunce.cli import main

    changed = _variant(example, "levels.yaml", "近90天积分 >= 50", "近90天积分 >= 60")
    said = []
    for playbook, out in [(example / "playbook.yaml", "first"), (changed, "again")]:
        result = CliRunner().invoke(main, ["simulate", str(playbook), "--events", str(example / "events.csv"),
                                           "--roster", str(example / "roster.yaml"), "--out", str(example.parent / out)])
        assert result.exit_code == 0, result.output
        said.append(result.output)
    assert "计算结果取自缓存" not in said[0]
    assert "群的计算结果取自缓存：数据和相关规则与此前一次运行相同（--no-cache 重新计算）" in said[1]
