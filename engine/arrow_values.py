"""Arrow arrays from Python values without importing pandas.

pyarrow's `pa.array` (and `pa.table` of lists, `pa.scalar`, a compute function given a Python
number) first asks whether it was handed a pandas object, and imports pandas to know: ~0.2 s, as
much as a small re-run's whole commission. The arrays here are the same, built from their
buffers: text from its UTF-8 bytes and offsets, whole numbers as machine words, truth values and
validity as bits, decimals as text that Arrow casts (the parse `pa.array` does on a Decimal's
`str`: the same values, and ArrowInvalid where `pa.array` raises it: more places than the type
keeps, more digits than its precision). `tests/core/test_arrow_values.py` compares both."""

from __future__ import annotations

from array import array as machine
from collections.abc import Mapping, Sequence
from itertools import accumulate
from typing import Any

_INT32_MAX = (1 << 31) - 1
_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()


def array(values: Sequence[Any], kind: Any) -> Any:
    """`pa.array(values, type=kind)` for a string, int64, int32, date32, boolean or decimal128
    `kind` (others: `pa.array` itself); None is null."""
    import pyarrow as pa

    values = values if isinstance(values, list) else list(values)
    size = len(values)
    if pa.types.is_decimal(kind):
        import pyarrow.compute as pc

        if any(isinstance(v, float) for v in values):  # as pa.array: a float is no exact amount
            raise TypeError(f"a float among the values of a {kind} column")
        text = array([None if v is None else str(v) for v in values], pa.string())
        return pc.cast(text, kind)  # safe: ArrowInvalid rather than a digit lost
    validity, nulls = _validity(values)
    if pa.types.is_string(kind):
        encoded = [b"" if v is None else v.encode() for v in values]
        ends = list(accumulate(map(len, encoded), initial=0))
        if ends[-1] > _INT32_MAX:  # over 2 GiB of text: pa.array splits it in chunks
            return pa.array(values, type=kind)
        return pa.Array.from_buffers(kind, size, [validity, pa.py_buffer(machine("i", ends)),
                                                  pa.py_buffer(b"".join(encoded))], null_count=nulls)
    if pa.types.is_int64(kind):
        words = machine("q", [0 if v is None else v for v in values] if nulls else values)
        return pa.Array.from_buffers(kind, size, [validity, pa.py_buffer(words)], null_count=nulls)
    if pa.types.is_int32(kind) or pa.types.is_date32(kind):
        # a date32 is its days since 1970-01-01 (Python's ordinal 719163)
        ints = [0 if v is None else (v.toordinal() - _EPOCH_ORDINAL if pa.types.is_date32(kind) else v)
                for v in values]
        if any(not -_INT32_MAX - 1 <= v <= _INT32_MAX for v in ints):  # as pa.array: out of range
            raise OverflowError(f"a value out of the range of {kind}")
        return pa.Array.from_buffers(kind, size, [validity, pa.py_buffer(machine("i", ints))], null_count=nulls)
    if pa.types.is_boolean(kind):
        return pa.Array.from_buffers(kind, size, [validity, _bits([v is not None and bool(v) for v in values])],
                                     null_count=nulls)
    return pa.array(values, type=kind)


def table(columns: dict[str, Any]) -> Any:
    """`pa.table(columns)` of Arrow arrays (or chunked arrays), in this order."""
    import pyarrow as pa

    return pa.Table.from_arrays(list(columns.values()), names=list(columns))


def table_of(columns: Mapping[str, Sequence[Any]], schema: Any) -> Any:
    """`pa.table(columns, schema=schema)` of Python values, each column by `array`."""
    import pyarrow as pa

    return pa.Table.from_arrays([array(columns[f.name], f.type) for f in schema], schema=schema)


def int64s(words: Any, valid: Any = None) -> Any:
    """An int64 array over a buffer of machine words (an `array("q")`, a numpy int64 array),
    without a copy; `valid`: a numpy array of booleans, False where the value is null."""
    import numpy as np
    import pyarrow as pa

    size = len(words)
    nulls = 0 if valid is None else size - int(np.count_nonzero(valid))
    return pa.Array.from_buffers(pa.int64(), size, [_bits(valid) if nulls else None, pa.py_buffer(words)],
                                 null_count=nulls)


def scaled_decimals(words: Any, kind: Any) -> Any:
    """A decimal128 array of `kind` whose unscaled values are these int64 words (fen as yuan with
    two places: the same as multiplying by 0.01); ArrowInvalid when one has more digits than
    the type's precision."""
    import numpy as np
    import pyarrow as pa

    ints = np.frombuffer(words, dtype=np.int64) if len(words) else np.zeros(0, dtype=np.int64)
    largest = 10 ** min(kind.precision, 18) - 1
    if len(ints) and (int(ints.max()) > largest or int(ints.min()) < -largest):
        raise pa.ArrowInvalid(f"a value with more digits than {kind} keeps")
    # Little-endian two's complement in 16 bytes: the low word, then its sign.
    wide = np.empty((len(ints), 2), dtype="<i8")
    wide[:, 0] = ints
    wide[:, 1] = ints >> 63
    return pa.Array.from_buffers(kind, len(ints), [None, pa.py_buffer(wide)])


def _validity(values: list[Any]) -> tuple[Any, int]:
    nulls = values.count(None)
    if not nulls:
        return None, 0
    return _bits([v is not None for v in values]), nulls


def _bits(flags: Sequence[bool]) -> Any:
    """Arrow's bitmap of these flags (least significant bit first)."""
    import numpy as np
    import pyarrow as pa

    return pa.py_buffer(np.packbits(np.asarray(flags, dtype=np.bool_), bitorder="little"))
