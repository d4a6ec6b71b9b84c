"""Folders of cached results under the cache folder (`cache.cache_dir()`): the events read once
(`events/event_cache.py`, `events-<key>/`) and the simulator's stages (`simulate/stage_cache.py`,
`stages-<key>/`).

An entry is filled in a hidden folder and renamed into place whole, so no run ever reads a
half-written one; two runs storing the same key both succeed (the second's copy is dropped). An
entry that cannot be read (removed by another run's clean-up, damaged) is a miss for its
reader. All entries share one size bound (`QUNCE_EVENTS_CACHE_MB`, default 2048): after a store
the least recently used are removed first; a reader marks an entry used by touching it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from .cache import cache_dir

SIZE_ENV = "QUNCE_EVENTS_CACHE_MB"
DEFAULT_SIZE_MB = 2048
PREFIXES = ("events-", "stages-")  # every kind of entry, bounded together
STALE_S = 3600  # a hidden folder this old was left by a run that was killed


def folder() -> Path | None:
    """The cache folder; None when caching is off (QUNCE_NO_CACHE=1)."""
    return cache_dir()


def opened(name: str) -> Path | None:
    """The entry `name` when it exists, marked used (the last to be cleaned up); else None."""
    root = folder()
    if root is None:
        return None
    entry = root / name
    if not entry.is_dir():
        return None
    with contextlib.suppress(OSError):
        os.utime(entry)
    return entry


def publish(name: str, fill: Callable[[Path], None]) -> bool:
    """Create the entry `name`: `fill(staging)` writes its files into a hidden folder, renamed
    into place whole; then the cache is bounded. False when the cache is off, the entry exists
    or it could not be written (a cache that cannot be written is skipped, never an error)."""
    root = folder()
    if root is None:
        return False
    final = root / name
    if final.exists():
        return False
    staging = root / f".{name}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    published = False
    try:
        staging.mkdir(parents=True)
        fill(staging)
        os.rename(staging, final)  # whole, or not at all; another run's entry stays if it won
        published = True
    except Exception:
        pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    bound(root)
    return published


def _stale(root: Path) -> None:
    now = time.time()
    for prefix in PREFIXES:
        for left in root.glob(f".{prefix}*"):
            try:
                if now - left.stat().st_mtime > STALE_S:
                    shutil.rmtree(left, ignore_errors=True)
            except OSError:
                continue


def _size(entry: Path) -> int:
    return sum(p.stat().st_size for p in entry.iterdir() if p.is_file())


def _limit_mb() -> int:
    try:
        return int(os.environ.get(SIZE_ENV, "") or DEFAULT_SIZE_MB)
    except ValueError:
        return DEFAULT_SIZE_MB


def limit_bytes() -> int:
    """The size bound of all entries together, in bytes."""
    return _limit_mb() * (1 << 20)


def bound(root: Path, limit_mb: int | None = None) -> list[Path]:
    """Remove the least recently used entries until the rest fit the size bound; the removed."""
    limit_mb = _limit_mb() if limit_mb is None else limit_mb
    _stale(root)
    entries = []
    for prefix in PREFIXES:
        for entry in root.glob(f"{prefix}*"):
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
