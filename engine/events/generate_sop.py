"""Staff carrying out the playbook's SOP, for the generator (`qunce events generate`).

The tasks are the task list's own (`qunce tasks`: compile/ run on the generated roster and the
generated member events), handed in as a `TaskSource`: events/ cannot import compile/, which
imports events/ (the roster), so the caller wires it (commands/generated_tasks.py). Each task's
outcome is then drawn at once for all tasks (numpy, a stream of its own, so the other events keep
their bytes): every staff member has a diligence drawn once (most on time 85–98% of the time, a
few careless ones 50–70%), a task not done on time is late (minutes after its window from a
skewed, long-tailed distribution, within the 24 hours lateness lasts) or missed. The evidence the
SOP assessment looks for (docs/sop-assessment.md) is emitted at the drawn time: a staff post in
the group, a one-to-one reach of the task's member, or a `sop_done` for `per: person` items.
Evidence that would fall outside the group's life, the window, the person's assignment or the
member's stay is not emitted (the task is missed). The diligence model (`diligence`, `outcome`,
`late_delay`) is also the follow-ups' (generate_follow_ups.py: the promotions, demotions and
churn warnings the simulation finds, answered once the events are generated).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..model import Playbook
from .roster import Roster

Array = npt.NDArray[Any]

DAY = 86_400
DEFAULT_TOLERANCE = 30  # minutes; the assessment's default (assess/evidence.py), for the items
LATE_LIMIT = 24 * 3600  # lateness beyond this is a miss (the assessment's LATE_MINUTES)
POST, REACH, LOGGED = 0, 1, 2
CARELESS_SHARE = 0.15  # staff members who are often late or miss tasks

# What a TaskSource returns, one row per staffed task, ordered (the same order every run):
# idx (item), group (0-based), day (from the window's start), minute (of the day, -1: none),
# member (-1: none), event_row (the trigger's row in the triggers table, -1: none),
# due (seconds from the window's start, -1: none), staff (0-based).
TASK_SCHEMA = pa.schema([("idx", pa.int32()), ("group", pa.int64()), ("day", pa.int64()), ("minute", pa.int64()),
                         ("member", pa.int64()), ("event_row", pa.int64()), ("due", pa.int64()),
                         ("staff", pa.int64())])
# The triggers handed to a TaskSource: the events an `on:` item answers, as event_tasks reads them.
TRIGGER_TYPES = ("join", "leave", "order", "refund", "referral", "checkin", "message")

TaskSource = Callable[[Playbook, Roster, dt.date, dt.date, pa.Table], pa.Table]


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the staff did: posts, reaches and sop_done rows (t: seconds from the window's start)."""

    post_t: Array
    post_group: Array
    post_staff: Array
    reach_t: Array
    reach_group: Array
    reach_member: Array
    reach_staff: Array
    done_t: Array
    done_group: Array
    done_staff: Array
    done_item: Array


@dataclass(frozen=True, slots=True)
class Diligence:
    """Per staff member: the share of tasks done on time, and of the others the share done late."""

    on_time: Array
    late_share: Array


def diligence(rng: np.random.Generator, people: int) -> Diligence:
    """Drawn once per person: most on time 85–98% of the time, a few careless ones 50–70%."""
    careless = rng.random(people) < CARELESS_SHARE
    on_time = np.where(careless, rng.uniform(0.5, 0.7, people), rng.uniform(0.85, 0.98, people))
    late_share = np.where(careless, rng.uniform(0.3, 0.6, people), rng.uniform(0.5, 0.8, people))
    return Diligence(on_time, late_share)


def outcome(rng: np.random.Generator, staff: Array, people: Diligence) -> tuple[Array, Array]:
    """(done, late) of each task by its person's diligence: on time, late or missed."""
    u = rng.random(staff.size)
    p = people.on_time[staff]
    done = u < p + (1 - p) * people.late_share[staff]
    return done, done & (u >= p)


def late_delay(v: Array) -> Array:
    """Seconds after the window, from uniform draws `v`: minutes to hours (log-logistic, median
    40 minutes, a long tail), within the day lateness lasts."""
    odds = v / np.maximum(1 - v, 1e-12)
    delay: Array = np.clip(2400 * odds ** 0.8, 60, LATE_LIMIT - 60).astype(np.int64)
    return delay


def item_table(playbook: Playbook) -> dict[str, Array]:
    """Per SOP item: its evidence kind, tolerance (minutes) and within (minutes, 0: none)."""
    from ..model.sop import SopItem

    def kind(item: SopItem) -> int:  # as assess/evidence.evidence
        if item.per == "person":
            return LOGGED
        if item.member_days or item.on in ("churn_warning", "level_up", "level_down"):
            return REACH
        return POST

    default = playbook.calendar.tolerance.minutes if playbook.calendar.tolerance is not None else DEFAULT_TOLERANCE
    return {"kind": np.array([kind(i) for i in playbook.sop], dtype=np.int8),
            "tolerance": np.array([i.tolerance.minutes if i.tolerance is not None else default
                                   for i in playbook.sop], dtype=np.int64),
            "within": np.array([i.within.minutes if i.within is not None else 0 for i in playbook.sop],
                               dtype=np.int64)}


def trigger_table(start: dt.date, t: Array, kind: Array, group: Array, member: Array, flagged: Array,
                  group_ids: pa.Array) -> pa.Table:
    """The triggers as event_tasks reads events: row, ts, date, type, group_id, member_id, flag.
    `kind` indexes TRIGGER_TYPES; a message is a trigger only when flagged (a banned behaviour)."""
    epoch = (start - dt.date(1970, 1, 1)).days * DAY
    seconds = epoch + t
    return pa.table({
        "row": pa.array(np.arange(t.size, dtype=np.int64)),
        "ts": pa.array(seconds, type=pa.timestamp("s")),
        "date": pa.array((seconds // DAY).astype(np.int32), type=pa.date32()),
        "type": pa.DictionaryArray.from_arrays(pa.array(kind.astype(np.int8)), pa.array(TRIGGER_TYPES)),
        "group_id": group_ids.take(pa.array(group)),
        "member_id": pa.array(member.astype(np.int64)),  # numbers: cheaper to join than their ids
        "flag": pa.array(np.full(t.size, "x"), pa.string(), mask=~flagged.astype(bool)),
    })


def draw(rng: np.random.Generator, tasks: pa.Table, items: dict[str, Array], people: int,
         trigger_t: Array) -> tuple[Array, Array, Array]:
    """Each task's outcome: (done, t, kind): whether evidence is emitted, when (seconds from the
    window's start) and its kind (POST, REACH, LOGGED)."""
    col = {name: tasks.column(name).to_numpy() for name in TASK_SCHEMA.names}
    n = tasks.num_rows
    idx, staff, day, minute, due = col["idx"], col["staff"], col["day"], col["minute"], col["due"]
    kind = items["kind"][idx]
    tolerance = items["tolerance"][idx] * 60
    done, late = outcome(rng, staff, diligence(rng, people))  # diligence: once per person
    day_start = day * DAY
    answers = (due >= 0) & (col["event_row"] >= 0)
    trigger = np.full(n, -1, np.int64)
    trigger[answers] = trigger_t[col["event_row"][answers]]
    scheduled = np.where((minute >= 0) & (due < 0) & (kind != REACH), day_start + minute * 60, -1)
    # the window, as the assessment sets it (assess/windows.py)
    end = np.select([due >= 0, scheduled >= 0], [due, scheduled + tolerance], day_start + DAY - 1)
    # On time: a scheduled post a few minutes around its time (more often just after), a reply
    # soon after the clock starts (the event, or the start of the next working span: Beta(1, 3),
    # mostly early), the group's creation and a member's day in the working day. Inverse CDFs of
    # uniform draws: one vectorised draw per quantity.
    v = rng.random((4, n))
    jitter = np.clip(-300 * np.log(v[0]) - 180, -tolerance, tolerance).astype(np.int64)
    opens = np.maximum(due - items["within"][idx] * 60, trigger)
    reply = opens + ((due - opens) * (1 - np.cbrt(v[1]))).astype(np.int64)
    reply = np.minimum(np.maximum(reply, trigger + 20), due)
    working = day_start + np.where(minute >= 0, minute * 60, 9 * 3600) + (-5400 * np.log(v[2])).astype(np.int64)
    in_day = np.where(due >= 0, np.minimum(working, due), np.minimum(working, day_start + DAY - 1))
    t = np.select([trigger >= 0, scheduled >= 0], [reply, scheduled + jitter], in_day)
    # Late: minutes to hours after the window (log-logistic, median 40 minutes, a long tail), within
    # a day; a task of a whole day done the next working morning.
    delay = late_delay(v[3])
    whole_day = (scheduled < 0) & (trigger < 0)
    next_morning = day_start + DAY + 9 * 3600 + np.minimum(delay, 12 * 3600)
    t = np.where(late, np.where(whole_day & (due < 0), next_morning, end + delay), t)
    return done, t, kind


def evidence(tasks: pa.Table, done: Array, t: Array, kind: Array, alive: Callable[[Array, Array, Array], Array],
             stays: Callable[[Array, Array], Array]) -> Evidence:
    """The evidence rows of the tasks done, kept where they can happen: `alive(group, staff, t)`
    says the person holds a place in the group that day (and the group and window exist);
    `stays(event_row, t)` that the member is still in the group then."""
    group = tasks.column("group").to_numpy()
    staff = tasks.column("staff").to_numpy()
    member = tasks.column("member").to_numpy()
    event_row = tasks.column("event_row").to_numpy()
    kept = done & alive(group, staff, t)
    reach = kept & (kind == REACH) & (member >= 0)
    reach &= stays(np.where(reach, event_row, -1), t)
    post = kept & (kind == POST)
    logged = kept & (kind == LOGGED)
    item = tasks.column("idx").to_numpy()
    return Evidence(t[post], group[post], staff[post], t[reach], group[reach], member[reach], staff[reach],
                    t[logged], group[logged], staff[logged], item[logged])
