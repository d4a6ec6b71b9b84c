"""Events read once (events/event_cache.py): a hit on the same input, a miss on each part of the
key, a damaged or half-written entry never read, two runs at once, the size bound, and outputs
byte-identical with and without the cache."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qunce.commands.data import DataCheck, DataRequest, load
from qunce.events import event_cache
from qunce.load import load_playbook

pytest.importorskip("ibis")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "simulate"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder)
    return folder


def _playbook(folder: Path, timezone: str | None = None) -> object:
    text = (folder / "playbook.yaml").read_text("utf-8")
    if timezone:
        text = text.replace("timezone: Asia/Shanghai", f"timezone: {timezone}")
    path = folder / ("playbook.yaml" if timezone is None else "other-zone.yaml")
    path.write_text(text, "utf-8")
    loaded = load_playbook(path)
    assert loaded.playbook is not None
    return loaded.playbook


def _load(folder: Path, timezone: str | None = None, **request: object) -> DataCheck:
    check = DataCheck()
    data = DataRequest(folder / "events.csv", folder / "roster.yaml", **request)  # type: ignore[arg-type]
    ctx = load(_playbook(folder, timezone), data, check)  # type: ignore[arg-type]
    assert ctx is not None
    check.rows["events"] = sorted(ctx.events.to_pyarrow().to_pylist(), key=lambda r: r["row"])
    return check


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob(f"{event_cache.PREFIX}*"))


def test_a_second_read_is_a_hit_with_the_same_events(example: Path, _private_cache: Path) -> None:
    first = _load(example)
    second = _load(example)
    assert not first.cached and second.cached
    assert len(_entries(_private_cache)) == 1
    assert first.rows == second.rows  # counts, reasons, what was read, and every event


def test_the_window_and_skip_bad_rows_are_not_part_of_the_key(example: Path) -> None:
    import datetime as dt

    _load(example)
    assert _load(example, start=dt.date(2027, 1, 2), skip_bad_rows=True).cached


@pytest.mark.parametrize("change", ["events", "roster", "timezone", "encoding", "code"])
def test_each_part_of_the_key_misses(change: str, example: Path, _private_cache: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _load(example)
    timezone = None
    request: dict[str, object] = {}
    if change == "events":
        with (example / "events.csv").open("a", encoding="utf-8") as file:
            file.write("\n")  # same rows, one more byte
    elif change == "roster":
        (example / "roster.yaml").write_text((example / "roster.yaml").read_text("utf-8") + "\n", "utf-8")
    elif change == "timezone":
        timezone = "Asia/Tokyo"
    elif change == "encoding":
        request["encoding"] = "utf-8"
    else:
        monkeypatch.setattr(event_cache, "code_fingerprint", lambda: ["another qunce"])
    assert not _load(example, timezone, **request).cached
    assert len(_entries(_private_cache)) == 2


def test_a_mapping_is_part_of_the_key(example: Path, _private_cache: Path) -> None:
    _load(example)
    (example / "events.mapping.yaml").write_text("columns: {}\n", "utf-8")
    assert not _load(example).cached


def test_no_cache_and_the_environment_turn_it_off(example: Path, _private_cache: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _load(example, cache=False)
    assert not _entries(_private_cache)
    monkeypatch.setenv("QUNCE_NO_CACHE", "1")
    _load(example)
    _load(example)
    assert not _entries(_private_cache)


def test_a_damaged_entry_is_read_again_and_replaced_next_time(example: Path, _private_cache: Path) -> None:
    good = _load(example)
    (entry,) = _entries(_private_cache)
    (entry / "events.parquet").write_bytes(b"PAR1 not really")
    again = _load(example)
    assert not again.cached and again.rows == good.rows
    shutil.rmtree(entry)
    _load(example)
    assert _load(example).cached


def test_a_half_written_entry_is_never_read(example: Path, _private_cache: Path) -> None:
    _load(example)
    (entry,) = _entries(_private_cache)
    hidden = entry.with_name(f".{entry.name}.123.tmp")
    entry.rename(hidden)
    (hidden / "entry.json").unlink()
    assert not _load(example).cached  # the hidden folder is not an entry


def test_the_size_bound_removes_the_least_recently_used(_private_cache: Path) -> None:
    for i, name in enumerate(["a", "b", "c"]):
        entry = _private_cache / f"{event_cache.PREFIX}{name}"
        entry.mkdir()
        (entry / "events.parquet").write_bytes(b"x" * (600 << 10))
        os.utime(entry, ns=(i * 10**9, i * 10**9))
    removed = event_cache.bound(_private_cache, limit_mb=1)
    assert [p.name for p in removed] == [f"{event_cache.PREFIX}a", f"{event_cache.PREFIX}b"]
    assert [p.name for p in _entries(_private_cache)] == [f"{event_cache.PREFIX}c"]


def test_two_runs_at_once_share_the_cache(example: Path, _private_cache: Path) -> None:
    script = ("import sys; from click.testing import CliRunner; from qunce.cli import main; "
              "r = CliRunner().invoke(main, sys.argv[1:]); print(r.output); sys.exit(r.exit_code)")
    runs = [subprocess.Popen([sys.executable, "-c", script, "simulate", str(example / "playbook.yaml"),
                              "--events", str(example / "events.csv"), "--roster", str(example / "roster.yaml"),
                              "--out", str(example.parent / f"out{i}")],
                             env={**os.environ, "QUNCE_CACHE_DIR": str(_private_cache)},
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for i in range(2)]
    for run in runs:
        out, _ = run.communicate(timeout=300)
        assert run.returncode == 0, out.decode()
    assert len(_entries(_private_cache)) == 1
    assert not list(_private_cache.glob(".events-*"))
    _same_outputs(example.parent / "out0", example.parent / "out1")
    assert _load(example).cached


def test_outputs_are_byte_identical_with_and_without_the_cache(example: Path) -> None:
    from click.testing import CliRunner

    from qunce.cli import main

    outs = []
    for i, extra in enumerate([[], [], ["--no-cache"]]):
        out = example.parent / f"sim{i}"
        result = CliRunner().invoke(main, ["simulate", str(example / "playbook.yaml"), "--events",
                                           str(example / "events.csv"), "--roster", str(example / "roster.yaml"),
                                           "--out", str(out), *extra])
        assert result.exit_code == 0, result.output
        assert ("事件取自缓存" in result.output) == (i == 1)
        outs.append(out)
    _same_outputs(outs[0], outs[1])
    _same_outputs(outs[0], outs[2])


def _same_outputs(a: Path, b: Path) -> None:
    names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    differ = [n for n in names if n.name not in (".qunce-manifest.json", "timings.json")
              and not filecmp.cmp(a / n, b / n, shallow=False)]
    assert not differ
