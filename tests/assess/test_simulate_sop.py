"""SOP 考核 through `qunce simulate` on a hand-made team: two days of one group, a daily topic,
welcomes within 10 minutes inside working hours, a KOL's logged live session, a helper's post that
does not count, and the files, summary and terminal that show it."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ibis")

from click.testing import CliRunner

from qunce.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "sop"
# The example's playbook without its commission, and the commission (docs/examples/sop/playbook.yaml).
PLAYBOOK, _, _rest = (EXAMPLE / "playbook.yaml").read_text("utf-8").partition("commission:")
COMMISSION = "commission:" + _rest
ROSTER = (EXAMPLE / "roster.yaml").read_text("utf-8")
EVENTS = (EXAMPLE / "events.csv").read_text("utf-8")


@pytest.fixture
def run(tmp_path: Path) -> tuple[Path, str]:
    for name, text in (("playbook.yaml", PLAYBOOK), ("roster.yaml", ROSTER), ("events.csv", EVENTS)):
        (tmp_path / name).write_text(text, "utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["simulate", str(tmp_path / "playbook.yaml"), "--events", str(tmp_path / "events.csv"),
                                       "--roster", str(tmp_path / "roster.yaml"), "--out", str(out), "--to", "2027-03-02"])
    assert result.exit_code == 0, result.output
    return out, result.output


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as file:
        return list(csv.DictReader(file))


def test_each_task_gets_its_status(run: tuple[Path, str]) -> None:
    out, _ = run
    got = {(r["date"], r["item"], r["member_id"]): r for r in _rows(out / "sop_tasks.csv")}
    assert {k: v["status"] for k, v in got.items()} == {
        ("2027-03-01", "welcome", "m1"): "on_time",  # one welcome at 10:09 answers both joins
        ("2027-03-01", "welcome", "m2"): "on_time",
        ("2027-03-01", "topic", ""): "on_time",  # 19:45, within 30 minutes of 19:30
        ("2027-03-01", "live", ""): "on_time",  # logged 20:50, within the item's own hour
        ("2027-03-02", "welcome", "m3"): "on_time",  # joined 01:40 off duty: due 09:10, done 09:05
        ("2027-03-02", "topic", ""): "late",  # the helper's 19:40 does not count; the owner's 21:00 does
        ("2027-03-02", "live", ""): "missed",  # not logged, and the team logs this item
    }
    assert got[("2027-03-02", "topic", "")]["late_minutes"] == "60"
    assert got[("2027-03-02", "welcome", "m3")]["window_end"] == "2027-03-02 09:10:00"
    assert got[("2027-03-01", "welcome", "m1")]["done_at"] == "2027-03-01 10:09:00"


def test_compliance_per_person_and_the_summary(run: tuple[Path, str]) -> None:
    out, output = run
    month = {r["staff_id"]: r for r in _rows(out / "sop_compliance.csv") if r["grain"] == "month"}
    assert (month["s1"]["due"], month["s1"]["on_time"], month["s1"]["late"], month["s1"]["missed"]) == ("5", "4", "1", "0")
    assert month["s1"]["on_time_rate"] == "0.8" and month["s1"]["median_late_minutes"] == "60.0"
    assert (month["k1"]["on_time"], month["k1"]["missed"]) == ("1", "1")
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    owner = next(r for r in summary["sop"]["by_role"] if r["role"] == "owner")
    assert owner == {"role": "owner", "due": 5, "on_time": 4, "late": 1, "missed": 0, "not_observable": 0, "not_due": 0,
                     "on_time_rate": 0.8}
    assert "SOP 考核" in output and "准时率" in output and "80.0%" in output


def test_a_logged_item_the_team_never_logs_is_not_observable(tmp_path: Path) -> None:
    for name, text in (("playbook.yaml", PLAYBOOK), ("roster.yaml", ROSTER),
                       ("events.csv", "".join(line + "\n" for line in EVENTS.splitlines() if "sop_done" not in line))):
        (tmp_path / name).write_text(text, "utf-8")
    result = CliRunner().invoke(main, ["simulate", str(tmp_path / "playbook.yaml"), "--events", str(tmp_path / "events.csv"),
                                       "--roster", str(tmp_path / "roster.yaml"), "--out", str(tmp_path / "out"),
                                       "--to", "2027-03-02"])
    assert result.exit_code == 0, result.output
    live = [r["status"] for r in _rows(tmp_path / "out" / "sop_tasks.csv") if r["item"] == "live"]
    assert live == ["not_observable", "not_observable"]


@pytest.fixture
def paid(tmp_path: Path) -> Path:
    for name, text in (("playbook.yaml", PLAYBOOK + COMMISSION), ("roster.yaml", ROSTER), ("events.csv", EVENTS),
                       ("tolerant.yaml", (PLAYBOOK + COMMISSION).replace("tolerance: 30m", "tolerance: 2h"))):
        (tmp_path / name).write_text(text, "utf-8")
    return tmp_path


def test_a_gate_on_the_on_time_rate_closes_for_who_missed(paid: Path) -> None:
    result = CliRunner().invoke(main, ["simulate", str(paid / "playbook.yaml"), "--events", str(paid / "events.csv"),
                                       "--roster", str(paid / "roster.yaml"), "--out", str(paid / "out"), "--to", "2027-03-02"])
    assert result.exit_code == 0, result.output
    payouts = {r["staff_id"]: r for r in _rows(paid / "out" / "payouts.csv")}
    # s1: 4 of 5 on time (0.8 < 0.9): the gate closes; KPI 0.8 × 0.5 + 3/3 × 0.5 = 0.9 of ¥1,000
    assert (payouts["s1"]["kpi"], payouts["s1"]["gate"], payouts["s1"]["total"]) == ("900.00", "-900.00", "0.00")
    assert (payouts["k1"]["kpi"], payouts["k1"]["total"]) == ("750.00", "0.00")  # 1 of 2 lives logged
    assert payouts["h1"]["total"] == "1000.00"  # no task to assess: a rate of 1
    gate = next(r for r in _rows(paid / "out" / "statements.csv") if r["staff_id"] == "s1" and r["kind"] == "gate")
    assert "sop_on_time_rate=0.8" in str(gate.values())


def test_diff_shows_what_a_wider_tolerance_pays(paid: Path) -> None:
    result = CliRunner().invoke(main, ["diff", str(paid / "playbook.yaml"), str(paid / "tolerant.yaml"), "--events",
                                       str(paid / "events.csv"), "--roster", str(paid / "roster.yaml"), "--to", "2027-03-02",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    changes = {row["staff_id"]: row for row in found["payouts"]["by_staff"]}
    # the 21:00 topic is within 2 hours of 19:30: s1 is 5 of 5 on time, the gate opens
    assert (changes["s1"]["before"], changes["s1"]["after"]) == ("0.00", "1000.00")
    assert found["payouts"]["total"]["change"] == "1000.00"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_explain_staff_says_which_tasks_were_missed_and_when(paid: Path, lang: str) -> None:
    data = ["--events", str(paid / "events.csv"), "--roster", str(paid / "roster.yaml"), "--to", "2027-03-02", "--lang", lang]
    owner = CliRunner().invoke(main, ["explain", str(paid / "playbook.yaml"), "--staff", "s1", *data])
    kol = CliRunner().invoke(main, ["explain", str(paid / "playbook.yaml"), "--staff", "k1", *data])
    assert owner.exit_code == 0 and kol.exit_code == 0, owner.output + kol.output
    if lang == "zh":
        assert "2027-03 群主：应做 5，按时 4，迟做 1（中位 60 分钟），漏做 0，不可考核 0，未到期 0；准时率 80.0%" in owner.output
        assert "2027-03-02 19:30 每日话题（花漾1群）：迟做 60 分钟" in owner.output
        assert "2027-03-02 20:00 直播：漏做" in kol.output  # a per-person task: no group
    else:
        assert "2027-03 owner: 5 due, 4 on time, 1 late (median 60 min), 0 missed" in owner.output
        assert "2027-03-02 19:30 topic (花漾1群): late by 60 min" in owner.output
        assert "2027-03-02 20:00 live: missed" in kol.output


def test_explain_staff_without_a_commission_gives_the_sop_alone(tmp_path: Path) -> None:
    for name, text in (("playbook.yaml", PLAYBOOK), ("roster.yaml", ROSTER), ("events.csv", EVENTS)):
        (tmp_path / name).write_text(text, "utf-8")
    result = CliRunner().invoke(main, ["explain", str(tmp_path / "playbook.yaml"), "--staff", "s1", "--events",
                                       str(tmp_path / "events.csv"), "--roster", str(tmp_path / "roster.yaml"),
                                       "--to", "2027-03-02"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("SOP 考核 · 王芳（s1）") or "\nSOP 考核 · 王芳（s1）" in result.output


def _simulate(tmp_path: Path, playbook: str, roster: str, events: str, *extra: str) -> Path:
    for name, text in (("playbook.yaml", playbook), ("roster.yaml", roster), ("events.csv", events)):
        (tmp_path / name).write_text(text, "utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["simulate", str(tmp_path / "playbook.yaml"), "--events", str(tmp_path / "events.csv"),
                                       "--roster", str(tmp_path / "roster.yaml"), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out


def test_no_task_on_a_holiday_the_item_skips_nor_after_the_group_ended(tmp_path: Path) -> None:
    playbook = PLAYBOOK.replace("calendar:\n", "calendar:\n  holidays: [2027-03-02]\n").replace(
        "every: daily 19:30, task: 发话题}", "every: daily 19:30, skip_holidays: true, task: 发话题}")
    roster = """\
staff:
  - {id: s1, name: 王芳}
groups:
  - {id: g1, name: 花漾1群, type: traffic, created_at: 2027-01-01}
  - {id: g2, name: 花漾2群, type: traffic, created_at: 2027-01-01, ended_at: 2027-03-01}
assignments:
  - {staff_id: s1, role: owner, group_id: g1, from: 2027-01-01}
  - {staff_id: s1, role: owner, group_id: g2, from: 2027-01-01}
"""
    events = "".join(line + "\n" for line in EVENTS.splitlines() if ",h1," not in line and ",k1," not in line)
    out = _simulate(tmp_path, playbook, roster, events, "--to", "2027-03-02")
    topics = sorted((r["date"], r["group_id"]) for r in _rows(out / "sop_tasks.csv") if r["item"] == "topic")
    # g1 on 03-01 only (03-02 is a holiday the topic skips); g2 ended on 03-01: its last day
    assert topics == [("2027-03-01", "g1"), ("2027-03-01", "g2")]


def test_a_dst_time_zone_counts_local_clock_times(tmp_path: Path) -> None:
    # America/New_York moves its clocks on 2027-03-14: the 19:30 topic is 19:30 on both sides.
    playbook = PLAYBOOK.replace("timezone: Asia/Shanghai", "timezone: America/New_York").replace(
        '  working_hours: "09:00-22:00"\n', "")
    events = ("ts,type,group_id,member_id,staff_id,sop\n"
              "2027-03-13 19:59:00,message,g1,s1,s1,\n2027-03-14 19:01:00,message,g1,s1,s1,\n"
              "2027-03-15 20:01:00,message,g1,s1,s1,\n2027-03-16 12:00:00,message,g1,m1,,\n")
    out = _simulate(tmp_path, playbook, ROSTER, events, "--from", "2027-03-13", "--to", "2027-03-15")
    topics = {r["date"]: (r["status"], r["late_minutes"]) for r in _rows(out / "sop_tasks.csv") if r["item"] == "topic"}
    assert topics == {"2027-03-13": ("on_time", ""), "2027-03-14": ("on_time", ""), "2027-03-15": ("late", "1")}


CHURN = PLAYBOOK + """membership:
  evaluate: monthly
  levels:
    - {id: member, name: 会员}
churn:
  - {id: silent, name: 沉默, when: days_since_last_message >= 14, action: 私聊关怀, within: 1d}
"""
SILENT = ("ts,type,group_id,member_id,staff_id,sop\n"
          "2027-03-01 10:00:00,join,g1,m1,,\n2027-03-01 10:00:00,join,g1,m2,,\n2027-03-01 10:00:00,join,g1,m3,,\n"
          "2027-03-02 10:00:00,message,g1,m1,,\n2027-03-02 10:00:00,message,g1,m2,,\n"
          "2027-03-02 10:00:00,message,g1,m3,,\n")


def test_a_churn_warning_acted_on_its_due_day(tmp_path: Path) -> None:
    events = SILENT + (
        "2027-03-31 12:00:00,reach,g1,m3,s1,\n"  # the warning's own day: before it was raised at its end
        "2027-04-01 23:59:00,reach,g1,m1,s1,\n"  # the due day (the warning's day + 1 day): in time
        "2027-04-02 00:00:01,reach,g1,m2,s1,\n")  # a second too late
    out = _simulate(tmp_path, CHURN, ROSTER, events, "--to", "2027-03-31")
    warned = {r["member_id"]: r for r in _rows(out / "sop_warnings.csv")}
    assert warned["m1"]["due"] == "2027-04-01" and warned["m1"]["acted_at"] == "2027-04-01 23:59:00"
    assert [warned[m]["status"] for m in ("m1", "m2", "m3")] == ["acted", "not_acted", "not_acted"]
    assert warned["m2"]["acted_at"] == warned["m3"]["acted_at"] == ""
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["sop"]["warnings"] == {"owned": 3, "acted": 1, "not_due": 0}


def test_a_warning_whose_due_day_the_data_does_not_reach_is_not_due(tmp_path: Path) -> None:
    out = _simulate(tmp_path, CHURN, ROSTER, SILENT + "2027-04-01 09:00:00,reach,g1,m1,s1,\n", "--to", "2027-03-31")
    warned = {r["member_id"]: r["status"] for r in _rows(out / "sop_warnings.csv")}
    assert warned == {"m1": "acted", "m2": "not_due", "m3": "not_due"}
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["sop"]["warnings"] == {"owned": 3, "acted": 1, "not_due": 2}


def test_a_warning_two_people_own_is_listed_for_each_and_either_acts(tmp_path: Path) -> None:
    # a handover on the warning's day: both hold the owner role in g1 that day
    roster = ROSTER.replace("  - {staff_id: s1, role: owner, group_id: g1, from: 2027-01-01}",
                            "  - {staff_id: s1, role: owner, group_id: g1, from: 2027-01-01, to: 2027-03-31}\n"
                            "  - {staff_id: h1, role: owner, group_id: g1, from: 2027-03-31}")
    assert roster != ROSTER
    out = _simulate(tmp_path, CHURN, roster, SILENT + "2027-04-01 09:00:00,reach,g1,m1,h1,\n"
                    "2027-04-03 09:00:00,message,g1,m1,,\n", "--to", "2027-03-31")
    warned = sorted((r["member_id"], r["owner"], r["status"], r["acted_at"]) for r in _rows(out / "sop_warnings.csv"))
    assert warned == [("m1", "h1", "acted", "2027-04-01 09:00:00"), ("m1", "s1", "acted", "2027-04-01 09:00:00"),
                      ("m2", "h1", "not_acted", ""), ("m2", "s1", "not_acted", ""),
                      ("m3", "h1", "not_acted", ""), ("m3", "s1", "not_acted", "")]


def test_the_readme_shows_what_the_example_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = EXAMPLE.parents[2]
    readme = (root / "README.md").read_text("utf-8")
    monkeypatch.chdir(root)
    data = ["--events", "docs/examples/sop/events.csv", "--roster", "docs/examples/sop/roster.yaml", "--to", "2027-03-02"]
    simulated = CliRunner().invoke(main, ["simulate", "docs/examples/sop/playbook.yaml", *data, "--out", str(tmp_path / "o")])
    start = readme.index("SOP 考核（明细见 sop_tasks、sop_compliance）\n")
    table = readme[start:readme.index("…\n```", start)]
    assert table in simulated.output
    explained = CliRunner().invoke(main, ["explain", "docs/examples/sop/playbook.yaml", "--staff", "s1", *data])
    start = readme.index("SOP 考核 · 王芳（s1）\n")
    assert explained.output.endswith(readme[start:readme.index("```", start)])


def test_a_reply_without_within_has_the_tolerance(tmp_path: Path) -> None:
    playbook = PLAYBOOK.replace("on: join, within: 10m, message: 欢迎}", "on: join, message: 欢迎}")
    out = _simulate(tmp_path, playbook, ROSTER, EVENTS, "--to", "2027-03-01")
    welcomes = {r["member_id"]: (r["status"], r["window_end"]) for r in _rows(out / "sop_tasks.csv") if r["item"] == "welcome"}
    # joined 10:00 and 10:02, welcomed 10:09: within 30 minutes of each
    assert welcomes == {"m1": ("on_time", "2027-03-01 10:30:00"), "m2": ("on_time", "2027-03-01 10:32:00")}


def test_a_rerun_keeps_the_assessment_until_the_sop_changes(paid: Path, _private_cache: Path) -> None:
    from qunce.commands.data import DataRequest
    from qunce.commands.simulate import SimulateRequest, run

    def simulate(playbook: str, out: str, cache: bool = True) -> Any:
        data = DataRequest(paid / "events.csv", paid / "roster.yaml", end=dt.date(2027, 3, 2), cache=cache)
        outcome = run(SimulateRequest(paid / playbook, data, paid / out))
        assert outcome.status == 0
        return outcome

    (paid / "weights.yaml").write_text((PLAYBOOK + COMMISSION).replace("target: 1, weight: 0.5}", "target: 1, weight: 0.6}")
                                       .replace("target: 3, weight: 0.5}", "target: 3, weight: 0.4}"), "utf-8")
    assert simulate("playbook.yaml", "first").reused == []
    again = simulate("weights.yaml", "again")  # a commission weight: every stage kept
    assert sorted(again.reused) == ["groups", "members", "sop"]
    fresh = simulate("weights.yaml", "fresh", cache=False)
    assert fresh.reused == []
    for name in ("sop_tasks.csv", "sop_compliance.csv", "payouts.csv", "statements.csv"):
        assert (paid / "again" / name).read_bytes() == (paid / "fresh" / name).read_bytes(), name
    assert "sop" not in simulate("tolerant.yaml", "tolerant").reused  # the SOP's tolerance changed


def test_promotions_and_churn_warnings_become_tasks(tmp_path: Path) -> None:
    playbook = PLAYBOOK.replace("sop:\n", """membership:
  evaluate: monthly
  levels:
    - {id: member, name: 会员}
    - {id: active, name: 活跃会员, promote_when: messages_total >= 1}
churn:
  - {id: silent, name: 沉默, when: days_since_last_message >= 14, action: 私聊关怀, within: 1d}
sop:
  - {id: congrats, name: 晋升祝贺, role: owner, on: level_up, within: 1d}
  - {id: care, name: 沉默关怀, role: owner, on: churn_warning, warning: silent}
""")
    events = ("ts,type,group_id,member_id,staff_id,sop\n"
              "2027-03-01 10:00:00,join,g1,m1,,\n2027-03-01 10:00:00,join,g1,m2,,\n"
              "2027-03-02 10:00:00,message,g1,m1,,\n2027-03-02 10:00:00,message,g1,m2,,\n"
              "2027-04-01 09:00:00,reach,g1,m1,s1,\n"   # congratulated the next morning: on time
              "2027-04-01 00:20:00,reach,g1,m2,s1,\n"   # care within the 30-minute tolerance of the close
              "2027-04-01 08:00:00,reach,g1,m3,h1,\n")  # someone else, another member
    out = _simulate(tmp_path, playbook, ROSTER, events, "--to", "2027-03-31")
    got = {(r["item"], r["member_id"]): r for r in _rows(out / "sop_tasks.csv") if r["item"] in ("congrats", "care")}
    assert {k: (v["status"], v["staff_id"], v["window_start"], v["window_end"]) for k, v in got.items()} == {
        ("congrats", "m1"): ("on_time", "s1", "2027-04-01 00:00:00", "2027-04-02 00:00:00"),
        # the 00:20 reach of m2 answers both of m2's tasks (one reach, every task whose window holds it)
        ("congrats", "m2"): ("on_time", "s1", "2027-04-01 00:00:00", "2027-04-02 00:00:00"),
        ("care", "m1"): ("late", "s1", "2027-04-01 00:00:00", "2027-04-01 00:30:00"),  # reached at 09:00
        ("care", "m2"): ("on_time", "s1", "2027-04-01 00:00:00", "2027-04-01 00:30:00"),
    }
    assert got[("care", "m1")]["late_minutes"] == "510"
