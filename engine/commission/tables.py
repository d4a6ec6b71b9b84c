"""The commission outputs as Arrow tables: `statements` (one row per statement line),
`payouts` (one row per staff member and period) and `commission_units` (each unit's KPIs per
period with the weights in force). Money is DECIMAL(18, 2), ratios DECIMAL(18, 6)."""

from __future__ import annotations

from array import array
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from typing import Any

from .. import arrow_values
from .measure import Decision
from .statements import Book, Holding, Line
from .units import UnitResult

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


def _own_facts(line: Line) -> tuple[Any, ...]:
    """The _UNIT_COLUMNS of a line that comes from no unit (the cap, a clawback)."""
    if line.kind == "cap":
        return (None,) * 8 + (f"before={_plain(Decimal(str(line.detail['before'])).quantize(EXACT))}",)
    refunds = line.detail["refunds"]
    assert isinstance(refunds, dict)
    return (None,) * 8 + (", ".join(f"{u}={_plain(a)}" for u, a in refunds.items()),)


# The columns a line takes from what it is (its kind and item, and its unit's facts).
_ITEM_COLUMNS = ("kind", "item", *_UNIT_COLUMNS)


class _Facts:
    """The distinct _ITEM_COLUMNS rows of the statement lines, kept as columns: hundreds of
    thousands of lines share a few tens of thousands of units' items."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name in _ITEM_COLUMNS}
        self.size = 0
        self.by_unit: dict[int, list[int]] = {}  # id(result) → the row of each of its items

    def _add(self, row: tuple[Any, ...]) -> int:
        for column, value in zip(self.columns.values(), row, strict=True):
            column.append(value)
        self.size += 1
        return self.size - 1

    def of_unit(self, result: UnitResult) -> list[int]:
        rows = self.by_unit.get(id(result))
        if rows is None:
            facts = _unit_facts(result)
            rows = self.by_unit[id(result)] = [self._add((kind, item, *facts[kind, item]))
                                               for kind, item, _ in result.items]
        return rows

    def of_line(self, line: Line) -> int:
        return self._add((line.kind, line.item, *_own_facts(line)))


def statements_table(book: Book, staff_names: dict[str, str], group_names: dict[str, str]) -> Any:
    """One row per statement line, as an Arrow table of STATEMENT_TYPES. Each line is a row of
    three small tables (its statement, the unit it comes from and its item): only the lines'
    indexes into them, their exact amounts and their amounts are made per line, and the rest is
    spread over the lines by Arrow dictionaries (the texts and numbers stored once per unit, not
    once per line). DuckDB reads the dictionaries as the plain types: the files are the same."""
    import numpy as np
    import pyarrow as pa

    statements = list(book.statements.values())
    facts = _Facts()
    # held units: group_id, group_name, role, share; the cap and clawback lines point at none (-1)
    units: dict[str, list[Any]] = {"group_id": [], "group_name": [], "role": [], "share": []}
    # Per line only machine integers and, a chunk at a time, the exact amounts: at 100M events
    # (3.3M lines) Python lists of ints and Decimals would cost ~1 GB on the way.
    statement_at, unit_at, item_at, line_no, fen = (array("q") for _ in range(5))
    exact: list[Decimal] = []
    exact_chunks: list[Any] = []
    for number, s in enumerate(statements):
        count = len(line_no)
        for holding, share, result in s.held:
            items = result.items
            if not items:
                continue
            group = holding.group_id if holding else None
            unit_at.extend(repeat(len(units["share"]), len(items)))
            units["group_id"].append(group)
            units["group_name"].append(group_names.get(group) if group else None)
            units["role"].append(holding.role if holding else None)
            units["share"].append(share.quantize(EXACT))
            item_at.extend(facts.of_unit(result))
            exact += [(amount * share).quantize(EXACT) for _, _, amount in items]
        for line in s.extra:
            unit_at.append(-1)
            item_at.append(facts.of_line(line))
            exact.append(line.exact.quantize(EXACT))
        count = len(unit_at) - count
        statement_at.extend(repeat(number, count))
        line_no.extend(range(1, count + 1))
        fen.extend(s.fen)
        if len(exact) >= EXACT_CHUNK:
            exact_chunks.append(arrow_array(exact, STATEMENT_TYPES["exact"]))
            exact = []
    exact_chunks.append(arrow_array(exact, STATEMENT_TYPES["exact"]))

    def spread(at: array[int], values: dict[str, list[Any]]) -> dict[str, Any]:
        positions = np.frombuffer(at, dtype=np.int64) if len(at) else np.zeros(0, dtype=np.int64)
        index = arrow_values.int64s(positions, positions >= 0)
        table = arrow_table(values, {name: STATEMENT_TYPES[name] for name in values})
        return {name: pa.DictionaryArray.from_arrays(index, table.column(name).combine_chunks()) for name in values}

    columns = {
        **spread(statement_at, {"period": [s.period for s in statements], "staff_id": [s.staff_id for s in statements],
                                "staff_name": [staff_names.get(s.staff_id, s.staff_id) for s in statements]}),
        **spread(unit_at, units),
        **spread(item_at, facts.columns),
        "line": arrow_values.int64s(line_no),
        # amounts are kept in fen: the unscaled values of two places
        "amount": arrow_values.scaled_decimals(fen, pa.decimal128(18, 2)),
        "exact": pa.chunked_array(exact_chunks, type=exact_chunks[0].type),
    }
    return arrow_values.table({name: columns[name] for name in STATEMENT_TYPES})


EXACT_CHUNK = 65_536


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
        roles = sorted({h.role for h in mine})  # the units a statement holds are among them
        groups = {h.group_id for h in mine}
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
    # Each column's values are made, handed to Arrow and dropped before the next: the quantized
    # Decimals of sixteen columns at once were the thread's peak (~0.5 GB at 100M events).
    columns: dict[str, Callable[[], list[Any]]] = {
        "period": lambda: [period for period, _, _, _ in kpis], "unit": lambda: [unit for _, unit, _, _ in kpis],
        "kpi": lambda: [k.kpi.id for _, _, _, k in kpis], "metric": lambda: [k.kpi.metric for _, _, _, k in kpis],
        "actual": lambda: [k.actual.quantize(EXACT) for _, _, _, k in kpis],
        "target": lambda: [k.kpi.target for _, _, _, k in kpis],
        "attainment": lambda: [k.attainment for _, _, _, k in kpis], "factor": lambda: [k.factor for _, _, _, k in kpis],
        "weight": lambda: [k.weight for _, _, _, k in kpis], "base_weight": lambda: [k.kpi.weight for _, _, _, k in kpis],
        "moved_by": lambda: [moved[id(r)] for _, _, r, _ in kpis],
        "base": lambda: [r.measured.base.quantize(EXACT) for _, _, r, _ in kpis],
        "amount": lambda: [k.amount.quantize(EXACT) for _, _, _, k in kpis],
        "gate_open": lambda: [r.measured.gate is None or r.measured.gate.held for _, _, r, _ in kpis],
        "bonuses": lambda: [r.measured.bonus_total.quantize(EXACT) for _, _, r, _ in kpis],
        "unit_total": lambda: [r.measured.total.quantize(EXACT) for _, _, r, _ in kpis],
    }
    return arrow_values.table({name: arrow_array(columns[name](), kind) for name, kind in UNIT_TYPES.items()})


def as_columns(rows: list[dict[str, Any]], types: dict[str, str]) -> dict[str, list[Any]]:
    return {name: [row.get(name) for row in rows] for name in types}


def arrow_table(columns: dict[str, list[Any]], types: dict[str, str]) -> Any:
    """An Arrow table with exactly these columns and types (empty tables keep their schema)."""
    return arrow_values.table({name: arrow_array(columns[name], kind) for name, kind in types.items()})


def arrow_array(values: list[Any], kind: str) -> Any:
    """An Arrow array of `kind` (string, int64, boolean, decimal(p, s)). Decimals go to Arrow as
    they are (stored as scaled integers: no "-0.00"); values with more places than the type
    keeps are rounded half up first. Built by arrow_values, not pa.array: no pandas imported."""
    import pyarrow as pa

    def arrow_type(kind: str) -> Any:
        if kind.startswith("decimal"):
            precision, scale = (int(x) for x in kind[8:-1].split(","))
            return pa.decimal128(precision, scale)
        return {"string": pa.string(), "int64": pa.int64(), "boolean": pa.bool_()}[kind]

    try:
        return arrow_values.array(values, arrow_type(kind))
    except pa.ArrowInvalid:  # more places than the type keeps
        unit = Decimal(1).scaleb(-int(kind[8:-1].split(",")[1]))
        return arrow_values.array([None if v is None else Decimal(v).quantize(unit, ROUND_HALF_UP) for v in values],
                                  arrow_type(kind))
