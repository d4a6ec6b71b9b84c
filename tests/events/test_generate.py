"""The event generator: deterministic bytes, rows that keep the events contract, a roster that
loads clean, and data that looks like real groups (skewed activity, refunds of real orders)."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from qunce.commands.generated_tasks import staffed_tasks
from qunce.errors import UsageError
from qunce.event_contract import COLUMNS, EVENT_TYPES
from qunce.events import writers
from qunce.events.generate import generate, generate_files
from qunce.events.roster import Group, Roster, Staff, load_roster
from qunce.model import Playbook

START = dt.date(2027, 1, 25)  # the window crosses a month boundary
SMALL = {"groups": 20, "members": 500, "days": 14}
MEDIUM = {"groups": 200, "members": 20_000, "days": 30}


@pytest.fixture(scope="module")
def playbook(brand: Playbook) -> Playbook:
    return brand


@pytest.fixture(scope="module")
def small(playbook: Playbook) -> tuple[list[dict[str, Any]], Roster]:
    table, roster = generate(playbook, start=START, seed=7, tasks=staffed_tasks, **SMALL)
    return table.to_pylist(), roster


@pytest.fixture(scope="module")
def medium(playbook: Playbook) -> tuple[list[dict[str, Any]], Roster]:
    table, roster = generate(playbook, start=START, seed=11, tasks=staffed_tasks, **MEDIUM)
    return table.to_pylist(), roster


def write(playbook: Playbook, folder: Path, ext: str, seed: int) -> tuple[bytes, bytes]:
    events, roster, _ = generate_files(playbook, folder / f"events.{ext}", start=START, seed=seed,
                                       tasks=staffed_tasks, **SMALL)
    return events.read_bytes(), roster.read_bytes()


@pytest.mark.parametrize("ext", ["csv", "jsonl", "parquet"])
def test_same_seed_same_bytes_and_another_seed_differs(playbook: Playbook, tmp_path: Path, ext: str) -> None:
    first = write(playbook, tmp_path / "a", ext, seed=3)
    assert first == write(playbook, tmp_path / "b", ext, seed=3)
    other = write(playbook, tmp_path / "c", ext, seed=4)
    assert other[0] != first[0] and other[1] != first[1]


def test_files_are_named_and_formatted_as_promised(playbook: Playbook, tmp_path: Path) -> None:
    events, roster, summary = generate_files(playbook, tmp_path / "data" / "events.csv", start=START, seed=1,
                                             **SMALL)
    assert roster == tmp_path / "data" / "events.roster.yaml"
    lines = events.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(c.name for c in COLUMNS)
    assert len(lines) == summary.rows + 1 and summary.rows == sum(summary.by_type.values())
    first = lines[1].split(",")
    assert len(first) == len(COLUMNS) and "T" in first[0] and "+" not in first[0]
    orders = [line.split(",") for line in lines if ",order," in line]
    assert orders and all(len(row[5].split(".")[1]) == 2 for row in orders)
    jsonl = generate_files(playbook, tmp_path / "events.jsonl", start=START, seed=1, **SMALL)[0]
    cost = next(line for line in jsonl.read_text(encoding="utf-8").splitlines() if '"type":"cost"' in line)
    assert '"member_id"' not in cost and '"amount":' in cost  # absent keys are left out


def test_rows_keep_the_events_contract(small: tuple[list[dict[str, Any]], Roster]) -> None:
    rows, roster = small
    groups = {g.id: g for g in roster.groups}
    end = START + dt.timedelta(days=SMALL["days"])
    seen = Counter(row["type"] for row in rows)
    assert set(seen) == set(EVENT_TYPES)
    for row in rows:
        kind = row["type"]
        assert kind in EVENT_TYPES
        for column in COLUMNS:
            if kind in column.required_for:
                assert row[column.name] is not None, (column.name, row)
            if column.allowed_for and kind not in column.allowed_for:
                assert row[column.name] is None, (column.name, row)
        if row["amount"] is not None:
            assert row["amount"] >= 0 and row["amount"].as_tuple().exponent == -2
        if kind == "survey":
            assert 1 <= row["score"] <= 5
        group = groups[row["group_id"]]
        day = row["ts"].date()
        assert START <= day < end
        assert group.created_at <= day and (group.ended_at is None or day <= group.ended_at)


def test_rows_are_sorted(small: tuple[list[dict[str, Any]], Roster]) -> None:
    rows, _ = small
    keys = [(r["ts"], r["group_id"], r["member_id"] or "", r["type"]) for r in rows]
    assert keys == sorted(keys)


def test_groups_live_their_lifespan(playbook: Playbook, medium: tuple[list[dict[str, Any]], Roster]) -> None:
    _, roster = medium
    end = START + dt.timedelta(days=MEDIUM["days"] - 1)
    flash = [g for g in roster.groups if playbook.group_types[g.type].lifespan is not None]
    assert flash
    for group in flash:
        assert group.ended_at is not None and START <= group.created_at <= group.ended_at <= end
        assert (group.ended_at - group.created_at).days + 1 == 3  # brand-complete: lifespan 3d
    lasting = [g for g in roster.groups if g not in flash]
    older = [g for g in lasting if g.created_at < START]
    assert older and all(g.initial_members > 0 for g in older)
    assert any(g.created_at >= START for g in lasting)
    assert any(g.ended_at is not None for g in lasting)  # a declining group was dissolved
    counts = Counter(g.type for g in roster.groups)
    assert counts["traffic"] > counts["vip"]


def test_member_events_come_after_the_join_and_before_the_leave(
        medium: tuple[list[dict[str, Any]], Roster]) -> None:
    rows, _ = medium
    joined: dict[tuple[str, str], dt.datetime] = {}
    left: dict[tuple[str, str], dt.datetime] = {}
    for row in rows:
        key = (row["group_id"], row["member_id"])
        if row["type"] == "join":
            assert key not in joined
            joined[key] = row["ts"]
        elif row["type"] == "leave":
            left[key] = row["ts"]
    assert joined and left
    for row in rows:
        key = (row["group_id"], row["member_id"])
        if row["member_id"] is None or (row["staff_id"] is not None and row["type"] == "message"):
            continue
        if row["type"] != "join" and key in joined:
            assert row["ts"] > joined[key], row
        if row["type"] != "leave" and key in left:
            assert row["ts"] < left[key], row
        if row["referrer_id"] is not None:
            referrer = (row["group_id"], row["referrer_id"])
            assert joined.get(referrer, dt.datetime.min) < row["ts"] < left.get(referrer, dt.datetime.max)


def test_the_roster_loads_clean_and_matches_the_playbook(playbook: Playbook, tmp_path: Path,
                                                          medium: tuple[list[dict[str, Any]], Roster]) -> None:
    rows, roster = medium
    path = tmp_path / "roster.yaml"
    writers.write_roster(roster, path)
    loaded = load_roster(path)
    assert loaded.diagnostics == []
    assert (loaded.staff, loaded.groups, loaded.assignments) == (roster.staff, roster.groups, roster.assignments)
    assert {g.type for g in loaded.groups} <= set(playbook.group_types)
    assert {a.role for a in loaded.assignments} <= set(playbook.roles)
    held: dict[str, set[str]] = defaultdict(set)
    for a in loaded.assignments:
        held[a.staff_id].add(a.group_id)
        assert playbook.roles[a.role].max_groups is None or len(held[a.staff_id]) <= playbook.roles[a.role].max_groups
    assert max(len(g) for g in held.values()) > 1  # staff are shared between groups
    window_end = START + dt.timedelta(days=MEDIUM["days"] - 1)
    groups = {g.id: g for g in loaded.groups}
    assert any(a.to is not None and a.to < window_end and groups[a.group_id].ended_at != a.to
               for a in loaded.assignments)  # a change of hands mid-window
    # whoever invited a member or reached one was assigned to that group that day
    on_duty = defaultdict(list)
    for a in loaded.assignments:
        on_duty[(a.staff_id, a.group_id)].append((a.from_, a.to))
    staffed = [r for r in rows if r["staff_id"] is not None]
    assert {r["type"] for r in staffed} >= {"join", "reach", "message"}
    for r in staffed:
        spans = on_duty[(r["staff_id"], r["group_id"])]
        assert any(first <= r["ts"].date() and (last is None or r["ts"].date() <= last) for first, last in spans), r


def test_entry_modes_shape_the_joins(playbook: Playbook, medium: tuple[list[dict[str, Any]], Roster]) -> None:
    rows, roster = medium
    types = {g.id: playbook.group_types[g.type] for g in roster.groups}
    joins = [r for r in rows if r["type"] == "join"]
    for r in joins:
        entry = types[r["group_id"]].entry
        if entry.mode == "paid":
            assert r["amount"] == entry.fee
        if entry.mode == "activity":
            assert r["activity"] == entry.activity
        if entry.mode == "invite":
            assert r["staff_id"] is not None
    assert any(r["referrer_id"] for r in joins)
    referrals = Counter(r["member_id"] for r in rows if r["type"] == "referral")
    assert referrals and max(referrals.values()) >= 2


def test_refunds_reference_earlier_orders(medium: tuple[list[dict[str, Any]], Roster]) -> None:
    rows, _ = medium
    orders = {r["order_id"]: r for r in rows if r["type"] == "order"}
    assert len(orders) == sum(r["type"] == "order" for r in rows)  # order ids are unique
    refunds = [r for r in rows if r["type"] == "refund"]
    assert refunds and len(refunds) < 0.1 * len(orders)
    for refund in refunds:
        order = orders[refund["order_id"]]
        assert Decimal(0) < refund["amount"] <= order["amount"]
        assert order["ts"] < refund["ts"] and order["member_id"] == refund["member_id"]
    assert any(r["ts"].month != orders[r["order_id"]]["ts"].month for r in refunds)


def test_activity_is_skewed(medium: tuple[list[dict[str, Any]], Roster]) -> None:
    rows, _ = medium
    posts = Counter(r["member_id"] for r in rows if r["type"] == "message" and r["staff_id"] is None)
    counts = sorted(posts.values(), reverse=True) + [0] * (MEDIUM["members"] - len(posts))
    top = counts[: len(counts) // 10]
    assert sum(top) >= 0.5 * sum(counts)
    flagged = [r for r in rows if r["flag"] is not None]
    assert flagged and len(flagged) < 0.02 * sum(counts)
    assert any(r["type"] == "leave" and r["removed"] for r in rows)
    scores = Counter(r["score"] for r in rows if r["type"] == "survey")
    assert scores[5] + scores[4] > scores[1] + scores[2]


def test_some_members_are_in_two_groups(medium: tuple[list[dict[str, Any]], Roster]) -> None:
    rows, _ = medium
    homes: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r["member_id"] is not None and r["staff_id"] is None:
            homes[r["member_id"]].add(r["group_id"])
    two = sum(len(g) == 2 for g in homes.values())
    assert 0 < two < 0.2 * len(homes)


def test_a_moderate_run_is_quick(playbook: Playbook) -> None:
    began = time.perf_counter()
    table, _ = generate(playbook, start=START, seed=5, tasks=staffed_tasks, **MEDIUM)
    assert table.num_rows > 50_000
    assert time.perf_counter() - began < 10


def test_writes_are_atomic(playbook: Playbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "events.csv"
    target.write_text("old contents that are much longer than nothing\n" * 1000, encoding="utf-8")
    generate_files(playbook, target, start=START, seed=1, **SMALL)
    assert target.read_text(encoding="utf-8").startswith("ts,type,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv", "events.roster.yaml"]
    before = target.read_bytes(), (tmp_path / "events.roster.yaml").read_bytes()

    def broken(batch: pa.RecordBatch) -> pa.Array:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(writers, "_csv_lines", broken)
    with pytest.raises(RuntimeError):
        generate_files(playbook, target, start=START, seed=2, **SMALL)
    assert (target.read_bytes(), (tmp_path / "events.roster.yaml").read_bytes()) == before  # neither replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv", "events.roster.yaml"]


def test_unknown_formats_and_sizes_are_usage_errors(playbook: Playbook, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        generate_files(playbook, tmp_path / "events.xlsx", start=START, seed=1, **SMALL)
    with pytest.raises(UsageError):
        generate(playbook, groups=0, members=10, days=5, start=START, seed=1)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("groups", "members", "days", "start", "words"), [
    (10, 100, 999_999_999, START, "--days 999999999: at most 3650"),
    (1_000_000, 100, 365, START, "--groups 1000000 × --days 365 is more than 20,000,000 group-days"),
    (10, 10**9, 30, START, "--members 1000000000 × --days 30 is more than 1,000,000,000 member-days"),
    (10, 100, 30, dt.date(2000, 6, 1), "--start 2000-06-01: the roster's dates must fall within 2000–2100 "
                                       "(start on 2001-02-04 or later, end by 2100-12-31)"),
    (10, 100, 365, dt.date(2100, 6, 1), "--start 2100-06-01: the roster's dates must fall within 2000–2100"),
])
def test_sizes_beyond_the_bounds_are_refused_before_anything_is_built(
        playbook: Playbook, groups: int, members: int, days: int, start: dt.date, words: str) -> None:
    began = time.perf_counter()
    with pytest.raises(UsageError) as refused:
        generate(playbook, groups=groups, members=members, days=days, start=start, seed=1)
    assert words in refused.value.en
    assert time.perf_counter() - began < 0.5


def test_staffing_beyond_the_bounds_is_refused_at_run_time(playbook: Playbook) -> None:
    # A playbook read from YAML cannot say this (Q107); one built in Python skips that check.
    traffic = playbook.group_types["traffic"].model_copy(update={"staffing": {"helper": 200_000_000}})
    hostile = playbook.model_copy(update={"group_types": {**playbook.group_types, "traffic": traffic}})
    start = time.perf_counter()
    with pytest.raises(UsageError) as refused:
        generate(hostile, start=START, seed=1, **SMALL)
    assert "(200000000 in one role); at most 1000 (100 in one role)" in refused.value.en
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("name", ["a: b", "123", "true", "null", "#1群", "- x", "", "say \"hi\"", "tab\there",
                                  "2027-01-04", "{x}", "花漾 宠粉群 ", "line\u2028break", "yes", "1_000",
                                  "38焕新节快闪1群 2027-01-25"])
def test_roster_text_is_quoted_when_it_must_be(tmp_path: Path, name: str) -> None:
    roster = Roster(staff=[Staff(id="s1", name="王芳")],
                    groups=[Group.model_validate({"id": "g1", "name": name or "x", "type": "traffic",
                                                  "created_at": START})])
    path = tmp_path / "roster.yaml"
    writers.write_roster(roster, path)
    loaded = load_roster(path)
    assert loaded.diagnostics == [] and loaded.groups[0].name == (name or "x").strip()
