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

An entry is written into a hidden folder and renamed into place whole, so no run ever reads a
half-written one; two runs storing the same key both succeed (the second's copy is dropped). An
entry that cannot be read (removed by another run's clean-up, damaged) is a miss: the events are
read from the file again. The entries are bounded in size (`QUNCE_EVENTS_CACHE_MB`, default
2048): after a store the oldest used are removed first. `QUNCE_NO_CACHE=1` or `--no-cache`
turns the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from ..cache import cache_dir, code_fingerprint
from .ingest import Ingested

ENTRY_VERSION = 1
PREFIX = "events-"
SIZE_ENV = "QUNCE_EVENTS_CACHE_MB"
DEFAULT_SIZE_MB = 2048
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


def _folder() -> Path | None:
    return cache_dir()


def lookup(con: Any, key: str, path: Path) -> Ingested | None:
    """The cached ingest for `key`, loaded into `con` as temporary tables; None on a miss."""
    folder = _folder()
    if folder is None:
        return None
    entry = folder / f"{PREFIX}{key}"
    try:
        meta = json.loads((entry / "entry.json").read_text("utf-8"))
        events = _load(con, entry / "events.parquet", "events")
        problems = _load(con, entry / "problems.parquet", "problems")
    except Exception:  # gone, half-removed or damaged: read the file again
        return None
    with contextlib.suppress(OSError):
        os.utime(entry)  # used: the last to be cleaned up
    by_reason = [(str(r), str(c), int(n)) for r, c, n in meta["by_reason"]]
    return Ingested(str(path), events, problems, int(meta["rows_read"]), int(meta["accepted"]), int(meta["rejected"]),
                    by_reason, dict(meta["read"]), cached=True)


_COUNTER = iter(range(1_000_000_000))


def _load(con: Any, file: Path, kind: str) -> Any:
    name = f"qunce_cached_{kind}_{next(_COUNTER)}"
    quoted = str(file).replace("'", "''")
    con.raw_sql(f"CREATE TEMP TABLE {name} AS SELECT * FROM read_parquet('{quoted}')")
    return con.table(name)


def store(con: Any, key: str, ingested: Ingested) -> None:
    """Keep `ingested` under `key` for the next run; a cache that cannot be written is skipped."""
    folder = _folder()
    if folder is None:
        return
    final = folder / f"{PREFIX}{key}"
    if final.exists():
        return
    staging = folder / f".{PREFIX}{key}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    try:
        staging.mkdir(parents=True)
        con.to_parquet(ingested.events, staging / "events.parquet")
        con.to_parquet(ingested.problems, staging / "problems.parquet")
        meta = {"rows_read": ingested.rows_read, "accepted": ingested.accepted, "rejected": ingested.rejected,
                "by_reason": [list(item) for item in ingested.by_reason], "read": ingested.read}
        (staging / "entry.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        with contextlib.suppress(OSError):
            os.rename(staging, final)  # whole, or not at all; another run's entry stays if it won
    except Exception:
        pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    bound(folder)


STALE_S = 3600  # a hidden folder this old was left by a run that was killed


def _stale(folder: Path) -> None:
    now = time.time()
    for left in folder.glob(f".{PREFIX}*"):
        try:
            if now - left.stat().st_mtime > STALE_S:
                shutil.rmtree(left, ignore_errors=True)
        except OSError:
            continue


def _size(entry: Path) -> int:
    return sum(p.stat().st_size for p in entry.iterdir() if p.is_file())


def bound(folder: Path, limit_mb: int | None = None) -> list[Path]:
    """Remove the least recently used entries until the rest fit the size bound; the removed."""
    if limit_mb is None:
        try:
            limit_mb = int(os.environ.get(SIZE_ENV, "") or DEFAULT_SIZE_MB)
        except ValueError:
            limit_mb = DEFAULT_SIZE_MB
    _stale(folder)
    entries = []
    for entry in folder.glob(f"{PREFIX}*"):
        try:
            entries.append((entry.stat().st_mtime_ns, _size(entry), entry))
        except OSError:
            continue
    total = sum(size for _, size, _ in entries)
    removed = []
    for _, size, entry in sorted(entries):
        if total <= limit_mb * (1 << 20):
            break
        # renamed away first, so no run starts reading an entry being removed
        doomed = entry.with_name(f".{entry.name}.{os.getpid()}.removing")
        try:
            os.rename(entry, doomed)
        except OSError:
            continue
        shutil.rmtree(doomed, ignore_errors=True)
        total -= size
        removed.append(entry)
    return removed
