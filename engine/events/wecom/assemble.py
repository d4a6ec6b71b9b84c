"""The events table: the archive's messages and the settled joins and leaves, each checked
against its group's days in the roster (an event before the group was created, or after it was
dismissed, is rejected: `qunce simulate` would refuse it), in a stable order (the same exports
give the same bytes). Messages of one member in one group at the same millisecond with the same
length would be equal rows: they are one row with `count`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..roster import Group
from .archive import MESSAGES
from .records import SHOWN_REJECTIONS, Movement, Rejection, Tally

CANDIDATES = "wecom_candidates"
MOVEMENTS = "wecom_movements"
GROUPS = "wecom_groups"
CHECKED = "wecom_checked"
WITHIN = "wecom_within"
KEYS = ("ts", "group_id", "member_id", "type", "staff_id", "channel", "referrer_id", "removed", "length")
TIME_FIELD = {"archive": "msgtime", "details": "join_time", "changes": "CreateTime"}  # the time, as each export names it


def gather(con: Any, movements: Sequence[Movement], staff: set[str]) -> None:
    """The view CANDIDATES: every event to write, before the check against the roster."""
    import pyarrow as pa

    column = pa.array
    joins = [m.kind == "join" for m in movements]
    inviters = [m.inviter if join and m.inviter != m.member_id else None for m, join in zip(movements, joins, strict=True)]
    table = pa.table({
        "ts": column([m.at for m in movements], pa.timestamp("us")),
        "type": column([m.kind for m in movements], pa.string()),
        "group_id": column([m.group_id for m in movements], pa.string()),
        "member_id": column([m.member_id for m in movements], pa.string()),
        "staff_id": column([i if i in staff else None for i in inviters], pa.string()),
        "channel": column([m.channel for m in movements], pa.string()),
        "referrer_id": column([i if i is not None and i not in staff else None for i in inviters], pa.string()),
        "removed": column([m.removed if m.kind == "leave" else None for m in movements], pa.bool_()),
        "length": column([None] * len(movements), pa.int64()),
        "_kind": column([m.source for m in movements], pa.string()),
        "_file": column([m.file for m in movements], pa.int32()),
        "_line": column([m.line for m in movements], pa.int64()),
    })
    con.register(MOVEMENTS, table)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {CANDIDATES} AS SELECT * FROM {MESSAGES} "
                f"UNION ALL BY NAME SELECT * FROM {MOVEMENTS}")


@dataclass
class Spans:
    """Each group's first and last day with an event, and the events of each kind of source."""

    days: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)
    events: Counter[str] = field(default_factory=Counter)


def spans(con: Any) -> Spans:
    found = Spans()
    for group, kind, first, last, count in con.execute(
            f"SELECT group_id, _kind, min(ts)::DATE, max(ts)::DATE, count(*) FROM {CANDIDATES} GROUP BY ALL").fetchall():
        before = found.days.get(group, (first, last))
        found.days[group] = (min(before[0], first), max(before[1], last))
        found.events[kind] += count
    return found


def events(con: Any, groups: Sequence[Group], found: Spans, tally: Tally, files: Sequence[str],
           text_times: bool) -> Any:
    """The events table (Arrow, every contract column) of the candidates that fall within their
    group's days; the written and rejected counts into `tally`. `text_times`: ts as text
    (2027-03-01T09:00:05.120, for CSV and JSONL), else a timestamp."""
    source = CANDIDATES
    if any(_outside(group, found.days.get(group.id)) for group in groups):
        source = _check(con, groups, tally, files)
    else:  # every event is within its group's days (the usual case): nothing to check row by row
        tally.written.update(found.events)
    keys = ", ".join(f"c.{key}" for key in KEYS)
    # The times as text for CSV and JSONL, made here in parallel: the writer's text would drop the
    # milliseconds, and Arrow's strftime takes a second for a million rows.
    ts = ("CASE WHEN epoch_us(c.ts) % 1000000 = 0 THEN strftime(c.ts, '%Y-%m-%dT%H:%M:%S') "
          "ELSE strftime(c.ts, '%Y-%m-%dT%H:%M:%S.%g') END" if text_times else "c.ts")
    shown = keys.replace("c.ts", f"{ts} AS ts", 1)
    table = con.execute(f"SELECT {shown} FROM {source} c ORDER BY {keys}").to_arrow_table()
    if _has_repeats(table):  # rare: messages at the same millisecond become one row with a count
        table = con.execute(f"SELECT {shown}, count(*) AS _n FROM {source} c GROUP BY {keys} "
                            f"ORDER BY {keys}").to_arrow_table()
    return _contract(table)


def _outside(group: Group, days: tuple[dt.date, dt.date] | None) -> bool:
    """Whether some of the group's events may fall outside its days."""
    return days is not None and (days[0] < group.created_at or (group.ended_at is not None
                                                                 and days[1] > group.ended_at))


def _check(con: Any, groups: Sequence[Group], tally: Tally, files: Sequence[str]) -> str:
    """Each candidate against its group's days: the counts and first rejections into `tally`;
    the name of the view of those within."""
    import pyarrow as pa

    con.register(GROUPS, pa.table({"group_id": pa.array([g.id for g in groups], pa.string()),
                                   "created_at": pa.array([g.created_at for g in groups], pa.date32()),
                                   "ended_at": pa.array([g.ended_at for g in groups], pa.date32())}))
    con.execute(f"CREATE OR REPLACE TEMP VIEW {CHECKED} AS SELECT c.*, "
                "CASE WHEN CAST(c.ts AS DATE) < g.created_at THEN 'before_created' "
                "WHEN CAST(c.ts AS DATE) > g.ended_at THEN 'after_ended' END AS _why "
                f"FROM {CANDIDATES} c JOIN {GROUPS} g USING (group_id)")
    for kind, why, count in con.execute(f"SELECT _kind, _why, count(*) FROM {CHECKED} GROUP BY ALL").fetchall():
        if why is None:
            tally.written[kind] += count
        else:
            tally.rejected[(kind, why)] += count
    for kind, file, line, why, ts in con.execute(
            f"SELECT _kind, _file, _line, _why, ts FROM {CHECKED} WHERE _why IS NOT NULL ORDER BY _file, _line "
            f"LIMIT {SHOWN_REJECTIONS}").fetchall():
        tally.rejections.append(Rejection(files[file], line, TIME_FIELD[kind], why, str(ts)))
    con.execute(f"CREATE OR REPLACE TEMP VIEW {WITHIN} AS SELECT * FROM {CHECKED} WHERE _why IS NULL")
    return WITHIN


def _has_repeats(table: Any) -> bool:
    """Whether a row equals the one before it (the table is sorted by every column)."""
    import pyarrow.compute as pc

    if table.num_rows < 2:
        return False
    same = None
    for name in table.column_names:
        column = table.column(name)
        before, after = column.slice(0, table.num_rows - 1), column.slice(1)
        equal = pc.fill_null(pc.or_kleene(pc.equal(before, after), pc.and_(pc.is_null(before), pc.is_null(after))),
                             False)
        same = equal if same is None else pc.and_(same, equal)
        if not pc.any(same).as_py():
            return False
    return True


def _contract(table: Any) -> Any:
    """Every column of the event contract, in its order; absent ones empty."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ...event_contract import COLUMNS

    n = table.num_rows
    count = table.column("_n") if "_n" in table.column_names else None
    if count is not None:  # a row of one message has no count
        count = pc.if_else(pc.greater(count, 1), count, pa.scalar(None, pa.int64()))
    empty = {"text": pa.string(), "decimal": pa.decimal128(18, 2), "integer": pa.int64(), "boolean": pa.bool_(),
             "timestamp": pa.timestamp("us")}
    columns = {c.name: (table.column(c.name) if c.name in table.column_names else
                        count if c.name == "count" and count is not None else pa.nulls(n, empty[c.type]))
               for c in COLUMNS}
    return pa.table(columns)
