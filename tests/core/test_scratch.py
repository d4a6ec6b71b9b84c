"""compute.scratch: a stage's working tables dropped at its end, its results kept; per thread;
nothing dropped after a failure. And the SOP assessment, which runs inside one, leaves only its
results behind."""

from __future__ import annotations

import threading
from typing import Any

import pytest

pytest.importorskip("ibis")

import ibis

from qunce.compute import connect, scratch, store


def _temp_tables(con: object) -> set[str]:
    rows = con.con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'temp'").fetchall()  # type: ignore[attr-defined]
    return {name for (name,) in rows}


def _numbers(n: int) -> ibis.Table:
    return ibis.memtable({"n": list(range(n))})


def test_what_the_block_stores_is_dropped_but_what_it_keeps() -> None:
    con = connect("Asia/Shanghai")
    before, _ = store(con, "t_before", _numbers(2))
    with scratch(con) as working:
        middle, _ = store(con, "t_middle", _numbers(3))
        result, _ = store(con, "t_result", middle.filter(middle.n > 0))
        working.keep(result, None)
    assert {"t_before", "t_result"} <= _temp_tables(con)
    assert "t_middle" not in _temp_tables(con)
    assert result.count().execute() == 2
    assert before.count().execute() == 2


def test_an_enclosing_block_takes_over_what_the_inner_one_kept() -> None:
    con = connect("Asia/Shanghai")
    with scratch(con):
        with scratch(con) as inner:
            kept, _ = store(con, "t_inner_kept", _numbers(1))
            store(con, "t_inner_scratch", _numbers(1))
            inner.keep(kept)
        assert "t_inner_kept" in _temp_tables(con)
        assert "t_inner_scratch" not in _temp_tables(con)
    assert "t_inner_kept" not in _temp_tables(con)  # the outer block kept nothing


def test_another_threads_tables_are_not_the_blocks() -> None:
    con = connect("Asia/Shanghai")
    stored = threading.Event()

    def elsewhere() -> None:  # as the commission's thread stores its tables while a stage runs
        store(con, "t_other_thread", _numbers(1))
        stored.set()

    with scratch(con):
        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join()
        assert stored.is_set()
    assert "t_other_thread" in _temp_tables(con)


def test_nothing_is_dropped_after_a_failure() -> None:
    con = connect("Asia/Shanghai")
    with pytest.raises(RuntimeError), scratch(con):
        store(con, "t_failed", _numbers(1))
        raise RuntimeError("the stage failed")
    assert "t_failed" in _temp_tables(con)


def _stored_names(*tables: Any) -> set[str]:
    import ibis.expr.operations as ops

    return {t.name for table in tables if table is not None for t in table.op().find(ops.DatabaseTable)}


def test_the_member_stage_leaves_only_its_results(example_context: Any) -> None:
    from qunce.simulate.members import simulate_members

    ctx = example_context("simulate")
    before = _temp_tables(ctx.con)
    result = simulate_members(ctx)
    left = {name for name in _temp_tables(ctx.con) - before if not name.startswith("qunce_values_")}
    results = _stored_names(result.ledger, result.levels, result.segments, result.churn, result.homes)
    assert left == results
    assert {"qunce_ledger", "qunce_levels"} <= left
    assert not result.features and not {name for name in left if name.startswith("qunce_features")}
    # asked for (explain --member): each period's features kept too
    explained = simulate_members(ctx, tag="_x", features=True)
    assert explained.features and "qunce_features_x_0" in _temp_tables(ctx.con)
    assert explained.features[ctx.periods[0].label].count().execute() > 0


def test_the_group_stage_leaves_only_its_results(example_context: Any) -> None:
    from dataclasses import fields

    from qunce.simulate.group_stage import simulate_groups

    ctx = example_context("simulate")  # a referral group: refused joins, the admitted members' events
    before = _temp_tables(ctx.con)
    result = simulate_groups(ctx)
    left = {name for name in _temp_tables(ctx.con) - before if not name.startswith("qunce_values_")}
    assert left == _stored_names(*(getattr(result, f.name) for f in fields(result)))
    assert {"qunce_group_daily", "qunce_admissions", "qunce_period_admitted"} <= left
    assert not {"qunce_message_days", "qunce_events_admitted", "qunce_member_moves"} & left


def test_the_sop_assessment_leaves_only_its_results(example_context: Any) -> None:
    from qunce.assess.stage import assess_sop
    from qunce.simulate.members import simulate_members

    ctx = example_context("sop")
    members = simulate_members(ctx)
    before = _temp_tables(ctx.con)
    result = assess_sop(ctx, members.churn, members.levels, members.homes)
    assert result is not None
    # literal tables (a few rows, named by their values, shared by queries) aside
    left = {name for name in _temp_tables(ctx.con) - before if not name.startswith("qunce_values_")}
    assert left == {"qunce_sop_compliance"} | ({"qunce_sop_warnings"} if result.warnings is not None else set())
    assert result.tasks.count().execute() > 0  # stored outside temp, where the writer looks for it
    assert result.compliance.count().execute() > 0


def test_the_sop_assessment_lets_go_of_its_matching_before_it_stores_the_tasks(example_context: Any,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import qunce.assess.stage as stage
    from qunce.simulate.members import simulate_members

    ctx = example_context("sop")
    members = simulate_members(ctx)
    before = _temp_tables(ctx.con)
    seen: set[str] = set()
    store_tasks = stage._stored_for_writing

    def watched(ctx: Any, tasks: Any) -> Any:
        seen.update(_temp_tables(ctx.con) - before)
        return store_tasks(ctx, tasks)

    monkeypatch.setattr(stage, "_stored_for_writing", watched)
    assert stage.assess_sop(ctx, members.churn, members.levels, members.homes) is not None
    seen = {name for name in seen if not name.startswith("qunce_values_")}
    # what the tasks' statuses read: the task rows (and their ids) and the first evidence
    assert {"qunce_sop_task_rows", "qunce_sop_evidence"} <= seen
    # the compiled tables, the holders, the answered events and the members' numbers are gone
    assert not {name for name in seen if name.startswith("qunce_tasks_")}
    assert "qunce_sop_member_numbers" not in seen and "qunce_sop_logged" not in seen
