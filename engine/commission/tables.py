"""The commission outputs as Arrow tables: `statements` (one row per statement line),
`payouts` (one row per staff member and period) and `commission_units` (each unit's KPIs per
period with the weights in force). Money is DECIMAL(18, 2), ratios DECIMAL(18, 6)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from engine.commission.measure import Decision
from engine.commission.statements import Book, Holding, Line

EXACT = Decimal("0.000000000001")


def _values(decision: Decision) -> str:
    return ", ".join(f"{k}={_plain(v)}" for k, v in decision.values.items())


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def _line_row(line: Line, seq: int, names: dict[str, str], groups: dict[str, str]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "period": line.period, "staff_id": line.staff_id, "staff_name": names.get(line.staff_id, line.staff_id),
        "line": seq, "kind": line.kind, "item": line.item, "group_id": line.group_id,
        "group_name": groups.get(line.group_id) if line.group_id else None, "role": line.role,
        "metric": None, "actual": None, "target": None, "attainment": None, "factor": None, "weight": None,
        "base": None, "share": line.share.quantize(EXACT) if line.share is not None else None,
        "condition": None, "values": None, "amount": line.amount, "exact": line.exact.quantize(EXACT),
    }
    result = line.result
    if line.kind == "kpi" and result is not None:
        k = next(k for k in result.measured.kpis if k.kpi.id == line.item)
        row.update(metric=k.kpi.metric, actual=k.actual.quantize(EXACT), target=k.kpi.target,
                   attainment=k.attainment, factor=k.factor, weight=k.weight, base=result.measured.base.quantize(EXACT))
    elif line.kind == "bonus" and result is not None:
        b = next(b for b in result.measured.bonuses if b.decision.rule.id == line.item)
        row.update(condition=b.decision.rule.text, values=_values(b.decision))
    elif line.kind == "gate" and result is not None and result.measured.gate is not None:
        row.update(condition=result.measured.gate.rule.text, values=_values(result.measured.gate),
                   factor=result.measured.gate_factor)
    elif line.kind == "cap":
        row.update(values=f"before={_plain(Decimal(str(line.detail['before'])).quantize(EXACT))}")
    elif line.kind == "clawback":
        refunds = line.detail["refunds"]
        assert isinstance(refunds, dict)
        row.update(values=", ".join(f"{u}={_plain(a)}" for u, a in refunds.items()))
    return row


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


def statement_rows(book: Book, staff_names: dict[str, str], group_names: dict[str, str]) -> dict[str, list[Any]]:
    # Column by column: a dict per row for hundreds of thousands of lines would set the run's peak.
    columns: dict[str, list[Any]] = {name: [] for name in STATEMENT_TYPES}
    for statement in book.statements.values():
        for i, line in enumerate(statement.lines):
            row = _line_row(line, i + 1, staff_names, group_names)
            for name, values in columns.items():
                values.append(row.get(name))
    return columns


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


def unit_rows(book: Book) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for (unit, period), r in sorted(book.results.items(), key=lambda item: (item[0][1], item[0][0])):
        m = r.measured
        moved = ",".join(d.rule.id for d in r.moved_by)
        for k in m.kpis:
            rows.append({"period": period, "unit": unit, "kpi": k.kpi.id, "metric": k.kpi.metric,
                         "actual": k.actual.quantize(EXACT), "target": k.kpi.target, "attainment": k.attainment,
                         "factor": k.factor, "weight": k.weight, "base_weight": k.kpi.weight, "moved_by": moved,
                         "base": m.base.quantize(EXACT), "amount": k.amount.quantize(EXACT),
                         "gate_open": m.gate is None or m.gate.held, "bonuses": m.bonus_total.quantize(EXACT),
                         "unit_total": m.total.quantize(EXACT)})
    return rows


def as_columns(rows: list[dict[str, Any]], types: dict[str, str]) -> dict[str, list[Any]]:
    return {name: [row.get(name) for row in rows] for name in types}


def arrow_table(columns: dict[str, list[Any]], types: dict[str, str]) -> Any:
    """An Arrow table with exactly these columns and types (empty tables keep their schema).
    Decimals go to Arrow as they are (stored as scaled integers: no "-0.00"); a column with more
    places than its type is rounded half up first."""
    import pyarrow as pa

    def arrow_type(kind: str) -> Any:
        if kind.startswith("decimal"):
            precision, scale = (int(x) for x in kind[8:-1].split(","))
            return pa.decimal128(precision, scale)
        return {"string": pa.string(), "int64": pa.int64(), "boolean": pa.bool_()}[kind]

    def column(name: str, kind: str) -> Any:
        values = columns[name]
        try:
            return pa.array(values, type=arrow_type(kind))
        except pa.ArrowInvalid:  # more places than the type keeps
            unit = Decimal(1).scaleb(-int(kind[8:-1].split(",")[1]))
            return pa.array([None if v is None else Decimal(v).quantize(unit, ROUND_HALF_UP) for v in values],
                            type=arrow_type(kind))

    return pa.table({name: column(name, kind) for name, kind in types.items()})
