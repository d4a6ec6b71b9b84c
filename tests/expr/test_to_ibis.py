"""compile_expr: a condition tree as one Ibis expression, agreeing with evaluate() row by row.

Hand cases for every node kind run on small tables in an in-memory DuckDB; the property
test at the end draws random conditions and tables and compares every row with evaluate().
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

ibis = pytest.importorskip("ibis")
pa = pytest.importorskip("pyarrow")

from qunce.catalog import Names  # noqa: E402
from qunce.expr import evaluate, parse  # noqa: E402
from qunce.expr.to_ibis import (  # noqa: E402
    SCALE,
    MissingColumn,
    compile_expr,
    read_numbers,
    row_values,
)
from qunce.expr.tree import Binary, Call, Compare, Const, Expr, Items, Logic, Name, Unary  # noqa: E402

MEMBER = Names("member")
_CONNECTION: list[Any] = []


def con() -> Any:
    """One in-memory DuckDB for the whole module."""
    if not _CONNECTION:
        _CONNECTION.append(ibis.duckdb.connect())
    return _CONNECTION[0]


def table(**columns: Any) -> Any:
    """A memtable from (type, values) pairs: table(a=("float64", [0.1, None]))."""
    return ibis.memtable(pa.table({name: pa.array(values, type=kind) for name, (kind, values) in columns.items()}))


def run(text: str, data: Any, names: Names | None = None) -> list[Any]:
    """The compiled `text` on every row of `data`, in row order."""
    result = con().to_pyarrow(data.select(r=compile_expr(parse(text), data, names)))
    values: list[Any] = result.column("r").to_pylist()
    return values


def d(text: str) -> Decimal:
    return Decimal(text)


F64 = pa.float64()
I64 = pa.int64()
STR = pa.string()
BOOL = pa.bool_()


# --- numbers ------------------------------------------------------------------------------------


def test_sums_are_decimal_exact_like_evaluate() -> None:
    data = table(a=(F64, [0.1, 0.1, 1.0]), b=(F64, [0.2, 0.3, 2.0]))
    assert run("a + b == 0.3", data) == [True, False, False]
    assert run("a + b >= 0.3", data) == [True, True, True]
    assert run("a + b > 0.3", data) == [False, True, True]
    assert run("0.1 + 0.2 == 0.3", data) == [True, True, True]
    assert run("a * 3 == 0.3", data) == [True, True, False]
    assert run("a + b", data) == [d("0.3"), d("0.4"), d("3")]


def test_a_metric_expression_is_a_decimal_with_twelve_places() -> None:
    data = table(n=(I64, [3]), a=(F64, [1.5]))
    expr = compile_expr(parse("n * a"), data)
    assert expr.type() == ibis.expr.datatypes.Decimal(38, SCALE)
    assert run("n * a", data) == [d("4.5")]
    assert str(run("n", data)[0]) == "3.000000000000"


def test_division_rounds_to_twelve_places_and_is_exact_where_it_ends() -> None:
    data = table(a=(F64, [1.0, 2.0, -7.0, 1234567.89, 0.3, 98765.4321]),
                 b=(F64, [3.0, 3.0, 3.0, 100.0, 0.1, 0.5]))
    assert run("a / b", data) == [d("0.333333333333"), d("0.666666666667"), d("-2.333333333333"),
                                  d("12345.6789"), d("3"), d("197530.8642")]
    # In float64, 0.3 / 0.1 is 2.9999999999999996 and 1234567.89 / 100 is 12345.678900000001.
    assert run("a / b == 3", data)[4] is True
    assert run("a / b >= 12345.6789", data)[3] is True
    assert run("a / b <= 12345.6789", data)[3] is True


@pytest.mark.parametrize(("text", "expected"), [
    ("a / b", [d("0"), d("0"), d("2.5")]),
    ("a % b", [d("0"), d("0"), d("1")]),
    ("a / b >= 0.1", [False, False, True]),
    ("a / 0", [d("0"), d("0"), d("0")]),
    ("a % 0 == 0", [True, True, True]),
    ("(a + 1) / (b - b)", [d("0"), d("0"), d("0")]),
])
def test_division_and_modulo_by_zero_give_zero(text: str, expected: list[Any]) -> None:
    data = table(a=(F64, [5.0, 0.0, 5.0]), b=(F64, [0.0, 0.0, 2.0]))
    assert run(text, data) == expected
    rows = [{"a": 5.0, "b": 0.0}, {"a": 0.0, "b": 0.0}, {"a": 5.0, "b": 2.0}]
    assert [evaluate(parse(text), row) for row in rows] == expected


def test_modulo_keeps_the_sign_of_the_left_side_as_decimal_does() -> None:
    data = table(a=(F64, [-7.0, 7.0, 7.5, -7.5]), b=(F64, [3.0, -3.0, 2.0, 2.0]))
    assert run("a % b", data) == [d("-1"), d("1"), d("1.5"), d("-1.5")]
    assert [evaluate(parse("a % b"), {"a": a, "b": b}) for a, b in [(-7, 3), (7, -3), (7.5, 2), (-7.5, 2)]] == \
        [d("-1"), d("1"), d("1.5"), d("-1.5")]


def test_signs_and_functions() -> None:
    data = table(a=(F64, [-2.5, 4.0]), b=(F64, [1.0, 7.0]), n=(I64, [3, -1]))
    assert run("-a", data) == [d("2.5"), d("-4")]
    assert run("+a", data) == [d("-2.5"), d("4")]
    assert run("-(a - b)", data) == [d("3.5"), d("3")]
    assert run("abs(a)", data) == [d("2.5"), d("4")]
    assert run("min(a, b, n)", data) == [d("-2.5"), d("-1")]
    assert run("max(a, b, n)", data) == [d("3"), d("7")]
    assert run("min(a, 0.25)", data) == [d("-2.5"), d("0.25")]
    assert run("max(abs(a), n) >= 3", data) == [True, True]


def test_integer_and_decimal_columns() -> None:
    data = table(n=(I64, [10**15, 2]), m=(pa.decimal128(18, 2), [d("0.10"), d("12.34")]),
                 x=(pa.decimal128(38, 14), [d("0.00000000000049"), d("0.00000000000050")]))
    assert run("n * m", data) == [d("100000000000000"), d("24.68")]
    assert run("m + 0.2 == 0.3", data) == [True, False]
    assert run("x", data) == [d("0"), d("1E-12")]  # past 12 places, half away from zero


def test_doubles_are_read_with_the_digits_they_were_written_with() -> None:
    # Cast straight to DECIMAL(38, 12) these would be 8804850.251599999744 and 1234567.123399999924.
    data = table(a=(F64, [8804850.2516, 1234567.1234, 0.30000000000000004, 1 / 3, 999.6, -0.5]))
    assert run("a", data) == [d("8804850.2516"), d("1234567.1234"), d("0.3"), d("0.333333333333"), d("999.6"),
                              d("-0.5")]
    assert run("a == 8804850.2516 or a == 1234567.1234", data)[:2] == [True, True]
    prepared = con().to_pyarrow(read_numbers(data)).column("a").to_pylist()
    assert prepared == run("a", data)


# --- comparisons and logic ----------------------------------------------------------------------


@pytest.mark.parametrize(("op", "expected"), [
    (">=", [False, True, True]), (">", [False, False, True]), ("<=", [True, True, False]),
    ("<", [True, False, False]), ("==", [False, True, False]), ("!=", [True, False, True]),
])
def test_every_comparison_at_below_on_and_above_the_threshold(op: str, expected: list[bool]) -> None:
    data = table(points_90d=(I64, [299, 300, 301]))
    assert run(f"points_90d {op} 300", data) == expected
    assert run(f"points_90d - 0.5 {op} 299.5", data) == expected


def test_chained_comparisons() -> None:
    data = table(x=(F64, [1.0, 3.0, 5.0, 5.5]))
    assert run("1 < x <= 5", data) == [False, True, True, False]
    assert run("0 <= x < 5 != x", data) == [True, True, False, False]


def test_and_or_not() -> None:
    data = table(a=(F64, [0.0, 1.0, 1.0, 2.0]), b=(F64, [0.0, 0.0, 1.0, 5.0]))
    assert run("a >= 1 and b >= 1", data) == [False, False, True, True]
    assert run("a >= 1 or b >= 1", data) == [False, True, True, True]
    assert run("a >= 1 and b >= 1 and a + b > 2", data) == [False, False, False, True]
    assert run("a < 1 or b < 1 or a > 1", data) == [True, True, False, True]
    assert run("not a >= 1", data) == [True, False, False, False]
    assert run("not (a >= 1 and b < 1)", data) == [True, False, True, True]
    # Truth as Python's bool(): a number is true unless 0.
    assert run("not a", data) == [True, False, False, False]
    assert run("a and b", data) == [False, False, True, True]


def test_constants_alone_hold_on_every_row() -> None:
    data = table(a=(F64, [1.0, 2.0]))
    assert run("True", data) == [True, True]
    assert run("1 < 2 and not False", data) == [True, True]
    assert run("(a >= 2) == False", data) == [True, False]


def test_text_comparisons_and_lists() -> None:
    data = table(level=(STR, ["gold", "silver", "金卡", "", None]))
    assert run('level == "gold"', data) == [True, False, False, False, False]
    assert run('level != "gold"', data) == [False, True, True, True, True]
    assert run('level == "金卡"', data) == [False, False, True, False, False]
    assert run('level in ["gold", "金卡"]', data) == [True, False, True, False, False]
    assert run('level not in ["gold", "金卡"]', data) == [False, True, False, True, True]
    assert run("level in ['silver', '']", data) == [False, True, False, True, True]  # NULL is ''
    assert run("level in []", data) == [False] * 5
    assert run("level not in []", data) == [True] * 5
    assert run("not level", data) == [False, False, False, True, True]
    assert run('level < "h"', data) == [True, False, False, True, True]  # by code point, as Python


def test_numbers_and_true_false_in_lists() -> None:
    data = table(x=(F64, [1.0, 2.5, 3.0]), vip=(BOOL, [True, False, None]))
    assert run("x in [1, 2.50]", data) == [True, True, False]
    assert run("x not in [1, 2.50]", data) == [False, False, True]
    assert run("x * 2 in [5]", data) == [False, True, False]
    assert run("vip in [True]", data) == [True, False, False]
    assert run("vip == False", data) == [False, True, True]
    assert run("vip or x > 2", data) == [True, True, True]


# --- names --------------------------------------------------------------------------------------


def test_chinese_names_resolve_to_canonical_columns() -> None:
    data = table(points_90d=(I64, [299, 300, 400]), orders_total=(I64, [5, 0, 1]))
    assert run("近90天积分 >= 300", data, MEMBER) == [False, True, True]
    assert run("近90天积分 ≥ 300 and 累计订单数 >= 1", data, MEMBER) == [False, False, True]
    assert run("points_90d >= 300", data, MEMBER) == [False, True, True]
    rows = [{"points_90d": 299, "orders_total": 5}, {"points_90d": 300, "orders_total": 0},
            {"points_90d": 400, "orders_total": 1}]
    tree = parse("近90天积分 ≥ 300 and 累计订单数 >= 1")
    assert [evaluate(tree, row, MEMBER) for row in rows] == [False, False, True]


def test_a_column_named_as_written_comes_first() -> None:
    data = table(**{"近90天积分": (I64, [1]), "points_90d": (I64, [500])})
    assert run("近90天积分 >= 300", data, MEMBER) == [False]
    assert evaluate(parse("近90天积分 >= 300"), {"近90天积分": 1, "points_90d": 500}, MEMBER) is False


def test_a_missing_column_is_named() -> None:
    data = table(points_30d=(I64, [1]))
    with pytest.raises(MissingColumn) as caught:
        compile_expr(parse("近90天积分 >= 300"), data, MEMBER)
    assert isinstance(caught.value, KeyError)
    assert caught.value.column == "points_90d"
    assert "'近90天积分' (column 'points_90d')" in str(caught.value)
    assert "points_30d" in str(caught.value)
    with pytest.raises(KeyError, match="no column for 'points_90d'"):
        compile_expr(parse("points_90d >= 300"), data)
    with pytest.raises(KeyError, match="no column for '近90天积分'"):
        compile_expr(parse("近90天积分 >= 300"), data)  # without names nothing is resolved


# --- missing values -----------------------------------------------------------------------------


def test_null_counts_as_zero_empty_text_and_false() -> None:
    data = table(a=(F64, [None, float("nan"), float("inf"), 2.0]), n=(I64, [None, 1, 1, 1]),
                 level=(STR, [None, "gold", "gold", "gold"]), vip=(BOOL, [None, True, True, True]))
    assert run("a", data) == [d("0"), d("0"), d("0"), d("2")]
    assert run("n == 0", data) == [True, False, False, False]
    assert run("a + n >= 1", data) == [False, True, True, True]
    assert run('level == ""', data) == [True, False, False, False]
    assert run("not vip", data) == [True, False, False, False]
    assert run("10 / a", data) == [d("0"), d("0"), d("0"), d("5")]


def test_row_values_reads_rows_as_the_simulator_does() -> None:
    data = table(a=(F64, [None, 8804850.2516, 1 / 3, float("nan")]), n=(I64, [None, 2, 3, 4]),
                 level=(STR, [None, "gold", "x", "y"]), vip=(BOOL, [None, True, False, True]),
                 m=(pa.decimal128(38, 14), [None, d("0.00000000000050"), d("1"), d("2")]))
    schema = data.schema()
    rows = con().to_pyarrow(data).to_pylist()
    values = [row_values(row, schema) for row in rows]
    assert values[0] == {"a": 0, "n": 0, "level": "", "vip": False, "m": 0}
    assert values[1]["a"] == d("8804850.2516") and values[1]["m"] == d("1E-12")
    assert values[2]["a"] == d("0.333333333333")
    for text in ["a >= 0.333333333333", "a + n > 3", 'level == "" or not vip', "m * 2 == 2E-12", "a / n < 3"]:
        tree = parse(text)
        assert run(text, data) == [evaluate(tree, v) for v in values], text


# --- where the two sides may differ, and what is refused --------------------------------------------


def test_known_differences_after_rounding_are_within_one_unit_of_the_twelfth_place() -> None:
    """Documented in to_ibis: a step past 12 places rounds there, Decimal at its 28th digit."""
    data = table(a=(F64, [0.0001]))
    assert evaluate(parse("2 / 3 * 3 == 2"), {}) is True  # Decimal: 2.000…0001 rounds back to 2
    assert run("2 / 3 * 3", data) == [d("2.000000000001")]
    assert evaluate(parse("1 / 3 * 3 == 1"), {}) is False  # Decimal: 0.999…9
    assert run("1 / 3 * 3 == 1", data) == [False]
    assert evaluate(parse("a * a * a * a > 0"), {"a": 0.0001}) is True
    assert run("a * a * a * a", data) == [d("0")]
    assert run("a * a * a > 0", data) == [True]  # 12 places: still exact


def test_wrong_kinds_raise_type_error() -> None:
    data = table(level=(STR, ["gold"]), x=(F64, [1.0]), day=(pa.date32(), [None]))
    for text in ['level + 1', 'level > 1', 'x in ["a"]', "-level", 'min(level, 1)']:
        with pytest.raises(TypeError):
            compile_expr(parse(text), data)
    with pytest.raises(TypeError):
        compile_expr(Items((Const(Decimal(1), 0, "1"),), 0), data)
    with pytest.raises(TypeError, match="column 'day'"):
        compile_expr(parse("day > 1"), data)


def test_constants_beyond_the_range_and_runaway_divisions_are_refused() -> None:
    data = table(a=(F64, [1.0]), b=(F64, [2.0]))
    with pytest.raises(ValueError, match="beyond"):
        compile_expr(parse("a < 1e30"), data)
    with pytest.raises(ValueError, match="too complex"):
        compile_expr(parse("a" + " / b" * 12), data)
    assert run("a / b / b / b", data) == [d("0.125")]


# --- the property: every row agrees with evaluate() ------------------------------------------------

# Columns a, b, c are doubles with at most 4 places, n an integer, level text, vip true/false.
# Arithmetic leaves stay within ±100 so that no step overflows DECIMAL(38, 24) (see to_ibis).
NUMERIC = ("a", "b", "c", "n")
LEVELS = ("gold", "silver", "金卡", "")
OPS = (">=", ">", "<=", "<", "==", "!=")


def four_places(limit: int) -> st.SearchStrategy[Decimal]:
    """Numbers with at most 4 places within ±limit, zero and small ones often."""
    return st.one_of(
        st.just(Decimal(0)),
        st.integers(-limit, limit).map(Decimal),
        st.integers(-100 * limit, 100 * limit).map(lambda i: Decimal(i).scaleb(-2)),
        st.integers(-10_000 * limit, 10_000 * limit).map(lambda i: Decimal(i).scaleb(-4)),
    )


def written(number: Decimal) -> str:
    text = format(number.normalize(), "f") if number else "0"
    return f"({text})" if text.startswith("-") else text


@st.composite
def arithmetic(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(NUMERIC)) if draw(st.booleans()) else written(draw(four_places(100)))
    kind = draw(st.sampled_from(["binary", "binary", "binary", "minus", "abs", "min", "max"]))
    if kind == "binary":
        op = draw(st.sampled_from(["+", "-", "*", "/", "%"]))
        return f"({draw(arithmetic(depth - 1))} {op} {draw(arithmetic(depth - 1))})"
    if kind == "minus":
        return f"-{draw(arithmetic(depth - 1))}"
    if kind == "abs":
        return f"abs({draw(arithmetic(depth - 1))})"
    args = draw(st.lists(arithmetic(depth - 1), min_size=2, max_size=3))
    return f"{kind}({', '.join(args)})"


@st.composite
def condition(draw: st.DrawFn, depth: int = 2) -> str:
    choice = draw(st.integers(0, 6 if depth > 0 else 3))
    if choice == 0:
        return f"{draw(arithmetic())} {draw(st.sampled_from(OPS))} {written(draw(four_places(10_000)))}"
    if choice == 1:
        low, high = sorted([draw(four_places(1_000)), draw(four_places(1_000))])
        ops = draw(st.sampled_from(["<", "<="])), draw(st.sampled_from(["<", "<="]))
        return f"{written(low)} {ops[0]} {draw(arithmetic())} {ops[1]} {written(high)}"
    if choice == 2:
        op = draw(st.sampled_from(["in", "not in", "==", "!="]))
        if op in ("==", "!="):
            return f'level {op} "{draw(st.sampled_from(LEVELS))}"'
        items = draw(st.lists(st.sampled_from(LEVELS), max_size=3))
        return f"level {op} [{', '.join(repr(i) for i in items)}]"
    if choice == 3:
        return draw(st.sampled_from(["vip", "vip == True", "vip != False", "vip == (n > 0)"]))
    if choice == 4:
        return f"not ({draw(condition(depth - 1))})"
    parts = draw(st.lists(condition(depth - 1), min_size=2, max_size=3))
    return "(" + f" {draw(st.sampled_from(['and', 'or']))} ".join(parts) + ")"


ROWS = 50


@st.composite
def rows(draw: st.DrawFn) -> dict[str, list[Any]]:
    def column(values: st.SearchStrategy[Any]) -> list[Any]:
        return draw(st.lists(values, min_size=ROWS, max_size=ROWS))

    double = four_places(100).map(float)
    return {"a": column(double), "b": column(double), "c": column(double),
            "n": column(st.integers(-100, 100)), "level": column(st.sampled_from(LEVELS)),
            "vip": column(st.booleans())}


PLACES: int = 10**SCALE
HALF_UNIT = Fraction(1, 2 * PLACES)  # the most the simulator's rounding of one step moves it


@dataclass
class _Exact:
    """Exact arithmetic (fractions) with a bound on how far the simulator's value may be from it.

    The bound is 0 while every step's value has at most 12 places, where both sides are exact.
    A comparison whose two sides are closer than the bound is `close`: the simulator rounded at
    the 12th place, Decimal at its 28th digit, and they may then disagree (see to_ibis).
    """

    row: dict[str, Any]
    close: bool = False

    def number(self, expr: Expr) -> tuple[Fraction, Fraction | None]:
        """The exact value and the bound (None: unbounded, e.g. % of a rounded value)."""
        if isinstance(expr, Const):
            assert isinstance(expr.value, Decimal)
            return Fraction(expr.value), Fraction(0)
        if isinstance(expr, Name):
            value = self.row[expr.id]
            return Fraction(Decimal(repr(value)) if isinstance(value, float) else value), Fraction(0)
        if isinstance(expr, Unary):
            value, error = self.number(expr.operand)
            return (-value if expr.op == "-" else value), error
        if isinstance(expr, Call):
            parts = [self.number(a) for a in expr.args]
            errors = [e for _, e in parts]
            error = None if None in errors else max(e for e in errors if e is not None)
            values = [v for v, _ in parts]
            return (abs(values[0]) if expr.func == "abs" else min(values) if expr.func == "min" else max(values)), error
        assert isinstance(expr, Binary)
        (left, el), (right, er) = self.number(expr.left), self.number(expr.right)
        if el is None or er is None:
            return Fraction(0), None
        if expr.op in ("+", "-"):
            return (left + right if expr.op == "+" else left - right), el + er
        if expr.op == "*":
            product = left * right
            rounded = el or er or not _fits(product)
            return product, abs(left) * er + abs(right) * el + el * er + (HALF_UNIT if rounded else 0)
        if right == 0 and er == 0:
            return Fraction(0), Fraction(0)
        if expr.op == "%":
            if el or er:
                return Fraction(0), None  # a remainder jumps: a rounded operand may change it wholly
            return left - right * int(left / right), Fraction(0)
        if abs(right) <= 2 * er:
            return Fraction(0), None
        quotient = left / right
        rounded = el or er or not _fits(quotient)
        return quotient, (el + abs(quotient) * er) / (abs(right) - er) + (HALF_UNIT if rounded else 0)

    def visit(self, expr: Expr) -> None:
        """Mark `close` when a numeric comparison in `expr` is within its bound of a tie."""
        if isinstance(expr, Logic):
            for value in expr.values:
                self.visit(value)
        elif isinstance(expr, Unary) and expr.op == "not":
            self.visit(expr.operand)
        elif isinstance(expr, Compare):
            if not _numeric(expr.left):
                self.visit(expr.left)
                self.visit(expr.right)
                return
            (left, el), (right, er) = self.number(expr.left), self.number(expr.right)
            if el is None or er is None or (el + er and abs(left - right) <= el + er):
                self.close = True


def _fits(value: Fraction) -> bool:
    denominator: int = (value * PLACES).denominator
    return denominator == 1


def _numeric(expr: Expr) -> bool:
    if isinstance(expr, Name):
        return expr.id in NUMERIC
    if isinstance(expr, Const):
        return isinstance(expr.value, Decimal)
    return isinstance(expr, (Binary, Call)) or (isinstance(expr, Unary) and expr.op != "not")


def _table(data: dict[str, list[Any]]) -> Any:
    types = {"a": F64, "b": F64, "c": F64, "n": I64, "level": STR, "vip": BOOL}
    return ibis.memtable(pa.table({k: pa.array(v, type=types[k]) for k, v in data.items()}))


def _rows(data: dict[str, list[Any]]) -> Iterator[dict[str, Any]]:
    for i in range(ROWS):
        yield {k: v[i] for k, v in data.items()}


def test_the_exactness_bound_marks_the_known_differences() -> None:
    for text, close in [("2 / 3 * 3 == 2", True), ("1 / 3 * 3 < 1", True), ("a * a * a * a > 0", True),
                        ("0.1 + 0.2 == 0.3", False), ("a * a * a > 0", False), ("a / 3 > 0.3", False),
                        ("10 / 4 == 2.5", False), ("(1 / 3) % 1 > 0", True)]:
        exact = _Exact({"a": 0.0001})
        exact.visit(parse(text))
        assert exact.close is close, text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(condition(), min_size=1, max_size=6), st.lists(arithmetic(), min_size=1, max_size=3), rows(),
       st.booleans())
def test_every_row_agrees_with_evaluate(conditions: list[str], metrics: list[str], data: dict[str, list[Any]],
                                        prepared: bool) -> None:
    """Booleans compare exactly. Numbers too, except after a step past 12 places, where they may
    differ by the bound `_Exact` derives (about 1e-12 per rounding, through later steps); a
    comparison within that bound of a tie is skipped (see to_ibis: the two sides round at different
    places there). The table is read either with read_numbers first or inside each condition."""
    source = _table(data)
    source = read_numbers(source) if prepared else source
    trees = [parse(text) for text in conditions + metrics]
    result = con().to_pyarrow(source.select(**{f"r{i}": compile_expr(t, source) for i, t in enumerate(trees)}))
    for i, (text, tree) in enumerate(zip(conditions + metrics, trees, strict=True)):
        for row, got in zip(_rows(data), result.column(f"r{i}").to_pylist(), strict=True):
            want = evaluate(tree, row)
            exact = _Exact(row)
            if i < len(conditions):
                exact.visit(tree)
                if exact.close:
                    event("a comparison within rounding of a tie: skipped")
                    continue
                assert got is want, (text, row, got, want)
                continue
            value, error = exact.number(tree)
            if error == 0:
                assert got == want == value, (text, row, got, want)
            elif error is not None:
                slack = error + Fraction(1, 10**20) * max(Fraction(1), abs(value))  # Decimal's own 28 digits
                assert abs(Fraction(got) - Fraction(want)) <= slack, (text, row, got, want, error)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(min_value=-1e15, max_value=1e15), four_places(10**9).map(float), st.none(),
                          st.sampled_from([math.nan, math.inf, -math.inf])), min_size=1, max_size=30))
def test_row_values_reads_doubles_exactly_as_the_simulator(values: list[float | None]) -> None:
    data = table(x=(F64, values))
    compiled = run("x", data)
    assert [row_values({"x": v}, data.schema())["x"] for v in values] == compiled
    for value, got in zip(values, compiled, strict=True):
        if value is not None and math.isfinite(value):
            written_as = Decimal(repr(value))
            if len(written_as.as_tuple().digits) <= 15 and -int(written_as.as_tuple().exponent) <= SCALE:
                assert got == written_as  # what evaluate() reads from the raw double
