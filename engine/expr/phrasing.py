"""Say a condition or a formula in words, in Chinese or English: `近90天积分 ≥ 300`,
`销售额 ÷ 群成员数（至少按 1 人计）`. Chinese uses full-width brackets and 「」 around texts."""

from __future__ import annotations

import re
from decimal import Decimal

from ..catalog import Names, Resolved
from .tree import Binary, Call, Compare, Const, Expr, Items, Logic, Name, Unary

_OPS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}
_OPS_ZH = {**_OPS, "in": "属于", "not in": "不属于"}
_OPS_EN = {**_OPS, "in": "is one of", "not in": "is not one of"}
_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6, "neg": 7}
# Units a custom metric may give for money (`unit: 元`): said as money like the built-in `yuan`.
MONEY_UNITS = frozenset({"yuan", "元", "¥", "￥", "rmb", "cny"})
# Metrics that count people: a bound on them reads 「至少按 1 人计」.
_BESIDE_BRACKET = re.compile(r" ?([（）]) ?")
_PEOPLE = frozenset({"members", "new_members", "leaves", "net_new_members", "speakers", "buyers", "referrers",
                     "referrals"})


def is_money(unit: str) -> bool:
    """Whether a metric's unit is money (the built-in `yuan`, or 元 written in a playbook)."""
    return unit.strip().casefold() in MONEY_UNITS


def in_words(expr: Expr, names: Names, lang: str = "zh") -> str:
    """The condition in plain words; rates compared with constants print as percentages."""
    text = _Words(names, lang).say(expr, 0)
    # Chinese sets no space beside a full-width bracket: （a 或 b）且 c.
    return _BESIDE_BRACKET.sub(r"\1", text) if lang == "zh" else text


class _Words:
    def __init__(self, names: Names, lang: str) -> None:
        self.names = names
        self.lang = lang
        self.zh = lang == "zh"

    def resolved(self, expr: Expr) -> Resolved | None:
        return self.names.resolve(expr.id) if isinstance(expr, Name) else None

    def say(self, expr: Expr, outer: int, unit: str = "") -> str:
        if isinstance(expr, Const):
            return self.const(expr, unit)
        if isinstance(expr, Name):
            found = self.resolved(expr)
            return found.label(self.lang) if found else expr.id
        if isinstance(expr, Items):
            if self.zh:
                return "、".join(self.const(v, unit) for v in expr.values)
            return "[" + ", ".join(self.const(v, unit) for v in expr.values) + "]"
        if isinstance(expr, Logic):
            word = {"and": (" 且 ", " and "), "or": (" 或 ", " or ")}[expr.op][not self.zh]
            mine = _PRECEDENCE[expr.op]
            return self.wrap(word.join(self.say(v, mine) for v in expr.values), mine, outer)
        if isinstance(expr, Unary):
            if expr.op == "not":
                operand = self.say(expr.operand, _PRECEDENCE["not"])
                prefix = ("并非" if operand.startswith("（") else "并非 ") if self.zh else "not "
                return self.wrap(prefix + operand, _PRECEDENCE["not"], outer)
            return expr.op + self.say(expr.operand, _PRECEDENCE["neg"])
        if isinstance(expr, Binary):
            mine = _PRECEDENCE[expr.op]
            op = {"*": "×", "/": "÷"}.get(expr.op, expr.op)
            return self.wrap(f"{self.say(expr.left, mine)} {op} {self.say(expr.right, mine + 1)}", mine, outer)
        if isinstance(expr, Call):
            return self.call(expr, outer)
        return self.compare(expr, outer)

    def call(self, expr: Call, outer: int) -> str:
        """min/max/abs as a reader says them: a bound by a constant is a note on the value
        (群成员数（至少按 1 人计）), anything else the smaller or larger of its values."""
        args = expr.args
        if expr.func == "abs":
            inner = self.say(args[0], _PRECEDENCE["neg"])
            return f"{inner}的绝对值" if self.zh else f"the absolute value of {inner}"
        bounds = [a for a in args if isinstance(a, Const)]
        values = [a for a in args if not isinstance(a, Const)]
        if len(args) == 2 and len(bounds) == 1 and len(values) == 1:
            value, bound = values[0], bounds[0]
            found = self.resolved(value)
            unit = found.metric.unit if found else ""
            text = self.say(value, _PRECEDENCE["neg"])
            limit = self.const(bound, unit)
            people = found is not None and found.metric.id in _PEOPLE and self.zh
            if self.zh:
                word = "至少" if expr.func == "max" else "最多"
                return f"{text}（{word}按 {limit}{' 人' if people else ' '}计）"
            return f"{text} ({'at least' if expr.func == 'max' else 'at most'} {limit})"
        said = [self.say(a, 0) for a in args]
        if self.zh:
            word = "较大者" if expr.func == "max" else "较小者"
            joined = said[0] + " 与 " + said[1] if len(said) == 2 else "、".join(said)
            return self.wrap(f"{joined} 中的{word}", 0, outer)
        word = ("larger" if expr.func == "max" else "smaller") if len(said) == 2 else (
            "largest" if expr.func == "max" else "smallest")
        listed = " and ".join(said) if len(said) == 2 else ", ".join(said[:-1]) + " and " + said[-1]
        return self.wrap(f"the {word} of {listed}", 0, outer)

    def compare(self, expr: Compare, outer: int) -> str:
        unit = ""
        for side in (expr.left, expr.right):
            found = self.resolved(side)
            if found and found.metric.unit:
                unit = found.metric.unit
        ops = _OPS_ZH if self.zh else _OPS_EN
        mine = _PRECEDENCE["cmp"]
        text = f"{self.say(expr.left, mine + 1, unit)} {ops[expr.op]} {self.say(expr.right, mine + 1, unit)}"
        return self.wrap(text, mine, outer)

    def const(self, expr: Const, unit: str) -> str:
        value = expr.value
        if isinstance(value, bool):
            return ("是" if value else "否") if self.zh else ("true" if value else "false")
        if isinstance(value, str):
            return f"「{value}」" if self.zh else f'"{value}"'
        if unit == "ratio":
            percent = (value * 100).normalize()
            return f"{percent:f}%"
        if is_money(unit):
            return f"{value:f} 元" if self.zh else f"¥{value:f}"
        return expr.text if isinstance(value, Decimal) else str(value)

    def wrap(self, text: str, mine: int, outer: int) -> str:
        """`text` in brackets when it binds less tightly than where it stands (full-width in Chinese)."""
        if mine >= outer:
            return text
        return f"（{text}）" if self.zh else f"({text})"
