"""Synthetic events and a roster for a playbook (`qunce events generate`).

Groups, staff and members follow the playbook (group types and their entry
modes, roles and their per-group counts, banned behaviour) and behave roughly
like real ones: a few members post most messages, some groups decline, flash
groups end after their lifespan, staff change groups mid-way. A playbook with a
commission has its groups drawn to reach about its KPI targets, each by its own
strength (generate_scale.py: sales, joins, leaves, activity, surveys); without one,
the rates below are used. Every draw is a vectorised numpy call on one PCG64
stream, the groups' strengths on a second one seeded alike (loops run over event
types, roles, group types and months; Python objects only for the roster's rows),
so the same arguments give the same bytes. Given the SOP's staffed tasks (`tasks`, the task
list's own expansion wired by commands/generated_tasks.py), staff carry out the SOP on time, late
or not at all, each with a diligence of their own (generate_sop.py, on a third stream), and most
of their random posts give way to it; without them staff post at random, as before.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import UsageError
from ..event_contract import COLUMNS, EVENT_TYPES
from ..model import Playbook
from ..model.bounds import MAX_DAYS, MAX_STAFF_PER_GROUP
from .generate_scale import chat_rates, period_days, strengths, targets, valid_share
from .generate_sop import TRIGGER_TYPES, TaskSource
from .roster import FIRST_DATE, LAST_DATE, Assignment, Group, Roster, Staff

Array = npt.NDArray[Any]

DAY = 86_400
# What one generation may ask for: arrays of groups × days and members × days are built whole
# (the benchmark's 5,000 groups, 1,000,000 members and 90 days is 0.45M and 90M), and a staff
# position is a loop step (staffing is at most MAX_STAFF_PER_GROUP per role; roles are many).
MAX_GROUP_DAYS = 20_000_000
MAX_MEMBER_DAYS = 1_000_000_000
MAX_POSITIONS_PER_GROUP = 1_000
EARLIEST_CREATION = 400  # days before the window a persistent group may have been created
TYPES = tuple(sorted(EVENT_TYPES))  # codes in id order: sorting by code sorts by type
CODE = {name: i for i, name in enumerate(TYPES)}
PUBLIC = ("公众号", "小红书", "直播间", "朋友圈")
CHATTER_KEPT = 0.3  # of the staff's random posts, when they carry out the SOP (most of their posts)
MODE_CHANNEL = {"invite": "员工邀请", "referral": "好友推荐", "activity": "活动报名", "paid": "付费入群"}
ORDER_CHANNELS = ("小程序", "直播间", "群接龙")
REACH_CHANNELS = ("私聊", "电话")
CHANNELS = tuple(dict.fromkeys((*PUBLIC, *MODE_CHANNEL.values(), *ORDER_CHANNELS, *REACH_CHANNELS)))
CHANNEL = {name: i for i, name in enumerate(CHANNELS)}
FLAG_KINDS = {"ads": 0.35, "spam": 0.3, "off_topic": 0.2, "abuse": 0.1, "other": 0.05}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲燕萍红琳雪婷倩佳悦欣怡晨宇浩然"
HOURS = {  # relative activity per hour of day
    "chat": (2, 1, .5, .3, .3, .5, 1, 3, 5, 6, 6, 7, 9, 8, 6, 6, 6, 6, 7, 9, 11, 12, 9, 5),
    "shop": (1, .5, .2, .1, .1, .2, .5, 1, 2, 3, 4, 5, 6, 5, 4, 4, 4, 4, 5, 7, 9, 10, 8, 4),
    "checkin": (0, 0, 0, 0, 0, .5, 4, 12, 14, 8, 4, 2, 1, 1, .5, .5, .5, .5, .5, .5, .5, .5, .3, .2),
    "work": (0, 0, 0, 0, 0, 0, 0, 0, 1, 4, 5, 5, 3, 3, 5, 5, 5, 4, 3, 2, 1, 0, 0, 0),
}


@dataclass(frozen=True, slots=True)
class Kind:
    """How groups of one base kind behave (rates per member per day at full activity)."""

    share: float  # how many groups of this kind, relative
    chat: float
    buy: float
    price: float  # mean order amount, CNY
    cost: float  # per group per month (short-lived groups: in all), CNY
    checkin: float

# Steering a group to its commission targets (generate_scale): the share of an order's amount
# refunds leave (4% refunded, 70% of those in full, the rest ~55%), the survey answers a group
# gets per period (enough for a csat that is not one person's mood), how many memberships the
# interaction-rate fit looks at (a stride over them beyond that: its cost stays small), and how
# much lower a declining group's members score.
KEPT_AFTER_REFUNDS = 1 - 0.04 * (0.7 + 0.3 * 0.55)
SURVEYS_PER_PERIOD = 10
ORDERS_PER_MEMBER = 0.5  # per period at most, when only sales are aimed at
FIT_SAMPLE = 250_000
DECLINE_SCORE = 0.4

KINDS = {
    "traffic": Kind(4.0, 0.115, 0.0025, 69, 2000, 1.0),
    "welfare": Kind(3.0, 0.09, 0.005, 139, 1200, 1.3),
    "flash": Kind(2.0, 0.55, 0.04, 259, 1500, 0.0),
    "custom": Kind(1.5, 0.115, 0.004, 199, 1500, 1.0),
}


@dataclass(frozen=True, slots=True)
class Summary:
    """What a generation produced (`bytes`: the event file's size, 0 when not written)."""

    rows: int
    by_type: dict[str, int]
    groups: int
    staff: int
    assignments: int
    members: int
    start: dt.date
    end: dt.date  # the last day of the window
    bytes: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "by_type": dict(self.by_type), "groups": self.groups, "staff": self.staff,
                "assignments": self.assignments, "members": self.members, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "bytes": self.bytes}


def generate(playbook: Playbook, groups: int, members: int, days: int, start: dt.date,
             seed: int, tasks: TaskSource | None = None) -> tuple[pa.Table, Roster]:
    """Events (sorted by ts, group_id, member_id, type) and the roster they belong to. `tasks`:
    the SOP's staffed tasks (commands/generated_tasks.staffed_tasks): staff then carry out the
    SOP (generate_sop.py); without it staff post at random."""
    if groups < 1 or members < 1 or days < 1:
        raise UsageError("groups, members and days must each be at least 1", "群数、成员数和天数都至少为 1")
    if not playbook.group_types:
        raise UsageError("the playbook has no group_types to generate groups for", "剧本没有 group_types（群类型），无法生成群")
    _within_bounds(playbook, groups, members, days, start)
    world = _World(playbook, groups, members, days, start, np.random.default_rng(np.random.PCG64(seed)), seed, tasks)
    table = world.events()
    return table, world.roster()


def _within_bounds(playbook: Playbook, groups: int, members: int, days: int, start: dt.date) -> None:
    # Refused before anything is allocated: the same bounds as the playbook's and the roster's,
    # and the sizes the arrays would have.
    if days > MAX_DAYS:
        raise UsageError(f"--days {days}: at most {MAX_DAYS} (ten years)", f"--days {days}：最多 {MAX_DAYS} 天（十年）")
    earliest = FIRST_DATE + dt.timedelta(days=EARLIEST_CREATION)  # groups are created up to that long before
    if start < earliest or start + dt.timedelta(days=days) > LAST_DATE:
        raise UsageError(f"--start {start}: the roster's dates must fall within {FIRST_DATE.year}–{LAST_DATE.year} "
                         f"(start on {earliest} or later, end by {LAST_DATE})",
                         f"--start {start}：花名册的日期须在 {FIRST_DATE.year}–{LAST_DATE.year} 年之间"
                         f"（最早 {earliest} 开始，{LAST_DATE} 前结束）")
    for name, size, limit in (("groups", groups, MAX_GROUP_DAYS), ("members", members, MAX_MEMBER_DAYS)):
        if size * days > limit:
            raise UsageError(f"--{name} {size} × --days {days} is more than {limit:,} {name[:-1]}-days to generate",
                             f"--{name} {size} × --days {days} 超过了可生成的上限 {limit:,}")
    positions = sum(max([gt.staffing.get(role_id, 0) if gt.staffing else (role.per_group or 0)
                         for gt in playbook.group_types.values()], default=0)
                    for role_id, role in playbook.roles.items())
    largest = max([*(n for gt in playbook.group_types.values() for n in gt.staffing.values()),
                   *(role.per_group or 0 for role in playbook.roles.values())], default=0)
    if largest > MAX_STAFF_PER_GROUP or positions > MAX_POSITIONS_PER_GROUP:
        raise UsageError(f"the playbook staffs a group with {positions} people ({largest} in one role); at most "
                         f"{MAX_POSITIONS_PER_GROUP} ({MAX_STAFF_PER_GROUP} in one role)",
                         f"剧本给每个群配置了 {positions} 人（单个角色 {largest} 人）；最多 {MAX_POSITIONS_PER_GROUP} 人"
                         f"（单个角色 {MAX_STAFF_PER_GROUP} 人）")


def generate_files(playbook: Playbook, out: Path, groups: int, members: int, days: int, start: dt.date,
                   seed: int, tasks: TaskSource | None = None) -> tuple[Path, Path, Summary]:
    """Write events to `out` (.csv, .jsonl or .parquet) and the roster beside it as <stem>.roster.yaml."""
    from .writers import event_format, write_pair

    event_format(out)  # refuse an unknown extension before doing the work
    table, roster = generate(playbook, groups, members, days, start, seed, tasks)
    roster_path = out.with_name(f"{out.stem}.roster.yaml")
    write_pair(table, roster, out, roster_path)
    return out, roster_path, summarize(table, roster, members, start, days, out.stat().st_size)


def summarize(table: pa.Table, roster: Roster, members: int, start: dt.date, days: int, size: int = 0) -> Summary:
    """Rows per event type, and the roster's counts."""
    kinds = table.column("type").combine_chunks()
    if isinstance(kinds, pa.DictionaryArray):
        counts = np.bincount(kinds.indices.to_numpy(zero_copy_only=False), minlength=len(kinds.dictionary))
        found = {str(name): int(n) for name, n in zip(kinds.dictionary.to_pylist(), counts, strict=True)}
    else:
        found = {str(r["values"]): int(r["counts"]) for r in pc.value_counts(kinds).to_pylist()}
    return Summary(table.num_rows, {k: found.get(k, 0) for k in EVENT_TYPES}, len(roster.groups), len(roster.staff),
                   len(roster.assignments), members, start, start + dt.timedelta(days=days - 1), size)


def _ids(prefix: str, count: int, width: int) -> pa.Array:
    numbers = pc.cast(pa.array(np.arange(1, count + 1, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, width, "0"), "")


def _width(count: int, least: int) -> int:
    return max(least, len(str(count)))


def _kind_of(type_id: str, kind: str | None) -> str:
    return kind or (type_id if type_id in ("traffic", "welfare", "flash") else "custom")


@dataclass(slots=True)
class _Slots:
    """Staff positions: one per role per group, held by `before` until day `change`, then by `after`."""

    group: Array
    role: Array
    before: Array
    after: Array
    change: Array


@dataclass(slots=True)
class _Blocks:
    rows: list[dict[str, Array]] = field(default_factory=list)

    def add(self, kind: str, t: Array, group: Array, **columns: Array) -> None:
        if t.size:
            self.rows.append({"t": t, "type": np.full(t.size, CODE[kind], np.int8), "group": group, **columns})


COLUMN_DTYPES: dict[str, Any] = {
    "t": np.int64, "type": np.int8, "group": np.int32, "member": np.int32, "staff": np.int32,
    "amount": np.int64, "order": np.int64, "channel": np.int8, "referrer": np.int32, "activity": np.int16,
    "removed": np.int8, "flag": np.int16, "score": np.int8, "count": np.int32, "length": np.int32, "sop": np.int16,
}
NULLS = {"timestamp": pa.timestamp("s"), "text": pa.string(), "decimal": pa.decimal128(12, 2), "integer": pa.int32(),
         "boolean": pa.bool_()}


class _World:
    """Groups, staff and memberships, then the events they make."""

    def __init__(self, playbook: Playbook, groups: int, members: int, days: int, start: dt.date,
                 rng: np.random.Generator, seed: int = 0, tasks: TaskSource | None = None) -> None:
        self.pb, self.G, self.M, self.D, self.start, self.rng = playbook, groups, members, days, start, rng
        self.task_source, self.seed = tasks, seed
        self._built: tuple[list[Group], list[Assignment]] | None = None
        self._sop_stream: np.random.Generator | None = None
        self.type_ids = list(playbook.group_types)
        self.types = [playbook.group_types[t] for t in self.type_ids]
        self.kinds = [KINDS[_kind_of(t, gt.kind)] for t, gt in zip(self.type_ids, self.types, strict=True)]
        self.modes = [gt.entry.mode for gt in self.types]
        self.activities = list(dict.fromkeys(gt.entry.activity or f"{gt.name}活动" for gt in self.types
                                             if gt.entry.mode == "activity"))
        self.flags = [b.id for b in playbook.rules.banned]
        self._groups()
        self._intensity()
        self._staff()
        self._aims(seed)
        self._memberships()
        if self.aim is not None:
            self._steer()

    # --- groups -----------------------------------------------------------------------------

    def _per_type(self, values: list[float]) -> Array:
        return np.asarray(values, dtype=np.float64)[self.g_type]

    def _groups(self) -> None:
        rng, G, D = self.rng, self.G, self.D
        share = np.array([k.share * (0.5 if m == "paid" else 1.0) for k, m in zip(self.kinds, self.modes, strict=True)])
        kind = rng.choice(len(self.types), size=G, p=share / share.sum())
        span = np.array([math.ceil(gt.lifespan.minutes / 1440) if gt.lifespan else 0 for gt in self.types])[kind]
        short = span > 0
        # A commission period is judged mostly on groups that existed before it: fewer new ones
        # when the playbook pays a commission on them (a group created late in a month cannot reach
        # its targets).
        before = ~short & (rng.random(G) < (0.85 if self.pb.commission is not None else 0.7))
        created = np.where(short, rng.integers(0, np.maximum(1, D - span + 1)),
                           np.where(before, -rng.integers(14, EARLIEST_CREATION, G), rng.integers(0, max(1, D - D // 4), G)))
        ended = np.where(short, created + span - 1, np.iinfo(np.int32).max)
        # Some persistent groups decline; a few of those are dissolved before the window ends.
        decline = ~short & (rng.random(G) < 0.2)
        lo = np.maximum(created, 0)
        onset = lo + (rng.random(G) * np.maximum(1, (D - lo) // 3)).astype(np.int64)
        tau = rng.uniform(D / 10 + 1, D / 4 + 2, G)
        death = (onset + 2.5 * tau).astype(np.int64)
        dissolve = decline & (rng.random(G) < 0.4) & (death < D - 1)
        ended = np.where(dissolve, death, ended)
        order = np.lexsort((rng.random(G), kind, created))  # ids follow creation
        self.g_type, self.created, self.ended = kind[order], created[order], ended[order]
        self.span = span[order]
        self.short, self.decline, self.onset, self.tau = short[order], decline[order], onset[order], tau[order]
        self.lo = np.maximum(self.created, 0)
        self.hi = np.minimum(self.ended, D - 1)
        cap = np.array([gt.capacity or 500 for gt in self.types], dtype=np.int64)
        self.capacity = cap[self.g_type]

    def _intensity(self) -> None:
        """Activity per group per day (0 outside its life); `cum` is its running sum over all groups."""
        rng, G, D = self.rng, self.G, self.D
        day = np.arange(D)
        weekday = np.where((self.start.weekday() + day) % 7 >= 5, 1.15, 1.0)
        holidays = {(h - self.start).days for h in self.pb.holiday_dates}
        weekday *= np.where(np.isin(day, sorted(holidays)), 0.75, 1.0)
        age = day[None, :] - self.lo[:, None]
        warm = (self.created >= 0) & ~self.short
        length = np.maximum(1, self.hi - self.lo)[:, None]
        shape = np.where(warm[:, None], 0.5 + 0.5 * np.clip(age / 7, 0, 1), 1.0)
        shape = np.where(self.short[:, None], 1 + 0.5 * np.clip(age / length, 0, 1), shape)
        fade = np.exp(-np.clip(day[None, :] - self.onset[:, None], 0, None) / self.tau[:, None])
        alive = (day[None, :] >= self.lo[:, None]) & (day[None, :] <= self.hi[:, None])
        factor = rng.lognormal(0, 0.35, G)[:, None]
        # `healthy`: the group as if it did not decline, what a steered group is aimed from (the
        # decline then makes it fall short of its targets, as a dying group does)
        self.healthy = np.where(alive, np.maximum(shape * factor * weekday[None, :], 1e-3), 0.0)
        level = np.where(self.decline[:, None], fade, 1.0) * shape
        self.level = np.where(alive, np.maximum(level * factor * weekday[None, :], 1e-3), 0.0)
        self.cum = np.concatenate(([0.0], np.cumsum(self.level.ravel())))

    def _days_between(self, group: Array, first: Array, last: Array, cum: Array | None = None) -> Array:
        """A day in [first, last] for each event, drawn by its group's activity (or `cum`'s)."""
        cum = self.cum if cum is None else cum
        base = group.astype(np.int64) * self.D
        low, high = cum[base + first], cum[base + last + 1]
        flat = np.searchsorted(cum, low + self.rng.random(group.size) * (high - low), side="right") - 1
        day: Array = np.clip(flat - base, first, last)
        return day

    def _clock(self, hours: str, n: int) -> Array:
        weights = np.cumsum(HOURS[hours])
        hour = np.searchsorted(weights, self.rng.random(n) * weights[-1], side="right")
        seconds: Array = np.minimum(hour, 23) * 3600 + self.rng.integers(0, 3600, n)
        return seconds

    # --- staff ------------------------------------------------------------------------------

    def _staffing(self) -> list[tuple[str, Array]]:
        """Per role: how many staff each group type has (the type's staffing, else role.per_group)."""
        found = []
        for role_id, role in self.pb.roles.items():
            counts = [gt.staffing.get(role_id, 0) if gt.staffing else (role.per_group or 0) for gt in self.types]
            if any(counts):
                found.append((role_id, np.array(counts, dtype=np.int64)))
        return found

    def _staff(self) -> None:
        rng, G = self.rng, self.G
        self.role_ids: list[str] = []
        parts: list[tuple[Array, Array, Array]] = []
        people = 0
        for r, (role_id, counts) in enumerate(self._staffing()):
            self.role_ids.append(role_id)
            cap = self.pb.roles[role_id].max_groups or 6
            for position in range(int(counts.max())):
                # each position has its own people, so nobody holds two places in one group;
                # groups in type order, so one person mostly holds groups of one type
                need = np.flatnonzero(counts[self.g_type] > position)
                need = need[np.argsort(self.g_type[need], kind="stable")]
                sizes = rng.integers(max(1, (cap + 1) // 2), cap + 1, need.size)
                holder = np.searchsorted(np.cumsum(sizes), np.arange(need.size), side="right")
                parts.append((need, np.full(need.size, r), people + holder))
                people += int(holder[-1]) + 1 if need.size else 0
        group = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        role = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
        holder = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, np.int64)
        order = np.lexsort((role, group))
        group, role, holder = group[order], role[order], holder[order]
        # A few positions change hands mid-window (a new person takes over), for proration.
        change = np.full(group.size, np.iinfo(np.int32).max, dtype=np.int64)
        after = holder.copy()
        room = (self.hi[group] - self.lo[group] >= 3) & ~self.short[group]
        candidates = np.flatnonzero(room)
        if candidates.size:
            wanted = min(candidates.size, max(1, round(0.03 * G)))
            picked = np.sort(rng.choice(candidates, size=wanted, replace=False))
            low, high = self.lo[group[picked]] + 1, self.hi[group[picked]]
            change[picked] = low + (rng.random(picked.size) * (high - low + 1)).astype(np.int64)
            after[picked] = people + np.arange(picked.size)
            people += picked.size
        self.slots = _Slots(group, role, holder, after, change)
        self.people = people

    def _holders(self, group: Array, day: Array, roles: list[str]) -> Array:
        """For each (group, day), a random staff member of one of `roles` on that day, or -1 if none."""
        idx = np.flatnonzero(np.isin(self.slots.role, [self.role_ids.index(r) for r in roles if r in self.role_ids]))
        if not idx.size:
            return np.full(group.size, -1, np.int32)
        first = np.searchsorted(self.slots.group[idx], np.arange(self.G))
        n = np.diff(np.append(first, idx.size))[group]
        slot = idx[np.minimum(first[group] + (self.rng.random(group.size) * n).astype(np.int64), idx.size - 1)]
        s = self.slots
        staff = np.where(day >= s.change[slot], s.after[slot], s.before[slot])
        return np.where(n > 0, staff, -1).astype(np.int32)

    # --- the commission's targets (generate_scale) --------------------------------------------

    def _aims(self, seed: int) -> None:
        """What each group is aimed at per period, from the commission's targets (metric → per
        group); None keeps the generator's defaults (a playbook without a commission)."""
        self.aim: dict[str, Array] | None = None
        self.chat: Array | None = None
        self.cum_orders: Array | None = None
        self.survey_rate: Array | None = None
        self.price = (self._per_type([k.price for k in self.kinds])
                      * np.where(np.array([m == "paid" for m in self.modes])[self.g_type], 3.0, 1.0))
        found = targets(self.pb) if self.pb.commission is not None else None
        if found is None:
            return
        aimed = found.per_group(self.slots.group.size / max(self.people, 1))
        self.period_first, self.period_of_day, lengths = period_days(self.start, self.D, aimed.grain)
        # A group's target is for its life in a period: the whole period, or its lifespan when
        # shorter (a 3-day flash group is aimed at a month's target in its 3 days).
        life = np.minimum(lengths[None, :], np.where(self.short, self.span, np.inf)[:, None])
        alive = np.add.reduceat((self.level > 0).astype(np.float64), self.period_first, axis=1)
        self.portion = alive / life  # groups × periods: the part of each period's target aimed at
        self.life_days = np.where(self.short, np.minimum(self.span, lengths.mean()), lengths.mean())
        # its own stream: the groups' strengths do not move the other draws
        strength = strengths(np.random.default_rng(np.random.PCG64([seed, 18])), self.G, sorted(aimed.values))
        self.aim = {m: aimed.values[m] / strength[m] if m in aimed.lower else aimed.values[m] * strength[m]
                    for m in aimed.values}
        if "csat" in aimed.values and aimed.values["csat"] < 5:
            # scores stop at 5: a strong group is closer to it (less short of 5), a weak one further
            self.aim["csat"] = 5 - (5 - aimed.values["csat"]) / strength["csat"]

    def _leave_aim(self) -> Array:
        """Each group's aimed leave rate per period (a default of 5% when the plan has none)."""
        assert self.aim is not None
        return self.aim.get("leave_rate", np.full(self.G, 0.05))

    def _leave_hazard(self) -> Array:
        """Per group, the daily chance a member leaves that gives its aimed leave rate; troubled
        members (who leave more, ~0.9% of a group over the window) are part of it, and declining
        groups lose twice as many."""
        wanted = self._leave_aim() / self.life_days - 0.009 / np.maximum(self.hi - self.lo + 1, 1)
        hazard: Array = np.maximum(wanted, 1e-4) * np.where(self.decline, 2.0, 1.0)
        return hazard

    def _joins_aimed(self) -> Array | None:
        """Per group, the joins its growth target asks for over the window (net of leaves for a
        net_new_members target: these, plus the members who leave out of the joiners)."""
        if self.aim is None:
            return None
        periods = self.portion.sum(axis=1)
        wanted: Array | None = None
        if "new_members" in self.aim:
            wanted = self.aim["new_members"] * periods
        elif "net_new_members" in self.aim:
            wanted = np.maximum(self.aim["net_new_members"], 0) * periods
        return wanted

    def _initial_share(self, group: Array, again: Array) -> Array:
        """Per membership, the chance it was already in its (older) group when the window began:
        what the group's joins leave of its members (second memberships all join)."""
        joins = self._joins_aimed()
        if joins is None:
            return np.full(group.size, 0.7)
        size = np.bincount(group, minlength=self.G).astype(np.float64)
        leaves = self._leave_aim() * size * self.portion.sum(axis=1)
        primary = np.bincount(group[~again], minlength=self.G)
        needed = joins + leaves - np.bincount(group[again], minlength=self.G)
        # an old group keeps some members from before the window, even when its target wants more
        join = np.clip(needed / np.maximum(primary, 1), 0.0, 0.85)
        share: Array = (1 - join)[group]
        return share

    def _steer(self) -> None:
        """Orders, messages and surveys drawn to reach each group's aims (after the memberships:
        the aims are met by the members the group has)."""
        assert self.aim is not None
        aim, G, D = self.aim, self.G, self.D
        flat = self.ms_group.astype(np.int64) * (D + 1)

        def present(weights: Array | None) -> Array:
            # per group and day, the sum of `weights` over the members in the group that day
            size = G * (D + 1)
            diff = (np.bincount(flat + self.first, weights, minlength=size)
                    - np.bincount(flat + self.last + 1, weights, minlength=size))
            summed: Array = np.cumsum(diff.reshape(G, D + 1), axis=1)[:, :D]
            return summed

        def per_period(values: Array) -> Array:
            summed: Array = np.add.reduceat(values, self.period_first, axis=1)
            return summed

        alive = per_period((self.level > 0).astype(np.float64))
        members = per_period(present(None)) / np.maximum(alive, 1)
        sales = aim.get("sales", aim.get("order_amount"))
        orders: Array | None = None
        if "conversion_rate" in aim:
            orders = aim["conversion_rate"][:, None] * members * self.portion
        elif "orders" in aim:
            orders = aim["orders"][:, None] * self.portion
        if orders is not None and sales is not None:
            # both counted and summed: the order value is what makes them agree
            self.price = np.maximum(9.0, sales * self.portion.sum(axis=1)
                                    / np.maximum(orders.sum(axis=1), 1e-9) / KEPT_AFTER_REFUNDS)
        elif sales is not None:
            # At the type's usual order value, but not more orders than a member places in a
            # period: a sales target too large for the group's members raises its order value.
            most = ORDERS_PER_MEMBER * members * self.portion
            orders = np.minimum(sales[:, None] * self.portion / (self.price[:, None] * KEPT_AFTER_REFUNDS), most)
            wanted = sales * self.portion.sum(axis=1) / KEPT_AFTER_REFUNDS
            self.price = np.maximum(self.price, wanted / np.maximum(orders.sum(axis=1), 1e-9))
        if orders is not None:
            # orders at rate 1 per group and period, from the buyers present and the group's
            # healthy activity; the rate that makes them the aimed orders, on its actual activity
            unit = per_period(present(self.buyer) * self.healthy)
            rate = np.divide(orders, unit, out=np.zeros_like(unit), where=unit > 0)
            intensity = rate[:, self.period_of_day] * self.level
            self.cum_orders = np.concatenate(([0.0], np.cumsum(intensity.ravel())))
        if "interaction_rate" in aim:
            stride = max(1, self.ms_group.size // FIT_SAMPLE)
            pick = slice(None, None, stride)
            days = np.maximum(alive.sum(axis=1), 1)
            valid = valid_share(self.pb.metrics.valid_message_min_chars, 12, 0.9)
            self.chat = chat_rates(self.talk[pick], self.ms_group[pick], (self.last - self.first + 1)[pick],
                                   self.healthy.sum(axis=1) / days, np.clip(aim["interaction_rate"], 0, 0.95), valid)
        if "csat" in aim:
            answers = np.bincount(self.ms_group, weights=self.exposure, minlength=G)
            self.survey_rate = np.divide(SURVEYS_PER_PERIOD * self.portion.sum(axis=1), answers,
                                         out=np.zeros(G), where=answers > 0)

    # --- members ----------------------------------------------------------------------------

    def _sizes(self) -> Array:
        rng, G, M = self.rng, self.G, self.M
        weight = self.capacity * rng.lognormal(0, 0.5, G) * np.where(self.short, 0.4, 1.0)
        joins = self._joins_aimed()
        if joins is not None and self.short.any() and (~self.short).any():
            # Short-lived groups are all joins: room for their join targets (up to capacity), and
            # the other members to the lasting groups (at most half of them to short groups).
            need = np.where(self.short, np.minimum(joins * (1 + self._leave_aim()), self.capacity), 0.0)
            short = min(int(need.sum()), M // 2)
            counts = np.where(self.short, rng.multinomial(short, need / max(need.sum(), 1e-9)), 0)
            lasting = np.where(self.short, 0.0, weight)
            counts = counts + rng.multinomial(M - short, lasting / lasting.sum())
        else:
            counts = rng.multinomial(M, weight / weight.sum())
        for _ in range(4):  # keep groups within capacity while there is room elsewhere
            over = np.maximum(counts - self.capacity, 0)
            room = np.maximum(self.capacity - counts, 0)
            if not over.sum() or not room.sum():
                break
            counts = counts - over + rng.multinomial(int(over.sum()), room / room.sum())
        return counts

    def _memberships(self) -> None:
        rng, M, D = self.rng, self.M, self.D
        primary = np.repeat(np.arange(self.G), self._sizes())[rng.permutation(M)]
        # Some members are in a second, persistent group (flash members more often: they move on).
        lasting = np.flatnonzero(~self.short)
        second = np.flatnonzero(rng.random(M) < np.where(self.short[primary], 0.3, 0.06))
        if lasting.size:
            weight = self.capacity[lasting].astype(np.float64)
            other = lasting[rng.choice(lasting.size, size=second.size, p=weight / weight.sum())]
        else:
            other = primary[second]
        keep = other != primary[second]
        second, other = second[keep], other[keep]
        member: Array = np.concatenate((np.arange(M), second)).astype(np.int32)
        group: Array = np.concatenate((primary, other)).astype(np.int32)
        again: Array = np.arange(member.size) >= M
        n = member.size
        lo, hi = self.lo[group], self.hi[group]
        kept = 0.7 if self.aim is None else self._initial_share(group, again)
        initial: Array = ~again & (self.created[group] < 0) & (rng.random(n) < kept)
        # joins spread over the window in old groups, crowd the first days of new ones
        uniform = rng.random(n) * (hi - lo + 1)
        early = rng.exponential(np.where(self.short[group], 0.8, np.maximum((hi - lo + 1) / 3, 1)))
        join_day = np.minimum(lo + np.where(self.created[group] < 0, uniform, early).astype(np.int64), hi)
        # a second group is joined after the first (after a flash group ends, into a lasting one)
        first_day = np.where(self.short[primary[second]], self.hi[primary[second]] + 1, join_day[second])
        floor = np.maximum(lo[M:], first_day)
        join_day[M:] = floor + (rng.random(floor.size) * np.maximum(hi[M:] - floor + 1, 1)).astype(np.int64)
        valid = np.ones(n, dtype=bool)
        valid[M:] = floor <= hi[M:]
        member, group, initial, join_day, lo, hi, again = (
            a[valid] for a in (member, group, initial, join_day, lo, hi, again))
        n = member.size
        self.initial = np.bincount(group[initial], minlength=self.G)
        join_t = np.where(initial, -1, join_day * DAY + np.minimum(self._clock("chat", n), DAY - 3600))
        group_end = (hi + 1) * DAY
        trouble = rng.random(n) < 0.015
        daily = np.where(self.short[group], 0.03, np.where(self.decline[group], 0.005, 0.0017))
        if self.aim is not None and "leave_rate" in self.aim:
            daily = self._leave_hazard()[group]
        stay = (group_end - np.maximum(join_t, 0)) / DAY
        leaves = np.where(trouble, rng.random(n) < 0.6, rng.random(n) < 1 - np.exp(-daily * stay))
        leave_t = join_t + 1 + (rng.random(n) * (group_end - join_t - 1)).astype(np.int64)
        leaves &= leave_t - join_t >= 600
        removed = np.where(trouble, rng.random(n) < 0.8, rng.random(n) < 0.08)
        end_t = np.where(leaves, leave_t, group_end)
        # Activity: most members quiet, a few very active (lognormal), some never speak.
        talk = rng.lognormal(0, 1.6, M) * np.where(rng.random(M) < 0.35, 0.05, 1.0)
        talk /= talk.mean()
        buyer = rng.lognormal(0, 1.0, M) * talk ** 0.3
        buyer /= buyer.mean()
        habit = np.where(rng.random(M) < 0.05, 0.35, 0.004)
        # memberships in group order, then by join: events drawn per membership come out grouped
        order = np.lexsort((join_t, group))
        self.ms_member, self.ms_group = member[order], group[order]
        self.join_t, self.end_t = join_t[order], end_t[order]
        self.leaves, self.removed, self.trouble = leaves[order], removed[order], trouble[order]
        self.talk = talk[self.ms_member] * np.where(again[order], 0.5, 1.0)
        self.buyer, self.habit = buyer[self.ms_member], habit[self.ms_member]
        self.first = np.maximum(self.join_t, 0) // DAY
        self.last = (self.end_t - 1) // DAY
        base = self.ms_group.astype(np.int64) * D
        self.exposure = self.cum[base + self.last + 1] - self.cum[base + self.first]

    def _spread(self, rate: Array, hours: str, cum: Array | None = None) -> tuple[Array, Array]:
        """Poisson(rate × active days) events per membership: (membership, t) with t inside it;
        `cum`: another intensity than the group's activity (running sum over groups × days)."""
        exposure = self.exposure
        if cum is not None:
            base = self.ms_group.astype(np.int64) * self.D
            exposure = cum[base + self.last + 1] - cum[base + self.first]
        counts = self.rng.poisson(rate * exposure)
        ms = np.repeat(np.arange(rate.size, dtype=np.int32), counts)
        day = self._days_between(self.ms_group[ms], self.first[ms], self.last[ms], cum)
        t = day * DAY + self._clock(hours, ms.size)
        return ms, self._inside(t, self.join_t[ms], self.end_t[ms])

    def _inside(self, t: Array, after: Array, before: Array) -> Array:
        bad = (t <= after) | (t >= before)
        room = np.maximum(before - after - 1, 1)
        fixed = after + 1 + (self.rng.random(t.size) * room).astype(np.int64)
        return np.where(bad, fixed, t)

    # --- events -----------------------------------------------------------------------------

    def events(self) -> pa.Table:
        blocks = _Blocks()
        self._joins(blocks)
        self._leaves(blocks)
        self._messages(blocks)
        self._orders(blocks)
        self._checkins(blocks)
        self._surveys(blocks)
        self._reach(blocks)
        self._tasks(blocks)
        self._staff_messages(blocks)
        if self.task_source is not None:
            self._sop(blocks)
        self._exposures(blocks)
        self._costs(blocks)
        return self._table(blocks)

    def _joins(self, blocks: _Blocks) -> None:
        rng = self.rng
        ms = np.flatnonzero(self.join_t >= 0)
        group, t = self.ms_group[ms], self.join_t[ms]
        kind = self.g_type[group]
        mode = np.array([("open", "invite", "referral", "activity", "paid").index(m) for m in self.modes])[kind]
        wants = np.where(mode == 2, True, np.where(mode == 0, rng.random(ms.size) < 0.08,
                                                   (mode != 1) & (rng.random(ms.size) < 0.05)))
        referrer = np.where(wants, self._referrers(ms), -1)
        referred = referrer >= 0
        invited = (mode == 1) | ((mode == 2) & ~referred)
        public = np.array([CHANNEL[c] for c in PUBLIC])[rng.choice(len(PUBLIC), size=ms.size, p=[0.35, 0.3, 0.25, 0.1])]
        channel = np.select([invited, referred & (mode <= 2), mode == 3, mode == 4],
                            [CHANNEL["员工邀请"], CHANNEL["好友推荐"], CHANNEL["活动报名"], CHANNEL["付费入群"]], public)
        staff = np.full(ms.size, -1, dtype=np.int32)
        for i, gt in enumerate(self.types):  # who may invite depends on the type
            rows = np.flatnonzero(invited & (kind == i))
            staff[rows] = self._holders(group[rows], t[rows] // DAY, list(gt.entry.roles) or self.role_ids)
        activity = np.array([self.activities.index(gt.entry.activity or f"{gt.name}活动") if m == "activity" else -1
                             for gt, m in zip(self.types, self.modes, strict=True)])[kind]
        fee = np.array([int(gt.entry.fee * 100) if gt.entry.fee is not None and m == "paid" else -1
                        for gt, m in zip(self.types, self.modes, strict=True)])[kind]
        self.join_channel = channel.astype(np.int64)
        self.joined = ms  # the memberships the join block's rows are, in order (the SOP's triggers)
        blocks.add("join", t, group, member=self.ms_member[ms], channel=channel, staff=staff,
                   referrer=np.where(referred, self.ms_member[np.maximum(referrer, 0)], -1),
                   activity=activity, amount=fee)
        blocks.add("referral", t[referred], group[referred], member=self.ms_member[referrer[referred]])

    def _referrers(self, ms: Array) -> Array:
        """For each joining membership, an earlier member of its group (the more active, the likelier), or -1."""
        weight = np.concatenate(([0.0], np.cumsum(self.talk ** 0.7 + 0.01)))  # memberships are in (group, join) order
        first = np.searchsorted(self.ms_group, self.ms_group[ms])
        low, high = weight[first], weight[ms]
        target = low + self.rng.random(ms.size) * (high - low)
        referrer = np.clip(np.searchsorted(weight, target, side="right") - 1, first, np.maximum(ms - 1, first))
        ok = (ms > first) & (self.join_t[referrer] < self.join_t[ms]) & (self.end_t[referrer] > self.join_t[ms])
        return np.where(ok, referrer, -1)

    def _leaves(self, blocks: _Blocks) -> None:
        ms = np.flatnonzero(self.leaves)
        blocks.add("leave", self.end_t[ms], self.ms_group[ms], member=self.ms_member[ms],
                   removed=self.removed[ms].astype(np.int8))

    def _messages(self, blocks: _Blocks) -> None:
        chat = self._per_type([k.chat for k in self.kinds]) if self.chat is None else self.chat
        rate = chat[self.ms_group] * self.talk
        ms, t = self._spread(rate, "chat")
        flag = np.full(ms.size, -1, dtype=np.int16)
        if self.flags:
            kinds = [b.kind or b.id for b in self.pb.rules.banned]
            weight = np.array([FLAG_KINDS.get(k, 0.05) for k in kinds])
            odds = np.where(self.trouble[ms], 0.12, 0.0004)
            flagged = np.flatnonzero(self.rng.random(ms.size) < odds)
            flag[flagged] = self.rng.choice(len(kinds), size=flagged.size, p=weight / weight.sum())
        blocks.add("message", t, self.ms_group[ms], member=self.ms_member[ms], flag=flag,
                   length=self._lengths(ms.size, 12))

    def _lengths(self, n: int, median: float) -> Array:
        """Characters per message: many short ones (好, 👍) that are not valid messages."""
        return np.maximum(1, np.ceil(self.rng.lognormal(np.log(median), 0.9, n))).astype(np.int32)

    def _orders(self, blocks: _Blocks) -> None:
        rng = self.rng
        if self.cum_orders is None:
            paid = np.array([m == "paid" for m in self.modes])[self.g_type]
            rate = self._per_type([k.buy for k in self.kinds]) * np.where(paid, 1.5, 1.0)
            ms, t = self._spread(rate[self.ms_group] * self.buyer, "shop")
        else:
            ms, t = self._spread(self.buyer, "shop", self.cum_orders)
        group = self.ms_group[ms]
        price = self.price[group]
        yuan = np.maximum(9, np.rint(price * rng.lognormal(-0.18, 0.6, ms.size)))
        cents = (yuan * 100 - np.where(rng.random(ms.size) < 0.4, 10, 0)).astype(np.int64)
        key = np.arange(ms.size, dtype=np.int64)
        self.orders = ms.size
        channel = np.array([CHANNEL[c] for c in ORDER_CHANNELS])[
            rng.choice(len(ORDER_CHANNELS), size=ms.size, p=[0.55, 0.3, 0.15])]
        blocks.add("order", t, group, member=self.ms_member[ms], amount=cents, order=key, channel=channel)
        # A few percent are refunded, days later (some in the next month), in full or in part.
        back = np.flatnonzero(rng.random(ms.size) < 0.04)
        end = self.end_t[ms[back]]
        later = t[back] + 600 + rng.exponential(5 * DAY, back.size).astype(np.int64)
        room = end - t[back]
        sooner = t[back] + 1 + (rng.random(back.size) * np.maximum(room - 1, 1)).astype(np.int64)
        later = np.where(later < end, later, sooner)
        part = np.maximum(1, (cents[back] * rng.uniform(0.2, 0.9, back.size)).astype(np.int64))
        amount = np.where(rng.random(back.size) < 0.7, cents[back], part)
        keep = room >= 2
        back, later, amount = back[keep], later[keep], amount[keep]
        blocks.add("refund", later, group[back], member=self.ms_member[ms[back]], amount=amount, order=key[back])

    def _checkins(self, blocks: _Blocks) -> None:
        rate = self._per_type([k.checkin for k in self.kinds])[self.ms_group] * self.habit
        ms, t = _once_per(*self._spread(rate, "checkin"), self.D, lambda t: t // DAY)
        blocks.add("checkin", t, self.ms_group[ms], member=self.ms_member[ms])

    def _surveys(self, blocks: _Blocks) -> None:
        """The monthly care survey, answered by a few; scores skew high, lower in declining groups."""
        month = self._months()[1]
        rate = np.full(self.ms_group.size, 0.0015) if self.survey_rate is None else self.survey_rate[self.ms_group]
        ms, t = _once_per(*self._spread(rate, "chat"), self.D, lambda t: month[t // DAY])
        group = self.ms_group[ms]
        if self.aim is not None and "csat" in self.aim:
            # 1 + Binomial(4, p): scores 1–5 whose mean is the group's aim, most of them 4 and 5
            mean = np.clip(self.aim["csat"] - DECLINE_SCORE * self.decline, 1.0, 4.95)[group]
            score = 1 + self.rng.binomial(4, (mean - 1) / 4)
        else:
            cdf = np.array([[0.06, 0.16, 0.4, 0.75, 1.0],
                            [0.02, 0.06, 0.18, 0.55, 1.0]])[(~self.decline[group]).astype(int)]
            score = 1 + (self.rng.random(ms.size)[:, None] > cdf).sum(axis=1)
        blocks.add("survey", t, group, member=self.ms_member[ms], score=score.astype(np.int8))

    def _reach(self, blocks: _Blocks) -> None:
        """Staff reaching members one to one: the roles that act on churn warnings, else any."""
        ms, t = self._spread(0.004 * self.buyer ** 0.3, "work")
        group = self.ms_group[ms]
        roles = list(dict.fromkeys(w.role for w in self.pb.churn if w.role)) or self.role_ids
        staff = self._holders(group, t // DAY, roles)
        channel = np.array([CHANNEL[c] for c in REACH_CHANNELS])[(self.rng.random(ms.size) < 0.15).astype(np.int64)]
        kept = staff >= 0
        blocks.add("reach", t[kept], group[kept], member=self.ms_member[ms[kept]], staff=staff[kept],
                   channel=channel[kept])

    def _tasks(self, blocks: _Blocks) -> None:
        ms, t = self._spread(0.002 * self.talk ** 0.5, "chat")
        blocks.add("task", t, self.ms_group[ms], member=self.ms_member[ms])

    def _staff_messages(self, blocks: _Blocks) -> None:
        # Staff post too (member_id is the staff id), e.g. for a helper_messages metric; when they
        # carry out the SOP (_sop), most of their posts are its tasks and a few of these remain.
        s = self.slots
        counts = self.rng.poisson(0.5 * self.level[s.group])
        slot, day = np.nonzero(counts)
        slot, day = np.repeat(slot, counts[slot, day]), np.repeat(day, counts[slot, day])
        t = day * DAY + self._clock("work", slot.size)
        staff = np.where(day >= s.change[slot], s.after[slot], s.before[slot]).astype(np.int32)
        length = self._lengths(slot.size, 40)
        if self.task_source is not None:  # thinned on the SOP's own stream: the other draws keep their bytes
            kept = self._sop_rng().random(slot.size) < CHATTER_KEPT
            slot, t, staff, length = slot[kept], t[kept], staff[kept], length[kept]
        blocks.add("message", t, s.group[slot], member=self.M + staff, staff=staff, length=length)

    def _sop_rng(self) -> np.random.Generator:
        """The SOP activity's own stream (seeded alike): the other events keep their draws."""
        if self._sop_stream is None:
            self._sop_stream = np.random.default_rng(np.random.PCG64([self.seed, 20]))
        return self._sop_stream

    def _sop(self, blocks: _Blocks) -> None:
        """Staff carrying out the SOP's tasks (generate_sop.py): posts, reaches and sop_done."""
        from .generate_sop import draw, evidence, item_table, trigger_table

        assert self.task_source is not None
        if not self.pb.sop:
            return
        groups, assignments = self._structure()
        triggers, membership = self._triggers(blocks)
        group_ids = _ids("g", self.G, _width(self.G, 4))
        table = trigger_table(self.start, triggers["t"], triggers["kind"], triggers["group"], triggers["member"],
                              triggers["flagged"], group_ids)
        tasks = self.task_source(self.pb, Roster(groups=groups, assignments=assignments), self.start,
                                 self.start + dt.timedelta(days=self.D - 1), table)
        rng = self._sop_rng()
        done, t, kind = draw(rng, tasks, item_table(self.pb), self.people, triggers["t"])

        def stays(row: Array, when: Array) -> Array:
            ms = np.where(row >= 0, membership[np.maximum(row, 0)], -1)
            inside = (when > self.join_t[np.maximum(ms, 0)]) & (when < self.end_t[np.maximum(ms, 0)])
            kept: Array = (ms < 0) | inside
            return kept

        found = evidence(tasks, done, t, kind, self._holds, stays)
        blocks.add("message", found.post_t, found.post_group.astype(np.int32),
                   member=(self.M + found.post_staff).astype(np.int32), staff=found.post_staff.astype(np.int32),
                   length=np.maximum(1, np.ceil(rng.lognormal(np.log(40), 0.9, found.post_t.size))).astype(np.int32))
        private = CHANNEL[REACH_CHANNELS[0]]
        blocks.add("reach", found.reach_t, found.reach_group.astype(np.int32),
                   member=found.reach_member.astype(np.int32), staff=found.reach_staff.astype(np.int32),
                   channel=np.full(found.reach_t.size, private, np.int8))
        blocks.add("sop_done", found.done_t, found.done_group.astype(np.int32),
                   staff=found.done_staff.astype(np.int32), sop=found.done_item.astype(np.int16))

    def _triggers(self, blocks: _Blocks) -> tuple[dict[str, Array], Array]:
        """The member events so far an `on:` item may answer (generate_sop.TRIGGER_TYPES; a message
        only when flagged), and each one's membership (-1 but for joins: a member's days follow it)."""
        # only the events some item answers (the expansion joins the others with nothing)
        named = {"first_order": "order", "banned": "message"}
        answered = {named.get(item.on, item.on) for item in self.pb.sop if item.on}
        answered |= {"join"} if any(item.member_days for item in self.pb.sop) else set()
        wanted = {CODE[k]: i for i, k in enumerate(TRIGGER_TYPES) if k in answered}
        parts: dict[str, list[Array]] = {k: [] for k in ("t", "kind", "group", "member", "flagged", "ms")}
        for block in blocks.rows:
            code = int(block["type"][0])
            if code not in wanted or "member" not in block or (code == CODE["message"] and "flag" not in block):
                continue  # staff posts are no member's flagged message
            rows = np.flatnonzero(block["flag"] >= 0) if code == CODE["message"] else np.arange(block["t"].size)
            if code == CODE["order"] and "order" not in {item.on for item in self.pb.sop}:
                # first orders only: each member's first by time, then place (as event_tasks picks it)
                by = np.lexsort((rows, block["t"], block["member"]))
                member = block["member"][by]
                rows = np.sort(by[np.concatenate(([True], member[1:] != member[:-1]))])
            parts["t"].append(block["t"][rows])
            parts["kind"].append(np.full(rows.size, wanted[code], np.int8))
            parts["group"].append(block["group"][rows])
            parts["member"].append(block["member"][rows])
            parts["flagged"].append(np.full(rows.size, code == CODE["message"]))
            parts["ms"].append(self.joined[rows] if code == CODE["join"] else np.full(rows.size, -1, np.int64))
        found = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in parts.items()}
        return found, found.pop("ms")

    def _holds(self, group: Array, staff: Array, t: Array) -> Array:
        """Whether the person holds a place in the group on the day of `t` (inside the window and
        the group's life)."""
        s, no_end = self.slots, np.iinfo(np.int32).max
        day = t // DAY
        changed = s.change != no_end
        key = np.concatenate((s.group * self.people + s.before, s.group[changed] * self.people + s.after[changed]))
        first = np.concatenate((self.lo[s.group], s.change[changed]))
        last = np.concatenate((np.where(changed, s.change - 1, self.hi[s.group]), self.hi[s.group[changed]]))
        order = np.argsort(key, kind="stable")
        key, first, last = key[order], first[order], last[order]
        wanted = group.astype(np.int64) * self.people + staff
        at = np.minimum(np.searchsorted(key, wanted), max(key.size - 1, 0))
        found = (key[at] == wanted) if key.size else np.zeros(group.size, bool)
        held: Array = found & (day >= first[at]) & (day <= last[at]) & (t >= 0) & (day < self.D)
        return held

    def _exposures(self, blocks: _Blocks) -> None:
        """Per group, per entry channel it uses, per day alive: how many saw the entry (≥ the joins)."""
        rng, D = self.rng, self.D
        uses = np.zeros((len(self.types), len(CHANNELS)), dtype=bool)
        for i, mode in enumerate(self.modes):
            uses[i, [CHANNEL[c] for c in PUBLIC] if mode == "open" else [CHANNEL[MODE_CHANNEL[mode]]]] = True
        pair_group, pair_channel = np.nonzero(uses[self.g_type])
        pair = np.full((self.G, len(CHANNELS)), -1, dtype=np.int64)
        pair[pair_group, pair_channel] = np.arange(pair_group.size)
        joined = np.flatnonzero(self.join_t >= 0)
        which = pair[self.ms_group[joined], self.join_channel]
        kept = which >= 0
        flat = which[kept] * D + self.join_t[joined[kept]] // DAY
        joins = np.bincount(flat, minlength=pair_group.size * D).reshape(pair_group.size, D)
        level = self.level[pair_group]
        if self.aim is not None and "join_rate" in self.aim:
            # the entry seen by as many as the group's join rate aims at: joins ÷ exposures ≈ aim
            convert = np.clip(self.aim["join_rate"], 0.005, 0.95)[pair_group][:, None]
            count = np.ceil(joins / convert).astype(np.int64)
        else:
            convert = rng.uniform(0.03, 0.15, pair_group.size)[:, None]
            base = rng.lognormal(np.log(20), 0.7, pair_group.size)[:, None]
            count = rng.poisson(base * level) + np.ceil(joins / convert).astype(np.int64)
        count = np.where(level > 0, count, 0)
        row, day = np.nonzero(count)
        blocks.add("exposure", day * DAY, pair_group[row].astype(np.int32), channel=pair_channel[row].astype(np.int8),
                   count=count[row, day].astype(np.int32))

    def _months(self) -> tuple[list[tuple[int, int]], Array]:
        """The calendar months in the window as (first day, last day), and each day's month."""
        spans, first = [], 0
        while first < self.D:
            day = self.start + dt.timedelta(days=first)
            following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            last = min(self.D, (following - self.start).days) - 1
            spans.append((first, last))
            first = last + 1
        month = np.repeat(np.arange(len(spans)), [b - a + 1 for a, b in spans])
        return spans, month

    def _costs(self, blocks: _Blocks) -> None:
        cost = self._per_type([k.cost for k in self.kinds])
        alive_days = (self.hi - self.lo + 1).astype(np.float64)
        for first, last in self._months()[0]:
            overlap = np.minimum(self.hi, last) - np.maximum(self.lo, first) + 1
            group = np.flatnonzero(overlap > 0)
            share = np.where(self.short[group], overlap[group] / alive_days[group], overlap[group] / 30)
            yuan = np.rint(cost[group] * self.rng.uniform(0.8, 1.25, group.size) * np.minimum(share, 1))
            day = np.maximum(self.lo[group], first)
            blocks.add("cost", day * DAY, group.astype(np.int32), amount=(yuan * 100).astype(np.int64))

    # --- the table --------------------------------------------------------------------------

    def _table(self, blocks: _Blocks) -> pa.Table:
        keys = {name: np.concatenate([b.get(name, np.full(b["t"].size, -1, COLUMN_DTYPES[name]))
                                      for b in blocks.rows]).astype(COLUMN_DTYPES[name], copy=False)
                if blocks.rows else np.zeros(0, COLUMN_DTYPES[name]) for name in ("t", "type", "group", "member")}
        order = self._order(keys)
        cols = {name: values[order] for name, values in keys.items()}
        del keys
        # The other columns are sparse: put each block's values straight where its rows went.
        place = np.full(sum(b["t"].size for b in blocks.rows), -1, dtype=np.int64)
        place[order] = np.arange(order.size)
        for name, dtype in COLUMN_DTYPES.items():
            if name in cols:
                continue
            out, at = np.full(order.size, -1, dtype=dtype), 0
            for block in blocks.rows:
                size = block["t"].size
                if name in block:
                    where = place[at:at + size]
                    kept = where >= 0
                    out[where[kept]] = block[name][kept]
                at += size
            cols[name] = out
        blocks.rows.clear()
        return self._arrow(cols)

    def _order(self, cols: dict[str, Array]) -> Array:
        """Rows sorted by ts, group_id, member_id, type (stable), without repeats of the row before."""
        member = cols["member"].astype(np.int64) + 1  # absent first, then members, then staff ("m…" < "s…")
        bits = [int(self.D * DAY).bit_length(), self.G.bit_length(), (self.M + self.people + 1).bit_length(), 4]
        if sum(bits) <= 63:
            key = cols["t"]
            for column, width in ((cols["group"], bits[1]), (member, bits[2]), (cols["type"], bits[3])):
                key = (key << width) | column.astype(np.int64)
            order = np.argsort(key, kind="stable")
            key = key[order]
            same = np.concatenate(([False], key[1:] == key[:-1]))
        else:
            order = np.lexsort((cols["type"], member, cols["group"], cols["t"]))
            same = np.ones(order.size, dtype=bool)
            for column in (cols["t"], cols["group"], member, cols["type"]):
                ranked = column[order]
                same &= np.concatenate(([False], ranked[1:] == ranked[:-1]))
        # Two messages (or check-ins …) of one member in one second would be duplicate rows.
        repeatable = np.isin(cols["type"][order], [CODE[k] for k in ("message", "checkin", "task", "reach",
                                                                      "referral", "survey")])
        return order[~(same & repeatable)]

    def _arrow(self, cols: dict[str, Array]) -> pa.Table:
        epoch = (self.start - dt.date(1970, 1, 1)).days * DAY
        member_ids = _ids("m", self.M, _width(self.M, 6))
        staff_ids = _ids("s", self.people, _width(self.people, 4))
        is_order = cols["type"] == CODE["order"]
        number = np.full(self.orders, -1, dtype=np.int64)
        number[cols["order"][is_order]] = np.arange(int(is_order.sum()))  # order ids follow time
        order = np.where(cols["order"] >= 0, number[np.maximum(cols["order"], 0)] if self.orders else -1, -1)
        columns = {
            "ts": pa.array(epoch + cols["t"], type=pa.timestamp("s")),
            "type": _coded(cols["type"], list(TYPES)),
            "group_id": _coded(cols["group"], _ids("g", self.G, _width(self.G, 4))),
            "member_id": _taken(cols["member"], pa.concat_arrays([member_ids, staff_ids])),
            "staff_id": _coded(cols["staff"], staff_ids),
            "amount": _money(cols["amount"]),
            "order_id": _taken(order, _ids("o", int(is_order.sum()), _width(int(is_order.sum()), 6))),
            "channel": _coded(cols["channel"], list(CHANNELS)),
            "referrer_id": _taken(cols["referrer"], member_ids),
            "activity": _coded(cols["activity"], self.activities),
            "removed": pa.array(cols["removed"] == 1, mask=cols["removed"] < 0),
            "flag": _coded(cols["flag"], self.flags),
            "score": pa.array(cols["score"].astype(np.int32), mask=cols["score"] < 0),
            "count": pa.array(cols["count"], mask=cols["count"] < 0),
            "length": pa.array(cols["length"], mask=cols["length"] < 0),
        }
        if (cols["sop"] >= 0).any():  # else left empty, as before the SOP was carried out
            columns["sop"] = _coded(cols["sop"], [item.id for item in self.pb.sop])
        n = cols["t"].size  # a column this generator does not know yet stays empty
        return pa.table({c.name: columns.get(c.name, pa.nulls(n, NULLS[c.type])) for c in COLUMNS})

    # --- the roster -------------------------------------------------------------------------

    def _structure(self) -> tuple[list[Group], list[Assignment]]:
        """The roster's groups and assignments (built once: the SOP's tasks need them first)."""
        if self._built is not None:
            return self._built
        no_end = np.iinfo(np.int32).max
        group_ids = [f"g{g + 1:0{_width(self.G, 4)}d}" for g in range(self.G)]
        staff_ids = [f"s{i + 1:0{_width(self.people, 4)}d}" for i in range(self.people)]
        created = [self.start + dt.timedelta(days=int(d)) for d in self.created]
        ended = [None if int(d) == no_end else self.start + dt.timedelta(days=int(d)) for d in self.ended]
        names = self._group_names(created)
        groups = [Group(id=group_ids[g], name=names[g], type=self.type_ids[int(self.g_type[g])],
                        created_at=created[g], ended_at=ended[g], initial_members=int(self.initial[g]))
                  for g in range(self.G)]
        s, rows = self.slots, []
        for k in range(s.group.size):
            g, role = int(s.group[k]), self.role_ids[int(s.role[k])]
            if int(s.change[k]) == no_end:
                rows.append(_assignment(staff_ids[int(s.before[k])], role, group_ids[g], created[g], ended[g]))
                continue
            switch = self.start + dt.timedelta(days=int(s.change[k]))
            rows.append(_assignment(staff_ids[int(s.before[k])], role, group_ids[g], created[g],
                                    switch - dt.timedelta(days=1)))
            rows.append(_assignment(staff_ids[int(s.after[k])], role, group_ids[g], switch, ended[g]))
        self._built = groups, rows
        return self._built

    def roster(self) -> Roster:
        groups, rows = self._structure()
        staff_ids = [f"s{i + 1:0{_width(self.people, 4)}d}" for i in range(self.people)]
        surname = self.rng.integers(0, len(SURNAMES), self.people)
        given = self.rng.integers(0, len(GIVEN), (self.people, 2))
        double = self.rng.random(self.people) < 0.6
        staff = [Staff(id=staff_ids[i], name=SURNAMES[surname[i]] + GIVEN[given[i, 0]]
                       + (GIVEN[given[i, 1]] if double[i] else "")) for i in range(self.people)]
        return Roster(staff=staff, groups=groups, assignments=rows)

    def _group_names(self, created: list[dt.date]) -> list[str]:
        """Names from each type's naming pattern (rendered once per type), else the type's name and number."""
        from ..sandbox import try_render

        seq = np.zeros(self.G, dtype=np.int64)
        patterns = []
        for i, (type_id, gt) in enumerate(zip(self.type_ids, self.types, strict=True)):
            members = np.flatnonzero(self.g_type == i)
            seq[members] = np.arange(1, members.size + 1)
            context = {**self.pb.vars, "playbook": self.pb.playbook, "vars": dict(self.pb.vars),
                       "seq": "\x00seq\x00", "group_type": type_id, "group_type_name": gt.name,
                       "date": "\x00date\x00"}
            text = try_render(gt.naming, context)[0] if gt.naming else None
            patterns.append(text if text and text.strip() and "\x00seq\x00" in text else f"{gt.name}\x00seq\x00")
        return [patterns[int(self.g_type[g])].replace("\x00seq\x00", str(seq[g]))
                .replace("\x00date\x00", created[g].isoformat()).strip() for g in range(self.G)]


def _assignment(staff: str, role: str, group: str, first: dt.date, last: dt.date | None) -> Assignment:
    return Assignment.model_validate({"staff_id": staff, "role": role, "group_id": group, "from": first, "to": last})


def _once_per(ms: Array, t: Array, D: int, bucket: Any) -> tuple[Array, Array]:
    """Keep one event per membership per bucket (a day, a month): the first drawn."""
    key = ms.astype(np.int64) * (D + 1) + bucket(t)
    _, first = np.unique(key, return_index=True)
    first.sort()
    return ms[first], t[first]


def _coded(values: Array, dictionary: pa.Array | list[str]) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(values, mask=values < 0), pa.array(dictionary, pa.string()))


def _taken(values: Array, dictionary: pa.Array) -> pa.Array:
    return dictionary.take(pa.array(values, mask=values < 0))


def _money(cents: Array) -> pa.Array:
    """Cents (−1: absent) as decimal128(12, 2), built from its buffers without a per-value step."""
    valid = cents >= 0
    words = np.zeros((cents.size, 2), dtype=np.int64)
    words[:, 0] = np.where(valid, cents, 0)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.decimal128(12, 2), cents.size, [bitmap, pa.py_buffer(words)],
                                 null_count=int(cents.size - valid.sum()))
