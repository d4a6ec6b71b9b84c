"""`qunce tasks`: the SOP expanded into every staff member's tasks, day by day, from the roster
(and, with events, one task per event an on:/member_days: item answers), with a capacity report;
written as CSV, JSON, Markdown or calendars, in one file or one per person. Everything it writes
and says is in the run's language (`--lang`, else QUNCE_LANG, else the playbook's locale)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import EXIT_CLEAN, EXIT_FINDINGS, UsageError
from ..events.roster import Roster
from ..model import Playbook
from .data import DataCheck, DataRequest, load, shown_name
from .language import settle
from .playbook import Checked, checked_for

if TYPE_CHECKING:  # pyarrow is imported only by the commands that compute
    from ..compile.task_list import TaskList

FORMATS = ("csv", "json", "md", "ics")


@dataclass
class TasksRequest:
    playbook: Path
    roster: Path
    start: dt.date
    end: dt.date
    events: Path | None = None  # real events: tasks in reply to them
    skip_bad_rows: bool = False
    fmt: str = "csv"
    out: Path | None = None  # a file, or with split a folder; None: the text is returned
    split: bool = False
    capacity: Path | None = None  # the capacity report's file (.csv, .json, .md)
    fail_on_overload: bool = False
    lang: str | None = None  # asked for (--lang); None: QUNCE_LANG, else the playbook's locale (language.settle)
    encoding: str | None = None  # how to read the events: see data.DataRequest
    sheet: str | None = None
    mapping: Path | None = None
    cache: bool = True  # with events: take them from the events cache when they were read before


@dataclass
class TasksOutcome:
    """status 1: the playbook has errors, the data could not be used, or (with fail_on_overload)
    someone is overloaded."""

    status: int = EXIT_CLEAN
    checked: Checked | None = None
    data: DataCheck = field(default_factory=DataCheck)
    text: bytes = b""  # the task list, when it goes to standard output
    written: list[tuple[Path, int]] = field(default_factory=list)  # (file or folder, files in it)
    summary: list[str] = field(default_factory=list)  # what was compiled, and who is overloaded
    task_list: TaskList | None = None
    lang: str = "zh"  # the run's language: the task list, its calendars and the summary


def run(request: TasksRequest) -> TasksOutcome:
    if request.split and request.out is None:
        raise UsageError("--split needs --out FOLDER", "--split 需要 --out 目录")
    outcome = TasksOutcome(data=DataCheck(events=shown_name(request.events)))
    playbook = checked_for(outcome, request.playbook)
    outcome.lang = settle(request.lang, playbook)
    if playbook is None:
        return outcome
    return compile_and_write(playbook, request, outcome)


def compile_and_write(playbook: Playbook, request: TasksRequest, outcome: TasksOutcome) -> TasksOutcome:
    """The task list of a checked playbook, written where the request says, in `outcome.lang`
    (the demo calls this)."""
    from ..compile import output
    from ..compile.task_list import check_window, compile_tasks

    lang = outcome.lang

    check_window(request.start, request.end)
    loaded = _load(playbook, request, outcome.data)
    if loaded is None:
        outcome.status = EXIT_FINDINGS
        return outcome
    con, roster, events = loaded
    task_list = compile_tasks(playbook, roster, con, events, request.start, request.end, lang)
    title = playbook.playbook
    if request.split and request.out is not None:
        from ..output_folder import replaced_whole

        with replaced_whole(request.out) as staged:  # the folder holds this run's people only
            files = output.write_split(task_list, request.fmt, staged.path, lang)
        outcome.written.append((request.out, len(files)))
    elif request.out is not None:
        output.write(request.out, output.render(task_list, request.fmt, lang, title))
        outcome.written.append((request.out, 1))
    else:
        outcome.text = output.render(task_list, request.fmt, lang, title)
    if request.capacity is not None:
        output.write_capacity(task_list, request.capacity, lang)
        outcome.written.append((request.capacity, 1))
    outcome.summary = output.summary(task_list, lang)
    if request.fail_on_overload and output.overloaded(task_list):
        outcome.status = EXIT_FINDINGS
    outcome.task_list = task_list
    return outcome


def _load(playbook: Playbook, request: TasksRequest, data: DataCheck) -> tuple[Any, Roster, Any] | None:
    # (connection, roster, accepted events or None). Events go through the simulator's ingest:
    # the same checks, the same bad-row reports.
    from ..compute.duckdb import connect
    from ..events.roster import load_roster

    if not request.roster.exists():
        raise UsageError(f"no such roster: {request.roster} (a YAML file, a folder with groups.csv, staff.csv, "
                         "assignments.csv, or a workbook with those sheets)",
                         f"找不到花名册：{request.roster}（YAML 文件、含 groups.csv、staff.csv、assignments.csv 的目录，"
                         "或含这三个工作表的工作簿）")
    if request.events is not None:
        ctx = load(playbook, DataRequest(request.events, request.roster, request.start, request.end,
                                         request.skip_bad_rows, request.encoding, request.sheet, request.mapping,
                                         request.cache), data)
        return None if ctx is None else (ctx.con, ctx.roster, ctx.events)
    roster = load_roster(request.roster)
    data.roster = roster
    if roster.diagnostics:
        data.stopped = True
        return None
    return connect(playbook.timezone), roster, None
