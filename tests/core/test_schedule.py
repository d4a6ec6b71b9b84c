"""The SOP clock grammar (parse_every), its weekly load, and RRULE checks."""

from __future__ import annotations

import pytest

from qunce.schedule import Clock, ScheduleError, check_rrule, parse_every, rrule_per_week

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@pytest.mark.parametrize(("text", "expected"), [
    ("daily 20:00", Clock("daily", at="20:00")),
    ("Daily 20:00", Clock("daily", at="20:00")),
    ("every day 07:30", Clock("daily", at="07:30")),
    ("每天 20:00", Clock("daily", at="20:00")),
    ("每日 8:00", Clock("daily", at="08:00")),
    ("daily at 20:00", Clock("daily", at="20:00")),
    ("daily 20：00", Clock("daily", at="20:00")),  # full-width colon
    ("weekdays 09:00", Clock("weekly", weekdays=(MON, TUE, WED, THU, FRI), at="09:00")),
    ("工作日 9:00", Clock("weekly", weekdays=(MON, TUE, WED, THU, FRI), at="09:00")),
    ("weekends 10:00", Clock("weekly", weekdays=(SAT, SUN), at="10:00")),
    ("周末 10:00", Clock("weekly", weekdays=(SAT, SUN), at="10:00")),
    ("weekly mon,thu 20:00", Clock("weekly", weekdays=(MON, THU), at="20:00")),
    ("weekly thu,mon,thu 20:00", Clock("weekly", weekdays=(MON, THU), at="20:00")),
    ("weekly Monday, Thursday 20:00", Clock("weekly", weekdays=(MON, THU), at="20:00")),
    ("weekly mon thu 20:00", Clock("weekly", weekdays=(MON, THU), at="20:00")),
    ("每周一、四 20:00", Clock("weekly", weekdays=(MON, THU), at="20:00")),
    ("每周一,四 20:00", Clock("weekly", weekdays=(MON, THU), at="20:00")),
    ("每周 周二 9:05", Clock("weekly", weekdays=(TUE,), at="09:05")),
    ("每星期三 8:00", Clock("weekly", weekdays=(WED,), at="08:00")),
    ("每周日 8:00", Clock("weekly", weekdays=(SUN,), at="08:00")),
    ("每周天 8:00", Clock("weekly", weekdays=(SUN,), at="08:00")),
    ("每周一、四 20：00", Clock("weekly", weekdays=(MON, THU), at="20:00")),
    ("monthly 1,15 10:00", Clock("monthly", monthdays=(1, 15), at="10:00")),
    ("每月1,15日 10:00", Clock("monthly", monthdays=(1, 15), at="10:00")),
    ("每月1日、15日 10:00", Clock("monthly", monthdays=(1, 15), at="10:00")),
    ("每月15号 10:00", Clock("monthly", monthdays=(15,), at="10:00")),
    ("monthly -1 09:00", Clock("monthly", monthdays=(-1,), at="09:00")),
    ("monthly 31 09:00", Clock("monthly", monthdays=(31,), at="09:00")),
    ("daily", Clock("daily", at=None)),
])
def test_parse_every(text: str, expected: Clock) -> None:
    assert parse_every(text) == expected


def test_at_is_used_only_when_the_text_names_no_time() -> None:
    assert parse_every("daily", "09:30") == Clock("daily", at="09:30")
    assert parse_every("weekly mon", "09:30") == Clock("weekly", weekdays=(MON,), at="09:30")
    assert parse_every("daily 20:00", "09:30").at == "20:00"


@pytest.mark.parametrize(("text", "expected"), [
    ("每周一，四 20:00", Clock("weekly", weekdays=(MON, THU), at="20:00")),
    ("每月1，15日 10:00", Clock("monthly", monthdays=(1, 15), at="10:00")),
])
def test_full_width_comma_separates_days(text: str, expected: Clock) -> None:
    # '，' is what a Chinese keyboard types.
    assert parse_every(text) == expected


NOT_A_SCHEDULE_EN = ("'{}' is not a schedule: write daily 20:00, weekly mon,thu 20:00, weekdays 09:00 "
                     "or monthly 1,15 10:00")
NOT_A_SCHEDULE_ZH = "'{}' 不是计划：请写 每天 20:00、每周一，四 20:00、工作日 09:00 或 每月1,15日 10:00"


@pytest.mark.parametrize(("text", "en", "zh"), [
    ("weekly funday 20:00", "'funday' is not a weekday (mon … sun)", "'funday' 不是星期几（一 … 日）"),
    ("每周八 20:00", "'八' is not a weekday (mon … sun)", "'八' 不是星期几（一 … 日）"),
    ("monthly 32 10:00", "'32' is not a day of the month (1 … 31, or -1 for the last)",
     "'32' 不是每月的日期（1 … 31，-1 表示最后一天）"),
    ("monthly 0 10:00", "'0' is not a day of the month (1 … 31, or -1 for the last)",
     "'0' 不是每月的日期（1 … 31，-1 表示最后一天）"),
    ("monthly 1.5 10:00", "'1.5' is not a day of the month (1 … 31, or -1 for the last)",
     "'1.5' 不是每月的日期（1 … 31，-1 表示最后一天）"),
    ("weekly 20:00", "weekly needs days, e.g. weekly mon,thu", "每周需要写星期几，如 每周一，四"),
    ("每周 20:00", "weekly needs days, e.g. weekly mon,thu", "每周需要写星期几，如 每周一，四"),
    ("monthly", "monthly needs days, e.g. monthly 1,15", "每月需要写日期，如 每月1,15日"),
    ("每月 10:00", "monthly needs days, e.g. monthly 1,15", "每月需要写日期，如 每月1,15日"),
    ("every evening", NOT_A_SCHEDULE_EN.format("every evening"), NOT_A_SCHEDULE_ZH.format("every evening")),
    ("daily 24:00", NOT_A_SCHEDULE_EN.format("daily 24:00"), NOT_A_SCHEDULE_ZH.format("daily 24:00")),
    ("daily 20:60", NOT_A_SCHEDULE_EN.format("daily 20:60"), NOT_A_SCHEDULE_ZH.format("daily 20:60")),
    ("", NOT_A_SCHEDULE_EN.format(""), NOT_A_SCHEDULE_ZH.format("")),
])
def test_parse_every_errors(text: str, en: str, zh: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_every(text)
    assert (caught.value.en, caught.value.zh) == (en, zh)
    assert str(caught.value) == en


@pytest.mark.parametrize(("text", "per_week", "counts"), [
    ("daily 20:00", 7.0, [1.0] * 7),
    ("weekdays 09:00", 5.0, [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]),
    ("weekends 09:00", 2.0, [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0]),
    ("weekly mon,thu 20:00", 2.0, [1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]),
])
def test_per_week_and_weekday_counts(text: str, per_week: float, counts: list[float]) -> None:
    clock = parse_every(text)
    assert clock.per_week() == per_week
    assert clock.weekday_counts() == counts


def test_monthly_load_is_spread_over_the_week() -> None:
    clock = parse_every("monthly 1,15 10:00")
    assert clock.per_week() == pytest.approx(24 / 52)
    counts = clock.weekday_counts()
    assert len(counts) == 7
    assert counts == [pytest.approx(24 / 52 / 7)] * 7
    assert sum(counts) == pytest.approx(clock.per_week())
    assert parse_every("monthly -1 09:00").per_week() == pytest.approx(12 / 52)


@pytest.mark.parametrize("text", [
    "FREQ=WEEKLY;BYDAY=MO,TH", "RRULE:FREQ=DAILY", "FREQ=MONTHLY;BYMONTHDAY=1,15", "freq=weekly;byday=mo",
])
def test_check_rrule_accepts_valid_rules(text: str) -> None:
    check_rrule(text)  # no exception


@pytest.mark.parametrize(("text", "detail"), [
    ("FREQ=SOMETIMES", "invalid 'FREQ': SOMETIMES"),
    ("FREQ=WEEKLY;BYDAY=MO,XX", "invalid 'BYDAY': MO,XX"),
])
def test_check_rrule_rejects_invalid_rules(text: str, detail: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        check_rrule(text)
    assert caught.value.en == f"'{text}' is not a valid RRULE: {detail}"
    assert caught.value.zh == f"'{text}' 不是合法的 RRULE：{detail}"


def test_schedule_errors_use_full_width_punctuation_in_chinese() -> None:
    with pytest.raises(ScheduleError) as caught:
        check_rrule("FREQ=SOMETIMES")
    assert caught.value.zh == "'FREQ=SOMETIMES' 不是合法的 RRULE：invalid 'FREQ': SOMETIMES"
    with pytest.raises(ScheduleError) as caught:
        parse_every("monthly 32 10:00")
    assert "31,-1" not in caught.value.zh


@pytest.mark.parametrize("text", ["nonsense", ""])
def test_check_rrule_rejects_garbage(text: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        check_rrule(text)
    assert caught.value.en.startswith(f"'{text}' is not a valid RRULE: ")


def test_rrule_per_week() -> None:
    assert rrule_per_week("FREQ=WEEKLY;BYDAY=MO,TH") == pytest.approx(2.0)
    assert rrule_per_week("RRULE:FREQ=DAILY") == pytest.approx(365 / 52)
    assert rrule_per_week("FREQ=MONTHLY;BYMONTHDAY=1") == pytest.approx(12 / 52)
