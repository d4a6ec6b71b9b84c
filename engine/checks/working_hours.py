"""Working hours (calendar.working_hours, roles.<id>.working_hours) are spans of the day qunce can
read: HH:MM-HH:MM, in order, not overlapping, not across midnight (engine/model/calendar.py)."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Code, Diagnostic, diag, register
from ..model.calendar import WorkingHoursError, spans
from .context import CheckContext, Path
from .registry import check

register(Code(
    "Q720", "working-hours", "error",
    "Working hours are not spans of the day in order.", "工作时间不是按顺序排列的每日时段。",
    "{where}: {detail}", "{where}：{detail}",
    "Write one or more spans of the day, the same every day, in order and without overlap: 09:00-22:00 or "
    "09:00-12:00, 13:30-22:00; a span ends by 24:00, so a night shift is two spans: 00:00-02:00, 22:00-24:00.",
    "写每天的一段或几段时间（每天相同），按先后顺序、不重叠：09:00-22:00 或 09:00-12:00, 13:30-22:00；"
    "时段最晚到 24:00，夜班请写成两段：00:00-02:00, 22:00-24:00。",
    bad="calendar:\n  working_hours: \"22:00-02:00\"\n",
    good="calendar:\n  working_hours: \"00:00-02:00, 22:00-24:00\"\n", group="sop",
))


@check("Q720")
def working_hours_are_spans(ctx: CheckContext) -> Iterator[Diagnostic]:
    pb = ctx.playbook
    written: list[tuple[Path, str | None]] = [(("calendar", "working_hours"), pb.calendar.working_hours)]
    written += [(("roles", role_id, "working_hours"), role.working_hours) for role_id, role in pb.roles.items()]
    for path, text in written:
        if text is None:
            continue
        try:
            spans(text)
        except WorkingHoursError as exc:
            # The model strips the text; the scalar as written may start with spaces.
            raw = ctx.positions.scalar(path)
            lead = 0 if raw is None else len(str(raw.value)) - len(str(raw.value).lstrip())
            where = ".".join(str(step) for step in path)
            yield diag("Q720", ctx.span_inside(path, lead + exc.offset, max(exc.length, 1)), where=where,
                       detail={"en": exc.en, "zh": exc.zh})
