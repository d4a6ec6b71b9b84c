"""Staff answering what the simulation itself decides, for the generator (`qunce events generate`,
`qunce demo`): the promotions, demotions and churn warnings at each evaluation period's end.

Which members those are follows from the members' own activity, so they are computed once the
events are generated, by the simulator's own member stage on them, handed in as a
`FollowUpSource` (events/ imports neither simulate/ nor assess/; commands/generated_follow_ups.py
wires them). It gives one follow-up per person and member to reach: the tasks of the SOP items
`on: level_up`, `level_down`, `churn_warning` (assess/simulated.py: the holder of the item's role
in each group the member is in, due `within:` after the period closes) and each churn warning's
owner (assess/stage.py `_warnings`: by the end of the warning's due day); one reach answers both
when they name the same person. Each is then reached on time (the morning after the period
closes), late (after the deadline, within the day lateness lasts) or not at all, by the person's
diligence (generate_sop.diligence: the same model, drawn on a stream of its own, so every other
event keeps its bytes), and the reaches are put in their places in the sorted events. A reach
that would fall after the member left the group, the group's end or the data's end is not made:
a period closing on the data's last day is never answered in the data (its tasks are not due).

When the member stage reads reaches (reach counts, days since the last reach, points or custom
metrics on reaches, a member's group type), a period's follow-ups change what later periods
decide: the periods are then answered one after the other, each on the events with the reaches
before it (a loop over the few period ends).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..model import Playbook
from .generate_sop import DAY, LATE_LIMIT, Diligence, TaskSource, diligence, late_delay, outcome
from .roster import Roster

if TYPE_CHECKING:
    from .generate import Summary

Array = npt.NDArray[Any]

STREAM = 21  # the follow-ups' own random stream (the SOP's is 20): PCG64([seed, STREAM])
REACH_CHANNEL = "私聊"  # one to one, as the SOP's reaches (generate.REACH_CHANNELS[0])
MORNING = 9 * 3600  # staff pick up the closed period's list from 09:00 on
# What a FollowUpSource gives, one row per follow-up, ordered (the same order every run):
# day: the period's last day (from the window's start); group (0-based); member_id; staff
# (0-based); end: the deadline (seconds from the window's start: the item's due, the end of the
# warning's due day, the earliest of them); until: no reach from then on (the member's first
# leave of the group after the period, the group's end, the data's end).
FOLLOW_UP_SCHEMA = pa.schema([("day", pa.int64()), ("group", pa.int64()), ("member_id", pa.string()),
                              ("staff", pa.int64()), ("end", pa.int64()), ("until", pa.int64())])


@dataclass(frozen=True, slots=True)
class FollowUps:
    """What a FollowUpSource finds in the events: the follow-ups (FOLLOW_UP_SCHEMA), the period
    ends they answer (days from the window's start, in order) and whether a reach changes what
    the member stage decides later (then the periods are answered one after the other)."""

    rows: pa.Table
    ends: tuple[int, ...] = ()
    feeds_back: bool = False


FollowUpSource = Callable[[Playbook, Roster, pa.Table, dt.date], FollowUps]


def generate_staffed(playbook: Playbook, groups: int, members: int, days: int, start: dt.date, seed: int,
                     tasks: TaskSource | None = None,
                     follow_ups: FollowUpSource | None = None) -> tuple[pa.Table, Roster]:
    """generate.generate, the staff carrying out the SOP's tasks (`tasks`) and following up what
    the simulation decides (`follow_ups`, with `tasks` only)."""
    from .generate import generate

    table, roster = generate(playbook, groups, members, days, start, seed, tasks)
    if tasks is not None and follow_ups is not None:
        table = answered(playbook, table, roster, start, seed, follow_ups)
    return table, roster


def generate_staffed_files(playbook: Playbook, out: Path, groups: int, members: int, days: int, start: dt.date,
                           seed: int, tasks: TaskSource | None = None,
                           follow_ups: FollowUpSource | None = None) -> tuple[Path, Path, Summary]:
    """generate.generate_files with generate_staffed's events."""
    from .generate import summarize
    from .writers import event_format, write_pair

    event_format(out)  # refuse an unknown extension before doing the work
    table, roster = generate_staffed(playbook, groups, members, days, start, seed, tasks, follow_ups)
    roster_path = out.with_name(f"{out.stem}.roster.yaml")
    write_pair(table, roster, out, roster_path)
    return out, roster_path, summarize(table, roster, members, start, days, out.stat().st_size)


def answered(playbook: Playbook, table: pa.Table, roster: Roster, start: dt.date, seed: int,
             source: FollowUpSource) -> pa.Table:
    """`table` (the generated events, sorted by ts, group_id, member_id, type) with the staff's
    follow-up reaches in their places; unchanged without an SOP (nothing is assessed)."""
    if not playbook.sop:
        return table
    rng = np.random.default_rng(np.random.PCG64([seed, STREAM]))
    people = diligence(rng, len(roster.staff))
    found = source(playbook, roster, table, start)
    rounds: tuple[int | None, ...] = found.ends if found.feeds_back else (None,)
    for number, day in enumerate(rounds):
        if number:  # the member stage on the events with the reaches answering the periods before
            found = source(playbook, roster, table, start)
        rows = found.rows
        if day is not None:
            rows = rows.filter(pc.equal(rows.column("day"), day))
        table = with_reaches(table, start, *reaches(rng, rows, people))
    return table


def draw(rng: np.random.Generator, rows: pa.Table, people: Diligence) -> tuple[Array, Array]:
    """(done, t) of each follow-up: whether it is reached and when (seconds from the window's
    start). On time: the morning after the period closes (09:00, most before 11:00), or early in
    a deadline shorter than that; late: from the next working morning after the deadline, within
    the day lateness lasts."""
    day, end, staff = (rows.column(name).to_numpy() for name in ("day", "end", "staff"))
    done, late = outcome(rng, staff, people)
    v = rng.random((3, day.size))
    close = (day + 1) * DAY  # the period closes at the end of its last day
    span = np.maximum(end - close, 0)
    morning = MORNING + (-5400 * np.log(v[0])).astype(np.int64)
    early = (span * (1 - np.cbrt(v[1]))).astype(np.int64)
    on_time = close + np.where(span >= MORNING, np.minimum(morning, span), early)
    # a deadline at or after the working day's start is made up the next morning, before it the same morning
    next_morning = (end // DAY + (end % DAY >= MORNING)) * DAY + MORNING
    late_t = np.clip(next_morning + np.minimum(late_delay(v[2]), 12 * 3600), end + 60, end + LATE_LIMIT - 60)
    t: Array = np.where(late, late_t, on_time)
    return done, t


def reaches(rng: np.random.Generator, rows: pa.Table, people: Diligence) -> tuple[Array, Array, Array, Array]:
    """The reaches made: t, group, member_id, staff (a follow-up reached in time to happen)."""
    done, t = draw(rng, rows, people)
    kept = done & (t < rows.column("until").to_numpy())
    group, staff = (rows.column(name).to_numpy() for name in ("group", "staff"))
    member = rows.column("member_id").to_numpy(zero_copy_only=False).astype(str)
    return t[kept], group[kept], member[kept], staff[kept]


def with_reaches(table: pa.Table, start: dt.date, t: Array, group: Array, member: Array, staff: Array) -> pa.Table:
    """`table` with reach events (t: seconds from `start`) inserted where the sort by ts,
    group_id, member_id, type puts them; one equal to an event there already is left out, as the
    generator leaves out a repeated reach. Ids compare as they sort: the generator's ids have
    fixed widths, so their order is their numbers' (a staff id after every member id)."""
    if not t.size:
        return table
    epoch = (start - dt.date(1970, 1, 1)).days * DAY
    ts = epoch + t
    order = np.lexsort((member, group, ts))
    ts, group, member, staff = ts[order], group[order], member[order], staff[order]
    repeated = np.concatenate(([False], (ts[1:] == ts[:-1]) & (group[1:] == group[:-1]) & (member[1:] == member[:-1])))
    ts, group, member, staff = ts[~repeated], group[~repeated], member[~repeated], staff[~repeated]
    at, same = _places(table, ts, group, member)
    ts, group, member, staff, at = ts[~same], group[~same], member[~same], staff[~same], at[~same]
    added = _reach_rows(table, ts, group, member, staff)
    n, k = table.num_rows, ts.size
    moved = at + np.arange(k)  # each one's place among the rows and the reaches before it
    take = np.empty(n + k, np.int64)
    kept = np.ones(n + k, bool)
    kept[moved] = False
    take[moved] = n + np.arange(k)
    take[kept] = np.arange(n)
    return pa.concat_tables([table, added]).take(pa.array(take)).combine_chunks()


def _places(table: pa.Table, ts: Array, group: Array, member: Array) -> tuple[Array, Array]:
    """For each reach (ordered): how many rows sort before it, and whether a reach equal to it is
    there. Only the rows of its second are compared."""
    seconds = table.column("ts").combine_chunks().cast(pa.timestamp("s")).cast(pa.int64()).to_numpy()
    low, high = np.searchsorted(seconds, ts, "left"), np.searchsorted(seconds, ts, "right")
    sizes = high - low
    owner = np.repeat(np.arange(ts.size), sizes)
    rows = np.repeat(low - np.concatenate(([0], np.cumsum(sizes)[:-1])), sizes) + np.arange(int(sizes.sum()))
    picked = pa.array(rows, pa.int64())
    groups = table.column("group_id").combine_chunks()
    their_group = (groups.indices.take(picked).fill_null(-1) if isinstance(groups, pa.DictionaryArray)
                   else pc.take(groups, picked)).to_numpy(zero_copy_only=False)
    their_member = (pc.take(table.column("member_id"), picked).fill_null("").to_numpy(zero_copy_only=False)
                    .astype(str))
    their_type = pc.take(table.column("type"), picked).cast(pa.string()).to_numpy(zero_copy_only=False).astype(str)
    g, m = group[owner], member[owner]
    before = (their_group < g) | ((their_group == g) & ((their_member < m)
                                                          | ((their_member == m) & (their_type < "reach"))))
    same = (their_group == g) & (their_member == m) & (their_type == "reach")
    at = low + np.bincount(owner, weights=before, minlength=ts.size).astype(np.int64)
    return at, np.bincount(owner, weights=same, minlength=ts.size) > 0


def _reach_rows(table: pa.Table, ts: Array, group: Array, member: Array, staff: Array) -> pa.Table:
    """Reach events in `table`'s schema (its own dictionaries), every other column empty."""
    n = ts.size

    def coded(name: str, indices: Array) -> pa.Array:
        dictionary = table.column(name).combine_chunks().dictionary
        return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)).cast(
            table.schema.field(name).type.index_type), dictionary)

    def code(name: str, value: str) -> Array:
        dictionary = table.column(name).combine_chunks().dictionary
        return np.full(n, dictionary.index(value).as_py(), np.int32)

    columns = {"ts": pa.array(ts, pa.timestamp("s")), "type": coded("type", code("type", "reach")),
               "group_id": coded("group_id", group), "member_id": pa.array(member, pa.string()),
               "staff_id": coded("staff_id", staff), "channel": coded("channel", code("channel", REACH_CHANNEL))}
    return pa.table([columns.get(f.name, pa.nulls(n, f.type)) for f in table.schema], schema=table.schema)
