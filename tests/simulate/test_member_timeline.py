"""`qunce explain --member` in words a group owner reads, on a hand-computed member over four
months: points lines naming the playbook's rules (a daily cap reached, an order, a refund with its
amounts, an expired batch, the balance brought in from before the window), a promotion with the
condition and the values that decided it, a failed keep condition held by the 保级期 (min_stay),
demotions one level at a time and by recompute, and English alike.

m1 (30 days' expiry; gold: points_90d ≥ 400 and orders_90d ≥ 2, kept while ≥ 300, min_stay 1):
- 2026-12-20 o0 ¥40 → +40 (before the window: brought in), expires 2027-01-19.
- January: 3 messages on 01-02 → +2 (cap 2 a day); o1 ¥300.50 → +300; o2 ¥250 → +250; o2
  refunded ¥100 on 01-20 → −100. points_90d at 01-31 = 40 + 2 + 300 + 250 − 100 = 492,
  orders_90d = 3: promoted to gold. Balance 40 + 552 − 100 − 40 = 452.
- February: o1 refunded in full on 02-05 → −300; the refunds (400, oldest batch first) used up
  01-02's 2, 01-10's 300 and 98 of 01-15's 250: 152 expire on 02-14. points_90d = 192 < 300:
  the keep condition fails but February is the first evaluation after reaching gold: kept.
- March: points_90d (01-01 … 03-31) = 2 + 300 + 250 − 100 − 300 = 152 < 300: demoted to silver
  (one_step), or with recompute to silver too, whose keep condition (≥ 50) holds.
- April: points_90d (01-31 … 04-30) = −300 (the refund of 02-05 alone): demoted to member.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main

pytest.importorskip("ibis")

PLAYBOOK = """playbook: 成员时间线
timezone: Asia/Shanghai
roles:
  owner: {name: 群主, max_groups: 10, minutes_per_day: 480}
group_types:
  traffic:
    name: 引流群
    content_mix: {activation: 0.6, conversion: 0.3, brand: 0.1}
    entry: {mode: open}
membership:
  evaluate: monthly
  demotion: one_step
  points:
    earn:
      - {id: chat, name: 有效发言, on: message, points: 1, cap: {per: day, max: 2}}
      - {id: buy, name: 购物, on: order, per_yuan: 1}
    expire_after: 30d
  levels:
    - {id: member, name: 普通会员}
    - {id: silver, name: 银卡会员, promote_when: points_90d >= 100, keep_when: points_90d >= 50}
    - {id: gold, name: 金卡会员, promote_when: points_90d >= 400 and orders_90d >= 2, keep_when: points_90d >= 300,
       min_stay: 1}
segments:
  - {id: buyer, name: 已购, when: orders_total >= 1}
churn:
  - {id: quiet, name: 沉默会员, when: level_rank >= 1 and days_since_last_message >= 20, action: 私聊关怀, within: 2d}
"""
ROSTER = """staff:
  - {id: s1, name: 王芳}
groups:
  - {id: g1, name: 花漾福利1群, type: traffic, created_at: 2026-12-01}
assignments:
  - {staff_id: s1, role: owner, group_id: g1, from: 2026-12-01}
"""
EVENTS = """ts,type,group_id,member_id,amount,order_id
2026-12-20 10:00:00,order,g1,m1,40.00,o0
2027-01-01 09:00:00,join,g1,m1,,
2027-01-02 10:00:00,message,g1,m1,,
2027-01-02 11:00:00,message,g1,m1,,
2027-01-02 12:00:00,message,g1,m1,,
2027-01-10 20:00:00,order,g1,m1,300.50,o1
2027-01-15 20:00:00,order,g1,m1,250.00,o2
2027-01-20 09:00:00,refund,g1,m1,100.00,o2
2027-02-05 09:00:00,refund,g1,m1,300.50,o1
"""


@pytest.fixture(scope="module")
def here(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("timeline")
    (folder / "playbook.yaml").write_text(PLAYBOOK, encoding="utf-8")
    (folder / "recompute.yaml").write_text(PLAYBOOK.replace("demotion: one_step", "demotion: recompute"),
                                           encoding="utf-8")
    (folder / "roster.yaml").write_text(ROSTER, encoding="utf-8")
    (folder / "events.csv").write_text(EVENTS, encoding="utf-8")
    return folder


def explain(here: Path, lang: str, playbook: str = "playbook.yaml") -> list[str]:
    result = CliRunner().invoke(main, ["explain", str(here / playbook), "--events", str(here / "events.csv"),
                                       "--roster", str(here / "roster.yaml"), "--from", "2027-01-01",
                                       "--to", "2027-04-30", "--member", "m1", "--lang", lang])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_the_timeline_in_chinese(here: Path) -> None:
    lines = explain(here, "zh")
    body = lines[:lines.index("计算约定：")]
    assert body[:12] == [
        "成员 m1",
        "  2027-01-01 09:00 入群「花漾福利1群」（g1）",
        "",
        "2027 年 1 月（2027-01-01 至 2027-01-31）",
        "  评定时的数值（截至 2027-01-31）：近90天订单数 3，累计订单数 3，距上次发言天数 29，积分余额 452，"
        "近90天积分 492，累计积分 492",
        "  积分：期初余额 40，本期获得 +552，退款扣回 −100，过期 −40，期末余额 452",
        "    2027-01-02 发言得积分 +2（规则「有效发言」，当天已达上限 2）",
        "    2027-01-10 下单得积分 +300（订单 o1，规则「购物」）",
        "    2027-01-15 下单得积分 +250（订单 o2，规则「购物」）",
        "    2027-01-19 积分过期 −40（2026-12-20 获得的那批）",
        "    2027-01-20 退款扣回 −100（订单 o2 退款 ¥100.00，订单金额 ¥250.00；规则「购物」）",
        "  等级：晋升为金卡会员（新成员，从普通会员起）：近90天积分 ≥ 400（实际 492）且 近90天订单数 ≥ 2（实际 3）",
    ]
    assert "  分类：已购" in body
    assert ("  流失预警「沉默会员」，群「花漾福利1群」（g1）：等级序号 ≥ 1（实际 2）且 距上次发言天数 ≥ 20（实际 29）"
            "→ 私聊关怀；负责人：王芳（s1）；截止 2027-02-02") in body
    assert "    2027-02-05 退款扣回 −300（订单 o1 退款 ¥300.50，订单金额 ¥300.50；规则「购物」）" in body
    assert "    2027-02-14 积分过期 −152（2027-01-15 获得的那批）" in body
    levels = [line for line in body if line.startswith("  等级：")]
    assert levels[1:] == [
        "  等级：保持金卡会员：保级条件未达标——近90天积分 ≥ 300（实际 192，未达标）；但仍在保级期内（到达后的第 1 次评定，"
        "保级期共 1 次），不降级",
        "  等级：降级为银卡会员（原为金卡会员）：金卡会员的保级条件未达标——近90天积分 ≥ 300（实际 152，未达标）",
        "  等级：降级为普通会员（原为银卡会员）：银卡会员的保级条件未达标——近90天积分 ≥ 50（实际 −300，未达标）",
    ]
    # no ledger keys, ids or ASCII punctuation of the old lines
    assert not [line for line in body if any(word in line for word in ("earn ", "refund ", "expire ", "because", "; "))]


def test_recompute_says_which_lower_level_still_holds(here: Path) -> None:
    lines = explain(here, "zh", "recompute.yaml")
    assert ("  等级：降级为银卡会员（原为金卡会员）：金卡会员的保级条件未达标——近90天积分 ≥ 300（实际 152，未达标）；"
            "银卡会员的保级条件仍达标——近90天积分 ≥ 50（实际 152）") in lines


def test_the_timeline_in_english(here: Path) -> None:
    lines = explain(here, "en")
    assert "January 2027 (2027-01-01 to 2027-01-31)" in lines
    assert ("  points: balance brought in 40, earned +552, taken back by refunds −100, expired −40, "
            "balance at the end 452") in lines
    assert '    2027-01-02 earned +2 for messages (rule "有效发言", daily cap of 2 reached)' in lines
    assert ('    2027-01-20 taken back by a refund −100 (order o2: ¥100.00 refunded of ¥250.00; rule "购物")'
            in lines)
    assert "    2027-01-19 expired −40 (the batch earned on 2026-12-20)" in lines
    assert ("  level: promoted to 金卡会员 (a new member, from 普通会员): points in the last 90 days ≥ 400 "
            "(actual 492) and orders in the last 90 days ≥ 2 (actual 3)") in lines
    assert ("  level: kept 金卡会员: the keep condition failed — points in the last 90 days ≥ 300 (actual 192, not "
            "met); but still protected (evaluation 1 of the 1 protected after reaching it: min_stay), so not "
            "demoted") in lines
    assert lines[-9] == "How it is counted:"
