"""Tables kept in a cache entry as Parquet files and loaded back into a run's database, typed
by the Ibis schema they were stored with (kept in the entry as text): the same types and
nullability as when computed, and no query to ask the database for them.

Two ways in: `load` copies the rows into a temporary table (the events, read by every stage);
`read` leaves them in the file, a view reading it where a query needs it (the simulator's kept
stages, mostly written out again as they are: simulate/outputs.py copies the file when it is
the output's own bytes, `Kept`). Another run may remove the entry meanwhile (its clean-up): on
Linux the view reads the file through a descriptor this process holds open (/proc/self/fd), which
keeps it; elsewhere `read` loads it like `load`."""

from __future__ import annotations

import contextlib
import functools
import os
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_COUNTER = iter(range(1_000_000_000))
_FDS = Path("/proc/self/fd")


@dataclass(frozen=True)
class Kept:
    """A table `read` from a kept file: `source`, a path to read or copy it by while the run
    lasts; `rows`; `output`: the output whose Parquet bytes the file holds (the output copied
    into the entry: the same rows in the same order, from the same writer), or None; `csv`: a
    kept copy of that output's CSV too, if any (copied by path: gone, it is written again)."""

    source: str
    rows: int
    output: str | None
    csv: str | None = None


class _Held:
    """What a connection reads kept files through: descriptors (closed with the connection),
    and the tables `read` gave, by name."""

    def __init__(self) -> None:
        self.fds: list[int] = []
        self.kept: dict[str, Kept] = {}


# By the connection's identity: Ibis backends compare equal when their connection arguments do
# (two in-memory databases), and one's descriptors must not close with the other.
_HELD: dict[int, _Held] = {}


def _held(con: Any) -> _Held:
    held = _HELD.get(id(con))
    if held is None:
        held = _HELD[id(con)] = _Held()
        weakref.finalize(con, _release, id(con), held.fds)
    return held


def _release(key: int, fds: list[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    fds.clear()
    _HELD.pop(key, None)


def schema_text(table: Any) -> dict[str, str] | None:
    """`table`'s schema as text to keep beside its file; None when a type would not read back
    the same (the table is then not kept)."""
    import ibis

    text = {name: str(dtype) for name, dtype in table.schema().items()}
    try:
        same = all(ibis.dtype(spelled) == table.schema()[name] for name, spelled in text.items())
    except Exception:  # a type ibis cannot parse back from its own spelling (e.g. odd struct fields)
        return None
    return text if same else None


def save(con: Any, table: Any, file: Path) -> dict[str, str]:
    """Write `table` to `file` (Parquet); its schema text. ValueError when it cannot be kept."""
    text = schema_text(table)
    if text is None:
        raise ValueError(f"{file.name}: a column type that would not read back the same")
    con.to_parquet(table, file)
    return text


@functools.lru_cache(maxsize=4096)
def _dtype(spelled: str) -> Any:
    import ibis

    return ibis.dtype(spelled)


@functools.lru_cache(maxsize=4096)
def duckdb_type(dtype: Any) -> str:
    """The column's type in DuckDB (as a stored table of this Ibis type has it), nulls allowed."""
    from ibis.backends.sql.datatypes import DuckDBType

    return str(DuckDBType.from_ibis(dtype.copy(nullable=True)).sql("duckdb"))


def _schema(text: dict[str, str]) -> Any:
    import ibis

    return ibis.schema({name: _dtype(spelled) for name, spelled in text.items()})


def _quoted(path: str) -> str:
    return path.replace("'", "''")


def _columns(names: Any) -> str:
    return ", ".join('"' + name.replace('"', '""') + '"' for name in names)


def load(con: Any, file: Path, text: dict[str, str], kind: str) -> Any:
    """The table kept in `file` with schema `text`, stored in `con` as a temporary table (the
    entry may be removed by another run while this one reads it)."""
    from ..compute.duckdb import store_select

    schema = _schema(text)
    table, _ = store_select(con, f"qunce_cached_{kind}_{next(_COUNTER)}", schema,
                            [f"SELECT {_columns(schema.names)} FROM read_parquet('{_quoted(str(file))}')"])
    return table


def read(con: Any, file: Path, text: dict[str, str], kind: str, rows: int, output: str | None,
         csv: Path | None = None) -> Any:
    """The table kept in `file` with schema `text` (and `rows` rows; `output`, `csv`: see Kept), read
    where used: a DuckDB view of the file held open. Loaded (`load`) where no descriptor can be
    read by path, and by backends other than DuckDB."""
    import ibis.expr.operations as ops

    name = f"qunce_cached_{kind}_{next(_COUNTER)}"
    if getattr(con, "name", None) != "duckdb" or not _FDS.is_dir():
        table = load(con, file, text, kind)
        _held(con).kept[table.op().name] = Kept(str(file), rows, output, str(csv) if csv else None)
        return table
    schema = _schema(text)
    fd = os.open(file, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    held = _held(con)
    held.fds.append(fd)
    source = f"{_FDS}/{fd}"
    # Cast to the kept types, as `load`'s INSERT does: every query sees what the stage computed.
    columns = ", ".join(f"CAST({_columns([column])} AS {duckdb_type(dtype)}) AS {_columns([column])}"
                        for column, dtype in schema.items())
    con.con.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS SELECT {columns} FROM read_parquet(\'{source}\')')
    held.kept[name] = Kept(source, rows, output, str(csv) if csv else None)
    return ops.DatabaseTable(name, schema=schema, source=con,
                             namespace=ops.Namespace(catalog="temp", database="main")).to_expr()


def kept(con: Any, table: Any) -> Kept | None:
    """How `table` was `read` (a table of `con` as `read` gave it, unchanged), else None."""
    import ibis.expr.operations as ops

    op = table.op()
    held = _HELD.get(id(con))
    if held is None or not isinstance(op, ops.DatabaseTable):
        return None
    return held.kept.get(op.name)
