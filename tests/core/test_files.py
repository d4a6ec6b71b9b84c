"""engine.files: outputs written whole, with the mode a plain open() would give them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from qunce.errors import InputError
from qunce.files import FILE_MODE, write_text_atomic


def test_a_file_is_written_whole_with_the_usual_mode(tmp_path: Path) -> None:
    target = tmp_path / "out" / "手册.md"
    write_text_atomic(target, "第一行\n")
    assert target.read_text(encoding="utf-8") == "第一行\n"
    plain = tmp_path / "plain.txt"
    plain.write_text("x")  # what open() gives under this process's umask
    assert stat.S_IMODE(target.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode) == FILE_MODE
    assert [p.name for p in target.parent.iterdir()] == ["手册.md"]  # no temporary file left


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_folder_is_an_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    with pytest.raises(InputError, match="cannot write"):
        write_text_atomic(folder / "a.txt", "x")
