"""`qunce report`: the charts' numbers are the output tables' aggregates, the page is one offline
file in one language, the same folder gives the same bytes."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qunce.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "simulate"

duckdb = pytest.importorskip("duckdb")


def charts(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="qunce-charts">(.*?)</script>', html, flags=re.DOTALL)
    assert found
    specs: dict[str, Any] = json.loads(found.group(1))
    return specs


def series(spec: dict[str, Any]) -> dict[str, list[Any]]:
    """name → values; a name used twice (joins and leaves of one group type) gets both, added up."""
    out: dict[str, list[Any]] = {}
    for s in spec["option"]["series"]:
        values = s["data"]
        out[s["name"]] = [a + b for a, b in zip(out[s["name"]], values, strict=True)] if s["name"] in out else values
    return out


def sql(folder: Path, query: str) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = duckdb.sql(query.replace("{dir}", str(folder))).fetchall()
    return rows


def test_simulate_report_writes_the_page_listed_in_the_manifest(sim_dir: Path) -> None:
    manifest = json.loads((sim_dir / ".qunce-manifest.json").read_text(encoding="utf-8"))
    assert "report.html" in manifest["files"]


def test_members_are_the_daily_sums_per_group_type(sim_dir: Path, page: str, summary: dict[str, Any]) -> None:
    spec = charts(page)["members"]
    days = spec["option"]["xAxis"]["data"]
    names = summary["report"]["names"]["group_types"]
    expected = sql(sim_dir, "SELECT group_type, CAST(date AS VARCHAR), SUM(members_end) FROM '{dir}/group_daily.parquet' "
                            "GROUP BY ALL")
    got = series(spec)
    for kind, day, members in expected:
        assert got[names[kind]][days.index(day)] == members
    joins = series(charts(page)["joins-leaves"])  # joins above zero plus leaves below: the net change
    (net,) = sql(sim_dir, "SELECT SUM(joins) - SUM(leaves) FROM '{dir}/group_daily.parquet'")[0]
    assert sum(sum(values) for values in joins.values()) == net


def test_interaction_rate_is_speakers_over_members(sim_dir: Path, page: str, summary: dict[str, Any]) -> None:
    spec = charts(page)["interaction"]
    days = spec["option"]["xAxis"]["data"]
    names = summary["report"]["names"]["group_types"]
    got = series(spec)
    for kind, day, rate in sql(sim_dir, "SELECT group_type, CAST(date AS VARCHAR), SUM(speakers) / SUM(members) "
                                        "FROM '{dir}/group_daily.parquet' WHERE members > 0 GROUP BY ALL"):
        assert got[names[kind]][days.index(day)] == pytest.approx(rate, abs=1e-4)
    assert spec["fmt"] == "percent"


def test_lifecycle_levels_segments_are_the_counts(sim_dir: Path, page: str, summary: dict[str, Any]) -> None:
    specs = charts(page)
    for chart, table, column, kind in (("lifecycle", "group_health", "state", "lifecycle"),
                                       ("levels", "member_levels", "level", "levels"),
                                       ("segments", "segments", "segment", "segments")):
        names = ({lv["id"]: lv["name"] for lv in summary["report"]["levels"]} if kind == "levels"
                 else summary["report"]["names"][kind])
        periods = specs[chart]["option"]["xAxis"]["data"]
        got = series(specs[chart])
        rows = sql(sim_dir, f"SELECT {column}, period, COUNT(*) FROM '{{dir}}/{table}.parquet' GROUP BY ALL")
        assert rows
        for key, period, n in rows:
            assert got[names[key]][periods.index(period)] == n, (chart, key, period)
        assert sum(map(sum, got.values())) == sum(r[2] for r in rows)


def test_the_level_flows_are_the_promotions_and_demotions(sim_dir: Path, page: str) -> None:
    (moved,) = sql(sim_dir, "SELECT COUNT(*) FROM '{dir}/member_levels.parquet' WHERE change IN ('promote', 'demote')")[0]
    links = charts(page)["level-sankey"]["option"]["series"][0]["links"]
    assert sum(link["value"] for link in links) == moved > 0
    assert '<div class="item" id="ladder">' in page and "近90天积分 ≥ 300" in page  # the ladder's conditions in words


def test_dissolve_table_names_each_group_and_its_owner(sim_dir: Path, page: str, summary: dict[str, Any]) -> None:
    groups = [g for (g,) in sql(sim_dir, "SELECT DISTINCT group_id FROM '{dir}/group_health.parquet' WHERE should_dissolve")]
    assert sorted(summary["report"]["dissolving"]) == sorted(groups)
    block = page[page.index('<div class="item" id="dissolve">'):]
    block = block[:block.index("</table>")]
    assert block.count("<tr>") == len(groups) + 1
    for group in groups:
        owners = summary["report"]["dissolving"][group]["owners"]
        assert owners and all(summary["report"]["staff"][s] in block for s in owners)


def test_admission_funnel_adds_up_to_the_joins(sim_dir: Path, page: str, summary: dict[str, Any]) -> None:
    spec = charts(page)["admissions"]
    types = spec["option"]["yAxis"]["data"]
    names = summary["report"]["names"]["group_types"]
    per_type = [sum(values[i] for values in series(spec).values()) for i in range(len(types))]
    for kind, joins in sql(sim_dir, "SELECT group_type, SUM(joins) FROM '{dir}/admission_rates.parquet' GROUP BY ALL"):
        assert per_type[types.index(names[kind])] == joins


def test_payouts_are_split_into_their_parts(sim_dir: Path, page: str) -> None:
    specs = charts(page)
    periods = [p for (p,) in sql(sim_dir, "SELECT DISTINCT period FROM '{dir}/payouts.parquet' ORDER BY 1")]
    for index, period in enumerate(periods):
        got = series(specs[f"payouts-{index + 1}"])
        kpi, bonus, gate, total = sql(sim_dir, f"SELECT SUM(kpi), SUM(bonus), SUM(gate), SUM(total) FROM "
                                               f"'{{dir}}/payouts.parquet' WHERE period = '{period}'")[0]
        assert sum(got["指标提成"]) == pytest.approx(float(kpi), abs=0.01)
        assert sum(got["达标奖励"]) == pytest.approx(float(bonus), abs=0.01)
        assert sum(got["门槛扣减"]) == pytest.approx(float(gate), abs=0.01)
        assert sum(got["应发合计"]) == pytest.approx(float(total), abs=0.01)
    assert specs["payouts-1"]["fmt"] == "money"


def test_every_unit_is_on_the_pay_curve(sim_dir: Path, page: str) -> None:
    option = charts(page)["curve"]["option"]
    assert option["series"][0]["data"] == [[0.5, 0.3], [0.8, 0.8], [1.0, 1.0], [1.5, 1.6]]  # the playbook's points
    dots = sum(point[2] for s in option["series"][1:] for point in s["data"])
    assert dots == sql(sim_dir, "SELECT COUNT(*) FROM '{dir}/commission_units.parquet'")[0][0]


def test_the_page_is_offline_and_its_json_parses(page: str) -> None:
    specs = charts(page)
    assert len(specs) >= 12
    for spec in specs.values():
        assert spec["option"]["series"]
    assert re.findall(r'<div class="chart" data-chart="([^"]+)"', page) == list(dict.fromkeys(
        re.findall(r'<div class="chart" data-chart="([^"]+)"', page)))
    # No URL at all, but the XML namespaces and licence lines inside the vendored ECharts.
    library = page[page.rindex("<script>", 0, page.index("* Licensed to the Apache Software Foundation")):]
    library = library[:library.index("</script>")]
    outside = page.replace(library, "")
    assert not re.search(r"https?://", outside)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert set(re.findall(r"https?://[^\s\"')]+", library)) <= {
        "http://www.apache.org/licenses/LICENSE-2.0", "http://www.w3.org/1999/xlink", "http://www.w3.org/2000/svg",
        "http://www.w3.org/2000/xmlns/", "http://www.w3.org/XML/1998/namespace",
        "https://github.com/ecomfe/zrender/blob/master/LICENSE.txt"}
    assert "@font-face" not in page and "<link" not in page
    for link in re.findall(r'<a href="([^"#][^"]*)"', page):
        assert link.endswith((".csv", ".parquet")) and "/" not in link  # the tables beside the page


def test_zh_and_en_and_the_same_bytes_twice(sim_dir: Path, tmp_path: Path, page: str) -> None:
    runner = CliRunner()
    first, second, en = tmp_path / "a.html", tmp_path / "b.html", tmp_path / "en.html"
    for out, lang in ((first, "zh"), (second, "zh"), (en, "en")):
        result = runner.invoke(main, ["report", str(sim_dir), "--out", str(out), "--lang", lang])
        assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()
    zh_page, en_page = first.read_text(encoding="utf-8"), en.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh_page and "<h2>目录</h2>" in zh_page and "<h3>各类型群的成员数</h3>" in zh_page
    assert '<html lang="en">' in en_page and "<h2>Contents</h2>" in en_page and "<h3>Members by group type</h3>" in en_page
    assert "模拟报告" not in en_page and "simulation report" not in zh_page
    # Chinese sentences: full-width punctuation, money as ¥1,308.90, months in words.
    readings = re.findall(r'<p class="reading">(.*?)</p>', zh_page)
    assert readings and all(not re.search(r"[\u4e00-\u9fff][,;:()]|[,;:(][\u4e00-\u9fff]", r) for r in readings)
    assert re.search(r"2027 年 1 月：\d+ 人共应发 −?¥[\d,]+\.\d\d", zh_page)
    # Links are relative to where the page is written.
    assert f'<a href="{os.path.relpath(sim_dir / "group_daily.csv", tmp_path)}">group_daily.csv</a>' in zh_page


def test_the_default_page_is_the_playbooks_language_and_lists_itself(sim_dir: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(sim_dir, folder)
    (folder / "report.html").unlink()
    manifest = json.loads((folder / ".qunce-manifest.json").read_text(encoding="utf-8"))
    del manifest["files"]["report.html"]
    (folder / ".qunce-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(folder), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(rf"wrote {re.escape(str(folder))}/report\.html \(\d+ charts, \d+ tables, [\d,]+ KB\)\n",
                        result.output)
    from qunce.output_folder import qunce_wrote

    assert qunce_wrote(folder)  # so that simulate --out can still replace the folder


def test_a_playbook_without_commission_has_no_commission_section(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["simulate", str(EXAMPLE / "playbook.yaml"), "--events", str(EXAMPLE / "events.csv"),
                                       "--roster", str(EXAMPLE / "roster.yaml"), "--out", str(out), "--report",
                                       "--lang", "en"])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="commission"' not in html and 'id="levels"' in html
    specs = charts(html)
    # The hand-worked example: 3 members and 1 silver, then 4 members (tests/simulate/test_simulate.py).
    assert sorted(map(tuple, series(specs["levels"]).values())) == [(1, 0), (3, 4)]


def test_a_folder_without_summary_is_refused_in_the_runs_language(tmp_path: Path) -> None:
    en = CliRunner().invoke(main, ["report", str(tmp_path), "--lang", "en"])
    zh = CliRunner().invoke(main, ["report", str(tmp_path), "--lang", "zh"])
    assert en.exit_code == zh.exit_code == 2
    assert "not a simulation's output folder" in en.output and "不是模拟的输出目录" not in en.output
    assert "不是模拟的输出目录" in zh.output and zh.output.startswith("qunce: ") and zh.output.count("\n") == 1


def test_the_demo_sized_report_is_small(page: str) -> None:
    assert len(page.encode("utf-8")) < 5_000_000


def test_the_readme_shows_what_qunce_report_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("$ qunce report out/ --lang en\n")
    command, shown = readme[start:readme.index("```", start)].splitlines()
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    simulated = runner.invoke(main, ["simulate", str(EXAMPLE / "playbook.yaml"), "--events", str(EXAMPLE / "events.csv"),
                                     "--roster", str(EXAMPLE / "roster.yaml"), "--out", "out/", "--lang", "en"])
    assert simulated.exit_code == 0, simulated.output
    assert runner.invoke(main, command.removeprefix("$ qunce ").split()).output.splitlines() == [shown]
