"""Writing the simulation's tables: Parquet and CSV side by side, in a stable row order. All of
a run's files are written into a staging folder inside the output folder first and moved into
place at the end, and files of outputs this run does not have (a previous run's rejected.csv,
say) are removed: the folder never mixes two runs, and no file is ever half-written."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .. import spreadsheet_safe
from ..errors import InputError, first_line
from ..files import ensure_folder
from .context import profiled

FORMATS = ("parquet", "csv")

# (file stem, table or None when the run has no such output, row order); the table may be
# Deferred: built elsewhere while the outputs before it are written.
Output = tuple[str, Any | None, Sequence[str]]


class Deferred:
    """An output table built elsewhere: `source.table(name)` gives it as Arrow, waiting for it."""

    def __init__(self, source: Any, name: str) -> None:
        self.source = source
        self.name = name

    def get(self) -> Any:
        import ibis

        with profiled(f"wait for {self.name}"):
            return ibis.memtable(self.source.table(self.name))


def write_outputs(con: Any, outputs: Sequence[Output], folder: Path,
                  formats: Mapping[str, Sequence[str]] | None = None, keep: Collection[str] = ()) -> list[tuple[str, int]]:
    """Write every output the run has into `folder`; (file stem, rows) of each, in order.

    `formats`: the formats of each output by name (default, and for names it lacks: FORMATS).
    A file of a format an output is not written in is removed, as are a missing output's.
    `keep`: outputs whose ordered table stays in the database as `stored(name)` after its files
    are written, for a writer that reads it afterwards (the workbook); that one drops it."""
    prepare_folder(folder)
    chosen = {name: tuple(f for f in FORMATS if f in (formats or {}).get(name, FORMATS)) for name, _, _ in outputs}
    try:
        staging = Path(tempfile.mkdtemp(prefix=".qunce-partial-", dir=folder))
    except OSError as exc:
        raise InputError(f"cannot write in {folder}: {exc.strerror or exc}", f"无法在 {folder} 中写入：{exc.strerror or exc}") from None
    try:
        with _files(con, keep) as files:
            written = [(name, write_table(con, table, staging, name, order, files, chosen[name]))
                       for name, table, order in outputs if table is not None]
        for name, table, _ in outputs:
            for fmt in FORMATS:
                target = folder / f"{name}.{fmt}"
                try:
                    if table is None or fmt not in chosen[name]:
                        target.unlink(missing_ok=True)
                    else:
                        os.replace(staging / target.name, target)
                except OSError as exc:
                    raise InputError(f"cannot write {target}: {exc.strerror or exc}", f"无法写入 {target}：{exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def stored(name: str) -> str:
    """The database table an output is stored in while its files are written (kept: see keep)."""
    return f"qunce_out_{name}"


def write_table(con: Any, table: Any, folder: Path, name: str, order: Sequence[str],
                files: Files | None = None, formats: Sequence[str] = FORMATS) -> int:
    """Write `table` as folder/name.parquet and folder/name.csv (those of `formats`), ordered by
    `order`; the rows. With `files` (from _files), the files may still be being written when
    this returns."""
    from ..events.ingest import store

    if isinstance(table, Deferred):
        table = table.get()
    with profiled(f"write {name}"):
        ordered = table.order_by(list(order)) if order else table
        # One materialisation, two copies: the query runs once.
        if files is not None:
            return files.write(ordered, folder, name, formats)
        kept, rows = store(con, stored(name), ordered)
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            try:
                if fmt == "parquet":
                    con.to_parquet(kept, path)
                else:  # text cells a spreadsheet would run as formulas get a leading '; a BOM
                    con.to_csv(spreadsheet_safe.ibis_table(kept), path)
            except Exception as exc:  # OSError or DuckDB's own I/O errors: say which file
                raise _unwritable(path, exc) from None
        return rows


def _unwritable(path: Path, exc: Exception) -> InputError:
    return InputError(f"cannot write {path}: {first_line(exc)}", f"无法写入 {path}：{first_line(exc)}")


class Files:
    """DuckDB only: each ordered table is stored once and its two files written by a second
    connection in a background thread while the next table is computed and sorted (DuckDB's
    COPY keeps about one core busy; the sort the other). One table is written at a time, so at
    most one stored copy waits. Other backends write in the calling thread (write_table)."""

    def __init__(self, con: Any, keep: Collection[str] = ()) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.con = con
        self.keep = frozenset(keep)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qunce-write")
        self.pending: Any = None  # the Future of the table being written

    def write(self, ordered: Any, folder: Path, name: str, formats: Sequence[str] = FORMATS) -> int:
        from ..events.ingest import keep_row_order, store

        table = stored(name)
        # A table of the database itself (not TEMP): the writer's connection must see it. Stored
        # in its sorted order, which the copy keeps.
        keep_row_order(self.con, True)
        try:
            _, rows = store(self.con, table, ordered, temp=False)
        finally:
            keep_row_order(self.con, False)
        self.wait()
        self.pending = self.pool.submit(self._copy, table, folder, name, formats)
        return rows

    def _copy(self, table: str, folder: Path, name: str, formats: Sequence[str]) -> None:
        cursor = self.con.con.cursor()
        try:
            cursor.execute("SET SESSION preserve_insertion_order = true")  # the files in the table's order
            for fmt, options in (("parquet", "FORMAT 'parquet'"), ("csv", "FORMAT 'csv', HEADER 1")):
                if fmt not in formats:
                    continue
                path = folder / f"{name}.{fmt}"
                quoted = str(path).replace("'", "''")
                # CSV: text cells a spreadsheet would run as formulas get a leading ' and the
                # first column's name the BOM (Parquet keeps the values and names); the
                # projection keeps the stored order.
                source = f"({spreadsheet_safe.duckdb_select(cursor, table)})" if fmt == "csv" else f'"{table}"'
                try:  # the options ibis's to_parquet and to_csv give: the same bytes
                    cursor.execute(f"COPY {source} TO '{quoted}' ({options})")
                except Exception as exc:
                    raise _unwritable(path, exc) from None
            if name not in self.keep:
                cursor.execute(f"DROP TABLE \"{table}\"")
        finally:
            cursor.close()

    def wait(self) -> None:
        """Until the table being written is written (raising its error, if any)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()


@contextmanager
def _files(con: Any, keep: Collection[str] = ()) -> Iterator[Files | None]:
    """A background writer for DuckDB connections; None (write in this thread) for others."""
    if getattr(con, "name", None) != "duckdb":
        yield None
        return
    files = Files(con, keep)
    try:
        yield files
        files.wait()
    finally:
        files.pool.shutdown(wait=True)


def prepare_folder(folder: Path) -> None:
    """Create the output folder; refuse a path that is a file."""
    ensure_folder(folder, f"--out {folder}")
