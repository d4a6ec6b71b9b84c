"""`qunce simulate --xlsx` on the hand-computed commission example (docs/examples/commission):
payouts.xlsx read back with a real reader (fastexcel, calamine) and its XML, against the
payouts and statements Parquet files of the same run."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qunce.cli import main
from qunce.output_folder import MANIFEST

pytest.importorskip("ibis")
fastexcel = pytest.importorskip("fastexcel")

HERE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "commission"
ARGS = ["simulate", str(HERE / "playbook.yaml"), "--events", str(HERE / "events.csv"), "--roster",
        str(HERE / "roster.yaml"), "--from", "2027-01-01", "--to", "2027-02-28", "--xlsx"]
FEN = Decimal("0.01")


def _run(out: Path, *extra: str) -> str:
    result = CliRunner().invoke(main, [*ARGS, "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("workbook")
    printed = {lang: _run(base / lang, "--lang", lang) for lang in ("zh", "en")}
    _run(base / "again", "--lang", "zh")
    (base / "printed.json").write_text(json.dumps(printed, ensure_ascii=False), encoding="utf-8")
    return {"zh": base / "zh", "en": base / "en", "again": base / "again", "base": base}


def sheets(path: Path) -> dict[str, list[dict[str, Any]]]:
    reader = fastexcel.read_excel(str(path))
    return {name: reader.load_sheet(name).to_arrow().to_pylist() for name in reader.sheet_names}


def parquet(folder: Path, name: str) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return list(pq.read_table(folder / f"{name}.parquet").to_pylist())


def fen(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(FEN)


def test_sheets_and_headers_in_the_runs_language(runs: dict[str, Path]) -> None:
    zh, en = sheets(runs["zh"] / "payouts.xlsx"), sheets(runs["en"] / "payouts.xlsx")
    assert list(zh) == ["提成发放", "人员汇总", "结算明细"]
    assert list(en) == ["Payouts", "Per staff", "Statement lines"]
    assert list(zh["提成发放"][0]) == ["结算周期", "开始日期", "结束日期", "员工 ID", "员工", "角色", "群数", "指标提成", "达标奖励",
                                    "门槛扣减", "个人封顶扣减", "退款追回", "应发合计", "数据天数", "周期天数"]
    assert list(en["Payouts"][0]) == ["period", "from", "to", "staff id", "staff", "roles", "groups", "KPI commission",
                                      "bonuses", "gate reduction", "personal cap reduction", "refund clawback", "total", "days with data",
                                      "days in period"]
    assert list(zh["人员汇总"][0]) == ["员工 ID", "员工", "结算期数", "指标提成", "达标奖励", "门槛扣减", "个人封顶扣减", "退款追回",
                                    "应发合计"]
    assert list(zh["结算明细"][0])[:6] == ["结算周期", "员工 ID", "员工", "行号", "类型", "项目"]
    assert "分成比例" in zh["结算明细"][0] and "提成系数" in zh["结算明细"][0]
    # the kinds of lines in words; the items and ids as the tables hold them
    assert {row["类型"] for row in zh["结算明细"]} == {"指标提成", "达标奖励", "门槛扣减", "个人封顶扣减", "退款追回"}
    assert {row["kind"] for row in en["Statement lines"]} == {"KPI commission", "bonus", "gate reduction",
                                                          "personal cap reduction", "refund clawback"}


def test_money_is_the_payouts_to_the_fen_as_numbers(runs: dict[str, Path]) -> None:
    book = sheets(runs["en"] / "payouts.xlsx")
    expected = parquet(runs["en"], "payouts")
    got = book["Payouts"]
    assert [(r["period"], r["staff id"]) for r in got] == [(r["period"], r["staff_id"]) for r in expected]
    columns = {"KPI commission": "kpi", "bonuses": "bonus", "gate reduction": "gate", "personal cap reduction": "cap",
               "refund clawback": "clawback", "total": "total"}
    for row, want in zip(got, expected, strict=True):
        for header, name in columns.items():
            assert isinstance(row[header], float), header  # a number, not text
            assert fen(row[header]) == want[name], (row["staff id"], header)
        assert (row["groups"], row["days with data"], row["days in period"]) == (
            want["groups"], want["window_days"], want["period_days"])
    s1 = got[0]
    assert (s1["period"], s1["staff id"], s1["staff"], s1["total"], s1["personal cap reduction"]) == ("2027-01", "s1", "王芳", 900.0,
                                                                                             -108.0)
    # dates are date cells: January's first and last day of the window
    assert (s1["from"], s1["to"]) == (dt.datetime(2027, 1, 1), dt.datetime(2027, 1, 31))
    # per staff: the periods' sums (s1: 900 + 476)
    totals: dict[str, Decimal] = {}
    for r in expected:
        totals[r["staff_id"]] = totals.get(r["staff_id"], Decimal(0)) + r["total"]
    assert {r["staff id"]: fen(r["total"]) for r in book["Per staff"]} == totals
    assert {r["staff id"]: r["periods"] for r in book["Per staff"]} == {"s1": 2, "s2": 1, "s3": 2, "s4": 2}


def test_statement_lines_are_the_statements_table(runs: dict[str, Path]) -> None:
    got = sheets(runs["en"] / "payouts.xlsx")["Statement lines"]
    expected = sorted(parquet(runs["en"], "statements"), key=lambda r: (r["period"], r["staff_id"], r["line"]))
    assert len(got) == len(expected) == 37
    for row, want in zip(got, expected, strict=True):
        assert (row["period"], row["staff id"], row["line"], row["item"]) == (
            want["period"], want["staff_id"], want["line"], want["item"])
        assert fen(row["amount"]) == want["amount"]
        assert abs(Decimal(repr(row["exact amount"])) - want["exact"]) < Decimal("1e-9")
        if want["share"] is not None:  # a ratio as a number (formatted as a percentage)
            assert abs(Decimal(repr(row["share"])) - want["share"]) < Decimal("1e-12")
    s2 = [(r["item"], r["amount"]) for r in got if (r["period"], r["staff id"]) == ("2027-01", "s2")]
    assert s2 == [("growth", 67.74), ("sales", 0.0), ("churn", 63.23), ("gate", -130.97)]


def _xml(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def _format_of(path: Path, sheet: int, cell: str) -> str:
    """The number format of a cell (its style's numFmt), from the workbook's XML."""
    styles = _xml(path, "xl/styles.xml")
    codes = dict(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"/>', styles))
    cell_xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
    assert cell_xfs is not None
    ids = re.findall(r'<xf numFmtId="(\d+)"', cell_xfs.group(1))
    found = re.search(rf'<c r="{cell}" s="(\d+)"', _xml(path, f"xl/worksheets/sheet{sheet}.xml"))
    assert found is not None, cell
    return codes[ids[int(found.group(1))]].replace("&amp;", "&")


def test_number_formats_frozen_header_autofilter_and_widths(runs: dict[str, Path]) -> None:
    path = runs["zh"] / "payouts.xlsx"
    assert _format_of(path, 1, "B2") == "yyyy-mm-dd"  # 开始日期
    assert _format_of(path, 1, "H2") == "¥#,##0.00"  # 指标提成
    assert _format_of(path, 1, "M2") == "¥#,##0.00"  # 应发合计
    assert _format_of(path, 3, "M2") == "0.00%"  # 达成率
    assert _format_of(path, 3, "N2") == "0.00##"  # 提成系数
    assert _format_of(path, 3, "Q2") == "0.00%"  # 分成比例
    assert _format_of(path, 3, "T2") == "¥#,##0.00"  # 金额
    for sheet, last in ((1, "O8"), (2, "I5"), (3, "U38")):
        xml = _xml(path, f"xl/worksheets/sheet{sheet}.xml")
        assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' in xml
        assert f'<autoFilter ref="A1:{last}"/>' in xml
        assert "<f>" not in xml  # no formula anywhere
    widths = [float(w) for w in re.findall(r'width="([\d.]+)"', _xml(path, "xl/worksheets/sheet1.xml"))]
    assert len(widths) >= 2 and all(5 <= w <= 61 for w in widths)
    # 个人封顶扣减: six CJK characters count 12 (+ the filter's button)
    assert re.search(r'<col min="11" max="11" width="15\.7', _xml(path, "xl/worksheets/sheet1.xml"))


def test_same_inputs_same_bytes_and_a_fixed_creation_time(runs: dict[str, Path]) -> None:
    assert (runs["zh"] / "payouts.xlsx").read_bytes() == (runs["again"] / "payouts.xlsx").read_bytes()
    core = _xml(runs["zh"] / "payouts.xlsx", "docProps/core.xml")
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2027-02-28T00:00:00Z</dcterms:created>' in core  # --to


def test_listed_in_the_manifest_the_summary_and_what_is_printed(runs: dict[str, Path]) -> None:
    manifest = json.loads((runs["zh"] / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert "payouts.xlsx" in manifest
    summary = json.loads((runs["zh"] / "summary.json").read_text(encoding="utf-8"))
    assert summary["workbook"] == {"file": "payouts.xlsx", "sheets": {"提成发放": 7, "人员汇总": 4, "结算明细": 37}}
    printed = json.loads((runs["base"] / "printed.json").read_text(encoding="utf-8"))
    assert re.search(r"│ payouts\.xlsx +│ +│", printed["en"])
    assert re.search(r"│   Statement lines +│ +37 │", printed["en"])
    assert re.search(r"│   结算明细 +│ +37 │", printed["zh"])


def test_a_table_longer_than_a_sheet_goes_on_in_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qunce.commission import workbook

    monkeypatch.setattr(workbook, "MAX_ROWS", 10)  # a header and 9 rows a sheet
    _run(tmp_path / "out", "--lang", "en")
    book = sheets(tmp_path / "out" / "payouts.xlsx")
    assert list(book) == ["Payouts", "Per staff", "Statement lines", *[f"Statement lines ({n})" for n in range(2, 6)]]
    lines = [row for name, rows in book.items() if name.startswith("Statement lines") for row in rows]
    assert [len(rows) for name, rows in book.items() if name.startswith("Statement lines")] == [9, 9, 9, 9, 1]
    expected = sorted(parquet(tmp_path / "out", "statements"), key=lambda r: (r["period"], r["staff_id"], r["line"]))
    assert [fen(r["amount"]) for r in lines] == [r["amount"] for r in expected]
    xml = _xml(tmp_path / "out" / "payouts.xlsx", "xl/worksheets/sheet7.xml")
    assert 'state="frozen"' in xml and '<autoFilter ref="A1:U2"/>' in xml


def test_a_playbook_without_a_commission_is_a_usage_error(tmp_path: Path) -> None:
    example = HERE.parent / "simulate"
    args = ["simulate", str(example / "playbook.yaml"), "--events", str(example / "events.csv"), "--roster",
            str(example / "roster.yaml"), "--out", str(tmp_path / "out"), "--xlsx"]
    en = CliRunner().invoke(main, [*args, "--lang", "en"])
    assert en.exit_code == 2
    assert "--xlsx writes the commission's payouts, and" in en.output and "has no commission: section" in en.output
    zh = CliRunner().invoke(main, [*args, "--lang", "zh"])
    assert zh.exit_code == 2 and "没有 commission: 部分；请添加提成方案，或去掉 --xlsx" in zh.output
    assert not (tmp_path / "out").exists()  # refused before anything was read or written


def test_the_readme_shows_what_is_printed(runs: dict[str, Path]) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    command = "$ qunce simulate docs/examples/commission/playbook.yaml --events docs/examples/commission/events.csv \\\n"
    start = readme.index(command + "    --roster docs/examples/commission/roster.yaml --from 2027-01-01 --to 2027-02-28 "
                                   "--out out/ --lang en --xlsx\n")
    shown = readme[readme.index("…\n", start) + 2:readme.index("```", start)].splitlines()
    printed = json.loads((runs["base"] / "printed.json").read_text(encoding="utf-8"))["en"].splitlines()
    at = printed.index(shown[0])
    assert printed[at:at + len(shown)] == shown
