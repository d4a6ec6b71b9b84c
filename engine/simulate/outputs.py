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

    def get(self, con: Any = None) -> Any:
        """The table, read once by the query that stores it (`release` after that)."""
        with profiled(f"wait for {self.name}"):
            arrow = self.source.table(self.name)
        return arrow_view(con, _view_name(self.name), arrow)

    def release(self, con: Any = None) -> None:
        """Forget the Arrow table (its memory) once stored."""
        if _duckdb(con):
            con.con.unregister(_view_name(self.name))


class Fetched(Deferred):
    """An output computed on another engine (Spark): fetched as Arrow when its turn comes, and
    written by DuckDB like any other, so that both engines' files are written the same way."""

    def __init__(self, engine: Any, table: Any, name: str) -> None:
        super().__init__(None, name)
        self.engine = engine
        self.table = table

    def get(self, con: Any = None) -> Any:
        from ..compute import fetch

        with profiled(f"fetch {self.name}"):
            arrow = fetch(self.engine, self.table)
        return arrow_view(con, _view_name(self.name), arrow)


def writer_of(con: Any) -> Any:
    """The DuckDB connection that writes `con`'s outputs (and holds the tables `keep` keeps):
    `con` itself, or for another engine one made for it once."""
    if _duckdb(con):
        return con
    writer = getattr(con, "_qunce_writer", None)
    if writer is None:
        from ..compute.duckdb import connect

        writer = connect("UTC")  # the outputs' times are naive: no zone applies
        con._qunce_writer = writer
    return writer


def _view_name(name: str) -> str:
    return f"qunce_arrow_{name}"


def _duckdb(con: Any) -> bool:
    from ..compute import engine_name

    return con is not None and engine_name(con) == "duckdb"


def arrow_view(con: Any, name: str, arrow: Any) -> Any:
    """An Arrow table as an Ibis table of `con` to be read once (by a DuckDB connection: a view
    of its C stream; elsewhere a memtable). Handed an Arrow object, DuckDB scans it through
    pyarrow.dataset, which imports pandas (~0.2 s); a stream's capsule is read directly."""
    import ibis

    if not _duckdb(con):
        return ibis.memtable(arrow)
    import ibis.expr.operations as ops
    from ibis.formats.pyarrow import PyArrowSchema

    con.con.register(name, arrow.__arrow_c_stream__())
    return ops.DatabaseTable(name, schema=PyArrowSchema.to_ibis(arrow.schema), source=con,
                             namespace=ops.Namespace()).to_expr()


def write_outputs(con: Any, outputs: Sequence[Output], folder: Path,
                  formats: Mapping[str, Sequence[str]] | None = None, keep: Collection[str] = ()) -> list[tuple[str, int]]:
    """Write every output the run has into `folder`; (file stem, rows) of each, in order.

    `formats`: the formats of each output by name (default, and for names it lacks: FORMATS).
    A file of a format an output is not written in is removed, as are a missing output's.
    `keep`: outputs whose ordered table stays in the database as `stored(name)` after its files
    are written, for a writer that reads it afterwards (the workbook); that one drops it."""
    if not _duckdb(con):  # computed elsewhere, written here: each table fetched when its turn comes
        outputs = [(name, table if table is None or isinstance(table, Deferred) else Fetched(con, table, name), order)
                   for name, table, order in outputs]
        con = writer_of(con)
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
    from ..compute import store

    deferred = table if isinstance(table, Deferred) else None
    if deferred is not None:
        table = deferred.get(con)
    with profiled(f"write {name}"):
        copied = files.copied(table, folder, name, formats) if files is not None and deferred is None else None
        if copied is not None:
            return copied
        ordered = table.order_by(list(order)) if order else table
        # One materialisation, two copies: the query runs once.
        if files is not None:
            try:
                return files.write(ordered, folder, name, formats)
            finally:
                if deferred is not None:
                    deferred.release(con)
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


def _csv_columns(schema: Any, cast: bool = False) -> list[tuple[str, bool, str | None]]:
    """spreadsheet_safe.duckdb_select_known's columns of a table of this Ibis schema (`cast`:
    each value cast to the column's type, for a file read back as the table had it)."""
    from ..events.cached_tables import duckdb_type

    quoted = {name: '"' + name.replace('"', '""') + '"' for name in schema.names}
    return [(name, dtype.is_string(), f"CAST({quoted[name]} AS {duckdb_type(dtype)})" if cast else None)
            for name, dtype in schema.items()]


class Files:
    """DuckDB only: each ordered table is stored once and its two files written by a second
    connection in a background thread while the next table is computed and sorted (DuckDB's
    COPY keeps about one core busy; the sort the other). One stored table is written at a
    time, so at most one stored copy waits. Other backends write in the calling thread
    (write_table).

    A table read from a file that is its Parquet output's own bytes (events/cached_tables.read: a
    kept stage's, or sop_tasks as the SOP assessment wrote it) is not sorted and stored again:
    the file is copied, and the CSV too when the entry kept it, else written from the copy in its order (`copied`), beside the other writes (no
    stored copy waits for it: the file is read as it is written out), on two threads at most."""

    def __init__(self, con: Any, keep: Collection[str] = ()) -> None:
        import threading
        from concurrent.futures import ThreadPoolExecutor

        self.con = con
        self.keep = frozenset(keep)
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="qunce-write")
        self.pending: Any = None  # the Future of the stored table being written
        self.copies: list[Any] = []  # the Futures of the copied tables' CSVs
        self.local = threading.local()  # each thread's connection (a cursor of con's database)
        self.cursors: list[Any] = []

    def write(self, ordered: Any, folder: Path, name: str, formats: Sequence[str] = FORMATS) -> int:
        from ..compute import store

        table = stored(name)
        # A table of the database itself (not TEMP): the writer's connection must see it. Stored
        # in its sorted order (the rows' order is kept while the outputs are written: _files),
        # which the copy keeps.
        _, rows = store(self.con, table, ordered, temp=False)
        columns = _csv_columns(ordered.schema())
        self.wait()
        self.pending = self.pool.submit(self._copy, table, columns, folder, name, formats)
        return rows

    def copied(self, table: Any, folder: Path, name: str, formats: Sequence[str]) -> int | None:
        """When `table` is a kept stage's whose file holds this output's Parquet bytes: the file
        copied into `folder`, and its CSV if asked (the kept copy, else written from the Parquet
        copy by a writer's thread); the rows. None (nothing done) otherwise, or when the file
        cannot be copied: the table is written as any other."""
        from ..events.cached_tables import kept

        found = kept(self.con, table)
        if found is None or found.output != name or name in self.keep:
            return None
        target = folder / f"{name}.parquet"
        try:  # the kernel copies; the copy is this run's own, whatever becomes of the cache
            shutil.copyfile(found.source, target)
        except OSError:
            return None
        if "csv" in formats and found.csv is not None:  # its CSV kept too
            try:
                shutil.copyfile(found.csv, folder / f"{name}.csv")
                return found.rows
            except OSError:  # gone: written from the Parquet copy
                pass
        if "csv" in formats:  # the Parquet copy is read back in its order (a file not asked for is left in staging)
            source = f"read_parquet('{_sql_text(str(target))}')"
            self.copies.append(self.pool.submit(self._copy, source, _csv_columns(table.schema(), cast=True), folder,
                                                name, ("csv",), drop=False))
        return found.rows

    def _cursor(self) -> Any:
        cursor = getattr(self.local, "cursor", None)
        if cursor is None:
            cursor = self.local.cursor = self.con.con.cursor()
            self.cursors.append(cursor)
            cursor.execute("SET SESSION preserve_insertion_order = true")  # the files in the table's order
        return cursor

    def _copy(self, table: str, columns: list[tuple[str, bool, str | None]], folder: Path, name: str,
              formats: Sequence[str], drop: bool = True) -> None:
        """`table` (a stored table's name, or with drop=False what follows FROM) written in
        `formats`, then dropped unless its name is among the kept."""
        cursor = self._cursor()
        source = f'"{table}"' if drop else table
        for fmt in ("parquet", "csv"):
            if fmt not in formats:
                continue
            path = folder / f"{name}.{fmt}"
            # CSV: text cells a spreadsheet would run as formulas get a leading ' and the
            # first column's name the BOM (Parquet keeps the values and names); the
            # projection keeps the stored order.
            what = f"({spreadsheet_safe.duckdb_select_known(columns, source)})" if fmt == "csv" else source
            try:  # the options ibis's to_parquet and to_csv give: the same bytes
                cursor.execute(copy_sql(what, path, fmt))
            except Exception as exc:
                raise _unwritable(path, exc) from None
        if drop and name not in self.keep:
            cursor.execute(f"DROP TABLE \"{table}\"")

    def wait(self) -> None:
        """Until the stored table being written is written (raising its error, if any)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def finish(self) -> None:
        """Until every file is written (raising the first error, if any)."""
        self.wait()
        copies, self.copies = self.copies, []
        for copy in copies:
            copy.result()

    def close(self) -> None:
        for cursor in self.cursors:
            cursor.close()
        self.cursors.clear()


def copy_sql(what: str, path: Path, fmt: str) -> str:
    """DuckDB's COPY of `what` (a table's name or a parenthesised query) to `path` in `fmt`, with
    the options every output file is written with (those ibis's to_parquet and to_csv give)."""
    options = {"parquet": "FORMAT 'parquet'", "csv": "FORMAT 'csv', HEADER 1"}[fmt]
    return f"COPY {what} TO '{_sql_text(str(path))}' ({options})"


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


@contextmanager
def _files(con: Any, keep: Collection[str] = ()) -> Iterator[Files | None]:
    """A background writer for DuckDB connections; None (write in this thread) for others."""
    if not _duckdb(con):
        yield None
        return
    from ..compute import keep_row_order

    files = Files(con, keep)
    # Each output is stored in its sorted order, which its files keep: the rows' order is kept
    # for the whole write (set once, not around each table).
    keep_row_order(con, True)
    try:
        yield files
        files.finish()
    finally:
        files.pool.shutdown(wait=True)
        files.close()
        keep_row_order(con, False)


def prepare_folder(folder: Path) -> None:
    """Create the output folder; refuse a path that is a file."""
    ensure_folder(folder, f"--out {folder}")
