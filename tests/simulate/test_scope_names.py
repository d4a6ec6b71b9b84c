"""One list of names per scope: every name a scope offers (catalog.Names.offered) validates
where that scope's conditions are written, and the stage that evaluates them computes it — or
the catalog says that place lacks it (NOT_COMPUTED) and validation refuses it there (Q207).

A playbook is built whose conditions read every name of every scope, at every place: level,
segment and churn conditions and custom member metrics (member); lifecycle states and custom
group metrics (group, on a day and over a period); commission conditions of a per-group and
of a per-staff pool (staff); points and custom metric filters (event). It must validate clean,
and each stage's table must have a column (or a value) for every name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qunce.catalog import NOT_COMPUTED, Names, Resolved
from qunce.cli import main
from qunce.validation import validate_paths

pytest.importorskip("ibis")

# A value each text name may have in the playbook below (Q206 checks them).
TEXT_VALUES = {"level": "member", "group_type": "welfare", "staff_role": "owner", "type": "order", "channel": "直播间"}
# A condition's text is at most 1000 characters (Q201): names go in chunks.
CHUNK = 12


def offered(scope: str) -> list[Resolved]:
    return Names(scope).offered()


def chunks(items: list[Resolved]) -> Iterator[list[Resolved]]:
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def condition(items: list[Resolved]) -> str:
    """True or false from every name: text compared with a value it may have, numbers with 0."""
    parts = []
    for r in items:
        if r.metric.type == "text":
            parts.append(f'{r.id} != "{TEXT_VALUES[r.metric.id]}"')
        elif r.metric.type == "bool":
            parts.append(r.id)
        else:
            parts.append(f"{r.id} >= 0")
    return " or ".join(parts)


def numbers(items: list[Resolved]) -> list[Resolved]:
    return [r for r in items if r.metric.type == "number"]


def lacking(place: str) -> frozenset[str]:
    return NOT_COMPUTED[place][0]


def period_only(items: list[Resolved]) -> list[Resolved]:
    """Commission reads the period's own metrics: Q607 refuses its rolling windows."""
    return [r for r in items if r.days is None and not r.total]


def every_name_playbook(pool: str) -> dict[str, Any]:
    member = offered("member")
    group = offered("group")
    staff = [r for r in period_only(offered("staff")) if not r.id.startswith("attainment_")]
    if pool == "per_staff":
        staff = [r for r in staff if r.id not in lacking("staff_member")]
    day = [r for r in group if r.id not in lacking("group_day")]
    member_numbers = [r for r in numbers(member) if r.id not in lacking("member_metric")]
    custom: list[dict[str, Any]] = [
        {"id": "vip_orders", "name": "直播订单", "scope": "member", "event": "order", "agg": "count", "window": "30d",
         "where": condition(offered("event"))},
        {"id": "live_sales", "name": "直播销售额", "scope": "group", "event": "order", "agg": "sum", "field": "amount",
         "window": "7d", "where": condition(offered("event"))},
        # read by a lifecycle state: computed on every day too
        {"id": "daily_mix", "name": "日指标", "scope": "group", "expr": " + ".join(r.id for r in numbers(day)[:CHUNK])},
        # a KPI: a per_staff pool combines the windows over the staff member's groups
        {"id": "window_mix", "name": "窗口指标", "scope": "group",
         "expr": "new_members_7d + members_30d + interaction_rate_total + live_sales"},
    ]
    custom += [{"id": f"member_sum_{i}", "name": f"成员和{i}", "scope": "member", "expr": " + ".join(r.id for r in part)}
               for i, part in enumerate(chunks(member_numbers))]
    custom += [{"id": f"group_sum_{i}", "name": f"群和{i}", "scope": "group", "expr": " + ".join(r.id for r in part)}
               for i, part in enumerate(chunks(numbers(group)))]
    levels: list[dict[str, Any]] = [{"id": "member", "name": "会员"}]
    levels += [{"id": f"level_{i}", "name": f"等级{i}", "promote_when": condition(part)}
               for i, part in enumerate(chunks(member))]
    states: list[dict[str, Any]] = [{"id": f"state_{i}", "name": f"状态{i}", "when": condition(part)}
                                    for i, part in enumerate(chunks(day))]
    states += [{"id": "custom", "name": "自定义", "when": "daily_mix >= 0 and live_sales >= 0"},
               {"id": "dead", "name": "死群"}]
    pools = {"per_group": {"per_group": 100}, "per_staff": {"per_staff": 100}}
    return {
        "playbook": "全名称剧本",
        "roles": {"owner": {"name": "群主"}, "admin": {"name": "管理员"}},
        "group_types": {"welfare": {"name": "福利群", "kind": "福利群", "goal": "复购", "purpose": "复购",
                                    "staffing": {"owner": 1, "admin": 1}}},
        "metrics": {"custom": custom},
        "membership": {"points": {"earn": [{"id": "chat", "name": "发言", "on": "message", "points": 1,
                                            "where": condition(offered("event"))}]},
                       "levels": levels},
        "segments": [{"id": f"segment_{i}", "name": f"分类{i}", "when": condition(part)}
                     for i, part in enumerate(chunks(member))],
        "churn": [{"id": f"warning_{i}", "name": f"预警{i}", "when": condition(part), "action": "私聊"}
                  for i, part in enumerate(chunks(member))],
        "lifecycle": states,
        "commission": {
            "period": "monthly", "pool": pools[pool], "split": {"owner": 0.6, "admin": 0.4},
            "kpis": [{"id": "growth", "name": "增长", "metric": "new_members", "target": 10, "weight": 0.5},
                     {"id": "mix", "name": "综合", "metric": "window_mix", "target": 10, "weight": 0.5}],
            "gate": {"when": condition(staff[:CHUNK])},
            "bonuses": [{"id": f"bonus_{i}", "name": f"奖励{i}", "when": condition(part), "amount": 1}
                        for i, part in enumerate(chunks(staff))],
        },
    }


def _world(pool: str, folder: Path) -> dict[str, Any]:
    """The playbook (validated), its generated events, and the simulation context."""
    from qunce.commands.data import DataCheck, DataRequest, load
    from qunce.validation import checked_playbook

    path = folder / "every-name.yaml"
    # JSON is YAML: the generated playbook needs no quoting rules of its own.
    path.write_text(json.dumps(every_name_playbook(pool), ensure_ascii=False, indent=1), encoding="utf-8")
    report = validate_paths([path])
    assert [(d.code, d.message("en")) for d in report.diagnostics if d.level.value == "error"] == []
    result = CliRunner().invoke(main, ["events", "generate", str(path), "--out", str(folder / "e.parquet"),
                                       "--groups", "3", "--members", "40", "--days", "20"])
    assert result.exit_code == 0, result.output
    playbook, _ = checked_playbook(path)
    assert playbook is not None
    ctx = load(playbook, DataRequest(folder / "e.parquet", folder / "e.roster.yaml"), DataCheck())
    assert ctx is not None
    return {"path": path, "folder": folder, "ctx": ctx, "pool": pool}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every name, a per-group pool."""
    return _world("per_group", tmp_path_factory.mktemp("per_group"))


@pytest.fixture(scope="module", params=["per_group", "per_staff"])
def pools(request: pytest.FixtureRequest, world: dict[str, Any],
          tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every name, with either pool: the commission's unit is a group or a staff member."""
    return world if request.param == "per_group" else _world("per_staff", tmp_path_factory.mktemp("per_staff"))


def ids(items: list[Resolved]) -> set[str]:
    return {r.id for r in items}


def test_a_group_on_a_day_has_every_group_name_but_the_period_only_ones(world: dict[str, Any]) -> None:
    from qunce.simulate.group_stage import metrics
    from qunce.simulate.lifecycle import group_metrics_daily

    ctx = world["ctx"]
    daily, _, _, _ = metrics(ctx, staff=False, grains=("month",))
    day = [r for r in offered("group") if r.id not in lacking("group_day")]
    table = group_metrics_daily(daily, day, ctx.period, groups=ctx.groups, events=ctx.events)
    assert ids(day) - set(table.columns) == set()
    assert lacking("group_day") <= ids(offered("group"))  # what is refused is a name of the scope
    assert table.count().execute() > 0


def test_a_group_over_a_period_has_every_group_name(world: dict[str, Any]) -> None:
    from qunce.simulate.group_stage import metrics

    ctx = world["ctx"]
    _, _, period, _ = metrics(ctx, staff=False)
    assert ids(offered("group")) - set(period.columns) == set()
    # a rolling window in a period row is as of the period's last day
    row = period.filter(period.grain == "month").order_by(["group_id", "period_start"]).to_pyarrow().to_pylist()[0]
    assert row["new_members_total"] >= row["new_members_7d"] >= 0


def test_a_member_has_every_member_name(world: dict[str, Any]) -> None:
    from qunce.simulate.members import _with_level, simulate_members

    ctx = world["ctx"]
    result = simulate_members(ctx, features=True)
    last = ctx.periods[-1].label
    table = _with_level(result.features[last], result.levels, last)
    assert ids(offered("member")) - set(table.columns) == set()
    assert result.levels is not None and result.segments is not None and result.churn is not None
    # custom member metrics are computed before the levels: the playbook could not give them these
    assert lacking("member_metric") - set(result.features[last].columns) == lacking("member_metric")


def test_a_commission_unit_has_every_staff_name(pools: dict[str, Any]) -> None:
    from qunce.commission.stage import commission_of

    ctx = pools["ctx"]
    commission = commission_of(ctx)
    assert commission is not None
    wanted = ids(period_only(offered("staff")))
    wanted |= {f"attainment_{k.id}" for k in commission.plan.kpis}
    if pools["pool"] == "per_staff":
        wanted -= lacking("staff_member")
        assert commission.plan.unit == "staff"
    measured = {"weighted_attainment", *(f"attainment_{k.id}" for k in commission.plan.kpis)}
    assert commission.inputs.units
    for unit in commission.inputs.units.values():  # what the simulation gives
        assert wanted - measured - set(unit.values) == set(), unit.unit
    assert commission.book.results
    for result in commission.book.results.values():  # and what the measurement adds
        assert wanted - set(result.measured.values) == set()
    # the windows a custom metric reads reach a staff member too (prorated, or weighted by days)
    assert all({"new_members_7d", "members_30d", "interaction_rate_total"} <= set(unit.values)
               for unit in commission.inputs.units.values())
    assert any(unit.values["window_mix"] > 0 for unit in commission.inputs.units.values())


def test_the_worked_example_has_every_staff_name(pools: dict[str, Any]) -> None:
    from qunce.commission.plan import compile_plan
    from qunce.commission.worked import sample_values, worked_example

    playbook = pools["ctx"].playbook
    plan = compile_plan(playbook)
    assert plan is not None
    values = sample_values(playbook, plan)
    wanted = ids(period_only(offered("staff"))) - {"weighted_attainment"}
    assert wanted - set(values) == set()
    # and the rolling windows the custom group metrics read
    assert {"new_members_7d", "new_members_30d", "new_members_total"} <= set(values)
    assert values["new_members_7d"] == (Decimal(120) * 7 / 30).quantize(Decimal("0.01"))
    example = worked_example(playbook, "en")
    assert example is not None and example["kpis"]


def test_an_event_has_every_event_name(world: dict[str, Any]) -> None:
    ctx = world["ctx"]
    assert ids(offered("event")) - set(ctx.filterable(ctx.events).columns) == set()


@pytest.mark.parametrize("command", ["simulate", "docs", "explain-staff", "explain-member"])
def test_the_commands_run_on_every_name(pools: dict[str, Any], command: str, tmp_path: Path) -> None:
    path, folder = pools["path"], pools["folder"]
    data = ["--events", str(folder / "e.parquet"), "--roster", str(folder / "e.roster.yaml")]
    args = {"simulate": ["simulate", str(path), *data, "--out", str(tmp_path / "out")],
            "docs": ["docs", str(path), "--out", str(tmp_path / "docs")],
            "explain-staff": ["explain", str(path), *data, "--staff", pools["ctx"].roster.staff[0].id],
            "explain-member": ["explain", str(path), *data, "--member", _member(folder / "e.parquet")]}[command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    if command == "simulate":
        summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
        assert summary["rows"]["accepted"] > 0 and summary["rows"]["rejected"] == 0


def _member(events: Path) -> str:
    import pyarrow.parquet as pq

    return str(next(m for m in pq.read_table(events, columns=["member_id"]).column(0).to_pylist() if m))


@pytest.mark.parametrize("place", sorted(NOT_COMPUTED))
def test_what_a_place_lacks_is_refused_there(place: str, tmp_path: Path) -> None:
    """Each name NOT_COMPUTED says a place lacks gives Q207 at that place."""
    names, _ = NOT_COMPUTED[place]
    playbook = every_name_playbook("per_staff" if place == "staff_member" else "per_group")
    reads = " or ".join(f'{n} != "{TEXT_VALUES[n]}"' if n in TEXT_VALUES else f"{n} >= 0" for n in sorted(names))
    if place == "group_day":
        playbook["lifecycle"].insert(0, {"id": "probe", "name": "探针", "when": reads})
    elif place == "staff_member":
        playbook["commission"]["gate"] = {"when": reads}
    else:
        playbook["metrics"]["custom"].append({"id": "probe", "name": "探针", "scope": "member",
                                              "expr": " + ".join(sorted(names - {"level"})) or "0"})
    path = tmp_path / "p.yaml"
    path.write_text(json.dumps(playbook, ensure_ascii=False), encoding="utf-8")
    found = [(d.code, dict(d.params)["name"]) for d in validate_paths([path]).diagnostics if d.code == "Q207"]
    expected = names - {"level"} if place == "member_metric" else names  # `level` is text: not in a sum
    assert sorted(found) == sorted(("Q207", n) for n in expected)
