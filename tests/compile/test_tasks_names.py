"""`qunce tasks` with staff ids a path cannot hold as they are and names that start formulas (the
golden case `life` renamed): --split writes one file per person, and tasks.csv and capacity.csv
cells do not run in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qunce.cli import main

pytest.importorskip("ibis")

LIFE = Path(__file__).resolve().parents[1] / "golden" / "tasks" / "life"
# s1 and s2 once both became a_b.md ("5 files", 4 written); a_b and A_B differ in case only.
STAFF = {"s1": "a/b", "s2": "a_b", "h1": "=h1", "h2": "A_B", "k1": "-1"}
NAMES = {"王芳": "=王芳", "李雷": "+李雷", "赵一": "@赵一"}
GROUP = ("福利2群", "-福利2群")


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tasks-names")
    shutil.copy(LIFE / "playbook.yaml", folder / "playbook.yaml")
    roster = (LIFE / "roster.yaml").read_text(encoding="utf-8")
    roster = re.sub(r"\b(s1|s2|h1|h2|k1)\b", lambda m: json.dumps(STAFF[m.group(1)]), roster)
    for old, new in [*NAMES.items(), GROUP]:
        roster = roster.replace(f"name: {old}", f"name: {json.dumps(new, ensure_ascii=False)}")
    (folder / "roster.yaml").write_text(roster, encoding="utf-8")
    return folder


def _tasks(case: Path, *extra: str) -> Any:
    result = CliRunner().invoke(main, ["tasks", str(case / "playbook.yaml"), "--roster", str(case / "roster.yaml"),
                                       "--from", "2027-03-01", "--to", "2027-03-09", "--lang", "en", *extra])
    assert result.exit_code == 0, result.output
    return result


def test_split_writes_one_file_per_person(case: Path, tmp_path: Path) -> None:
    result = _tasks(case, "--format", "csv", "--split", "--out", str(tmp_path / "split"))
    assert "(5 files)" in result.output
    files = sorted(p.name for p in (tmp_path / "split").iterdir() if not p.name.startswith("."))
    assert files == ["-1.csv", "A_B~6c1908f9.csv", "_h1~86f45c24.csv", "a_b~648fa9b3.csv", "a_b~c14cddc0.csv"]
    owners = {}
    for name in files:
        with (tmp_path / "split" / name).open(encoding="utf-8-sig", newline="") as handle:
            owners[name] = {row["staff_id"] for row in csv.DictReader(handle)}
    # Each file holds its own person's tasks only (ids as the CSV writes them).
    assert owners == {"-1.csv": {"'-1"}, "A_B~6c1908f9.csv": {"A_B"}, "_h1~86f45c24.csv": {"'=h1"},
                      "a_b~648fa9b3.csv": {"a_b"}, "a_b~c14cddc0.csv": {"a/b"}}


def test_tasks_csv_neutralises_text_and_keeps_numbers(case: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(_tasks(case, "--format", "csv").stdout_bytes.decode("utf-8-sig"))))
    assert {(r["staff_id"], r["staff_name"]) for r in rows} == {
        ("a/b", "'=王芳"), ("a_b", "'+李雷"), ("'=h1", "'@赵一"), ("A_B", "钱二"), ("'-1", "孙老师")}
    assert "'-福利2群" in {r["group_name"] for r in rows}
    assert all(r["minutes"].isdigit() for r in rows)
    for row in rows:
        assert not [v for v in row.values() if v[:1] in ("=", "+", "-", "@", "\t", "\r")], row


def test_capacity_csv_neutralises_staff_ids(case: Path, tmp_path: Path) -> None:
    _tasks(case, "--format", "json", "--out", str(tmp_path / "tasks.json"), "--capacity", str(tmp_path / "capacity.csv"))
    with (tmp_path / "capacity.csv").open(encoding="utf-8-sig", newline="") as handle:
        capacity = list(csv.DictReader(handle))
    assert {r["staff_id"] for r in capacity} == {"a/b", "a_b", "'=h1", "A_B", "'-1"}
    # JSON is not a spreadsheet's: it keeps the exact values.
    document = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    assert {t["staff_id"] for t in document["tasks"]} == set(STAFF.values())
