"""Evaluate a condition tree on plain values, for explanations and tests.

The simulator compiles the same tree to Ibis; both follow these semantics:
division by zero gives 0 (a rate over no members is 0, not an error).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..catalog import Names
from .tree import Binary, Call, Compare, Const, Expr, Items, Logic, Name, Unary


def evaluate(expr: Expr, values: dict[str, Any], names: Names | None = None) -> Any:
    """The value of `expr` with names looked up in `values`: as written, or by canonical id
    when `names` resolves them (so `近30天订单数` finds `orders_30d`)."""
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, Name):
        if expr.id not in values and names is not None:
            resolved = names.resolve(expr.id)
            if resolved is not None and resolved.id in values:
                return _number(values[resolved.id])
        return _number(values[expr.id])
    if isinstance(expr, Items):
        return [v.value for v in expr.values]
    if isinstance(expr, Logic):
        if expr.op == "and":
            return all(bool(evaluate(v, values, names)) for v in expr.values)
        return any(bool(evaluate(v, values, names)) for v in expr.values)
    if isinstance(expr, Unary):
        inner = evaluate(expr.operand, values, names)
        return (not inner) if expr.op == "not" else (-inner if expr.op == "-" else inner)
    if isinstance(expr, Binary):
        return _binary(expr.op, evaluate(expr.left, values, names), evaluate(expr.right, values, names))
    if isinstance(expr, Call):
        args = [evaluate(a, values, names) for a in expr.args]
        return abs(args[0]) if expr.func == "abs" else (min(args) if expr.func == "min" else max(args))
    assert isinstance(expr, Compare)
    left, right = evaluate(expr.left, values, names), evaluate(expr.right, values, names)
    return _compare(expr.op, left, right)


def _number(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _binary(op: str, left: Decimal, right: Decimal) -> Decimal:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if right == 0:
        return Decimal(0)
    return left / right if op == "/" else left % right


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "in":
        return bool(left in right)
    if op == "not in":
        return bool(left not in right)
    table = {">=": left >= right, ">": left > right, "<=": left <= right, "<": left < right,
             "==": left == right, "!=": left != right}
    return bool(table[op])
