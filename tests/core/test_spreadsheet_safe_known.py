"""spreadsheet_safe.duckdb_select_known: the CSV duckdb_select gives, from columns known
beforehand (no DESCRIBE), and from a Parquet copy read back with each column cast to its type
(simulate/outputs.py writes a kept stage's CSV so)."""

from __future__ import annotations

from pathlib import Path

import pytest

duckdb = pytest.importorskip("duckdb")
ibis = pytest.importorskip("ibis")

from qunce.simulate.outputs import _csv_columns  # noqa: E402
from qunce.spreadsheet_safe import duckdb_select, duckdb_select_known  # noqa: E402

ROWS = """VALUES ('=1+2', 1, 1.50, DATE '2027-01-31', TIMESTAMP '2027-01-31 08:00:00', true, NULL),
                 ('-5', -2, -0.01, NULL, NULL, NULL, '@x'),
                 ('''=x', NULL, 0.00, DATE '2027-02-01', TIMESTAMP '2027-02-01 23:59:59', false, '普通 名字'),
                 (NULL, 3, NULL, NULL, NULL, NULL, '\t')"""


def test_known_columns_write_the_bytes_described_ones_do(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.execute("CREATE TABLE t (id VARCHAR NOT NULL, n BIGINT, amount DECIMAL(18, 2), day DATE, ts TIMESTAMP, "
                "ok BOOLEAN, name VARCHAR)")
    con.execute(f"INSERT INTO t SELECT * FROM ({ROWS}) v(a, b, c, d, e, f, g) WHERE a IS NOT NULL")
    schema = ibis.schema({"id": "!string", "n": "int64", "amount": "decimal(18, 2)", "day": "date",
                          "ts": "timestamp", "ok": "boolean", "name": "string"})
    described, known, copied = tmp_path / "described.csv", tmp_path / "known.csv", tmp_path / "copied.csv"
    con.execute(f"COPY ({duckdb_select(con, 't')}) TO '{described}' (FORMAT 'csv', HEADER 1)")
    con.execute(f"COPY ({duckdb_select_known(_csv_columns(schema), chr(34) + 't' + chr(34))}) TO '{known}' "
                "(FORMAT 'csv', HEADER 1)")
    con.execute(f"COPY t TO '{tmp_path / 't.parquet'}' (FORMAT 'parquet')")
    source = f"read_parquet('{tmp_path / 't.parquet'}')"
    con.execute(f"COPY ({duckdb_select_known(_csv_columns(schema, cast=True), source)}) TO '{copied}' "
                "(FORMAT 'csv', HEADER 1)")
    assert described.read_bytes() == known.read_bytes() == copied.read_bytes()
    assert described.read_bytes().startswith(b"\xef\xbb\xbfid,") and b"'=1+2" in described.read_bytes()
