"""Small event tables for the simulator's tests: CSV text through the real ingest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

TZ = "Asia/Shanghai"


def load_events(folder: Path, text: str, groups: tuple[str, ...] = ("g1", "g2"),
                created: dt.date = dt.date(2027, 1, 1)) -> tuple[Any, Any]:
    """(connection, accepted events) of the CSV `text`, for groups created on `created`; every row
    must be accepted."""
    import ibis

    from qunce.compute.duckdb import connect
    from qunce.events.ingest import ingest

    path = folder / "events.csv"
    path.write_text(text, encoding="utf-8")
    con = connect(TZ)
    table = ibis.memtable({"group_id": list(groups), "created_at": [created] * len(groups),
                           "ended_at": [None] * len(groups)},
                          schema={"group_id": "string", "created_at": "date", "ended_at": "date"})
    result = ingest(con, path, table, TZ)
    assert result.rejected == 0, result.by_reason
    return con, result.events
