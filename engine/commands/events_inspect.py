"""`qunce events inspect FILE`: what qunce would read from an event file, before any simulation:
the format and encoding (or sheet), each column and the event column it is read as, the first
rows as they would be ingested, and the problems every row has.

Without `--roster`, the checks that need the roster (unknown groups, events outside a group's
dates) are left out: each group in the file counts as existing from its first event to its last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic
from ..errors import EXIT_CLEAN, EXIT_FINDINGS

PREVIEW_ROWS = 10
MAX_PROBLEMS_SHOWN = 20


@dataclass
class InspectRequest:
    events: Path
    roster: Path | None = None  # with it, groups and dates are checked too
    mapping: Path | None = None  # else <file>.mapping.yaml or events.mapping.yaml beside the file, if there
    encoding: str | None = None
    sheet: str | None = None
    timezone: str = "Asia/Shanghai"
    rows: int = PREVIEW_ROWS


@dataclass(frozen=True, slots=True)
class ColumnRead:
    """One of the file's columns: the event column it is read as, and why (mapping, name, alias),
    or that it is ignored or unknown."""

    header: str
    column: str | None
    how: str  # mapping | name | alias | ignored | unknown


@dataclass
class InspectOutcome:
    status: int = EXIT_CLEAN  # 1: unknown columns, missing columns, rows with problems or mapping findings
    shown: str = ""
    mapping: str | None = None  # the mapping file used, as shown
    findings: list[Diagnostic] = field(default_factory=list)  # the mapping's or the roster's
    texts: dict[str, str] = field(default_factory=dict)  # their files' texts, for the code frames
    read: dict[str, Any] = field(default_factory=dict)  # format, encoding (and how), sheet, header row
    columns: list[ColumnRead] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required event columns no column gives
    preview: list[dict[str, Any]] = field(default_factory=list)  # the first rows, typed, with their problems
    rows_read: int = 0
    rejected: int = 0
    by_reason: list[tuple[str, str, int]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)  # the first ones
    roster_checked: bool = False


def run(request: InspectRequest) -> InspectOutcome:
    """Read the file as a simulation would and say what was read; nothing is written."""
    from ..compute.duckdb import connect
    from ..events.ingest import (
        REQUIRED_COLUMNS,
        flag_rows,
        open_source,
        problems_of,
        read_source,
        typed_events,
    )
    from ..events.source_file import ReadOptions
    from .data import mapping_for

    outcome = InspectOutcome(shown=str(request.events))
    found = mapping_for(request.events, request.mapping)
    if found is not None:
        outcome.mapping = found.shown
        outcome.findings, outcome.texts = found.diagnostics, found.texts
        if found.diagnostics:
            outcome.status = EXIT_FINDINGS
            return outcome
    options = ReadOptions(request.encoding, request.sheet, found.mapping if found else None)
    con = connect(request.timezone)
    source = open_source(request.events, str(request.events), options)
    raw, headers = read_source(con, source, request.timezone, options, strict=False)
    outcome.read = source.describe()
    by_header = {header: column for column, header in headers.sources.items()}
    for header in headers.present:
        if header in by_header:
            outcome.columns.append(ColumnRead(header, by_header[header], headers.how.get(by_header[header], "name")))
        else:
            outcome.columns.append(ColumnRead(header, None, "ignored" if header in headers.ignored else "unknown"))
    outcome.missing = [c for c in REQUIRED_COLUMNS if c not in headers.sources]
    if outcome.missing:
        outcome.status = EXIT_FINDINGS
        return outcome
    groups = _groups(con, raw, request.roster, outcome)
    if groups is None:
        outcome.status = EXIT_FINDINGS
        return outcome
    outcome.roster_checked = request.roster is not None
    flagged = con.create_table("qunce_inspect_flagged", flag_rows(raw, groups), temp=True, overwrite=True)
    problems = con.create_table("qunce_inspect_problems", problems_of(flagged), temp=True, overwrite=True)
    outcome.rows_read = int(flagged.count().execute())
    outcome.rejected = int(problems.row.nunique().execute())
    grouped = problems.group_by(["reason", "column"]).aggregate(rows=problems.row.nunique())
    ordered = grouped.order_by([grouped.rows.desc(), grouped.reason, grouped.column]).to_pyarrow().to_pylist()
    outcome.by_reason = [(str(r["reason"]), str(r["column"]), int(r["rows"])) for r in ordered]
    first = problems.order_by(["row", "column", "reason"]).limit(MAX_PROBLEMS_SHOWN)
    outcome.problems = first.to_pyarrow().to_pylist()
    head = flagged.order_by("_row").limit(max(request.rows, 0))
    preview = typed_events(head).order_by("row").to_pyarrow().to_pylist()
    reasons: dict[int, list[str]] = {}
    for problem in problems.filter(problems.row.isin(head._row)).order_by(["row", "column"]).to_pyarrow().to_pylist():
        reasons.setdefault(int(problem["row"]), []).append(str(problem["reason"]))
    outcome.preview = [{**row, "problems": reasons.get(int(row["row"]), [])} for row in preview]
    if outcome.rejected or headers.unknown:
        outcome.status = EXIT_FINDINGS
    return outcome


def _groups(con: Any, raw: Any, roster: Path | None, outcome: InspectOutcome) -> Any:
    """The roster's groups (None, with its findings in `outcome`, when it has any); without a
    roster, each group in the file, alive from its first event's day to its last (so that no
    roster check fails)."""
    if roster is not None:
        from ..events.roster import load_roster
        from ..simulate.frames import groups_table

        loaded = load_roster(roster)
        if loaded.diagnostics:
            outcome.findings, outcome.texts = loaded.diagnostics, loaded.texts
            return None
        return con.create_table("qunce_inspect_groups", groups_table(loaded), temp=True, overwrite=True)
    dated = raw.filter(raw.group_id.notnull() & raw._ts.notnull())
    return dated.group_by(dated.group_id).aggregate(created_at=dated._ts.min().date(), ended_at=dated._ts.max().date())
