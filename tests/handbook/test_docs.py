"""`qunce docs`: the handbook of the complete example, section by section, in both languages;
Markdown snapshots (QUNCE_UPDATE_GOLDEN=1 rewrites them), the HTML page's structure, and the
command line (exit codes, determinism)."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qunce.catalog import GROUP_METRICS
from qunce.cli import main
from qunce.compile.docs.context import handbook_context
from qunce.compile.docs.handbook import FORMATS, render_all
from qunce.load import load_playbook
from qunce.model import Playbook
from qunce.output_folder import MANIFEST

ROOT = Path(__file__).resolve().parents[2]
COMPLETE = ROOT / "playbooks" / "brand-complete.yaml"
GOLDEN = ROOT / "tests" / "golden" / "docs"
UPDATE = os.environ.get("QUNCE_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def complete() -> Playbook:
    playbook = load_playbook(COMPLETE).playbook
    assert playbook is not None
    return playbook


@pytest.fixture(scope="module")
def books(complete: Playbook) -> dict[str, dict[str, str]]:
    return {lang: render_all(complete, FORMATS, lang) for lang in ("zh", "en")}


def section(markdown: str, anchor: str) -> str:
    """The Markdown from `<a id="anchor">` to the next anchor of the same kind."""
    start = markdown.index(f'<a id="{anchor}"></a>')
    kind = anchor.split("-")[0] + "-" if "-" in anchor else ""
    pattern = re.compile(r'<a id="' + (re.escape(kind) + r"[^\"]+" if kind else r"[a-z]+") + r'"></a>')
    following = pattern.search(markdown, start + 1)
    return markdown[start:following.start() if following else len(markdown)]


# --- snapshots -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_snapshot(books: dict[str, dict[str, str]], lang: str) -> None:
    path = GOLDEN / f"brand-complete.{lang}.md"
    actual = books[lang]["md"]
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{path.name} is stale: QUNCE_UPDATE_GOLDEN=1 and review the diff"


def test_same_sections_in_both_languages_and_formats(books: dict[str, dict[str, str]]) -> None:
    ids = re.findall(r'<a id="([a-z]+)"></a>\n\n## ', books["zh"]["md"])
    assert ids == ["groups", "entry", "rules", "roles", "content", "sop", "messages", "membership", "points",
                   "segments", "lifecycle", "churn", "commission", "metrics"]
    assert re.findall(r'<a id="([a-z]+)"></a>\n\n## ', books["en"]["md"]) == ids
    for lang in ("zh", "en"):
        assert re.findall(r'<section id="([a-z]+)">', books[lang]["html"]) == ids


def test_templates_hold_no_words_of_their_own() -> None:
    # Every word comes from words.py, so the two languages cannot drift apart.
    folder = ROOT / "templates" / "handbook"
    for path in folder.rglob("*.j2"):
        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        assert not re.search(r"[\u4e00-\u9fff]", text), path.name


# --- section by section -----------------------------------------------------------------


def test_group_types_and_entry(books: dict[str, dict[str, str]]) -> None:
    zh = books["zh"]["md"]
    flash = section(zh, "type-flash")
    assert "### 快闪群（`flash`）" in flash
    assert "- **存续时长**：3 天" in flash
    assert "- **内容配比**：促活 10%、转化 80%、品宣 10%" in flash
    assert "- **每群配置**：群主 × 1、管理员 × 1、KOL × 1、气氛组 × 3" in flash
    entry = section(zh, "entry")
    assert "### 福利群：邀请式" in entry
    assert "- **可邀请的角色**：群主、管理员" in entry
    assert "- **入群费用**：199 元" in entry
    assert "- **推荐人等级**：银卡及以上" in entry
    assert "- **需参加的活动**：38焕新节预售体验课报名" in entry
    assert "`{{ brand }}宠粉{{ seq }}群`，如 花漾宠粉1群" in entry
    en = books["en"]["md"]
    assert "### 福利群: by invitation" in en
    assert "- **Fee**: ¥199" in en


def test_rules_and_paste_ready_texts(books: dict[str, dict[str, str]]) -> None:
    rules = section(books["zh"]["md"], "rules")
    assert "| 恶意刷屏 | 短时间连续发送重复内容、表情或语音。 | 警告 → 禁言1小时 → 禁言1天 → 移出 |" in rules
    flash = section(books["zh"]["md"], "paste-flash")
    assert "欢迎 小美 加入38焕新节快闪1群 2027-01-04🌸" in flash
    assert "本群是花漾美妆官方快闪群" in flash
    assert "1. 禁止打广告：警告 → 禁言1天 → 移出" in flash
    assert "```text\n【38焕新节快闪1群 2027-01-04 群公告】" in flash
    assert "{{" not in flash and "{%" not in flash
    en = section(books["en"]["md"], "rules")
    assert "| 恶意刷屏 | 短时间连续发送重复内容、表情或语音。 | warn → mute 1 hour → mute 1 day → remove |" in en


def test_roles(books: dict[str, dict[str, str]]) -> None:
    owner = section(books["zh"]["md"], "role-owner")
    assert "- **每人最多负责**：5 个群" in owner
    assert "- **直属上级**：总负责" in owner
    assert "- 会员晋升、流失预警的一对一跟进" in owner
    assert "[群主的 SOP](#sop-owner)" in owner
    assert "- **Groups per person, at most**: 5 groups" in section(books["en"]["md"], "role-owner")


def test_content_plan(books: dict[str, dict[str, str]]) -> None:
    content = section(books["zh"]["md"], "content")
    assert "| 频率 | 每周 3 次 |" in content
    assert "| 频率 | 每月 2 次 |" in content
    assert "| 生产流程 | 选题 → 大纲 → 要点 → 细节 → 法务审核 |" in content
    assert "| Cadence | 3 times a week |" in section(books["en"]["md"], "content")


def test_sop_calendar_per_role(books: dict[str, dict[str, str]]) -> None:
    zh = books["zh"]["md"]
    owner, admin, kol, helper = (section(zh, f"sop-{r}") for r in ("owner", "admin", "kol", "helper"))
    assert "| 每天 20:00 | 每日话题 | 按本周内容规划发起话题，气氛组带头回应，话题结束后整理精华。 | 15 分钟 | 促活 | 引流群、闺蜜推荐群 |" in owner
    assert "| 建群当天 09:30 | 建群搭建 |" in owner
    assert "| 每月第 1 个周六 10:00 | 闺蜜推荐月 |" in owner
    assert "| 每周二、四、六 19:30（节假日暂停） | 限时福利 |" in owner
    assert "| 最后一天 21:00 | 解散前转群 | 发送话术：[解散前转群](#tpl-flash_farewell) |" in owner
    assert "| 入群后 10 分钟内 | 新人欢迎 | 发送话术：[欢迎语](#tpl-welcome) | 1 分钟 | 拉新 | 全部群 |" in admin
    assert "| 解散前 2 天、解散前 1 天、最后一天 10:00 | 预售倒计时 |" in admin
    assert "| 入群第 1、3、7 天 10:00 |" in admin
    assert "| 流失预警「新人沉默」后 1 天内 | 新人沉默关怀 |" in admin
    assert "| 隔周周六 20:00 | KOL 直播答疑 |" in kol
    assert "60 分钟（每人一次，覆盖所负责的各群）" in kol
    assert "讲解38焕新节主推套组" in kol  # the task text is itself a template
    assert "| 08:30 | 早安签到接龙 | 早安签到接龙 |" in helper  # the week grid
    en = books["en"]["md"]
    assert "| within 10 minutes after a member joins | 新人欢迎 |" in section(en, "sop-admin")
    assert "| every other week on Sat at 20:00 | KOL 直播答疑 |" in section(en, "sop-kol")
    assert "| the 1st Sat of every month at 10:00 | 闺蜜推荐月 |" in section(en, "sop-owner")
    assert "| every Tue, Thu, Sat at 19:30 (not on holidays) | 限时福利 |" in section(en, "sop-owner")


def test_message_library(books: dict[str, dict[str, str]]) -> None:
    care = section(books["zh"]["md"], "tpl-care_vip")
    assert "用于：SOP：高等级会员回访、流失预警：高等级会员沉默、会员关怀：高等级会员专属回访" in care
    countdown = section(books["zh"]["md"], "tpl-flash_countdown")
    assert "⏳ 38焕新节快闪群第 3 天：预售价倒计时！" in countdown


def test_membership_levels(books: dict[str, dict[str, str]]) -> None:
    zh = books["zh"]["md"]
    assert "会员等级每月评定一次" in section(zh, "membership")
    silver = zh[zh.index("### 银卡（`silver`）"):zh.index("### 金卡")]
    assert "- **晋升条件**：近90天积分 ≥ 300" in silver
    assert "- **保级条件**：近90天积分 ≥ 240，否则降级" in silver
    assert "- **保级期**：到达该等级后（晋升或降级到达都算），之后 1 次评定（每月）不降级" in silver
    assert "- **权益**：每月 1 张 9 折券、生日礼包" in silver
    black = zh[zh.index("### 黑金（`black`）"):]
    assert "近90天积分 ≥ 3000 且 近90天消费金额 ≥ 3000 元" in black
    en = books["en"]["md"]
    assert "- **Promoted when**: points in the last 90 days ≥ 300" in en
    assert "| 高等级会员专属回访 | monthly | 金卡, 黑金 | [高等级会员回访](#tpl-care_vip) |" in en


def test_points(books: dict[str, dict[str, str]]) -> None:
    points = section(books["zh"]["md"], "points")
    assert "| 有效发言 | 发言 | 每次 +1 | 每天最多 10 分 |  |" in points
    assert "| 下单 | 下单 | 每消费 1 元 +1 |  |  |" in points
    assert "| 直播间下单加赠 | 下单 | 每次 +20 | 每周最多 60 分 | 渠道 = 「直播间」 |" in points
    assert "积分自获得起 365 天后过期" in points
    assert "扣回该订单获得的积分" in points


def test_segments_lifecycle_and_churn(books: dict[str, dict[str, str]]) -> None:
    zh = books["zh"]["md"]
    assert "| 忠实型 | 近30天订单数 ≥ 1 且 累计推荐人数 ≥ 2 | 高 | 高 |" in section(zh, "segments")
    assert "| 低需求 | 其余所有人 |" in section(zh, "segments")
    lifecycle = section(zh, "lifecycle")
    assert "| 社群 | 近7天互动率 ≥ 8% 且 近7天消息总量 ≥ 100 |  |" in lifecycle
    assert "| 死群 | 其余所有群 | 30 天 |" in lifecycle
    churn = section(zh, "churn")
    assert "流失的定义：超过 30 天既未发言也未下单的成员。" in churn
    assert "| 新人期 | 新人沉默 | 入群天数 ≤ 14 且 距上次发言天数 ≥ 7 | 管理员私聊，送新人券并邀请参加本周话题 | 管理员 | 1 天 | [新人沉默关怀](#tpl-churn_new) |" in churn


def test_commission_plan(books: dict[str, dict[str, str]]) -> None:
    plan = section(books["zh"]["md"], "commission")
    assert "- **奖金池**：每群 800 元（100% 达成时）" in plan
    assert "- **个人封顶（每人每期）**：8,000 元" in plan
    assert "| 销售额 | 销售额 | 60,000 元 | 25% | 越高越好 |" in plan
    assert "| 退群率 | 退群率 | 5% | 10% | 越低越好 |" in plan
    assert "| 150% | 1.6 |" in plan
    assert "- **起提线**：50%，低于它该指标不计提成" in plan
    assert "- **发放门槛**：加权达成率 ≥ 60% 且 用户满意度 ≥ 4.0；未达标时按 20% 发放" in plan
    assert "| 销售冠军 | 销售额达成率 ≥ 130% 且 人均销售额 ≥ 150 元 | 500 元 |" in plan
    assert "| 留存率 < 40% | 把 5% 的权重从「社群成员数量」移到「活跃度」 |" in plan
    assert "| 群主 | 60% |" in plan
    assert "结算后发生的退款，在退款发生的周期扣回。" in plan
    assert "TODO" not in plan


def test_commission_worked_example_slot(complete: Playbook) -> None:
    from qunce.compile.docs.render import render_handbook

    context = handbook_context(complete, "zh")
    example = context["commission_example"]  # from engine/commission/worked.py (its numbers are tested there)
    assert example["title"] == "示例：一个群一个周期"
    assert {"label": "社群成员数量", "how": "180 ÷ 150 = 120.00% → 提成系数 1.24；¥800.00 × 25% × 1.24",
            "amount": "¥248.00"} in example["lines"]
    assert example["total"] == {"label": "分配合计", "amount": "¥785.87"}
    context["commission_example"] = {
        "title": "示例：一个群一个月", "intro": "花漾宠粉1群，2027 年 1 月。",
        "inputs": [{"label": "净增人数", "value": "120"}],
        "lines": [{"label": "社群成员数量", "how": "800 × 25% × 0.8", "amount": "160.00 元"}],
        "total": {"label": "合计", "amount": "160.00 元"},
    }
    markdown = render_handbook(context, "md")
    assert "### 示例：一个群一个月" in markdown
    assert "| 社群成员数量 | 800 × 25% × 0.8 | 160.00 元 |" in markdown
    assert "<td>800 × 25% × 0.8</td>" in render_handbook(context, "html")


def test_every_metric_defined(books: dict[str, dict[str, str]], complete: Playbook) -> None:
    for lang in ("zh", "en"):
        metrics = section(books[lang]["md"], "metrics")
        for metric in GROUP_METRICS.values():
            if metric.stage:
                name, definition = (metric.zh, metric.definition_zh) if lang == "zh" else (metric.en, metric.definition_en)
                assert f"| {name} |" in metrics and definition in metrics, (lang, metric.id)
    zh = section(books["zh"]["md"], "metrics")
    assert "「群成员数」按平均口径：期内每天（日初 + 日末）÷ 2 的平均值。" in zh
    assert "有效消息：至少 5 个字" in zh
    assert "| 直播间订单数 `live_orders` | 成员 | 近 30 天「下单」次数（仅 渠道 = 「直播间」） |" in zh
    end = complete.model_copy(update={"metrics": complete.metrics.model_copy(update={"members_basis": "end"})})
    assert "期末最后一天结束时的成员数" in render_all(end, ("md",), "zh")["md"]


def test_sections_without_content_are_left_out() -> None:
    bare = Playbook.model_validate({"playbook": "最小", "roles": {"owner": {"name": "群主"}},
                                    "group_types": {"traffic": {"name": "引流群"}}})
    context = handbook_context(bare, "zh")
    assert [s["id"] for s in context["toc"]] == ["groups", "entry", "roles", "metrics"]
    text = render_all(bare, FORMATS, "en")
    assert "Commission" not in text["md"] and "Membership" not in text["html"]


# --- the HTML page ---------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.tables_outside_scroll = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and not (self.tags and self.tags[-1][0] == "div" and self.tags[-1][1].get("class") == "scroll"):
            self.tables_outside_scroll += 1
        self.tags.append((tag, found))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_is_one_self_contained_page(books: dict[str, dict[str, str]], lang: str) -> None:
    html = books[lang]["html"]
    page = _Page()
    page.feed(html)
    tags = page.tags
    assert not [t for t, _ in tags if t in ("script", "link", "img", "iframe", "object", "embed")]
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "url(" not in html and "@import" not in html
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in tags
    assert sum(1 for t, _ in tags if t == "style") == 1
    ids = [a["id"] for _, a in tags if a.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    links = [a["href"] for t, a in tags if t == "a" and a.get("href")]
    assert all(link.startswith("#") for link in links)
    assert {link[1:] for link in links} <= set(ids), "a link to an id that does not exist"
    toc = html[html.index('<nav class="toc"'):html.index("</nav>")]
    assert toc.count("<li>") == 14
    assert page.tables_outside_scroll == 0
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html


def test_html_escapes_playbook_text() -> None:
    hostile = Playbook.model_validate({
        "playbook": "<script>alert(1)</script>", "roles": {"owner": {"name": "群主 <b>", "duties": ["<img src=x>"]}},
        "group_types": {"traffic": {"name": "引流群", "purpose": "a & b < c"}},
    })
    html = render_all(hostile, ("html",), "zh")["html"]
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "a &amp; b &lt; c" in html


# --- the command ------------------------------------------------------------------------


def run(*args: str) -> Any:
    result = CliRunner().invoke(main, ["docs", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_cli_writes_both_formats_and_the_same_bytes_twice(tmp_path: Path) -> None:
    first = run(str(COMPLETE), "--out", str(tmp_path / "a"))
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[0] == "花漾美妆私域 2027Q1 运营手册：14 节，5 种群、5 个角色、30 项 SOP、4 个会员等级、13 条话术"
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [MANIFEST, "handbook.html", "handbook.md", "pay-curve.svg"]
    run(str(COMPLETE), "--out", str(tmp_path / "b"))
    for name in ("handbook.html", "handbook.md"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    en = run(str(COMPLETE), "--out", str(tmp_path / "a"), "--lang", "en", "--format", "md")
    assert en.exit_code == 0 and (tmp_path / "a" / "handbook.en.md").is_file()
    assert not (tmp_path / "a" / "handbook.en.html").exists()


def test_cli_invalid_playbook_exits_1_with_diagnostics(tmp_path: Path) -> None:
    result = run(str(ROOT / "docs" / "examples" / "broken.yaml"), "--out", str(tmp_path / "out"), "--lang", "en")
    assert result.exit_code == 1
    assert "Q101 unknown-key" in result.output
    assert not (tmp_path / "out").exists()


def test_cli_missing_templates_folder_exits_2(tmp_path: Path) -> None:
    result = run(str(COMPLETE), "--out", str(tmp_path / "out"), "--templates", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "--templates" in result.output
