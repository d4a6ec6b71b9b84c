"""The commission outputs as Arrow tables: `statements` (one row per statement line),
`payouts` (one row per staff member and period) and `commission_units` (each unit's KPIs per
period with the weights in force). Money is DECIMAL(18, 2), ratios DECIMAL(18, 6)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from engine.commission.measure import Decision
from engine.commission.statements import Book, Holding, Line
from engine.commission.units import UnitResult

EXACT = Decimal("0.000000000001")


def _values(decision: Decision) -> str:
    return ", ".join(f"{k}={_plain(v)}" for k, v in decision.values.items())


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


# The columns a line takes from its unit's result (the same for everyone who held the unit).
_UNIT_COLUMNS = ("metric", "actual", "target", "attainment", "factor", "weight", "base", "condition", "values")


def _unit_facts(result: UnitResult) -> dict[tuple[str, str], tuple[Any, ...]]:
    """(kind, item) → the _UNIT_COLUMNS of a line of this unit's result."""
    m = result.measured
    base = m.base.quantize(EXACT)
    facts: dict[tuple[str, str], tuple[Any, ...]] = {
        ("kpi", k.kpi.id): (k.kpi.metric, k.actual.quantize(EXACT), k.kpi.target, k.attainment, k.factor, k.weight,
                            base, None, None) for k in m.kpis}
    for b in m.bonuses:
        facts["bonus", b.decision.rule.id] = (None,) * 7 + (b.decision.rule.text, _values(b.decision))
    if m.gate is not None:
        facts["gate", "gate"] = (None, None, None, None, m.gate_factor, None, None, m.gate.rule.text,
                                 _values(m.gate))
    return facts


def _own_facts(line: Line) -> tuple[Any, ...] | None:
    """The _UNIT_COLUMNS of a line that comes from no unit (the cap, a clawback)."""
    if line.kind == "cap":
        return (None,) * 8 + (f"before={_plain(Decimal(str(line.detail['before'])).quantize(EXACT))}",)
    if line.kind == "clawback":
        refunds = line.detail["refunds"]
        assert isinstance(refunds, dict)
        return (None,) * 8 + (", ".join(f"{u}={_plain(a)}" for u, a in refunds.items()),)
    return None


class _Facts:
    """The distinct _UNIT_COLUMNS rows of the statement lines, and each line's index into them:
    hundreds of thousands of lines share a few tens of thousands of units' facts."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.by_unit: dict[int, dict[tuple[str, str], int]] = {}  # id(result) → (kind, item) → row

    def index(self, line: Line) -> int | None:
        result = line.result
        if result is not None and line.kind in ("kpi", "bonus", "gate"):
            rows = self.by_unit.get(id(result))
            if rows is None:
                rows = self.by_unit[id(result)] = {}
                for key, facts in _unit_facts(result).items():
                    rows[key] = len(self.rows)
                    self.rows.append(facts)
            return rows.get((line.kind, line.item))
        own = _own_facts(line)
        if own is None:
            return None
        self.rows.append(own)
        return len(self.rows) - 1


def statements_table(book: Book, staff_names: dict[str, str], group_names: dict[str, str]) -> Any:
    """One row per statement line, as an Arrow table of STATEMENT_TYPES. Built column by column
    from the lines (a row of Python values per line would cost seconds and set the run's peak);
    a unit's facts are built once and spread over its lines by Arrow."""
    import pyarrow as pa

    statements = list(book.statements.values())
    lines = [line for s in statements for line in s.lines]
    facts = _Facts()
    at = pa.array([facts.index(line) for line in lines], type=pa.int64())
    # Each column's Python values are made, handed to Arrow and dropped before the next (one
    # list of a value per line alive at a time, not twelve: the run's peak at scale).
    own: dict[str, Callable[[], list[Any]]] = {
        "period": lambda: [line.period for line in lines],
        "staff_id": lambda: [line.staff_id for line in lines],
        "staff_name": lambda: [staff_names.get(line.staff_id, line.staff_id) for line in lines],
        "line": lambda: [seq for s in statements for seq in range(1, len(s.lines) + 1)],
        "kind": lambda: [line.kind for line in lines],
        "item": lambda: [line.item for line in lines],
        "group_id": lambda: [line.group_id for line in lines],
        "group_name": lambda: [group_names.get(line.group_id) if line.group_id else None for line in lines],
        "role": lambda: [line.role for line in lines],
        "share": lambda: [None if line.share is None else line.share.quantize(EXACT) for line in lines],
        "amount": lambda: [line.amount for line in lines],
        "exact": lambda: [line.exact.quantize(EXACT) for line in lines],
    }
    distinct = {name: [row[i] for row in facts.rows] for i, name in enumerate(_UNIT_COLUMNS)}
    mine = {name: arrow_array(values(), STATEMENT_TYPES[name]) for name, values in own.items()}
    shared = arrow_table(distinct, {name: STATEMENT_TYPES[name] for name in _UNIT_COLUMNS})
    # Each line points at its unit's facts (an Arrow dictionary): the facts' texts and numbers
    # are stored once per unit, not once per line (10M events: the table 90 → 84 MB). DuckDB
    # reads them as the plain types, so the files are the same bytes.
    columns = {**mine,
               **{name: pa.DictionaryArray.from_arrays(at, shared.column(name).combine_chunks())
                  for name in _UNIT_COLUMNS}}
    return pa.table({name: columns[name] for name in STATEMENT_TYPES})


STATEMENT_TYPES = {
    "period": "string", "staff_id": "string", "staff_name": "string", "line": "int64", "kind": "string",
    "item": "string", "group_id": "string", "group_name": "string", "role": "string", "metric": "string",
    "actual": "decimal(38, 12)", "target": "decimal(18, 6)", "attainment": "decimal(18, 6)",
    "factor": "decimal(18, 6)", "weight": "decimal(18, 6)", "base": "decimal(38, 12)", "share": "decimal(38, 12)",
    "condition": "string", "values": "string", "amount": "decimal(18, 2)", "exact": "decimal(38, 12)",
}
PAYOUT_TYPES = {
    "period": "string", "staff_id": "string", "staff_name": "string", "roles": "string", "groups": "int64",
    "kpi": "decimal(18, 2)", "bonus": "decimal(18, 2)", "gate": "decimal(18, 2)", "cap": "decimal(18, 2)",
    "clawback": "decimal(18, 2)", "total": "decimal(18, 2)", "window_days": "int64", "period_days": "int64",
}
UNIT_TYPES = {
    "period": "string", "unit": "string", "kpi": "string", "metric": "string", "actual": "decimal(38, 12)",
    "target": "decimal(18, 6)", "attainment": "decimal(18, 6)", "factor": "decimal(18, 6)",
    "weight": "decimal(18, 6)", "base_weight": "decimal(18, 6)", "moved_by": "string", "base": "decimal(38, 12)",
    "amount": "decimal(38, 12)", "gate_open": "boolean", "bonuses": "decimal(38, 12)", "unit_total": "decimal(38, 12)",
}


def payout_rows(book: Book, staff_names: dict[str, str], days: dict[str, tuple[int, int]],
                holdings: list[Holding]) -> list[dict[str, Any]]:
    """`days`: period → (days inside the window, days of the calendar period); `holdings` give
    each person's roles and groups (a per-staff pool's lines name no group)."""
    held: dict[tuple[str, str], list[Holding]] = {}
    for h in holdings:
        held.setdefault((h.period, h.staff_id), []).append(h)
    rows: list[dict[str, Any]] = []
    for (period, staff), s in book.statements.items():
        inside, whole = days.get(period, (0, 0))
        mine = held.get((period, staff), [])
        roles = sorted({line.role for line in s.lines if line.role} | {h.role for h in mine})
        groups = {line.group_id for line in s.lines if line.group_id} | {h.group_id for h in mine}
        rows.append({"period": period, "staff_id": staff, "staff_name": staff_names.get(staff, staff),
                     "roles": ",".join(roles), "groups": len(groups), "kpi": s.part("kpi"), "bonus": s.part("bonus"),
                     "gate": s.part("gate"), "cap": s.part("cap"), "clawback": s.part("clawback"), "total": s.total,
                     "window_days": inside, "period_days": whole})
    return rows


def units_table(book: Book) -> Any:
    """One row per unit, period and KPI, as an Arrow table of UNIT_TYPES (column by column: the
    unit's own values repeated over its KPIs)."""
    kpis = [(period, unit, r, k) for (unit, period), r in sorted(book.results.items(),
                                                                   key=lambda item: (item[0][1], item[0][0]))
            for k in r.measured.kpis]
    moved = {id(r): ",".join(d.rule.id for d in r.moved_by) for _, _, r, _ in kpis}
    columns: dict[str, list[Any]] = {
        "period": [period for period, _, _, _ in kpis], "unit": [unit for _, unit, _, _ in kpis],
        "kpi": [k.kpi.id for _, _, _, k in kpis], "metric": [k.kpi.metric for _, _, _, k in kpis],
        "actual": [k.actual.quantize(EXACT) for _, _, _, k in kpis], "target": [k.kpi.target for _, _, _, k in kpis],
        "attainment": [k.attainment for _, _, _, k in kpis], "factor": [k.factor for _, _, _, k in kpis],
        "weight": [k.weight for _, _, _, k in kpis], "base_weight": [k.kpi.weight for _, _, _, k in kpis],
        "moved_by": [moved[id(r)] for _, _, r, _ in kpis],
        "base": [r.measured.base.quantize(EXACT) for _, _, r, _ in kpis],
        "amount": [k.amount.quantize(EXACT) for _, _, _, k in kpis],
        "gate_open": [r.measured.gate is None or r.measured.gate.held for _, _, r, _ in kpis],
        "bonuses": [r.measured.bonus_total.quantize(EXACT) for _, _, r, _ in kpis],
        "unit_total": [r.measured.total.quantize(EXACT) for _, _, r, _ in kpis],
    }
    return arrow_table(columns, UNIT_TYPES)


def as_columns(rows: list[dict[str, Any]], types: dict[str, str]) -> dict[str, list[Any]]:
    return {name: [row.get(name) for row in rows] for name in types}


def arrow_table(columns: dict[str, list[Any]], types: dict[str, str]) -> Any:
    """An Arrow table with exactly these columns and types (empty tables keep their schema)."""
    import pyarrow as pa

    return pa.table({name: arrow_array(columns[name], kind) for name, kind in types.items()})


def arrow_array(values: list[Any], kind: str) -> Any:
    """An Arrow array of `kind` (string, int64, boolean, decimal(p, s)). Decimals go to Arrow as
    they are (stored as scaled integers: no "-0.00"); values with more places than the type
    keeps are rounded half up first."""
    import pyarrow as pa

    def arrow_type(kind: str) -> Any:
        if kind.startswith("decimal"):
            precision, scale = (int(x) for x in kind[8:-1].split(","))
            return pa.decimal128(precision, scale)
        return {"string": pa.string(), "int64": pa.int64(), "boolean": pa.bool_()}[kind]

    try:
        return pa.array(values, type=arrow_type(kind))
    except pa.ArrowInvalid:  # more places than the type keeps
        unit = Decimal(1).scaleb(-int(kind[8:-1].split(",")[1]))
        return pa.array([None if v is None else Decimal(v).quantize(unit, ROUND_HALF_UP) for v in values],
                        type=arrow_type(kind))
