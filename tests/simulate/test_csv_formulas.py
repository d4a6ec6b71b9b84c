"""The simulator's CSV files are safe to open in a spreadsheet: the example of docs/examples/simulate
with member, staff and group ids that start with = + - @ writes them with a leading apostrophe;
numbers stay numbers, and the Parquet files keep the exact values."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main

pytest.importorskip("ibis")

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "simulate"
MEMBERS = {"m1": "=1+1", "m2": "+m2", "m3": "-3", "m4": "@m4"}
STAFF = {"s1": "=s1", "s2": "-2"}
GROUPS = {"g1": "-g1", "g2": "@g2"}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _renamed_example(folder: Path) -> tuple[Path, Path, Path]:
    """The example's playbook, with its roster and events under the ids above."""
    folder.mkdir()
    playbook = folder / "playbook.yaml"
    shutil.copy(EXAMPLE / "playbook.yaml", playbook)
    ids = {**STAFF, **GROUPS}
    roster = (EXAMPLE / "roster.yaml").read_text(encoding="utf-8")
    roster = re.sub(r"\b(s1|s2|g1|g2)\b", lambda m: '"' + ids[m.group(1)] + '"', roster)
    (folder / "roster.yaml").write_text(roster, encoding="utf-8")
    with (EXAMPLE / "events.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["member_id"] = MEMBERS[row["member_id"]]
        row["group_id"] = GROUPS[row["group_id"]]
        row["staff_id"] = STAFF.get(row["staff_id"], row["staff_id"])
    with (folder / "events.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return playbook, folder / "events.csv", folder / "roster.yaml"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("formulas")
    playbook, events, roster = _renamed_example(base / "input")
    result = CliRunner().invoke(main, ["simulate", str(playbook), "--events", str(events), "--roster", str(roster),
                                       "--out", str(base / "out"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    return base / "out"


def test_no_csv_cell_starts_a_formula(out: Path) -> None:
    files = sorted(out.glob("*.csv"))
    assert len(files) == 15
    for path in files:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                bad = [cell for cell in row if cell.startswith(TRIGGERS) and not re.fullmatch(r"-\d+(\.\d+)?", cell)]
                assert not bad, (path.name, row)


def test_ids_are_written_with_an_apostrophe_and_numbers_as_they_are(out: Path) -> None:
    ledger = _csv(out / "points_ledger.csv")
    assert [(r["member_id"], r["kind"], r["points"]) for r in ledger if r["member_id"] == "'=1+1"] == [
        ("'=1+1", "earn", "2"), ("'=1+1", "earn", "60"), ("'=1+1", "refund", "-30"), ("'=1+1", "earn", "1")]
    assert {r["member_id"] for r in _csv(out / "segments.csv")} == {"'=1+1", "'+m2", "'-3", "'@m4"}
    penalties = _csv(out / "penalties.csv")
    assert {(r["group_id"], r["member_id"]) for r in penalties} == {("'-g1", "'+m2")}
    admissions = _csv(out / "admissions.csv")
    assert [(r["group_id"], r["member_id"], r["admitted"]) for r in admissions][:3] == [
        ("'-g1", "'=1+1", "true"), ("'-g1", "'+m2", "true"), ("'@g2", "'-3", "false")]
    warnings = _csv(out / "churn_warnings.csv")
    assert {r["owner"] for r in warnings} == {"'=s1"}
    staff = _csv(out / "staff_period.csv")
    assert {r["staff_id"] for r in staff} == {"'=s1", "'-2"}
    feb = next(r for r in staff if r["staff_id"] == "'=s1" and r["period"] == "2027-02" and r["grain"] == "month")
    assert feb["sales"] == "-30.0"  # a number: never prefixed


def test_the_text_shows_the_apostrophe_and_quoting_stays_csv(out: Path) -> None:
    text = (out / "points_ledger.csv").read_text(encoding="utf-8-sig")
    assert "\n'=1+1,2027-02-03,refund,order,-30,o1,,3,32,32\n" in text


def test_parquet_keeps_the_exact_values(out: Path) -> None:
    import pyarrow.parquet as pq

    assert set(pq.read_table(out / "segments.parquet").column("member_id").to_pylist()) == set(MEMBERS.values())
    assert set(pq.read_table(out / "staff_period.parquet").column("staff_id").to_pylist()) == set(STAFF.values())
    assert set(pq.read_table(out / "group_daily.parquet").column("group_id").to_pylist()) == set(GROUPS.values())


def test_rejected_rows_show_their_values_safely(tmp_path: Path) -> None:
    playbook, events, roster = _renamed_example(tmp_path / "input")
    with events.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([
            ["2027-01-20 10:00:00", "=cmd|' /C calc'!A0", "-g1", "=1+1", "", "", "", "", ""],
            ["2027-01-21 10:00:00", "order", "-g1", "+m2", "", "-5", "o9", "", ""],
        ])
    result = CliRunner().invoke(main, ["simulate", str(playbook), "--events", str(events), "--roster", str(roster),
                                       "--out", str(tmp_path / "out"), "--skip-bad-rows", "--lang", "en"])
    assert result.exit_code == 0, result.output
    rejected = _csv(tmp_path / "out" / "rejected.csv")
    assert [(r["row"], r["column"], r["value"]) for r in rejected] == [
        ("18", "type", "'=cmd|' /C calc'!A0"), ("19", "amount", "'-5")]
    import pyarrow.parquet as pq

    exact = pq.read_table(tmp_path / "out" / "rejected.parquet").column("value").to_pylist()
    assert exact == ["=cmd|' /C calc'!A0", "-5"]
