"""`qunce events generate` end to end: files written, same seed same bytes, the roster and
events read back clean through the roster loader and the ingest checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = str(ROOT / "playbooks" / "brand-complete.yaml")


def generate(out: Path, *extra: str) -> tuple[int, str]:
    args = ["events", "generate", PLAYBOOK, "--out", str(out), "--groups", "8", "--members", "600", "--days", "10",
            *extra, *([] if "--lang" in extra else ["--lang", "en"])]  # the playbook's zh otherwise
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.output


def test_generate_writes_events_and_roster_that_read_back_clean(tmp_path: Path) -> None:
    pytest.importorskip("ibis")
    from qunce.compute.duckdb import connect
    from qunce.events.ingest import ingest
    from qunce.events.roster import load_roster
    from qunce.simulate.frames import groups_table

    out = tmp_path / "data" / "events.csv"
    code, output = generate(out, "--seed", "7")
    assert code == 0, output
    roster_path = tmp_path / "data" / "events.roster.yaml"
    assert output.splitlines()[0].startswith(f"wrote {out} (")
    assert f"wrote {roster_path} (8 groups" in output
    roster = load_roster(roster_path)
    assert roster.diagnostics == []
    result = ingest(connect("Asia/Shanghai"), out, groups_table(roster), "Asia/Shanghai")
    assert result.rejected == 0, result.by_reason
    assert result.rows_read == result.accepted > 0
    assert f"({result.rows_read:,} events" in output


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    for name, seed in (("a", "3"), ("b", "3"), ("c", "4")):
        assert generate(tmp_path / name / "events.jsonl", "--seed", seed)[0] == 0
    a, b, c = ((tmp_path / n / "events.jsonl").read_bytes() for n in "abc")
    assert a == b and a != c
    assert (tmp_path / "a" / "events.roster.yaml").read_bytes() == (tmp_path / "b" / "events.roster.yaml").read_bytes()


def test_a_playbook_with_errors_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["events", "generate", str(ROOT / "docs" / "examples" / "broken.yaml"),
                                       "--out", str(tmp_path / "e.csv")])
    assert result.exit_code == 1
    assert "Q202" in result.output
    assert not (tmp_path / "e.csv").exists()


def test_unknown_format_and_missing_playbook_are_usage_errors(tmp_path: Path) -> None:
    code, output = generate(tmp_path / "events.xlsx")
    assert code == 2 and "xlsx" in output
    result = CliRunner().invoke(main, ["events", "generate", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "e.csv")])
    assert result.exit_code == 2 and "no such playbook" in result.output
