"""What keeps `qunce report` quick (bench/report.py): no pandas import (DuckDB imports it when a
query binds a string parameter: 0.3 s of a demo's 0.8 s), and the payout charts from two queries
for every period at once, each period's staff paid most first."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

duckdb = pytest.importorskip("duckdb")


def test_report_does_not_import_pandas(sim_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    code = ("import sys\nfrom qunce.cli import main\n"
            f"try:\n    main([\"report\", {str(sim_dir)!r}, \"--out\", {str(out)!r}])\n"
            "except SystemExit as stop:\n    assert not stop.code, stop.code\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pandas'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.is_file()
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_payout_charts_show_each_periods_60_paid_most(tmp_path: Path) -> None:
    from qunce.commands.report import ReportRequest, run

    folder = tmp_path / "sim"
    folder.mkdir()
    # 70 staff in January (s00 paid least … s69 most; s68 and s69 tie, by id), 3 in February.
    duckdb.sql(f"""COPY (
        SELECT '2027-01' AS period, printf('s%02d', i) AS staff_id, printf('员工%02d', i) AS staff_name,
               CAST(least(i, 68) * 10 AS DECIMAL(18, 2)) AS kpi, CAST(1 AS DECIMAL(18, 2)) AS bonus,
               CAST(0 AS DECIMAL(18, 2)) AS gate, CAST(0 AS DECIMAL(18, 2)) AS cap,
               CAST(-2 AS DECIMAL(18, 2)) AS clawback, CAST(least(i, 68) * 10 - 1 AS DECIMAL(18, 2)) AS total
        FROM range(70) t(i)
        UNION ALL
        SELECT '2027-02', printf('s%02d', i), printf('员工%02d', i), CAST(i AS DECIMAL(18, 2)), 0, 0, 0, 0,
               CAST(i AS DECIMAL(18, 2))
        FROM range(3) t(i)) TO '{folder / "payouts.parquet"}' (FORMAT parquet)""")
    (folder / "summary.json").write_text(json.dumps({"outputs": {"payouts": 73}, "report": {"lang": "en"}}),
                                         encoding="utf-8")
    out = tmp_path / "page.html"
    assert run(ReportRequest(folder, out)).status == 0
    html = out.read_text(encoding="utf-8")
    start = html.index('<script type="application/json" id="qunce-charts">')
    specs = json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])
    january, february = specs["payouts-1"]["option"], specs["payouts-2"]["option"]
    assert "payouts-3" not in specs
    names = january["yAxis"]["data"]
    assert len(names) == 60
    assert names[:3] == ["员工68 (s68)", "员工69 (s69)", "员工67 (s67)"]
    assert names[-1] == "员工10 (s10)"
    totals = next(s for s in january["series"] if s["name"] == "total")["data"]
    assert totals[:3] == [679, 679, 669] and totals[-1] == 99
    assert february["yAxis"]["data"] == ["员工02 (s02)", "员工01 (s01)", "员工00 (s00)"]
    assert "January 2027: ¥24,070.00 to 70 staff" in html and "The 60 paid most are shown." in html
    assert "February 2027: ¥3.00 to 3 staff" in html
