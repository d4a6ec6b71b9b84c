"""Nothing lost, nothing hangs: every command that reads a playbook (validate, docs md and html,
events generate, tasks with and without events, simulate, explain --member and --staff, diff
against itself) on every bundled playbook and every `qunce init` starter exits 0, with no
internal error, and gives real values.

A starter is a bundled playbook with its modeline pointing at the schema beside it (a comment):
test_every_starter_is_covered checks that, so the commands run once on each distinct playbook
(the whole file stays near a minute). A starter that comes to differ from its playbook is run
on its own, as `qunce init` writes it. Events are generated once per playbook, small."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from qunce.cli import main
from qunce.commands.init import STARTERS, starter_text
from qunce.validation import yaml_files

pytest.importorskip("ibis")

PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=.*\n", re.MULTILINE)
# The window of the task lists: inside the generated events (2027-01-04 … 2027-01-17).
WEEK = ("--from", "2027-01-06", "--to", "2027-01-12")


def _entries() -> list[Path]:
    """The playbooks people run: every YAML file under playbooks/ with a `playbook:` key that is
    not an abstract base (fragments have no `playbook:`)."""
    out = []
    for path in yaml_files(PLAYBOOKS):
        text = path.read_text(encoding="utf-8")
        if re.search(r"^playbook:", text, re.MULTILINE) and not re.search(r"^abstract: true", text, re.MULTILINE):
            out.append(path)
    return out


def _text(text: str) -> str:
    return MODELINE.sub("", text, count=1)


@dataclass
class Case:
    id: str
    path: Path | None  # a bundled playbook; None: the starter `kind`, written by `qunce init`
    kind: str | None = None
    starters: list[str] = field(default_factory=list)  # the starters that are this playbook


def _cases() -> list[Case]:
    cases = [Case(str(p.relative_to(PLAYBOOKS)), p) for p in _entries()]
    for kind in STARTERS:
        twin = next((c for c in cases if c.path is not None
                     and _text(c.path.read_text(encoding="utf-8")) == _text(starter_text(kind))), None)
        if twin is not None:
            twin.starters.append(kind)
        else:
            cases.append(Case(f"init-{kind}", None, kind))
    return cases


CASES = _cases()


def run(*args: Any) -> Result:
    """The command through the CLI; it must exit 0 without an internal error."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "internal error" not in result.output and "Traceback" not in result.output, result.output
    assert result.exit_code == 0, result.output
    return result


@dataclass
class Played:
    """A playbook and its generated data."""

    path: Path
    folder: Path
    events: Path
    roster: Path
    text: str

    @property
    def data(self) -> list[str]:
        return ["--events", str(self.events), "--roster", str(self.roster)]


@pytest.fixture(scope="module", params=CASES, ids=[c.id for c in CASES])
def played(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Played:
    case: Case = request.param
    folder = tmp_path_factory.mktemp(re.sub(r"[^a-z0-9]+", "-", case.id))
    path = case.path
    if path is None:
        path = folder / f"{case.kind}.yaml"
        run("init", path, "--type", case.kind)
    events = folder / "e.parquet"
    result = run("events", "generate", path, "--out", events, "--groups", "3", "--members", "40", "--days", "14",
                 "--lang", "en")
    assert "14 days" in result.output or "2027-01-04" in result.output, result.output
    return Played(path, folder, events, folder / "e.roster.yaml", path.read_text(encoding="utf-8"))


def _member(played: Played) -> str:
    import pyarrow.parquet as pq

    return next(m for m in pq.read_table(played.events, columns=["member_id"]).column(0).to_pylist() if m)


def _staff(played: Played) -> str:
    from qunce.events.roster import load_roster

    roster = load_roster(played.roster)
    assert roster.diagnostics == [] and roster.assignments
    return roster.assignments[0].staff_id


def test_every_starter_is_covered(tmp_path: Path) -> None:
    """`qunce init` writes each starter as starter_text says, it validates, and it is run here:
    as its bundled twin, or on its own."""
    covered = {kind for case in CASES for kind in (case.starters or ([case.kind] if case.kind else []))}
    assert covered == set(STARTERS)
    for kind in STARTERS:
        target = tmp_path / f"{kind}.yaml"
        run("init", target, "--type", kind)
        assert target.read_text(encoding="utf-8") == starter_text(kind)
        assert "No problems found" in run("validate", target, "--lang", "en").output


def test_validate(played: Played) -> None:
    assert run("validate", played.path, "--lang", "en").output.startswith("No problems found in ")


def test_events_were_generated(played: Played) -> None:
    import pyarrow.parquet as pq

    from qunce.events.roster import load_roster

    assert pq.read_metadata(played.events).num_rows > 100
    assert len(load_roster(played.roster).groups) == 3


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_docs(played: Played, fmt: str, tmp_path: Path) -> None:
    run("docs", played.path, "--out", tmp_path, "--format", fmt)
    handbook = (tmp_path / f"handbook.{fmt}").read_text(encoding="utf-8")
    title = re.search(r"^playbook:\s*(.+)$", played.text, re.MULTILINE)
    assert title is not None and title.group(1).strip() in handbook
    assert len(handbook) > 5000
    if fmt == "html":
        assert handbook.lstrip().lower().startswith("<!doctype html")


@pytest.mark.parametrize("with_events", [False, True], ids=["standing", "events"])
def test_tasks(played: Played, with_events: bool, tmp_path: Path) -> None:
    out = tmp_path / "tasks.csv"
    run("tasks", played.path, "--roster", played.roster, *WEEK, "--out", out,
        *(["--events", played.events] if with_events else []))
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    dated = {r["date"] for r in rows if r["date"]}  # standing instructions have no date
    assert dated and dated <= {f"2027-01-{d:02d}" for d in range(6, 13)}
    if with_events:  # the events' joins and orders become tasks of their own
        assert any(r["kind"] == "event" and r["member_id"] for r in rows)


def test_simulate(played: Played, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("simulate", played.path, *played.data, "--out", out, "--formats", "parquet", "--lang", "en")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["rows"]["accepted"] > 100 and summary["rows"]["rejected"] == 0
    assert summary["outputs"]["group_period"] > 0 and summary["outputs"]["group_daily"] >= 3


def test_explain_member(played: Played) -> None:
    member = _member(played)
    output = run("explain", played.path, *played.data, "--member", member, "--lang", "en").output
    assert f"Member {member}" in output


def test_explain_staff(played: Played) -> None:
    if not re.search(r"^commission:", played.text, re.MULTILINE):
        pytest.skip("no commission: to explain")
    staff = _staff(played)
    output = run("explain", played.path, *played.data, "--staff", staff, "--lang", "en").output
    assert f"({staff})" in output


def test_diff_against_itself(played: Played) -> None:
    output = run("diff", played.path, played.path, *played.data, "--format", "json").output
    report = json.loads(output)
    assert report["level_changes"]["count"] == 0
    if report["commission"]:
        total = report["payouts"]["total"]
        assert total["before"] == total["after"] and total["change"] == "0.00"
