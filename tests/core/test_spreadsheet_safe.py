"""CSV cells a spreadsheet would run as formulas get a leading apostrophe: one rule, the same in
Python, DuckDB's COPY, Ibis and Arrow; text columns only; reversible."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qunce.spreadsheet_safe import BOM, arrow_table, duckdb_select, neutralised, restored

pytest.importorskip("duckdb")

CASES = {
    "=1+1": "'=1+1", "+86 138": "'+86 138", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
    "'=x": "''=x", "''-x": "'''-x",  # apostrophes before a trigger: one more, so the rule can be undone
    "m1": "m1", "王芳": "王芳", "": "", "'quoted": "'quoted", "a=b": "a=b", " =x": " =x", "\n=x": "\n=x",
    "2027-01": "2027-01", "-": "'-",
}


def test_the_rule_cell_by_cell() -> None:
    assert {text: neutralised(text) for text in CASES} == CASES
    assert {text: restored(neutralised(text)) for text in CASES} == {text: text for text in CASES}


texts = st.text(alphabet=st.sampled_from("=+-@\t\r'a 0中\n\""), max_size=5) | st.text(max_size=5)


@given(texts)
def test_restored_undoes_neutralised(text: str) -> None:
    cell = neutralised(text)
    assert restored(cell) == text
    assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")


def _copy_csv(con: object, sql_from: str, path: Path) -> list[list[str]]:
    con.execute(f"COPY ({duckdb_select(con, sql_from)}) TO '{path}' (FORMAT 'csv', HEADER 1)")  # type: ignore[attr-defined]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_duckdb_neutralises_text_columns_only_keeping_names_order_and_types(tmp_path: Path) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TYPE mood AS ENUM ('=ok', 'fine')")
    odd = '"odd ""t"""'  # a table and a column whose names hold a double quote
    con.execute(f"CREATE TABLE {odd} AS " + '''SELECT * FROM (VALUES
        (-5, '-5', '=HYPERLINK("http://x","y")', 'fine'::mood, -1.50::DECIMAL(18,2), DATE '2027-01-01', NULL::VARCHAR, '王芳'),
        (7, '@me', chr(9) || 'tab', '=ok'::mood, 2.00::DECIMAL(18,2), DATE '2027-01-02', '', '+86'))
        AS v(n, "text ""id""", formula, mood, amount, day, empty, name)''')
    rows = _copy_csv(con, 'odd "t"', tmp_path / "t.csv")
    assert rows == [
        ["n", 'text "id"', "formula", "mood", "amount", "day", "empty", "name"],
        ["-5", "'-5", "'=HYPERLINK(\"http://x\",\"y\")", "fine", "-1.50", "2027-01-01", "", "王芳"],
        ["7", "'@me", "'\ttab", "'=ok", "2.00", "2027-01-02", "", "'+86"],
    ]
    # The stored table is unchanged (Parquet is written from it).
    assert con.execute(f"SELECT formula FROM {odd} ORDER BY n").fetchall() == [('=HYPERLINK("http://x","y")',), ("\ttab",)]


def test_duckdb_keeps_the_row_order_of_a_large_table(tmp_path: Path) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    n = 300_000  # several row groups, written by several threads
    con.execute(f"CREATE TABLE t AS SELECT i, CASE WHEN i % 7 = 0 THEN '=' || i ELSE 'm' || i END AS id FROM range({n}) r(i)")
    rows = _copy_csv(con, "t", tmp_path / "t.csv")[1:]
    assert [int(i) for i, _ in rows] == list(range(n))
    assert rows[7] == ["7", "'=7"] and rows[8] == ["8", "m8"]


@settings(max_examples=50, deadline=None)
@given(st.lists(texts | st.none(), min_size=1, max_size=12))
def test_duckdb_and_arrow_follow_the_python_rule(values: list[str | None]) -> None:
    import duckdb
    import pyarrow as pa

    expected = [None if v is None else neutralised(v) for v in values]
    table = pa.table({"v": pa.array(values, pa.string())})
    assert arrow_table(table).column("v").to_pylist() == expected
    con = duckdb.connect()
    con.register("source", table)
    con.execute("CREATE TABLE t AS SELECT row_number() OVER () AS k, v FROM source")
    got = con.execute(f'SELECT v FROM ({duckdb_select(con, "t")}) ORDER BY "{BOM}k"').fetchall()  # k: the first column
    assert [v for v, in got] == expected


def test_arrow_handles_large_strings_dictionaries_and_chunks_and_leaves_numbers() -> None:
    import pyarrow as pa

    table = pa.table({
        "n": pa.array([-5, 3]),
        "large": pa.array(["-x", "y"], pa.large_string()),
        "coded": pa.array(["=a", "b"]).dictionary_encode(),
        "chunked": pa.chunked_array([["@c"], ["d"]]),
    })
    got = arrow_table(table)
    assert got.schema == table.schema
    assert got.to_pydict() == {"n": [-5, 3], "large": ["'-x", "y"], "coded": ["'=a", "b"], "chunked": ["'@c", "d"]}
    plain = pa.table({"id": ["m1", "m2"]})
    same = arrow_table(plain).column("id").chunks[0].buffers()[2]
    assert same.address == plain.column("id").chunks[0].buffers()[2].address  # nothing to change: no copy


def test_the_ibis_path_writes_the_same_cells(tmp_path: Path) -> None:
    pytest.importorskip("ibis")
    import ibis

    from qunce.simulate.outputs import write_table

    con = ibis.duckdb.connect()
    table = ibis.memtable({"k": [2, 1, 3], "id": ["-2", "=1", "m3"], "amount": [-2.5, 1.0, 3.0]})
    assert write_table(con, table, tmp_path, "t", ["k"]) == 3  # no background writer: Ibis's to_csv
    text = (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [["k", "id", "amount"], ["1", "'=1", "1.0"], ["2", "'-2", "-2.5"],
                                                   ["3", "m3", "3.0"]]
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "t.parquet").column("id").to_pylist() == ["=1", "-2", "m3"]
