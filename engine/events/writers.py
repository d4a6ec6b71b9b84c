"""Write event tables (CSV, JSONL, Parquet) and rosters (YAML), atomically.

Text formats are built column by column with Arrow compute (no Python loop over
rows): timestamps as 2027-01-04T20:00:00 (no offset: the playbook's time zone),
amounts with two decimals, absent values as empty CSV cells or missing JSON keys.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError, UsageError
from .roster import Roster, plain_text

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}
CHUNK_ROWS = 500_000


def event_format(path: Path) -> str:
    """csv, jsonl or parquet, from the file's extension."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise UsageError(f"{path}: unknown event file format '{path.suffix}'; use .csv, .jsonl or .parquet",
                         f"{path}：未知的事件文件格式 '{path.suffix}'；请用 .csv、.jsonl 或 .parquet") from None


def write_events(table: pa.Table, path: Path) -> None:
    """Write `table` to `path` in the format its extension names; the file appears whole or not at all."""
    fmt = event_format(path)
    with atomic(path) as temp:
        _write_events(table, temp, fmt)


def write_roster(roster: Roster, path: Path) -> None:
    """The roster as YAML, one flow mapping per row, that `load_roster` reads back."""
    with atomic(path) as temp:
        temp.write_text(roster_yaml(roster), encoding="utf-8")


def write_pair(table: pa.Table, roster: Roster, events: Path, roster_path: Path) -> None:
    """Events and their roster together: both are written in full to temporary files before either
    is renamed into place, so a failed write replaces neither."""
    fmt = event_format(events)
    with atomic(events) as events_temp, atomic(roster_path) as roster_temp:
        _write_events(table, events_temp, fmt)
        roster_temp.write_text(roster_yaml(roster), encoding="utf-8")


def roster_yaml(roster: Roster) -> str:
    """The roster's YAML text: a comment, then staff, groups and assignments, one row per line."""
    lines = ["# 群策 qunce roster: staff, groups (type from the playbook) and who works in which group when."]
    for name, rows in (("staff", roster.staff), ("groups", roster.groups), ("assignments", roster.assignments)):
        if not rows:
            lines.append(f"{name}: []")
            continue
        lines.append(f"{name}:")
        for row in rows:
            cells = row.model_dump(by_alias=True, exclude_none=True)
            lines.append("  - {" + ", ".join(f"{key}: {yaml_scalar(value)}" for key, value in cells.items()) + "}")
    return "\n".join(lines) + "\n"


def _write_events(table: pa.Table, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        # dictionary pages only where values repeat (not for member or order ids): faster, smaller
        coded = [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
        pq.write_table(table, path, compression="zstd", use_dictionary=coded or True)
        return
    with path.open("wb") as handle:
        if fmt == "csv":
            handle.write((",".join(table.column_names) + "\n").encode())
        for batch in table.to_batches(max_chunksize=CHUNK_ROWS):
            _write_lines(handle, _csv_lines(batch) if fmt == "csv" else _json_lines(batch))


def yaml_scalar(value: Any) -> str:
    """A YAML 1.2 scalar for a roster cell: dates as YYYY-MM-DD, text quoted only when it must be."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, dt.date)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    text = str(value)
    if plain_text(text):
        return text
    return json.dumps(text, ensure_ascii=not text.isprintable())  # JSON strings are YAML double-quoted scalars


@contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A temporary file beside `path`, renamed over it when the block succeeds and removed when it fails."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(handle)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}", f"无法写入 {path}：{exc.strerror or exc}") from None
    temp = Path(name)
    try:
        yield temp
        with temp.open("rb+") as done:
            os.fsync(done.fileno())
        os.chmod(temp, _mode(path))
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {exc.strerror or exc}", f"无法写入 {path}：{exc.strerror or exc}") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _mode(path: Path) -> int:
    # mkstemp makes 0600 files; give the result the mode a plain open() would (or the old file's)
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _write_lines(handle: IO[bytes], lines: pa.Array) -> None:
    # the lines end in "\n" and have no nulls, so their data buffer is the text itself
    if not len(lines):
        return
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
    handle.write(memoryview(lines.buffers()[2])[int(offsets[0]):int(offsets[-1])])


def _csv_lines(batch: pa.RecordBatch) -> pa.Array:
    cells = [_text(column, _csv_quote) for column in batch.columns]
    joined = pc.binary_join_element_wise(*cells, ",", null_handling="replace", null_replacement="")
    return pc.binary_join_element_wise(joined, "\n", "")


def _json_lines(batch: pa.RecordBatch) -> pa.Array:
    pairs = [pc.binary_join_element_wise(f"{json.dumps(name)}:", _text(column, _json_string), "")
             for name, column in zip(batch.schema.names, batch.columns, strict=True)]
    joined = pc.binary_join_element_wise(*pairs, ",", null_handling="skip")
    return pc.binary_join_element_wise("{", joined, "}\n", "")


def _text(column: pa.Array, quote: Any) -> pa.Array:
    """One column as the text of its cells (null stays null); `quote` encodes text values."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        return pc.take(_text(column.dictionary, quote), column.indices)
    if pa.types.is_timestamp(kind):
        if kind.tz is not None:
            column = pc.local_timestamp(column)
        seconds = pc.cast(column, pa.timestamp("s"), safe=False)
        return quote(pc.replace_substring(pc.cast(seconds, pa.string()), " ", "T"))
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return quote(pc.cast(column, pa.string()))
    if pa.types.is_floating(kind):  # money written as float: round to the fen
        column = pc.cast(pc.round(column, 2), pa.decimal128(18, 2), safe=False)
    return pc.cast(column, pa.string())


def _csv_quote(values: pa.Array) -> pa.Array:
    needs = pc.match_substring_regex(values, '^$|[,"\r\n]')
    if not pc.any(needs).as_py():
        return values
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, values)


def _json_string(values: pa.Array) -> pa.Array:
    if pc.any(pc.match_substring_regex(values, '[\\\\"\x00-\x1f\x7f]')).as_py():
        # rare (ids and names seldom hold quotes or control characters): encode each distinct value once
        distinct = pc.unique(values).drop_null()
        encoded = pa.array([json.dumps(v, ensure_ascii=False) for v in distinct.to_pylist()], pa.string())
        return pc.take(encoded, pc.index_in(values, distinct))
    return pc.binary_join_element_wise('"', values, '"', "")
