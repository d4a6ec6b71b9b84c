"""Output folders replaced whole (qunce.output_folder): the previous run or the new one, never a
mix; nothing qunce did not write is ever deleted; a killed run leaves one whole run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce import output_folder
from qunce.cli import main
from qunce.errors import InputError, UsageError
from qunce.output_folder import MANIFEST, replaced_whole

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "simulate"
DATA = ["--events", str(EXAMPLE / "events.csv"), "--roster", str(EXAMPLE / "roster.yaml")]


def write_run(out: Path, files: dict[str, str]) -> None:
    with replaced_whole(out) as staged:
        for name, text in files.items():
            (staged.path / name).parent.mkdir(parents=True, exist_ok=True)
            (staged.path / name).write_text(text, encoding="utf-8")


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


def test_a_new_folder_gets_the_run_and_its_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_run(out, {"a.csv": "x\n", "sub/b.md": "# b\n"})
    assert listing(out) == [MANIFEST, "a.csv", "sub/b.md"]
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == ["a.csv", "sub/b.md"]
    assert manifest["files"]["a.csv"][0] == 2  # size in bytes
    assert siblings(out) == []  # no staging folder left
    assert oct(out.stat().st_mode & 0o777) == oct(0o777 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_previous_run_is_replaced_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool) -> None:
    if not exchange:
        monkeypatch.setattr(output_folder, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    write_run(out, {"old.csv": "old\n", "both.csv": "old\n"})
    write_run(out, {"new.csv": "new\n", "both.csv": "new\n"})
    assert listing(out) == [MANIFEST, "both.csv", "new.csv"]
    assert (out / "both.csv").read_text(encoding="utf-8") == "new\n"
    assert siblings(out) == []


def test_a_folder_with_the_users_own_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_run(out, {"a.csv": "x\n"})
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match=r"holds files qunce did not write or that changed since \(notes.txt\)"):
        write_run(out, {"a.csv": "y\n"})
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "a.csv").read_text(encoding="utf-8") == "x\n"
    assert siblings(out) == []


def test_a_file_changed_since_qunce_wrote_it_is_the_users(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_run(out, {"playbook.yaml": "playbook: a\n"})
    time.sleep(0.01)
    (out / "playbook.yaml").write_text("playbook: edited by hand\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        write_run(out, {"playbook.yaml": "playbook: a\n"})
    assert "playbook.yaml" in caught.value.en and "playbook.yaml" in caught.value.zh
    assert (out / "playbook.yaml").read_text(encoding="utf-8") == "playbook: edited by hand\n"


def test_a_folder_qunce_did_not_write_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "data"
    out.mkdir()
    (out / "events.csv").write_text("ts\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"events\.csv"):
        write_run(out, {"a.csv": "x\n"})
    assert listing(out) == ["events.csv"]


def test_an_empty_folder_is_fine(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    write_run(out, {"a.csv": "x\n"})
    assert listing(out) == [MANIFEST, "a.csv"]


def test_links_are_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    write_run(out, {"a.csv": "x\n"})
    (out / "statements").symlink_to(elsewhere)
    with pytest.raises(InputError, match="statements"):
        write_run(out, {"a.csv": "y\n"})
    link = tmp_path / "link"
    link.symlink_to(elsewhere)
    with pytest.raises(InputError, match="is a file or a link"):
        write_run(link, {"a.csv": "y\n"})
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("where", ["/", "~"])
def test_the_root_and_the_home_folder_are_refused(where: str) -> None:
    with pytest.raises(UsageError, match="refusing to write a run over"):
        write_run(Path(os.path.expanduser(where)), {"a.csv": "x\n"})


def test_an_error_leaves_the_previous_run_and_no_staging(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_run(out, {"a.csv": "old\n"})
    with pytest.raises(RuntimeError), replaced_whole(out) as staged:
        (staged.path / "a.csv").write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")
    assert (out / "a.csv").read_text(encoding="utf-8") == "old\n"
    assert siblings(out) == []


def test_a_cancelled_run_publishes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with replaced_whole(out) as staged:
        (staged.path / "a.csv").write_text("x", encoding="utf-8")
        staged.cancel()
    assert not out.exists() and siblings(out) == []


def test_a_killed_runs_leftovers_are_cleaned_or_put_back(tmp_path: Path) -> None:
    dead = _dead_pid()
    out = tmp_path / "out"
    stale = tmp_path / f".out.qunce-staging-{dead}-abc"
    stale.mkdir()
    (stale / "half.csv").write_text("x", encoding="utf-8")
    # a previous run left aside by a kill between the two renames of the fallback
    write_run(tmp_path / "kept", {"a.csv": "previous\n"})
    (tmp_path / "kept").rename(tmp_path / f".out.qunce-previous-{dead}")
    another = tmp_path / f".out.qunce-staging-{dead}-second"
    another.mkdir()
    (another / MANIFEST).write_text("{}", encoding="utf-8")
    with replaced_whole(out) as staged:
        assert (out / "a.csv").read_text(encoding="utf-8") == "previous\n"  # put back first
        (staged.path / "b.csv").write_text("new\n", encoding="utf-8")
    assert listing(out) == [MANIFEST, "b.csv"]
    assert siblings(out) == []
    other = tmp_path / ".other.qunce-staging-1-x"  # another folder's, or not named as qunce names: untouched
    other.mkdir()
    write_run(out, {"c.csv": "c\n"})
    assert other.exists()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# --- the commands -----------------------------------------------------------------------------


def test_simulate_refuses_a_folder_with_the_users_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "rejected.csv").write_text("my own notes\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", str(EXAMPLE / "playbook.yaml"), *DATA, "--out", str(out),
                                       "--lang", "zh"])
    assert result.exit_code == 2
    assert result.output.startswith(f"qunce: --out {out} 中有不是 qunce 写入的文件")
    assert listing(out) == ["rejected.csv"]


def test_demo_refuses_to_overwrite_an_edited_playbook(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    first = CliRunner().invoke(main, ["demo", str(folder), "--lang", "en"])
    assert first.exit_code == 0, first.output
    assert f"{folder}/events.parquet" in first.output and "qunce-staging" not in first.output
    summary = json.loads((folder / "simulation" / "summary.json").read_text(encoding="utf-8"))
    assert summary["inputs"]["events"] == f"{folder}/events.parquet"  # the final path, not the staging one
    time.sleep(0.01)
    (folder / "playbook.yaml").write_text((folder / "playbook.yaml").read_text(encoding="utf-8") + "# mine\n",
                                          encoding="utf-8")
    again = CliRunner().invoke(main, ["demo", str(folder), "--lang", "en"])
    assert again.exit_code == 2
    assert "playbook.yaml" in again.output and "never deletes what it did not write" in again.output
    assert (folder / "playbook.yaml").read_text(encoding="utf-8").endswith("# mine\n")


def test_a_killed_simulation_leaves_one_whole_run(tmp_path: Path) -> None:
    """SIGKILL at many moments of a run that replaces an earlier one (CSV only → Parquet only),
    found by watching for its staging folder: the folder always holds one whole run."""
    env = {**os.environ, "QUNCE_LANG": "en"}
    command = [sys.executable, "-m", "qunce", "simulate", str(EXAMPLE / "playbook.yaml"), *DATA]
    reference = {}
    for fmt in ("csv", "parquet"):
        done = subprocess.run([*command, "--out", str(tmp_path / fmt), "--formats", fmt], env=env,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        reference[fmt] = listing(tmp_path / fmt)
    assert reference["csv"] != reference["parquet"]
    out = tmp_path / "out"
    seen = set()
    for delay in (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2):
        subprocess.run([*command, "--out", str(out), "--formats", "csv"], env=env, capture_output=True, check=True)
        proc = subprocess.Popen([*command, "--out", str(out), "--formats", "parquet"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while proc.poll() is None and not any(".qunce-staging-" in name for name in siblings(out)):
            assert time.monotonic() < deadline
            time.sleep(0.005)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        files = listing(out)
        assert files in (reference["csv"], reference["parquet"]), (delay, files)
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        assert sorted(manifest["files"]) == [f for f in files if f != MANIFEST]
        seen.add("csv" if files == reference["csv"] else "parquet")
    assert "csv" in seen  # some kills came before the new run was in place
