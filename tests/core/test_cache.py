"""The validation cache: a second run of unchanged files gives the same bytes without
checking again; any change to a playbook, a file it includes, or the folder listing
checks again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main

BROKEN = """playbook: 缓存测试
roles:
  owner: {name: 群主}
sop:
  - {id: topic, name: 话题, role: onwer, every: daily 20:00}
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("validate-*.json"))


def touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_second_run_gives_the_same_output(tmp_path: Path, _private_cache: Path, fmt: str) -> None:
    playbook = tmp_path / "p.yaml"
    playbook.write_text(BROKEN, encoding="utf-8")
    first = run("validate", str(playbook), "--format", fmt, "--lang", "zh")
    assert first[0] == 1
    assert len(entries(_private_cache)) == 1
    second = run("validate", str(playbook), "--format", fmt, "--lang", "zh")
    assert second == first


def test_a_hit_does_not_check_again(tmp_path: Path, _private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    playbook = tmp_path / "p.yaml"
    playbook.write_text(BROKEN, encoding="utf-8")
    assert run("validate", str(playbook))[0] == 1
    import qunce.validation

    def refuse(*args: object) -> None:
        raise AssertionError("validated again although nothing changed")

    monkeypatch.setattr(qunce.validation, "validate_paths", refuse)
    code, out = run("validate", str(playbook))
    assert code == 1
    assert "Q402" in out


def test_a_changed_playbook_is_checked_again(tmp_path: Path) -> None:
    playbook = tmp_path / "p.yaml"
    playbook.write_text(BROKEN, encoding="utf-8")
    assert run("validate", str(playbook))[0] == 1
    playbook.write_text(BROKEN.replace("onwer", "owner"), encoding="utf-8")
    touch_later(playbook)
    code, out = run("validate", str(playbook))
    assert code == 0, out


def test_a_changed_base_is_checked_again(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text("playbook: 基础\nabstract: true\nroles:\n  owner: {name: 群主}\n", encoding="utf-8")
    child = tmp_path / "store.yaml"
    child.write_text("extends: base.yaml\nplaybook: 门店\nsop:\n  - {id: t, name: 话题, role: owner, every: daily 20:00}\n",
                     encoding="utf-8")
    assert run("validate", str(child))[0] == 0
    base.write_text("playbook: 基础\nabstract: true\nroles:\n  admin: {name: 管理员}\n", encoding="utf-8")
    touch_later(base)
    code, out = run("validate", str(child))
    assert code == 1
    assert "role 'owner' is not defined" in out


def test_a_new_file_in_the_folder_is_checked(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    (folder / "a.yaml").write_text("playbook: 甲\n", encoding="utf-8")
    assert run("validate", str(folder))[0] == 0
    (folder / "b.yaml").write_text(BROKEN, encoding="utf-8")
    assert run("validate", str(folder))[0] == 1


def test_no_cache_flag_and_env_write_nothing(tmp_path: Path, _private_cache: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    playbook = tmp_path / "p.yaml"
    playbook.write_text(BROKEN, encoding="utf-8")
    assert run("validate", str(playbook), "--no-cache")[0] == 1
    assert entries(_private_cache) == []
    monkeypatch.setenv("QUNCE_NO_CACHE", "1")
    assert run("validate", str(playbook))[0] == 1
    assert entries(_private_cache) == []


def test_an_unwritable_cache_is_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("QUNCE_CACHE_DIR", str(blocker / "cache"))
    playbook = tmp_path / "p.yaml"
    playbook.write_text(BROKEN, encoding="utf-8")
    code, out = run("validate", str(playbook))
    assert code == 1
    assert "Traceback" not in out
