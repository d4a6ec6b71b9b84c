"""WeCom exports in, an events file and a roster out: the stages wired in order. Nothing is
written when a group cannot be typed; every record read is accounted for in the result's tally."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from ...errors import FindingsError, UsageError
from ...model import Playbook
from ..writers import event_format
from . import archive, archive_read, assemble
from .changes import read_changes
from .database import connect
from .details import read_details
from .kinds import ARCHIVE, CHANGES, DETAILS, Source, sources
from .membership import settle
from .naming import typer
from .records import Tally
from .roster_build import Untyped, build_roster, roles_of
from .staff_list import read_staff
from .write import write_files

DEFAULT_ZONE = "Asia/Shanghai"  # WeCom's own, for a run without a playbook
SHOWN_UNTYPED = 10


@dataclass
class Imported:
    """What the import read and wrote."""

    sources: list[Source]
    events: Path
    roster: Path
    tally: Tally
    rows: int = 0  # rows in the events file (messages at the same millisecond are one row)
    bytes: int = 0
    first: dt.date | None = None
    last: dt.date | None = None
    by_type: Counter[str] = field(default_factory=Counter)  # event type → rows
    members: int = 0
    groups: int = 0
    staff: int = 0
    assignments: int = 0
    group_types: Counter[str] = field(default_factory=Counter)  # group type → groups
    by_default: int = 0  # groups typed by --default-type


def import_wecom(paths: Sequence[Path], events: Path, roster: Path, playbook: Playbook | None,
                 default_type: str | None, staff_file: Path | None = None) -> Imported:
    """Read the exports in `paths` (files or folders), write the events file and the roster."""
    import pyarrow as pa

    _check_outputs(paths, events, roster)
    if playbook is None and default_type is None:
        raise UsageError("give --playbook (each group gets the type whose naming pattern its name matches) or "
                         "--default-type TYPE (the type of every group)",
                         "请给出 --playbook（按群名匹配各群类型的 naming 规则）或 --default-type 类型（所有群的类型）")
    default_type = _group_type(playbook, default_type)
    found = sources(paths)
    files = [source.shown for source in found]
    of_kind = {kind: [(i, s) for i, s in enumerate(found) if s.kind == kind] for kind in (ARCHIVE, DETAILS, CHANGES)}
    zone_name = playbook.timezone if playbook is not None else DEFAULT_ZONE
    zone = ZoneInfo(zone_name)
    tally = Tally()
    details = read_details(of_kind[DETAILS], zone, tally)
    changes = read_changes(of_kind[CHANGES], zone, tally)
    staff_names = dict(details.staff)
    if staff_file is not None:
        for userid, name in read_staff(staff_file).items():
            staff_names[userid] = name or staff_names.get(userid)
    staff = set(staff_names)
    movements = settle([*details.movements, *changes.movements], staff, tally)
    con = connect(zone_name)
    try:
        con.register(archive.STAFF, pa.table({"id": pa.array(sorted(staff), pa.string())}))
        read_whole = archive_read.read_archive(con, of_kind[ARCHIVE])
        archive.sort_out(con, zone_name, tally, files)
        assemble.gather(con, movements, staff)
        found_spans = assemble.spans(con)
        built = build_roster(details, changes, found_spans.days, staff_names, typer(playbook, default_type),
                             roles_of(playbook), zone)
        if built.untyped:
            raise _untyped(built.untyped)
        table = assemble.events(con, built.roster.groups, found_spans, tally, files,
                                text_times=event_format(events) != "parquet")
        archive_read.line_numbers(tally, read_whole)
    finally:
        con.close()
    result = Imported(found, events, roster, tally, rows=table.num_rows, groups=len(built.roster.groups),
                      staff=len(built.roster.staff), assignments=len(built.roster.assignments),
                      group_types=built.types, by_default=built.by_default)
    _describe(result, table)
    result.bytes = write_files(table, built.roster, events, roster)
    return result


def _describe(result: Imported, table: object) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    assert isinstance(table, pa.Table)
    if table.num_rows:  # sorted by time; the times are text for CSV and JSONL
        first, last = table.column("ts")[0].as_py(), table.column("ts")[-1].as_py()
        result.first, result.last = _day(first), _day(last)
    result.by_type = Counter({str(row["values"]): int(row["counts"])
                              for row in pc.value_counts(table.column("type")).to_pylist()})
    staff_post = pc.and_(pc.equal(table.column("type"), "message"), pc.is_valid(table.column("staff_id")))
    members = pc.filter(table.column("member_id"), pc.invert(staff_post))
    result.members = pc.count_distinct(members).as_py()


def _day(value: object) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else dt.date.fromisoformat(str(value)[:10])


def _check_outputs(paths: Sequence[Path], events: Path, roster: Path) -> None:
    event_format(events)  # an unknown extension is refused before anything is read
    if events.resolve() == roster.resolve():
        raise UsageError(f"--out and --roster are the same file ({events}); give the roster its own name",
                         f"--out 与 --roster 是同一个文件（{events}）；请为花名册另取文件名")
    for path in paths:
        inside = [out for out in (events, roster)
                  if out.resolve() == path.resolve() or path.resolve() in out.resolve().parents]
        if inside:
            raise UsageError(f"{inside[0]} would be written among the sources ({path}); write it elsewhere",
                             f"{inside[0]} 会写在输入 {path} 之中；请写到别处")


def _group_type(playbook: Playbook | None, value: str | None) -> str | None:
    """--default-type as a group type id of the playbook (its id or its name)."""
    if playbook is None or value is None or value in playbook.group_types:
        return value
    by_name = [type_id for type_id, group_type in playbook.group_types.items() if group_type.name == value]
    if len(by_name) == 1:
        return by_name[0]
    known = ", ".join(f"{type_id} ({group_type.name})" for type_id, group_type in playbook.group_types.items())
    raise UsageError(f"--default-type {value}: the playbook has no such group type; its types are {known}",
                     f"--default-type {value}：剧本中没有这个群类型；可用的群类型：{known}")


def _untyped(untyped: list[Untyped]) -> FindingsError:
    """One line naming the groups with no type, and what to do."""
    def named(group: Untyped, lang: str) -> str:
        if group.name is None:
            return f"{group.group_id} ({'无群详情' if lang == 'zh' else 'no group details'})"
        ties = f": {', '.join(group.typing.ties)}" if group.typing.ties else ""
        return f"{group.name} ({group.group_id}{ties})"

    shown = untyped[:SHOWN_UNTYPED]
    more_en = f" and {len(untyped) - len(shown)} more" if len(untyped) > len(shown) else ""
    more_zh = f" 等，共 {len(untyped)} 个" if len(untyped) > len(shown) else ""
    ties = any(g.typing.how == "tie" for g in untyped)
    en = (f"{len(untyped)} group(s) match no group type's naming pattern"
          + (" or match two equally well" if ties else "") + ": "
          + "; ".join(named(g, "en") for g in shown) + more_en
          + ". Give --default-type TYPE for groups that match none"
          + (", and make the tied naming patterns differ" if ties else "")
          + ", or rename the groups to follow the playbook's naming")
    zh = (f"{len(untyped)} 个群的群名不符合任何群类型的 naming 规则" + ("，或同样符合两种" if ties else "") + "："
          + "；".join(named(g, "zh") for g in shown) + more_zh
          + "。请用 --default-type 类型 指定不符合任何规则的群的类型" + ("，并让并列的 naming 规则有所区别" if ties else "")
          + "，或按剧本的命名规则修改群名")
    return FindingsError(en, zh)
