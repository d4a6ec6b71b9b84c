"""The report's SOP 考核 section: its numbers are the assessment's own (sop_tasks, sop_compliance,
sop_warnings and summary.json's sop, counted again here), in the report's language; a folder
without the assessment's tables has no such section."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qunce.cli import main

from .test_report import EXAMPLE, charts, series, sql

duckdb = pytest.importorskip("duckdb")

STATUS_ZH = ["按时", "迟做", "漏做", "不可考核", "未到期"]


def item(html: str, item_id: str) -> str:
    start = html.index(f'<div class="item" id="{item_id}">')
    return html[start:html.index("</div>\n", html.index('<p class="source">', start))]


def table_rows(html: str, item_id: str) -> list[list[str]]:
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr><td.*?</tr>", item(html, item_id))]


def test_the_section_comes_before_the_commission(page: str) -> None:
    ids = re.findall(r'<section id="([a-z]+)">', page)
    assert ids.index("sop") == ids.index("commission") - 1
    assert "<h2>SOP 考核</h2>" in page
    assert re.findall(r'<div class="item" id="(sop-[a-z-]+)">', page) == [
        "sop-on-time", "sop-status", "sop-missed", "sop-warnings"]


def test_on_time_rate_per_role_and_week_is_counted_from_the_tasks(sim_dir: Path, page: str,
                                                                  summary: dict[str, Any]) -> None:
    spec = charts(page)["sop-on-time"]
    weeks = spec["option"]["xAxis"]["data"]
    roles = summary["report"]["names"]["roles"]
    got = series(spec)
    expected = sql(sim_dir, """
        SELECT role, strftime(date_trunc('week', date), '%G-W%V'), COUNT(*) FILTER (WHERE status = 'on_time'),
               COUNT(*) FILTER (WHERE status IN ('on_time', 'late', 'missed'))
        FROM '{dir}/sop_tasks.parquet' GROUP BY ALL""")
    assert expected
    judged = 0
    for role, week, on_time, assessed in expected:
        value = got[roles[role]][weeks.index(week)]
        if assessed:
            judged += 1
            assert value == pytest.approx(on_time / assessed, abs=1e-4), (role, week)
        else:
            assert value is None
    assert judged and spec["fmt"] == "percent"
    assert weeks == sorted(weeks) and all(re.fullmatch(r"\d{4}-W\d\d", w) for w in weeks)


def test_status_mix_per_role_is_the_summarys(page: str, summary: dict[str, Any]) -> None:
    spec = charts(page)["sop-status"]
    roles = summary["report"]["names"]["roles"]
    shown = spec["option"]["yAxis"]["data"]
    got = series(spec)
    assert list(got) == STATUS_ZH
    by_role = {row["role"]: row for row in summary["sop"]["by_role"]}
    assert shown == [name for key, name in roles.items() if key in by_role]
    for key, row in by_role.items():
        at = shown.index(roles[key])
        assert [got[name][at] for name in STATUS_ZH] == [row["on_time"], row["late"], row["missed"],
                                                         row["not_observable"], row["not_due"]]
    total = sum(row["due"] + row["not_due"] for row in by_role.values())
    assert f"期间共 {total:,} 项任务" in item(page, "sop-status")


def test_the_missed_table_names_who_missed_most(sim_dir: Path, page: str, summary: dict[str, Any]) -> None:
    rows = table_rows(page, "sop-missed")
    expected = sql(sim_dir, """
        SELECT staff_id, COUNT(*) FILTER (WHERE status <> 'not_due'), COUNT(*) FILTER (WHERE status = 'on_time'),
               COUNT(*) FILTER (WHERE status = 'late'), COUNT(*) FILTER (WHERE status = 'missed'),
               COUNT(*) FILTER (WHERE status = 'not_observable'), MEDIAN(late_minutes)
        FROM '{dir}/sop_tasks.parquet' GROUP BY staff_id HAVING COUNT(*) FILTER (WHERE status = 'missed') > 0
        ORDER BY 5 DESC, 1 LIMIT 20""")
    assert rows and len(rows) == len(expected)
    names = summary["report"]["staff"]
    for cells, (staff_id, due, on_time, late, missed, unobservable, delay) in zip(rows, expected, strict=True):
        assert cells[0] == f"{names[staff_id]}（{staff_id}）"
        assert cells[2:7] == [f"{due:,}", f"{on_time:,}", f"{late:,}", f"{missed:,}", f"{unobservable:,}"]
        assert cells[7] == f"{on_time / (on_time + late + missed) * 100:.1f}%"
        minutes = None if delay is None else round(delay)
        assert cells[8] == ("—" if minutes is None else f"{minutes} 分钟" if minutes < 60 else f"{minutes / 60:.1f} 小时")


def test_churn_warnings_followed_up_per_owner(sim_dir: Path, page: str, summary: dict[str, Any]) -> None:
    spec = charts(page)["sop-warnings"]
    got = series(spec)
    acted, not_acted = got["已跟进"], got["未跟进"]
    owners = spec["option"]["yAxis"]["data"]
    expected = sql(sim_dir, """SELECT owner, COUNT(acted_at), COUNT(*) - COUNT(acted_at) FROM '{dir}/sop_warnings.parquet'
                               WHERE status <> 'not_due' GROUP BY owner ORDER BY COUNT(*) DESC, owner LIMIT 20""")
    names = summary["report"]["staff"]
    assert owners == [f"{names[o]}（{o}）" for o, _, _ in expected]
    assert list(zip(acted, not_acted, strict=True)) == [(a, n) for _, a, n in expected]
    warned = summary["sop"]["warnings"]
    if len(expected) < 20:  # every owner shown: the bars add up to the summary's counts
        assert sum(acted) == warned["acted"] and sum(acted) + sum(not_acted) == warned["owned"] - warned["not_due"]
    due = warned["owned"] - warned["not_due"]
    assert f"{due:,} 条流失预警中负责人跟进了 {warned['acted']:,} 条" in item(page, "sop-warnings")


def test_the_english_page_says_it_in_english(sim_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "en.html"
    result = CliRunner().invoke(main, ["report", str(sim_dir), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<h2>SOP assessment</h2>" in html and "SOP 考核" not in html
    assert list(series(charts(html)["sop-status"])) == ["on time", "late", "missed", "not observable", "not due yet"]
    head = re.search(r"<thead>.*?</thead>", item(html, "sop-missed"))
    assert head and "<th>median delay</th>" in head.group(0) and not re.search(r"[\u4e00-\u9fff]", head.group(0))


def test_a_made_folder_gives_exact_figures(tmp_path: Path) -> None:
    """Two people over two weeks of one month: the figures worked out by hand."""
    folder = tmp_path / "sim"
    folder.mkdir()
    duckdb.sql(f"""COPY (SELECT * FROM (VALUES
        ('week', 's1', 'owner', DATE '2027-01-04', 4, 3, 1, 0, 0, 0, 0.75, 12.0),
        ('week', 's1', 'owner', DATE '2027-01-11', 2, 0, 0, 2, 0, 1, 0.0, NULL),
        ('week', 's2', 'admin', DATE '2027-01-04', 5, 4, 0, 0, 1, 0, 1.0, NULL),
        ('month', 's1', 'owner', DATE '2027-01-01', 6, 3, 1, 2, 0, 1, 0.5, 12.0),
        ('month', 's2', 'admin', DATE '2027-01-01', 5, 4, 0, 0, 1, 0, 1.0, NULL))
        t(grain, staff_id, role, period_start, due, on_time, late, missed, not_observable, not_due, on_time_rate,
          median_late_minutes)) TO '{folder / "sop_compliance.parquet"}' (FORMAT parquet)""")
    duckdb.sql(f"""COPY (SELECT * FROM (VALUES
        ('2027-01', DATE '2027-01-10', 's1', 'acted', TIMESTAMP '2027-01-11 10:00:00'),
        ('2027-01', DATE '2027-01-10', 's1', 'not_acted', NULL), ('2027-01', DATE '2027-01-10', 's2', 'not_acted', NULL),
        ('2027-01', DATE '2027-01-31', 's2', 'not_due', NULL))
        t(period, as_of, owner, status, acted_at)) TO '{folder / "sop_warnings.parquet"}' (FORMAT parquet)""")
    report = {"lang": "zh", "staff": {"s1": "王小明"},
              "names": {"roles": {"admin": "管理员", "owner": "群主"}}}  # the playbook's order: admin first
    (folder / "summary.json").write_text(json.dumps({"outputs": {"sop_compliance": 5, "sop_warnings": 3},
                                                     "report": report}), encoding="utf-8")
    out = tmp_path / "page.html"
    result = CliRunner().invoke(main, ["report", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    specs = charts(html)
    rate = specs["sop-on-time"]["option"]
    assert rate["xAxis"]["data"] == ["2027-W01", "2027-W02"]
    assert {s["name"]: s["data"] for s in rate["series"]} == {"管理员": [1, None], "群主": [0.75, 0]}
    assert "整个期间可考核的任务中 70.0% 按时完成；最高的是管理员（100.0%），最低的是群主（50.0%）" in html
    status = specs["sop-status"]["option"]
    assert status["yAxis"]["data"] == ["管理员", "群主"]
    assert {s["name"]: s["data"] for s in status["series"]} == {
        "按时": [4, 3], "迟做": [0, 1], "漏做": [0, 2], "不可考核": [1, 0], "未到期": [0, 1]}
    assert "期间共 12 项任务；漏做最多的是群主（2 项）。1 项不可考核" in html
    # No sop_tasks in this folder: no median delay, and no link to a table that is not there.
    assert table_rows(html, "sop-missed") == [["王小明（s1）", "群主", "6", "3", "1", "2", "0", "50.0%", "—"]]
    assert "sop_tasks" not in html
    warned = specs["sop-warnings"]["option"]
    assert warned["yAxis"]["data"] == ["王小明（s1）", "s2"]
    assert {s["name"]: s["data"] for s in warned["series"]} == {"已跟进": [1, 0], "未跟进": [1, 1]}
    assert "3 条流失预警中负责人跟进了 1 条（33.3%）" in html


def test_no_section_without_the_assessments_tables(sim_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(sim_dir, folder)
    document = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    for table in ("sop_tasks", "sop_compliance", "sop_warnings"):
        del document["outputs"][table]
    (folder / "summary.json").write_text(json.dumps(document), encoding="utf-8")
    out = tmp_path / "page.html"
    assert CliRunner().invoke(main, ["report", str(folder), "--out", str(out)]).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert 'id="sop' not in html and 'id="commission"' in html


def test_a_playbook_without_an_sop_has_no_section(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["simulate", str(EXAMPLE / "playbook.yaml"), "--events", str(EXAMPLE / "events.csv"),
                                       "--roster", str(EXAMPLE / "roster.yaml"), "--out", str(out), "--report"])
    assert result.exit_code == 0, result.output
    assert not list(out.glob("sop_*"))
    assert 'id="sop' not in (out / "report.html").read_text(encoding="utf-8")
