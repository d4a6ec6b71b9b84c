"""Ibis's DuckDB backend loaded without the other dialects' compilers (compute/ibis_loading.py):
each check in a fresh interpreter, where nothing has imported Ibis's backends yet."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap


def _run(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_connection_imports_duckdbs_compiler_alone_and_reads_no_entry_points() -> None:
    out = _run("""
        import json, sys
        import ibis
        before = set(sys.modules)
        from qunce.compute.duckdb import connect
        con = connect("Asia/Shanghai")
        t = ibis.memtable({"a": [1, 2, 3]})
        total = int(con.execute(t.a.sum()))
        new = set(sys.modules) - before
        print(json.dumps({"total": total,
                          "compilers": sorted(m.rsplit(".", 1)[1] for m in new if m.startswith("ibis.backends.sql.compilers.")),
                          "metadata": "importlib.metadata" in new,
                          "sqlglot_dialects": sorted(m for m in new if m.startswith("sqlglot.dialects.") and m.count(".") == 2)}))
    """)
    assert out["total"] == 6
    assert out["compilers"] == ["_compat", "base", "duckdb"]
    assert out["metadata"] is False
    assert "sqlglot.dialects.bigquery" not in out["sqlglot_dialects"]


def test_every_name_of_the_package_resolves_to_the_real_one() -> None:
    out = _run("""
        import importlib, json
        from qunce.compute.ibis_loading import lazy_compilers
        lazy_compilers()
        import ibis.backends.sql.compilers as sc
        names = list(sc.__all__)
        same = [getattr(sc, n) is getattr(importlib.import_module(getattr(sc, n).__module__), n) for n in names]
        modules = sorted({getattr(sc, n).__module__.rsplit(".", 1)[1] for n in names})
        missing = None
        try:
            sc.nowhere
        except AttributeError as exc:
            missing = str(exc)
        print(json.dumps({"names": names, "same": all(same), "duckdb_module": sc.duckdb.__name__,
                          "modules": modules, "missing": missing}))
    """)
    assert len(out["names"]) == 20 and "DuckDBCompiler" in out["names"] and "PySparkCompiler" in out["names"]
    assert out["same"] is True
    assert out["duckdb_module"] == "ibis.backends.sql.compilers.duckdb"
    assert "pyspark" in out["modules"] and "sqlite" in out["modules"]
    assert out["missing"] is not None and "nowhere" in out["missing"]


def test_other_dialects_and_ibis_own_loading_still_work_after_it() -> None:
    out = _run("""
        import json
        import ibis
        from qunce.compute.duckdb import connect
        con = connect("UTC")
        t = ibis.memtable({"a": [1, 2]})
        sql = ibis.to_sql(t.a.max(), dialect="postgres")
        other = ibis.duckdb.connect()
        print(json.dumps({"sql": "MAX" in sql.upper(), "other": int(other.execute(t.a.max())),
                          "ours": int(con.execute(t.a.min()))}))
    """)
    assert out == {"sql": True, "other": 2, "ours": 1}


def test_nothing_is_replaced_once_the_real_package_is_imported() -> None:
    out = _run("""
        import json, sys
        import ibis.backends.sql.compilers as real
        from qunce.compute.ibis_loading import lazy_compilers
        lazy_compilers()
        print(json.dumps({"same": sys.modules["ibis.backends.sql.compilers"] is real,
                          "sqlite": "ibis.backends.sql.compilers.sqlite" in sys.modules}))
    """)
    assert out == {"same": True, "sqlite": True}
