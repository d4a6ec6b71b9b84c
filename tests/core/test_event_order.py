"""engine/event_order.py: the latest value by (ts, row), through DuckDB's arg_max_null over one
HUGEINT key, is the one the (ts, row) order gives, ties of a second broken by the row, a NULL
value included (as Ibis's argmax gives it)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

pa = pytest.importorskip("pyarrow")

from qunce.compute import fetch_rows  # noqa: E402
from qunce.compute.duckdb import connect  # noqa: E402
from qunce.event_order import latest  # noqa: E402


def test_latest_by_time_then_row_with_and_without_a_filter() -> None:
    rng = random.Random(3)
    base = dt.datetime(2027, 1, 1, 9, 0, 0)
    rows = []
    # rows in no order and up to int64's largest (ties on ts go to the larger), times on both
    # sides of 1970 (negative microseconds)
    for row in rng.sample(range(1, 10**9), 1900) + [2**63 - 1 - i for i in range(100)]:
        ts = rng.choice([base, dt.datetime(1969, 12, 31, 23, 59, 20)]) + dt.timedelta(
            seconds=rng.randint(0, 50), microseconds=rng.choice([0, 1, 999_999]))
        rows.append({"key": rng.choice("abcde"), "ts": ts, "row": row, "value": rng.choice(["join", "leave", "x", None])})
    con = connect("Asia/Shanghai")
    table = con.create_table("t", pa.Table.from_pylist(rows, schema=pa.schema(
        [("key", pa.string()), ("ts", pa.timestamp("us")), ("row", pa.int64()), ("value", pa.string())])), temp=True)
    got = {r["key"]: (r["last"], r["last_move"]) for r in fetch_rows(con, table.group_by("key").aggregate(
        last=latest(table.value, table.ts, table.row),
        last_move=latest(table.value, table.ts, table.row, where=table.value.isin(["join", "leave"]))))}
    for key in "abcde":
        mine = sorted((r for r in rows if r["key"] == key), key=lambda r: (r["ts"], r["row"]))
        moves = [r for r in mine if r["value"] in ("join", "leave")]
        assert got[key] == (mine[-1]["value"], moves[-1]["value"] if moves else None)
