"""Writing the simulation's tables: Parquet and CSV side by side, in a stable row order, whole
or not at all (each file is written to a temporary name in the output folder, then renamed)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engine.errors import InputError

FORMATS = ("parquet", "csv")


def write_table(con: Any, table: Any, folder: Path, name: str, order: Sequence[str]) -> int:
    """Write `table` as folder/name.parquet and folder/name.csv, ordered by `order`; the rows."""
    import time

    from engine.simulate.context import PROFILE

    began = time.perf_counter()
    ordered = table.order_by(list(order)) if order else table
    # One materialisation, two copies: the query runs once.
    stored = con.create_table(f"qunce_out_{name}", ordered, temp=True, overwrite=True)
    for fmt in FORMATS:
        path = folder / f"{name}.{fmt}"
        temp = folder / f".{name}.{fmt}.tmp"
        try:
            if fmt == "parquet":
                con.to_parquet(stored, temp)
            else:
                con.to_csv(stored, temp)
            os.replace(temp, path)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
        except Exception as exc:  # DuckDB's own I/O errors: say which file
            temp.unlink(missing_ok=True)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"cannot write {path}: {first}") from None
    rows = int(stored.count().execute())
    if PROFILE:
        print(f"qunce profile: write {name} ({rows:,} rows) {time.perf_counter() - began:.2f}s", file=sys.stderr)
    return rows


def prepare_folder(folder: Path) -> None:
    """Create the output folder; refuse a path that is a file."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--out {folder} is a file; give a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {folder}: {exc.strerror or exc}") from None
