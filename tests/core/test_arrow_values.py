"""engine/arrow_values.py: the arrays pa.array would build, built without importing pandas."""

from __future__ import annotations

import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")

from qunce import arrow_values  # noqa: E402
from qunce.commission.tables import arrow_array  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _same(values: list[Any], kind: Any) -> None:
    built = arrow_values.array(values, kind)
    expected = pa.array(values, type=kind)
    assert built.type == expected.type
    assert built.null_count == expected.null_count
    assert built.to_pylist() == expected.to_pylist()
    assert built.equals(expected)


def test_text_whole_numbers_and_truth_values() -> None:
    _same([], pa.string())
    _same(["a", None, "", "群策 qunce", "=1+2", "\x00", "😀" * 3], pa.string())
    _same([None, None], pa.string())
    _same([0, -1, 2**63 - 1, -(2**63), None], pa.int64())
    _same([True, False, None, True] * 5, pa.bool_())
    rng = random.Random(7)
    _same([rng.choice([None, True, False]) for _ in range(1001)], pa.bool_())
    _same([None if rng.random() < 0.1 else rng.randint(-10**12, 10**12) for _ in range(1001)], pa.int64())


@pytest.mark.parametrize("kind", [pa.decimal128(18, 2), pa.decimal128(18, 6), pa.decimal128(38, 12)])
def test_decimals_as_pa_array_gives_them(kind: Any) -> None:
    rng = random.Random(11)
    places = Decimal(1).scaleb(-kind.scale)
    values: list[Any] = [None, Decimal("-0"), Decimal("0E-12"), Decimal("1E+3"), Decimal("-0.00"), 0, 150, -7]
    values += [(Decimal(rng.randint(-10**9, 10**9)) / 7).quantize(places) for _ in range(500)]
    _same(values, kind)


@pytest.mark.parametrize("value", [Decimal("0.1234567"), Decimal("1E+30"), Decimal("NaN")])
def test_a_decimal_the_type_cannot_hold_is_refused_as_pa_array_refuses_it(value: Decimal) -> None:
    kind = pa.decimal128(18, 6)
    with pytest.raises(pa.ArrowInvalid):
        pa.array([value], type=kind)
    with pytest.raises(pa.ArrowInvalid):
        arrow_values.array([value], kind)


def test_a_float_is_no_amount() -> None:
    with pytest.raises(TypeError):
        arrow_values.array([Decimal(1), 0.5], pa.decimal128(18, 2))


def test_the_commission_rounds_more_places_half_up_as_before() -> None:
    assert arrow_array([Decimal("0.1234565"), Decimal("-0.1234565"), None], "decimal(18, 6)").to_pylist() == [
        Decimal("0.123457"), Decimal("-0.123457"), None]


def test_scaled_decimals_and_int64s_over_machine_words() -> None:
    from array import array

    import numpy as np

    fen = array("q", [0, 1, -1, 123456, -(10**17), 10**18 - 1])
    built = arrow_values.scaled_decimals(fen, pa.decimal128(18, 2))
    assert built.to_pylist() == [Decimal(v).scaleb(-2) for v in fen]
    assert arrow_values.scaled_decimals(array("q"), pa.decimal128(18, 2)).to_pylist() == []
    with pytest.raises(pa.ArrowInvalid):
        arrow_values.scaled_decimals(array("q", [10**18]), pa.decimal128(18, 2))
    words = np.array([3, -1, 5], dtype=np.int64)
    assert arrow_values.int64s(words, words >= 0).to_pylist() == [3, None, 5]
    assert arrow_values.int64s(array("q", [1, 2])).to_pylist() == [1, 2]


def test_nothing_here_imports_pandas() -> None:
    code = ("import sys\nfrom decimal import Decimal\nimport pyarrow as pa\nfrom qunce import arrow_values\n"
            "arrow_values.table({'s': arrow_values.array(['a', None], pa.string()),\n"
            "                    'd': arrow_values.array([Decimal('1.5'), None], pa.decimal128(18, 2)),\n"
            "                    'b': arrow_values.array([True, None], pa.bool_()),\n"
            "                    'i': arrow_values.array([1, None], pa.int64())})\n"
            "sys.exit('pandas imported' if 'pandas' in sys.modules else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_days_and_small_whole_numbers() -> None:
    import datetime as dt

    rng = random.Random(5)
    days = [dt.date(1970, 1, 1), dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(1969, 12, 31), None]
    days += [dt.date(2000, 1, 1) + dt.timedelta(days=rng.randint(-40000, 40000)) for _ in range(300)]
    _same(days, pa.date32())
    _same([0, -1, 2**31 - 1, -(2**31), None] + [rng.randint(-10**6, 10**6) for _ in range(300)], pa.int32())
    with pytest.raises(OverflowError):
        arrow_values.array([2**31], pa.int32())


def test_a_table_of_python_values_is_the_one_pa_table_builds() -> None:
    import datetime as dt

    schema = pa.schema([("idx", pa.int32()), ("day", pa.date32()), ("name", pa.string()), ("on", pa.bool_())])
    columns = {"idx": [1, None, 3], "day": [dt.date(2027, 1, 1), None, dt.date(2026, 12, 6)],
               "name": ["群", None, "a"], "on": [True, None, False]}
    assert arrow_values.table_of(columns, schema).equals(pa.table(columns, schema=schema))
