"""The calendar （日历）： holidays, and the working hours （工作时间） staff are on duty.

Working hours are written as text, one or more spans of the day: `09:00-22:00`, or
`09:00-12:00, 13:30-22:00`. Decided here:

- the same spans every day of the week (holidays included: `skip_holidays` is the SOP's pause);
- a span starts at 00:00 … 23:59 and ends after its start, at 24:00 at the latest; a span across
  midnight (`22:00-02:00`) is refused, written as two (`00:00-02:00, 22:00-24:00`): every day is
  the same, so the two say exactly what it would;
- spans in the order of the day, without overlap (one may start where the previous ends);
- a span holds its start, not its end: on duty from 09:00, off duty at 22:00 sharp.

The model keeps the text as written; `spans` reads it, and the check (engine/checks/working_hours.py,
Q720) reports what it refuses at the character inside the value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, WithJsonSchema, model_validator

from .common import DurationField, Model, empty_list

DAY_MINUTES = 1440
_TIME = r"\d{1,2}:\d{2}"
_DASH = "-–~～"
_SEPARATORS = ",，、;；"
_SPAN = re.compile(rf"^\s*({_TIME})\s*[{_DASH}]\s*({_TIME})\s*$")
PATTERN = (rf"^\s*{_TIME}\s*[{_DASH}]\s*{_TIME}\s*([{_SEPARATORS}]\s*{_TIME}\s*[{_DASH}]\s*{_TIME}\s*)*$")
DESCRIPTION = ("工作时间：每天的一段或几段，如 09:00-22:00 或 09:00-12:00, 13:30-22:00（每天相同，按时间顺序、不重叠，"
               "最晚到 24:00；跨零点请写成两段）。工作时间外触发的事件任务顺延到下一段开始后再计时。"
               "Working hours: one or more spans of the day, e.g. 09:00-22:00 or 09:00-12:00, 13:30-22:00 (every day, "
               "in order, not overlapping, ending by 24:00; split a span across midnight in two). An event-driven "
               "task triggered outside them is due its within: after the next span starts.")


@dataclass(frozen=True, slots=True)
class Span:
    """A span of the day in minutes from midnight: start inclusive, end exclusive (end ≤ 1440)."""

    start: int
    end: int

    def __str__(self) -> str:
        return f"{clock(self.start)}-{clock(self.end)}"


def clock(minutes: int) -> str:
    """Minutes from midnight as HH:MM (1440 is 24:00)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class WorkingHoursError(ValueError):
    """Why working hours are refused, in both languages, with where in the text (offset, length)."""

    def __init__(self, en: str, zh: str, offset: int = 0, length: int = 0) -> None:
        super().__init__(en)
        self.en, self.zh, self.offset, self.length = en, zh, offset, length


def spans(text: str) -> tuple[Span, ...]:
    """The spans `text` writes, in order; WorkingHoursError for anything refused."""
    if not text.strip():
        raise WorkingHoursError("working hours are empty: write spans of the day such as 09:00-22:00",
                                "工作时间为空：请写每天的时段，如 09:00-22:00", 0, len(text))
    found: list[Span] = []
    pieces: list[str] = []
    offset = 0
    for piece in re.split(f"[{_SEPARATORS}]", text):
        span = _span(piece, offset)
        shown = piece.strip()
        at = offset + len(piece) - len(piece.lstrip())
        if found and span.start < found[-1].end:
            before = pieces[-1]
            if span.start < found[-1].start:
                raise WorkingHoursError(
                    f"'{shown}' comes before '{before}' in the day: list the spans in the order of the day",
                    f"'{shown}' 早于 '{before}'：请按一天中的先后顺序写各时段", at, len(shown))
            raise WorkingHoursError(f"'{shown}' overlaps '{before}': spans may not overlap",
                                    f"'{shown}' 与 '{before}' 重叠：各时段不能重叠", at, len(shown))
        found.append(span)
        pieces.append(shown)
        offset += len(piece) + 1
    return tuple(found)


def _span(piece: str, offset: int) -> Span:
    shown = piece.strip()
    at = offset + len(piece) - len(piece.lstrip())
    match = _SPAN.match(piece)
    if match is None:
        raise WorkingHoursError(f"'{shown}' is not a span of the day: write HH:MM-HH:MM, e.g. 09:00-22:00",
                                f"'{shown}' 不是时段：请写 HH:MM-HH:MM，如 09:00-22:00", at, len(shown))
    start, end = (_minutes(match.group(i), offset + match.start(i)) for i in (1, 2))
    if start == DAY_MINUTES:
        raise WorkingHoursError(f"'{shown}' starts at 24:00, the end of the day: start at 00:00 … 23:59",
                                f"'{shown}' 从 24:00（一天的结束）开始：开始时刻应在 00:00 至 23:59 之间",
                                at, len(shown))
    if end < start:
        raise WorkingHoursError(
            f"'{shown}' ends before it starts: a span may not cross midnight; write it as two spans, "
            f"00:00-{clock(end)} and {clock(start)}-24:00 (every day is the same)",
            f"'{shown}' 的结束早于开始：时段不能跨零点，请写成两段：00:00-{clock(end)} 和 {clock(start)}-24:00（每天相同）",
            at, len(shown))
    if end == start:
        raise WorkingHoursError(f"'{shown}' is empty: the end must come after the start",
                                f"'{shown}' 是空的：结束须晚于开始", at, len(shown))
    return Span(start, end)


def _minutes(text: str, offset: int) -> int:
    hour, minute = (int(part) for part in text.split(":"))
    if minute > 59 or hour > 24 or (hour == 24 and minute > 0):
        raise WorkingHoursError(f"'{text}' is not a time of day: write 00:00 … 23:59, or 24:00 for the end of the day",
                                f"'{text}' 不是时刻：请写 00:00 至 23:59，一天的结束写 24:00", offset, len(text))
    return hour * 60 + minute


if TYPE_CHECKING:
    WorkingHours = str
else:
    # Text in the model; the JSON Schema's pattern lets editors underline a bad form as it is typed,
    # the check (Q720) says why at the character.
    WorkingHours = Annotated[str, WithJsonSchema({
        "type": "string", "pattern": PATTERN, "description": DESCRIPTION,
        "examples": ["09:00-22:00", "09:00-12:00, 13:30-22:00"]})]


class Holiday(Model):
    """节假日，写作日期或 {date, name}。A holiday: a date, or {date, name}."""

    date: dt.date = Field(description="日期 YYYY-MM-DD。The date.")
    name: str | None = Field(None, description="节日名称，如 春节。Name, e.g. 春节.")

    @model_validator(mode="before")
    @classmethod
    def _bare_date(cls, value: Any) -> Any:
        return {"date": value} if isinstance(value, (str, dt.date)) else value


class Calendar(Model):
    """日历：节假日与工作时间。Holidays for SOP schedules, and working hours."""

    holidays: list[Holiday] = Field(default_factory=empty_list, description="节假日，如 2027-02-17。Holidays.")
    working_hours: WorkingHours | None = Field(
        None, description="默认工作时间，如 09:00-22:00；角色的 working_hours 覆盖它；省略为不限。工作时间外触发的事件任务"
        "顺延到下一段开始后计时。Working hours of every role without its own, e.g. 09:00-22:00; absent: no "
        "restriction. An event-driven task triggered outside them is due its within: after the next span starts.")
    tolerance: DurationField | None = Field(
        None, description="SOP 考核的宽限时间：定时任务在计划时刻前后多久内完成算按时；事项的 tolerance 覆盖它；省略为 30 分钟。"
        "SOP assessment: how long before or after its time a scheduled task still counts as on time; an item's "
        "tolerance overrides it; absent: 30 minutes.")
