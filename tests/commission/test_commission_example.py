"""Commission end to end on the hand-computed example in docs/examples/commission: every payout
of `qunce simulate`, the statements (Markdown, zh and en), `qunce explain --staff` and
`qunce diff`.

The plan: pool ¥1,000 per group; KPIs growth (new_members, target 4, weight 0.4), sales (target
¥1,000, weight 0.4), churn (leaves, lower is better, target 2, weight 0.2); curve (0.5, 0.5),
(1.0, 1.0), (2.0, 1.5) with floor 0.5 and cap 1.4; gate orders ≥ 1 (else × 0); bonus ¥100 when
new_members ≥ 6; cap ¥900 per staff member and month; when attainment_sales ≥ 1.5 move 0.1 of
weight from sales to growth for the next month; split owner 0.7, admin 0.3.

Units, by hand:
- g1 2027-01: growth 8/4 = 2.0 → 1.5, capped 1.4 → 1000 × 0.4 × 1.4 = 560; sales 1500/1000 = 1.5 →
  1.0 + 0.5 × 0.5 = 1.25 → 1000 × 0.4 × 1.25 = 500; churn 2/1 = 2.0 → 1.4 → 1000 × 0.2 × 1.4 = 280;
  gate open (2 orders); bonus (8 joins) 100 → 1440. attainment_sales 1.5: February's weights are
  growth 0.5, sales 0.3.
- g1 2027-02: growth 2/4 = 0.5 (on the floor: the line from (0, 0)) → 0.5 → 1000 × 0.5 × 0.5 = 250;
  sales: 500 ordered, o2's ¥300 refund belongs to January (added back: 200 + 300 = 500) →
  0.5 → 0.5 → 1000 × 0.3 × 0.5 = 150; churn: no leave → attainment 2 → 1.4 → 280 → 680.
- g1 2027-01 again with o2 refunded: sales 1200 → 1.2 → 1.1 → 440 → 1380 (−60).
- g2 2027-01: growth 3/4 = 0.75 → 0.75 → 300; sales 0 → below the floor → 0; churn 0 leaves → 280;
  gate closed (no order) → −580 → 0.
- g2 2027-02: growth 6/4 = 1.5 → 1.25 → 500; sales 2000/1000 = 2.0 → 1.5, capped 1.4 → 560; churn
  2/2 = 1.0 → 200; bonus (6 joins) 100 → 1360.

Staff (owner g1 s1 all along; owner g2 s2 until Jan 10, then s3; admin s4 both groups):
- s1 January: 0.7 × 1440 = 1008 → cap 900 (−108). February: 0.7 × 680 = 476; the clawback of
  January changes nothing for s1: 0.7 × 1380 = 966 is still above the cap.
- s2 January: 0.7 × 10/31 of g2 = 0 (lines 67.74, 0, 63.23, −130.97 after largest remainder:
  2100/31 = 67.7419…, 1960/31 = 63.2258… takes the fen, −4060/31 = −130.9677…).
- s3 January: 0.7 × 21/31 of g2 = 0. February: 0.7 × 1360 = 952 → cap 900 (−52).
- s4 January: 0.3 × 1440 + 0.3 × 0 = 432. February: 0.3 × 680 + 0.3 × 1360 = 612, clawback
  0.3 × (1380 − 1440) = −18 → 594.
Totals: January 900 + 0 + 0 + 432 = 1332; February 476 + 900 + 594 = 1970.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main

pytest.importorskip("ibis")

HERE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "commission"
PLAYBOOK = str(HERE / "playbook.yaml")
DATA = ["--events", str(HERE / "events.csv"), "--roster", str(HERE / "roster.yaml"), "--from", "2027-01-01",
        "--to", "2027-02-28"]


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("commission") / "out"
    result = CliRunner().invoke(main, ["simulate", PLAYBOOK, *DATA, "--out", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def test_payouts_match_the_hand_computation(out: Path) -> None:
    got = {(r["period"], r["staff_id"]): (r["kpi"], r["bonus"], r["gate"], r["cap"], r["clawback"], r["total"])
           for r in rows(out, "payouts")}
    assert got == {
        ("2027-01", "s1"): ("938.00", "70.00", "0.00", "-108.00", "0.00", "900.00"),
        ("2027-01", "s2"): ("130.97", "0.00", "-130.97", "0.00", "0.00", "0.00"),
        ("2027-01", "s3"): ("275.03", "0.00", "-275.03", "0.00", "0.00", "0.00"),
        ("2027-01", "s4"): ("576.00", "30.00", "-174.00", "0.00", "0.00", "432.00"),
        ("2027-02", "s1"): ("476.00", "0.00", "0.00", "0.00", "0.00", "476.00"),
        ("2027-02", "s3"): ("882.00", "70.00", "0.00", "-52.00", "0.00", "900.00"),
        ("2027-02", "s4"): ("582.00", "30.00", "0.00", "0.00", "-18.00", "594.00"),
    }
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))["commission"]
    assert summary["periods"]["2027-01"]["total"] == "1332.00"
    assert summary["periods"]["2027-02"]["total"] == "1970.00"
    assert summary["periods"]["2027-02"]["unassigned"] == "0.00"


def test_lines_reconcile_to_the_fen(out: Path) -> None:
    lines = rows(out, "statements")
    for payout in rows(out, "payouts"):
        mine = [Decimal(r["amount"]) for r in lines if (r["period"], r["staff_id"]) == (payout["period"], payout["staff_id"])]
        assert sum(mine) == Decimal(payout["total"])
    # s2's January: the exact parts and the fen they round to (largest remainder).
    s2 = [(r["item"], r["amount"], r["exact"]) for r in lines if (r["period"], r["staff_id"]) == ("2027-01", "s2")]
    assert s2 == [("growth", "67.74", "67.741935483871"), ("sales", "0.00", "0.000000000000"),
                  ("churn", "63.23", "63.225806451613"), ("gate", "-130.97", "-130.967741935484")]


def test_curve_segments_floor_and_cap(out: Path) -> None:
    units = {(r["period"], r["unit"], r["kpi"]): r for r in rows(out, "commission_units")}
    assert units["2027-01", "g1", "growth"]["factor"] == "1.400000"  # 2.0 → 1.5 on the curve, capped at 1.4
    assert units["2027-01", "g1", "sales"]["factor"] == "1.250000"  # between (1.0, 1.0) and (2.0, 1.5)
    assert units["2027-01", "g2", "growth"]["factor"] == "0.750000"  # between (0.5, 0.5) and (1.0, 1.0)
    assert units["2027-01", "g2", "sales"]["factor"] == "0.000000"  # below the floor
    assert units["2027-02", "g1", "growth"]["factor"] == "0.500000"  # on the floor
    assert units["2027-02", "g2", "churn"]["attainment"] == "1.000000"  # lower is better: 2 ÷ 2
    assert units["2027-02", "g1", "churn"]["attainment"] == "2.000000"  # lower is better, actual 0


def test_weights_move_for_the_next_period_only(out: Path) -> None:
    units = {(r["period"], r["unit"], r["kpi"]): r for r in rows(out, "commission_units")}
    assert (units["2027-01", "g1", "growth"]["weight"], units["2027-01", "g1", "sales"]["weight"]) == ("0.400000", "0.400000")
    assert (units["2027-02", "g1", "growth"]["weight"], units["2027-02", "g1", "sales"]["weight"]) == ("0.500000", "0.300000")
    assert units["2027-02", "g1", "growth"]["moved_by"] == "sales_to_growth"
    # g2 sold nothing in January: its February weights are the base ones.
    assert (units["2027-02", "g2", "growth"]["weight"], units["2027-02", "g2", "growth"]["moved_by"]) == ("0.400000", "")


def test_sales_of_a_period_leave_out_refunds_of_earlier_periods(out: Path) -> None:
    units = {(r["period"], r["unit"], r["kpi"]): r for r in rows(out, "commission_units")}
    period = {(r["period"], r["group_id"]): r for r in rows(out, "group_period") if r["grain"] == "month"}
    assert period["2027-02", "g1"]["sales"] == "200.00"  # the simulator: refunds count when they happen
    assert units["2027-02", "g1", "sales"]["actual"] == "500.000000000000"  # commission: clawed back from January


def test_markdown_statements_in_chinese_by_default(out: Path) -> None:
    assert sorted(p.name for p in (out / "statements").iterdir()) == ["s1.md", "s2.md", "s3.md", "s4.md"]
    s4 = (out / "statements" / "s4.md").read_text(encoding="utf-8")
    assert s4.startswith("# 提成结算单 · 张伟（s4）")
    assert "## 2027-02 · 本期应发 ¥594.00" in s4
    assert "| 退款追回 | −¥18.00 |" in s4
    assert "数据区间：2027-01-01 至 2027-02-28" in s4
    # each period opens with one sentence of what happened
    assert ("## 2027-01 · 本期应发 ¥432.00\n\n2027 年 1 月，您在 2 个群任管理员，指标提成 ¥576.00，达标奖励 ¥30.00；"
            "福利2群未达发放门槛，该群提成不发放，扣减 ¥174.00；本期应发 ¥432.00。\n") in s4
    assert ("2027 年 2 月，您在 2 个群任管理员，指标提成 ¥582.00，达标奖励 ¥30.00；2027 年 1 月的订单在本期退款，"
            "追回 ¥18.00；本期应发 ¥594.00。") in s4
    assert ("- 退款追回：2027 年 1 月的订单在本期退款（福利1群 ¥300.00），按这些退款重算，2027 年 1 月应得由 ¥432.00 "
            "调整为 ¥414.00，追回 ¥18.00") in s4
    assert "- 发放门槛：订单数 ≥ 1 —— 未达标（订单数 0），本群提成不发放，门槛扣减 −¥174.00" in s4
    assert "### 群 福利1群（g1） · 管理员 · 分成比例 30.00%（30% × 在岗 31 天/共 31 天）" in s4
    assert "| 考核指标 | 指标 | 实际 | 目标 | 达成率 | 提成系数 | 权重 | 您的指标提成 |" in s4
    # a bonus from its amount to the holder's share, step by step
    assert "- 达标奖励「拉新之星」：新增人数 ≥ 6 —— 达标（新增人数 8）：¥100.00 × 分成比例 30.00% = ¥30.00" in s4
    assert "起提线 50%" in s4 and "无人认领（未发放）" in s4
    s1 = (out / "statements" / "s1.md").read_text(encoding="utf-8")
    assert ("2027 年 1 月，您在 1 个群任群主，指标提成 ¥938.00，达标奖励 ¥70.00；合计超过个人封顶 ¥900.00，扣减 ¥108.00；"
            "本期应发 ¥900.00。") in s1
    assert "| 个人封顶扣减 | −¥108.00 |" in s1
    assert "- 个人封顶扣减：本期合计 ¥1,008.00，超过个人封顶 ¥900.00，扣减 ¥108.00" in s1
    assert ("上期「销售额达成率 ≥ 150%」达标（销售额达成率 150.00%）：销售额的权重 −10%，拉新的权重 +10%"
            "（销售超额时，下月把重心移到拉新。）") in s1
    for old in ("您的份额", "每人每期上限", "成立", "| 系数 |", " … ", "2027-01 的"):
        assert old not in s1 + s4, old
    from tests.checks.test_golden_diagnostics import ZH_ASCII_PUNCTUATION

    for text in (s1, s4):
        prose = [line for line in text.splitlines() if not line.startswith(("|", "#"))]
        assert not [line for line in prose if ZH_ASCII_PUNCTUATION.search(line)]


def test_markdown_statements_in_english(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["simulate", PLAYBOOK, *DATA, "--out", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    s3 = (tmp_path / "statements" / "s3.md").read_text(encoding="utf-8")
    assert s3.startswith("# Commission statement · 韩梅 (s3)")
    assert "Data window: 2027-01-01 to 2027-02-28" in s3
    assert ("## 2027-02 · Due ¥900.00\n\nIn February 2027 you held 1 group as owner and earned ¥882.00 in KPI "
            "commission and ¥70.00 in bonuses; the personal cap of ¥900.00 takes off ¥52.00; you are due ¥900.00.\n") in s3
    assert ("- Personal cap reduction: the period's lines add up to ¥952.00, above the personal cap of ¥900.00; "
            "reduced by ¥52.00") in s3
    assert "- Bonus “拉新之星”: new members ≥ 6 — met (new members 6): ¥100.00 × your share 70.00% = ¥70.00" in s3
    assert "### Group 福利2群 (g2) · owner · your share 47.42% (70% × 21 of 31 days held)" in s3
    assert ("In January 2027 you held 1 group as owner and earned ¥275.03 in KPI commission; 福利2群 missed the payout "
            "gate and is not paid, which takes off ¥275.03; you are due ¥0.00.") in s3


def test_same_inputs_same_bytes(out: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["simulate", PLAYBOOK, *DATA, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("statements.csv", "payouts.csv", "commission_units.csv", "statements.parquet", "statements/s4.md"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_explain_staff_traces_every_number() -> None:
    result = CliRunner().invoke(main, ["explain", PLAYBOOK, *DATA, "--staff", "s4", "--period", "2027-02",
                                       "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Commission trace · 张伟 (s4) · 2027-02" in text
    assert ("  In February 2027 you held 2 groups as admin and earned ¥582.00 in KPI commission and ¥30.00 in bonuses; "
            "orders of January 2027 were refunded this period, which claws back ¥18.00; you are due ¥594.00.") in text
    assert "Weights this period: 拉新 50%, 销售额 30%, 退群人数 20% (moved because sales_to_growth was met last period)" in text
    assert ("拉新 (new members): attainment 2 ÷ 4 = 50.00%; between 0% and 50% attainment the pay factor rises in "
            "proportion from 0 to 0.5 → pay factor 0.5") in text
    assert ("This period's data: new members 2, sales ¥500.00, members who left 0, orders 1 (sales include ¥300.00 "
            "added back") in text
    assert "Your share: admin 30% × 28 of 28 days held = 30%" in text
    assert ("Clawback: orders of January 2027 were refunded this period (福利1群 ¥300.00). January 2027 recomputed with "
            "those refunds: ¥432.00 → ¥414.00 (same weights, same cap); clawed back ¥18.00") in text
    assert "Total: exactly ¥594.00; rounded to the fen (largest remainder, the lines add up to the total) ¥594.00" in text
    assert "    福利1群 (g1) · KPI commission “拉新”: ¥75.00 → ¥75.00" in text
    assert "    refund clawback (January 2027): −¥18.00 → −¥18.00" in text


def test_explain_staff_in_chinese_says_the_statements_words() -> None:
    result = CliRunner().invoke(main, ["explain", PLAYBOOK, *DATA, "--staff", "s2", "--period", "2027-01",
                                       "--lang", "zh"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert ("  2027 年 1 月，您在 1 个群任群主，指标提成 ¥130.97；福利2群未达发放门槛，该群提成不发放，扣减 ¥130.97；"
            "本期应发 ¥0.00。") in text
    assert "  分成比例：群主 70% × 在岗 10 天/共 31 天 = 22.5806%" in text
    assert "销售额：达成率 ¥0.00 ÷ ¥1,000.00 = 0.00%；低于起提线 50% → 提成系数 0；指标提成 = ¥1,000.00 × 40% × 0 = ¥0.00" in text
    assert "  发放门槛：订单数 ≥ 1 —— 未达标（订单数 0），提成不发放：门槛扣减 −¥580.00" in text
    assert "  达标奖励「拉新之星」：新增人数 ≥ 6 —— 未达标（新增人数 3）" in text
    assert "    福利2群（g2）· 门槛扣减：−¥130.967742 → −¥130.97" in text
    for old in ("成立", "您的份额", "→ 系数", "输入："):
        assert old not in text, old


def test_explain_staff_errors() -> None:
    unknown = CliRunner().invoke(main, ["explain", PLAYBOOK, *DATA, "--staff", "nobody", "--lang", "en"])
    assert unknown.exit_code == 2 and "nobody has no commission statement" in unknown.output
    wrong_period = CliRunner().invoke(main, ["explain", PLAYBOOK, *DATA, "--staff", "s2", "--period", "2027-02",
                                             "--lang", "en"])
    assert wrong_period.exit_code == 2 and "there are: 2027-01" in wrong_period.output
    both = CliRunner().invoke(main, ["explain", PLAYBOOK, *DATA, "--staff", "s1", "--member", "m1"])
    assert both.exit_code == 2 and "exactly one of --member ID or --staff ID" in both.output


@pytest.fixture(scope="module")
def higher_cap(tmp_path_factory: pytest.TempPathFactory) -> str:
    text = Path(PLAYBOOK).read_text(encoding="utf-8").replace("cap: {per_staff: 900}", "cap: {per_staff: 2000}")
    path = tmp_path_factory.mktemp("diff") / "new.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_diff_shows_what_a_higher_cap_costs(higher_cap: str) -> None:
    # Without the ¥900 cap: s1 January 1008 (+108); s1 February 476 − 0.7 × 60 = 434 (the clawback no
    # longer hides under the cap: −42); s3 February 952 (+52). Total +108 − 42 + 52 = +118.
    result = CliRunner().invoke(main, ["diff", PLAYBOOK, higher_cap, *DATA, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["payouts"]["total"] == {"before": "3302.00", "after": "3420.00", "change": "118.00",
                                       "change_pct": "0.0357"}
    by_staff = {(r["period"], r["staff_id"]): r["change"] for r in doc["payouts"]["by_staff"]}
    assert by_staff == {("2027-01", "s1"): "108.00", ("2027-01", "s2"): "0.00", ("2027-01", "s3"): "0.00",
                        ("2027-01", "s4"): "0.00", ("2027-02", "s1"): "-42.00", ("2027-02", "s3"): "52.00",
                        ("2027-02", "s4"): "0.00"}
    assert doc["level_changes"] == {"count": 0, "members": []}


def test_diff_fail_over_and_markdown(higher_cap: str) -> None:
    over = CliRunner().invoke(main, ["diff", PLAYBOOK, higher_cap, *DATA, "--format", "md", "--fail-over", "100",
                                     "--lang", "zh"])
    assert over.exit_code == 1
    assert "**提成总额：¥3,302.00 → ¥3,420.00（+¥118.00，+3.57%）**" in over.output
    assert "| 2027-01 | s1 王芳 | ¥900.00 | ¥1,008.00 | +¥108.00 |" in over.output
    assert "提成总额变化 118.00 元，超过 --fail-over 100" in over.output  # the run speaks --lang zh throughout
    under = CliRunner().invoke(main, ["diff", PLAYBOOK, higher_cap, *DATA, "--fail-over", "118"])
    assert under.exit_code == 0, under.output
    bad = CliRunner().invoke(main, ["diff", PLAYBOOK, higher_cap, *DATA, "--fail-over", "lots"])
    assert bad.exit_code == 2 and "give an amount in yuan" in bad.output


def test_diff_markdown_escapes_names(higher_cap: str) -> None:
    """Staff names, level names and member ids in `qunce diff --format md`: escaped like every name
    in Markdown (none starts a link, a table cell or HTML; no control character)."""
    from qunce.compare.document import render_markdown
    from tests.core.markdown_checks import assert_safe, names

    result = CliRunner().invoke(main, ["diff", PLAYBOOK, higher_cap, *DATA, "--format", "json"])
    assert result.exit_code == 0, result.output
    texts = []
    for hostile in (True, False):
        doc = json.loads(result.output)
        given = iter(names(hostile, 40))
        for row in doc["payouts"]["by_staff"]:
            row["name"] = next(given)
        doc["level_changes"] = {"count": 3, "members": [{"period": "2027-01", "member_id": next(given), "old": next(given),
                                                         "new": next(given)} for _ in range(3)]}
        texts.append(render_markdown(doc, "en"))
    assert_safe(*texts)
    assert "| 2027-01 | s2 \\[a\\](javascript:alert(1)) | ¥0.00 |" in texts[0]  # a name in its cell, as text
    assert "- 2027-01 \\`code: 1. one → a|b\n" in texts[0]  # a level change: member `code, levels 1. one, a|b


def test_worked_example_for_the_handbook() -> None:
    # brand-complete's plan with sample attainments 1.2, 0.9, 1.05, 0.7 and 1.25 (curve (0.5, 0.3),
    # (0.8, 0.8), (1.0, 1.0), (1.5, 1.6), floor 0.5):
    # growth 1.2 → 1 + 0.2 × 1.2 = 1.24 → 800 × 0.25 × 1.24 = 248; activity 0.9 → 0.8 + 0.1 × 1 = 0.9 → 180;
    # satisfaction 1.05 → 1.06 → 800 × 0.15 × 1.06 = 127.2; sales 0.7 → 0.3 + 0.2 × 0.5 / 0.3 = 0.633333 →
    # 126.66666; churn (lower) 0.05 ÷ 0.04 = 1.25 → 1.3 → 104. Total 785.86666 → ¥785.87, split 60/30/10:
    # 471.52, 235.76, 78.5867 → 78.59 (the fen add up).
    from qunce.commission.worked import worked_example
    from qunce.validation import checked_playbook

    playbook, _ = checked_playbook(Path(__file__).resolve().parents[2] / "playbooks" / "brand-complete.yaml")
    assert playbook is not None
    example = worked_example(playbook, "zh")
    assert example is not None
    assert [(k["attainment"], k["factor"], k["amount"]) for k in example["kpis"]] == [
        ("120.00%", "1.24", "¥248.00"), ("90.00%", "0.9", "¥180.00"), ("105.00%", "1.06", "¥127.20"),
        ("70.00%", "0.633333", "¥126.67"), ("125.00%", "1.3", "¥104.00")]
    assert example["gate"]["held"] and example["total"] == "¥785.87"
    assert example["bonuses"][1]["values"] == "销售额达成率 70.00%，人均销售额 ¥140.00"  # 人均销售额 is in 元
    assert example["split"] == [{"role": "群主", "share": "60%", "amount": "¥471.52"},
                                {"role": "管理员", "share": "30%", "amount": "¥235.76"},
                                {"role": "气氛组", "share": "10%", "amount": "¥78.59"}]


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "variant.yaml"
    path.write_text(Path(PLAYBOOK).read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["simulate", str(path), *DATA, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_a_quarterly_plan_keeps_refunds_inside_the_quarter(tmp_path: Path) -> None:
    # g1 over 2027Q1 (59 days of data): 10 joins → 2.5 → capped 1.4 → 560; sales 1500 + 500 − 300 = 1700
    # (o2's refund falls in the same quarter: no clawback) → 1.7 → 1.0 + 0.7 × 0.5 = 1.35 → 540; one leave →
    # 2.0 → 1.4 → 280; bonus 100 → 1480. s1 (owner, 0.7): 1036 → capped at 900.
    out = _variant(tmp_path, "period: monthly", "period: quarterly")
    payouts = {(r["period"], r["staff_id"]): r for r in rows(out, "payouts")}
    s1 = payouts["2027Q1", "s1"]
    assert (s1["kpi"], s1["bonus"], s1["cap"], s1["clawback"], s1["total"]) == ("966.00", "70.00", "-136.00", "0.00",
                                                                                 "900.00")
    assert (s1["window_days"], s1["period_days"]) == ("59", "90")
    assert "注意：数据只覆盖本期 90 天中的 59 天，目标未按天数折算。" in (out / "statements" / "s1.md").read_text(encoding="utf-8")


def test_a_per_staff_pool_is_prorated_by_days_worked(tmp_path: Path) -> None:
    # s2 held g2 from Jan 1 to Jan 10: pool 1000 × 10/31 = 322.58…; their metrics are g2's × 10/31: joins
    # 3 × 10/31 = 0.97 → 24% (below the floor: 0), no sales (0), no leave (lower is better: 2 → 1.4) →
    # 322.58 × 0.2 × 1.4 = 90.32; no order: the gate takes it all back.
    out = _variant(tmp_path, "pool: {per_group: 1000}", "pool: {per_staff: 1000}")
    payouts = {(r["period"], r["staff_id"]): r for r in rows(out, "payouts")}
    s2 = payouts["2027-01", "s2"]
    assert (s2["roles"], s2["groups"], s2["kpi"], s2["gate"], s2["total"]) == ("owner", "1", "90.32", "-90.32", "0.00")


def test_satisfaction_without_a_survey_reads_as_no_survey_not_zero(tmp_path: Path) -> None:
    # The example's events hold no survey: satisfaction is 0 in the commission's inputs (periods.rate),
    # paid as 0 (attainment 0, below the floor); the statement and the trace say there was no survey.
    out = _variant(tmp_path, "{id: churn, name: 退群人数, metric: leaves, target: 2, weight: 0.2, direction: lower}",
                   "{id: churn, name: 满意度, metric: csat, target: 4.5, weight: 0.2}")
    s1 = (out / "statements" / "s1.md").read_text(encoding="utf-8")
    assert "| 满意度 | 用户满意度 | —（本期无问卷） | 4.5 | 0.00% | 0 | 20% | ¥0.00 |" in s1
    payouts = {(r["period"], r["staff_id"]): r["kpi"] for r in rows(out, "payouts")}
    assert payouts["2027-01", "s1"] == "742.00"  # 0.7 × (560 + 500): the satisfaction line pays nothing
    trace = CliRunner().invoke(main, ["explain", str(tmp_path / "variant.yaml"), *DATA, "--staff", "s1", "--period",
                                      "2027-01", "--lang", "en"])
    assert trace.exit_code == 0, trace.output
    assert "satisfaction — (no survey this period)" in trace.output
    assert ("满意度 (satisfaction): no survey this period, counted as 0 → attainment 0.00%; below the floor of 50% → "
            "pay factor 0") in trace.output
