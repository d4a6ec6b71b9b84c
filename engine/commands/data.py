"""The data a command replays: the roster and the events, read and checked once (the same checks
and bad-row reports for simulate, explain, diff and tasks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from ..compute.choice import EngineChoice
from ..errors import InputError, UsageError
from ..events.roster import Roster, load_roster
from ..events.source_file import ReadOptions
from ..gc_pause import gc_paused
from ..model import Playbook
from ..simulate.context import SimContext
from ..simulate.staff_roles import with_staff_roles

MAX_PROBLEMS_SHOWN = 20
STDIN = "-"

Progress = Callable[[str], None]

# The temporary files standard input was copied to, for reports that name the input as "-".
_FROM_STDIN: set[Path] = set()


def shown_name(events: Path | None) -> str:
    """The events file as the user named it: "-" for standard input."""
    if events is None or events in _FROM_STDIN:
        return STDIN
    return str(events)


@dataclass(slots=True)
class DataRequest:
    """Where the data is and which part of it to use."""

    events: Path  # Path("-"): standard input (JSONL or CSV with a header)
    roster: Path
    start: dt.date | None = None
    end: dt.date | None = None
    skip_bad_rows: bool = False
    encoding: str | None = None  # --encoding: a text file's encoding (else detected)
    sheet: str | None = None  # --sheet: a workbook's sheet (else the mapping's, else the first)
    mapping: Path | None = None  # --mapping: else <file>.mapping.yaml or events.mapping.yaml beside the file
    cache: bool = True  # --no-cache: read and check the events (event_cache.py) and the playbook (cache.py) again
    engine: EngineChoice = field(default_factory=EngineChoice)  # --engine: where the tables are computed


@dataclass
class DataCheck:
    """What reading the data found. `stopped`: the run cannot go on (roster findings, or bad
    rows not skipped); nothing was computed."""

    events: str = ""  # the events file as the user named it, for file:row reports
    roster: Roster | None = None
    stopped: bool = False
    problems: list[dict[str, Any]] = field(default_factory=list)  # the first bad rows, for the terminal
    rows: dict[str, Any] = field(default_factory=dict)  # read, accepted, rejected, by_reason
    problem_table: Any | None = None  # every problem (ibis.Table), when there were any
    mapping: FoundMapping | None = None  # the mapping file read, with its findings
    cached: bool = False  # the events came from the events cache (read and checked by an earlier run)

    @property
    def roster_findings(self) -> bool:
        return self.roster is not None and bool(self.roster.diagnostics)

    @property
    def rows_in(self) -> str:
        """Where bad rows are, before `:row`: the file, and a workbook's sheet (file:sheet:row)."""
        sheet = self.rows.get("source", {}).get("sheet")
        return f"{self.events}:{sheet}" if sheet else self.events

    @property
    def mapping_findings(self) -> bool:
        return self.mapping is not None and bool(self.mapping.diagnostics)


@dataclass
class FoundMapping:
    """A mapping file for an event file: where, what it says (None when it has findings)."""

    shown: str
    mapping: Any  # events.mapping.EventMapping | None
    diagnostics: list[Any] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)


MAPPING_SUFFIX = ".mapping.yaml"
FOLDER_MAPPING = "events.mapping.yaml"


def mapping_for(events: Path | None, given: Path | None) -> FoundMapping | None:
    """The mapping file for `events`: `given` (--mapping), else `<file>.mapping.yaml` beside it,
    else `events.mapping.yaml` in its folder (one mapping for a folder of monthly exports); None
    when there is none."""
    if given is None:
        if events is None or str(events) == STDIN or events in _FROM_STDIN:
            return None
        for candidate in (events.with_name(events.stem + MAPPING_SUFFIX), events.with_name(FOLDER_MAPPING)):
            if candidate.is_file():
                given = candidate
                break
        else:
            return None
    elif not given.is_file():
        raise UsageError(f"--mapping {given}: no such file", f"--mapping {given}：文件不存在")
    from ..events.mapping import load_mapping

    shown = str(given)
    loaded = load_mapping(given, shown)
    return FoundMapping(shown, loaded.mapping, list(loaded.diagnostics), {shown: loaded.text})


@gc_paused()
def load(playbook: Playbook, request: DataRequest, check: DataCheck,
         progress: Progress = lambda stage: None) -> SimContext | None:
    """Read the roster and the events and check them. None when the run must stop (roster
    findings in check.roster, or bad rows not skipped in check.problems)."""
    from ..compute import MERGE_FROM, connect, fetch_rows, keep_row_order, merge_selects, store
    from ..simulate.frames import groups_table
    from ..simulate.periods import assignments_table

    check.events = check.events or shown_name(request.events)
    if request.start and request.end and request.start > request.end:
        raise UsageError(f"--from {request.start} is after --to {request.end}; swap them",
                         f"--from {request.start} 晚于 --to {request.end}；请交换两者")
    roster = load_roster(request.roster)
    check.roster = roster
    if roster.diagnostics:
        check.stopped = True
        return None
    check.mapping = mapping_for(request.events, request.mapping)
    if check.mapping_findings:
        check.stopped = True
        return None
    options = ReadOptions(request.encoding, request.sheet, check.mapping.mapping if check.mapping else None)
    progress("ingest")
    con = connect(playbook.timezone, request.engine)
    groups, _ = store(con, "qunce_groups", groups_table(roster))
    assignments, _ = store(con, "qunce_assignments", assignments_table(roster))
    ingested, key = _ingested(con, request, groups, playbook.timezone, check.events, options)
    read = ingested.read | ({"mapping": check.mapping.shown} if check.mapping else {})
    check.cached = ingested.cached
    check.rows = {"read": ingested.rows_read, "accepted": ingested.accepted, "rejected": ingested.rejected,
                  "by_reason": [{"reason": r, "column": c, "rows": n} for r, c, n in ingested.by_reason],
                  "source": read}
    if ingested.rejected:
        check.problems = _first_problems(con, ingested.problems)
        check.problem_table = ingested.problems
        if not request.skip_bad_rows:
            check.stopped = True
            return None
    if not ingested.rows_read:  # a header and nothing else (an empty file was refused when read)
        from ..events.read_errors import no_rows

        raise no_rows(check.events, request.events)
    if not ingested.accepted:
        raise InputError(f"{check.events}: no events to simulate", f"{check.events}：没有可模拟的事件")
    events = ingested.events
    first, last = fetch_rows(con, events.aggregate(first=events.date.min(), last=events.date.max()))[0].values()
    start, end = request.start or first, request.end or last
    if start > end:
        raise UsageError(f"the window {start} … {end} is empty; the events run from {first} to {last}",
                         f"时间窗口 {start} 至 {end} 为空；事件的日期为 {first} 至 {last}")
    keep_row_order(con, False)  # the rows are numbered: from here on, ORDER BY says every order
    merge_selects(con, ingested.accepted >= MERGE_FROM)
    ctx = SimContext(con, playbook, roster, groups, assignments, ingested.events, start, end, min(first, start),
                     events_key=key)
    return with_staff_roles(ctx)


def _ingested(con: Any, request: DataRequest, groups: Any, timezone: str, shown: str,
              options: ReadOptions) -> tuple[Any, str | None]:
    """The events read and checked: from the cache when this input was read before with the same
    roster, options and time zone (events/event_cache.py), else from the file (and kept); and
    the cache entry's key (None when the cache is off or the input cannot be stamped)."""
    from ..cache_entries import folder
    from ..events import event_cache
    from ..events.ingest import ingest

    # The caches keep DuckDB's tables as files: a Spark run reads its events where they are.
    cached = (request.cache and not request.engine.spark and request.events not in _FROM_STDIN
              and str(request.events) != STDIN)
    key = event_cache.entry_key(request.events, request.roster, timezone, options) if cached else None
    if key is not None and folder() is None:
        key = None  # QUNCE_NO_CACHE: nothing is kept, no stage either
    if key is not None:
        found = event_cache.lookup(con, key, request.events)
        if found is not None:
            return found, key
    ingested = ingest(con, request.events, groups, timezone, shown, options)
    if key is not None:
        event_cache.store(con, key, ingested)
    return ingested, key


def _first_problems(con: Any, problems: Any) -> list[dict[str, Any]]:
    from ..compute import fetch_rows

    return fetch_rows(con, problems.order_by(["row", "column", "reason"]).limit(MAX_PROBLEMS_SHOWN))


class HasEvents(Protocol):
    events: Any  # Path, or None when a command runs without events


@contextmanager
def events_from_stdin(request: HasEvents, stdin: BinaryIO) -> Iterator[None]:
    """`--events -`: standard input copied to a temporary file for the run, named by what it
    holds (JSONL when its first character is `{`, else CSV with a header line), so that the
    reader that fits reads it; rows are numbered as they came in."""
    if request.events is None or str(request.events) != STDIN:
        yield
        return
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="qunce-stdin-") as folder:
        head = stdin.read(64 * 1024)
        suffix = _stdin_format(head)
        path = Path(folder) / f"stdin{suffix}"
        with path.open("wb") as out:
            out.write(head)
            shutil.copyfileobj(stdin, out)
        request.events = path
        _FROM_STDIN.add(path)
        try:
            yield
        finally:
            _FROM_STDIN.discard(path)
            request.events = Path(STDIN)


def _stdin_format(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not text:
        raise InputError("--events -: standard input is empty; pipe JSONL or CSV events into qunce",
                         "--events -：标准输入为空；请通过管道输入 JSONL 或 CSV 格式的事件")
    if text.startswith(b"{"):
        return ".jsonl"
    header = text.split(b"\n", 1)[0]
    if b"\t" in header:
        return ".tsv"
    if b"," in header:
        return ".csv"
    raise InputError("--events -: standard input is neither JSONL (one {…} object a line) nor CSV with a header "
                     "line; save it to a file with the right extension and pass --events FILE",
                     "--events -：标准输入既不是 JSONL（每行一个 {…} 对象）也不是带表头的 CSV；"
                     "请保存为带正确扩展名的文件，再用 --events 文件 传入")
