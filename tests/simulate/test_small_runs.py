"""A small run's fixed costs (issue "A fast what-if loop", part 1): compiled SQL kept by the shape
of its expression (compute/sql_cache.py), tables stored and read without Ibis's round trips,
literal tables without pandas. Every output stays byte-identical."""

from __future__ import annotations

import datetime as dt
import filecmp
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ibis")

import ibis

from qunce.compute import (
    MERGE_FROM,
    compiled,
    fetch,
    fetch_rows,
    fetch_value,
    literal_table,
    merge_selects,
    sql_cache,
    store,
    store_union,
)
from qunce.compute.duckdb import connect

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "simulate"


@pytest.fixture
def con() -> Any:
    connection = connect("Asia/Shanghai")
    connection.raw_sql("CREATE TEMP TABLE a AS SELECT range AS k, 'x' || range AS v FROM range(5)")
    connection.raw_sql("CREATE TEMP TABLE b AS SELECT range + 10 AS k, 'y' || range AS v FROM range(3)")
    return connection


def _table(con: Any, name: str) -> Any:
    return con.table(name, database=("temp", "main"))


def _query(t: Any) -> Any:
    t = t.filter(t.k >= 1).mutate(w=t.v.upper(), twice=t.k * 2)
    return t.group_by("w").aggregate(n=t.count(), top=t.twice.max()).order_by("w")


def test_a_fetch_of_a_shape_seen_before_compiles_nothing(con: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUNCE_NO_CACHE", "1")  # this process's shapes only
    assert fetch_rows(con, _query(_table(con, "a")))[0] == {"w": "X1", "n": 1, "top": 2}
    calls: list[object] = []
    with monkeypatch.context() as patched:
        patched.setattr(sql_cache, "compiled", lambda *args: calls.append(args), raising=False)
        rows = fetch_rows(con, _query(_table(con, "b")))
    assert not calls  # the first fetch's SQL, with b in a's place
    assert rows == [{"w": "Y0", "n": 1, "top": 20}, {"w": "Y1", "n": 1, "top": 22}, {"w": "Y2", "n": 1, "top": 24}]


def test_a_shape_seen_before_gets_its_sql_with_its_own_tables(con: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUNCE_NO_CACHE", "1")  # this process's shapes only
    first, second = _query(_table(con, "a")), _query(_table(con, "b"))
    assert sql_cache.sql_of(con, first) == compiled(con, first)
    calls: list[object] = []
    with monkeypatch.context() as patched:
        patched.setattr(sql_cache, "compiled", lambda *args: calls.append(args), raising=False)
        kept = sql_cache.sql_of(con, second)
    assert not calls  # not compiled again
    assert kept == compiled(con, second)
    assert '"temp"."main"."b"' in kept and '"temp"."main"."a"' not in kept
    stored, rows = sql_cache.stored(con, "qunce_kept", second)
    assert rows == 3
    assert fetch_rows(con, stored.order_by("w")) == [{"w": "Y0", "n": 1, "top": 20}, {"w": "Y1", "n": 1, "top": 22},
                                                      {"w": "Y2", "n": 1, "top": 24}]


def test_the_shape_spells_every_argument(con: Any) -> None:
    t = _table(con, "a")
    base, _ = sql_cache._shape(_query(t).op())
    assert sql_cache._shape(_query(t).op())[0] == base  # built again: the same shape
    other = t.filter(t.k >= 2)  # another literal
    assert sql_cache._shape(other.op())[0] != sql_cache._shape(t.filter(t.k >= 1).op())[0]
    typed = t.filter(t.k >= ibis.literal(1, "int16"))  # the same value, another type
    assert sql_cache._shape(typed.op())[0] != sql_cache._shape(t.filter(t.k >= 1).op())[0]
    dated = t.mutate(d=ibis.literal(dt.date(2027, 1, 1)))
    assert sql_cache._shape(dated.op())[0] != sql_cache._shape(t.mutate(d=ibis.literal(dt.date(2027, 1, 2))).op())[0]


def test_a_table_read_twice_is_one_place_and_two_tables_two(con: Any) -> None:
    a, b = _table(con, "a"), _table(con, "b")
    _, once = sql_cache._shape(a.union(a).op())
    _, both = sql_cache._shape(a.union(b).op())
    assert once == ['"temp"."main"."a"'] and both == ['"temp"."main"."a"', '"temp"."main"."b"']
    assert sql_cache._shape(a.union(a).op())[0] != sql_cache._shape(a.union(b).op())[0]


def test_kept_shapes_are_read_back_by_another_process(con: Any, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUNCE_NO_CACHE", raising=False)
    monkeypatch.setenv("QUNCE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(sql_cache, "_SHAPES", {})
    query = _query(_table(con, "a"))
    expected = compiled(con, query)
    assert sql_cache.sql_of(con, query) == expected
    files = list((tmp_path / "sql").glob("*.sql"))
    assert len(files) == 1 and "\x00" in files[0].read_text("utf-8")  # the table's name left out
    monkeypatch.setattr(sql_cache, "_SHAPES", {})  # as a new process
    monkeypatch.setattr(sql_cache, "compiled", lambda *args: pytest.fail("compiled again"), raising=False)
    assert sql_cache.sql_of(con, _query(_table(con, "b"))) == expected.replace('"temp"."main"."a"',
                                                                              '"temp"."main"."b"')


def test_a_damaged_kept_file_is_compiled_again_and_written_over(con: Any, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUNCE_NO_CACHE", raising=False)
    monkeypatch.setenv("QUNCE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(sql_cache, "_SHAPES", {})
    query = _query(_table(con, "a"))
    expected = compiled(con, query)
    sql_cache.sql_of(con, query)
    [kept] = (tmp_path / "sql").glob("*.sql")
    for damaged in ("SELECT 1", kept.read_text("utf-8").replace("\x00qunce-table-0\x00", "\x00qunce-table-0")):
        kept.write_text(damaged, "utf-8")
        monkeypatch.setattr(sql_cache, "_SHAPES", {})
        assert sql_cache.sql_of(con, query) == expected
        assert "\x00qunce-table-0\x00" in kept.read_text("utf-8")


def test_an_expression_with_a_random_in_memory_table_is_compiled_each_time(con: Any) -> None:
    import pyarrow as pa

    mem = ibis.memtable(pa.table({"k": [1, 2]}))
    query = mem.filter(mem.k > 1)
    with pytest.raises(sql_cache._Unspellable):
        sql_cache._shape(query.op())
    assert fetch_value(con, query.count()) == 1
    _, rows = sql_cache.stored(con, "qunce_mem", query)
    assert rows == 1


def test_store_types_the_table_as_ibis_does_and_counts_its_rows(con: Any) -> None:
    t = _table(con, "a")
    query = t.mutate(amount=(t.k * 2).cast("decimal(18, 2)"), day=ibis.literal(dt.date(2027, 1, 1)),
                     flag=t.k > 2, count=t.count().over())
    stored, rows = store(con, "qunce_typed", query)
    assert rows == 5
    assert stored.schema() == query.schema()
    assert _table(con, "qunce_typed").schema() == query.schema()  # as DuckDB describes it
    again, rows = store(con, "qunce_typed", query.limit(2))  # replaced
    assert rows == 2 and fetch_value(con, again.count()) == 2


def test_store_union_keeps_every_row_of_every_part(con: Any) -> None:
    a, b = _table(con, "a"), _table(con, "b")
    table, rows = store_union(con, "qunce_both", [a, b, a.limit(1)])
    assert rows == 9
    assert sorted(fetch(con, table.k).to_pylist()) == [0, 0, 1, 2, 3, 4, 10, 11, 12]
    with pytest.raises(ValueError, match="different schemas"):
        store_union(con, "qunce_bad", [a, a.select("k")])


def test_fetch_gives_what_ibis_to_pyarrow_gives(con: Any) -> None:
    t = _table(con, "a")
    table = t.mutate(amount=t.k.cast("decimal(18, 2)"))
    assert fetch(con, table).equals(table.to_pyarrow())
    assert fetch(con, table.k.sum()) == table.k.sum().to_pyarrow()
    assert fetch(con, table.amount).equals(table.amount.to_pyarrow())
    assert fetch_value(con, table.amount.sum()) == Decimal("10.00")


def test_literal_tables_are_named_by_their_values_and_typed_as_asked(con: Any) -> None:
    schema = {"s": "string", "d": "date", "n": "int64", "b": "boolean", "m": "decimal(18, 2)"}
    values = {"s": ["it's", None, "a\x00b"], "d": [dt.date(2027, 1, 1), None, dt.date(2027, 12, 31)],
              "n": [1, None, -(2**40)], "b": [True, False, None], "m": [Decimal("1.50"), None, Decimal("0")]}
    first, again = literal_table(values, schema), literal_table(values, schema)
    assert first is again
    assert first.op().name.startswith("qunce_values_")
    assert first.schema() == ibis.schema(schema)
    rows = fetch_rows(con, first)
    assert rows == [{"s": "it's", "d": dt.date(2027, 1, 1), "n": 1, "b": True, "m": Decimal("1.50")},
                    {"s": None, "d": None, "n": None, "b": False, "m": None},
                    {"s": "a\x00b", "d": dt.date(2027, 12, 31), "n": -(2**40), "b": None, "m": Decimal("0.00")}]
    assert first.to_pyarrow().to_pylist() == rows  # Ibis's own execution reads it too
    empty = literal_table({"s": []}, {"s": "string"})
    assert fetch_value(con, empty.count()) == 0 and empty.schema() == ibis.schema({"s": "string"})


def _simulate(out: Path, env: dict[str, str]) -> None:
    code = ("import sys; from qunce.cli import main\n"
            "try:\n    main(prog_name='qunce')\nexcept SystemExit as exit:\n    code = exit.code\n"
            "heavy = [m for m in ('pandas',) if m in sys.modules]\n"
            "sys.exit(f'imported {heavy}' if heavy else code)")
    done = subprocess.run([sys.executable, "-c", code, "simulate", str(EXAMPLE / "playbook.yaml"), "--events",
                           str(EXAMPLE / "events.csv"), "--roster", str(EXAMPLE / "roster.yaml"), "--out", str(out)],
                          env=env, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def _same(left: Path, right: Path) -> None:
    names = sorted(p.name for p in left.iterdir() if p.name not in ("timings.json", ".qunce-manifest.json"))
    assert names == sorted(p.name for p in right.iterdir() if p.name not in ("timings.json", ".qunce-manifest.json"))
    _, mismatch, errors = filecmp.cmpfiles(left, right, names, shallow=False)
    assert not mismatch and not errors, mismatch


def test_the_example_gives_the_same_bytes_with_and_without_kept_sql_and_imports_no_pandas(tmp_path: Path) -> None:
    env = {**os.environ, "QUNCE_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("QUNCE_NO_CACHE", None)
    _simulate(tmp_path / "cold", {**env, "QUNCE_NO_CACHE": "1"})
    _simulate(tmp_path / "first", env)  # keeps the shapes' SQL
    assert list((tmp_path / "cache" / "sql").glob("*.sql"))
    _simulate(tmp_path / "second", env)  # reads them back
    _same(tmp_path / "cold", tmp_path / "first")
    _same(tmp_path / "cold", tmp_path / "second")


def test_duckdb_sql_keeps_each_select_until_told_the_data_is_large_and_leaves_ibis_options_alone(con: Any) -> None:
    # Ibis's merge of Select into Select is a third of a small run's compile; DuckDB merges them
    # itself. On large data merged SQL is compiled (DuckDB materialises a CTE read twice, and the
    # unmerged SQL has more: compute/duckdb.MERGE_FROM). Both give the same rows.
    t = _table(con, "a")
    query = t.mutate(twice=t.k * 2).mutate(more=ibis._.twice + 1).filter(ibis._.more > 3).order_by("k")
    sql = compiled(con, query)
    assert ibis.options.sql.fuse_selects is True  # the process's option as it was
    assert sql.count("SELECT") == 4  # each step its own, the order last
    merge_selects(con, True)
    fused = compiled(con, query)
    assert ibis.options.sql.fuse_selects is True
    assert fused.count("SELECT") == 1
    assert fused == str(con.compiler.to_sqlglot(query).sql(dialect=con.dialect))
    rows = con.con.execute(sql).fetchall()
    assert rows == con.con.execute(fused).fetchall() == [(2, "x2", 4, 5), (3, "x3", 6, 7), (4, "x4", 8, 9)]


def test_a_run_merges_selects_from_a_million_events(example_context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # the switch is the accepted events' count (commands/data.load): the example's 16 are far below it
    import qunce.compute as compute
    from qunce.compute.duckdb import merges_selects

    assert MERGE_FROM == 1_000_000
    assert not merges_selects(connect("Asia/Shanghai"))  # a new connection: unmerged until told
    assert not merges_selects(example_context("simulate").con)
    monkeypatch.setattr(compute, "MERGE_FROM", 16)
    assert merges_selects(example_context("simulate").con)
    monkeypatch.setattr(compute, "MERGE_FROM", 17)
    assert not merges_selects(example_context("simulate").con)
