"""Each semantic check module on small inline playbooks, through validate_paths: the codes it
emits, where, and (for some) the exact words in English and Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from qunce.diagnostics import Diagnostic
from qunce.load import load_playbook
from qunce.template_vars import sample_context
from qunce.validation import Report, validate_paths


@pytest.fixture
def validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)

    def run(text: str) -> Report:
        path = tmp_path / "p.yaml"
        path.write_text(text, encoding="utf-8")
        return validate_paths([path])

    return run


def found(report: Report) -> list[tuple[str, int]]:
    return [(d.code, d.span.line) for d in report.diagnostics]


def placed(report: Report) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.col) for d in report.diagnostics]


def one(report: Report, code: str) -> Diagnostic:
    matches = [d for d in report.diagnostics if d.code == code]
    assert len(matches) == 1, report.diagnostics
    return matches[0]


def test_an_empty_playbook_is_clean(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("playbook: T\n")
    assert report.diagnostics == []
    assert report.files_checked == 1


# --- commission ------------------------------------------------------------------------------

KPIS_3 = """\
playbook: T
commission:
  pool: {per_group: 500}
  kpis:
    - {id: growth, name: 增长, metric: net_new_members, target: 150, weight: 0.3}
    - {id: activity, name: 活跃, metric: interaction_rate, target: 0.15, weight: 0.4}
    - {id: retention, name: 留存, metric: retention_rate, target: 0.5, weight: 0.3}
  adjust:
"""


def test_q602_only_when_all_adjustments_fire_together(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate(KPIS_3 + (
        '    - {when: "retention_rate < 0.4", move: 0.2, from: growth, to: activity}\n'
        '    - {when: "interaction_rate < 0.1", move: 0.2, from: growth, to: retention}\n'))
    assert placed(report) == [("Q602", 8, 3)]  # the adjust: key, not one rule
    d = report.diagnostics[0]
    assert d.message() == "after all adjustments fire together, the weight of 'growth' would be -0.1"
    assert d.message("zh") == "所有调整在同一期同时生效时，'growth' 的权重将变为 -0.1"


def test_q602_not_when_the_adjustments_fit_together(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate(KPIS_3 + (
        '    - {when: "retention_rate < 0.4", move: 0.1, from: growth, to: activity}\n'
        '    - {when: "interaction_rate < 0.1", move: 0.2, from: growth, to: retention}\n'))
    assert report.diagnostics == []


def test_q602_one_adjustment_alone(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
commission:
  pool: {per_group: 500}
  kpis:
    - {id: growth, name: 增长, metric: net_new_members, target: 150, weight: 0.3}
    - {id: activity, name: 活跃, metric: interaction_rate, target: 0.15, weight: 0.7}
  adjust:
    - {when: "retention_rate < 0.4", move: 0.5, from: growth, to: activity}
""")
    assert placed(report) == [("Q602", 8, 44), ("Q602", 8, 44)]  # at move:, for both KPIs
    messages = sorted(d.message() for d in report.diagnostics)
    assert messages == ["after adjustment 1, the weight of 'activity' would be 1.2",
                        "after adjustment 1, the weight of 'growth' would be -0.2"]
    assert sorted(d.message("zh") for d in report.diagnostics) == [
        "第 1 条调整生效时，'activity' 的权重将变为 1.2", "第 1 条调整生效时，'growth' 的权重将变为 -0.2"]


def test_commission_sums_targets_and_curves(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
commission:
  pool: {per_group: 500}
  kpis:
    - {id: growth, name: 增长, metric: net_new_members, target: 0, weight: 0.5}
    - {id: activity, name: 活跃, metric: interaction_rate, target: 0.15, weight: 0.4}
  split: {owner: 0.6, admin: 0.3}
  curve: [[0.5, 0.5], [1.0, 1.2], [1.5, 1.0]]
  rates: {brackets: [{from: 0.8, rate: 1.0}, {from: 0.5, rate: 1.2}]}
roles:
  owner: {name: 群主}
  admin: {name: 管理员}
""")
    assert found(report) == [("Q601", 4), ("Q604", 5), ("Q603", 7), ("Q605", 8), ("Q606", 9), ("Q605", 9)]
    assert one(report, "Q601").message() == "KPI weights sum to 0.9, not 1"
    assert one(report, "Q601").hint() == ("Each weight is a KPI's share of the payout; make them add up to "
                                          "exactly 1 (growth 0.5 + activity 0.4).")
    assert one(report, "Q603").message("zh") == "角色分配比例之和为 0.9，而不是 1"
    assert one(report, "Q604").message() == "target of KPI 'growth' is 0; it must be positive"
    curve = [d for d in report.diagnostics if d.code == "Q605"]
    assert curve[0].message() == "point 3: factor 1.0 is lower than 1.2 at a lower attainment"
    assert curve[1].message("zh") == "第 2 档起点 0.5 没有大于上一档的 0.8"


def test_a_sound_commission_plan(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
roles:
  owner: {name: 群主}
  admin: {name: 管理员}
commission:
  pool: {per_group: 500}
  gate: "weighted_attainment >= 0.6"
  kpis:
    - {id: growth, name: 增长, metric: net_new_members, target: 150, weight: 0.6}
    - {id: activity, name: 活跃, metric: interaction_rate, target: 0.15, weight: 0.4}
  curve: {points: [[0.5, 0.5], [1.0, 1.0], [1.5, 2.0]], cap: 2}
  split: {owner: 0.6, admin: 0.4}
  bonuses:
    - {id: star, name: 明星群, when: "attainment_growth >= 1.2", amount: 200}
""")
    assert report.diagnostics == []


# --- conditions -----------------------------------------------------------------------------------

CONDITIONS = """\
playbook: T
segments:
  - {id: a, name: 甲, when: "point_90d >= 300"}
  - {id: b, name: 乙, when: "近90天积分 ≥ 300 and 未知 > 1"}
  - {id: c, name: 丙, when: "orders_30d"}
  - {id: d, name: 丁, when: "orders_30d >= \\"3\\""}
  - {id: e, name: 戊, when: "orders_30d >= "}
  - {id: f, name: 己, when: "__import__('os')"}
  - id: g
    name: 庚
    when: |
      orders_30d >= 1
      and foo > 1
lifecycle:
  - {id: alive, name: 活跃, when: "interaction_rate_7d >= 0.1"}
  - {id: dead, name: 死群}
commission:
  pool: {per_group: 1}
  gate: "weighted_attainment >= 0.6 and bogus > 1"
  kpis:
    - {id: growth, name: 增长, metric: net_new_members, target: 1, weight: 1}
"""


def test_condition_problems_are_placed_inside_the_text(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate(CONDITIONS)
    assert placed(report) == [
        ("Q202", 3, 29), ("Q202", 4, 46), ("Q203", 5, 29), ("Q204", 6, 29), ("Q201", 7, 29), ("Q205", 8, 29),
        ("Q202", 13, 11), ("Q202", 19, 41),
    ]
    first = report.diagnostics[0]
    assert (first.span.end_line, first.span.end_col) == (3, 38)  # underlines 'point_90d'
    assert first.message() == "unknown name 'point_90d' in member condition; did you mean 'points_90d'?"
    assert first.message("zh") == "成员条件中有未知名称 'point_90d'；是不是想写 'points_90d'？"
    chinese = report.diagnostics[1]
    assert (chinese.span.col, chinese.span.end_col) == (46, 48)  # '未知', two characters
    assert report.diagnostics[2].hint() == "Compare it with something, e.g. 'orders_30d >= 1'."
    assert report.diagnostics[5].message("zh") == "条件中不允许使用调用 __import__()"
    assert report.diagnostics[7].message() == "unknown name 'bogus' in commission condition"


def test_sound_conditions_in_every_style(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
segments:
  - {id: a, name: 甲, when: 近90天积分 ≥ 300}
  - id: b
    name: 乙
    when: |
      累计订单数 >= 1
      and level in ["gold", "silver"]
  - {id: c, name: 丙, when: 'days_since_last_message <= 7'}
  - {id: z, name: 其他}
metrics:
  custom:
    - {id: chat_score, name: 聊天分, expr: "messages_30d * 2 + checkins_30d"}
""")
    assert report.diagnostics == []


def test_metric_expression_must_give_a_number(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate('playbook: T\nmetrics:\n  custom:\n    - {id: x, name: 某, expr: "orders_30d >= 1"}\n')
    d = one(report, "Q204")
    assert d.span.line == 4
    assert d.message() == "this expression gives true/false, but a number is needed here"


def test_folded_block_condition_is_sound(validate) -> None:  # type: ignore[no-untyped-def]
    # A '>' block must not carry ruamel's fold markers ('\a') into the condition (Q201 U+0007).
    report = validate("""\
playbook: T
segments:
  - id: a
    name: 甲
    when: >
      points_90d >= 300
      and orders_30d >= 1
""")
    assert report.diagnostics == []


# --- group types -----------------------------------------------------------------------------------------


def test_group_type_completeness(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
group_types:
  flash: {name: 快闪群}
  promo: {name: 活动群, kind: 快闪群, lifespan: 3d, content_mix: {activation: 0.6, conversion: 0.3}}
  vip: {name: 会员群, entry: {mode: invite}}
  paid: {name: 付费群, entry: {mode: 付费}}
  act: {name: 活动, entry: {mode: activity, activity: 打卡}}
rules:
  banned:
    - {id: ads, name: 广告, penalties: [remove, warn]}
    - {id: spam, name: 刷屏, penalties: [warn, mute_1d, mute_1h]}
    - {id: abuse, name: 辱骂, penalties: [警告, 禁言1天, 移出]}
""")
    assert found(report) == [("Q701", 3), ("Q702", 4), ("Q703", 5), ("Q703", 6), ("Q704", 10), ("Q704", 11)]
    assert one(report, "Q701").message() == "flash group type 'flash' needs a lifespan, e.g. lifespan: 3d"
    assert one(report, "Q702").message("zh") == "'promo' 的内容配比之和为 0.9，而不是 1"
    penalties = [d for d in report.diagnostics if d.code == "Q704"]
    assert penalties[0].message() == "penalties of 'ads' do not escalate: remove must come last"
    assert penalties[1].message("zh") == "'spam' 的处罚没有逐级加重：'mute_1h' 比前一次禁言更短"


def test_complete_group_types(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
roles:
  admin: {name: 管理员}
group_types:
  flash: {name: 快闪群, lifespan: 3d, content_mix: {activation: 0.6, conversion: 0.3, brand: 0.1}}
  vip: {name: 会员群, entry: {mode: invite, roles: [admin]}}
  paid: {name: 付费群, entry: {mode: paid, fee: 9.9}}
rules:
  banned:
    - {id: spam, name: 刷屏, penalties: [warn, mute_1h, mute_1d, remove]}
""")
    assert report.diagnostics == []


# --- levels ----------------------------------------------------------------------------------------------------


def test_q501_on_upper_bounds(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
membership:
  levels:
    - {id: member, name: 普通会员}
    - {id: silver, name: 银卡, promote_when: "days_since_last_message <= 3", keep_when: "days_since_last_message <= 7"}
    - {id: gold, name: 金卡, promote_when: "days_since_last_message <= 7"}
    - {id: diamond, name: 钻石}
""")
    assert found(report) == [("Q501", 6), ("Q503", 7)]
    q501 = one(report, "Q501")
    assert q501.message() == ("level 'gold' asks days_since_last_message <= 7 but the lower level 'silver' "
                              "asks days_since_last_message <= 3")
    assert q501.message("zh") == ("等级 'gold' 要求 days_since_last_message <= 7，而更低的等级 'silver' "
                                  "要求 days_since_last_message <= 3")
    assert one(report, "Q503").message() == "level 'diamond' has no promote_when: no member can be promoted to it"


def test_q501_on_lower_bounds(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
membership:
  levels:
    - {id: member, name: 普通会员}
    - {id: gold, name: 金卡, promote_when: "points_90d >= 600"}
    - {id: diamond, name: 钻石, promote_when: "近90天积分 ≥ 300"}
""")
    assert placed(report) == [("Q501", 6, 45)]  # the opening quote
    assert report.diagnostics[0].message() == (
        "level 'diamond' asks points_90d >= 300 but the lower level 'gold' asks points_90d >= 600")


LADDER_OF_THREE = """\
playbook: T
membership:
  levels:
    - {{id: member, name: 普通会员}}
    - {{id: silver, name: 银卡, promote_when: "points_90d >= 500"}}
    - {{id: gold, name: 金卡, promote_when: "{gold}"}}
    - {{id: diamond, name: 钻石, promote_when: "points_90d >= 400"}}
"""


def test_q501_names_the_nearest_lower_level_undercut(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate(LADDER_OF_THREE.format(gold="points_90d >= 600"))  # diamond undercuts gold and silver
    assert placed(report) == [("Q501", 7, 45)]
    assert report.diagnostics[0].message() == (
        "level 'diamond' asks points_90d >= 400 but the lower level 'gold' asks points_90d >= 600")


def test_q501_compares_with_every_lower_level(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate(LADDER_OF_THREE.format(gold="orders_30d >= 6"))  # gold says nothing about points
    assert placed(report) == [("Q501", 7, 45)]
    assert report.diagnostics[0].message() == (
        "level 'diamond' asks points_90d >= 400 but the lower level 'silver' asks points_90d >= 500")


def test_q501_respects_open_and_closed_bounds(validate) -> None:  # type: ignore[no-untyped-def]
    ladder = """\
playbook: T
membership:
  levels:
    - {{id: member, name: 普通会员}}
    - {{id: silver, name: 银卡, promote_when: "points_90d {lower} 300"}}
    - {{id: gold, name: 金卡, promote_when: "points_90d {upper} 300"}}
"""
    report = validate(ladder.format(lower=">", upper=">="))  # >= 300 lets in 300, which > 300 does not
    assert placed(report) == [("Q501", 6, 42)]
    assert report.diagnostics[0].message() == (
        "level 'gold' asks points_90d >= 300 but the lower level 'silver' asks points_90d > 300")
    assert validate(ladder.format(lower=">=", upper=">")).diagnostics == []


def test_a_proper_ladder(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
membership:
  levels:
    - {id: member, name: 普通会员}
    - {id: silver, name: 银卡, promote_when: "days_since_last_message <= 7"}
    - {id: gold, name: 金卡, promote_when: "days_since_last_message <= 3 and points_90d >= 300", keep_when: "points_90d >= 240"}
""")
    assert report.diagnostics == []


def test_q502_keep_stricter_and_q504_base_condition(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
membership:
  levels:
    - {id: member, name: 普通会员, promote_when: "points_90d >= 0"}
    - {id: silver, name: 银卡, promote_when: "points_90d >= 300", keep_when: "points_90d >= 400"}
""")
    assert found(report) == [("Q504", 4), ("Q502", 5)]
    q502 = one(report, "Q502")
    assert q502.message() == "level 'silver' is kept only with points_90d >= 400, but earned with points_90d >= 300"
    assert q502.message("zh") == "等级 'silver' 晋升只需 points_90d >= 300，保级却要 points_90d >= 400"
    assert one(report, "Q504").level.value == "warning"


def test_q502_strict_bound_is_stricter_than_the_same_closed_bound(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
membership:
  levels:
    - {id: member, name: 普通会员}
    - {id: silver, name: 银卡, promote_when: "points_90d >= 300", keep_when: "points_90d > 300"}
""")
    assert found(report) == [("Q502", 5)]
    assert report.diagnostics[0].message() == (
        "level 'silver' is kept only with points_90d > 300, but earned with points_90d >= 300")


# --- metrics ---------------------------------------------------------------------------------------------------


def test_custom_metric_shapes_cycles_and_earn_rules(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
metrics:
  custom:
    - {id: a, name: 甲, expr: "b + 1"}
    - {id: b, name: 乙, expr: "a * 2"}
    - {id: c, name: 丙}
    - {id: d, name: 丁, event: order, agg: sum}
    - {id: e, name: 戊, expr: "orders_30d", event: order, agg: count}
membership:
  points:
    earn:
      - {on: order}
      - {id: chat, on: message, per_yuan: 1}
      - {id: both, on: order, points: 1, per_yuan: 1}
""")
    assert found(report) == [("Q802", 4), ("Q801", 6), ("Q801", 7), ("Q801", 8), ("Q803", 12), ("Q803", 13),
                             ("Q803", 14)]
    q802 = one(report, "Q802")
    assert q802.message() == "custom metric 'a' depends on itself: a → b → a"
    assert q802.message("zh") == "自定义指标 'a' 依赖于自身：a → b → a"
    shapes = [d.message() for d in report.diagnostics if d.code == "Q801"]
    assert shapes == ["custom metric 'c' needs expr:, or event: with agg:",
                      "custom metric 'd' uses agg: sum and needs field: (e.g. amount)",
                      "custom metric 'e' has both expr: and event:/agg:; choose one"]
    rules = [d for d in report.diagnostics if d.code == "Q803"]
    assert rules[0].message() == "points rule #1 gives no points: add points: or per_yuan:"
    assert rules[0].message("zh") == "积分规则 #1 没有给分：请写 points 或 per_yuan"
    assert rules[1].message() == "points rule chat uses per_yuan: with on: message; per_yuan is for orders"
    assert rules[2].message() == "points rule both has both points: and per_yuan:; choose one"


def test_q802_self_reference(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate('playbook: T\nmetrics:\n  custom:\n    - {id: a, name: 甲, expr: "a + 1"}\n')
    assert found(report) == [("Q802", 4)]
    assert report.diagnostics[0].message() == "custom metric 'a' depends on itself: a → a"


def test_sound_metrics(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
metrics:
  custom:
    - {id: a, name: 甲, expr: "orders_30d + 1"}
    - {id: b, name: 乙, expr: "a * 2"}
    - {id: d, name: 丁, event: order, agg: sum, field: amount, window: 30d, where: "channel == '直播'"}
membership:
  points:
    earn:
      - {on: order, per_yuan: 1}
      - {on: message, points: 1, cap: {per: day, max: 10}}
""")
    assert report.diagnostics == []


# --- reachability -------------------------------------------------------------------------------------------


def test_q505_subsumed_and_after_catch_all_and_q506(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
segments:
  - {id: few, name: 少单, when: "orders_total <= 1"}
  - {id: none, name: 零单, when: "orders_total <= 0"}
  - {id: all, name: 其他}
  - {id: late, name: 迟到, when: "orders_total >= 5"}
lifecycle:
  - {id: alive, name: 活跃, when: "interaction_rate_7d >= 0.1"}
  - {id: quiet, name: 沉寂, when: "interaction_rate_7d >= 0.01"}
""")
    assert placed(report) == [("Q505", 4, 10), ("Q505", 6, 10), ("Q506", 7, 1)]
    subsumed, after_all, no_catch_all = report.diagnostics
    assert subsumed.message() == "'none' can never match: 'few' above it matches every case it covers"
    assert subsumed.message("zh") == "'none' 永远不会被匹配：前面的 'few' 已覆盖它的所有情况"
    assert after_all.message() == "'late' can never match: 'all' above it matches everyone"
    assert no_catch_all.message() == "a group that matches none of alive, quiet has no lifecycle state"
    assert no_catch_all.level.value == "warning"


def test_narrower_first_then_catch_all_is_live(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
segments:
  - {id: none, name: 零单, when: "orders_total <= 0"}
  - {id: few, name: 少单, when: "orders_total <= 1"}
  - {id: other, name: 其他, when: "points_90d >= 1"}
  - {id: all, name: 其他}
lifecycle:
  - {id: alive, name: 活跃, when: "interaction_rate_7d >= 0.1"}
  - {id: dead, name: 死群}
""")
    assert report.diagnostics == []


def test_when_true_is_a_catch_all(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
lifecycle:
  - {id: any, name: 任意, when: "True"}
  - {id: alive, name: 活跃, when: "interaction_rate_7d >= 0.1"}
""")
    assert found(report) == [("Q505", 4)]
    assert report.diagnostics[0].message() == "'alive' can never match: 'any' above it matches everyone"


# --- references ------------------------------------------------------------------------------------------------


REFERENCES = """\
playbook: T
roles:
  owner: {name: 群主, reports_to: bos}
  admin: {name: 管理员}
group_types:
  traffic: {name: 引流群, entry: {mode: invite, roles: [admn]}, staffing: {helper: 1}}
templates:
  welcome_msg: "欢迎"
sop:
  - {id: t1, name: 话题, role: onwer, group_types: [trafic], every: daily 20:00, template: welcom_msg}
  - {id: t2, name: 预警, role: owner, on: churn_warning, warning: silent}
churn:
  - {id: silent_7d, name: 沉默, when: "days_since_last_message >= 7", action: 私聊, template: nope}
"""


def test_q402_unknown_references(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate(REFERENCES)
    assert placed(report) == [("Q402", 3, 33), ("Q402", 6, 54), ("Q402", 6, 73), ("Q402", 10, 30),
                              ("Q402", 10, 51), ("Q402", 10, 90), ("Q402", 11, 65), ("Q402", 13, 91)]
    messages = [d.message() for d in report.diagnostics]
    assert messages[0] == "role 'bos' is not defined"
    assert messages[1] == "role 'admn' is not defined; did you mean 'admin'?"
    assert messages[2] == "role 'helper' is not defined"
    assert messages[4] == "group type 'trafic' is not defined; did you mean 'traffic'?"
    assert messages[6] == "churn warning 'silent' is not defined; did you mean 'silent_7d'?"
    assert report.diagnostics[3].message("zh") == "未定义的角色 'onwer'；是不是想写 'owner'？"
    assert report.diagnostics[3].hint() == "Defined roles: admin, owner."
    assert report.diagnostics[5].hint("zh") == "已定义的消息模板：welcome_msg。"


def test_q402_unknown_kpi_metric(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
commission:
  pool: {per_group: 1}
  kpis:
    - {id: growth, name: 增长, metric: net_new_member, target: 1, weight: 1}
""")
    d = one(report, "Q402")
    assert (d.span.line, d.span.col) == (5, 38)
    assert d.message() == "metric 'net_new_member' is not defined; did you mean 'net_new_members'?"
    assert d.message("zh") == "未定义的指标 'net_new_member'；是不是想写 'net_new_members'？"


def test_resolved_references(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
roles:
  owner: {name: 群主}
  admin: {name: 管理员, reports_to: owner}
group_types:
  traffic: {name: 引流群, entry: {mode: invite, roles: [admin]}, staffing: {admin: 1}}
rules:
  welcome: "欢迎 {{ member.nickname }}"
sop:
  - {id: t1, name: 欢迎, role: admin, group_types: [traffic], on: join, template: welcome}
  - {id: t2, name: 预警, role: owner, on: churn_warning, warning: silent_7d}
churn:
  - {id: silent_7d, name: 沉默, when: "days_since_last_message >= 7", action: 私聊, role: admin}
""")
    assert report.diagnostics == []


LABEL_FOR_AN_ID = """\
playbook: T
roles:
  owner: {name: 群主}
  admin: {name: 管理员}
sop:
  - {id: t1, name: 话题, role: 管理员, every: daily 20:00}
"""


def test_q402_chinese_label_suggests_the_id(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate(LABEL_FOR_AN_ID)
    assert placed(report) == [("Q402", 6, 30)]  # the only diagnostic: the sop section still loads
    d = report.diagnostics[0]
    assert d.message() == "role '管理员' is not defined; use the id 'admin' (its name is 管理员)"
    assert d.message("zh").startswith("未定义的角色 '管理员'；请写 id 'admin'")


def test_q402_chinese_label_hint_in_chinese(validate) -> None:  # type: ignore[no-untyped-def]
    d = one(validate(LABEL_FOR_AN_ID), "Q402")
    assert d.message("zh") == "未定义的角色 '管理员'；请写 id 'admin'（“管理员”是它的名称）"


# --- sop -----------------------------------------------------------------------------------------------------------


def test_sop_triggers_and_options(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
roles:
  owner: {name: 群主}
group_types:
  traffic: {name: 引流群}
sop:
  - {id: t1, role: owner, minutes: 15}
  - {id: t2, name: 双触发, role: owner, every: daily 20:00, on: join}
  - {id: t3, name: 错误计划, role: owner, every: every evening}
  - {id: t4, name: 无时刻, role: owner, every: daily}
  - {id: t5, name: 天, role: owner, days: [0, 1]}
  - {id: t6, name: 规则, role: owner, rrule: "FREQ=SOMETIMES", at: "10:00"}
  - {id: t7, name: 结束前, role: owner, days_before_end: [0], at: "10:00"}
  - {id: t8, name: 入群, role: owner, on: join, within: 10m}
  - {id: t9, name: 欢迎, role: owner, every: weekly mon 20:00, within: 10m}
  - {id: t10, name: 节假日, role: owner, every: daily 20:00, skip_holidays: true}
""")
    assert found(report) == [("Q711", 7), ("Q716", 7), ("Q711", 8), ("Q712", 9), ("Q713", 10), ("Q713", 11),
                             ("Q712", 12), ("Q713", 13), ("Q713", 15), ("Q713", 16)]
    messages = [d.message() for d in report.diagnostics]
    assert messages[0] == "SOP item 't1' has no trigger"
    assert messages[1] == "SOP item 't1' has no name, task, template or message"
    assert messages[2] == "SOP item 't2' has several triggers (every, on); give one"
    assert report.diagnostics[2].message("zh") == "SOP 事项 't2' 写了多个触发方式（every, on）；只能写一个"
    assert messages[4] == "SOP item 't4': the schedule needs a time, e.g. daily 20:00"
    assert messages[5] == "SOP item 't5': a day-count trigger needs at: (time of day)"
    assert messages[6] == "'FREQ=SOMETIMES' is not a valid RRULE: invalid 'FREQ': SOMETIMES"
    assert messages[7] == "SOP item 't7': group types without a lifespan never end: traffic"
    assert messages[8] == "SOP item 't9': within: only goes with an event trigger (on:)"
    assert report.diagnostics[9].message("zh") == "SOP 事项 't10'：设置了 skip_holidays，但 calendar.holidays 为空"


def test_q713_day_triggers_past_the_lifespan_and_member_days(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
roles:
  owner: {name: 群主}
group_types:
  flash: {name: 快闪群, lifespan: 3d}
sop:
  - {id: t1, name: 倒计时, role: owner, group_types: [flash], days: [0, 3, 5], at: "10:00"}
  - {id: t2, name: 结束, role: owner, group_types: [flash], days_before_end: [3], at: "10:00"}
  - {id: t3, name: 新人, role: owner, member_days: [1, 7]}
  - {id: t4, name: 新人回访, role: owner, member_days: [1, 7], at: "10:00", per: person}
""")
    assert placed(report) == [("Q713", 7, 66), ("Q713", 8, 76), ("Q713", 9, 50)]  # at the days lists
    messages = [d.message() for d in report.diagnostics]
    assert messages == [
        "SOP item 't1': day 3, 5 never comes: its groups live 3 day(s) (days 0–2)",
        "SOP item 't2': day 3 never comes: its groups live 3 day(s) (days 0–2)",
        "SOP item 't3': a day-count trigger needs at: (time of day)",
    ]


def test_sound_sop(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
roles:
  owner: {name: 群主}
calendar:
  holidays: [2027-02-17, {date: 2027-02-18, name: 春节}]
group_types:
  flash: {name: 快闪群, lifespan: 3d}
sop:
  - {id: t1, name: 话题, role: owner, every: daily, at: "20:00", skip_holidays: true}
  - {id: t2, name: 周会, role: owner, every: "每周一、四 20:00"}
  - {id: t3, name: 规则, role: owner, rrule: "FREQ=WEEKLY;BYDAY=MO,TH", at: "10:00"}
  - {id: t4, name: 倒计时, role: owner, group_types: [flash], days_before_end: [0, 1], at: "10:00"}
  - {id: t5, name: 欢迎, role: owner, on: join, within: 10m}
""")
    assert report.diagnostics == []


# --- templates -------------------------------------------------------------------------------------------------------


def test_template_problems_point_at_their_line(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
vars: {brand: 花漾}
rules:
  welcome: "欢迎 {{ member.nickname }} 加入{{ group.name }}!{{ brand }}"
  announcement: |
    第一行
    第二行
    {{ member.nick }}
templates:
  bad_syntax: "{{ member.nickname "
  unsafe: "{{ ''.__class__ }}"
  big: "{% for i in range(99999) %}x{% endfor %}"
  err: "{{ group.name + 1 }}"
group_types:
  traffic: {name: 引流群, naming: "{{ brand }}引流{{ seq }}群{{ member.nickname }}"}
""")
    assert placed(report) == [("Q302", 8, 15), ("Q301", 10, 16), ("Q303", 11, 12), ("Q304", 12, 9), ("Q305", 13, 9),
                              ("Q302", 15, 59)]
    undefined = report.diagnostics[0]
    assert (undefined.span.end_line, undefined.span.end_col) == (8, 19)  # just "nick" on the third line
    assert undefined.message() == "template uses undefined attribute 'nick'"
    assert undefined.message("zh") == "模板使用了未定义的属性 'nick'"
    assert report.diagnostics[3].message() == "template asks for a range of 99999 numbers (limit 1000)"
    naming = report.diagnostics[5]
    assert naming.message() == "template uses undefined name 'member'"
    assert naming.hint() == ("Available here: playbook, vars, seq, group_type / group_type_name, date. "
                             "Add your own under vars:.")


def test_sound_templates(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: 花漾私域
vars: {brand: 花漾}
roles:
  owner: {name: 群主}
membership:
  levels:
    - {id: member, name: 普通会员}
rules:
  welcome: "欢迎 {{ member.nickname }}({{ member.level_name }})加入{{ group.name }}"
  banned:
    - {id: ads, name: 广告, penalties: [warn, remove]}
templates:
  rules_list: "{% for r in rules %}{{ r.name }}:{{ r.penalties|join('→') }}{% endfor %}"
group_types:
  traffic: {name: 引流群, naming: "{{ brand }}{{ group_type_name }}{{ seq }}群"}
sop:
  - {id: t1, name: 话题, role: owner, every: daily 20:00, task: "{{ staff.name }} 在 {{ time }} 发话题"}
""")
    assert report.diagnostics == []


@pytest.mark.parametrize(("locale", "penalties", "steps"), [
    ("", ["警告", "禁言1天", "移出"], "警告 → 禁言1天 → 移出"),
    ("locale: en\n", ["warn", "mute 1d", "remove"], "warn → mute 1d → remove"),
])
def test_templates_see_penalties_in_the_playbooks_language(tmp_path: Path, locale: str, penalties: list[str],
                                                          steps: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("playbook: T\n" + locale + "rules:\n  banned:\n"
                    "    - {id: ads, name: 广告, penalties: [warn, mute_1d, 移出]}\n", encoding="utf-8")
    loaded = load_playbook(path)
    assert loaded.diagnostics == [] and loaded.playbook is not None
    assert sample_context(loaded.playbook, "message")["rules"] == [
        {"id": "ads", "name": "广告", "penalties": penalties, "penalty_steps": steps}]


# --- unique ids ---------------------------------------------------------------------------------------------------------


def test_q401_duplicate_ids_and_q407_shadowed_names(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
segments:
  - {id: loyal, name: 忠实型, when: "orders_30d >= 1"}
  - {id: loyal, name: 羊毛型, when: "points_90d >= 1"}
metrics:
  custom:
    - {id: messages_30d, name: 发言, expr: "messages_7d * 4"}
""")
    assert found(report) == [("Q401", 4), ("Q407", 7)]
    q401 = one(report, "Q401")
    assert q401.message() == "duplicate id 'loyal' in segments (first used at line 3)"
    assert q401.message("zh") == "segments 中 id 'loyal' 重复（第 3 行已使用）"
    q407 = one(report, "Q407")
    assert q407.message() == "custom metric 'messages_30d' has the same name as the built-in messages in the last 30 days"
    assert q407.message("zh") == "自定义指标 'messages_30d' 与内置指标“近30天发言数”重名"


def test_same_id_in_different_lists_is_fine(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
segments:
  - {id: loyal, name: 忠实型, when: "orders_30d >= 1"}
churn:
  - {id: loyal, name: 沉默, when: "days_since_last_message >= 7", action: 私聊}
metrics:
  custom:
    - {id: messages_est_30d, name: 估算发言, expr: "messages_7d * 4"}
""")
    assert report.diagnostics == []


# --- workload -----------------------------------------------------------------------------------------------------------


WORKLOAD = """\
playbook: T
roles:
  owner: {{name: 群主, max_groups: {groups}, minutes_per_day: 480}}
sop:
  - {{id: daily_topic, name: 话题, role: owner, every: daily 20:00, minutes: 15}}
  - {{id: monday_review, name: 周会, role: owner, every: weekly mon 10:00, minutes: 60}}
  - {{id: tuesday_live, name: 直播, role: owner, every: weekly tue 10:00, minutes: 45}}
"""


def test_q714_busiest_day_is_monday(validate) -> None:  # type: ignore[no-untyped-def]
    # Monday: 15 + 60 = 75 min a group; 8 groups need 600 > 480. (The weekly items fall on different
    # days, so they do not add up: summing them all would say 960.)
    report = validate(WORKLOAD.format(groups=8))
    d = one(report, "Q714")
    assert (d.span.line, d.span.col) == (3, 3)
    assert d.message() == ("role 'owner': 8 group(s) of type '*' need up to 600 min on the busiest day; "
                           "the role has 480 min")
    assert d.message("zh") == "角色 'owner'：8 个 '*' 群在最忙的一天需要 600 分钟，而该角色每天只有 480 分钟"
    assert d.hint().endswith("Busiest items: monday_review 60 min, tuesday_live 45 min, daily_topic 15 min.")


def test_q714_not_when_the_busiest_day_fits(validate) -> None:  # type: ignore[no-untyped-def]
    assert validate(WORKLOAD.format(groups=6)).diagnostics == []  # 6 × 75 = 450 ≤ 480


def test_q714_names_the_group_type(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
roles:
  owner: {name: 群主, max_groups: 10, minutes_per_day: 100}
group_types:
  traffic: {name: 引流群}
  welfare: {name: 福利群}
sop:
  - {id: topic, name: 话题, role: owner, every: daily 20:00, minutes: 5}
  - {id: deal, name: 秒杀, role: owner, group_types: [welfare], every: weekdays 12:00, minutes: 10}
""")
    d = one(report, "Q714")
    assert d.message() == ("role 'owner': 10 group(s) of type 'welfare' need up to 150 min on the busiest day; "
                           "the role has 100 min")


def test_q714_days_and_days_before_end_fall_on_the_same_day(validate) -> None:  # type: ignore[no-untyped-def]
    # A 3-day group: day 2 is also its last day (days_before_end 0), so 6 + 5 = 11 min that day.
    report = validate("""\
playbook: T
roles:
  owner: {name: 群主, max_groups: 10, minutes_per_day: 100}
group_types:
  flash: {name: 快闪群, lifespan: 3d}
sop:
  - {id: open, name: 开营, role: owner, days: [2], at: "10:00", minutes: 6}
  - {id: close, name: 结营, role: owner, days_before_end: [0], at: "10:00", minutes: 5}
""")
    d = one(report, "Q714")
    assert d.message() == ("role 'owner': 10 group(s) of type 'flash' need up to 110 min on the busiest day; "
                           "the role has 100 min")


def test_q714_counts_an_rrule_fully_on_each_day_it_fires(validate) -> None:  # type: ignore[no-untyped-def]
    report = validate("""\
playbook: T
roles:
  owner: {name: 群主, max_groups: 10, minutes_per_day: 100}
sop:
  - {id: r, name: 规则, role: owner, rrule: "FREQ=WEEKLY;BYDAY=MO,TH", at: "10:00", minutes: 11}
""")
    assert one(report, "Q714").message() == (
        "role 'owner': 10 group(s) of type '*' need up to 110 min on the busiest day; the role has 100 min")


def test_q714_per_person_items_count_once_and_need_is_rounded_up(validate) -> None:  # type: ignore[no-untyped-def]
    once = """\
playbook: T
roles:
  owner: {name: 群主, max_groups: 3, minutes_per_day: 10}
sop:
  - {id: report, name: 日报, role: owner, every: daily 18:00, per: person, minutes: 9}
"""
    assert validate(once).diagnostics == []  # 9 min, not 3 × 9
    report = validate("""\
playbook: T
roles:
  owner: {name: 群主, max_groups: 3, minutes_per_day: 10}
sop:
  - {id: j, name: 欢迎, role: owner, on: join, per_day: 1.5, minutes: 3}
""")
    assert one(report, "Q714").message() == (  # 3 × 1.5 × 3 = 13.5, shown as 14
        "role 'owner': 3 group(s) of type '*' need up to 14 min on the busiest day; the role has 10 min")


MIX = """\
playbook: T
roles:
  owner: {{name: 群主}}
group_types:
  traffic: {{name: 引流群, content_mix: {{activation: {activation}, conversion: {conversion}}}}}
sop:
  - {{id: topic, name: 话题, role: owner, every: daily 20:00, content: activation}}
  - {{id: promo, name: 促销, role: owner, every: "weekly mon,wed,fri 20:00", content: conversion}}
"""


def test_q715_drift_just_over_the_tolerance(validate) -> None:  # type: ignore[no-untyped-def]
    # The SOP posts activation 7 times and conversion 3 times a week: 0.7 / 0.3; 0.7 − 0.49 = 0.21 > 0.2.
    report = validate(MIX.format(activation="0.49", conversion="0.51"))
    d = one(report, "Q715")
    assert (d.span.line, d.span.col) == (5, 24)
    assert d.level.value == "warning"
    assert d.message() == ("SOP content for 'traffic' is activation 0.7, conversion 0.3; "
                           "its content_mix is activation 0.49, conversion 0.51")
    assert d.message("zh") == ("'traffic' 的 SOP 内容占比为 activation 0.7, conversion 0.3，"
                               "而 content_mix 为 activation 0.49, conversion 0.51")


def test_q715_drift_at_the_tolerance_is_fine(validate) -> None:  # type: ignore[no-untyped-def]
    assert validate(MIX.format(activation="0.5", conversion="0.5")).diagnostics == []  # 0.7 − 0.5 = 0.2
