"""Writing the simulation's tables: Parquet and CSV side by side, in a stable row order. All of
a run's files are written into a staging folder inside the output folder first and moved into
place at the end, and files of outputs this run does not have (a previous run's rejected.csv,
say) are removed: the folder never mixes two runs, and no file is ever half-written."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engine.errors import InputError, first_line
from engine.simulate.context import profiled

FORMATS = ("parquet", "csv")

# (file stem, table or None when the run has no such output, row order)
Output = tuple[str, Any | None, Sequence[str]]


def write_outputs(con: Any, outputs: Sequence[Output], folder: Path) -> list[tuple[str, int]]:
    """Write every output the run has into `folder`; (file stem, rows) of each, in order."""
    prepare_folder(folder)
    try:
        staging = Path(tempfile.mkdtemp(prefix=".qunce-partial-", dir=folder))
    except OSError as exc:
        raise InputError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    try:
        written = [(name, write_table(con, table, staging, name, order))
                   for name, table, order in outputs if table is not None]
        for name, table, _ in outputs:
            for fmt in FORMATS:
                target = folder / f"{name}.{fmt}"
                try:
                    if table is None:
                        target.unlink(missing_ok=True)
                    else:
                        os.replace(staging / target.name, target)
                except OSError as exc:
                    raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def write_table(con: Any, table: Any, folder: Path, name: str, order: Sequence[str]) -> int:
    """Write `table` as folder/name.parquet and folder/name.csv, ordered by `order`; the rows."""
    with profiled(f"write {name}"):
        ordered = table.order_by(list(order)) if order else table
        # One materialisation, two copies: the query runs once.
        stored = con.create_table(f"qunce_out_{name}", ordered, temp=True, overwrite=True)
        for fmt in FORMATS:
            path = folder / f"{name}.{fmt}"
            try:
                if fmt == "parquet":
                    con.to_parquet(stored, path)
                else:
                    con.to_csv(stored, path)
            except Exception as exc:  # OSError or DuckDB's own I/O errors: say which file
                raise InputError(f"cannot write {path}: {first_line(exc)}") from None
        return int(stored.count().execute())


def prepare_folder(folder: Path) -> None:
    """Create the output folder; refuse a path that is a file."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--out {folder} is a file; give a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {folder}: {exc.strerror or exc}") from None
