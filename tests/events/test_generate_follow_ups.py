"""Generated staff following up what the simulation decides (events/generate_follow_ups.py): the
promotions and churn warnings at a period's end are answered by a reach of the member, on time,
late or not at all by each person's diligence, and the SOP assessment of the simulation on the
generated files sees it (`qunce events generate`, then `qunce simulate`)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

pytest.importorskip("ibis")

from click.testing import CliRunner

from qunce.cli import main
from qunce.commands.generated_follow_ups import follow_ups, reads_reaches
from qunce.commands.generated_tasks import staffed_tasks
from qunce.events.generate import generate
from qunce.events.generate_follow_ups import (
    FOLLOW_UP_SCHEMA,
    MORNING,
    FollowUps,
    answered,
    draw,
    generate_staffed,
    with_reaches,
)
from qunce.events.generate_sop import DAY, LATE_LIMIT, Diligence
from qunce.events.roster import Roster, load_roster
from qunce.load import load_playbook
from qunce.model import Playbook

ROOT = Path(__file__).resolve().parents[2]
START = dt.date(2027, 1, 1)
# Two months: the January period closes inside the data, the February one on its last day.
SIZE = {"groups": 30, "members": 5000, "days": 45}
ANSWERING = ("level_up_congrats", "new_silent_care", "vip_silent_care")  # brand-complete's items on them


def parquet_bytes(table: pa.Table) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`qunce events generate` then `qunce simulate` on its files: the simulation's folder."""
    folder = tmp_path_factory.mktemp("follow-ups")
    playbook = ROOT / "playbooks" / "brand-complete.yaml"
    events = folder / "events.parquet"
    runner = CliRunner()
    result = runner.invoke(main, ["events", "generate", str(playbook), "--out", str(events), "--start", str(START),
                                  "--seed", "3", *(f"--{k}={v}" for k, v in SIZE.items())])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["simulate", str(playbook), "--events", str(events), "--roster",
                                  str(folder / "events.roster.yaml"), "--out", str(folder / "sim"), "--no-cache"])
    assert result.exit_code == 0, result.output
    return folder


def _rows(path: Path, where: str = "") -> list[dict[str, Any]]:
    import duckdb

    return pq.read_table(path).to_pylist() if not where else duckdb.sql(f"select * from '{path}' {where}").fetch_arrow_table().to_pylist()


def test_most_warnings_are_followed_up_by_their_owner(simulated: Path) -> None:
    warnings = _rows(simulated / "sim" / "sop_warnings.parquet")
    closed_inside = [w for w in warnings if w["as_of"] == dt.date(2027, 1, 31)]
    assert len(closed_inside) > 100
    acted = sum(w["acted_at"] is not None for w in closed_inside) / len(closed_inside)
    assert 0.8 < acted < 0.99  # most on time, a few late or missed
    # by its owner, mostly the morning after the period closed (a few by a reach that happened anyway)
    times = [w["acted_at"] for w in closed_inside if w["acted_at"] is not None]
    assert sum(t.date() == dt.date(2027, 2, 1) and 9 <= t.hour < 12 for t in times) > 0.7 * len(times)
    # the period closing on the data's last day is followed up after the data: only chance reaches
    last = [w for w in warnings if w["as_of"] == dt.date(2027, 2, 14)]
    assert last and sum(w["acted_at"] is not None for w in last) < 0.2 * len(last)


def test_the_items_answering_the_simulation_are_done(simulated: Path) -> None:
    tasks = _rows(simulated / "sim" / "sop_tasks.parquet", f"where item in {ANSWERING}")
    inside = [t["status"] for t in tasks if t["date"] == dt.date(2027, 1, 31)]
    assert {t["item"] for t in tasks if t["date"] == dt.date(2027, 1, 31)} == set(ANSWERING)
    assert inside.count("on_time") > 0.8 * len(inside)
    assert 0 < inside.count("late") < 0.15 * len(inside) and inside.count("missed") < 0.1 * len(inside)
    assert {t["status"] for t in tasks if t["date"] == dt.date(2027, 2, 14)} == {"not_due"}


def test_the_follow_ups_are_what_the_simulation_assesses(simulated: Path, brand: Playbook) -> None:
    """The member stage run on the generated events finds exactly the warnings (with one owner)
    and the items' tasks the simulation assesses for the period closing inside the data."""
    table = pq.read_table(simulated / "events.parquet")
    roster = load_roster(simulated / "events.roster.yaml")
    found = follow_ups(brand, roster, table, START)
    ours = {(START + dt.timedelta(days=r["day"]), f"g{r['group'] + 1:04d}", r["member_id"], f"s{r['staff'] + 1:04d}")
            for r in found.rows.to_pylist()}
    sim = simulated / "sim"
    theirs = {(r["as_of"], r["group_id"], r["member_id"], r["owner"]) for r in _rows(
        sim / "sop_warnings.parquet", "where owner not like '%,%' and as_of = '2027-01-31'")}
    theirs |= {(r["date"], r["group_id"], r["member_id"], r["staff_id"]) for r in _rows(
        sim / "sop_tasks.parquet", f"where item in {ANSWERING} and date = '2027-01-31'")}
    assert ours == theirs and len(ours) > 100
    assert not found.feeds_back and not reads_reaches(brand)


def test_same_seed_same_bytes_and_the_other_events_kept(brand: Playbook) -> None:
    table, _ = generate_staffed(brand, start=START, seed=5, tasks=staffed_tasks, follow_ups=follow_ups, **SIZE)
    again, _ = generate_staffed(brand, start=START, seed=5, tasks=staffed_tasks, follow_ups=follow_ups, **SIZE)
    assert parquet_bytes(again) == parquet_bytes(table)
    plain, _ = generate(brand, start=START, seed=5, tasks=staffed_tasks, **SIZE)
    # only reaches are added: every other event is the same, in the same order
    def others(t: pa.Table) -> pa.Table:
        return t.filter(pc.not_equal(t.column("type").cast(pa.string()), "reach"))
    assert parquet_bytes(others(table)) == parquet_bytes(others(plain))
    assert table.num_rows - plain.num_rows > 100


def test_nothing_to_follow_up_leaves_the_events_as_they_were(brand: Playbook) -> None:
    # the demo's month: its one period closes on the data's last day
    month = {"groups": 20, "members": 3000, "days": 31}
    plain, _ = generate(brand, start=START, seed=2, tasks=staffed_tasks, **month)
    table, _ = generate_staffed(brand, start=START, seed=2, tasks=staffed_tasks, follow_ups=follow_ups, **month)
    assert parquet_bytes(table) == parquet_bytes(plain)
    # a playbook without an SOP: nobody is assessed, nothing is followed up
    bare = brand.model_copy(update={"sop": []})
    assert parquet_bytes(generate_staffed(bare, start=START, seed=2, tasks=staffed_tasks, follow_ups=follow_ups,
                                          **SIZE)[0]) == parquet_bytes(generate(bare, start=START, seed=2,
                                                                                 tasks=staffed_tasks, **SIZE)[0])


def test_a_reach_goes_where_the_sort_puts_it() -> None:
    types = pa.array(["join", "message", "reach"])
    groups, staff = pa.array(["g0001", "g0002"]), pa.array(["s0001", "s0002"])
    channels = pa.array(["私聊", "电话"])

    def coded(values: list[int | None], dictionary: pa.Array) -> pa.Array:
        return pa.DictionaryArray.from_arrays(pa.array(values, pa.int8()), dictionary)

    table = pa.table({
        "ts": pa.array([100, 200, 200, 200, 300], pa.timestamp("s")),
        "type": coded([0, 1, 2, 1, 1], types),
        "group_id": coded([0, 0, 0, 1, 1], groups),
        "member_id": pa.array(["m000002", "m000001", "m000003", "m000001", None]),
        "staff_id": coded([None, None, 0, None, None], staff),
        "channel": coded([None, None, 1, None, None], channels),
    })
    epoch = (START - dt.date(1970, 1, 1)).days * DAY
    t = np.array([200, 200, 50, 200]) - epoch  # seconds from START
    out = with_reaches(table, START, t, np.array([0, 1, 0, 0]), np.array(["m000002", "m000001", "m000009", "m000003"]),
                       np.array([1, 1, 0, 1]))
    rows = [(r["ts"].second + 60 * r["ts"].minute, r["type"], r["group_id"], r["member_id"], r["staff_id"], r["channel"])
            for r in out.to_pylist()]
    assert rows == [
        (50, "reach", "g0001", "m000009", "s0001", "私聊"),
        (100, "join", "g0001", "m000002", None, None),
        (200, "message", "g0001", "m000001", None, None),
        (200, "reach", "g0001", "m000002", "s0002", "私聊"),
        (200, "reach", "g0001", "m000003", "s0001", "电话"),  # the same reach was there already: left out
        (200, "message", "g0002", "m000001", None, None),
        (200, "reach", "g0002", "m000001", "s0002", "私聊"),  # reach sorts after message
        (300, "message", "g0002", None, None, None),
    ]
    assert out.schema == table.schema and out.column("type").num_chunks == 1


def test_diligent_and_careless_people_follow_up_differently() -> None:
    people, each = 200, 300
    careless = np.arange(people) < 30
    diligence = Diligence(np.where(careless, 0.6, 0.92), np.where(careless, 0.4, 0.6))
    n = people * each
    end = 32 * DAY - 1  # a warning due by the end of February 1st
    rows = pa.table({"day": np.full(n, 30), "group": np.zeros(n, np.int64), "member_id": ["m000001"] * n,
                     "staff": np.repeat(np.arange(people), each), "end": np.full(n, end),
                     "until": np.full(n, 99 * DAY)}, schema=FOLLOW_UP_SCHEMA)
    done, t = draw(np.random.default_rng(1), rows, diligence)
    on_time = done & (t <= end)
    assert (t[done] >= 31 * DAY).all()  # after the period closed
    assert (t[on_time] >= 31 * DAY + MORNING).all() and np.median(t[on_time] - 31 * DAY) < MORNING + 2 * 3600
    late = done & (t > end)
    assert (t[late] - end < LATE_LIMIT).all() and (t[late] >= end + 1 + MORNING).all()  # the next morning
    rate = on_time.reshape(people, each).mean(axis=1)
    assert abs(rate[~careless].mean() - 0.92) < 0.01 and abs(rate[careless].mean() - 0.6) < 0.02
    assert (~done).any()


def _reading_reaches(brand_path: Path, folder: Path) -> Playbook:
    """brand-complete with its new-member warning on members nobody reached nor heard from."""
    text = brand_path.read_text("utf-8").replace("when: tenure_days <= 14 and days_since_last_message >= 7",
                                                 "when: reaches_30d == 0 and messages_30d == 0")
    (folder / "playbook.yaml").write_text(text, "utf-8")
    loaded = load_playbook(folder / "playbook.yaml").playbook
    assert loaded is not None
    return loaded


def test_a_follow_up_that_changes_later_periods_is_drawn_period_by_period(tmp_path: Path) -> None:
    playbook = _reading_reaches(ROOT / "playbooks" / "brand-complete.yaml", tmp_path)
    assert reads_reaches(playbook)
    size = {"groups": 15, "members": 2500, "days": 75}  # January and February close inside the data
    table, roster = generate(playbook, start=START, seed=4, tasks=staffed_tasks, **size)
    calls: list[FollowUps] = []

    def recorded(pb: Playbook, r: Roster, events: pa.Table, start: dt.date) -> FollowUps:
        calls.append(follow_ups(pb, r, events, start))
        return calls[-1]

    out = answered(playbook, table, roster, START, 4, recorded)
    assert [c.ends for c in calls] == [(30, 58), (30, 58)] and calls[0].feeds_back
    final = follow_ups(playbook, roster, out, START).rows

    def keys(rows: pa.Table, day: int) -> set[tuple[Any, ...]]:
        return {(r["group"], r["member_id"], r["staff"]) for r in rows.to_pylist() if r["day"] == day}

    # each period's follow-ups are those the final data asks for: February's were found on the
    # events with January's reaches, which answered some of the members February would warn again
    assert keys(calls[0].rows, 30) == keys(final, 30)
    assert keys(calls[1].rows, 58) == keys(final, 58) != keys(calls[0].rows, 58)
    assert len(keys(calls[0].rows, 58) - keys(final, 58)) > 10
