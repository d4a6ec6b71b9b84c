"""Compiled SQL kept by the shape of its Ibis expression, so each shape is compiled once.

Compiling an Ibis expression to SQL (Ibis's rewrites, then sqlglot) costs far more than DuckDB
running the query on a small run: 20–600 ms a query, about half of a simulation of 16 events.
The SQL depends only on the expression's graph, and a simulation builds the same graphs again
(the group metrics of the groups with refused joins, over their own tables) and every run of an
unchanged playbook builds the same graphs as the last. So each expression gets a shape: a digest
of its whole graph (every node's kind and arguments) in which the tables it reads count by their
schema and place only. The SQL of a shape is kept with the tables' names left out; another
expression of that shape gets it with its own tables' names put in.

Kept in this process, and in the cache folder (`cache.cache_dir()`, under `sql/`: one file a
shape, written whole, the least recently used removed beyond `KEPT_FILES`), keyed also by the
versions of Ibis and sqlglot. `QUNCE_NO_CACHE=1` leaves the folder out. A graph holding a value
the shape cannot spell exactly (an object without a faithful repr) is compiled every time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import compiled, engine_name, prepare_tables, store_union
from .duckdb import merges_selects

VERSION = 1
KEPT_FILES = 4000  # about 20 MB of SQL
_HOLE = "\x00qunce-table-{}\x00"  # where a table's name goes in a kept SQL text
_HOLES = re.compile("\x00qunce-table-([0-9]+)\x00")
_SHAPES: dict[str, str] = {}  # shape → SQL with holes, this process
_PLAIN = (str, int, float, bool, type(None), Decimal, dt.date, dt.datetime, dt.time, dt.timedelta, uuid.UUID)


class _Unspellable(Exception):
    """A value the shape cannot spell exactly: the expression is compiled, not looked up."""


def stored(con: Any, name: str, table: Any, temp: bool = True) -> tuple[Any, int]:
    """`compute.store` with the SQL of `table` taken from its shape when compiled before."""
    return stored_union(con, name, [table], temp)


def stored_union(con: Any, name: str, parts: list[Any], temp: bool = True) -> tuple[Any, int]:
    """`compute.store_union` with each part's SQL taken from its shape when compiled before."""
    return store_union(con, name, parts, temp, [sql_of(con, part) for part in parts])


def can_rebind(instead: Mapping[Any, Any]) -> bool:
    """Whether `rebound` can read `instead`'s values for its keys: stored tables, same schemas."""
    import ibis.expr.operations as ops

    return all(isinstance(old.op(), ops.DatabaseTable) and isinstance(new.op(), ops.DatabaseTable)
               and old.schema() == new.schema() for old, new in instead.items())


def rebound(con: Any, name: str, table: Any, instead: Mapping[Any, Any]) -> Any:
    """`table` stored as `name`, reading each stored table among `instead`'s keys from its value
    (`can_rebind`) instead: `table`'s SQL with those tables' names in their places."""
    import ibis.expr.operations as ops

    if not can_rebind(instead):
        raise ValueError(f"{name}: only stored tables of the same schemas can be read instead")
    sql: str | None = None
    if engine_name(con) == "duckdb":
        swap = {_identifier(old.op()): _identifier(new.op()) for old, new in instead.items()}
        try:
            shape, tables = _shape(table.op())
        except _Unspellable:
            pass
        else:
            template = _template(con, table, shape, tables)
            if template is not None:
                prepare_tables(con, table)
                sql = _filled(template, [swap.get(identifier, identifier) for identifier in tables])
    if sql is None:  # the expression rebuilt on the other tables, then compiled
        replaced = table.op().replace({old.op(): new.op() for old, new in instead.items()}, filter=ops.Node)
        return stored(con, name, replaced.to_expr())[0]
    return store_union(con, name, [table], True, [sql])[0]


def sql_of(con: Any, table: Any) -> str | None:
    """The SQL of `table` on `con` (None: not a DuckDB connection, let `store` compile it)."""
    if engine_name(con) != "duckdb":
        return None
    try:
        shape, tables = _shape(table.op())
    except _Unspellable:
        return compiled(con, table)
    template = _template(con, table, shape, tables)
    if template is None:  # a table's name not found as it should be: no sharing
        return compiled(con, table)
    prepare_tables(con, table)  # the literal tables it reads, in this connection
    return _filled(template, tables)


def _template(con: Any, table: Any, shape: str, tables: list[str]) -> str | None:
    """The SQL of `shape` with holes for its tables' names: kept, else compiled and kept."""
    key = _key(shape, merges_selects(con))
    template = _SHAPES.get(key)
    if template is None:
        template = _read(key)
        if template is not None and (template.count("\x00") != 2 * len(_HOLES.findall(template))
                                     or {int(n) for n in _HOLES.findall(template)} != set(range(len(tables)))):
            template = None  # damaged, or not this shape's holes: compiled again (and written over)
    if template is None:
        template = _holes(compiled(con, table), tables)
        if template is None:
            return None
        _SHAPES[key] = template
        _write(key, template)
    return template


def _filled(template: str, tables: list[str]) -> str:
    for number, identifier in enumerate(tables):
        template = template.replace(_HOLE.format(number), identifier)
    return template


def _identifier(node: Any) -> str:
    """How Ibis's SQL names a database table (a DatabaseTable node): catalog, database, name,
    each quoted (sqlglot's `table(…, quoted=True)` for DuckDB)."""
    namespace = node.namespace
    parts = [part for part in (namespace.catalog, namespace.database) if part] + [node.name]
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def _holes(sql: str, tables: list[str]) -> str | None:
    for number, identifier in enumerate(tables):
        if identifier not in sql or _HOLE.format(number) in sql:
            return None
        sql = sql.replace(identifier, _HOLE.format(number))
    return sql


def _shape(root: Any) -> tuple[str, list[str]]:
    """The digest of the graph under `root`, and the SQL names of the database tables it reads
    in the order the digest numbers them."""
    import ibis.expr.operations as ops
    from ibis.common.graph import Node

    memo: dict[int, str] = {}
    tables: list[str] = []

    def spell(value: Any) -> str:
        if isinstance(value, Node):
            return visit(value)
        if isinstance(value, _PLAIN):
            return f"{type(value).__name__}:{value!r}"
        if isinstance(value, (tuple, list, frozenset)):
            items = sorted(map(spell, value)) if isinstance(value, frozenset) else map(spell, value)
            return f"{type(value).__name__}(" + ",".join(items) + ")"
        if isinstance(value, dict) or (hasattr(value, "items") and hasattr(value, "keys")):
            return "{" + ",".join(f"{spell(k)}:{spell(v)}" for k, v in value.items()) + "}"
        module = type(value).__module__
        if module.startswith("ibis.expr.datatypes") or module.startswith("ibis.expr.schema"):
            return f"{type(value).__name__}:{value!r}"  # data types and schemas: faithful reprs
        if module == "enum" or hasattr(type(value), "__members__"):
            return f"{type(value).__qualname__}.{value.name}"
        raise _Unspellable(type(value).__qualname__)

    def visit(node: Any) -> str:
        found = memo.get(id(node))
        if found is not None:
            return found
        if isinstance(node, ops.DatabaseTable):
            tables.append(_identifier(node))
            text = f"DatabaseTable#{len(tables) - 1}:{spell(node.schema)}"
        elif isinstance(node, ops.InMemoryTable):
            if not node.name.startswith("qunce_values_"):  # data of its own, named at random
                raise _Unspellable("InMemoryTable")
            text = f"InMemoryTable:{node.name}:{spell(node.schema)}"  # named by its values
        else:
            text = type(node).__qualname__ + "(" + ",".join(
                f"{name}={spell(arg)}" for name, arg in zip(node.__argnames__, node.__args__, strict=True)) + ")"
        digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
        memo[id(node)] = digest
        return digest

    return visit(root), tables


@functools.cache
def _versions() -> str:
    import ibis
    from sqlglot._version import __version__ as sqlglot_version

    # the modules' own versions: importlib.metadata costs ~30 ms to import, which a small run need not pay
    return f"{VERSION}:{ibis.__version__}:{sqlglot_version}"


def _key(shape: str, merged: bool) -> str:
    return hashlib.blake2b(f"{_versions()}:{merged}:{shape}".encode(),
                           digest_size=20).hexdigest()


def _folder() -> Path | None:
    from ..cache import cache_dir

    found = cache_dir()
    return found / "sql" if found is not None else None


def _read(key: str) -> str | None:
    folder = _folder()
    if folder is None:
        return None
    try:
        text = (folder / f"{key}.sql").read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    _SHAPES[key] = text
    return text


def _write(key: str, sql: str) -> None:
    """Keep `sql` for later runs: written under another name, then renamed (never read half)."""
    folder = _folder()
    if folder is None:
        return
    partial = folder / f".{key}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.write_text(sql, "utf-8")
        os.replace(partial, folder / f"{key}.sql")
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()
        return
    _bound(folder)


@functools.cache
def _bound(folder: Path) -> None:
    """Once a process: the least recently written files beyond KEPT_FILES removed."""
    try:
        files = sorted(folder.glob("*.sql"), key=lambda path: path.stat().st_mtime)
    except OSError:
        return
    for path in files[:max(0, len(files) - KEPT_FILES)]:
        with contextlib.suppress(OSError):
            path.unlink()
