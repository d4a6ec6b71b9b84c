"""The embedded DuckDB connection the import computes in, set up as the simulation's (see
`compute.duckdb.connect`): local times in the playbook's time zone, no progress bar of DuckDB's
own, memory capped (`QUNCE_MEMORY_LIMIT`), spilling into a temporary folder of its own rather
than ./.tmp in the user's folder."""

from __future__ import annotations

import os
from typing import Any

from ...compute.duckdb import DEFAULT_MEMORY_LIMIT, MEMORY_LIMIT_ENV
from ...errors import UsageError
from ...work_folder import work_folder


def connect(zone: str) -> Any:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{quote(zone)}'")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET temp_directory = '{quote(str(work_folder()))}'")
    limit = os.environ.get(MEMORY_LIMIT_ENV, "").strip() or DEFAULT_MEMORY_LIMIT
    try:
        con.execute(f"SET memory_limit = '{quote(limit)}'")
    except duckdb.Error:
        raise UsageError(f"{MEMORY_LIMIT_ENV}={limit!r}: not a memory size DuckDB understands (e.g. 6GB, 800MB)",
                         f"{MEMORY_LIMIT_ENV}={limit!r}：DuckDB 无法识别的内存大小（例如 6GB、800MB）") from None
    return con


def quote(text: str) -> str:
    """`text` inside a single-quoted SQL string."""
    return text.replace("'", "''")
