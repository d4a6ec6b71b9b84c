"""Writing the simulation's outputs: in their order, whatever order the connection keeps; float
sums and means that do not depend on the order rows come in."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pyarrow.parquet as pq

from qunce.compute import keep_row_order
from qunce.compute.duckdb import connect
from qunce.simulate.outputs import write_outputs
from qunce.simulate.periods import exact_mean, exact_sum

ROWS = 400_000  # enough rows for DuckDB to read and write them in parallel, out of order


def _setting(con: object) -> bool:
    return bool(con.raw_sql("SELECT current_setting('preserve_insertion_order')").fetchone()[0])  # type: ignore[attr-defined]


def test_outputs_are_written_sorted_when_the_computing_does_not_keep_row_order(tmp_path: Path) -> None:
    con = connect("Asia/Shanghai")
    keep_row_order(con, False)  # as after `run.load`: the simulator computes without it
    # Keys in a scrambled order (7919 is prime to ROWS): the sort has work to do.
    table = con.sql(f"SELECT (i * 7919) % {ROWS} AS k, 'g' || ((i * 7919) % {ROWS}) AS label FROM range({ROWS}) t(i)")
    written = write_outputs(con, [("scrambled", table, ["k"])], tmp_path)

    assert written == [("scrambled", ROWS)]
    with (tmp_path / "scrambled.csv").open(encoding="utf-8-sig", newline="") as handle:
        keys = [int(row["k"]) for row in csv.DictReader(handle)]
    assert keys == list(range(ROWS))
    assert pq.read_table(tmp_path / "scrambled.parquet").column("k").to_pylist() == list(range(ROWS))
    assert _setting(con) is False  # the computing after it goes on without


def test_connect_keeps_row_order_until_the_rows_are_numbered() -> None:
    con = connect("Asia/Shanghai")
    assert _setting(con) is True
    keep_row_order(con, False)
    assert _setting(con) is False
    keep_row_order(con, True)
    assert _setting(con) is True


def test_exact_sums_and_means_do_not_depend_on_the_row_order() -> None:
    import ibis

    rng = random.Random(7)
    values = [rng.random() * 10 ** rng.randint(-3, 3) for _ in range(2_000)]
    con = ibis.duckdb.connect()
    results = set()
    for _ in range(3):
        rng.shuffle(values)
        t = ibis.memtable({"x": list(values)})
        row = con.execute(t.aggregate(s=exact_sum(t.x), m=exact_mean(t.x))).iloc[0]
        results.add((float(row["s"]), float(row["m"])))
    assert len(results) == 1
    (s, m), = results
    total = sum(values)
    assert abs(s - total) <= 1e-9 * total
    assert abs(m - total / len(values)) <= 1e-9 * total / len(values)


def test_exact_mean_leaves_nulls_out_and_is_null_without_values() -> None:
    import ibis

    con = ibis.duckdb.connect()
    t = ibis.memtable({"g": [1, 1, 1, 2], "x": [1.0, None, 2.0, None]}, schema={"g": "int64", "x": "float64"})
    out = con.execute(t.group_by("g").aggregate(m=exact_mean(t.x)).order_by("g"))
    assert out["m"].iloc[0] == 1.5
    assert out["m"].isna().iloc[1]


def test_sop_tasks_written_by_its_stage_are_copied_with_the_bytes_the_writer_gives(tmp_path: Path) -> None:
    from qunce.assess.stage import _written

    con = connect("Asia/Shanghai")
    keep_row_order(con, False)
    table = con.sql(f"SELECT (i * 7919) % {ROWS} AS k, 'g' || ((i * 7919) % {ROWS}) AS label FROM range({ROWS}) t(i)")
    write_outputs(con, [("sop_tasks", table, ["k"])], tmp_path / "writer")  # sorted, stored and copied
    keep_row_order(con, True)  # as assess/stage.py writes it: in its files' order
    view = _written(con, table.order_by("k"))
    keep_row_order(con, False)
    written = write_outputs(con, [("sop_tasks", view, ["k"])], tmp_path / "stage")

    assert written == [("sop_tasks", ROWS)]
    for name in ("sop_tasks.parquet", "sop_tasks.csv"):  # the Parquet file copied, the CSV written from it
        assert (tmp_path / "stage" / name).read_bytes() == (tmp_path / "writer" / name).read_bytes()
    assert pq.read_table(tmp_path / "stage" / "sop_tasks.parquet").column("k").to_pylist() == list(range(ROWS))
    tables = con.raw_sql("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'qunce_out_%'").fetchall()  # type: ignore[attr-defined]
    assert tables == []  # not sorted and stored a second time
