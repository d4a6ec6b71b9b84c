"""The handbook says how each SOP item is assessed (考核方式): the evidence the assessment itself
looks for (model/sop.evidence_of, which both read: held equal here) and the
window it is on time in: ± the item's tolerance, else calendar.tolerance, else 30 minutes; a
reply from its event to its deadline; the day for a member's day."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qunce.assess import evidence as assess
from qunce.compile.docs import assessed
from qunce.compile.docs.handbook import FORMATS, render_all
from qunce.compile.docs.team import sop
from qunce.compile.docs.view import View
from qunce.compile.docs.vocabulary import WORDS
from qunce.model import Playbook

ROOT = Path(__file__).resolve().parents[2]


def made(calendar: dict[str, Any]) -> Playbook:
    """One item of every kind of trigger, evidence and window."""
    return Playbook.model_validate({
        "playbook": "t", "calendar": calendar, "roles": {"owner": {"name": "群主"}, "kol": {"name": "KOL"}},
        "churn": [{"id": "silent", "name": "沉默", "when": "days_since_last_message >= 7", "action": "私聊",
                   "within": "3d"}],
        "sop": [
            {"id": "topic", "role": "owner", "every": "daily 20:00"},
            {"id": "quick", "role": "owner", "every": "daily 09:00", "tolerance": "10m"},
            {"id": "farewell", "role": "owner", "days_before_end": [0], "at": "21:00"},
            {"id": "setup", "role": "owner", "days": [0]},
            {"id": "announce", "role": "owner", "on": "group_created", "within": "2h"},
            {"id": "late_setup", "role": "owner", "on": "group_created", "within": "2d"},
            {"id": "welcome", "role": "owner", "on": "join", "within": "10m"},
            {"id": "thanks", "role": "owner", "on": "order"},
            {"id": "care", "role": "owner", "member_days": [1, 3], "at": "10:00"},
            {"id": "congrats", "role": "owner", "on": "level_up", "within": "1d"},
            {"id": "follow", "role": "owner", "on": "churn_warning", "warning": "silent", "within": "1d"},
            {"id": "live", "role": "kol", "rrule": "FREQ=WEEKLY;BYDAY=SA", "at": "20:00", "per": "person"},
        ]})


def entries(playbook: Playbook, lang: str) -> dict[str, str]:
    return {e["id"]: e["assessed"] for r in sop(View(playbook, lang))["roles"] for e in r["entries"]}


def test_the_evidence_is_the_assessments(brand: Playbook) -> None:
    items = [*brand.sop, *made({}).sop]
    assert {assessed.evidence(item) for item in items} == set(assess.KINDS)
    for item in items:
        assert assessed.evidence(item) == assess.evidence(item), item.id
    assert assessed.DEFAULT_TOLERANCE.minutes == assess.DEFAULT_TOLERANCE_MINUTES
    assert assess.LATE_MINUTES == 24 * 60  # the rule's "24 hours"
    for kind, (zh, en) in assess.KINDS.items():
        assert WORDS[f"evidence_{kind}"][0].startswith(zh) and WORDS[f"evidence_{kind}"][1] == en


def test_each_kind_of_item_in_chinese() -> None:
    assert entries(made({}), "zh") == {
        "topic": "群内发言，计划时刻前后 30 分钟内",
        "quick": "群内发言，计划时刻前后 10 分钟内",
        "farewell": "群内发言，计划时刻前后 30 分钟内",
        "setup": "群内发言，当天内",
        "announce": "群内发言，建群当天内",
        "late_setup": "群内发言，建群后 2 天内",
        "welcome": "群内发言，事件发生后至时限内",
        "thanks": "群内发言，事件发生后 30 分钟内",  # no within: the tolerance after the event
        "care": "一对一触达，当天内",
        "congrats": "一对一触达，事件发生后至时限内",
        "follow": "一对一触达，由预警的负责人在预警次日至到期日内完成",
        "live": "登记完成（sop_done），计划时刻前后 30 分钟内",
    }


def test_calendar_tolerance_is_the_default_and_english_says_it_too() -> None:
    said = entries(made({"tolerance": "1h"}), "en")
    assert said["topic"] == "a post in the group, within 1 hour either side of its time"
    assert said["quick"] == "a post in the group, within 10 minutes either side of its time"
    assert said["welcome"] == "a post in the group, from the event to its deadline"
    assert said["care"] == "a one-to-one reach, during the day"
    assert said["live"] == "logged as done (sop_done), within 1 hour either side of its time"
    assert said["follow"] == "a one-to-one reach by the warning's owner, from the day after the warning to its due date"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_item_says_it_in_both_formats(brand: Playbook, lang: str) -> None:
    book = render_all(brand, FORMATS, lang)
    words = {key: value[0 if lang == "zh" else 1] for key, value in WORDS.items()}
    said = entries(brand, lang)
    assert len(said) == len(brand.sop)
    assert book["html"].count(f'<p class="meta">{words["assessed_by"]}{words["colon"]}') == len(brand.sop)
    assert book["md"].count(f" | {words['assessed_by']} |\n") == len({item.role for item in brand.sop})
    for text in set(said.values()):
        assert f"| {text} |" in book["md"]
        assert text.replace("'", "&#39;") in book["html"]
    # The rule once, after the working hours' rule.
    for page in (book["md"], book["html"]):
        assert page.count(words["assess_rule"].replace("'", "&#39;") if page is book["html"] else
                          words["assess_rule"]) == 1
        assert page.index(words["working_hours_rule"]) < page.index(words["assess_rule"][:20])


def test_the_rule_uses_the_glossarys_words() -> None:
    zh = WORDS["assess_rule"][0]
    for word in ("考核方式", "群内发言", "一对一触达", "登记完成", "考核窗口", "按时", "迟做", "漏做", "未到期",
                 "不可考核", "宽限时间"):
        assert word in zh, word
    lines = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").splitlines()
    first = " ".join(line.split("|")[1] for line in lines if line.startswith("| "))  # the words outputs use
    for word in ("考核方式", "按时", "迟做", "漏做", "不可考核", "未到期", "宽限时间", "准时率"):
        assert word in first, word
