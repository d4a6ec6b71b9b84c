"""The events file and the roster, written together: both whole, or neither."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..roster import Roster
from ..writers import write_pair


def write_files(table: Any, roster: Roster, events: Path, roster_path: Path) -> int:
    """Write both files; the events file's size in bytes. (CSV and JSONL get their times as text
    from `assemble.events`, with the archive's milliseconds.)"""
    write_pair(table, roster, events, roster_path)
    return events.stat().st_size
