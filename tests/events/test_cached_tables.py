"""events/cached_tables.py: kept tables read where used, through descriptors held open."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

ibis = pytest.importorskip("ibis")

from qunce.compute import fetch_rows  # noqa: E402
from qunce.compute.duckdb import connect  # noqa: E402
from qunce.events import cached_tables  # noqa: E402


def _kept(con: Any, folder: Path) -> tuple[Path, dict[str, str]]:
    table = ibis.memtable({"id": ["a", "b", None], "n": [1, 2, 3]}).cast({"id": "string", "n": "int32"})
    path = folder / "kept.parquet"
    text = cached_tables.save(con, table, path)
    return path, text


def test_read_types_the_view_as_kept_and_survives_the_file_s_removal(tmp_path: Path) -> None:
    con = connect("Asia/Shanghai")
    path, text = _kept(con, tmp_path)
    table = cached_tables.read(con, path, text, "t", 3, "kept")
    assert table.schema() == ibis.schema({"id": "string", "n": "int32"})
    kept = cached_tables.kept(con, table)
    assert kept is not None and kept.rows == 3 and kept.output == "kept"
    assert cached_tables.kept(con, table.filter(table.n > 1)) is None  # another expression: not the file
    if cached_tables._FDS.is_dir():
        path.unlink()  # another run's clean-up: the descriptor keeps the file
    assert sorted(row["n"] for row in fetch_rows(con, table)) == [1, 2, 3]


def test_one_connection_s_descriptors_close_with_it_and_no_other_s(tmp_path: Path) -> None:
    # Ibis backends with the same arguments compare equal: the descriptors are each connection's own.
    first, second = connect("Asia/Shanghai"), connect("Asia/Shanghai")
    assert first == second and first is not second
    path, text = _kept(first, tmp_path)
    cached_tables.read(first, path, text, "t", 3, None)
    kept = cached_tables.read(second, path, text, "t", 3, None)
    del first
    gc.collect()
    assert sorted(row["n"] for row in fetch_rows(second, kept)) == [1, 2, 3]


def test_without_descriptors_the_table_is_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cached_tables, "_FDS", tmp_path / "none")
    con = connect("Asia/Shanghai")
    path, text = _kept(con, tmp_path)
    table = cached_tables.read(con, path, text, "t", 3, None)
    path.unlink()
    assert sorted(row["n"] for row in fetch_rows(con, table)) == [1, 2, 3]
    kept = cached_tables.kept(con, table)
    assert kept is not None and kept.source == str(path)
