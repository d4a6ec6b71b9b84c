"""The condition tree: what parsing yields and checking, words and compilers consume.

Offsets are character offsets into the condition text as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Const:
    value: Decimal | str | bool
    offset: int
    text: str  # as written, so 0.10 prints as 0.10


@dataclass(frozen=True, slots=True)
class Name:
    id: str  # as written; checking resolves it to a canonical id
    offset: int


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "not" | "-" | "+"
    operand: Expr
    offset: int


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # + - * / %
    left: Expr
    right: Expr
    offset: int


@dataclass(frozen=True, slots=True)
class Compare:
    op: str  # >= > <= < == != in "not in"
    left: Expr
    right: Expr
    offset: int


@dataclass(frozen=True, slots=True)
class Logic:
    op: str  # "and" | "or"
    values: tuple[Expr, ...]
    offset: int


@dataclass(frozen=True, slots=True)
class Call:
    func: str  # min | max | abs
    args: tuple[Expr, ...]
    offset: int


@dataclass(frozen=True, slots=True)
class Items:
    values: tuple[Const, ...]
    offset: int


Expr = Const | Name | Unary | Binary | Compare | Logic | Call | Items


def names_in(expr: Expr) -> list[Name]:
    """Every name in the tree, left to right."""
    out: list[Name] = []
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            out.append(node)
        elif isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, (Binary, Compare)):
            stack += [node.right, node.left]
        elif isinstance(node, (Logic, Call)):
            stack += reversed(node.args if isinstance(node, Call) else node.values)
    return sorted(out, key=lambda n: n.offset)
