"""The recurrence under `qunce tasks`: clock schedules as RRULEs, RRULE days in a window (property
tests against python-dateutil iterating from the anchor), and which values a template reads."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from qunce.compile.texts import facets
from qunce.schedule import RRULE_ANCHOR, Clock, clock_rrule, occurrence_dates, parse_every

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
starts = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2031, 12, 31))


@settings(max_examples=150, deadline=None)
@given(freq=st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]), interval=st.integers(1, 5),
       byday=st.sets(st.sampled_from(DAYS), max_size=3), start=starts, length=st.integers(0, 400))
def test_days_in_a_window_are_those_of_the_rule_counted_from_the_anchor(freq: str, interval: int, byday: set[str],
                                                                        start: dt.date, length: int) -> None:
    text = f"FREQ={freq};INTERVAL={interval}" + (f";BYDAY={','.join(sorted(byday))}" if byday and freq != "YEARLY" else "")
    end = start + dt.timedelta(days=length)
    slow = rrulestr(f"RRULE:{text}", dtstart=RRULE_ANCHOR).between(
        dt.datetime.combine(start, dt.time.min), dt.datetime.combine(end, dt.time.max), inc=True)
    assert occurrence_dates(text, start, end) == sorted({moment.date() for moment in slow})


def fires(clock: Clock, day: dt.date) -> bool:
    """Whether a clock schedule fires on `day`, straight from its meaning."""
    if clock.kind == "daily":
        return True
    if clock.kind == "weekly":
        return day.weekday() in clock.weekdays
    last = calendar.monthrange(day.year, day.month)[1]
    return any(d == day.day or (d < 0 and last + 1 + d == day.day) for d in clock.monthdays)


clocks = st.one_of(
    st.just(Clock("daily", at="20:00")),
    st.sets(st.integers(0, 6), min_size=1).map(lambda days: Clock("weekly", weekdays=tuple(sorted(days)), at="09:00")),
    st.sets(st.integers(1, 31) | st.just(-1), min_size=1, max_size=4).map(
        lambda days: Clock("monthly", monthdays=tuple(sorted(days)), at="10:00")),
)


@settings(max_examples=150, deadline=None)
@given(clock=clocks, start=starts, length=st.integers(0, 120))
def test_a_clock_schedule_as_rrule_fires_exactly_on_its_days(clock: Clock, start: dt.date, length: int) -> None:
    end = start + dt.timedelta(days=length)
    days = [start + dt.timedelta(days=i) for i in range(length + 1)]
    assert occurrence_dates(clock_rrule(clock), start, end) == [d for d in days if fires(clock, d)]


@pytest.mark.parametrize(("text", "rule"), [
    ("daily 20:00", "FREQ=DAILY"),
    ("每周一，四 20:00", "FREQ=WEEKLY;BYDAY=MO,TH"),
    ("weekdays 09:00", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("monthly 1,15,-1 10:00", "FREQ=MONTHLY;BYMONTHDAY=-1,1,15"),
])
def test_clock_rrule(text: str, rule: str) -> None:
    assert clock_rrule(parse_every(text)) == rule


def test_an_rrule_with_its_own_dtstart_and_count_is_taken_as_written() -> None:
    text = "DTSTART:20270301T100000\nRRULE:FREQ=WEEKLY;COUNT=3"
    assert occurrence_dates(text, dt.date(2027, 1, 1), dt.date(2027, 12, 31)) == [
        dt.date(2027, 3, 1), dt.date(2027, 3, 8), dt.date(2027, 3, 15)]
    # without DTSTART, COUNT counts from the anchor (2024-01-01): long over by 2027
    assert occurrence_dates("FREQ=DAILY;COUNT=3", dt.date(2027, 1, 1), dt.date(2027, 1, 31)) == []


@pytest.mark.parametrize(("source", "expected"), [
    ("按命名规则设置群名", ()),
    ("{{ brand }}福利{{ seq }}", ()),
    ("{{ group.name }} 开营", ("group",)),
    ("第 {{ group.day }} 天", ("group", "date")),
    ("{{ group['day'] }}", ("group", "date")),  # used whole or by key: may depend on the day
    ("今天是{{ weekday }}", ("date",)),
    ("欢迎 {{ member.nickname }}，我是{{ staff.name }}", ("staff",)),  # a nickname is a placeholder
    ("会员 {{ member.id }}", ("member",)),
    ("{{ time }} {{ date }}", ("date", "time")),
    ("{% for r in rules %}{{ r.name }}{% endfor %}", ()),
])
def test_facets_are_the_values_a_template_reads(source: str, expected: tuple[str, ...]) -> None:
    assert facets(source) == expected


def test_templates_render_once_per_distinct_context(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ibis")
    from qunce.compile import texts

    calls: list[str] = []
    real = texts.render_bounded

    def counted(template: Any, context: dict[str, Any]) -> Any:
        calls.append(real(template, context))
        return calls[-1]

    monkeypatch.setattr(texts, "render_bounded", counted)
    folder = Path(__file__).resolve().parents[1] / "golden" / "tasks" / "life"
    result = CliRunner().invoke(main_command(), ["tasks", str(folder / "playbook.yaml"), "--roster",
                                                 str(folder / "roster.yaml"), "--from", "2027-03-01", "--to", "2027-03-09"])
    assert result.exit_code == 0, result.output
    assert sum("设置群名" in c for c in calls) == 3  # setup: {{ group.name }}, once per group
    assert sum("倒计时" in c for c in calls) == 5  # countdown: {{ group.day }}, once per group and day


def main_command() -> Any:
    from qunce.cli import main

    return main
