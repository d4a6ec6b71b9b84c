"""Events read once: the accepted, typed events of an input, its problem rows and its counts,
kept in the cache folder (`cache.cache_dir()`, the one `qunce validate` uses) so that a re-run on
the same data (a changed playbook, `qunce explain`, `qunce diff`) skips reading and checking.

An entry is a folder `events-<key>/` holding `events.parquet`, `problems.parquet` and
`entry.json` (the counts and what was read). The key covers everything the ingest's result
depends on: the input file (path, size, modification time and a hash of its first and last
MiB), the roster (every file of it: a folder's CSVs, a workbook), the mapping (its digest),
the encoding and sheet asked for, the playbook's time zone (naive times are read in it) and
qunce's own code. Not the window (`--from/--to`) nor `--skip-bad-rows`: the ingest reads and
checks every row whatever the window, and both apply after it.

Entries are written whole and bounded in size with the simulator's stages (`cache_entries.py`:
`QUNCE_EVENTS_CACHE_MB`, default 2048, the least recently used out first). An entry that cannot
be read (removed by another run's clean-up, damaged) is a miss: the events are read from the
file again. `QUNCE_NO_CACHE=1` or `--no-cache` turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .. import cache_entries
from ..cache import code_fingerprint
from . import cached_tables
from .ingest import Ingested

ENTRY_VERSION = 2  # 2: the tables' schemas kept in entry.json
PREFIX = "events-"
_SAMPLE = 1 << 20  # bytes hashed at each end of the input


def _file_stamp(path: Path) -> list[Any]:
    stat = path.stat()
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as file:
        digest.update(file.read(_SAMPLE))
        if stat.st_size > 2 * _SAMPLE:
            file.seek(stat.st_size - _SAMPLE)
            digest.update(file.read(_SAMPLE))
    return [str(path.resolve()), stat.st_size, stat.st_mtime_ns, digest.hexdigest()]


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    return [path]


def entry_key(events: Path, roster: Path, timezone: str, options: Any) -> str | None:
    """The key of the ingest of `events` with this roster, time zone and read options (encoding,
    sheet, mapping); None when an input cannot be stamped (it is then read as usual)."""
    mapping = getattr(options, "mapping", None)
    try:
        material = {
            "version": ENTRY_VERSION,
            "events": _file_stamp(events),
            "roster": [_file_stamp(p) for p in _files(roster)],
            "timezone": timezone,
            "encoding": getattr(options, "encoding", None),
            "sheet": getattr(options, "sheet", None),
            "mapping": getattr(mapping, "digest", None) if mapping is not None else None,
            "code": code_fingerprint(),
        }
    except OSError:
        return None
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def lookup(con: Any, key: str, path: Path) -> Ingested | None:
    """The cached ingest for `key`, loaded into `con` as temporary tables; None on a miss."""
    entry = cache_entries.opened(f"{PREFIX}{key}")
    if entry is None:
        return None
    try:
        meta = json.loads((entry / "entry.json").read_text("utf-8"))
        events = cached_tables.load(con, entry / "events.parquet", meta["schemas"]["events"], "events")
        problems = cached_tables.load(con, entry / "problems.parquet", meta["schemas"]["problems"], "problems")
    except Exception:  # gone, half-removed or damaged: read the file again
        return None
    by_reason = [(str(r), str(c), int(n)) for r, c, n in meta["by_reason"]]
    return Ingested(str(path), events, problems, int(meta["rows_read"]), int(meta["accepted"]), int(meta["rejected"]),
                    by_reason, dict(meta["read"]), cached=True)


def store(con: Any, key: str, ingested: Ingested) -> None:
    """Keep `ingested` under `key` for the next run; a cache that cannot be written is skipped."""

    def fill(staging: Path) -> None:
        schemas = {"events": cached_tables.save(con, ingested.events, staging / "events.parquet"),
                   "problems": cached_tables.save(con, ingested.problems, staging / "problems.parquet")}
        meta = {"schemas": schemas, "rows_read": ingested.rows_read, "accepted": ingested.accepted, "rejected": ingested.rejected,
                "by_reason": [list(item) for item in ingested.by_reason], "read": ingested.read}
        (staging / "entry.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")

    cache_entries.publish(f"{PREFIX}{key}", fill)


def bound(folder: Path, limit_mb: int | None = None) -> list[Path]:
    """The cache's size bound (cache_entries.bound), over every kind of entry."""
    return cache_entries.bound(folder, limit_mb)
