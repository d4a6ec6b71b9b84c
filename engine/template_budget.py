"""What a template may build while it renders: a budget over the whole render, in about bytes
(text it prints, inside macros too; strings, lists and dicts it computes; a character counts 1,
an item ITEM_BYTES), and a bound on the integers it computes. Steps alone do not bound memory:
a list extended with itself or a number squared twenty times takes few steps and gigabytes.

The sandbox (engine/sandbox.py) charges the budget before each operation that builds something,
from sizes known without building it, so a bomb stops before its allocation, not after.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized
from contextvars import ContextVar, Token
from types import FrameType
from typing import Any

from jinja2.utils import Namespace

from .errors import BilingualError

# A message needs no number longer than a line: 1,024 bits are 308 digits, the range of a float.
MAX_INT_BITS = 1024
# What a message template may build in all, in about bytes: ten times the text it may print.
MAX_BUILT = 100_000
# A list, tuple, dict or set item counts as the pointer it takes (a character counts 1).
ITEM_BYTES = 8

_END = object()


class BudgetExceeded(BilingualError):
    """A template did more work, or produced more text, than a group message ever needs."""

    # For too many steps: the frame of the template that took most of them (a loop in an
    # included template runs while the includer's frame is the one on the stack).
    frame: FrameType | None = None


class Built:
    """What one render has built so far, against its limit; and the text of lists and dicts it
    has printed (measured item by item in Python, so kept to MAX_BUILT even in the handbook)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.printed = 0

    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


_CURRENT: ContextVar[Built | None] = ContextVar("qunce_template_built", default=None)


def start(max_chars: int) -> Token[Built | None]:
    """Open the budget of one render: MAX_BUILT, or four times its output limit when that is
    larger (the handbook, whose macros' text is printed again by their callers: the built-in
    templates build about twice what they print)."""
    return _CURRENT.set(Built(max(MAX_BUILT, 4 * max_chars)))


def stop(token: Token[Built | None]) -> None:
    _CURRENT.reset(token)


def remaining() -> int:
    """What the current render may still build (MAX_BUILT outside a render)."""
    built = _CURRENT.get()
    return MAX_BUILT if built is None else built.remaining()


def charge(units: int) -> None:
    """Count `units` (about bytes) about to be built; raise BudgetExceeded past the limit."""
    built = _CURRENT.get()
    limit = MAX_BUILT if built is None else built.limit
    used = units if built is None else built.used + units
    if used > limit:
        raise BudgetExceeded(f"builds more than {limit} bytes of text and lists in all",
                             f"累计生成的文本和列表超过 {limit} 字节")
    if built is not None:
        built.used = used


def charge_items(count: int) -> None:
    """Charge `count` list, tuple, dict or set items about to be built."""
    charge(count * ITEM_BYTES)


def charge_value(value: Any) -> None:
    """Charge a value that was just built: its text, or its items (a lazy sequence is charged
    where it is drawn); refuse an over-long integer."""
    if isinstance(value, (str, bytes, bytearray)):
        charge(len(value))
    elif isinstance(value, (list, tuple, dict, set, frozenset)):
        charge_items(len(value))
    check_int(value)


def length_cost(value: Any) -> int:
    """What a copy of a text or a sequence costs, in the units `charge` counts."""
    if isinstance(value, (str, bytes, bytearray)):
        return len(value)
    return len(value) * ITEM_BYTES if isinstance(value, Sized) else 0


def printed(value: Any) -> int:
    """The length of str(value), at least, measured without printing it. Measuring a list or
    a dict walks it: its text counts against MAX_BUILT characters of such text per render."""
    if isinstance(value, (str, bytes, bytearray)):
        return len(value)
    built = _CURRENT.get()
    done = 0 if built is None else built.printed
    size = printed_size(value, MAX_BUILT - done + 1)
    if done + size > MAX_BUILT:
        raise BudgetExceeded(f"prints lists or dicts as more than {MAX_BUILT} characters in all",
                             f"把列表或字典打印成文本累计超过 {MAX_BUILT} 个字符")
    if built is not None:
        built.printed = done + size
    return size


def charge_printed(value: Any) -> None:
    """Charge what printing `value` builds."""
    charge(printed(value))


def check_int(value: Any) -> None:
    """Refuse an integer longer than MAX_INT_BITS."""
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise BudgetExceeded(f"computes a number longer than {MAX_INT_BITS} bits (308 digits)",
                             f"计算出的数超过 {MAX_INT_BITS} 个二进制位（308 位数字）")


def int_result_bits(operator: str, left: Any, right: Any) -> float:
    """About the bits of `left operator right` for two integers, without computing it (0 for
    other operands and operators)."""
    if not (isinstance(left, int) and isinstance(right, int)):
        return 0
    if operator in ("+", "-"):
        return max(left.bit_length(), right.bit_length()) + 1
    if operator == "*":
        return left.bit_length() + right.bit_length()
    if operator == "**" and right > 0 and abs(left) >= 2:
        return right * math.log2(abs(left))
    return 0


def printed_size(value: Any, cap: int) -> int:
    """A lower bound of len(str(value)), counted only until it passes `cap`. A list that holds
    the same list twice prints it twice, so shared parts count each time (a tree of shared
    lists costs at most `cap` to measure, however large it would print)."""
    total = 0
    pending: list[Iterator[Any]] = [iter((value,))]
    while pending and total <= cap:
        item = next(pending[-1], _END)
        if item is _END:
            pending.pop()
        elif isinstance(item, (str, bytes, bytearray)):
            total += len(item)
        elif isinstance(item, int):
            total += item.bit_length() * 3 // 10 + 1
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            pending.append(_pairs(item))
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 2 + 2 * len(item)
            pending.append(iter(item))
        elif isinstance(item, Namespace):  # namespace() prints its attributes
            total += 13
            pending.append(_pairs(object.__getattribute__(item, "_Namespace__attrs")))
    return total


def _pairs(mapping: dict[Any, Any]) -> Iterator[Any]:
    for key, value in mapping.items():
        yield key
        yield value
