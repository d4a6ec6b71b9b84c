"""Staff carrying out the SOP in generated data (events/generate_sop.py): the task list's own tasks,
done on time, late or missed by people of different diligence, with sop_done for per-person items."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from qunce.commands.generated_tasks import staffed_tasks
from qunce.events.generate import generate
from qunce.events.generate_sop import LATE_LIMIT, POST, TASK_SCHEMA, draw
from qunce.model import Playbook

START = dt.date(2027, 1, 25)
SIZE = {"groups": 120, "members": 12_000, "days": 21}


@pytest.fixture(scope="module")
def playbook(brand: Playbook) -> Playbook:
    return brand


@pytest.fixture(scope="module")
def table(playbook: Playbook) -> pa.Table:
    return generate(playbook, start=START, seed=3, tasks=staffed_tasks, **SIZE)[0]


def parquet_bytes(table: pa.Table) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def test_per_person_items_are_logged_with_sop_done(playbook: Playbook, table: pa.Table) -> None:
    rows = [r for r in table.to_pylist() if r["type"] == "sop_done"]
    per_person = {item.id for item in playbook.sop if item.per == "person"}
    assert rows and {r["sop"] for r in rows} == per_person == {"kol_live"}
    assert all(r["staff_id"] and r["group_id"] and r["member_id"] is None for r in rows)
    # the biweekly Saturday 20:00 live session, logged around then
    assert all(r["ts"].weekday() == 5 or (r["ts"] - dt.timedelta(days=1)).weekday() == 5 for r in rows)
    assert table.column("sop").null_count == table.num_rows - len(rows)


def test_staff_posts_cluster_around_the_sop_times(playbook: Playbook, table: pa.Table) -> None:
    posts = [r["ts"] for r in table.to_pylist() if r["type"] == "message" and r["staff_id"] is not None]
    minutes = np.array([t.hour * 60 + t.minute for t in posts])
    # morning_checkin at 08:30 in most groups: staff posts then, and hardly in the hour before
    around = np.count_nonzero((minutes >= 8 * 60 + 25) & (minutes < 9 * 60))
    before = np.count_nonzero((minutes >= 7 * 60 + 25) & (minutes < 8 * 60))
    assert around > 0.04 * minutes.size and around > 10 * max(before, 1)
    reaches = Counter(t.hour for t in (r["ts"] for r in table.to_pylist() if r["type"] == "reach"))
    assert reaches[10] == max(reaches.values())  # newcomer_care at 10:00


def test_without_the_tasks_staff_post_at_random(playbook: Playbook, table: pa.Table) -> None:
    plain = generate(playbook, start=START, seed=3, **SIZE)[0]
    kinds = Counter(plain.column("type").to_pylist())
    assert kinds["sop_done"] == 0
    staffed = Counter(table.column("type").to_pylist())
    # the members' own events are the same draws: only the staff's activity differs
    for kind in ("join", "leave", "order", "refund", "checkin", "survey", "exposure", "cost", "task"):
        assert kinds[kind] == staffed[kind], kind


def test_same_seed_same_bytes(playbook: Playbook, table: pa.Table) -> None:
    again = generate(playbook, start=START, seed=3, tasks=staffed_tasks, **SIZE)[0]
    assert parquet_bytes(again) == parquet_bytes(table)
    other = generate(playbook, start=START, seed=4, tasks=staffed_tasks, **SIZE)[0]
    assert parquet_bytes(other) != parquet_bytes(table)


def test_diligent_and_careless_staff_differ() -> None:
    # 200 people, 300 posts each at 20:00 on day 1, tolerance 30 minutes
    people, each = 200, 300
    n = people * each
    tasks = pa.table({
        "idx": np.zeros(n, np.int32), "group": np.zeros(n, np.int64), "day": np.ones(n, np.int64),
        "minute": np.full(n, 20 * 60, np.int64), "member": np.full(n, -1, np.int64),
        "event_row": np.full(n, -1, np.int64), "due": np.full(n, -1, np.int64),
        "staff": np.repeat(np.arange(people, dtype=np.int64), each)}, schema=TASK_SCHEMA)
    items = {"kind": np.array([POST], np.int8), "tolerance": np.array([30]), "within": np.array([0])}
    done, t, _ = draw(np.random.default_rng(1), tasks, items, people, np.zeros(0, np.int64))
    scheduled = 86_400 + 20 * 3600
    on_time = done & (np.abs(t - scheduled) <= 1800)
    late = done & (t > scheduled + 1800)
    assert not (done & (t < scheduled - 1800)).any()
    assert (t[late] - scheduled - 1800 < LATE_LIMIT).all()
    rate = on_time.reshape(people, each).mean(axis=1)
    assert (rate >= 0.85).sum() > 0.7 * people  # most are diligent
    assert 0 < (rate <= 0.72).sum() < 0.3 * people  # a few are not
    delay = t[late] - scheduled - 1800
    assert np.median(delay) < delay.mean()  # skewed: most a little late, a few very late
    assert (~done).any()  # some tasks missed
