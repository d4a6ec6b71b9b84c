"""Parse a condition with `ast` against a whitelist; never eval.

Accepts Python-like comparisons, and/or/not, + - * / %, numbers, text,
names, lists after `in`, and min/max/abs. Also the symbols people type in
Chinese text: ≥ ≤ ≠ and full-width brackets, commas and quotes.
"""

from __future__ import annotations

import ast
import warnings
from decimal import Decimal, InvalidOperation

from ..errors import BilingualError
from .tree import Binary, Call, Compare, Const, Expr, Items, Logic, Name, Unary

MAX_LENGTH = 1000
MAX_DEPTH = 40
MAX_EXPONENT = 30  # no metric needs numbers beyond 10^30
FUNCTIONS = ("min", "max", "abs")

_SYMBOLS = {"≥": ">=", "≤": "<=", "≠": "!=", "（": "(", "）": ")", "，": ",", "“": '"', "”": '"', "‘": "'", "’": "'",
            "＞": ">", "＜": "<", "＝": "="}
_COMPARE = {ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<=", ast.Lt: "<", ast.Eq: "==", ast.NotEq: "!=",
            ast.In: "in", ast.NotIn: "not in"}
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%"}
_CONSTRUCTS = {
    ast.Attribute: ("attribute access (a.b)", "属性访问（a.b）"),
    ast.Subscript: ("indexing (a[b])", "下标访问（a[b]）"),
    ast.Lambda: ("lambda", "lambda"),
    ast.IfExp: ("if-else expressions", "if-else 表达式"),
    ast.Dict: ("mappings", "字典"),
    ast.Set: ("sets", "集合"),
    ast.ListComp: ("comprehensions", "推导式"),
    ast.GeneratorExp: ("comprehensions", "推导式"),
    ast.DictComp: ("comprehensions", "推导式"),
    ast.SetComp: ("comprehensions", "推导式"),
    ast.Await: ("await", "await"),
    ast.NamedExpr: ("assignment (:=)", "赋值（：=）"),
    ast.JoinedStr: ("f-strings", "f-字符串"),
    ast.Starred: ("* unpacking", "* 解包"),
    ast.Pow: ("** (power)", "** 乘方"),
    ast.FloorDiv: ("// (floor division)", "// 整除"),
    ast.BitAnd: ("& (use 'and')", "&（请用 and）"),
    ast.BitOr: ("| (use 'or')", "|（请用 or）"),
    ast.BitXor: ("^", "^"),
    ast.LShift: ("<<", "<<"),
    ast.RShift: (">>", ">>"),
    ast.Invert: ("~ (use 'not')", "~（请用 not）"),
    ast.Is: ("'is' (use ==)", "is（请用 ==）"),
    ast.IsNot: ("'is not' (use !=)", "is not（请用 !=）"),
    ast.MatMult: ("@", "@"),
}


class ConditionError(BilingualError):
    """A condition that does not parse or uses something forbidden; `code` is Q201 or Q205."""

    def __init__(self, code: str, offset: int, en: str, zh: str) -> None:
        super().__init__(en, zh)
        self.code = code
        self.offset = offset


def normalize(text: str) -> str:
    """Chinese-keyboard symbols to their ASCII forms, keeping a 1:1 character map where possible."""
    out = []
    for char in text:
        out.append(_SYMBOLS.get(char, char))
    return "".join(out).replace("\n", " ").replace("\t", " ")


def parse(text: str) -> Expr:
    """The condition tree of `text`; ConditionError when it is not a valid condition."""
    if len(text) > MAX_LENGTH:
        raise ConditionError("Q201", 0, f"longer than {MAX_LENGTH} characters", f"超过 {MAX_LENGTH} 个字符")
    source = normalize(text)
    widened = _widening(text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "invalid decimal literal" and friends: we judge the text ourselves
            tree = ast.parse(source.strip() and source, mode="eval")
    except SyntaxError as exc:
        # SyntaxError.offset counts characters (ast node offsets count UTF-8 bytes);
        # at the very end of the input it may point one past the text.
        offset = min(max((exc.offset or 1) - 1, 0), len(source))
        message = (exc.msg or "invalid syntax").replace("'(' was never closed", "a '(' is never closed")
        raise ConditionError("Q201", _orig(widened, offset), message, _zh_syntax(message)) from None
    except (RecursionError, MemoryError, ValueError):
        raise ConditionError("Q201", 0, "too deeply nested", "嵌套过深") from None
    return _Builder(source, widened).build(tree.body, 0)


def _widening(text: str) -> list[int]:
    # Each ASCII replacement of a one-character symbol like ≥ is two characters
    # wide; map offsets in the normalized text back to the text as written.
    mapping: list[int] = []
    for index, char in enumerate(text):
        width = len(_SYMBOLS.get(char, char))
        mapping.extend([index] * width)
    mapping.append(len(text))
    return mapping


def _orig(widened: list[int], offset: int) -> int:
    return widened[min(max(offset, 0), len(widened) - 1)]


def _char_offset(source: str, byte_offset: int) -> int:
    data = source.encode("utf-8")
    return len(data[: max(byte_offset, 0)].decode("utf-8", errors="ignore"))


def _zh_syntax(message: str) -> str:
    if "never closed" in message:
        return "有未闭合的括号"
    if "unmatched" in message:
        return "有多余的右括号"
    if "invalid syntax" in message or "expected" in message:
        return "写法不完整或有多余的符号"
    if "unterminated string" in message:
        return "引号未闭合"
    return message


class _Builder:
    def __init__(self, source: str, widened: list[int]) -> None:
        self.source = source
        self.widened = widened

    def offset(self, node: ast.AST) -> int:
        return _orig(self.widened, _char_offset(self.source, getattr(node, "col_offset", 0)))

    def forbid(self, node: ast.AST, what: tuple[str, str] | None = None) -> ConditionError:
        en, zh = what or _CONSTRUCTS.get(type(node), (type(node).__name__, type(node).__name__))
        return ConditionError("Q205", self.offset(node), en, zh)

    def build(self, node: ast.AST, depth: int) -> Expr:
        if depth > MAX_DEPTH:
            raise ConditionError("Q201", self.offset(node), "too deeply nested", "嵌套过深")
        at = self.offset(node)
        if isinstance(node, ast.Constant):
            return self.const(node, at)
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise self.forbid(node, ("names starting with _", "以 _ 开头的名称"))
            if node.id in ("True", "False"):
                return Const(node.id == "True", at, node.id)
            return Name(node.id, at)
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            return Logic(op, tuple(self.build(v, depth + 1) for v in node.values), at)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Invert):
                raise self.forbid(node.op) from None
            op = {ast.Not: "not", ast.USub: "-", ast.UAdd: "+"}[type(node.op)]
            return Unary(op, self.build(node.operand, depth + 1), at)
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise ConditionError("Q205", at, *_CONSTRUCTS.get(type(node.op), ("operator", "运算符")))
            return Binary(_BINARY[type(node.op)], self.build(node.left, depth + 1), self.build(node.right, depth + 1), at)
        if isinstance(node, ast.Compare):
            return self.compare(node, depth, at)
        if isinstance(node, ast.Call):
            return self.call(node, depth, at)
        if isinstance(node, (ast.List, ast.Tuple)):
            values = []
            for item in node.elts:
                built = self.build(item, depth + 1)
                if not isinstance(built, Const):
                    raise ConditionError("Q205", built.offset, "names inside a list (lists hold values only)",
                                         "列表中的名称（列表只能写值）")
                values.append(built)
            return Items(tuple(values), at)
        raise self.forbid(node)

    def const(self, node: ast.Constant, at: int) -> Const:
        value = node.value
        text = ast.get_source_segment(self.source, node) or repr(value)
        if isinstance(value, bool):
            return Const(value, at, text)
        if isinstance(value, (int, float)):
            try:
                number = Decimal(text.replace("_", ""))
            except InvalidOperation:
                number = Decimal(str(value))
            if not number.is_finite() or abs(number.adjusted()) > MAX_EXPONENT:
                raise ConditionError("Q201", at, f"the number {text[:20]} is out of range", f"数字 {text[:20]} 超出范围")
            return Const(number, at, text)
        if isinstance(value, str):
            return Const(value, at, text)
        raise self.forbid(node, ("this kind of value", "这种值"))

    def compare(self, node: ast.Compare, depth: int, at: int) -> Expr:
        parts: list[Expr] = []
        left = self.build(node.left, depth + 1)
        for op, comparator in zip(node.ops, node.comparators, strict=False):
            if type(op) not in _COMPARE:
                raise ConditionError("Q205", at, *_CONSTRUCTS[type(op)])
            right = self.build(comparator, depth + 1)
            parts.append(Compare(_COMPARE[type(op)], left, right, at))
            left = right
        # a < b < c means a < b and b < c
        return parts[0] if len(parts) == 1 else Logic("and", tuple(parts), at)

    def call(self, node: ast.Call, depth: int, at: int) -> Expr:
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
            shown = ast.get_source_segment(self.source, func) or "?"
            raise ConditionError("Q205", at, f"calling {shown}()", f"调用 {shown}()")
        if node.keywords:
            raise ConditionError("Q205", at, "keyword arguments", "关键字参数")
        args = tuple(self.build(a, depth + 1) for a in node.args)
        wanted = 1 if func.id == "abs" else None
        if (wanted and len(args) != wanted) or (not wanted and len(args) < 2):
            count = "one value" if wanted else "two or more values"
            count_zh = "一个值" if wanted else "两个或更多值"
            raise ConditionError("Q201", at, f"{func.id}() takes {count}", f"{func.id}() 需要{count_zh}")
        return Call(func.id, args, at)
