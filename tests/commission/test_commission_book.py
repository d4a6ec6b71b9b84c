"""One unit measured (gate, weighted attainment, bonuses), units over periods (dynamic weights),
and the book: role split by days, unassigned days, the per-staff cap, clawbacks, rounding.
Every expected value is computed by hand from the docstrings of engine/commission/measure.py,
units.py and statements.py; the arithmetic is in the comments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qunce.commission.measure import measure
from qunce.commission.statements import Book, Statement, build_book
from qunce.commission.units import UnitResult
from tests.commission.commission_plans import D, hold, kpi, plan_of, reconcile, run

P1, P2, P3 = "2027-01", "2027-02", "2027-03"

# --- measure: one unit, one period ---------------------------------------------------------------

GATED: dict[str, Any] = {
    "pool": {"per_group": 1000},
    "kpis": [kpi("growth", "net_new_members", 100, "0.5"), kpi("sales", "sales", 1000, "0.3"),
             kpi("churn", "leave_rate", "0.05", "0.2", "lower")],
    "gate": {"when": "weighted_attainment >= 0.9", "otherwise": "0.2"},
    "bonuses": [{"id": "sales_star", "name": "销售之星", "when": "attainment_sales >= 1.2", "amount": 100},
                {"id": "happy", "name": "满意", "when": "csat >= 4.5", "amount": 50}],
}


def measured(commission: dict[str, Any], values: dict[str, Any], base: object = 1000) -> Any:
    plan, _ = plan_of(commission)
    return measure(plan, {k: D(v) for k, v in values.items()}, plan.base_weights(), D(base))


def test_gate_open() -> None:
    m = measured(GATED, {"net_new_members": 80, "sales": 1300, "leave_rate": "0.04", "csat": "4.4"})
    # attainments (no curve: factor = attainment): 80/100 = 0.8, 1300/1000 = 1.3, lower: 0.05/0.04 = 1.25
    assert [k.attainment for k in m.kpis] == [D("0.8"), D("1.3"), D("1.25")]
    # amounts: 1000 × 0.5 × 0.8 = 400, 1000 × 0.3 × 1.3 = 390, 1000 × 0.2 × 1.25 = 250
    assert [k.amount for k in m.kpis] == [D(400), D(390), D(250)]
    assert m.kpi_total == D(1040)
    # weighted attainment: 0.5 × 0.8 + 0.3 × 1.3 + 0.2 × 1.25 = 0.4 + 0.39 + 0.25 = 1.04 ≥ 0.9: open
    assert m.weighted_attainment == D("1.04")
    assert m.gate is not None and m.gate.held
    assert m.gate.values == {"weighted_attainment": D("1.04")}
    assert (m.gate_factor, m.gate_amount) == (D(1), D(0))
    # bonuses: attainment_sales 1.3 ≥ 1.2 held → 100; csat 4.4 < 4.5 not held → 0
    assert [(b.decision.held, b.amount) for b in m.bonuses] == [(True, D(100)), (False, D(0))]
    assert m.bonuses[0].decision.values == {"attainment_sales": D("1.3")}
    assert m.bonuses[1].decision.values == {"csat": D("4.4")}
    assert m.total == D(1140)  # 1040 + 100


def test_gate_closed_with_otherwise() -> None:
    values = {"net_new_members": 40, "sales": 1300, "leave_rate": "0.1", "csat": "4.6"}
    m = measured(GATED, values)
    # 1000 × 0.5 × 0.4 = 200; 390; lower 0.05/0.1 = 0.5 → 1000 × 0.2 × 0.5 = 100; KPIs 690
    assert [k.amount for k in m.kpis] == [D(200), D(390), D(100)]
    # 0.5 × 0.4 + 0.3 × 1.3 + 0.2 × 0.5 = 0.2 + 0.39 + 0.1 = 0.69 < 0.9: closed
    assert m.weighted_attainment == D("0.69")
    assert m.gate is not None and not m.gate.held
    # both bonuses held: 100 + 50 = 150
    assert m.bonus_total == D(150)
    # otherwise 0.2: gate_amount = (0.2 − 1) × (690 + 150) = −0.8 × 840 = −672; total 840 − 672 = 168
    assert (m.gate_factor, m.gate_amount, m.total) == (D("0.2"), D(-672), D(168))
    # otherwise 0 (the shorthand: the gate as a bare condition): −1 × 840 = −840; total 0
    zero = measured({**GATED, "gate": "weighted_attainment >= 0.9"}, values)
    assert (zero.gate_factor, zero.gate_amount, zero.total) == (D(0), D(-840), D(0))


def test_attainment_of_a_kpi_in_the_gate_condition() -> None:
    gate = {**GATED, "gate": {"when": "attainment_growth >= 0.5 and csat >= 4", "otherwise": "0.5"}}
    m = measured(gate, {"net_new_members": 40, "sales": 1300, "leave_rate": "0.1", "csat": "4.6"})
    # attainment_growth = 40/100 = 0.4 < 0.5: closed, the values it read are kept
    assert m.gate is not None and not m.gate.held
    assert m.gate.values == {"attainment_growth": D("0.4"), "csat": D("4.6")}
    # (0.5 − 1) × (690 + 150) = −420
    assert m.gate_amount == D(-420)
    opened = measured(gate, {"net_new_members": 50, "sales": 1300, "leave_rate": "0.1", "csat": "4.6"})
    assert opened.gate is not None and opened.gate.held  # 50/100 = 0.5 ≥ 0.5


def test_the_amount_is_base_times_weight_times_the_factor() -> None:
    curved = {**GATED, "gate": None, "bonuses": [],
              "curve": {"points": [[0.5, 0.3], [0.8, 0.8], [1.0, 1.0], [1.5, 1.6]], "floor": 0.5}}
    m = measured(curved, {"net_new_members": 65, "sales": 2000, "leave_rate": "0.1"}, base=800)
    # growth 0.65 → 0.3 + 0.15 × 0.5/0.3 = 0.55 → 800 × 0.5 × 0.55 = 220
    # sales 2.0 → beyond the last point: 1.6 → 800 × 0.3 × 1.6 = 384
    # churn 0.05/0.1 = 0.5 → on the first point 0.3 → 800 × 0.2 × 0.3 = 48
    assert [k.factor for k in m.kpis] == [D("0.55"), D("1.6"), D("0.3")]
    assert [k.amount for k in m.kpis] == [D(220), D(384), D(48)]
    # weighted attainment uses the attainments, not the factors: 0.325 + 0.6 + 0.1 = 1.025
    assert m.weighted_attainment == D("1.025")
    assert m.gate is None and m.total == D(652)  # 220 + 384 + 48


def test_pools_give_the_base() -> None:
    single = [kpi("sales", "sales", 1000, 1)]
    # sales_share 0.1 of sales 1300 = 130 at 100%; attainment 1.3 → 130 × 1.3 = 169
    plan, recompute = plan_of({"pool": {"sales_share": "0.1"}, "kpis": single})
    r = run(plan, recompute, [P1], {("g1", P1): {"sales": 1300}})[("g1", P1)]
    assert (r.measured.base, r.measured.total) == (D(130), D(169))
    # negative sales (refunds > orders): base max(−200, 0) × 0.1 = 0
    r = run(plan, recompute, [P1], {("g1", P1): {"sales": -200}})[("g1", P1)]
    assert (r.measured.base, r.measured.total) == (D(0), D(0))
    # per_staff 3000, worked half the period: base 1500; sales 1000/1000 = 1 → 1500
    plan, recompute = plan_of({"pool": {"per_staff": 3000}, "kpis": single})
    assert plan.unit == "staff"
    r = run(plan, recompute, [P1], {("s1", P1): {"sales": 1000}}, base_share={("s1", P1): D("0.5")})[("s1", P1)]
    assert (r.measured.base, r.measured.total) == (D(1500), D(1500))


# --- run_units: dynamic weights -----------------------------------------------------------------

ADJUSTED: dict[str, Any] = {
    "pool": {"per_group": 1000},
    "kpis": [kpi("a", "net_new_members", 100, "0.6"), kpi("b", "sales", 1000, "0.4")],
    "adjust": [
        {"id": "retention_first", "when": "retention_rate < 0.4", "move": "0.1", "from": "a", "to": "b"},
        {"id": "push_sales", "when": "attainment_a >= 1.2", "move": "0.05", "from": "a", "to": "b"},
    ],
}


def weights(results: dict[tuple[str, str], UnitResult], unit: str, period: str) -> list[Decimal]:
    return [k.weight for k in results[unit, period].measured.kpis]


def moved(results: dict[tuple[str, str], UnitResult], unit: str, period: str) -> list[str]:
    return [d.rule.id for d in results[unit, period].moved_by]


def test_an_adjustment_moves_weight_for_the_next_period_only() -> None:
    plan, recompute = plan_of(ADJUSTED)
    base = {"net_new_members": 100, "sales": 500}
    rows = {
        # g: retention below 0.4 in P1 only
        ("g", P1): {**base, "retention_rate": "0.3"}, ("g", P2): {**base, "retention_rate": "0.5"},
        ("g", P3): {**base, "retention_rate": "0.5"},
        # k: below 0.4 every period
        ("k", P1): {**base, "retention_rate": "0.3"}, ("k", P2): {**base, "retention_rate": "0.3"},
        ("k", P3): {**base, "retention_rate": "0.3"},
        # h: never
        ("h", P1): {**base, "retention_rate": "0.9"}, ("h", P2): {**base, "retention_rate": "0.9"},
        ("h", P3): {**base, "retention_rate": "0.9"},
    }
    results = run(plan, recompute, [P1, P2, P3], rows)
    # g: base weights in P1 (the window's first period); 0.6 − 0.1 = 0.5 / 0.4 + 0.1 = 0.5 in P2; back in P3
    assert [weights(results, "g", p) for p in (P1, P2, P3)] == [
        [D("0.6"), D("0.4")], [D("0.5"), D("0.5")], [D("0.6"), D("0.4")]]
    assert [moved(results, "g", p) for p in (P1, P2, P3)] == [[], ["retention_first"], []]
    assert results["g", P2].moved_by[0].values == {"retention_rate": D("0.3")}  # what P1 read
    assert [d.held for d in results["g", P1].adjustments] == [True, False]
    # amounts: P1 1000 × 0.6 × 1 + 1000 × 0.4 × 0.5 = 600 + 200 = 800; P2 500 + 250 = 750; P3 800
    assert [results["g", p].measured.total for p in (P1, P2, P3)] == [D(800), D(750), D(800)]
    # k: moves do not accumulate: 0.5 / 0.5 in P2 and again in P3 (not 0.4 / 0.6)
    assert [weights(results, "k", p) for p in (P1, P2, P3)] == [
        [D("0.6"), D("0.4")], [D("0.5"), D("0.5")], [D("0.5"), D("0.5")]]
    assert moved(results, "k", P3) == ["retention_first"]
    # h: base weights throughout (the moves are per unit)
    assert all(weights(results, "h", p) == [D("0.6"), D("0.4")] for p in (P1, P2, P3))
    # the base weight stays on the KPI: the weight in force is on the result
    assert results["g", P2].measured.kpis[0].kpi.weight == D("0.6")


def test_two_adjustments_holding_together() -> None:
    plan, recompute = plan_of(ADJUSTED)
    rows = {("m", P1): {"net_new_members": 120, "sales": 500, "retention_rate": "0.3"},
            ("m", P2): {"net_new_members": 100, "sales": 500, "retention_rate": "0.5"}}
    results = run(plan, recompute, [P1, P2], rows)
    # P1: retention 0.3 < 0.4 and attainment_a 120/100 = 1.2 ≥ 1.2: both move
    # P2: a 0.6 − 0.1 − 0.05 = 0.45, b 0.4 + 0.1 + 0.05 = 0.55
    assert weights(results, "m", P2) == [D("0.45"), D("0.55")]
    assert moved(results, "m", P2) == ["retention_first", "push_sales"]
    # 1000 × 0.45 × 1 + 1000 × 0.55 × 0.5 = 450 + 275 = 725
    assert results["m", P2].measured.total == D(725)


# --- build_book -----------------------------------------------------------------------------------

ONE_KPI: dict[str, Any] = {"pool": {"per_group": 1000}, "kpis": [kpi("sales", "sales", 100, 1)]}
SPLIT = {**ONE_KPI, "split": {"owner": "0.6", "admin": "0.3", "helper": "0.1"}}


def book_of(commission: dict[str, Any], periods: list[str], rows: dict[tuple[str, str], dict[str, Any]],
            holdings: list[Any], late: dict[tuple[str, str, str], Decimal] | None = None,
            **extra: Any) -> Book:
    plan, recompute = plan_of(commission)
    results = run(plan, recompute, periods, rows, **extra)
    book = build_book(plan, recompute, periods, results, holdings, late or {})
    reconcile(book)
    return book


def lines(statement: Statement) -> list[tuple[str, str, Decimal]]:
    return [(line.kind, line.item, line.amount) for line in statement.lines]


def test_role_split_by_days_and_unassigned_days() -> None:
    holdings = [
        # g1 (31 days): two owners one after the other, two helpers together all month, no admin
        hold("alice", "owner", "g1", P1, 10, 31), hold("bob", "owner", "g1", P1, 21, 31),
        hold("carol", "helper", "g1", P1, 31, 31, holders=2), hold("dave", "helper", "g1", P1, 31, 31, holders=2),
        # g2 (31 days): an owner for 20 days only, an admin all month, no helper
        hold("erin", "owner", "g2", P1, 20, 31), hold("frank", "admin", "g2", P1, 31, 31),
    ]
    # g1: 100/100 → 1000; g2: 50/100 = 0.5 → 500
    book = book_of(SPLIT, [P1], {("g1", P1): {"sales": 100}, ("g2", P1): {"sales": 50}}, holdings)
    s = book.statements
    # shares: alice 0.6 × 10/31, bob 0.6 × 21/31, each helper 0.1 × (31/2)/31 = 0.05
    assert s[P1, "alice"].lines[0].share == D("0.6") * 10 / 31
    assert s[P1, "bob"].lines[0].share == D("0.6") * 21 / 31
    assert s[P1, "carol"].lines[0].share == s[P1, "dave"].lines[0].share == D("0.05")
    assert (s[P1, "alice"].lines[0].group_id, s[P1, "alice"].lines[0].role) == ("g1", "owner")
    # exact: alice 6000/31 = 193.548387…, bob 12600/31 = 406.451612…, carol 50, dave 50,
    # erin 0.6 × 20/31 × 500 = 6000/31 = 193.548387…, frank 0.3 × 500 = 150
    assert abs(s[P1, "alice"].exact - D(6000) / 31) < D("1e-20")
    # period: Σ = 600 + 100 + 193.548387… + 150 = 1043.548387… → 1043.55; floors
    # 193.54 + 406.45 + 50 + 50 + 193.54 + 150 = 1043.53; 2 fen → alice and erin (remainder 0.0084 each)
    assert {staff: st.total for (_, staff), st in s.items()} == {
        "alice": D("193.55"), "bob": D("406.45"), "carol": D("50.00"), "dave": D("50.00"),
        "erin": D("193.55"), "frank": D("150.00")}
    assert book.period_totals[P1] == D("1043.55")
    # nobody held: g1's admin part 0.3 × 1000 = 300; g2's helper part 0.1 × 500 = 50 and its owner's
    # other 11 days 0.6 × 11/31 × 500 = 106.451612…; 300 + 50 + 106.451612… = 456.451612… → 456.45
    assert book.unassigned[P1] == D("456.45")


def test_without_a_split_the_holders_share_by_days() -> None:
    holdings = [hold("alice", "owner", "g1", P1, 10, 31), hold("bob", "admin", "g1", P1, 21, 31)]
    book = book_of(ONE_KPI, [P1], {("g1", P1): {"sales": 100}}, holdings)
    # 1000 × 10/31 = 322.580645… and 1000 × 21/31 = 677.419354…; Σ 1000.00, floors 322.58 + 677.41 = 999.99,
    # 1 fen → bob (remainder 0.0094 > 0.0006)
    assert book.statements[P1, "alice"].total == D("322.58")
    assert book.statements[P1, "bob"].total == D("677.42")
    assert (book.period_totals[P1], book.unassigned[P1]) == (D("1000.00"), D("0.00"))


def test_the_cap_line_takes_off_what_exceeds_the_cap() -> None:
    capped = {**ONE_KPI, "cap": {"per_staff": 1000}}
    holdings = [hold("alice", "owner", "g1", P1, 31, 31), hold("alice", "owner", "g2", P1, 31, 31),
                hold("bob", "owner", "g3", P1, 31, 31)]
    rows = {("g1", P1): {"sales": 70}, ("g2", P1): {"sales": 60}, ("g3", P1): {"sales": 90}}
    book = book_of(capped, [P1], rows, holdings)
    alice = book.statements[P1, "alice"]
    # alice: 1000 × 0.7 = 700 from g1, 1000 × 0.6 = 600 from g2; 1300 > 1000 → cap 1000 − 1300 = −300
    assert lines(alice) == [("kpi", "sales", D(700)), ("kpi", "sales", D(600)), ("cap", "cap", D(-300))]
    assert [line.group_id for line in alice.lines] == ["g1", "g2", None]
    assert alice.lines[2].detail == {"before": D(1300)}
    assert (alice.total, alice.part("cap")) == (D(1000), D(-300))
    # bob: 900 ≤ 1000, no cap line
    assert lines(book.statements[P1, "bob"]) == [("kpi", "sales", D(900))]
    assert book.period_totals[P1] == D(1900)  # 1000 + 900


def test_lines_of_a_statement_reconcile_with_gate_and_bonus() -> None:
    holdings = [hold("alice", "owner", "g1", P1, 10, 31), hold("bob", "owner", "g1", P1, 21, 31)]
    rows = {("g1", P1): {"net_new_members": 40, "sales": 1300, "leave_rate": "0.1", "csat": "4.6"}}
    book = book_of({**GATED, "split": {"owner": 1}}, [P1], rows, holdings)
    alice = book.statements[P1, "alice"]
    # unit (test_gate_closed_with_otherwise): KPIs 200, 390, 100, bonuses 100, 50, gate −672; total 168.
    # alice's share 10/31: 64.516129…, 125.806451…, 32.258064…, 32.258064…, 16.129032…, −216.774193…;
    # Σ = 168 × 10/31 = 54.193548… → 54.19
    assert alice.total == D("54.19")
    assert [line.kind for line in alice.lines] == ["kpi", "kpi", "kpi", "bonus", "bonus", "gate"]
    # floors 64.51 + 125.80 + 32.25 + 32.25 + 16.12 − 216.78 = 54.15; 4 fen → the 4 largest remainders:
    # 16.129032… (0.0090), both 32.258064… (0.0081), 125.806451… (0.0065); not 64.516129… (0.0061)
    # nor −216.774193… (0.0058)
    assert [line.amount for line in alice.lines] == [
        D("64.51"), D("125.81"), D("32.26"), D("32.26"), D("16.13"), D("-216.78")]
    # bob 168 × 21/31 = 113.806451… → 113.81; period Σ 168.00
    assert book.statements[P1, "bob"].total == D("113.81")
    assert book.period_totals[P1] == D("168.00")


SALES_CAPPED: dict[str, Any] = {"pool": {"sales_share": "0.1"}, "kpis": [kpi("sales", "sales", 10000, 1)],
                                "cap": {"per_staff": 1200}}


def test_a_late_refund_claws_back_the_difference_of_the_capped_totals() -> None:
    holdings = [hold("alice", "owner", "g1", P1, 31, 31), hold("alice", "owner", "g1", P2, 28, 28)]
    # P2 reported sales 3000 after a 2000 refund of a P1 order: the refund is added back to P2
    rows = {("g1", P1): {"sales": 12000}, ("g1", P2): {"sales": 3000}}
    late = {("g1", P1, P2): D(2000)}
    book = book_of(SALES_CAPPED, [P1, P2], rows, holdings, late, addback={("g1", P2): D(2000)})
    # P1: base 0.1 × 12000 = 1200, attainment 1.2, 1200 × 1.2 = 1440 > 1200 → cap −240, total 1200
    assert lines(book.statements[P1, "alice"]) == [("kpi", "sales", D(1440)), ("cap", "cap", D(-240))]
    assert book.statements[P1, "alice"].total == D(1200)
    # P1 re-measured with the refund: sales 10000, base 1000, attainment 1 → 1000 (under the cap)
    # clawback = 1000 − 1200 = −200 (the uncapped difference would be 1000 − 1440 = −440)
    # P2: sales 3000 + 2000 = 5000, base 500, attainment 0.5 → 250; total 250 − 200 = 50
    p2 = book.statements[P2, "alice"]
    assert lines(p2) == [("kpi", "sales", D(250)), ("clawback", P1, D(-200))]
    assert p2.lines[1].detail == {"origin": P1, "refunds": {"g1": D(2000)}, "before": D(1200), "after": D(1000)}
    assert p2.total == D(50)
    assert book.period_totals == {P1: D(1200), P2: D(50)}
    # the book keeps P1 as it was paid when it closed
    assert book.results["g1", P1].measured.total == D(1440)


def test_a_clawback_is_shared_like_the_period_it_comes_from() -> None:
    uncapped = {**SALES_CAPPED, "cap": None}
    holdings = [hold("alice", "owner", "g1", P1, 10, 31), hold("bob", "owner", "g1", P1, 21, 31),
                hold("carol", "owner", "g1", P2, 28, 28)]
    rows = {("g1", P1): {"sales": 12000}, ("g1", P2): {"sales": 3000}}
    book = book_of(uncapped, [P1, P2], rows, holdings, {("g1", P1, P2): D(2000)}, addback={("g1", P2): D(2000)})
    # P1: 1440 × 10/31 = 464.516129…, 1440 × 21/31 = 975.483870…; floors 464.51 + 975.48 = 1439.99,
    # 1 fen → alice (0.0061 > 0.0039)
    assert (book.statements[P1, "alice"].total, book.statements[P1, "bob"].total) == (D("464.52"), D("975.48"))
    # P2: the P1 holders get their part of (1000 − 1440): alice −440 × 10/31 = −141.935483…,
    # bob −440 × 21/31 = −298.064516…; carol 250. Σ = −190.00; floors −141.94 − 298.07 + 250 = −190.01;
    # 1 fen → bob (0.0055 > 0.0045)
    assert lines(book.statements[P2, "alice"]) == [("clawback", P1, D("-141.94"))]
    assert lines(book.statements[P2, "bob"]) == [("clawback", P1, D("-298.06"))]
    assert lines(book.statements[P2, "carol"]) == [("kpi", "sales", D("250.00"))]
    assert book.period_totals == {P1: D("1440.00"), P2: D("-190.00")}


def test_a_clawback_recomputes_the_metrics_that_depend_on_sales() -> None:
    custom = [{"id": "sales_per_member", "name": "人均销售额", "scope": "group", "expr": "sales / max(members, 1)"}]
    commission = {"pool": {"per_group": 1000}, "kpis": [kpi("growth", "net_new_members", 10, 1)],
                  "bonuses": [{"id": "rich", "name": "高客单", "when": "sales_per_member >= 100", "amount": 300}]}
    plan, recompute = plan_of(commission, custom)
    holdings = [hold("alice", "owner", "g1", P1, 31, 31)]
    # P1: growth 10/10 → 1000; sales_per_member 6000 / 50 = 120 ≥ 100 → bonus 300; total 1300
    results = run(plan, recompute, [P1, P2],
                  {("g1", P1): {"net_new_members": 10, "members": 50, "sales": 6000, "sales_per_member": 120}})
    book = build_book(plan, recompute, [P1, P2], results, holdings, {("g1", P1, P2): D(1500)})
    reconcile(book)
    assert book.statements[P1, "alice"].total == D(1300)
    # the refund: sales 4500, sales_per_member 4500 / 50 = 90 < 100 → the bonus goes: clawback 1000 − 1300 = −300
    assert lines(book.statements[P2, "alice"]) == [("clawback", P1, D(-300))]
    assert book.period_totals == {P1: D(1300), P2: D(-300)}


def test_same_inputs_same_book() -> None:
    def once() -> list[tuple[object, ...]]:
        holdings = [hold("alice", "owner", "g1", P1, 10, 31), hold("bob", "owner", "g1", P1, 21, 31)]
        book = book_of(SPLIT, [P1], {("g1", P1): {"sales": 77}}, holdings)
        return [(key, s.total, [(li.kind, li.item, li.exact, li.amount) for li in s.lines])
                for key, s in book.statements.items()]

    assert once() == once()


def test_recompute_keeps_roi_and_return_per_customer_in_step() -> None:
    plan, recompute = plan_of(ONE_KPI)
    values = recompute.with_sales({"sales": D(900), "cost": D(300), "buyers": D(8)}, D(600), plan)
    # roi 600 / 300 = 2; per customer 600 / 8 = 75; a cost of 0 gives 0
    assert (values["sales"], values["roi"], values["per_customer_return"]) == (D(600), D(2), D(75))
    assert recompute.with_sales({"sales": D(1)}, D(5), plan)["roi"] == D(0)


def test_weighted_attainment_rounds_half_up_and_amounts_stay_exact() -> None:
    halves = {"pool": {"per_group": 1000},
              "kpis": [kpi("a", "net_new_members", 3, "0.5"), kpi("b", "sales", 1, "0.5")]}
    m = measured(halves, {"net_new_members": 1, "sales": "0.25"})
    # attainments 1/3 → 0.333333 and 0.25; weighted 0.5 × 0.333333 + 0.5 × 0.25 = 0.1666665 + 0.125
    # = 0.2916665 → 0.291667 (half up; half even would give 0.291666)
    assert m.weighted_attainment == D("0.291667")
    # amounts are not rounded: 1000 × 0.5 × 0.333333 = 166.6665, + 1000 × 0.5 × 0.25 = 125 → 291.6665
    assert m.total == D("291.6665")


def test_a_refund_that_stays_under_the_cap_claws_back_nothing() -> None:
    holdings = [hold("alice", "owner", "g1", P1, 31, 31)]
    late = {("g1", P1, P2): D(1000), ("g1", P1, P3): D(1000)}
    book = book_of(SALES_CAPPED, [P1, P2, P3], {("g1", P1): {"sales": 12000}}, holdings, late)
    # P1: 1440 capped to 1200 (as above)
    assert book.statements[P1, "alice"].total == D(1200)
    # P2's refund: sales 11000, base 1100, attainment 1.1 → 1210, still capped to 1200: nothing to claw back
    assert (P2, "alice") not in book.statements
    assert book.period_totals[P2] == D(0)
    # P3's refund: sales 10000 → 1000; capped before 1200 → clawback −200
    p3 = book.statements[P3, "alice"]
    assert lines(p3) == [("clawback", P1, D(-200))]
    assert (p3.lines[0].detail["before"], p3.lines[0].detail["after"]) == (D(1200), D(1000))


def test_a_per_staff_pool_claws_back_from_the_staff_member() -> None:
    per_staff = {"pool": {"per_staff": 1000}, "kpis": [kpi("sales", "sales", 1000, 1)]}
    rows = {("s1", P1): {"sales": 1200}, ("s2", P1): {"sales": 500}}
    book = book_of(per_staff, [P1, P2], rows, [], {("s1", P1, P2): D(400)}, base_share={("s2", P1): D("0.5")})
    # s1: base 1000, attainment 1.2 → 1200; s2: base 1000 × 0.5 = 500, attainment 0.5 → 250
    assert lines(book.statements[P1, "s1"]) == [("kpi", "sales", D(1200))]
    assert lines(book.statements[P1, "s2"]) == [("kpi", "sales", D(250))]
    assert book.period_totals[P1] == D(1450)
    # s1's refund of 400: sales 800 → 1000 × 0.8 = 800; clawback 800 − 1200 = −400
    assert lines(book.statements[P2, "s1"]) == [("clawback", P1, D(-400))]
    assert book.unassigned == {P1: D(0), P2: D(0)}


def test_without_a_split_two_roles_of_one_group_count_the_days_once() -> None:
    holdings = [hold("alice", "owner", "g1", P1, 31, 31), hold("alice", "admin", "g1", P1, 31, 31),
                hold("bob", "helper", "g1", P1, 31, 31)]
    book = book_of(ONE_KPI, [P1], {("g1", P1): {"sales": 100}}, holdings)
    # "everyone who held the group shares it by days held": alice held it 31 days, bob 31 days → 1000 / 2 each
    assert book.statements[P1, "alice"].total == D(500)
    assert book.statements[P1, "bob"].total == D(500)


def test_staff_values_prorate_counts_and_recompute_rates() -> None:
    from qunce.commission.staff_metrics import staff_values
    from tests.commission.commission_plans import playbook

    custom = [{"id": "sales_per_member", "name": "人均销售额", "scope": "group", "expr": "sales / max(members, 1)"}]
    commission = {"pool": {"per_staff": 1000}, "kpis": [kpi("sales", "sales", 1000, 1)]}
    book = playbook(commission, custom)
    plan, _ = plan_of(commission, custom)
    g1 = {k: D(v) for k, v in {"sales": 1000, "members": 40, "leaves": 4, "orders": 10, "buyers": 8,
                               "interaction_rate": "0.2", "days": 30}.items()}
    g2 = {k: D(v) for k, v in {"sales": 600, "members": 20, "leaves": 1, "orders": 5, "buyers": 4,
                               "interaction_rate": "0.5", "days": 30}.items()}
    values = staff_values(book, plan, [(g1, D("0.5")), (g2, D(1))])  # half of g1's days, all of g2's
    # counts prorated: sales 1000 × 0.5 + 600 = 1100; members 20 + 20 = 40; leaves 2 + 1 = 3; orders 5 + 5 = 10
    assert [values[k] for k in ("sales", "members", "leaves", "orders", "buyers")] == [
        D(1100), D(40), D(3), D(10), D(8)]
    # rates from the sums: leave_rate 3/40 = 0.075, conversion 10/40 = 0.25, per customer 1100/8 = 137.5
    assert [values[k] for k in ("leave_rate", "conversion_rate", "per_customer_return")] == [
        D("0.075"), D("0.25"), D("137.5")]
    # interaction_rate weighted by days held: (0.2 × 15 + 0.5 × 30) / 45 = 18/45 = 0.4
    assert values["interaction_rate"] == D("0.4")
    # custom expression recomputed: 1100 / 40 = 27.5; groups held: 2
    assert (values["sales_per_member"], values["groups"]) == (D("27.5"), D(2))
