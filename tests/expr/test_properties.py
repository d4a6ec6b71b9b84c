"""Property tests: the condition language and the YAML reader on arbitrary input.

(a) engine.expr.parse either returns a tree or raises ConditionError (Q201/Q205) with an
    offset inside the text; trees are checked and put into words without raising.
(b) engine.source.reader.parse_text never raises, and its diagnostics point inside the text.
(c) engine.expr.evaluate agrees with Python on simple conditions and random values.

Numbers in generated conditions keep exponents small (below e100); constants with an exponent
beyond 30 are Q201 "out of range" (the tests at the end).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qunce import catalog
from qunce.catalog import Names
from qunce.expr import check, evaluate, in_words, parse
from qunce.expr.parse import ConditionError
from qunce.expr.tree import Binary, Call, Compare, Const, Expr, Items, Logic, Name, Unary
from qunce.source.reader import parse_text

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCOPES = ("member", "group", "staff", "event")
SOURCE_CODES = {"Q001", "Q002", "Q003", "Q004", "Q005", "Q006", "Q013"}
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

# --- a grammar of condition tokens ------------------------------------------------------

WINDOWED = sorted({*catalog.MEMBER_COUNTS, *(k for k, m in catalog.GROUP_METRICS.items() if m.windowed)})
SINGLE = sorted({*catalog.MEMBER_SINGLE, *(k for k, m in catalog.GROUP_METRICS.items() if not m.windowed),
                 *catalog.EVENT_FIELDS, *catalog.COMMISSION_EXTRA})
LABELS = sorted({m.zh for table in (catalog.MEMBER_COUNTS, catalog.MEMBER_SINGLE, catalog.GROUP_METRICS)
                 for m in table.values()})

names = st.one_of(
    st.sampled_from(SINGLE),
    st.sampled_from(WINDOWED),
    st.builds(lambda n, d: f"{n}_{d}d", st.sampled_from(WINDOWED), st.sampled_from([0, 1, 7, 30, 90, 730, 731, 99999])),
    st.builds(lambda n: f"{n}_total", st.sampled_from(WINDOWED)),
    st.sampled_from(LABELS),
    st.builds(lambda d, label: f"近{d}天{label}", st.sampled_from([1, 7, 30, 90, 0, 1000]), st.sampled_from(LABELS)),
    st.builds(lambda label: f"累计{label}", st.sampled_from(LABELS)),
    st.sampled_from(["point_90d", "近90天积份", "x", "_secret", "__import__", "True", "False", "None", "min", "max", "abs",
                     "lambda", "if", "else", "is", "for", "yield", "await", "eval", "open", "os", "self"]),
)
numbers = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(str),
    st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["0", "0.10", "1_000", "1e3", "2.5E-2", "0x1F", "0b101", "0o17", "1j", "007", "1.", ".5", "99e99"]),
)
operators = st.sampled_from([">=", "<=", ">", "<", "==", "!=", "≥", "≤", "≠", "＞", "＜", "＝", "=", "+", "-", "*", "/",
                             "%", "**", "//", "&", "|", "^", "~", "<<", ">>", "@", ":=", "and", "or", "not", "in",
                             "not in", "is", "is not", "且", "或", "非"])
punctuation = st.sampled_from(["(", ")", "（", "）", "[", "]", "{", "}", ",", "，", ".", ":", ";", "'", '"', "“", "”",
                               "‘", "’", "\\", "#", "!", "?", "$", "`", "\n", "\t", "\x00", "\ufeff", "\u2028"])
strings = st.sampled_from(['"直播"', "'私域'", "“引流群”", "'gold'", '""', "'''长'''", 'f"{x}"', "b'x'"])
chinese = st.text(alphabet="群策会员积分订单发言近天累计且或非是否的一二三", min_size=1, max_size=4)
calls = st.sampled_from(["min(", "max(", "abs(", "__import__('os')", "().__class__", "lambda x: x", "[c for c in x]"])
tokens = st.one_of(names, numbers, operators, punctuation, strings, chinese, calls)
token_soup = st.builds(
    lambda parts, seps: "".join(p + s for p, s in zip(parts, seps, strict=False)),
    st.lists(tokens, min_size=1, max_size=25),
    st.lists(st.sampled_from([" ", " ", " ", "", "  "]), min_size=25, max_size=25),
)


def _structured(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    compare = st.sampled_from([">=", "<=", ">", "<", "==", "!=", "≥", "≤", "≠", "＞", "＜"])
    arithmetic = st.sampled_from(["+", "-", "*", "/", "%"])
    return st.one_of(
        st.builds(lambda a, op, b: f"{a} {op} {b}", children, compare, children),
        st.builds(lambda a, op, b: f"{a} {op} {b}", children, arithmetic, children),
        st.builds(lambda a, j, b: f"{a} {j} {b}", children, st.sampled_from(["and", "or"]), children),
        st.builds(lambda a: f"not {a}", children),
        st.builds(lambda a: f"-{a}", children),
        st.builds(lambda a, paren: paren[0] + a + paren[1], children, st.sampled_from(["()", "（）"])),
        st.builds(lambda f, args: f"{f}({', '.join(args)})", st.sampled_from(["min", "max", "abs"]),
                  st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda a, neg, items: f"{a} {neg}in [{', '.join(items)}]", children, st.sampled_from(["", "not "]),
                  st.lists(st.one_of(numbers, strings, names), max_size=3)),
    )


structured = st.recursive(st.one_of(names, numbers, strings), _structured, max_leaves=12)
mutated = st.builds(
    lambda text, at, token, delete: text[:at] + text[at + delete:] if delete else text[:at] + token + text[at:],
    structured, st.integers(0, 80), tokens, st.integers(0, 3),
)
condition_texts = st.one_of(token_soup, structured, mutated)


def offsets(expr: Expr) -> list[int]:
    out: list[int] = []
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        out.append(node.offset)
        if isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, (Binary, Compare)):
            stack += [node.left, node.right]
        elif isinstance(node, (Logic, Items)):
            stack += list(node.values)
        elif isinstance(node, Call):
            stack += list(node.args)
    return out


def parse_or_error(text: str) -> Expr | None:
    """The tree, or None after checking the ConditionError; any other exception fails."""
    try:
        tree = parse(text)
    except ConditionError as error:
        assert error.code in ("Q201", "Q205"), error.code
        assert 0 <= error.offset <= len(text), (error.offset, len(text))
        assert error.en and error.zh
        return None
    assert isinstance(tree, (Const, Name, Unary, Binary, Compare, Logic, Call, Items))
    for offset in offsets(tree):
        assert 0 <= offset <= len(text), (offset, len(text))
    return tree


def check_tree(tree: Expr, text: str, scope: str) -> None:
    scope_names = Names(scope)
    for want in ("bool", "number", "any"):
        checked = check(tree, scope_names, want, text)
        for issue in checked.issues:
            assert issue.code in ("Q202", "Q203", "Q204"), issue.code
            assert 0 <= issue.offset <= len(text), (issue.offset, len(text))
    for lang in ("zh", "en"):
        words = in_words(tree, scope_names, lang)
        assert isinstance(words, str)
        assert words


# --- (a) the condition parser -----------------------------------------------------------


@FAST
@given(st.text(max_size=200))
@example("points_90d >=")
@example("近90天积分 ≥ 300 且 累计订单数 >= 1")
@example("(" * 300 + "1" + ")" * 300)
@example("not " * 300 + "True")
@example("x" * 1001)
@example("\x00")
def test_parse_arbitrary_text(text: str) -> None:
    tree = parse_or_error(text)
    if tree is not None:
        check_tree(tree, text, "member")


@FAST
@given(condition_texts, st.sampled_from(SCOPES))
@example("近90天积分 >= 300 and 累计订单数 >= 1", "member")
@example("__import__('os').system('echo hi')", "member")
@example("interaction_rate_7d ≥ 0.1 or leave_rate < 5%", "group")
@example("min(orders_30d, 3) + abs(-points_total) / 0 >= 1", "member")
@example("channel in ['直播', '私域'] and amount > 99.9", "event")
@example("level in [1, 'gold'] or not removed", "event")
def test_parse_grammar_text(text: str, scope: str) -> None:
    tree = parse_or_error(text)
    if tree is not None:
        check_tree(tree, text, scope)


# --- (b) the YAML reader ----------------------------------------------------------------

yaml_tokens = st.one_of(
    st.sampled_from(["playbook", "roles", "owner", "name", "群主", "引流群", "id", "when", "- ", ": ", ":", "-", "? ",
                     "[", "]", "{", "}", ", ", "#", "'", '"', "|", ">", "|-", "&a ", "*a", "&b ", "*b", "<<: ", "!!str ",
                     "!!python/object:os.system ", "!tag ", "!!map ", "!!int ", "!!seq ", "---", "...", "%YAML 1.2",
                     "%TAG ! tag:x,2000:", "\n", "\n  ", "\n    ", "\n- ", "\t", "\r\n", "\r", "\ufeff", "\x85",
                     "\u2028", "\x00", "\\", "@", "`", "%", "~", "null", "true", "1.5", "0x1F", "2027-01-01", "10m"]),
    st.text(alphabet="abc群策 1", min_size=1, max_size=5),
)
yaml_texts = st.lists(yaml_tokens, max_size=40).map("".join)


def check_reader(text: str) -> None:
    parsed = parse_text(text, "x.yaml")
    lines = len(LINE_BREAK.split(text))
    for d in parsed.diagnostics:
        assert d.code in SOURCE_CODES, d.code
        assert d.span.file == "x.yaml"
        assert d.span.line >= 1 and d.span.col >= 1, d.span
        assert d.span.line <= lines + 1, (d.span, lines)
        assert d.message("en") and d.message("zh")
    if parsed.diagnostics and parsed.diagnostics[-1].code in ("Q003", "Q004", "Q005", "Q013"):
        assert parsed.root is None  # these stop the reader


@FAST
@given(st.text(max_size=300))
@example("")
@example("a: &a [*a]")
@example("a: !!python/object/apply:os.system [echo]\n")
@example("{" * 100)
@example("a: 1\n---\nb: 2\n")
@example("\ufeffplaybook: 美妆私域\n")
def test_reader_arbitrary_text(text: str) -> None:
    check_reader(text)


@FAST
@given(yaml_texts)
def test_reader_yaml_like_text(text: str) -> None:
    check_reader(text)


# --- (c) evaluate agrees with Python ----------------------------------------------------

SIMPLE_NAMES = ["points_90d", "orders_30d", "messages_7d", "referrals_total", "tenure_days", "avg_score"]
PY_OPS = {">=": ">=", "<=": "<=", ">": ">", "<": "<", "==": "==", "!=": "!=", "≥": ">=", "≤": "<=", "≠": "!="}


@st.composite
def simple_conditions(draw: Any) -> tuple[str, str]:
    """A condition (<name> <op> <number> joined by and/or, maybe negated or grouped) and its Python twin."""

    def atom() -> tuple[str, str]:
        name = draw(st.sampled_from(SIMPLE_NAMES))
        op = draw(st.sampled_from(sorted(PY_OPS)))
        number = draw(st.one_of(st.integers(-50, 500).map(str),
                                st.decimals(-50, 500, places=2, allow_nan=False, allow_infinity=False).map(str)))
        return f"{name} {op} {number}", f"{name} {PY_OPS[op]} {number}"

    def clause(depth: int) -> tuple[str, str]:
        if depth >= 2 or draw(st.booleans()):
            ours, py = atom()
        else:
            parts = [clause(depth + 1) for _ in range(draw(st.integers(2, 3)))]
            joiners = [draw(st.sampled_from(["and", "or"])) for _ in parts[1:]]
            ours = parts[0][0] + "".join(f" {j} {p[0]}" for j, p in zip(joiners, parts[1:], strict=True))
            py = parts[0][1] + "".join(f" {j} {p[1]}" for j, p in zip(joiners, parts[1:], strict=True))
            ours, py = f"({ours})", f"({py})"
        if draw(st.integers(0, 4)) == 0:
            ours, py = f"not {ours}", f"not {py}"
        return ours, py

    return clause(0)


native_values = st.fixed_dictionaries({
    name: st.one_of(st.integers(-100, 1000), st.floats(-100, 1000, allow_nan=False, allow_infinity=False))
    for name in SIMPLE_NAMES
})
decimal_values = st.fixed_dictionaries({
    name: st.decimals(-100, 1000, places=3, allow_nan=False, allow_infinity=False) for name in SIMPLE_NAMES
})
NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)")


def python_says(py: str, env: dict[str, Any]) -> bool:
    return bool(eval(py, {"__builtins__": {}, "Decimal": Decimal}, dict(env)))


@FAST
@given(simple_conditions(), native_values)
def test_evaluate_agrees_with_python(condition: tuple[str, str], env: dict[str, Any]) -> None:
    # Values as a data frame gives them (ints, floats), literals as Python reads them.
    ours, py = condition
    tree = parse(ours)
    checked = check(tree, Names("member"), "bool", ours)
    assert not checked.issues, [(i.code, i.params) for i in checked.issues]
    assert evaluate(tree, env) is python_says(py, env), (ours, env)


@FAST
@given(simple_conditions(), decimal_values)
def test_evaluate_agrees_with_python_on_exact_decimals(condition: tuple[str, str], env: dict[str, Any]) -> None:
    # Decimal values against Decimal literals: exact on both sides.
    ours, py = condition
    exact = NUMBER.sub(lambda m: f"Decimal('{m.group(1)}')", py)
    assert evaluate(parse(ours), env) is python_says(exact, env), (ours, exact, env)


# --- huge constants and Chinese names (engine bugs once, fixed) -------------------------------


@pytest.mark.parametrize("text", ["interaction_rate_7d >= 1e999999", "order_amount_30d >= 1e9999999"])
def test_huge_constants_are_out_of_range(text: str) -> None:
    # They used to overflow in_words (ratio × 100) or become a 10 MB string (money formatted with :f).
    with pytest.raises(ConditionError) as caught:
        parse(text)
    assert caught.value.code == "Q201"
    assert caught.value.en.endswith(" is out of range")


@pytest.mark.parametrize(("text", "scope"), [
    ("interaction_rate_7d >= 1e30", "group"), ("interaction_rate_7d >= 1e-30", "group"),
    ("order_amount_30d >= 1e30", "member"), ("order_amount_30d >= 1e-30", "member"),
])
def test_in_words_of_the_largest_and_smallest_constants_stays_short(text: str, scope: str) -> None:
    tree = parse(text)
    assert not check(tree, Names(scope), "bool", text).issues
    assert len(in_words(tree, Names(scope), "zh")) < 200


def test_evaluate_finds_chinese_labels_by_canonical_id() -> None:
    assert evaluate(parse("近30天订单数 >= 1"), {"orders_30d": 3}, Names("member")) is True
