"""The commission example of docs/examples/commission with staff ids a path cannot hold as they are
(a/b beside a_b, A_B differing from a_b in case only, @s4) and names that start formulas: one
statement file per person, and CSV cells a spreadsheet will not run."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main

pytest.importorskip("ibis")

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "commission"
STAFF = {"s1": ("a/b", "=王芳"), "s2": ("a_b", "+李雷"), "s3": ("A_B", "韩梅"), "s4": ("@s4", "-张伟")}
G1_NAME = '=HYPERLINK("http://x","福利1群")'


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("statement-names")
    shutil.copy(EXAMPLE / "playbook.yaml", base / "playbook.yaml")
    shutil.copy(EXAMPLE / "events.csv", base / "events.csv")
    roster = (EXAMPLE / "roster.yaml").read_text(encoding="utf-8")
    # JSON strings are YAML double-quoted scalars: any id or name, written exactly.
    roster = re.sub(r"\b(s[1-4])\b", lambda m: json.dumps(STAFF[m.group(1)][0]), roster)
    for old, new in [("王芳", "=王芳"), ("李雷", "+李雷"), ("张伟", "-张伟")]:
        roster = roster.replace(f"name: {old}", f"name: {json.dumps(new, ensure_ascii=False)}")
    roster = roster.replace("name: 福利1群", f"name: {json.dumps(G1_NAME, ensure_ascii=False)}")
    (base / "roster.yaml").write_text(roster, encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", str(base / "playbook.yaml"), "--events", str(base / "events.csv"),
                                       "--roster", str(base / "roster.yaml"), "--from", "2027-01-01", "--to",
                                       "2027-02-28", "--out", str(base / "out"), "--lang", "en", "--xlsx"])
    assert result.exit_code == 0, result.output
    return base / "out"


def test_one_statement_file_per_person(out: Path) -> None:
    files = {p.name: p.read_text(encoding="utf-8") for p in (out / "statements").iterdir()}
    # a/b and a_b once became one file a_b.md; a_b and A_B are one file on macOS and Windows.
    assert sorted(files) == ["A_B~6c1908f9.md", "_s4~68987072.md", "a_b~648fa9b3.md", "a_b~c14cddc0.md"]
    # Each file is its own person's (the amounts of the worked example, s1 … s4).
    assert "## 2027-02 · Due ¥476.00" in files["a_b~c14cddc0.md"]  # a/b (s1)
    assert "## 2027-01 · Due ¥0.00" in files["a_b~648fa9b3.md"]  # a_b (s2), January only
    assert "## 2027-02" not in files["a_b~648fa9b3.md"]
    assert "## 2027-02 · Due ¥900.00" in files["A_B~6c1908f9.md"]  # A_B (s3)
    assert "## 2027-02 · Due ¥594.00" in files["_s4~68987072.md"]  # @s4 (s4)


def test_payouts_csv_neutralises_ids_and_names_and_keeps_amounts(out: Path) -> None:
    payouts = {(r["period"], r["staff_id"]): r for r in _rows(out / "payouts.csv")}
    assert sorted(payouts) == [("2027-01", "'@s4"), ("2027-01", "A_B"), ("2027-01", "a/b"), ("2027-01", "a_b"),
                               ("2027-02", "'@s4"), ("2027-02", "A_B"), ("2027-02", "a/b")]
    assert {key[1]: row["staff_name"] for key, row in payouts.items()} == {
        "a/b": "'=王芳", "a_b": "'+李雷", "A_B": "韩梅", "'@s4": "'-张伟"}
    assert payouts["2027-01", "a/b"]["cap"] == "-108.00"  # a number: as it is
    assert payouts["2027-02", "'@s4"]["clawback"] == "-18.00"
    assert payouts["2027-02", "'@s4"]["total"] == "594.00"


def test_statements_csv_neutralises_a_formula_group_name(out: Path) -> None:
    lines = _rows(out / "statements.csv")
    names = {r["group_name"] for r in lines if r["group_id"] == "g1"}
    assert names == {"'" + G1_NAME}
    text = (out / "statements.csv").read_text(encoding="utf-8-sig")
    assert ',"\'=HYPERLINK(""http://x"",""福利1群"")",' in text  # CSV quoting as before, after the apostrophe
    for row in csv.reader(text.splitlines()):
        assert not [c for c in row if c[:1] in ("=", "+", "@", "\t", "\r") or re.match(r"-\D", c)], row


def test_parquet_keeps_the_exact_ids_and_names(out: Path) -> None:
    import pyarrow.parquet as pq

    payouts = pq.read_table(out / "payouts.parquet").to_pylist()
    assert {(r["staff_id"], r["staff_name"]) for r in payouts} == {value for value in STAFF.values()}
    groups = {r["group_name"] for r in pq.read_table(out / "statements.parquet").to_pylist() if r["group_id"] == "g1"}
    assert groups == {G1_NAME}


def test_the_workbook_keeps_the_exact_ids_and_names_as_text_cells(out: Path) -> None:
    import zipfile

    fastexcel = pytest.importorskip("fastexcel")
    reader = fastexcel.read_excel(str(out / "payouts.xlsx"))
    payouts = reader.load_sheet("Payouts").to_arrow().to_pylist()
    assert {(r["staff id"], r["staff"]) for r in payouts} == set(STAFF.values())  # no apostrophe: a string cell
    lines = reader.load_sheet("Statement lines").to_arrow().to_pylist()
    assert {r["group"] for r in lines if r["group id"] == "g1"} == {G1_NAME}
    with zipfile.ZipFile(out / "payouts.xlsx") as book:
        sheets = [book.read(name).decode("utf-8") for name in book.namelist() if name.startswith("xl/worksheets/")]
    assert len(sheets) == 3 and not any("<f>" in xml for xml in sheets)  # never a formula
