"""Compile a condition tree to Ibis: the simulator evaluates it on every row at once.

`compile_expr(tree, table, names)` gives one Ibis expression over `table`, whose
columns are named by canonical ids (`points_90d`); a name absent as written
(`近90天积分`) is resolved with `names`, as `evaluate()` does. The expression
follows `evaluate()` (the Python side, used for explanations) node by node:
`/` and `%` by zero give 0; `%` keeps the sign of its left side (as Decimal's
and SQL's do); `and`, `or`, `not` take truth as Python's bool() does; text
compares by code point; `in` / `not in` is membership in the written list
(an empty list: never / always); min, max, abs as in Python.

Numbers are decimals, not float64. `evaluate()` computes with Decimal, so
`0.1 + 0.2 == 0.3` holds; in float64 it does not, and a member exactly on a
threshold (`a + b >= 0.3`, `sales / cost >= 1.5`) would be counted by the
simulator and by its explanation on different sides. Rounding floats before
comparing fixes ties but breaks near-ties (a tolerance of 1e-9 makes
0.0001 * 0.0001 * 0.1 > 0 false). So every number is a DECIMAL(38, s),
s <= SCALE = 12, and the scale of each step is tracked here:

- integer columns are exact; decimal columns exact up to 12 places; float64
  columns are read as `Decimal(repr(x))` reads them — the 15 significant digits
  the double was written with, at most 12 places (`_read_double`);
- constants are exact (rounded half away from zero past 12 places);
- `+ - % min max abs` are exact; `*` is exact while the product has at most
  12 places (three 4-place factors) and rounds half away from zero after;
- `/` is the quotient rounded to the nearest 12-place number (`_divide`).

So both sides agree exactly whenever every step's exact value has at most 12
places and 28 significant digits. Otherwise the simulator rounds at the 12th
place and Decimal at its 28th digit, and a comparison may differ only when its
two sides are within about 1e-12 of each other: `2 / 3 * 3 == 2` is true for
Decimal (2.000…0001 rounds back to 2) and false here (0.666666666667 * 3);
`a * b * c * d > 0` with four values of 0.0001 is true for Decimal and false
here (1e-16 rounds to 0).

Range: magnitudes below 10^26, and below 10^14 for a product of two
non-integers (a DECIMAL(38, 24) before rounding back; so too the dividend of a
division by a non-integer); past that DuckDB raises an overflow error where
Decimal would round. Constants past 10^26 are refused when compiling.

Missing values: a NULL counts as 0 for a number, '' for text and false for
true/false (a member with no events in a window has no row to sum); a float
NaN or infinity counts as 0 too. `evaluate()` never sees None: build its
`values` with `row_values()`, which applies the same rules and reads numbers
the same way, so that an explanation starts from the simulator's numbers.

Portability: only portable Ibis operations (CAST, TRY_CAST, COALESCE, NULLIF,
LEAST/GREATEST, ROUND, LOG10, POWER, IN). Division takes its first guess in
float64 and corrects it exactly in decimal, so it does not depend on what
DECIMAL / DECIMAL gives (DuckDB: a DOUBLE; Spark: a DECIMAL of derived scale).
What does depend on the backend is decimal typing, isolated in `_cast`: every
step is cast back to the scale tracked here. On Spark set
spark.sql.decimalOperations.allowPrecisionLoss=false, so that a product of two
DECIMAL(38, 12) keeps its 24 places until that cast.

Size: the SQL repeats an operand where a step uses it twice (reading a double,
dividing). Apply `read_numbers(table)` once before compiling many conditions,
so that double columns are read in one projection rather than inside each
condition; MAX_SIZE refuses conditions whose SQL would explode (nested `/`).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, Literal

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir

from ..catalog import Names
from .tree import Binary, Call, Compare, Const, Expr, Items, Logic, Name, Unary

__all__ = ["MAX_SIZE", "SCALE", "MissingColumn", "compile_expr", "read_numbers", "row_values", "rows_values"]

SCALE = 12  # decimals kept by every number
PRECISION = 38  # DECIMAL(38, s): the widest both DuckDB and Spark have
SIGNIFICANT = 15  # digits a double is read to: every decimal of up to 15 digits survives a round trip
MAX_SIZE = 20_000  # nodes of the generated SQL; each `/` repeats its operands (see _divide)

Kind = Literal["number", "text", "bool"]


class MissingColumn(KeyError):
    """The table has no column for a name in the condition."""

    def __init__(self, name: str, column: str, columns: tuple[str, ...]) -> None:
        self.name = name
        self.column = column
        where = f"'{name}'" if name == column else f"'{name}' (column '{column}')"
        shown = ", ".join(columns[:20]) + (", …" if len(columns) > 20 else "")
        self.message = f"no column for {where}; the table has: {shown or '—'}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class _Out:
    """A compiled node: its kind, its Ibis value and, for numbers, its decimal scale."""

    kind: Kind
    value: ir.Value  # DECIMAL(38, scale) for numbers, STRING for text, BOOLEAN for true/false
    scale: int = 0
    size: int = 1  # nodes once the SQL is written out


def compile_expr(expr: Expr, table: ir.Table, names: Names | None = None) -> ir.Value:
    """An Ibis value over `table` computing `expr` on every row, as `evaluate()` does on one.

    Columns are canonical ids; a name absent as written is resolved with `names`
    (`近90天积分` → `points_90d`), else MissingColumn. A condition gives a BOOLEAN
    value, a metric expression a DECIMAL(38, 12), text a STRING. The tree should
    have passed `check()`: operands of the wrong kind raise TypeError here.
    """
    out = _Compiler(table, names).compile(expr)
    if out.kind == "number":
        return _cast(out.value, SCALE)
    return out.value


def row_values(row: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """The `values` for `evaluate()` from one row of a table (e.g. `table.schema()`), read as
    `compile_expr` reads the columns: NULL as 0, '' or False; NaN and infinities as 0;
    numbers as Decimal with at most 12 places, doubles to 15 significant digits."""
    return rows_values([row], schema)[0]


def rows_values(rows: Sequence[Mapping[str, Any]], schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    """`row_values` of many rows of one table (each column's kind worked out once)."""
    kinds = [(column, _kind_of(dt.dtype(dtype))) for column, dtype in schema.items()]
    out: list[dict[str, Any]] = []
    with localcontext() as context:
        context.prec = 2 * PRECISION  # quantizing 1e25 to 12 places needs 38 digits
        for row in rows:
            values: dict[str, Any] = {}
            for column, kind in kinds:
                value = row.get(column)
                if kind == "number":
                    values[column] = _read_number_exactly(value)
                elif kind == "text":
                    values[column] = "" if value is None else value
                elif kind == "bool":
                    values[column] = False if value is None else bool(value)
                else:
                    values[column] = value
            out.append(values)
    return out


_SCALE_UNIT = Decimal(1).scaleb(-SCALE)  # built once: read for every number of every row


def _read_number_exactly(value: Any) -> Decimal:
    if value is None:
        return Decimal(0).quantize(_SCALE_UNIT)
    if isinstance(value, float):
        if not math.isfinite(value):
            return Decimal(0).quantize(_SCALE_UNIT)
        # _read_double step by step, with the same float64 operations.
        whole = Decimal(value).quantize(Decimal(1), ROUND_HALF_UP)
        digits = min(max(SIGNIFICANT - 1 - max(abs(whole) - 1, Decimal(1)).adjusted(), 1), SCALE)
        units = Decimal((value - float(whole)) * 10.0**digits).quantize(Decimal(1), ROUND_HALF_UP)
        return (whole + units.scaleb(-digits)).quantize(_SCALE_UNIT)
    number = value if isinstance(value, Decimal) else Decimal(value)
    return number.quantize(_SCALE_UNIT, ROUND_HALF_UP)


def _unit(scale: int) -> Decimal:
    return Decimal(1).scaleb(-scale)


def _decimal(scale: int) -> dt.Decimal:
    return dt.Decimal(PRECISION, scale)


def _cast(value: ir.Value, scale: int) -> ir.Value:
    """`value` as DECIMAL(38, scale), always written out.

    Ibis infers its own decimal types (e.g. DECIMAL(38, 12) for the product of two
    DECIMAL(38, 12)) and drops a cast it believes is a no-op; the backend's type
    differs (DuckDB: DECIMAL(38, 24)). Building the Cast node directly keeps it.
    """
    return ops.Cast(value, to=_decimal(scale)).to_expr()


def _literal(number: Decimal, scale: int) -> ir.Value:
    return ibis.literal(number.quantize(_unit(scale), ROUND_HALF_UP), type=_decimal(scale))


def _kind_of(dtype: dt.DataType) -> Kind | None:
    if dtype.is_boolean():
        return "bool"
    if dtype.is_string():
        return "text"
    if dtype.is_numeric():
        return "number"
    return None


def _read_double(x: ir.Value) -> ir.Value:
    """A float64 value as DECIMAL(38, 12), as Decimal(repr(x)) reads it when x was written
    with at most 15 significant digits; NULL for NULL, NaN and infinities.

    Casting a double straight to DECIMAL(38, 12) multiplies by 10^12 in floating
    point: 8804850.2516 becomes 8804850.251599999744. Here the whole part is cast
    exactly and the rest (exact in binary, at most 0.5) is rounded to the places
    the double really has — 15 significant digits in all, at most 12 places — so
    every value written with at most 15 significant digits (below 2^53) comes back
    exactly. `_read_number_exactly` repeats these steps in Python for `rows_values`.
    """
    x = x.cast("float64")  # a float32 too, exactly
    whole = x.try_cast(dt.Decimal(PRECISION, 0))  # the nearest integer, exact; NULL for NaN and infinities
    rest = x - whole.cast("float64")  # exact, at most 0.5
    # Digits before the point, less one; |whole| - 1 so that 999.6 (whole 1000) counts as below 1000.
    magnitude = ibis.greatest(whole.abs() - 1, 1).cast("float64").log10().floor()
    power = ibis.literal(10.0) ** ibis.least(ibis.greatest(SIGNIFICANT - 1 - magnitude, 1), SCALE)
    fraction = ((rest * power).round() / power).cast(_decimal(SCALE))  # exact in float64 until the cast
    return _cast(_cast(whole, SCALE) + fraction, SCALE)


def read_numbers(table: ir.Table) -> ir.Table:
    """`table` with every float64 column read as DECIMAL(38, 12), once (see `_read_double`).

    `compile_expr` reads a float64 column the same way, but inside the condition,
    where the SQL repeats it; read the table first when compiling many conditions.
    """
    doubles = {name: _read_double(table[name]) for name, dtype in table.schema().items() if dtype.is_floating()}
    return table.mutate(**doubles) if doubles else table


def _divide(left: _Out, right: _Out) -> _Out:
    """left / right rounded to the nearest 12-place number (an exact half, as in
    2.4297 / 2.4576 = 0.9886474609375, may go either way); 0 when right is 0.

    A first guess in float64 (right to about 16 digits: not enough to round the
    12th decimal of a quotient above 1000), then the exact remainder
    left - guess * right, in decimal, corrects it. Writing the SQL out repeats
    `left` three times and `right` four: MAX_SIZE guards against nesting.
    """
    right_safe = right.value.nullif(0)  # NULL where right is 0 → the result is 0
    guess = _cast(left.value.cast("float64") / right_safe.cast("float64"), SCALE)
    remainder = left.value - _cast(guess * right_safe, SCALE + right.scale)
    correction = _cast(remainder.cast("float64") / right_safe.cast("float64"), SCALE)
    quotient = _cast(guess + correction, SCALE).fill_null(_literal(Decimal(0), SCALE))
    return _Out("number", quotient, SCALE, 3 * left.size + 4 * right.size + 12)


class _Compiler:
    def __init__(self, table: ir.Table, names: Names | None) -> None:
        self.table = table
        self.names = names
        self.columns: tuple[str, ...] = tuple(table.columns)

    def compile(self, expr: Expr) -> _Out:
        out = self._compile(expr)
        if out.size > MAX_SIZE:
            raise ValueError(f"the condition is too complex to compile (about {out.size} SQL nodes, "
                             f"at most {MAX_SIZE}): nest fewer divisions")
        return out

    def _compile(self, expr: Expr) -> _Out:
        if isinstance(expr, Const):
            return self.const(expr)
        if isinstance(expr, Name):
            return self.name(expr)
        if isinstance(expr, Items):
            raise TypeError("a list may only follow 'in' or 'not in'")
        if isinstance(expr, Logic):
            parts = [self.compile(v) for v in expr.values]
            truths = [_truth(p) for p in parts]
            value = truths[0]
            for truth in truths[1:]:
                value = (value & truth) if expr.op == "and" else (value | truth)
            return _Out("bool", value, size=sum(p.size for p in parts) + 1)
        if isinstance(expr, Unary):
            inner = self.compile(expr.operand)
            if expr.op == "not":
                return _Out("bool", ~_truth(inner), size=inner.size + 1)
            if expr.op not in ("-", "+"):
                raise ValueError(f"unknown operator {expr.op!r}")
            number = _number(inner, expr.op)
            value = -number.value if expr.op == "-" else number.value
            return _Out("number", value, number.scale, number.size + 1)
        if isinstance(expr, Binary):
            return self.binary(expr.op, _number(self.compile(expr.left), expr.op),
                               _number(self.compile(expr.right), expr.op))
        if isinstance(expr, Call):
            args = [_number(self.compile(a), f"{expr.func}()") for a in expr.args]
            size = sum(a.size for a in args) + 1
            if expr.func == "abs":
                return _Out("number", args[0].value.abs(), args[0].scale, size)
            if expr.func not in ("min", "max"):
                raise ValueError(f"unknown function {expr.func}()")
            scale = max(a.scale for a in args)
            values = [_cast(a.value, scale) for a in args]
            value = ibis.least(*values) if expr.func == "min" else ibis.greatest(*values)
            return _Out("number", value, scale, size)
        return self.compare(expr)

    def const(self, expr: Const) -> _Out:
        value = expr.value
        if isinstance(value, bool):
            return _Out("bool", ibis.literal(value, type="boolean"))
        if isinstance(value, str):
            return _Out("text", ibis.literal(value, type="string"))
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) else 0
        scale = min(max(places, 0), SCALE)
        if abs(value) >= Decimal(10) ** (PRECISION - SCALE):
            raise ValueError(f"the number {expr.text} is beyond what the simulator computes with "
                             f"(below 10^{PRECISION - SCALE} in magnitude)")
        return _Out("number", _literal(value, scale), scale)

    def name(self, expr: Name) -> _Out:
        column = expr.id
        if column not in self.columns and self.names is not None:
            resolved = self.names.resolve(expr.id)
            if resolved is not None:
                column = resolved.id
        if column not in self.columns:
            raise MissingColumn(expr.id, column, self.columns)
        value = self.table[column]
        dtype = value.type()
        kind = _kind_of(dtype)
        if kind == "text":
            return _Out("text", value.fill_null(""))
        if kind == "bool":
            return _Out("bool", value.fill_null(False))
        if kind is None:
            raise TypeError(f"column '{column}' holds {dtype}, not a number, text or true/false")
        if dtype.is_floating():
            return _Out("number", _read_double(value).fill_null(_literal(Decimal(0), SCALE)), SCALE, 30)
        scale = min(dtype.scale or 0, SCALE) if dtype.is_decimal() else 0
        return _Out("number", _cast(value, scale).fill_null(_literal(Decimal(0), scale)), scale, 3)

    def binary(self, op: str, left: _Out, right: _Out) -> _Out:
        size = left.size + right.size + 1
        if op == "/":
            return _divide(left, right)
        if op == "*":
            scale = min(left.scale + right.scale, SCALE)
            return _Out("number", _cast(left.value * right.value, scale), scale, size)
        scale = max(left.scale, right.scale)
        a, b = _cast(left.value, scale), _cast(right.value, scale)  # same scales: DuckDB's % stays decimal
        if op == "+":
            return _Out("number", _cast(a + b, scale), scale, size)
        if op == "-":
            return _Out("number", _cast(a - b, scale), scale, size)
        if op == "%":
            value = _cast(a % b.nullif(0), scale).fill_null(_literal(Decimal(0), scale))
            return _Out("number", value, scale, size + right.size)
        raise ValueError(f"unknown operator {op!r}")

    def compare(self, expr: Compare) -> _Out:
        left = self.compile(expr.left)
        if expr.op in ("in", "not in"):
            return self.membership(expr, left)
        right = self.compile(expr.right)
        if left.kind != right.kind:
            raise TypeError(f"cannot compare {_WORDS[left.kind]} with {_WORDS[right.kind]}")
        a, b = left.value, right.value
        if left.kind == "number":
            scale = max(left.scale, right.scale)
            a, b = _cast(a, scale), _cast(b, scale)
        if expr.op not in _COMPARE:
            raise ValueError(f"unknown comparison {expr.op!r}")
        value = _COMPARE[expr.op](a, b)
        return _Out("bool", value, size=left.size + right.size + 1)

    def membership(self, expr: Compare, left: _Out) -> _Out:
        if not isinstance(expr.right, Items):
            raise TypeError(f"'{expr.op}' needs a list on its right")
        items = [self.const(item) for item in expr.right.values]
        for item in items:
            if item.kind != left.kind:
                raise TypeError(f"the list holds {_WORDS[item.kind]} but the left side is {_WORDS[left.kind]}")
        if not items:  # `x in []` is never true; SQL has no empty IN list
            return _Out("bool", ibis.literal(expr.op == "not in"), size=1)
        target, values = left.value, [i.value for i in items]
        if left.kind == "number":
            scale = max(left.scale, *(i.scale for i in items))
            target, values = _cast(target, scale), [_cast(v, scale) for v in values]
        value = target.isin(values) if expr.op == "in" else target.notin(values)
        return _Out("bool", value, size=left.size + len(items) + 1)


_WORDS = {"number": "a number", "text": "text", "bool": "true/false"}
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq, "!=": operator.ne}


def _number(out: _Out, op: str) -> _Out:
    if out.kind != "number":
        raise TypeError(f"'{op}' works on numbers only, not on {_WORDS[out.kind]}")
    return out


def _truth(out: _Out) -> ir.Value:
    """What Python's bool() gives: a number is true unless 0, text unless empty."""
    if out.kind == "bool":
        return out.value
    if out.kind == "number":
        return out.value != 0
    return out.value != ""
