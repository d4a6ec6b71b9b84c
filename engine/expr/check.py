"""Check a condition tree: names known in the scope, operand types, a true/false result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..catalog import Names, Resolved
from .tree import Binary, Call, Compare, Const, Expr, Items, Logic, Name, Unary

_TYPE_WORDS = {"number": ("a number", "数字"), "text": ("text", "文本"), "bool": ("true/false", "是/否"),
               "list": ("a list", "列表"), "?": ("an unknown value", "未知值")}


def _unknown_value(name: str, value: str, allowed: dict[str, str]) -> dict[str, Any]:
    by_label = {label: key for key, label in allowed.items()}
    if value in by_label:
        suggestion = {"en": f"; use the id '{by_label[value]}' (its name is {value})",
                      "zh": f"；请写 id '{by_label[value]}'（“{value}”是它的名称）"}
    else:
        import difflib  # only for a mistake: not at every start

        close = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.6)
        suggestion = ({"en": f"; did you mean '{close[0]}'?", "zh": f"；是不是想写 '{close[0]}'？"} if close
                      else {"en": "", "zh": ""})
    known = ", ".join(allowed) or "—"
    return {"name": name, "value": value, "suggestion": suggestion, "known": known}


@dataclass(slots=True)
class Issue:
    """A problem at `offset` in the condition text; `code` and `params` make the diagnostic."""

    code: str
    offset: int
    params: dict[str, Any]


@dataclass(slots=True)
class Checked:
    type: str
    names: dict[str, Resolved] = field(default_factory=dict)  # as written → resolved
    issues: list[Issue] = field(default_factory=list)


def check(expr: Expr, names: Names, want: str = "bool", source: str = "") -> Checked:
    """Resolve names and infer types; `want` is "bool" for conditions, "number" for metric expressions."""
    checker = _Checker(names)
    result_type = checker.type_of(expr)
    out = Checked(result_type, checker.resolved, checker.issues)
    if not checker.issues and want != "any" and result_type not in (want, "?"):
        found = _TYPE_WORDS.get(result_type, _TYPE_WORDS["?"])
        if want == "bool":
            out.issues.append(Issue("Q203", 0, {"found": {"en": found[0], "zh": found[1]}, "source": source.strip()}))
        else:
            wanted = _TYPE_WORDS[want]
            out.issues.append(Issue("Q204", 0, {"detail": {
                "en": f"this expression gives {found[0]}, but {wanted[0]} is needed here",
                "zh": f"该表达式的结果是{found[1]}，此处需要{wanted[1]}"}}))
    return out


class _Checker:
    def __init__(self, names: Names) -> None:
        self.names = names
        self.resolved: dict[str, Resolved] = {}
        self.issues: list[Issue] = []

    def mismatch(self, offset: int, en: str, zh: str) -> str:
        self.issues.append(Issue("Q204", offset, {"detail": {"en": en, "zh": zh}}))
        return "?"

    def type_of(self, expr: Expr) -> str:
        if isinstance(expr, Const):
            return "bool" if isinstance(expr.value, bool) else "text" if isinstance(expr.value, str) else "number"
        if isinstance(expr, Name):
            return self.name(expr)
        if isinstance(expr, Items):
            return "list"
        if isinstance(expr, Unary):
            inner = self.type_of(expr.operand)
            if expr.op == "not":
                return "bool" if inner in ("bool", "?") else self.mismatch(
                    expr.offset, f"'not' needs true/false, not {_TYPE_WORDS[inner][0]}",
                    f"not 需要“是/否”，而不是{_TYPE_WORDS[inner][1]}")
            return "number" if inner in ("number", "?") else self.mismatch(
                expr.offset, f"'{expr.op}' needs a number", f"'{expr.op}' 需要数字")
        if isinstance(expr, Binary):
            left, right = self.type_of(expr.left), self.type_of(expr.right)
            if {left, right} <= {"number", "?"}:
                return "number"
            return self.mismatch(expr.offset, f"'{expr.op}' works on numbers only", f"'{expr.op}' 只能用于数字")
        if isinstance(expr, Logic):
            for value in expr.values:
                kind = self.type_of(value)
                if kind not in ("bool", "?"):
                    word = "and" if expr.op == "and" else "or"
                    self.mismatch(value.offset, f"each side of '{word}' must be true/false, found {_TYPE_WORDS[kind][0]}",
                                  f"'{word}' 两边都必须是“是/否”，实际为{_TYPE_WORDS[kind][1]}")
            return "bool"
        if isinstance(expr, Call):
            kinds = [self.type_of(a) for a in expr.args]
            if all(k in ("number", "?") for k in kinds):
                return "number"
            return self.mismatch(expr.offset, f"{expr.func}() works on numbers only", f"{expr.func}() 只能用于数字")
        return self.compare(expr)

    def compare(self, expr: Compare) -> str:
        left, right = self.type_of(expr.left), self.type_of(expr.right)
        if "?" in (left, right):
            return "bool"
        if expr.op in ("in", "not in"):
            if right != "list":
                return self.mismatch(expr.offset, f"'{expr.op}' needs a list on its right, e.g. [\"a\", \"b\"]",
                                     f"'{expr.op}' 右边需要列表，如 [\"a\", \"b\"]")
            assert isinstance(expr.right, Items)
            for item in expr.right.values:
                kind = self.type_of(item)
                if kind != left:
                    self.mismatch(item.offset, f"the list holds {_TYPE_WORDS[kind][0]} but the left side is {_TYPE_WORDS[left][0]}",
                                  f"列表中是{_TYPE_WORDS[kind][1]}，左边却是{_TYPE_WORDS[left][1]}")
            self.known_values(expr)
            return "bool"
        if left != right:
            return self.mismatch(expr.offset, f"cannot compare {_TYPE_WORDS[left][0]} with {_TYPE_WORDS[right][0]}",
                                 f"不能把{_TYPE_WORDS[left][1]}与{_TYPE_WORDS[right][1]}比较")
        self.known_values(expr)
        if left in ("text", "bool", "list") and expr.op not in ("==", "!="):
            return self.mismatch(expr.offset, f"'{expr.op}' compares numbers; use == or != for {_TYPE_WORDS[left][0]}",
                                 f"'{expr.op}' 用于比较数字；{_TYPE_WORDS[left][1]}请用 == 或 !=")
        return "bool"

    def known_values(self, expr: Compare) -> None:
        # `level == "gold"` must name a level that exists; say which do.
        pairs = [(expr.left, expr.right), (expr.right, expr.left)]
        for side, other in pairs:
            if not isinstance(side, Name):
                continue
            resolved = self.names.resolve(side.id)
            allowed = self.names.values.get(resolved.id) if resolved else None
            if allowed is None:
                continue
            consts = other.values if isinstance(other, Items) else (other,) if isinstance(other, Const) else ()
            for const in consts:
                if isinstance(const.value, str) and const.value not in allowed:
                    # +1: point at the text, not its opening quote
                    self.issues.append(Issue("Q206", const.offset + 1, _unknown_value(side.id, const.value, allowed)))

    def name(self, expr: Name) -> str:
        resolved = self.names.resolve(expr.id)
        if resolved is None:
            import difflib  # only for a mistake: not at every start

            close = difflib.get_close_matches(expr.id, self.names.examples(), n=1, cutoff=0.6)
            suggestion = ({"en": f"; did you mean '{close[0]}'?", "zh": f"；是不是想写 '{close[0]}'？"} if close
                          else {"en": "", "zh": ""})
            from ..catalog import SCOPE_LABELS

            zh, en = SCOPE_LABELS.get(self.names.scope, ("", ""))
            self.issues.append(Issue("Q202", expr.offset, {"name": expr.id, "suggestion": suggestion,
                                                           "scope": {"en": en, "zh": zh}}))
            return "?"
        self.resolved[expr.id] = resolved
        return resolved.metric.type
