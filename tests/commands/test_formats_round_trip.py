"""The same events as a UTF-8 CSV, a GBK CSV (Chinese headers and labels, as Excel on Chinese
Windows saves a team's export: ￥ is the yen sign GBK has), an .xlsx workbook (date cells) and Parquet give the same
simulation: the CSVs and the workbook, whose rows are counted alike (the header is row 1), the
very same bytes; Parquet the same apart from the row numbers pointing into the file (its first
row is row 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

pytest.importorskip("ibis")

from qunce.cli import main
from qunce.event_contract import EVENT_TYPES

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = ROOT / "playbooks" / "brand-complete.yaml"
CHINESE = {"ts": "时间", "type": "类型", "group_id": "群ID", "member_id": "客户ID", "staff_id": "员工ID",
           "amount": "金额", "order_id": "订单号", "channel": "渠道", "referrer_id": "推荐人", "activity": "活动",
           "removed": "被移出", "flag": "违规", "score": "评分", "count": "数量", "length": "字数", "sop": "SOP事项"}
# Files that name the input (summary.json: compared without it), and the run's own timings.
NAMED = {"summary.json", ".qunce-manifest.json", "timings.json"}


def run(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    import duckdb
    import pyarrow.csv as pacsv
    import xlsxwriter

    folder = tmp_path_factory.mktemp("formats")
    csv = folder / "events.csv"
    run("events", "generate", str(PLAYBOOK), "--out", str(csv), "--groups", "8", "--members", "400", "--days", "10")
    table = pacsv.read_csv(csv, convert_options=pacsv.ConvertOptions(strings_can_be_null=True,
                                                                       column_types={c: "string" for c in CHINESE}))
    parquet = folder / "events.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{csv}', all_varchar = true)) TO '{parquet}'")
    gbk = folder / "导出.csv"
    labels = {kind: zh.split("|")[0] for kind, (zh, _) in EVENT_TYPES.items()}
    lines = [",".join(CHINESE[c] for c in table.column_names)]
    for row in table.to_pylist():
        cells = [labels[v] if c == "type" else f"￥{float(v):,.2f}" if c == "amount" and v else (v or "")
                 for c, v in row.items()]
        lines.append(",".join(f'"{cell}"' if "," in cell else cell for cell in cells))
    gbk.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    workbook = folder / "events.xlsx"
    book = xlsxwriter.Workbook(str(workbook))
    sheet = book.add_worksheet("明细")
    when = book.add_format({"num_format": "yyyy/m/d h:mm:ss"})
    import datetime as dt

    sheet.write_row(0, 0, table.column_names)
    for i, row in enumerate(table.to_pylist(), start=1):
        for j, (column, value) in enumerate(row.items()):
            if value is None:
                continue
            if column == "ts":
                sheet.write_datetime(i, j, dt.datetime.fromisoformat(value), when)
            elif column in ("count", "length", "score", "amount"):
                sheet.write_number(i, j, float(value))
            else:
                sheet.write_string(i, j, value)
    book.close()
    roster = folder / "events.roster.yaml"
    return {"csv": csv, "gbk": gbk, "xlsx": workbook, "parquet": parquet, "roster": roster}


@pytest.fixture(scope="module")
def outputs(inputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for kind in ("csv", "gbk", "xlsx", "parquet"):
        folder = tmp_path_factory.mktemp(f"out-{kind}") / "out"
        result = run("simulate", str(PLAYBOOK), "--events", str(inputs[kind]), "--roster", str(inputs["roster"]),
                     "--out", str(folder), "--lang", "en")
        out[kind] = folder
        out[f"{kind}-printed"] = Path(next(line for line in result.output.splitlines() if line.startswith("Read ")))
    return out


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in NAMED}


@pytest.mark.parametrize("kind", ["gbk", "xlsx"])
def test_a_gbk_csv_and_a_workbook_give_the_utf8_csvs_bytes(outputs: dict[str, Path], kind: str) -> None:
    expected, actual = files(outputs["csv"]), files(outputs[kind])
    assert sorted(actual) == sorted(expected)
    assert [name for name in expected if actual[name] != expected[name]] == []
    assert _summary(outputs[kind]) == _summary(outputs["csv"])


def test_the_run_says_how_each_file_was_read(outputs: dict[str, Path]) -> None:
    printed = {kind: str(outputs[f"{kind}-printed"]) for kind in ("csv", "gbk", "xlsx", "parquet")}
    assert printed["csv"].endswith("events.csv: CSV, UTF-8, no mapping file")
    assert printed["gbk"].endswith("导出.csv: CSV, GBK (detected), no mapping file")
    assert printed["xlsx"].endswith("events.xlsx: XLSX, sheet 明细, no mapping file")
    assert printed["parquet"].endswith("events.parquet: Parquet, no mapping file")
    source = json.loads((outputs["gbk"] / "summary.json").read_text(encoding="utf-8"))["rows"]["source"]
    assert source["encoding"] == "GBK" and source["encoding_how"] == "detected"
    assert source["columns"]["group_id"] == "群ID"


def test_parquet_gives_the_same_tables_apart_from_the_row_numbers(outputs: dict[str, Path]) -> None:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    compared = 0
    for path in sorted(outputs["csv"].glob("*.parquet")):
        expected, actual = pq.read_table(path), pq.read_table(outputs["parquet"] / path.name)
        # a CSV's first row is row 2 (the header is row 1), Parquet's row 1; the SOP tables name the
        # rows that triggered a task and that show it done
        for column in ("row", "event_row", "done_row", "acted_row"):
            if column in expected.column_names:
                shifted = pc.add(actual[column], 1).cast(expected.schema.field(column).type)
                actual = actual.set_column(actual.column_names.index(column), column, shifted)
        assert actual.equals(expected), path.name
        compared += 1
    assert compared > 10


def _summary(folder: Path) -> dict[str, Any]:
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary.pop("inputs")
    summary["rows"].pop("source")
    return dict(summary)


def test_the_own_data_example_reads_as_the_simulate_example(tmp_path: Path) -> None:
    """docs/examples/own-data: the simulate example's events as an SCRM export (GBK, Chinese
    headers and labels, times as 2027/1/1 9:00, ￥ with separators, a note column) with its
    mapping file beside it: the same outputs, byte for byte."""
    example = ROOT / "docs" / "examples"
    out = {}
    for name, events in (("plain", example / "simulate" / "events.csv"), ("own", example / "own-data" / "订单明细.csv")):
        out[name] = tmp_path / name
        result = run("simulate", str(example / "simulate" / "playbook.yaml"), "--events", str(events), "--roster",
                     str(example / "simulate" / "roster.yaml"), "--out", str(out[name]), "--lang", "zh")
        if name == "own":
            assert "CSV，GBK（自动识别），映射文件 " in result.output and "订单明细.mapping.yaml" in result.output
    expected, actual = files(out["plain"]), files(out["own"])
    assert sorted(actual) == sorted(expected)
    assert [name for name in expected if actual[name] != expected[name]] == []


def test_skipped_bad_rows_of_a_workbook_are_written_with_their_sheet_and_row(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "导出.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("明细")
    for row, cells in enumerate([["时间", "类型", "群ID", "成员ID"], ["2027-01-01 09:00:00", "入群", "g1", "m1"],
                                 ["2027-01-01 09:05:00", "入群", "g9", "m2"], [], ["坏时间", "入群", "g1", "m3"],
                                 ["2027-01-02 10:00:00", "发言", "g1", "m1"]]):
        sheet.write_row(row, 0, cells)
    book.close()
    example = ROOT / "docs" / "examples" / "simulate"
    run("simulate", str(example / "playbook.yaml"), "--events", str(path), "--roster", str(example / "roster.yaml"),
        "--out", str(tmp_path / "out"), "--skip-bad-rows", "--lang", "en")
    import csv

    with (tmp_path / "out" / "rejected.csv").open(encoding="utf-8-sig", newline="") as handle:
        rejected = [(r["file"], r["row"], r["reason"], r["explanation"]) for r in csv.DictReader(handle)]
    assert rejected == [(f"{path}:明细", "3", "unknown_group", "group_id is not in the roster"),
                        (f"{path}:明细", "5", "bad_ts", "ts is not a timestamp (write 2027-01-04 20:00:00, or with an "
                                                       "offset +08:00)")]
    run("simulate", str(example / "playbook.yaml"), "--events", str(path), "--roster", str(example / "roster.yaml"),
        "--out", str(tmp_path / "zh"), "--skip-bad-rows", "--lang", "zh")
    with (tmp_path / "zh" / "rejected.csv").open(encoding="utf-8-sig", newline="") as handle:
        explained = [r["explanation"] for r in csv.DictReader(handle)]
    assert explained == ["group_id 不在花名册中", "ts 不是时间（请写 2027-01-04 20:00:00，或带时区 +08:00）"]
