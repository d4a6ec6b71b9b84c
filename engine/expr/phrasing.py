"""Say a condition in words, in Chinese or English: `近90天积分 ≥ 300`."""

from __future__ import annotations

from decimal import Decimal

from ..catalog import Names, Resolved
from .tree import Binary, Call, Compare, Const, Expr, Items, Logic, Name, Unary

_OPS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}
_OPS_ZH = {**_OPS, "in": "属于", "not in": "不属于"}
_OPS_EN = {**_OPS, "in": "is one of", "not in": "is not one of"}
_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6, "neg": 7}


def in_words(expr: Expr, names: Names, lang: str = "zh") -> str:
    """The condition in plain words; rates compared with constants print as percentages."""
    return _Words(names, lang).say(expr, 0)


class _Words:
    def __init__(self, names: Names, lang: str) -> None:
        self.names = names
        self.lang = lang

    def resolved(self, expr: Expr) -> Resolved | None:
        return self.names.resolve(expr.id) if isinstance(expr, Name) else None

    def say(self, expr: Expr, outer: int, unit: str = "") -> str:
        if isinstance(expr, Const):
            return self.const(expr, unit)
        if isinstance(expr, Name):
            found = self.resolved(expr)
            return found.label(self.lang) if found else expr.id
        if isinstance(expr, Items):
            sep = "、" if self.lang == "zh" else ", "
            return "[" + sep.join(self.const(v, unit) for v in expr.values) + "]"
        if isinstance(expr, Logic):
            word = {"and": (" 且 ", " and "), "or": (" 或 ", " or ")}[expr.op][self.lang != "zh"]
            mine = _PRECEDENCE[expr.op]
            return _wrap(word.join(self.say(v, mine) for v in expr.values), mine, outer)
        if isinstance(expr, Unary):
            if expr.op == "not":
                prefix = "并非 " if self.lang == "zh" else "not "
                return _wrap(prefix + self.say(expr.operand, _PRECEDENCE["not"]), _PRECEDENCE["not"], outer)
            return expr.op + self.say(expr.operand, _PRECEDENCE["neg"])
        if isinstance(expr, Binary):
            mine = _PRECEDENCE[expr.op]
            op = {"*": "×", "/": "÷"}.get(expr.op, expr.op)
            return _wrap(f"{self.say(expr.left, mine)} {op} {self.say(expr.right, mine + 1)}", mine, outer)
        if isinstance(expr, Call):
            inner = ", ".join(self.say(a, 0) for a in expr.args)
            words = {"min": ("较小值", "the smaller of"), "max": ("较大值", "the larger of"), "abs": ("绝对值", "the absolute value of")}
            zh, en = words[expr.func]
            return f"{zh}({inner})" if self.lang == "zh" else f"{en} ({inner})"
        return self.compare(expr, outer)

    def compare(self, expr: Compare, outer: int) -> str:
        unit = ""
        for side in (expr.left, expr.right):
            found = self.resolved(side)
            if found and found.metric.unit:
                unit = found.metric.unit
        ops = _OPS_ZH if self.lang == "zh" else _OPS_EN
        mine = _PRECEDENCE["cmp"]
        text = f"{self.say(expr.left, mine + 1, unit)} {ops[expr.op]} {self.say(expr.right, mine + 1, unit)}"
        return _wrap(text, mine, outer)

    def const(self, expr: Const, unit: str) -> str:
        value = expr.value
        if isinstance(value, bool):
            return ("是" if value else "否") if self.lang == "zh" else ("true" if value else "false")
        if isinstance(value, str):
            return f"“{value}”" if self.lang == "zh" else f'"{value}"'
        if unit == "ratio":
            percent = (value * 100).normalize()
            return f"{percent:f}%"
        if unit == "yuan":
            return f"{value:f} 元" if self.lang == "zh" else f"¥{value:f}"
        return expr.text if isinstance(value, Decimal) else str(value)


def _wrap(text: str, mine: int, outer: int) -> str:
    return f"({text})" if mine < outer else text
