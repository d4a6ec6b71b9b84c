"""The condition language: parse, names, check, in_words, evaluate, bounds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qunce.catalog import MAX_WINDOW_DAYS, Metric, Names
from qunce.expr import ConditionError, check, evaluate, in_words, parse
from qunce.expr.bounds import Interval, bounds, contained
from qunce.expr.tree import Binary, Call, Compare, Const, Items, Logic, Name, Unary, names_in

MEMBER = Names("member")
GROUP = Names("group")
STAFF = Names("staff")
EVENT = Names("event")


def n(value: str) -> Decimal:
    return Decimal(value)


def fails(text: str) -> ConditionError:
    with pytest.raises(ConditionError) as caught:
        parse(text)
    return caught.value


# --- parse: constructs ---------------------------------------------------------------


def test_chained_comparison_becomes_and_of_two_comparisons() -> None:
    assert parse("1 < x < 5") == Logic("and", (
        Compare("<", Const(n("1"), 0, "1"), Name("x", 4), 0),
        Compare("<", Name("x", 4), Const(n("5"), 8, "5"), 0),
    ), 0)


def test_in_list_of_values() -> None:
    assert parse("x in [1, 2]") == Compare(
        "in", Name("x", 0), Items((Const(n("1"), 6, "1"), Const(n("2"), 9, "2")), 5), 0)


def test_not_in_and_tuple_list() -> None:
    tree = parse('level not in ("a", "b")')
    assert isinstance(tree, Compare) and tree.op == "not in"
    assert tree.right == Items((Const("a", 14, '"a"'), Const("b", 19, '"b"')), 13)


def test_not_and_or_structure() -> None:
    assert parse("not a") == Unary("not", Name("a", 4), 0)
    tree = parse("a and b or c")
    assert tree == Logic("or", (Logic("and", (Name("a", 0), Name("b", 6)), 0), Name("c", 11)), 0)


def test_arithmetic_precedence() -> None:
    assert parse("1 + 2 * 3") == Binary(
        "+", Const(n("1"), 0, "1"), Binary("*", Const(n("2"), 4, "2"), Const(n("3"), 8, "3"), 4), 0)
    assert parse("(1 + 2) * 3") == Binary(
        "*", Binary("+", Const(n("1"), 1, "1"), Const(n("2"), 5, "2"), 1), Const(n("3"), 10, "3"), 0)
    assert parse("-a % 2") == Binary("%", Unary("-", Name("a", 1), 0), Const(n("2"), 5, "2"), 0)


def test_constants_keep_their_text() -> None:
    assert parse("x >= 0.10").right == Const(n("0.10"), 5, "0.10")  # type: ignore[union-attr]
    assert parse("x >= 1_000").right == Const(n("1000"), 5, "1_000")  # type: ignore[union-attr]
    assert parse("True") == Const(True, 0, "True")
    assert parse("x == 'a'").right == Const("a", 5, "'a'")  # type: ignore[union-attr]


def test_functions() -> None:
    assert parse("min(a, b, 3)") == Call("min", (Name("a", 4), Name("b", 7), Const(n("3"), 10, "3")), 0)
    assert parse("abs(a)") == Call("abs", (Name("a", 4),), 0)


@pytest.mark.parametrize(("text", "en", "zh"), [
    ("min(a) > 1", "min() takes two or more values", "min() 需要两个或更多值"),
    ("max(a) > 1", "max() takes two or more values", "max() 需要两个或更多值"),
    ("abs(a, b) > 1", "abs() takes one value", "abs() 需要一个值"),
    ("abs() > 1", "abs() takes one value", "abs() 需要一个值"),
])
def test_function_arity_errors(text: str, en: str, zh: str) -> None:
    error = fails(text)
    assert (error.code, error.offset, error.en, error.zh) == ("Q201", 0, en, zh)


# --- parse: Chinese symbols and offsets -----------------------------------------------


def test_chinese_symbols_are_normalised() -> None:
    assert parse("a ≥ 1").op == ">="  # type: ignore[union-attr]
    assert parse("a ≤ 1").op == "<="  # type: ignore[union-attr]
    assert parse("a ≠ 1").op == "!="  # type: ignore[union-attr]
    assert parse("a ＞ 1").op == ">"  # type: ignore[union-attr]
    assert parse("a ＜ 1").op == "<"  # type: ignore[union-attr]
    assert parse("a ＝＝ 1").op == "=="  # type: ignore[union-attr]
    assert parse("会员等级 == “gold”").right == Const("gold", 8, '"gold"')  # type: ignore[union-attr]


def test_full_width_brackets_and_commas_keep_offsets_of_the_original() -> None:
    tree = parse("max（points_90d，orders_30d） ≥ 1")
    assert tree == Compare(">=", Call("max", (Name("points_90d", 4), Name("orders_30d", 15)), 0),
                           Const(n("1"), 29, "1"), 0)
    tree = parse("（a+1）*2 ≥ 3")
    assert tree.left == Binary("*", Binary("+", Name("a", 1), Const(n("1"), 3, "1"), 1),  # type: ignore[union-attr]
                               Const(n("2"), 6, "2"), 0)
    assert tree.right == Const(n("3"), 10, "3")  # type: ignore[union-attr]


def test_offsets_after_chinese_text_are_character_offsets() -> None:
    text = "近90天积分 ≥ 300 and 错误名 ≥ 1"
    tree = parse(text)
    assert isinstance(tree, Logic)
    first, second = tree.values
    assert first == Compare(">=", Name("近90天积分", 0), Const(n("300"), text.index("300"), "300"), 0)
    assert second.left == Name("错误名", 17)  # type: ignore[union-attr]
    assert text[17:20] == "错误名"


def test_forbidden_construct_after_chinese_text_points_at_it() -> None:
    text = "近90天积分 ≥ 300 and x.y > 1"
    error = fails(text)
    assert (error.code, error.offset, error.en, error.zh) == ("Q205", 17, "attribute access (a.b)", "属性访问（a.b）")
    assert text[error.offset] == "x"


def test_incomplete_condition_offset_is_inside_the_original_text() -> None:
    text = "近90天积分 ≥ "
    error = fails(text)
    assert error.code == "Q201"
    assert error.en == "invalid syntax"
    assert error.zh == "写法不完整或有多余的符号"
    assert 0 <= error.offset < len(text)


def test_syntax_error_offset_in_ascii_text() -> None:
    text = "a >= 1 and b >= )"
    error = fails(text)
    assert (error.code, error.en, error.zh) == ("Q201", "unmatched ')'", "有多余的右括号")
    assert error.offset == text.index(")")


@pytest.mark.parametrize("text", [
    "近90天积分 ≥ 300 ）",
    "近90天积分 ≥ 300 and 近30天订单数 ≥ )",
])
def test_syntax_error_offset_after_chinese_text(text: str) -> None:
    error = fails(text)
    assert error.code == "Q201"
    assert error.offset == len(text) - 1  # the stray bracket


@pytest.mark.parametrize(("text", "code", "en", "zh"), [
    ("x.y > 1", "Q205", "attribute access (a.b)", "属性访问（a.b）"),
    ("x[0] > 1", "Q205", "indexing (a[b])", "下标访问（a[b]）"),
    ("open(1)", "Q205", "calling open()", "调用 open()"),
    ("__import__('os')", "Q205", "calling __import__()", "调用 __import__()"),
    ("_x > 1", "Q205", "names starting with _", "以 _ 开头的名称"),
    ("a ** 2 > 1", "Q205", "** (power)", "** 乘方"),
    ("a // 2 > 1", "Q205", "// (floor division)", "// 整除"),
    ("a & b", "Q205", "& (use 'and')", "&（请用 and）"),
    ("~a", "Q205", "~ (use 'not')", "~（请用 not）"),
    ("a is 1", "Q205", "'is' (use ==)", "is（请用 ==）"),
    ("lambda: 1", "Q205", "lambda", "lambda"),
    ("1 if a else 2", "Q205", "if-else expressions", "if-else 表达式"),
    ("None == a", "Q205", "this kind of value", "这种值"),
    ("max(a, key=b) > 1", "Q205", "keyword arguments", "关键字参数"),
    ("[x for x in y]", "Q205", "comprehensions", "推导式"),
    ("((a)", "Q201", "a '(' is never closed", "有未闭合的括号"),
    ("", "Q201", "invalid syntax", "写法不完整或有多余的符号"),
])
def test_rejected_conditions(text: str, code: str, en: str, zh: str) -> None:
    error = fails(text)
    assert (error.code, error.en, error.zh) == (code, en, zh)


def test_names_inside_a_list_are_rejected_at_the_name() -> None:
    error = fails('level in ["a", points_90d]')
    assert (error.code, error.offset) == ("Q205", 15)
    assert error.en == "names inside a list (lists hold values only)"


def test_too_long_and_too_deep() -> None:
    error = fails("a" * 1001)
    assert (error.code, error.offset, error.en, error.zh) == ("Q201", 0, "longer than 1000 characters", "超过 1000 个字符")
    error = fails("not " * 45 + "a")
    assert (error.code, error.en, error.zh) == ("Q201", "too deeply nested", "嵌套过深")


@pytest.mark.parametrize("number", ["1e30", "1e-30", "1E+30"])
def test_exponents_up_to_30_are_fine(number: str) -> None:
    assert parse(f"a > {number}").right == Const(n(number), 4, number)  # type: ignore[union-attr]


@pytest.mark.parametrize("number", ["1e31", "1e-31", "1E+31", "1e99"])
def test_exponents_beyond_30_are_out_of_range(number: str) -> None:
    text = f"近90天积分 ≥ {number}"
    error = fails(text)
    assert (error.code, error.en, error.zh) == ("Q201", f"the number {number} is out of range", f"数字 {number} 超出范围")
    assert error.offset == text.index(number)


def test_names_in_lists_names_left_to_right() -> None:
    tree = parse("max(b, a) >= 1 and c < 2")
    assert [name.id for name in names_in(tree)] == ["b", "a", "c"]


# --- names per scope ----------------------------------------------------------------------


def test_member_names_resolve_to_canonical_ids() -> None:
    assert MEMBER.resolve("points_90d").id == "points_90d"  # type: ignore[union-attr]
    found = MEMBER.resolve("近90天积分")
    assert found is not None and (found.id, found.days, found.total) == ("points_90d", 90, False)
    found = MEMBER.resolve("累计订单数")
    assert found is not None and (found.id, found.days, found.total) == ("orders_total", None, True)
    assert MEMBER.resolve("orders_total").id == "orders_total"  # type: ignore[union-attr]
    assert MEMBER.resolve("积分余额").id == "points_balance"  # type: ignore[union-attr]
    assert MEMBER.resolve("days_since_last_message").metric.zh == "距上次发言天数"  # type: ignore[union-attr]
    assert MEMBER.resolve("level").metric.type == "text"  # type: ignore[union-attr]


def test_a_bare_windowed_name_is_all_time_for_members_and_the_period_for_groups() -> None:
    member = MEMBER.resolve("messages")
    group = GROUP.resolve("messages")
    assert member is not None and member.total is True and member.label("zh") == "累计发言数"
    assert group is not None and group.total is False and group.label("zh") == "消息总量"


@pytest.mark.parametrize(("name", "expected"), [
    ("points_1d", "points_1d"),
    (f"points_{MAX_WINDOW_DAYS}d", "points_730d"),
    ("points_0d", None),
    ("points_731d", None),
    ("近0天积分", None),
    ("近731天积分", None),
    ("近730天积分", "points_730d"),
])
def test_window_bounds(name: str, expected: str | None) -> None:
    found = MEMBER.resolve(name)
    assert (found.id if found else None) == expected


def test_group_metrics_and_scopes() -> None:
    assert GROUP.resolve("interaction_rate_7d").id == "interaction_rate_7d"  # type: ignore[union-attr]
    assert GROUP.resolve("近7天互动率").id == "interaction_rate_7d"  # type: ignore[union-attr]
    assert GROUP.resolve("interaction_rate").metric.unit == "ratio"  # type: ignore[union-attr]
    assert MEMBER.resolve("interaction_rate_7d") is None
    assert GROUP.resolve("points_90d") is None
    assert GROUP.resolve("weighted_attainment") is None
    assert STAFF.resolve("weighted_attainment").id == "weighted_attainment"  # type: ignore[union-attr]
    assert STAFF.resolve("interaction_rate_30d").id == "interaction_rate_30d"  # type: ignore[union-attr]
    assert EVENT.resolve("channel").metric.type == "text"  # type: ignore[union-attr]
    assert EVENT.resolve("amount_30d") is None


@pytest.mark.parametrize("name", ["foo", "points_x", "近90天未知", "累计未知", "days_since_last_message_7d"])
def test_unknown_names_resolve_to_none(name: str) -> None:
    assert MEMBER.resolve(name) is None


def test_windowed_names_are_unknown_in_the_event_scope() -> None:
    assert MEMBER.resolve("points") is not None
    assert EVENT.resolve("points") is None


def test_custom_metrics_are_known_in_their_scope() -> None:
    names = Names("member", {"vip_orders": Metric("vip_orders", "VIP订单", "vip_orders", windowed=False)})
    assert names.resolve("vip_orders").id == "vip_orders"  # type: ignore[union-attr]
    assert names.resolve("VIP订单").id == "vip_orders"  # type: ignore[union-attr]
    assert MEMBER.resolve("vip_orders") is None


def test_labels_in_both_languages() -> None:
    assert MEMBER.resolve("points_90d").label("en") == "points in the last 90 days"  # type: ignore[union-attr]
    assert MEMBER.resolve("orders_total").label("en") == "orders (all time)"  # type: ignore[union-attr]
    assert MEMBER.resolve("tenure_days").label("zh") == "入群天数"  # type: ignore[union-attr]


# --- check --------------------------------------------------------------------------------


def issues(text: str, names: Names = MEMBER, want: str = "bool") -> list[tuple[str, int, dict[str, object]]]:
    return [(i.code, i.offset, i.params) for i in check(parse(text), names, want, text).issues]


def test_sound_condition_has_no_issues_and_records_names() -> None:
    checked = check(parse("近90天积分 ≥ 300 and orders_30d >= 1"), MEMBER)
    assert checked.type == "bool"
    assert checked.issues == []
    assert {k: v.id for k, v in checked.names.items()} == {"近90天积分": "points_90d", "orders_30d": "orders_30d"}


def test_q202_unknown_name_with_did_you_mean() -> None:
    assert issues("point_90d >= 300") == [("Q202", 0, {
        "name": "point_90d",
        "suggestion": {"en": "; did you mean 'points_90d'?", "zh": "；是不是想写 'points_90d'？"},
        "scope": {"en": "member", "zh": "成员"},
    })]


def test_q202_did_you_mean_a_chinese_label() -> None:
    assert issues("近90天积份 >= 300") == [("Q202", 0, {
        "name": "近90天积份",
        "suggestion": {"en": "; did you mean '近90天积分'?", "zh": "；是不是想写 '近90天积分'？"},
        "scope": {"en": "member", "zh": "成员"},
    })]


def test_q202_offset_of_a_chinese_name_after_chinese_text() -> None:
    found = issues("积分 >= 1 and 未知名 > 1")
    assert found == [("Q202", 12, {"name": "未知名", "suggestion": {"en": "", "zh": ""},
                                   "scope": {"en": "member", "zh": "成员"}})]


def test_q202_scope_words_follow_the_scope() -> None:
    [(code, _, params)] = issues("interaction_rate_7d >= 0.1")
    assert code == "Q202" and params["scope"] == {"en": "member", "zh": "成员"}
    [(code, _, params)] = issues("bogus > 1", STAFF)
    assert code == "Q202" and params["scope"] == {"en": "commission", "zh": "提成"}
    assert issues("interaction_rate_7d >= 0.1", GROUP) == []


@pytest.mark.parametrize(("text", "found"), [
    ("orders_30d", {"en": "a number", "zh": "数字"}),
    ("level", {"en": "text", "zh": "文本"}),
    ("orders_30d + 1", {"en": "a number", "zh": "数字"}),
])
def test_q203_not_boolean(text: str, found: dict[str, str]) -> None:
    assert issues(text) == [("Q203", 0, {"found": found, "source": text})]


@pytest.mark.parametrize(("text", "offset", "en", "zh"), [
    ('orders_30d >= "3"', 0, "cannot compare a number with text", "不能把数字与文本比较"),
    ('level > "gold"', 0, "'>' compares numbers; use == or != for text", "'>' 用于比较数字；文本请用 == 或 !="),
    ('level in "gold"', 0, "'in' needs a list on its right, e.g. [\"a\", \"b\"]", "'in' 右边需要列表，如 [\"a\", \"b\"]"),
    ('level in ["gold", 1]', 18, "the list holds a number but the left side is text", "列表中是数字，左边却是文本"),
    ("not orders_30d", 0, "'not' needs true/false, not a number", "not 需要“是/否”，而不是数字"),
    ("orders_30d >= 1 and orders_30d", 20, "each side of 'and' must be true/false, found a number",
     "'and' 两边都必须是“是/否”，实际为数字"),
    ("min(level, 1) > 1", 0, "min() works on numbers only", "min() 只能用于数字"),
    ('level + 1 > 1', 0, "'+' works on numbers only", "'+' 只能用于数字"),
])
def test_q204_type_mismatches(text: str, offset: int, en: str, zh: str) -> None:
    assert issues(text) == [("Q204", offset, {"detail": {"en": en, "zh": zh}})]


def test_list_of_matching_items_is_fine() -> None:
    assert issues('level in ["gold", "silver"]') == []
    assert issues("orders_30d in [1, 2]") == []


def test_want_number_for_metric_expressions() -> None:
    assert issues("orders_30d * 2 + 1", want="number") == []
    assert check(parse("orders_30d * 2 + 1"), MEMBER, "number").type == "number"
    assert issues("orders_30d >= 1", want="number") == [("Q204", 0, {"detail": {
        "en": "this expression gives true/false, but a number is needed here",
        "zh": "该表达式的结果是是/否，此处需要数字"}})]


def test_unknown_name_does_not_also_report_q203() -> None:
    assert [i[0] for i in issues("xyzzy")] == ["Q202"]


# --- in_words -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "names", "zh", "en"), [
    ("points_90d >= 300", MEMBER, "近90天积分 ≥ 300", "points in the last 90 days ≥ 300"),
    ("近90天积分 ≥ 300", MEMBER, "近90天积分 ≥ 300", "points in the last 90 days ≥ 300"),
    ("interaction_rate_7d >= 0.1", GROUP, "近7天互动率 ≥ 10%", "interaction rate in the last 7 days ≥ 10%"),
    ("interaction_rate_7d >= 0.125", GROUP, "近7天互动率 ≥ 12.5%", "interaction rate in the last 7 days ≥ 12.5%"),
    ("0.2 > leave_rate", GROUP, "20% > 退群率", "20% > leave rate"),
    ("order_amount_30d >= 100", MEMBER, "近30天消费金额 ≥ 100 元", "amount ordered in the last 30 days ≥ ¥100"),
    ("weighted_attainment >= 0.8", STAFF, "加权达成率 ≥ 80%", "weighted attainment ≥ 80%"),
    ("points_90d >= 300 and orders_30d >= 1", MEMBER, "近90天积分 ≥ 300 且 近30天订单数 ≥ 1",
     "points in the last 90 days ≥ 300 and orders in the last 30 days ≥ 1"),
    ('level in ["gold", "silver"]', MEMBER, "会员等级 属于 「gold」、「silver」",
     'membership level is one of ["gold", "silver"]'),
    ('level not in ["gold"]', MEMBER, "会员等级 不属于 「gold」", 'membership level is not one of ["gold"]'),
    ("tenure_days > 7 and days_since_last_message <= 3", MEMBER, "入群天数 > 7 且 距上次发言天数 ≤ 3",
     "days since joining > 7 and days since the last message ≤ 3"),
    ("orders_total != 0", MEMBER, "累计订单数 ≠ 0", "orders (all time) ≠ 0"),
    # min/max with a constant bound the value; otherwise the smaller or larger of the values
    ("min(orders_30d, 3) >= 1", MEMBER, "近30天订单数（最多按 3 计）≥ 1", "orders in the last 30 days (at most 3) ≥ 1"),
    ("max(1, orders_30d) >= 1", MEMBER, "近30天订单数（至少按 1 计）≥ 1", "orders in the last 30 days (at least 1) ≥ 1"),
    ("sales / max(members, 1) >= 150", GROUP, "销售额 ÷ 群成员数（至少按 1 人计）≥ 150",
     "sales ÷ members (at least 1) ≥ 150"),
    ("max(orders_30d, points_90d) >= 1", MEMBER, "（近30天订单数 与 近90天积分 中的较大者）≥ 1",
     "(the larger of orders in the last 30 days and points in the last 90 days) ≥ 1"),
    ("min(orders_30d, points_90d, 3) >= 1", MEMBER, "（近30天订单数、近90天积分、3 中的较小者）≥ 1",
     "(the smallest of orders in the last 30 days, points in the last 90 days and 3) ≥ 1"),
    ("abs(orders_30d) >= 1", MEMBER, "近30天订单数的绝对值 ≥ 1", "the absolute value of orders in the last 30 days ≥ 1"),
    ("True", MEMBER, "是", "true"),
    ("xyz >= 1", MEMBER, "xyz ≥ 1", "xyz ≥ 1"),
])
def test_in_words(text: str, names: Names, zh: str, en: str) -> None:
    tree = parse(text)
    assert in_words(tree, names, "zh") == zh
    assert in_words(tree, names, "en") == en


@pytest.mark.parametrize(("text", "zh"), [
    # Chinese: full-width brackets, no space beside them, texts in 「」
    ("(points_90d >= 300 or orders_30d >= 1) and level == 'gold'", "（近90天积分 ≥ 300 或 近30天订单数 ≥ 1）且 会员等级 = 「gold」"),
    ("points_90d >= 300 or orders_30d >= 1 and level == 'gold'", "近90天积分 ≥ 300 或 近30天订单数 ≥ 1 且 会员等级 = 「gold」"),
    ("(orders_30d + 1) * 2 >= 3", "（近30天订单数 + 1）× 2 ≥ 3"),
    ("orders_30d + 1 * 2 >= 3", "近30天订单数 + 1 × 2 ≥ 3"),
    ("orders_30d - (1 - 2) >= 3", "近30天订单数 -（1 - 2）≥ 3"),
    ("orders_30d - 1 - 2 >= 3", "近30天订单数 - 1 - 2 ≥ 3"),
    ("orders_30d / (2 * 3) >= 1", "近30天订单数 ÷（2 × 3）≥ 1"),
    ("-(orders_30d + 1) < 0", "-（近30天订单数 + 1）< 0"),
    ("not (points_90d >= 300 and orders_30d >= 1)", "并非（近90天积分 ≥ 300 且 近30天订单数 ≥ 1）"),
    ("not points_90d >= 300", "并非 近90天积分 ≥ 300"),
    ("(a and b) and c", "a 且 b 且 c"),
])
def test_in_words_keeps_parentheses_only_where_needed(text: str, zh: str) -> None:
    assert in_words(parse(text), MEMBER, "zh") == zh


def test_in_words_parenthesises_a_comparison_inside_a_comparison() -> None:
    assert in_words(parse("(orders_30d >= 1) == False"), MEMBER, "zh") == "（近30天订单数 ≥ 1）= 否"


# --- evaluate --------------------------------------------------------------------------------


def test_decimal_arithmetic_is_exact() -> None:
    assert evaluate(parse("0.1 + 0.2 == 0.3"), {}) is True
    assert evaluate(parse("a + b == 0.3"), {"a": 0.1, "b": 0.2}) is True
    assert evaluate(parse("a + b"), {"a": 0.1, "b": 0.2}) == Decimal("0.3")
    assert evaluate(parse("a / b"), {"a": 1, "b": 4}) == Decimal("0.25")


def test_division_by_zero_gives_zero() -> None:
    assert evaluate(parse("a / 0"), {"a": 5}) == Decimal(0)
    assert evaluate(parse("a % b"), {"a": 5, "b": 0}) == Decimal(0)
    assert evaluate(parse("a / b >= 0.1"), {"a": 0, "b": 0}) is False


@pytest.mark.parametrize(("text", "values", "expected"), [
    ('level in ["gold", "silver"]', {"level": "gold"}, True),
    ('level in ["gold", "silver"]', {"level": "bronze"}, False),
    ('level not in ["gold"]', {"level": "gold"}, False),
    ("x in [1, 2]", {"x": 2}, True),
    ("a >= 1 and b >= 1", {"a": 1, "b": 0}, False),
    ("a >= 1 or b >= 1", {"a": 1, "b": 0}, True),
    ("not a >= 1", {"a": 0}, True),
    ("1 < x < 5", {"x": 5}, False),
    ("1 < x < 5", {"x": 3}, True),
    ("x != 3", {"x": 3}, False),
    ("近90天积分 ≥ 300", {"近90天积分": 300}, True),
])
def test_evaluate_logic_and_membership(text: str, values: dict[str, object], expected: bool) -> None:
    assert evaluate(parse(text), values) is expected


def test_evaluate_resolves_chinese_names_when_given_the_names() -> None:
    tree = parse("近90天积分 >= 300 and 累计订单数 >= 1")
    assert evaluate(tree, {"points_90d": 400, "orders_total": 2}, MEMBER) is True
    assert evaluate(tree, {"points_90d": 200, "orders_total": 2}, MEMBER) is False


def test_evaluate_functions_and_signs() -> None:
    assert evaluate(parse("min(a, b, 3)"), {"a": 5, "b": 4}) == Decimal(3)
    assert evaluate(parse("max(a, b)"), {"a": 5, "b": 4}) == Decimal(5)
    assert evaluate(parse("abs(a)"), {"a": -2}) == Decimal(2)
    assert evaluate(parse("-a"), {"a": 2}) == Decimal(-2)
    assert evaluate(parse("7 % 3"), {}) == Decimal(1)


# --- bounds -------------------------------------------------------------------------------------


def test_bounds_of_simple_conjunctions() -> None:
    assert bounds(parse("points_90d >= 300"), MEMBER) == {"points_90d": Interval(low=n("300"))}
    assert bounds(parse("points_90d > 300"), MEMBER) == {"points_90d": Interval(low=n("300"), low_open=True)}
    assert bounds(parse("300 <= points_90d"), MEMBER) == {"points_90d": Interval(low=n("300"))}
    assert bounds(parse("5 > orders_30d"), MEMBER) == {"orders_30d": Interval(high=n("5"), high_open=True)}
    assert bounds(parse("近90天积分 ≥ 300 and orders_30d >= 1"), MEMBER) == {
        "points_90d": Interval(low=n("300")), "orders_30d": Interval(low=n("1"))}
    assert bounds(parse("orders_total == 2"), MEMBER) == {"orders_total": Interval(n("2"), False, n("2"), False)}
    assert bounds(parse("1 < points_90d < 5"), MEMBER) == {
        "points_90d": Interval(n("1"), True, n("5"), True)}
    assert bounds(parse("points_90d >= 1 and points_90d >= 5 and points_90d < 9"), MEMBER) == {
        "points_90d": Interval(n("5"), False, n("9"), True)}


@pytest.mark.parametrize("text", [
    "points_90d >= 300 or orders_30d >= 1", "foo >= 1", "points_90d != 3", "level == 'a'",
    "points_90d + 1 >= 2", "not points_90d >= 1", "points_90d >= orders_30d",
])
def test_bounds_of_anything_else_is_none(text: str) -> None:
    assert bounds(parse(text), MEMBER) is None


@pytest.mark.parametrize(("inner", "outer", "expected"), [
    (Interval(low=n("300")), Interval(low=n("300")), True),
    (Interval(low=n("400")), Interval(low=n("300")), True),
    (Interval(low=n("200")), Interval(low=n("300")), False),
    (Interval(low=n("300")), Interval(low=n("300"), low_open=True), False),  # 300 itself is outside
    (Interval(low=n("300"), low_open=True), Interval(low=n("300")), True),
    (Interval(high=n("5")), Interval(high=n("5"), high_open=True), False),
    (Interval(high=n("5"), high_open=True), Interval(high=n("5")), True),
    (Interval(high=n("3")), Interval(high=n("7")), True),
    (Interval(), Interval(low=n("1")), False),
    (Interval(low=n("1")), Interval(), True),
    (Interval(n("2"), False, n("2"), False), Interval(low=n("1"), high=n("2")), True),
    (Interval(n("2"), False, n("2"), False), Interval(low=n("1"), high=n("2"), high_open=True), False),
])
def test_interval_within(inner: Interval, outer: Interval, expected: bool) -> None:
    assert inner.within(outer) is expected


def test_interval_meet_prefers_the_open_end_on_ties() -> None:
    closed, opened = Interval(low=n("3")), Interval(low=n("3"), low_open=True)
    assert closed.meet(opened) == opened
    assert opened.meet(closed) == opened
    assert Interval(high=n("5")).meet(Interval(high=n("5"), high_open=True)) == Interval(high=n("5"), high_open=True)


def test_contained() -> None:
    few = bounds(parse("orders_total <= 1"), MEMBER)
    none = bounds(parse("orders_total <= 0"), MEMBER)
    narrower = bounds(parse("orders_total <= 0 and points_90d >= 5"), MEMBER)
    other = bounds(parse("points_90d >= 5"), MEMBER)
    assert few is not None and none is not None and narrower is not None and other is not None
    assert contained(none, few) is True
    assert contained(few, none) is False
    assert contained(narrower, few) is True
    assert contained(other, few) is False  # no bound on orders_total: not every case is covered
    assert contained(few, {}) is True
