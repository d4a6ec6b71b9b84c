"""The what-if loop: a re-run with a commission weight changed reuses the kept stages, copies
their Parquet outputs from the cache rather than writing them again (simulate/outputs.py), writes
the same bytes as a run without the cache, and imports no pandas (~0.2 s of a small run)."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qunce.commands.data import DataRequest
from qunce.commands.simulate import SimulateRequest, run
from qunce.simulate import stage_cache

pytest.importorskip("ibis")

ROOT = Path(__file__).resolve().parents[2]
BRAND = ROOT / "playbooks" / "brand-complete.yaml"
COMMISSION = ROOT / "docs" / "examples" / "commission"
SKIP = (".qunce-manifest.json", "timings.json")


def _same_outputs(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir() if p.is_file() and p.name not in SKIP)
    assert names == sorted(p.name for p in b.iterdir() if p.is_file() and p.name not in SKIP)
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert not mismatch and not errors, mismatch
    if (a / "statements").is_dir():
        statements = sorted(p.name for p in (a / "statements").iterdir())
        _, mismatch, errors = filecmp.cmpfiles(a / "statements", b / "statements", statements, shallow=False)
        assert not mismatch and not errors, mismatch


def _reweighted(text: str, folder: Path, pairs: list[tuple[str, str]]) -> Path:
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new)
    path = folder / "reweighted.yaml"
    path.write_text(text, "utf-8")
    return path


def _brand_reweighted(folder: Path) -> Path:
    """The complete brand playbook with two commission weights moved."""
    return _reweighted(BRAND.read_text("utf-8"), folder, [("target: 150, weight: 0.25}", "target: 150, weight: 0.3}"),
                                                          ("target: 0.05, weight: 0.1,", "target: 0.05, weight: 0.05,")])


def _without_pandas(args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    """`qunce ARGS` in a process of its own, which fails when it imported pandas."""
    code = ("import sys; from qunce.cli import main\n"
            "try:\n    main(prog_name='qunce')\nexcept SystemExit as exit:\n    code = exit.code\n"
            "sys.exit('pandas imported' if 'pandas' in sys.modules else code)")
    env = {**os.environ, "QUNCE_CACHE_DIR": str(cache)}
    env.pop("QUNCE_NO_CACHE", None)
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, cwd=ROOT)


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few groups' ten days of the complete brand playbook (groups, members, SOP, commission)."""
    from click.testing import CliRunner

    from qunce.cli import main

    folder = tmp_path_factory.mktemp("month")
    result = CliRunner().invoke(main, ["events", "generate", str(BRAND), "--out", str(folder / "events.parquet"),
                                       "--groups", "4", "--members", "400", "--days", "10", "--start", "2027-01-01"])
    assert result.exit_code == 0, result.output
    return folder


def test_a_reweighted_rerun_copies_the_kept_stages_and_imports_no_pandas(month: Path, tmp_path: Path,
                                                                         _private_cache: Path) -> None:
    data = DataRequest(month / "events.parquet", month / "events.roster.yaml")
    first = run(SimulateRequest(BRAND, data, tmp_path / "first"))
    assert first.status == 0 and first.reused == []
    what_if = _brand_reweighted(tmp_path)
    done = _without_pandas(["simulate", str(what_if), "--events", str(data.events), "--roster", str(data.roster),
                            "--out", str(tmp_path / "again"), "--xlsx", "--lang", "zh"], _private_cache)
    assert done.returncode == 0, done.stderr
    assert "群、成员、SOP 考核的计算结果取自缓存" in done.stdout + done.stderr
    fresh = run(SimulateRequest(what_if, DataRequest(data.events, data.roster, cache=False), tmp_path / "fresh",
                                xlsx=True, lang="zh"))
    assert fresh.status == 0 and fresh.reused == []
    _same_outputs(tmp_path / "again", tmp_path / "fresh")
    assert (tmp_path / "again" / "payouts.csv").read_bytes() != (tmp_path / "first" / "payouts.csv").read_bytes()
    # The reused stages' Parquet outputs are the kept files themselves, copied.
    kept = {p.name: p.read_bytes() for entry in _private_cache.glob(f"{stage_cache.PREFIX}*") for p in entry.glob("*.parquet")}
    assert {"group_daily.parquet", "points_ledger.parquet", "sop_tasks.parquet"} <= set(kept)
    assert all((tmp_path / "again" / name).read_bytes() == content for name, content in kept.items())


def _first_and_changed(tmp_path: Path) -> tuple[DataRequest, Path]:
    folder = tmp_path / "commission"
    shutil.copytree(COMMISSION, folder)
    data = DataRequest(folder / "events.csv", folder / "roster.yaml")
    assert run(SimulateRequest(folder / "playbook.yaml", data, tmp_path / "first")).status == 0
    text = (folder / "playbook.yaml").read_text("utf-8")
    changed = _reweighted(text, folder, [("target: 4, weight: 0.4}\n    - {id: sales, name: 销售额, metric: sales, target: 1000, weight: 0.4}",
                                          "target: 4, weight: 0.5}\n    - {id: sales, name: 销售额, metric: sales, target: 1000, weight: 0.3}")])
    fresh = run(SimulateRequest(changed, DataRequest(data.events, data.roster, cache=False), tmp_path / "fresh"))
    assert fresh.status == 0
    return data, changed


@pytest.mark.parametrize("descriptors", [True, False], ids=["read-through-descriptors", "loaded"])
def test_entries_removed_after_the_lookup_change_nothing(tmp_path: Path, _private_cache: Path, descriptors: bool,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Another run's clean-up may remove the entries while this one reads them: the views read
    # the files through descriptors held open (Linux); loaded tables, where there are none, are
    # written as any other once their files cannot be copied.
    from qunce.events import cached_tables

    if not descriptors:
        monkeypatch.setattr(cached_tables, "_FDS", tmp_path / "no-such-folder")
    elif not cached_tables._FDS.is_dir():
        pytest.skip("no /proc/self/fd here")
    data, changed = _first_and_changed(tmp_path)
    lookup = stage_cache.cached_members

    def then_removed(ctx: Any) -> Any:
        found = lookup(ctx)
        for entry in _private_cache.glob(f"{stage_cache.PREFIX}*"):
            shutil.rmtree(entry)
        return found

    monkeypatch.setattr(stage_cache, "cached_members", then_removed)
    again = run(SimulateRequest(changed, data, tmp_path / "again"))
    assert again.status == 0 and again.reused == ["groups", "members"]
    _same_outputs(tmp_path / "again", tmp_path / "fresh")


def test_csv_only_and_parquet_only_reruns_write_the_same_bytes(tmp_path: Path) -> None:
    data, changed = _first_and_changed(tmp_path)
    for formats in (("csv",), ("parquet",)):
        again = run(SimulateRequest(changed, data, tmp_path / f"again-{formats[0]}", formats=formats))
        fresh = run(SimulateRequest(changed, DataRequest(data.events, data.roster, cache=False),
                                    tmp_path / f"fresh-{formats[0]}", formats=formats))
        assert again.reused == ["groups", "members"] and fresh.reused == []
        _same_outputs(tmp_path / f"again-{formats[0]}", tmp_path / f"fresh-{formats[0]}")


def test_a_commission_only_diff_imports_no_pandas(month: Path, tmp_path: Path, _private_cache: Path) -> None:
    import json

    data = DataRequest(month / "events.parquet", month / "events.roster.yaml")
    assert run(SimulateRequest(BRAND, data, tmp_path / "first")).status == 0
    done = _without_pandas(["diff", str(BRAND), str(_brand_reweighted(tmp_path)), "--events", str(data.events),
                            "--roster", str(data.roster), "--format", "json"], _private_cache)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["level_changes"] == {"count": 0, "members": []}
    assert doc["payouts"]["total"]["before"] != doc["payouts"]["total"]["after"]


def test_a_diff_whose_levels_change_imports_no_pandas(month: Path, tmp_path: Path, _private_cache: Path) -> None:
    import json

    data = DataRequest(month / "events.parquet", month / "events.roster.yaml")
    lower = _reweighted(BRAND.read_text("utf-8"), tmp_path, [  # silver's thresholds lowered
        ("promote_when: points_90d >= 300\n", "promote_when: points_90d >= 30\n"),
        ("keep_when: points_90d >= 240\n", "keep_when: points_90d >= 24\n")])
    done = _without_pandas(["diff", str(BRAND), str(lower), "--events", str(data.events), "--roster", str(data.roster),
                            "--format", "json"], _private_cache)
    assert done.returncode == 0, done.stderr
    changes = json.loads(done.stdout)["level_changes"]
    assert changes["count"] > 0 and changes["count"] == len(changes["members"])
    assert all(m["old"] != m["new"] for m in changes["members"])
