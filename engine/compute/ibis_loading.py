"""Ibis's DuckDB backend loaded without what a run never uses.

Ibis 12.0.0 (pinned) pays for every backend when one is loaded: its package
`ibis.backends.sql.compilers` imports the compilers of twenty SQL dialects, each with its sqlglot
dialect, and `ibis.duckdb` finds the backend by reading every installed package's entry points.
Together about 0.2 s of a small run (a third of `import ibis, duckdb, pyarrow`), measured by
bench/small_runs.py. Here the compilers package is made lazy (a compiler is imported when it is
first asked for, by module or class name, as the package's own names say) and the backend class is
imported directly. The Spark backend and `ibis.to_sql` find their compilers the same way.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

COMPILERS = "ibis.backends.sql.compilers"


def duckdb_connection() -> Any:
    """A new Ibis DuckDB connection (what `ibis.duckdb.connect()` makes)."""
    return _duckdb_backend().connect()


@functools.cache
def _duckdb_backend() -> Any:
    lazy_compilers()
    from ibis.backends.duckdb import Backend

    # what ibis.load_backend does once per process before connecting
    Backend.register_options()
    return Backend()


def lazy_compilers() -> None:
    """Stand a lazy module in for `ibis.backends.sql.compilers` unless it is imported already."""
    if COMPILERS in sys.modules:
        return
    import importlib.util

    import ibis.backends.sql

    spec = importlib.util.find_spec(COMPILERS)
    if spec is None or spec.submodule_search_locations is None:  # not the layout this was written for
        return
    package = importlib.util.module_from_spec(spec)  # its __path__, not its code
    exported = _exported(spec.origin)

    def __getattr__(name: str) -> Any:
        import importlib

        module = exported.get(name, name)
        if module.startswith("_"):
            raise AttributeError(name)
        try:
            loaded = importlib.import_module(f"{COMPILERS}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{COMPILERS}.{module}":
                raise
            raise AttributeError(f"module {COMPILERS!r} has no attribute {name!r}") from None
        return loaded if module == name else getattr(loaded, name)

    # the names the package exports, found when asked for (PEP 562: looked up on the module)
    vars(package).update(__all__=sorted(exported), __getattr__=__getattr__)
    sys.modules[COMPILERS] = package
    vars(ibis.backends.sql)["compilers"] = package  # as the import system sets it


def _exported(init_file: str | None) -> dict[str, str]:
    """Class name → module of the package's `from ibis.backends.sql.compilers.X import Y` lines."""
    import re

    if init_file is None:
        return {}
    with open(init_file, encoding="utf-8") as source:
        text = source.read()
    return {cls: module for module, cls in re.findall(rf"^from {re.escape(COMPILERS)}\.(\w+) import (\w+)$", text, re.M)}
