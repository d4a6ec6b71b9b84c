"""The handbook's words: schedules, SOP triggers, cadences and amounts in plain zh and en, and
Chinese with full-width punctuation."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from qunce.compile.docs.fmt import cadence, duration, money, percent
from qunce.compile.docs.labels import _EN, _ZH, label
from qunce.compile.docs.vocabulary import WORDS, words
from qunce.compile.docs.when import rrule_words, when
from qunce.model import Playbook
from qunce.model.common import parse_duration
from qunce.model.content import parse_cadence
from qunce.model.sop import SopItem
from qunce.schedule import describe, parse_every
from tests.checks.test_golden_diagnostics import ZH_ASCII_PUNCTUATION


@pytest.mark.parametrize(("text", "zh", "en"), [
    ("daily 20:00", "每天 20:00", "daily at 20:00"),
    ("每周一,四 20:00", "每周一、四 20:00", "every Mon, Thu at 20:00"),
    ("weekdays 09:00", "工作日 09:00", "weekdays at 09:00"),
    ("weekends 10:00", "周末 10:00", "weekends at 10:00"),
    ("monthly 1,15 10:00", "每月1日、15日 10:00", "monthly on the 1st, 15th at 10:00"),
    ("monthly -1 18:00", "每月最后一天 18:00", "monthly on the last day at 18:00"),
    ("每月22日", "每月22日", "monthly on the 22nd"),
])
def test_clock_schedules_in_words(text: str, zh: str, en: str) -> None:
    clock = parse_every(text)
    assert (describe(clock, "zh"), describe(clock, "en")) == (zh, en)


@pytest.mark.parametrize(("rule", "zh", "en"), [
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA", "隔周周六", "every other week on Sat"),
    ("FREQ=MONTHLY;BYDAY=SA;BYSETPOS=1", "每月第 1 个周六", "the 1st Sat of every month"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "每月最后一个周五", "the last Fri of every month"),
    ("FREQ=DAILY;INTERVAL=3", "每 3 天", "every 3 days"),
    ("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8", "RRULE FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8",
     "RRULE FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8"),  # anything else is shown as written
])
def test_rrules_in_words(rule: str, zh: str, en: str) -> None:
    assert (rrule_words(rule, "zh"), rrule_words(rule, "en")) == (zh, en)


PLAYBOOK = Playbook.model_validate({
    "playbook": "t", "roles": {"admin": {"name": "管理员"}},
    "churn": [{"id": "quiet", "name": "沉默", "when": "days_since_last_message >= 14", "action": "私聊"}],
})


@pytest.mark.parametrize(("item", "zh", "en"), [
    ({"on": "join", "within": "10m"}, "入群后 10 分钟内", "within 10 minutes after a member joins"),
    ({"on": "group_created"}, "建群时", "when the group is created"),
    ({"on": "churn_warning", "warning": "quiet", "within": "1d"}, "流失预警「沉默」后 1 天内",
     "within 1 day after a churn warning (沉默)"),
    ({"days": [0], "at": "09:30"}, "建群当天 09:30", "day 0 of the group at 09:30"),
    ({"days_before_end": [1, 0], "at": "20:00"}, "解散前 1 天、最后一天 20:00",
     "1 day before the end, the last day at 20:00"),
    ({"member_days": [1, 3, 7], "at": "10:00"}, "入群第 1、3、7 天 10:00", "days 1, 3, 7 after joining at 10:00"),
    ({"every": "每周二,四 21:00"}, "每周二、四 21:00", "every Tue, Thu at 21:00"),
])
def test_sop_triggers_in_words(item: dict[str, object], zh: str, en: str) -> None:
    sop = SopItem.model_validate({"id": "x", "role": "admin", **item})
    assert (when(sop, PLAYBOOK, "zh"), when(sop, PLAYBOOK, "en")) == (zh, en)


def test_amounts_durations_and_cadences() -> None:
    assert (money(Decimal("60000"), "zh"), money(Decimal("9.9"), "en")) == ("60,000 元", "¥9.90")
    assert percent(Decimal("0.125")) == "12.5%"
    assert (duration(parse_duration("2h"), "zh"), duration(parse_duration("1d"), "en")) == ("2 小时", "1 day")
    assert (cadence(parse_cadence("每周3次"), "en"), cadence(parse_cadence("2/month"), "zh")) == ("3 times a week", "每月 2 次")
    assert cadence(parse_cadence("1.5/week"), "zh") == "1.5/week"  # no plain words for it: as written


def test_both_languages_have_every_word_and_label() -> None:
    assert all(zh and en for zh, en in WORDS.values())
    assert words("zh").keys() == words("en").keys()
    for kind in _EN:
        assert set(_EN[kind]) == set(_ZH[kind]), kind
    assert label("entry", "paid", "zh") == "付费式"


@pytest.mark.parametrize("key", sorted(WORDS))
def test_zh_words_use_full_width_punctuation(key: str) -> None:
    text = WORDS[key][0]
    assert not ZH_ASCII_PUNCTUATION.search(text), text
    assert not re.search(r"[\u4e00-\u9fff][.!]", text), text
