"""Tables kept in a cache entry as Parquet files and loaded back into a run's database, typed
by the Ibis schema they were stored with (kept in the entry as text): the same types and
nullability as when computed, and no query to ask the database for them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

_COUNTER = iter(range(1_000_000_000))


def schema_text(table: Any) -> dict[str, str] | None:
    """`table`'s schema as text to keep beside its file; None when a type would not read back
    the same (the table is then not kept)."""
    import ibis

    text = {name: str(dtype) for name, dtype in table.schema().items()}
    try:
        same = all(ibis.dtype(spelled) == table.schema()[name] for name, spelled in text.items())
    except Exception:  # a type ibis cannot parse back from its own spelling (e.g. odd struct fields)
        return None
    return text if same else None


def save(con: Any, table: Any, file: Path) -> dict[str, str]:
    """Write `table` to `file` (Parquet); its schema text. ValueError when it cannot be kept."""
    text = schema_text(table)
    if text is None:
        raise ValueError(f"{file.name}: a column type that would not read back the same")
    con.to_parquet(table, file)
    return text


def load(con: Any, file: Path, text: dict[str, str], kind: str) -> Any:
    """The table kept in `file` with schema `text`, stored in `con` as a temporary table (the
    entry may be removed by another run while this one reads it)."""
    import ibis

    from .ingest import store_select

    schema = ibis.schema({name: ibis.dtype(spelled) for name, spelled in text.items()})
    quoted = str(file).replace("'", "''")
    columns = ", ".join('"' + name.replace('"', '""') + '"' for name in schema.names)
    table, _ = store_select(con, f"qunce_cached_{kind}_{next(_COUNTER)}", schema,
                            [f"SELECT {columns} FROM read_parquet('{quoted}')"])
    return table
