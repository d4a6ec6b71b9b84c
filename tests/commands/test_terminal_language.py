"""What `qunce simulate` prints (terminal/simulate_summary.py) and `qunce diff`'s text and Markdown
(compare/document.py) speak one language: the playbook's names, not its ids, in its order
(levels lowest first); money as ¥1,234.56, counts as 1,234; at 80 columns no number is broken."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console

from qunce.compare.document import document, names_for, render_markdown, render_text
from qunce.compare.scenario import Pair, Scenario
from qunce.terminal.simulate_summary import WORDS, print_summary

ROOT = Path(__file__).resolve().parents[2]
MONEY = re.compile(r"[+−]?¥\d{1,3}(,\d{3})*\.\d\d")
COUNT = re.compile(r"[+−]?\d{1,3}(,\d{3})*")
CJK = re.compile(r"[\u4e00-\u9fff]")
BARS = re.compile(r"[│┃]")


def render(summary: dict[str, Any], lang: str, width: int = 80) -> str:
    console = Console(width=width, record=True, color_system=None, force_terminal=False)
    print_summary(console, summary, list(summary["outputs"].items()), "out/", lang)
    return console.export_text()


def cells(text: str) -> list[str]:
    """Every table cell (header or body), stripped."""
    return [c.strip() for line in text.splitlines() if BARS.search(line) for c in BARS.split(line)[1:-1] if c.strip()]


def table(text: str, title: str) -> list[list[str]]:
    """The rows (header first) of the table under `title`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    rows = []
    for line in lines[start + 1:]:
        if line.startswith(("└", "┗")):
            break
        if BARS.search(line):
            rows.append([c.strip() for c in BARS.split(line)[1:-1]])
    return rows


@pytest.fixture(scope="module")
def summaries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """summary.json of the two worked examples: docs/examples/simulate (levels, segments, lifecycle,
    churn, penalties, entry) and docs/examples/commission (two periods of commission)."""
    pytest.importorskip("ibis")
    from qunce.cli import main

    folder = tmp_path_factory.mktemp("runs")
    out = {}
    for name, extra in (("simulate", []), ("commission", ["--from", "2027-01-01", "--to", "2027-02-28"])):
        example = ROOT / "docs" / "examples" / name
        result = CliRunner().invoke(main, ["simulate", str(example / "playbook.yaml"), "--events",
                                           str(example / "events.csv"), "--roster", str(example / "roster.yaml"),
                                           "--out", str(folder / name), "--lang", "zh", *extra])
        assert result.exit_code == 0, result.output
        out[name] = json.loads((folder / name / "summary.json").read_text(encoding="utf-8"))
    return out


def named_ids(summary: dict[str, Any]) -> dict[str, str]:
    names = summary["report"]["names"]
    ids = {level["id"]: level["name"] for level in summary["report"]["levels"]}
    for kind in ("segments", "lifecycle", "warnings", "banned", "group_types"):
        ids.update(names[kind])
    return {key: name for key, name in ids.items() if key != name}


def test_facts_name_the_banned_behaviours_and_the_ladder(summaries: dict[str, dict[str, Any]]) -> None:
    names = summaries["simulate"]["report"]["names"]
    assert names["banned"] == {"ads": "打广告"}
    assert names["levels"] == {"member": "普通会员", "silver": "银卡会员"}  # the ladder, lowest first
    assert names["segments"] == {"buyer": "已购", "other": "其他"}  # the keys that were there stay


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_summary_shows_names_not_ids(summaries: dict[str, dict[str, Any]], lang: str) -> None:
    summary = summaries["simulate"]
    text = render(summary, lang)
    shown = cells(text)
    ids = named_ids(summary)
    assert ids.keys() >= {"member", "silver", "buyer", "dead", "silent", "ads", "vip"}
    assert not set(shown) & set(ids), set(shown) & set(ids)
    assert {"普通会员", "银卡会员", "已购", "死群", "沉默14天", "打广告", "会员群"} <= set(shown)
    words = {"zh": ("警告", "禁言", "移出", "开放", "邀请式"), "en": ("warned", "muted", "removed", "open", "by invitation")}
    assert set(words[lang]) <= set(shown)
    assert not {"warn", "mute", "remove", "invite"} & set(shown)  # penalty kinds and entry modes in words
    if lang == "zh":
        assert text.startswith("模拟测试剧本：2027-01-01 至 2027-02-20，2 个群，2 名员工，4 名成员\n"
                               "事件行数：读取 16 = 接受 16 + 拒绝 0\n")
        # no English word of the summary where Chinese is spoken
        assert not {en for en, _ in WORDS.values()} & set(shown)
    else:
        assert text.startswith("模拟测试剧本: 2027-01-01 to 2027-02-20, 2 groups, 2 staff, 4 members\n"
                               "Event rows: read 16 = accepted 16 + rejected 0\n")
        # Chinese only in the playbook's own names
        allowed = set(ids.values()) | set(summary["report"]["names"]["roles"].values())
        assert {c for c in shown if CJK.search(c)} <= allowed


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_levels_are_listed_lowest_first_with_the_other_tables_in_the_playbooks_order(lang: str) -> None:
    summary = synthetic(periods=1)
    text = render(summary, lang, width=120)
    levels = table(text, WORDS["levels"][1 if lang == "zh" else 0])
    promoted = "↑ 晋升" if lang == "zh" else "↑ promoted"
    assert levels[0][1:] == ["普通会员", "银卡", "金卡", "黑金", promoted, "↓ 降级" if lang == "zh" else "↓ demoted"]
    assert levels[1] == ["2027-01", "14,903", "2,249", "515", "125", "2,889", "0"]
    segments = table(text, WORDS["segments"][1 if lang == "zh" else 0])
    assert segments[0][1:] == ["忠实型", "羊毛型", "需求型", "低需求"]  # the playbook's order, none missing
    assert segments[1][1:] == ["116", "187", "0", "17,489"]
    penalties = table(text, WORDS["penalties"][1 if lang == "zh" else 0])
    assert [row[0] for row in penalties[1:]] == ["打广告", "语言暴力", "恶意刷屏"]
    assert penalties[0][1:] == (["警告", "禁言", "移出"] if lang == "zh" else ["warned", "muted", "removed"])
    assert penalties[1][1:] == ["1,047", "7", "7"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("example", ["simulate", "commission"])
def test_money_and_counts_are_formatted_and_right_aligned(summaries: dict[str, dict[str, Any]], lang: str,
                                                          example: str) -> None:
    text = render(summaries[example], lang)
    money = [c for c in cells(text) if "¥" in c]
    assert money and all(MONEY.fullmatch(c) for c in money), money
    if example == "commission":
        assert {"¥1,332.00", "¥1,970.00", "−¥580.00", "−¥108.00"} <= set(money)
    else:
        assert {"¥60.00", "¥30.00"} <= set(money)  # the totals: order amount, refunds, sales
    numbers = [c for c in cells(text) if re.fullmatch(r"[\d,.+−]+", c)]
    assert numbers and all(COUNT.fullmatch(c) for c in numbers), numbers
    for line in text.splitlines():  # right-aligned: a number ends at its cell's right edge
        for number in re.findall(r"│ *([+−]?¥?[\d,]+(?:\.\d\d)?) ", line):
            assert f"{number} │" in line or f"{number} ┃" in line, line


def synthetic(periods: int) -> dict[str, Any]:
    """A summary as the brand-complete demo writes it, ids chosen so that their alphabetical order
    is not the playbook's, with `periods` months of commission."""
    months = [f"2027-{m:02d}" for m in range(1, periods + 1)]
    commission = {m: {"total": "1234567.89", "staff": 1047, "kpi": "2345678.91", "bonus": "20290.02",
                      "gate": "-5499.70", "cap": "0", "clawback": "-12.50", "unassigned": "546.72",
                      "window_days": 31, "period_days": 31, "partial": False} for m in months}
    return {
        "playbook": "花漾美妆私域 2027Q1", "inputs": {"events": "events.parquet"},
        "window": {"from": "2027-01-01", "to": "2027-01-31", "periods": months[:1]},
        "rows": {"read": 159312, "accepted": 159312, "rejected": 0, "by_reason": []},
        "groups": 60, "staff": 55, "members": 17845,
        "totals": {"new_members": 12144, "leaves": 991, "messages": 124835, "orders": 6495,
                   "order_amount": "3125958.40", "refund_amount": "110155.70", "sales": "3015802.70", "cost": "91004.00"},
        "levels": {"2027-01": {"black": 125, "gold": 515, "member": 14903, "silver": 2249}},
        "level_changes": {"2027-01": {"new": 14903, "promote": 2889}},
        "segments": {"2027-01": {"deal_seeker": 187, "low_need": 17489, "loyal": 116}},
        "lifecycle": {"2027-01": {"alive": 42, "dead": 9, "pseudo": 9}}, "should_dissolve": {},
        "churn_warnings": {"2027-01": {"new_silent": 3690, "refund_risk": 4, "vip_silent": 155}},
        "penalties": {"abuse": {"mute": 3, "remove": 3, "warn": 10}, "ads": {"mute": 7, "remove": 7, "warn": 1047},
                      "spam": {"mute": 16, "remove": 4, "warn": 47}},
        "admission": [{"group_type": "friends", "mode": "referral", "joins": 1084, "admitted": 441, "refused": 643,
                       "admission_rate": 0.40682656826568264},
                      {"group_type": "traffic", "mode": "open", "joins": 4161, "admitted": 4161, "refused": 0,
                       "admission_rate": 1.0}],
        "outputs": {"points_ledger": 74037, "member_levels": 17792},
        "commission": {"period": "monthly", "unit": "group", "periods": commission},
        "report": {
            "names": {"group_types": {"traffic": "引流群", "friends": "闺蜜推荐群"},
                      "segments": {"loyal": "忠实型", "deal_seeker": "羊毛型", "need_driven": "需求型", "low_need": "低需求"},
                      "lifecycle": {"alive": "社群", "pseudo": "伪社群", "dead": "死群"},
                      "warnings": {"new_silent": "新人沉默", "no_repurchase": "复购停滞", "refund_risk": "频繁退款",
                                   "vip_silent": "高等级会员沉默"},
                      "banned": {"ads": "打广告", "abuse": "语言暴力", "spam": "恶意刷屏"}},
            "levels": [{"id": "member", "name": "普通会员"}, {"id": "silver", "name": "银卡"},
                       {"id": "gold", "name": "金卡"}, {"id": "black", "name": "黑金"}],
        },
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_at_80_columns_no_number_is_broken(lang: str) -> None:
    # Twelve months of commission and eight levels: wider than 80 columns, so split, numbers whole.
    summary = synthetic(periods=12)
    summary["levels"]["2027-01"].update({f"l{i}": 100_000 + i for i in range(4)})
    summary["report"]["levels"] += [{"id": f"l{i}", "name": f"第{i}级会员等级"} for i in range(4)]
    text = render(summary, lang, width=80)
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines)  # rich pads CJK to cells: at most 80 characters
    assert "…" not in text  # nothing cut short by an ellipsis
    whole = ["¥1,234,567.89", "¥2,345,678.91", "−¥5,499.70", "−¥12.50", "¥546.72", "1,047", "¥3,125,958.40",
             "¥3,015,802.70", "124,835", "159,312", "17,845", "100,003", "14,903", "40.7%"]
    for number in whole:
        assert any(number in line for line in lines), number
    # every part of the commission is on a line with all twelve months: 12 cells, never a piece
    assert sum(line.count("¥1,234,567.89") for line in lines) == 12
    assert sum(line.count("¥2,345,678.91") for line in lines) == 12
    continued = "（续）" if lang == "zh" else "(continued)"
    assert continued in text  # the commission's months and the levels did not fit on one table
    digits = [c for c in cells(text) if re.fullmatch(r"[\d,.¥+−%]+", c)]
    assert digits and all(MONEY.fullmatch(c) or COUNT.fullmatch(c) or c.endswith("%") for c in digits), digits


def test_the_narrowest_terminal_still_keeps_numbers_whole() -> None:
    text = render(synthetic(periods=3), "zh", width=40)
    for number in ("¥1,234,567.89", "¥3,125,958.40", "17,845", "159,312"):
        assert any(number in line for line in text.splitlines()), number


# qunce diff -----------------------------------------------------------------------------------

NAMES = {"levels": {"member": "普通会员", "silver": "银卡", "gold": "金卡", "black": "黑金"},
         "segments": {"loyal": "忠实型", "low_need": "低需求"}, "health": {"alive": "社群", "dead": "死群"}}


def pair() -> Pair:
    import pyarrow as pa

    def levels(rows: list[tuple[str, str]]) -> Any:
        return pa.table({"member_id": [m for m, _ in rows], "period": ["2027-01"] * len(rows),
                         "level": [lv for _, lv in rows]})

    old = Scenario(payouts={("2027-01", "s1"): Decimal("2322.30"), ("2027-01", "s2"): Decimal("0")},
                   period_totals={"2027-01": Decimal("57662.64")},
                   levels={"2027-01": {"black": 125, "gold": 515, "member": 14903, "silver": 2249}},
                   segments={"2027-01": {"-": 3, "low_need": 17489, "loyal": 116}},
                   health={"2027-01": {"alive": 42, "dead": 9}},
                   member_levels=levels([("m1", "member"), ("m2", "silver")]), has_commission=True)
    new = Scenario(payouts={("2027-01", "s1"): Decimal("1000.00"), ("2027-01", "s2"): Decimal("0")},
                   period_totals={"2027-01": Decimal("30590.68")},
                   levels={"2027-01": {"black": 125, "gold": 515, "member": 14303, "silver": 2849}},
                   segments={"2027-01": {"-": 3, "low_need": 17489, "loyal": 116}},
                   health={"2027-01": {"alive": 42, "dead": 9}},
                   member_levels=levels([("m1", "silver"), ("m2", "silver")]), has_commission=True)
    return Pair(old, new, {"s1": "李静玲", "s2": "徐平玲"}, ("2027-01-01", "2027-01-31"))


def test_diff_text_in_chinese() -> None:
    text = render_text(document(pair(), "old.yaml", "new.yaml", NAMES), "zh")
    assert text.splitlines()[:2] == ["qunce diff old.yaml → new.yaml（2027-01-01 至 2027-01-31）",
                                     "提成总额：¥57,662.64 → ¥30,590.68（−¥27,071.96，−46.95%）"]
    assert "  2027-01  s1 李静玲  ¥2,322.30  ¥1,000.00  −¥1,322.30" in text
    assert "  2027-01  s2 徐平玲      ¥0.00      ¥0.00       ¥0.00" in text
    levels = text.split("各期末会员等级\n")[1].split("\n\n")[0].splitlines()
    assert levels == ["  周期     等级      修改前  修改后  变化",
                      "  2027-01  普通会员  14,903  14,303  −600",  # the ladder, lowest first
                      "  2027-01  银卡       2,249   2,849  +600",
                      "  2027-01  金卡         515     515     0",
                      "  2027-01  黑金         125     125     0"]
    assert "  2027-01  （无）       3       3     0" in text  # members in no segment, after the named
    assert text.endswith("等级会变化的成员：1\n  2027-01 m1：普通会员 → 银卡\n")
    for raw in ("member", "silver", "low_need", "alive", " … ", "(", "-46"):
        assert raw not in text.replace("qunce diff old.yaml", ""), raw


def test_diff_text_and_markdown_in_english() -> None:
    doc = document(pair(), "old.yaml", "new.yaml", NAMES)
    text = render_text(doc, "en")
    assert text.splitlines()[:2] == ["qunce diff old.yaml → new.yaml (2027-01-01 to 2027-01-31)",
                                     "Total payout: ¥57,662.64 → ¥30,590.68 (−¥27,071.96, −46.95%)"]
    assert "  2027-01  黑金         125     125       0" in text
    assert "  2027-01  (none)        3       3       0" in text  # no segment: after the named ones
    assert text.endswith("Members whose level would change: 1\n  2027-01 m1: 普通会员 → 银卡\n")
    markdown = render_markdown(doc, "en")
    assert "\n2027-01-01 to 2027-01-31\n" in markdown
    assert "**Total payout: ¥57,662.64 → ¥30,590.68 (−¥27,071.96, −46.95%)**" in markdown
    assert "| 2027-01 | 普通会员 | 14,903 | 14,303 | −600 |" in markdown
    assert "| 2027-01 | s2 徐平玲 | ¥0.00 | ¥0.00 | ¥0.00 |" in markdown
    assert "- 2027-01 m1: 普通会员 → 银卡" in markdown
    assert doc["names"]["levels"] == NAMES["levels"]  # in the JSON too, for tools and the HTML page


def test_diff_without_names_shows_ids_and_says_no_change() -> None:
    unchanged = pair()
    unchanged.new = unchanged.old
    text = render_text(document(unchanged, "a.yaml", "a.yaml"), "zh")
    assert "提成总额：¥57,662.64 → ¥57,662.64（无变化）" in text
    assert "  2027-01  member  14,903  14,903     0" in text


def test_diff_names_merge_both_ladders() -> None:
    from qunce.validation import checked_playbook

    brand, _ = checked_playbook(ROOT / "playbooks" / "brand-complete.yaml")
    welfare, _ = checked_playbook(ROOT / "playbooks" / "welfare.yaml")
    assert brand is not None and welfare is not None
    names = names_for(brand, welfare)
    # welfare's ladder, with brand-complete's levels after the level before them there
    assert list(names["levels"].values())[:4] == ["普通会员", "银卡", "金卡", "黑金"]
    ladders = [pb.membership.levels for pb in (brand, welfare) if pb.membership is not None]
    assert len(ladders) == 2 and set(names["levels"]) == {level.id for ladder in ladders for level in ladder}
    assert names["health"] == {s.id: s.name for s in welfare.lifecycle} | {
        s.id: s.name for s in brand.lifecycle if s.id not in {t.id for t in welfare.lifecycle}}
