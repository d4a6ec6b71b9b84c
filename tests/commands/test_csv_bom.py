"""Every CSV qunce writes as an output starts with a UTF-8 byte-order mark, so that Excel on Chinese
Windows reads it as UTF-8 (without the mark it reads GBK and shows the Chinese garbled), and
Python's csv with encoding="utf-8-sig" reads the header exactly. The event files qunce writes to
be read back (`events generate`, `events import wecom`) have none, and qunce reads them (and a
CSV with the mark) as before."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main

pytest.importorskip("ibis")

ROOT = Path(__file__).resolve().parents[2]
COMMISSION = ROOT / "docs" / "examples" / "commission"
TASKS = ROOT / "tests" / "golden" / "tasks" / "capacity"
BOM = codecs.BOM_UTF8


def _header(data: bytes) -> list[str]:
    assert data[:3] == BOM, data[:20]
    return next(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _invoke(*args: str) -> bytes:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_every_csv_output_kind_starts_with_the_bom(tmp_path: Path) -> None:
    from qunce.commission.tables import PAYOUT_TYPES, STATEMENT_TYPES, UNIT_TYPES
    from qunce.compile.task_formats import CSV_COLUMNS

    # simulate: the simulator's and the commission's tables, and rejected.csv (a bad row skipped)
    events = tmp_path / "events.csv"
    events.write_text((COMMISSION / "events.csv").read_text(encoding="utf-8") + "2027-01-20 10:00:00,nonsense,g1,m1\n",
                      encoding="utf-8")
    out = tmp_path / "out"
    _invoke("simulate", str(COMMISSION / "playbook.yaml"), "--events", str(events), "--roster",
            str(COMMISSION / "roster.yaml"), "--from", "2027-01-01", "--to", "2027-02-28", "--out", str(out),
            "--skip-bad-rows", "--lang", "en")
    import pyarrow.parquet as pq

    files = sorted(out.glob("*.csv"))
    assert {"group_daily.csv", "payouts.csv", "statements.csv", "commission_units.csv", "rejected.csv"} <= {
        p.name for p in files}
    for path in files:  # each header exactly the Parquet file's column names
        assert _header(path.read_bytes()) == pq.read_schema(path.with_suffix(".parquet")).names, path.name
    assert _header((out / "payouts.csv").read_bytes()) == list(PAYOUT_TYPES)
    assert _header((out / "statements.csv").read_bytes()) == list(STATEMENT_TYPES)
    assert _header((out / "commission_units.csv").read_bytes()) == list(UNIT_TYPES)
    with (out / "payouts.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.DictReader(handle))["period"] == "2027-01"

    # tasks: to a file, to standard output, one file per person, and the capacity report
    common = ["tasks", str(TASKS / "playbook.yaml"), "--roster", str(TASKS / "roster.yaml"), "--from", "2027-01-01",
              "--to", "2027-01-02", "--lang", "en"]
    _invoke(*common, "--format", "csv", "--out", str(tmp_path / "tasks.csv"), "--capacity", str(tmp_path / "capacity.csv"))
    assert _header((tmp_path / "tasks.csv").read_bytes()) == list(CSV_COLUMNS)
    assert _invoke(*common, "--format", "csv") == (tmp_path / "tasks.csv").read_bytes()
    assert _header((tmp_path / "capacity.csv").read_bytes())[:2] == ["date", "staff_id"]
    _invoke(*common, "--format", "csv", "--split", "--out", str(tmp_path / "split"))
    split = sorted((tmp_path / "split").glob("*.csv"))
    assert split and all(_header(p.read_bytes()) == list(CSV_COLUMNS) for p in split)


@pytest.mark.parametrize("background", [True, False], ids=["duckdb-copy", "ibis-to-csv"])
def test_a_table_with_no_rows_and_formula_cells_gets_the_bom(tmp_path: Path, background: bool) -> None:
    from qunce.compute.duckdb import connect
    from qunce.simulate.outputs import write_outputs, write_table

    con = connect("Asia/Shanghai")
    empty = con.sql("SELECT 'x' AS member_id, 1 AS n WHERE false")
    formulas = con.sql("SELECT * FROM (VALUES ('=1+1', -2), ('a,b', 3)) t(member_id, n)")
    if background:  # the background writer's COPY of the spreadsheet-safe projection
        write_outputs(con, [("empty", empty, ["n"]), ("formulas", formulas, ["n"])], tmp_path)
    else:  # write_table in the calling thread: Ibis's to_csv
        write_table(con, empty, tmp_path, "empty", ["n"])
        write_table(con, formulas, tmp_path, "formulas", ["n"])
    assert (tmp_path / "empty.csv").read_bytes() == BOM + b"member_id,n\n"
    assert (tmp_path / "formulas.csv").read_bytes() == BOM + b"member_id,n\n'=1+1,-2\n\"a,b\",3\n"
    assert _header((tmp_path / "formulas.csv").read_bytes()) == ["member_id", "n"]
    import pyarrow.parquet as pq

    assert pq.read_schema(tmp_path / "formulas.parquet").names == ["member_id", "n"]  # Parquet: the names as they are


def test_event_files_qunce_writes_for_itself_have_no_bom_and_are_read(tmp_path: Path) -> None:
    playbook = ROOT / "playbooks" / "brand-complete.yaml"
    _invoke("events", "generate", str(playbook), "--out", str(tmp_path / "generated.csv"), "--groups", "3",
            "--members", "60", "--days", "3", "--seed", "1")
    _invoke("events", "import", "wecom", str(ROOT / "docs" / "examples" / "wecom"), "--out", str(tmp_path / "wecom.csv"),
            "--roster", str(tmp_path / "wecom.roster.yaml"), "--playbook", str(playbook), "--default-type", "welfare")
    for name, roster in (("generated", "generated.roster.yaml"), ("wecom", "wecom.roster.yaml")):
        events = tmp_path / f"{name}.csv"
        assert events.read_bytes()[:3] != BOM, name
        _invoke("simulate", str(playbook), "--events", str(events), "--roster", str(tmp_path / roster), "--out",
                str(tmp_path / f"out-{name}"), "--formats", "parquet")
        # the same events with the mark (saved again from Excel as "CSV UTF-8") read the same
        marked = tmp_path / f"{name}-bom.csv"
        marked.write_bytes(BOM + events.read_bytes())
        _invoke("simulate", str(playbook), "--events", str(marked), "--roster", str(tmp_path / roster), "--out",
                str(tmp_path / f"out-{name}-bom"), "--formats", "parquet")
        for table in ("group_daily", "member_levels"):
            first, second = (tmp_path / f"out-{name}{tag}" / f"{table}.parquet" for tag in ("", "-bom"))
            assert first.read_bytes() == second.read_bytes(), (name, table)
