"""The Markdown statements and the commission's tables are built by a background thread while
the simulator's tables are written (engine/commission/statement_writer.CommissionWriter): the thread's
error is the run's own, the statements folder is readable and replaced whole, and nothing is
left behind when the run stops early."""

from __future__ import annotations

import gc
import json
import stat
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

from qunce.cli import main
from qunce.output_folder import MANIFEST
from tests.core.markdown_checks import assert_safe, renamed

pytest.importorskip("ibis")

HERE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "commission"
ARGS = ["simulate", str(HERE / "playbook.yaml"), "--events", str(HERE / "events.csv"), "--roster",
        str(HERE / "roster.yaml"), "--from", "2027-01-01", "--to", "2027-02-28"]


def _statements(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "statements").iterdir())}


def test_two_runs_write_the_same_readable_statements_and_tables(tmp_path: Path) -> None:
    runs = ("first", "second")
    for run in runs:
        result = CliRunner().invoke(main, [*ARGS, "--out", str(tmp_path / run)])
        assert result.exit_code == 0, result.output
    got = _statements(tmp_path / "first")
    assert list(got) == ["s1.md", "s2.md", "s3.md", "s4.md"]
    assert got == _statements(tmp_path / "second")
    assert "¥900.00" in got["s1.md"].decode()
    # the commission's tables are written first, but listed after the simulator's
    listed = list(json.loads((tmp_path / "first" / "summary.json").read_text(encoding="utf-8"))["outputs"])
    assert listed[0] == "group_daily" and listed[-3:] == ["statements", "payouts", "commission_units"]
    for name in ("statements", "payouts", "commission_units"):  # built by the thread, written last
        for fmt in ("csv", "parquet"):
            first, second = (tmp_path / run / f"{name}.{fmt}" for run in runs)
            assert first.read_bytes() == second.read_bytes(), first.name
    # the folder is an ordinary one (not the private staging folder), and no staging is left
    mode = stat.S_IMODE((tmp_path / "first" / "statements").stat().st_mode)
    assert mode & 0o055 == 0o055 & ~_umask(), oct(mode)
    assert not [p for p in (tmp_path / "first").iterdir() if p.name.startswith(".qunce") and p.name != MANIFEST]


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fake(*staff: str) -> SimpleNamespace:
    """A commission with statements for `staff` (render_statement is replaced in each test) and
    small tables whose values say which thread built them."""
    import pyarrow as pa

    from qunce.commission.statement_writer import TABLES

    def tables() -> dict[str, object]:
        return {name: pa.table({"name": [name], "thread": [threading.current_thread().name]}) for name in TABLES}

    return SimpleNamespace(book=SimpleNamespace(statements={("2027-01", s): SimpleNamespace(held=[]) for s in staff}),
                           tables=tables, view_cache={})


def test_the_threads_input_error_is_the_runs_and_the_old_statements_stay(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qunce.commission import statement_writer as report
    from qunce.errors import InputError

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


def test_an_unexpected_error_in_the_thread_is_raised_as_it_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qunce.commission import statement_writer as report

    def render(commission: object, staff_id: str, lang: str) -> str:
        raise ValueError("bad number")

    monkeypatch.setattr(report, "render_statement", render)
    with pytest.raises(ValueError, match=r"^bad number$"), report.CommissionWriter(_fake("s1"), tmp_path, "zh") as writer:
        writer.finish()
    assert list(tmp_path.iterdir()) == []


def test_a_run_that_stops_early_stops_the_thread_and_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qunce.commission import statement_writer as report

    rendered: list[str] = []
    started = threading.Event()

    def render(commission: object, staff_id: str, lang: str) -> str:
        started.set()
        time.sleep(0.05)
        rendered.append(staff_id)
        return ""

    monkeypatch.setattr(report, "render_statement", render)
    staff = [f"s{i:04d}" for i in range(2000)]  # 100 s of rendering, were it not stopped
    interval, began = sys.getswitchinterval(), time.monotonic()
    with pytest.raises(KeyboardInterrupt), report.CommissionWriter(_fake(*staff), tmp_path, "zh"):
        assert started.wait(10)
        raise KeyboardInterrupt  # the tables failed, or the user pressed Ctrl-C
    assert time.monotonic() - began < 10
    assert 0 < len(rendered) < len(staff)
    assert not [t for t in threading.enumerate() if t.name.startswith("qunce-commission")]
    assert list(tmp_path.iterdir()) == []
    assert sys.getswitchinterval() == interval  # restored (the thread runs with a shorter one)


def test_without_a_plan_the_statements_folder_goes(tmp_path: Path) -> None:
    from qunce.commission.statement_writer import CommissionWriter

    (tmp_path / "statements").mkdir()
    (tmp_path / "statements" / "s1.md").write_text("earlier run", encoding="utf-8")
    with CommissionWriter(None, tmp_path, "zh") as writer:
        writer.finish()
    assert list(tmp_path.iterdir()) == []


def test_statement_files_are_named_safely(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qunce.commission import statement_writer as report

    monkeypatch.setattr(report, "render_statement", lambda commission, staff_id, lang: f"# {staff_id} {lang}\n")
    with report.CommissionWriter(_fake("b", "a/../x"), tmp_path, "en") as writer:
        writer.finish()
    # A safe id is its own name; another gets its safe part and a hash of the id (file_names).
    assert {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "statements").iterdir()} == {
        "b.md": "# b en\n", "a_.._x~7df019ee.md": "# a/../x en\n"}


def test_the_tables_are_built_once_by_the_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qunce.commission import statement_writer as report

    monkeypatch.setattr(report, "render_statement", lambda commission, staff_id, lang: "")
    fake = _fake("s1")
    calls: list[int] = []
    build = fake.tables
    fake.tables = lambda: calls.append(1) or build()
    with report.CommissionWriter(fake, tmp_path, "zh") as writer:
        got = {name: writer.table(name).to_pylist() for name in report.TABLES}
        with pytest.raises(KeyError):  # each is handed over once, not kept
            writer.table("payouts")
        writer.finish()
    assert calls == [1]
    assert {name: rows[0]["name"] for name, rows in got.items()} == {name: name for name in report.TABLES}
    assert {rows[0]["thread"].startswith("qunce-commission") for rows in got.values()} == {True}


def test_profiled_prints_a_background_threads_own_cpu(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from qunce.simulate import context

    monkeypatch.setattr(context, "PROFILE", True)

    def work() -> None:
        with context.profiled("in the thread"):
            sum(range(10_000))

    with context.profiled("in the main thread"):
        pass
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert err[0].startswith("qunce profile: in the main thread ") and "own" not in err[0]
    assert err[1].startswith("qunce profile: in the thread ") and ", the thread's own " in err[1]


def test_rendering_every_statement_drops_each_units_words_after_its_last_holder(tmp_path: Path) -> None:
    """The words of a unit are dropped once its last holder's statement is written; the files
    are the same as statements rendered one by one with everything kept."""

    from qunce.commission.statement_view import HOLDERS
    from qunce.commission.statement_writer import _render_all, render_statement

    commission = _example_commission(tmp_path)
    folder = tmp_path / "md"
    folder.mkdir()
    _render_all(commission, folder, "zh", threading.Event())
    held = {id(result) for s in commission.book.statements.values() for _, _, result in s.held}
    assert held  # the example's staff hold groups
    assert not any(isinstance(key, tuple) and key[0] in held for key in commission.view_cache)
    assert (HOLDERS, "zh") not in commission.view_cache
    kept = type(commission)(commission.plan, commission.inputs, commission.book, commission.playbook_name,
                            commission.playbook_roles)  # a fresh cache, nothing dropped
    staff = sorted({s for _, s in commission.book.statements})
    assert [p.name for p in sorted(folder.iterdir())] == [f"{s}.md" for s in staff]
    for s in staff:
        assert (folder / f"{s}.md").read_text(encoding="utf-8") == render_statement(kept, s, "zh")


def test_a_group_name_holding_the_blocks_marker_is_shown_not_written(tmp_path: Path) -> None:
    """A unit's block is rendered once with a marker (NUL) in each holder's gap; a group name
    holding that byte (or any control character) is printed with it shown (␀), so the block is
    still shared and the statement holds no control byte."""
    import dataclasses

    from qunce.commission.statement_view import MARK
    from qunce.commission.statement_writer import render_statement

    commission = _example_commission(tmp_path)
    group = next(h.group_id for s in commission.book.statements.values() for h, _, _ in s.held if h is not None)

    def named(name: str) -> object:
        names = {**commission.inputs.group_names, group: name}
        inputs = dataclasses.replace(commission.inputs, group_names=names)
        return dataclasses.replace(commission, inputs=inputs, view_cache={})

    odd, plain = named(f"A{MARK}B\x1b[31m"), named("A_B")
    staff = sorted({s for (_, s), st in commission.book.statements.items()
                    if any(h is not None and h.group_id == group for h, _, _ in st.held)})
    assert staff
    for s in staff:
        text = render_statement(odd, s, "zh")
        assert MARK not in text and "\x1b" not in text
        assert text == render_statement(plain, s, "zh").replace("A_B", "A\u2400B\u241b\\[31m")


def _example_commission(tmp_path: Path, here: Path = HERE) -> Any:
    """The commission of docs/examples/commission (or a copy in `here`) over January and
    February 2027."""
    import datetime as dt

    from qunce.commands.data import DataCheck, DataRequest, load
    from qunce.commission.stage import commission_of
    from qunce.load import load_playbook

    playbook = load_playbook(here / "playbook.yaml").playbook
    assert playbook is not None
    ctx = load(playbook, DataRequest(here / "events.csv", here / "roster.yaml", dt.date(2027, 1, 1),
                                     dt.date(2027, 2, 28)), DataCheck())
    assert ctx is not None
    commission = commission_of(ctx)
    assert commission is not None
    return commission


# Each name of docs/examples/commission and the hostile name put in its place.
HOSTILE_NAMES = {"提成示例": "# x", "群主": "[a](javascript:alert(1))", "管理员": "<script>alert(1)</script>",
                 "拉新": "a\nb", "销售额": "\x1b[31m", "退群人数": "- item", "拉新之星": "> quote",
                 "销售超额时，下月把重心移到拉新。": "`code", "王芳": "1. one", "李雷": "a|b",
                 "韩梅": "![i](http://example.com/i.png)", "张伟": "<img src=x onerror=alert(1)>", "福利1群": "x\r\n## y",
                 "福利2群": "---"}


def _named_example(folder: Path, hostile: bool) -> Path:
    """docs/examples/commission copied to `folder` with its names (playbook, roles, KPIs, bonus,
    adjustment reason, staff, groups) replaced by hostile ones (HOSTILE_NAMES) or plain ones."""
    folder.mkdir()
    new = {old: name if hostile else f"n{i}" for i, (old, name) in enumerate(HOSTILE_NAMES.items())}
    for name in ("playbook.yaml", "roster.yaml", "events.csv"):
        text = (HERE / name).read_text(encoding="utf-8")
        (folder / name).write_text(renamed(text, new) if name.endswith(".yaml") else text, encoding="utf-8")
    return folder


def test_hostile_names_change_nothing_in_a_statement_but_their_own_text(tmp_path: Path) -> None:
    """Names from the playbook and the roster are escaped in the statements: none starts a
    heading, link, table cell or HTML, and no control character reaches the file."""
    from qunce.commission.statement_writer import render_statement

    hostile = _example_commission(tmp_path, _named_example(tmp_path / "hostile", True))
    plain = _example_commission(tmp_path, _named_example(tmp_path / "plain", False))
    assert hostile.inputs.staff_names["s1"] == "1. one" and hostile.inputs.group_names["g1"] == "x\r\n## y"
    for staff in ("s1", "s2", "s3", "s4"):
        for lang in ("zh", "en"):
            assert_safe(render_statement(hostile, staff, lang), render_statement(plain, staff, lang))
    text = render_statement(hostile, "s1", "en")
    assert text.startswith("# Commission statement · 1\\. one (s1)\n\nPlaybook: \\# x · ")
    assert "### Group x ## y (g1) · owner · your share" in text  # the group's line break as a space
    assert "| \\- item | " in text and "| \u241b\\[31m | " in text  # KPIs `- item` and ESC [31m in their cells
    zh = render_statement(hostile, "s1", "zh")
    assert "### 群 x ## y（g1） · \\[a\\](javascript:alert(1)) · 分成比例" in zh
    # the period's opening sentence names the role and the groups escaped too
    assert "2027 年 1 月，您在 1 个群任\\[a\\](javascript:alert(1))，指标提成" in zh


def test_the_thread_builds_the_prepared_commission_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the plan and its inputs (stage.Prepared), the thread builds the book, then the
    tables and statements: the same as from the commission built beforehand; an error of the
    build is raised as the run's own by everything that waits for it."""
    import dataclasses

    from qunce.commission.stage import Prepared
    from qunce.commission.statement_writer import CommissionWriter

    built = _example_commission(tmp_path)
    prepared = Prepared(built.plan, built.inputs, _recompute(), built.playbook_name, built.playbook_roles)
    outs = {}
    for name, source in (("prepared", prepared), ("built", dataclasses.replace(built, view_cache={}))):
        outs[name] = tmp_path / name
        with CommissionWriter(source, outs[name], "zh") as writer:
            assert writer.planned
            tables = {t: writer.table(t) for t in ("statements", "payouts", "commission_units")}
            assert gc.get_freeze_count() > 0  # the book is left out of the collector's walks
            writer.finish()
        assert gc.get_freeze_count() == 0
        assert writer.result().book.period_totals == built.book.period_totals
        outs[name] = (tables, _statements(outs[name]))
    assert outs["prepared"][1] and outs["prepared"][1] == outs["built"][1]
    assert all(outs["prepared"][0][t].equals(outs["built"][0][t]) for t in outs["built"][0])

    def fails(self: Prepared) -> None:
        raise ValueError("bad plan")

    monkeypatch.setattr(Prepared, "build", fails)
    with pytest.raises(ValueError, match=r"^bad plan$"), CommissionWriter(prepared, tmp_path / "failed", "zh") as writer:
        writer.table("payouts")
    with pytest.raises(ValueError, match=r"^bad plan$"), CommissionWriter(prepared, tmp_path / "failed", "zh") as writer:
        writer.finish()
    assert [p.name for p in (tmp_path / "failed").iterdir()] == []


def _recompute() -> Any:
    from qunce.commission.units import Recompute
    from qunce.load import load_playbook

    playbook = load_playbook(HERE / "playbook.yaml").playbook
    assert playbook is not None
    return Recompute(playbook)
