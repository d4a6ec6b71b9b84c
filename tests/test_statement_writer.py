"""The Markdown statements are rendered by a forked child while the tables are written
(engine/commission/report.CommissionWriter): the same files as rendering in the process itself,
the child's error reported as the run's own, nothing left behind when the run stops early."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from cli import main

pytest.importorskip("ibis")

HERE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "commission"
ARGS = ["simulate", str(HERE / "playbook.yaml"), "--events", str(HERE / "events.csv"), "--roster",
        str(HERE / "roster.yaml"), "--from", "2027-01-01", "--to", "2027-02-28"]
LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="statements are forked on Linux only")


def _statements(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "statements").iterdir())}


@LINUX
def test_forked_and_in_process_statements_are_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forked = CliRunner().invoke(main, [*ARGS, "--out", str(tmp_path / "forked")])
    assert forked.exit_code == 0, forked.output
    monkeypatch.setenv("QUNCE_NO_FORK", "1")
    inline = CliRunner().invoke(main, [*ARGS, "--out", str(tmp_path / "inline")])
    assert inline.exit_code == 0, inline.output
    got = _statements(tmp_path / "forked")
    assert list(got) == ["s1.md", "s2.md", "s3.md", "s4.md"]
    assert got == _statements(tmp_path / "inline")
    for name in ("statements", "payouts", "commission_units"):  # the tables read back from the child
        for fmt in ("csv", "parquet"):
            forked_file, inline_file = (tmp_path / run / f"{name}.{fmt}" for run in ("forked", "inline"))
            assert forked_file.read_bytes() == inline_file.read_bytes(), forked_file.name
    assert "¥900.00" in got["s1.md"].decode()
    # no staging folder of either run is left in the output folder
    assert not [p for p in (tmp_path / "forked").iterdir() if p.name.startswith(".qunce")]


def _fake(*staff: str) -> SimpleNamespace:
    """A commission with statements for `staff` (render_statement is replaced in each test) and
    small tables whose values say which process built them."""
    import pyarrow as pa

    from engine.commission.report import TABLES

    def tables() -> dict[str, object]:
        return {name: pa.table({"name": [name], "pid": [os.getpid()]}) for name in TABLES}

    return SimpleNamespace(book=SimpleNamespace(statements={("2027-01", s): None for s in staff}), tables=tables)


def test_the_childs_input_error_is_the_runs_and_the_old_statements_stay(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.commission import report
    from engine.errors import InputError

    def render(commission: object, staff_id: str, lang: str) -> str:
        if staff_id == "s2":
            raise InputError("cannot write s2.md: No space left on device")
        return f"# {staff_id}\n"

    monkeypatch.setattr(report, "render_statement", render)
    (tmp_path / "statements").mkdir()
    (tmp_path / "statements" / "old.md").write_text("earlier run", encoding="utf-8")
    message = "^cannot write s2\\.md: No space left on device$"
    with pytest.raises(InputError, match=message), report.CommissionWriter(_fake("s1", "s2"), tmp_path, "zh") as writer:
        writer.finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["statements"]  # the staging folder is gone
    assert (tmp_path / "statements" / "old.md").read_text(encoding="utf-8") == "earlier run"


def test_an_unexpected_error_in_the_child_names_its_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.commission import report

    def render(commission: object, staff_id: str, lang: str) -> str:
        raise ValueError("bad number\nsecond line")

    monkeypatch.setattr(report, "render_statement", render)
    message = r"^writing the statements failed: ValueError: bad number$"
    with pytest.raises(RuntimeError, match=message), report.CommissionWriter(_fake("s1"), tmp_path, "zh") as writer:
        writer.finish()
    assert list(tmp_path.iterdir()) == []


@LINUX
def test_a_run_that_stops_early_stops_the_child_and_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.commission import report

    def render(commission: object, staff_id: str, lang: str) -> str:
        time.sleep(60)
        return ""

    monkeypatch.setattr(report, "render_statement", render)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), report.CommissionWriter(_fake("s1"), tmp_path, "zh") as writer:
        child = writer.child
        assert child is not None
        raise KeyboardInterrupt  # the tables failed, or the user pressed Ctrl-C
    assert time.monotonic() - started < 30
    with pytest.raises(ChildProcessError):  # killed and reaped: no zombie left
        os.waitpid(child, os.WNOHANG)
    assert list(tmp_path.iterdir()) == []


def test_without_a_plan_the_statements_folder_goes(tmp_path: Path) -> None:
    from engine.commission.report import CommissionWriter

    (tmp_path / "statements").mkdir()
    (tmp_path / "statements" / "s1.md").write_text("earlier run", encoding="utf-8")
    with CommissionWriter(None, tmp_path, "zh") as writer:
        writer.finish()
    assert list(tmp_path.iterdir()) == []


def test_in_process_rendering_writes_the_same_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.commission import report

    monkeypatch.setattr(report, "render_statement", lambda commission, staff_id, lang: f"# {staff_id} {lang}\n")
    monkeypatch.setenv("QUNCE_NO_FORK", "1")
    with report.CommissionWriter(_fake("b", "a/../x"), tmp_path, "en") as writer:
        assert writer.child is None
        writer.finish()
    assert {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "statements").iterdir()} == {
        "b.md": "# b en\n", "a_.._x.md": "# a/../x en\n"}


@LINUX
def test_the_tables_come_back_from_the_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.commission import report

    monkeypatch.setattr(report, "render_statement", lambda commission, staff_id, lang: "")
    with report.CommissionWriter(_fake("s1"), tmp_path, "zh") as writer:
        child = writer.child
        got = {name: writer.table(name).to_pylist() for name in report.TABLES}
        writer.finish()
    assert got == {name: [{"name": name, "pid": child}] for name in report.TABLES}


def test_without_a_child_the_tables_are_built_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.commission import report

    monkeypatch.setattr(report, "render_statement", lambda commission, staff_id, lang: "")
    monkeypatch.setenv("QUNCE_NO_FORK", "1")
    with report.CommissionWriter(_fake("s1"), tmp_path, "zh") as writer:
        assert writer.table("payouts").to_pylist() == [{"name": "payouts", "pid": os.getpid()}]
        writer.finish()
