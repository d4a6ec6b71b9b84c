"""The commission conventions (engine/commission/conventions.py): the same sentences in
docs/language.md, the handbook's commission section and `qunce explain --staff`, and each one's
number, on a tiny plan (unit tests) and a tiny playbook simulated end to end.

The end-to-end playbook: pool ¥1,000 per group; KPIs sales (target ¥100, weight 0.5) and
interaction_rate (target 50%, weight 0.5); curve (0, 0.2), (1, 1), no split, no clawback.
- g1 lives 2027-01-01 to 2027-01-10 (ended_at) with 2 members; m1 speaks on 01-01 and on 01-10:
  interaction rate = (1/2 + 1/2) ÷ 10 living days = 10% (the ended_at day counts: else 1/2 ÷ 9);
  attainment 20% → 0.2 + 0.2 × 0.8 = 0.36 → 1000 × 0.5 × 0.36 = 180; sales 0 → 0.2 → 100; 280.
- g2: a paid join of ¥50 (entry fee, not sales), an order of ¥30, a refund of ¥200 of a December
  order (before the window: it stays in January): sales = 30 − 200 = −170 (−120 if the fee
  counted); attainment −170% → factor 0 (the curve's 0.2 at 0% is not paid) → 0; interaction 0 →
  0.2 → 100. s2 held g2 only from 01-11 (21 of 31 days), alone: without a split the holders'
  days are the whole, so s2 gets all of g2's ¥100.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from markupsafe import escape

from qunce.cli import main
from qunce.commission.conventions import CONVENTIONS, conventions
from qunce.commission.measure import measure
from qunce.commission.payfactor import pay_factor
from qunce.commission.statements import build_book
from qunce.compile.docs.handbook import FORMATS, render_all
from qunce.load import load_playbook
from tests.commission.commission_plans import D, hold, kpi, plan_of, playbook, reconcile, run

ROOT = Path(__file__).resolve().parents[2]
P1, P2 = "2027-01", "2027-02"
ONE_KPI: dict[str, Any] = {"pool": {"per_group": 1000}, "kpis": [kpi("sales", "sales", 100, 1)]}


def sentence(key: str, lang: str) -> str:
    return next(c for c in CONVENTIONS if c.key == key).say(lang)


# --- the same words in three places --------------------------------------------------------------


def test_language_md_holds_every_convention_in_both_languages() -> None:
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    for c in CONVENTIONS:
        assert c.zh in text, c.key
        assert c.en in text, c.key


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_handbook_prints_the_plans_conventions(lang: str) -> None:
    book = load_playbook(ROOT / "playbooks" / "brand-complete.yaml").playbook
    assert book is not None and book.commission is not None
    rendered = render_all(book, FORMATS, lang)
    wanted = conventions(book.commission, lang)
    assert wanted and sentence("negative_attainment", lang) in wanted
    for text in wanted:
        assert f"- {text}\n" in rendered["md"]
        assert f"<li>{escape(text)}</li>" in rendered["html"]
    # brand-complete splits by role: the share by days does not concern it
    assert sentence("days_share", lang) not in rendered["md"]


def test_which_conventions_concern_a_plan() -> None:
    keys = {c.say("en"): c.key for c in CONVENTIONS}
    plain = playbook(ONE_KPI).commission
    assert plain is not None
    assert [keys[t] for t in conventions(plain, "en")] == [
        "days_share", "sales", "interaction_rate", "ended_at", "rounding", "weighted_attainment", "negative_attainment"]
    both = playbook({**ONE_KPI, "cap": {"per_staff": 900}, "split": {"owner": 1}}).commission
    assert both is not None
    assert [keys[t] for t in conventions(both, "en")][:2] == ["cap_then_clawback", "sales"]


# --- end to end: sales, interaction rate, ended_at, negative attainment, days share -------------

PLAYBOOK = """playbook: 约定
timezone: Asia/Shanghai
roles:
  owner: {name: 群主, max_groups: 10, minutes_per_day: 480}
group_types:
  paid:
    name: 付费群
    content_mix: {activation: 0.6, conversion: 0.3, brand: 0.1}
    entry: {mode: paid, fee: 50}
commission:
  period: monthly
  pool: {per_group: 1000}
  kpis:
    - {id: sales, name: 销售额, metric: sales, target: 100, weight: 0.5}
    - {id: talk, name: 互动率, metric: interaction_rate, target: 0.5, weight: 0.5}
  curve: [[0, 0.2], [1, 1]]
  clawback: false
"""
ROSTER = """staff:
  - {id: s1, name: 王芳}
  - {id: s2, name: 李雷}
groups:
  - {id: g1, name: 一群, type: paid, created_at: 2027-01-01, ended_at: 2027-01-10, initial_members: 2}
  - {id: g2, name: 二群, type: paid, created_at: 2026-12-01, initial_members: 10}
assignments:
  - {staff_id: s1, role: owner, group_id: g1, from: 2027-01-01}
  - {staff_id: s2, role: owner, group_id: g2, from: 2027-01-11}
"""
EVENTS = """ts,type,group_id,member_id,amount,order_id
2026-12-20 20:00:00,order,g2,m8,200.00,o0
2027-01-01 10:00:00,message,g1,m1,,
2027-01-05 10:00:00,join,g2,m9,50.00,
2027-01-06 20:00:00,order,g2,m9,30.00,o1
2027-01-07 09:00:00,refund,g2,m8,200.00,o0
2027-01-10 10:00:00,message,g1,m1,,
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("ibis")
    here = tmp_path_factory.mktemp("conventions")
    (here / "playbook.yaml").write_text(PLAYBOOK, encoding="utf-8")
    (here / "roster.yaml").write_text(ROSTER, encoding="utf-8")
    (here / "events.csv").write_text(EVENTS, encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", *args(here), "--out", str(here / "out")])
    assert result.exit_code == 0, result.output
    return here


def args(here: Path) -> list[str]:
    return [str(here / "playbook.yaml"), "--events", str(here / "events.csv"), "--roster", str(here / "roster.yaml"),
            "--from", "2027-01-01", "--to", "2027-01-31"]


def units(folder: Path) -> dict[tuple[str, str], dict[str, str]]:
    with (folder / "out" / "commission_units.csv").open(encoding="utf-8-sig") as handle:
        return {(r["unit"], r["kpi"]): r for r in csv.DictReader(handle)}


def test_entry_fees_are_not_sales(folder: Path) -> None:
    assert D(units(folder)["g2", "sales"]["actual"]) == D(-170)  # 30 − 200; the ¥50 join is not counted


def test_a_months_interaction_rate_is_the_mean_over_the_living_days_ended_at_included(folder: Path) -> None:
    talk = units(folder)["g1", "talk"]
    assert D(talk["actual"]) == D("0.1")  # (1/2 + 1/2) ÷ 10 days, 01-10 (ended_at) among them
    assert (D(talk["attainment"]), D(talk["factor"]), D(talk["amount"])) == (D("0.2"), D("0.36"), D(180))


def test_a_negative_attainment_pays_factor_zero_end_to_end(folder: Path) -> None:
    sales = units(folder)["g2", "sales"]
    assert (D(sales["attainment"]), D(sales["factor"]), D(sales["amount"])) == (D("-1.7"), D(0), D(0))
    assert D(sales["unit_total"]) == D(100)  # the interaction KPI's 0.2 at 0% only


def test_without_a_split_the_holders_days_are_the_whole(folder: Path) -> None:
    with (folder / "out" / "payouts.csv").open(encoding="utf-8-sig") as handle:
        totals = {r["staff_id"]: D(r["total"]) for r in csv.DictReader(handle)}
    assert totals == {"s1": D(280), "s2": D(100)}  # s2 held g2 21 of 31 days, alone: all of it


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_explain_staff_ends_with_the_conventions(folder: Path, lang: str) -> None:
    result = CliRunner().invoke(main, ["explain", *args(folder), "--staff", "s2", "--lang", lang])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    plan = load_playbook(folder / "playbook.yaml").playbook
    assert plan is not None and plan.commission is not None
    wanted = conventions(plan.commission, lang)
    assert lines[-len(wanted) - 1] == ("计算约定：" if lang == "zh" else "Conventions:")
    assert lines[-len(wanted):] == [f"  - {text}" for text in wanted]
    if lang == "zh":
        assert "达成率为负（本期退款多于销售额）→ 提成系数 0" in result.output
        assert "分成比例：按在岗天数，您 21 天 ÷ 所有在岗人员共 21 天 = 100%" in result.output
    else:
        assert "a negative attainment (refunds above the period's sales) → pay factor 0" in result.output
        assert "Your share by days held: your 21 ÷ all holders' 21 days = 100%" in result.output


# --- unit tests, one per convention ---------------------------------------------------------------


@pytest.mark.parametrize("shape", [
    {},  # factor = attainment
    {"curve": [[0, "0.2"], [1, 1]]},  # a curve paying 0.2 at 0%
    {"curve": {"points": [["0.5", "0.5"], [1, 1]], "floor": 0}},
    {"rates": {"mode": "tiered", "brackets": [{"from": 0, "rate": 1}]}},
    {"rates": {"mode": "marginal", "brackets": [{"from": 0, "rate": 1}]}},
])
def test_a_negative_attainment_pays_factor_zero(shape: dict[str, Any]) -> None:
    """sentence("negative_attainment"): refunds of ¥150 against ¥100 of sales, target ¥100."""
    plan, _ = plan_of({**ONE_KPI, **shape})
    m = measure(plan, {"sales": D(-50)}, plan.base_weights(), D(1000))
    k = m.kpis[0]
    assert (k.attainment, k.factor, k.step.kind, k.amount, m.total) == (D("-0.5"), D(0), "negative", D(0), D(0))
    assert m.weighted_attainment == D("-0.5")  # the attainment itself stays what it is
    assert pay_factor(D(0), plan.commission).factor >= 0


def test_an_attainment_of_zero_still_reads_the_curve() -> None:
    plan, _ = plan_of({**ONE_KPI, "curve": [[0, "0.2"], [1, 1]]})
    assert pay_factor(D(0), plan.commission).factor == D("0.2")


def test_the_share_by_days_ignores_days_nobody_held() -> None:
    """sentence("days_share"): alice 10 days and bob 5 days of a 31-day month, nobody the rest."""
    plan, recompute = plan_of(ONE_KPI)
    results = run(plan, recompute, [P1], {("g1", P1): {"sales": 90}})  # 900
    book = build_book(plan, recompute, [P1], results, [hold("alice", "owner", "g1", P1, 10, 31),
                                                        hold("bob", "admin", "g1", P1, 5, 31)], {})
    reconcile(book)
    # 900 × 10/15 = 600, 900 × 5/15 = 300: nothing unassigned
    assert (book.statements[P1, "alice"].total, book.statements[P1, "bob"].total) == (D(600), D(300))
    assert book.unassigned[P1] == D(0)


def test_a_clawback_is_outside_the_cap_of_the_period_it_is_shown_in() -> None:
    """sentence("cap_then_clawback"): P1 sales 100 → 1000, under the cap of 1200. In P2 a ¥50
    refund of a P1 order (reported sales 100, the 50 added back: 150) → 1500, capped to 1200
    (−300); P1 recomputed with sales 50 → 500: clawback 500 − 1000 = −500, outside P2's cap, so
    P2 = 1500 − 300 − 500 = 700 (inside the cap it would be 1500 − 500 = 1000, under 1200)."""
    plan, recompute = plan_of({**ONE_KPI, "cap": {"per_staff": 1200}, "clawback": True})
    results = run(plan, recompute, [P1, P2], {("g1", P1): {"sales": 100}, ("g1", P2): {"sales": 100}},
                  addback={("g1", P2): D(50)})
    holdings = [hold("alice", "owner", "g1", P1, 31, 31), hold("alice", "owner", "g1", P2, 28, 28)]
    book = build_book(plan, recompute, [P1, P2], results, holdings, {("g1", P1, P2): D(50)})
    reconcile(book)
    assert book.statements[P1, "alice"].total == D(1000)
    p2 = book.statements[P2, "alice"]
    assert [(line.kind, line.amount) for line in p2.lines] == [("kpi", D(1500)), ("cap", D(-300)),
                                                              ("clawback", D(-500))]
    assert p2.total == D(700)


def test_the_fen_goes_half_up_then_to_the_earlier_staff_id() -> None:
    """sentence("rounding"): a pool of ¥0.01 shared by two people 15 days each → ¥0.005 each:
    the period's ¥0.01 (half up) goes to the earlier staff id ("amy" before "zed"); with only one
    holder of half the group under a split, ¥0.005 rounds half up to ¥0.01."""
    penny = {"pool": {"per_group": "0.01"}, "kpis": [kpi("sales", "sales", 100, 1)]}
    plan, recompute = plan_of(penny)
    results = run(plan, recompute, [P1], {("g1", P1): {"sales": 100}})
    book = build_book(plan, recompute, [P1], results, [hold("zed", "owner", "g1", P1, 15, 30),
                                                        hold("amy", "admin", "g1", P1, 15, 30)], {})
    reconcile(book)
    assert (book.statements[P1, "amy"].total, book.statements[P1, "zed"].total) == (D("0.01"), D(0))
    plan, recompute = plan_of({**penny, "split": {"owner": "0.5", "admin": "0.5"}})
    results = run(plan, recompute, [P1], {("g1", P1): {"sales": 100}})
    book = build_book(plan, recompute, [P1], results, [hold("zed", "owner", "g1", P1, 30, 30)], {})
    assert book.statements[P1, "zed"].total == D("0.01")  # 0.005 half up (half even would give 0.00)


def test_weighted_attainment_is_of_attainments_not_factors() -> None:
    """sentence("weighted_attainment"): a KPI below the floor pays nothing but its attainment
    still counts: 0.5 × 0.4 + 0.5 × 1.2 = 0.8 (factors would give 0.5 × 0 + 0.5 × 1 = 0.5)."""
    plan, _ = plan_of({"pool": {"per_group": 1000}, "kpis": [kpi("a", "sales", 100, "0.5"),
                                                              kpi("b", "orders", 10, "0.5")],
                       "curve": {"points": [["0.5", "0.5"], [1, 1]], "floor": "0.5", "cap": 1}})
    m = measure(plan, {"sales": D(40), "orders": D(12)}, plan.base_weights(), D(1000))
    assert [k.factor for k in m.kpis] == [D(0), D(1)]
    assert m.weighted_attainment == D("0.8")
