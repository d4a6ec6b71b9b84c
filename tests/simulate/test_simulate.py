"""`qunce simulate` and `qunce explain` end to end on a small hand-computed dataset
(docs/examples/simulate): every output file, the values a reader checks first, bad rows,
determinism, windows, custom metrics, and the member timeline."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main
from qunce.output_folder import MANIFEST

pytest.importorskip("ibis")

HERE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "simulate"
PLAYBOOK = str(HERE / "playbook.yaml")
EVENTS = str(HERE / "events.csv")
ROSTER = str(HERE / "roster.yaml")
OUTPUTS = ("group_daily", "group_period", "staff_period", "retention", "group_states", "group_health", "admissions",
           "admission_rates", "refusal_reasons", "group_period_admitted", "penalties", "points_ledger", "member_levels", "segments",
           "churn_warnings")


def run(*args: str, playbook: str = PLAYBOOK, events: str = EVENTS, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["simulate", playbook, "--events", events, "--roster", ROSTER, *args,
                                       "--lang", "en"], input=stdin)
    return result.exit_code, result.output


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sim") / "out"
    code, output = run("--out", str(folder))
    assert code == 0, output
    return folder


def test_every_output_is_written_in_parquet_and_csv(out: Path) -> None:
    import pyarrow.parquet as pq

    for name in OUTPUTS:
        parquet = pq.read_table(out / f"{name}.parquet")
        assert parquet.num_rows == len(rows(out, name)), name
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["outputs"] == {name: len(rows(out, name)) for name in OUTPUTS}
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{name}.{fmt}" for name in OUTPUTS for fmt in ("csv", "parquet")] + [MANIFEST, "summary.json", "timings.json"])


def test_summary_reconciles_rows_and_states_the_conventions(out: Path) -> None:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    source = summary["rows"].pop("source")
    assert summary["rows"] == {"read": 16, "accepted": 16, "rejected": 0, "by_reason": []}
    assert source == {"format": "csv", "encoding": "UTF-8", "encoding_how": "utf-8", "ignored": [],
                      "columns": {c: c for c in ("ts", "type", "group_id", "member_id", "staff_id", "amount",
                                                 "order_id", "flag", "removed")}}
    assert summary["window"] == {"from": "2027-01-01", "to": "2027-02-20", "periods": ["2027-01", "2027-02"]}
    assert summary["conventions"]["members_basis"] == "average"
    assert summary["totals"] == {"new_members": 4, "leaves": 1, "messages": 9, "orders": 1, "order_amount": "60.00",
                                 "refund_amount": "30.00", "sales": "30.00", "cost": "0.00"}
    assert summary["levels"] == {"2027-01": {"member": 3, "silver": 1}, "2027-02": {"member": 4}}
    assert summary["churn_warnings"] == {"2027-01": {"silent": 3}, "2027-02": {"silent": 2}}
    assert summary["penalties"] == {"ads": {"mute": 1, "remove": 1, "warn": 1}}


def test_points_ledger_caps_the_day_and_refunds_take_back(out: Path) -> None:
    m1 = [(r["date"], r["kind"], r["rule"], r["points"], r["balance"]) for r in rows(out, "points_ledger")
          if r["member_id"] == "m1"]
    # three messages on 01-01 under a cap of 2; 60.00 yuan at 1 point per yuan; half refunded
    assert m1 == [("2027-01-01", "earn", "message", "2", "2"), ("2027-01-10", "earn", "order", "60", "62"),
                  ("2027-02-03", "refund", "order", "-30", "32"), ("2027-02-20", "earn", "message", "1", "33")]


def test_levels_with_reasons_and_the_refund_demotes_nobody_below_the_keep_bar(out: Path) -> None:
    got = [(r["member_id"], r["period"], r["level"], r["change"], r["reason"]) for r in rows(out, "member_levels")]
    assert got[:2] == [
        ("m1", "2027-01", "silver", "promote", "silver: 近90天积分 >= 50 — points_90d=62"),
        # 62 − 30 refunded + 1 = 33 in the last 90 days: below the keep bar of 40, but min_stay 0 …
        ("m1", "2027-02", "member", "demote", "silver: not (points_90d >= 40) — points_90d=33"),
    ]
    assert {r[0]: r[2] for r in got if r[1] == "2027-01"} == {"m1": "silver", "m2": "member", "m3": "member",
                                                               "m4": "member"}


def test_segments_first_match(out: Path) -> None:
    got = {(r["period"], r["member_id"]): r["segment"] for r in rows(out, "segments")}
    assert got[("2027-01", "m1")] == "buyer" and got[("2027-01", "m2")] == "other"


def test_churn_warnings_name_the_group_the_owner_and_the_values(out: Path) -> None:
    got = [(r["period"], r["member_id"], r["group_id"], r["values"], r["owner"], r["due"])
           for r in rows(out, "churn_warnings")]
    assert got == [
        ("2027-01", "m1", "g1", "days_since_last_message=30", "s1", "2027-02-01"),
        ("2027-01", "m3", "g2", "days_since_last_message=26", "s1", "2027-02-01"),
        ("2027-01", "m4", "g2", "days_since_last_message=25", "s1", "2027-02-01"),
        # m2 was removed on 01-13: no group, no warning; m1 spoke on 02-20
        ("2027-02", "m3", "g2", "days_since_last_message=46", "s1", "2027-02-21"),
        ("2027-02", "m4", "g2", "days_since_last_message=45", "s1", "2027-02-21"),
    ]


def test_penalties_escalate(out: Path) -> None:
    got = [(r["row"], r["offence"], r["penalty"], r["mute_until"]) for r in rows(out, "penalties")]
    assert got == [("12", "1", "warn", ""), ("13", "2", "mute", "2027-01-13 10:00:00"), ("14", "3", "remove", "")]


def test_group_health_gives_the_dissolve_day(out: Path) -> None:
    got = {(r["group_id"], r["period"]): (r["state"], r["state_since"], r["dissolve_on"], r["should_dissolve"])
           for r in rows(out, "group_health")}
    # g1: the 7-day mean interaction rate falls below 0.2 on 01-08 (01-02 … 01-08: 0.5 ÷ 7)
    assert got[("g1", "2027-01")] == ("dead", "2027-01-08", "2027-01-15", "true")
    assert got[("g2", "2027-01")] == ("dead", "2027-01-01", "2027-01-08", "true")


def test_entry_threshold_refuses_the_admins_invite(out: Path) -> None:
    got = {r["member_id"]: (r["admitted"], r["reason"]) for r in rows(out, "admissions")}
    assert got == {"m1": ("true", "open"), "m2": ("true", "open"), "m3": ("false", "inviter_not_allowed"),
                   "m4": ("true", "invited_by_role")}
    refusals = [(r["group_type"], r["reason"], r["refused"], r["share"]) for r in rows(out, "refusal_reasons")]
    assert refusals == [("vip", "inviter_not_allowed", "1", "0.5")]
    rates = {r["group_type"]: (r["joins"], r["admitted"], r["admission_rate"]) for r in rows(out, "admission_rates")}
    assert rates == {"traffic": ("2", "2", "1.0"), "vip": ("2", "1", "0.5")}
    admitted = {(r["grain"], r["group_id"], r["period"]): r["new_members"] for r in rows(out, "group_period_admitted")}
    everyone = {(r["grain"], r["group_id"], r["period"]): r["new_members"] for r in rows(out, "group_period")}
    assert (everyone[("month", "g2", "2027-01")], admitted[("month", "g2", "2027-01")]) == ("2", "1")


def test_group_daily_counts(out: Path) -> None:
    day = {(r["group_id"], r["date"]): r for r in rows(out, "group_daily")}
    first = day[("g1", "2027-01-01")]
    assert (first["members_start"], first["members_end"], first["joins"], first["messages"], first["speakers"]) == (
        "0", "2", "2", "3", "1")
    assert day[("g1", "2027-01-13")]["leaves"] == "1"
    assert day[("g1", "2027-01-13")]["members_end"] == "1"


def test_same_inputs_same_bytes(out: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    code, output = run("--out", str(again))
    assert code == 0, output
    for path in sorted(out.iterdir()):
        if path.name not in ("timings.json", MANIFEST):  # the manifest records when each file was written
            assert path.read_bytes() == (again / path.name).read_bytes(), path.name


def test_bad_rows_stop_the_run_and_say_where(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    lines = Path(EVENTS).read_text(encoding="utf-8").splitlines()
    lines += ["2027-13-01 10:00:00,message,g1,m1,,,,,", "2027-01-03 10:00:00,message,g9,m1,,,,,",
              "2027-01-04 10:00:00,order,g1,m1,,-5.00,o2,,"]
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    folder = tmp_path / "out"
    code, output = run("--out", str(folder), events=str(events))
    assert code == 1
    assert f"{events}:18: ts: ts is not a timestamp" in output
    assert f"{events}:19: group_id: group_id is not in the roster ('g9')" in output
    assert f"{events}:20: amount: amount is negative ('-5.00')" in output
    assert "3 of 19 rows have problems" in output
    assert not folder.exists()

    code, output = run("--out", str(folder), "--skip-bad-rows", events=str(events))
    assert code == 0, output
    rejected = rows(folder, "rejected")
    assert [(r["row"], r["column"], r["reason"]) for r in rejected] == [
        ("18", "ts", "bad_ts"), ("19", "group_id", "unknown_group"), ("20", "amount", "negative_amount")]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert (summary["rows"]["read"], summary["rows"]["accepted"], summary["rows"]["rejected"]) == (19, 16, 3)
    assert "3 bad rows were skipped" in output

    # a clean run into the same folder leaves nothing of the earlier one behind
    code, output = run("--out", str(folder))
    assert code == 0, output
    assert not (folder / "rejected.csv").exists() and not (folder / "rejected.parquet").exists()
    assert not list(folder.glob(".qunce-partial-*"))
    assert json.loads((folder / "summary.json").read_text(encoding="utf-8"))["rows"]["rejected"] == 0


def test_an_event_in_the_year_9999_is_a_bad_row_not_an_allocation(out: Path, tmp_path: Path) -> None:
    # Its window would run 8,000 years (an out-of-memory error after minutes): it is rejected by
    # row, and the run is the run without it, table for table.
    events = tmp_path / "events.csv"
    events.write_text(Path(EVENTS).read_text(encoding="utf-8") + "9999-12-31 10:00:00,message,g1,m1,,,,,\n",
                      encoding="utf-8")
    folder = tmp_path / "out"
    start = time.perf_counter()
    code, output = run("--out", str(folder), "--formats", "csv", "--skip-bad-rows", events=str(events))
    elapsed = time.perf_counter() - start
    assert code == 0, output
    assert [(r["row"], r["column"], r["reason"], r["value"]) for r in rows(folder, "rejected")] == [
        ("18", "ts", "far_from_roster", "9999-12-31 10:00:00")]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["window"]["to"] == "2027-02-20"
    assert {name: len(rows(folder, name)) for name in OUTPUTS} == {name: len(rows(out, name)) for name in OUTPUTS}
    assert elapsed < 60, f"{elapsed:.1f}s"  # a guard against the allocation, not a benchmark


def test_parquet_only_leaves_no_csv_behind_but_the_rejected_rows(out: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    events = tmp_path / "events.csv"
    events.write_text(Path(EVENTS).read_text(encoding="utf-8") + "2027-13-01 10:00:00,message,g1,m1,,,,,\n",
                      encoding="utf-8")
    folder = tmp_path / "out"
    code, output = run("--out", str(folder))  # a run in both formats first: its CSVs must go
    assert code == 0, output
    code, output = run("--out", str(folder), "--formats", "Parquet", "--skip-bad-rows", events=str(events))
    assert code == 0, output
    tables = {name: pq.read_table(folder / f"{name}.parquet") for name in OUTPUTS}
    assert {name: t.num_rows for name, t in tables.items()} == {name: len(rows(out, name)) for name in OUTPUTS}
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{name}.parquet" for name in OUTPUTS] + ["rejected.csv", "rejected.parquet", MANIFEST, "summary.json",
                                                   "timings.json"])
    assert "member_levels.parquet " in output and "member_levels.parquet / .csv" not in output
    assert [r["reason"] for r in rows(folder, "rejected")] == ["bad_ts"]

    code, output = run("--out", str(tmp_path / "csv"), "--formats", "csv")
    assert code == 0, output
    assert not list((tmp_path / "csv").glob("*.parquet"))
    assert (tmp_path / "csv" / "member_levels.csv").read_bytes() == (out / "member_levels.csv").read_bytes()


def test_an_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    code, output = run("--out", str(tmp_path / "x"), "--formats", "parquet,xlsx")
    assert code == 2
    assert "--formats 'parquet,xlsx': use parquet, csv or both" in output
    assert not (tmp_path / "x").exists()


def test_window_and_bad_window(tmp_path: Path) -> None:
    folder = tmp_path / "jan"
    code, output = run("--out", str(folder), "--from", "2027-01-01", "--to", "2027-01-31")
    assert code == 0, output
    assert {r["period"] for r in rows(folder, "member_levels")} == {"2027-01"}
    code, output = run("--out", str(tmp_path / "x"), "--from", "2027-02-01", "--to", "2027-01-01")
    assert code == 2 and "after --to" in output


def test_custom_metrics_feed_segments_and_lifecycle(tmp_path: Path) -> None:
    folder = tmp_path / "custom"
    code, output = run("--out", str(folder), playbook=str(HERE / "custom.yaml"))
    assert code == 0, output
    states = {r["date"]: r["state"] for r in rows(folder, "group_states") if r["group_id"] == "g1"}
    # big_orders (orders of 50 yuan or more, that day) keeps g1 alive on the day of m1's order
    assert (states["2027-01-09"], states["2027-01-10"], states["2027-01-11"]) == ("dead", "alive", "dead")
    month = {(r["grain"], r["group_id"], r["period"]): r for r in rows(folder, "group_period")}
    assert month[("month", "g1", "2027-01")]["big_orders"] == "1"
    assert month[("month", "g1", "2027-01")]["talk"] == "14.000000000000"  # 7 messages × 2
    # staff_role comes from the roster: s1 held owner of g1 when removing m2
    assert month[("month", "g1", "2027-01")]["owner_removals"] == "1"
    assert month[("month", "g1", "2027-02")]["owner_removals"] == "0"


def test_jsonl_on_standard_input(tmp_path: Path) -> None:
    lines = []
    with open(EVENTS, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lines.append(json.dumps({k: v for k, v in row.items() if v}))
    folder = tmp_path / "stdin"
    code, output = run("--out", str(folder), events="-", stdin="\n".join(lines) + "\n")
    assert code == 0, output
    assert json.loads((folder / "summary.json").read_text(encoding="utf-8"))["rows"]["accepted"] == 16


def test_csv_on_standard_input_gives_the_same_tables_as_the_file(tmp_path: Path) -> None:
    """`--events -` with CSV (what `cat events.csv |` gives): read as CSV, not as JSONL lines."""
    by_file, by_stdin = tmp_path / "file", tmp_path / "stdin"
    assert run("--out", str(by_file))[0] == 0
    code, output = run("--out", str(by_stdin), events="-", stdin=Path(EVENTS).read_text(encoding="utf-8"))
    assert code == 0, output
    for name in OUTPUTS:
        assert (by_stdin / f"{name}.csv").read_bytes() == (by_file / f"{name}.csv").read_bytes(), name
    summary = json.loads((by_stdin / "summary.json").read_text(encoding="utf-8"))
    assert summary["rows"]["accepted"] == 16 and summary["rows"]["rejected"] == 0
    assert summary["inputs"]["events"] == "-"


def test_bad_rows_on_standard_input_name_it_as_dash(tmp_path: Path) -> None:
    text = Path(EVENTS).read_text(encoding="utf-8").replace("2027-01-", "2027-13-", 1)
    code, output = run("--out", str(tmp_path / "o"), events="-", stdin=text)
    assert code == 1
    assert "-:2: ts:" in output


def test_standard_input_that_is_neither_jsonl_nor_csv_is_refused(tmp_path: Path) -> None:
    code, output = run("--out", str(tmp_path / "o"), events="-", stdin="just some words\nand more\n")
    assert code == 2
    assert output.startswith("qunce: --events -: standard input is neither JSONL")
    code, output = run("--out", str(tmp_path / "o"), events="-", stdin="")
    assert code == 2 and "standard input is empty" in output


def test_roster_problems_are_reported_with_their_place(tmp_path: Path) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text(Path(ROSTER).read_text(encoding="utf-8").replace("group_id: g2", "group_id: g7"),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", PLAYBOOK, "--events", EVENTS, "--roster", str(roster), "--out",
                                       str(tmp_path / "o"), "--lang", "en"])
    assert result.exit_code == 1
    assert "Q901" in result.output and "'g7' is not in the roster" in result.output


def explain(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["explain", PLAYBOOK, "--events", EVENTS, "--roster", ROSTER, *args])
    return result.exit_code, result.output


def test_explain_member_timeline() -> None:
    code, output = explain("--member", "m1", "--lang", "en")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == "Member m1"
    assert "  2027-01-01 09:00 joined 花漾福利1群 (g1)" in lines
    assert ("  level: promoted to 银卡会员 (a new member, from 普通会员): points in the last 90 days ≥ 50 (actual 62)"
            in lines)
    assert "  points: earned +62, taken back by refunds 0, expired 0, balance at the end 62" in lines
    assert '    2027-02-03 taken back by a refund −30 (order o1: ¥30.00 refunded of ¥60.00; rule "order")' in lines
    assert any(line.startswith('  churn warning "沉默14天" in 花漾福利1群 (g1): days since the last message ≥ 14 '
                               "(actual 30)") for line in lines)


def test_explain_in_chinese_and_an_unknown_member() -> None:
    code, output = explain("--member", "m1", "--lang", "zh")
    assert code == 0 and "成员 m1" in output and "  等级：晋升为银卡会员（新成员，从普通会员起）：近90天积分 ≥ 50（实际 62）" in output
    code, output = explain("--member", "nobody", "--lang", "en")
    assert code == 2 and "member nobody has no events" in output

