"""`qunce demo`: the README's main job, end to end in a temporary folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main

pytest.importorskip("ibis")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = CliRunner().invoke(main, ["demo", "qunce-demo"], env={"QUNCE_LANG": None})  # the example's zh
    assert result.exit_code == 0, result.output
    return folder / "qunce-demo", result.output


def test_demo_writes_every_product(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    for name in ("playbook.yaml", "events.parquet", "events.roster.yaml", "simulation/summary.json",
                 "simulation/payouts.csv", "simulation/payouts.xlsx", "simulation/statements/s0001.md",
                 "tasks/tasks.csv", "tasks/tasks.md", "tasks/capacity.csv", "handbook/handbook.md",
                 "handbook/handbook.html"):
        assert (folder / name).is_file(), name
    assert len(list((folder / "tasks" / "calendars").glob("*.ics"))) == 44
    assert (folder / "simulation" / "statements" / "s0001.md").read_text(encoding="utf-8").startswith("# 提成结算单")
    assert (folder / "playbook.yaml").read_bytes() == (ROOT / "playbooks" / "brand-complete.yaml").read_bytes()


def test_demo_prints_what_the_readme_shows(demo: tuple[Path, str]) -> None:
    _, printed = demo
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("==> 复制并检查示例剧本")
    shown = readme[start:readme.index("```", start)]
    def timeless(text: str) -> list[str]:
        return [re.sub(r" \(\d+\.\d s\)$", "", line) for line in text.splitlines()]
    lines = timeless(printed)
    for line in timeless(shown):
        if line.strip() != "…":
            assert line in lines, line


def test_the_demo_commission_looks_plausible(demo: tuple[Path, str]) -> None:
    """The generator aims each group at the plan's targets (issue 18): most units' weighted
    attainment lies within 60–140%, some gates are closed and most open, the curve's cap is hit
    by a few KPIs, the KPI amounts outweigh the gate's deductions and the payouts are positive."""
    import duckdb

    folder, _ = demo
    sim = folder / "simulation"
    units = duckdb.sql(f"select unit, kpi, attainment, factor, weight, gate_open "
                       f"from '{sim / 'commission_units.parquet'}'").fetchall()
    weighted: dict[str, float] = {}
    gates: dict[str, bool] = {}
    for unit, _, attainment, _, weight, gate_open in units:
        weighted[unit] = weighted.get(unit, 0.0) + float(weight) * float(attainment)
        gates[unit] = gate_open
    within = sum(0.6 <= a <= 1.4 for a in weighted.values())
    assert within >= 0.7 * len(weighted), sorted(weighted.values())
    rows = sum(0.6 <= float(a) <= 1.4 for _, _, a, _, _, _ in units)
    assert rows >= 0.6 * len(units)  # each KPI too, not only their weighted sum
    closed = sum(not g for g in gates.values())
    assert 1 <= closed <= 0.4 * len(gates)
    assert any(float(factor) == 1.6 for _, _, _, factor, _, _ in units)  # brand-complete: curve cap 1.6
    kpi, gate, total = duckdb.sql(f"select sum(kpi), sum(gate), sum(total) "
                                  f"from '{sim / 'payouts.parquet'}'").fetchone() or (0, 0, 0)
    assert total > 0 and kpi > -gate
