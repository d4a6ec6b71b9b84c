"""The roster of the imported groups: each group (its details, else its first event) with the type
its name gives; the staff (type-1 members, owners, admins, and --staff); the owner and each admin
as assignments over the group's days. WeCom keeps no history of owners and admins: the roster
has those of the last details answer read, from the day the group was created (an admin: from
the day they joined it, when the details say)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ...model import Playbook
from ..roster import Assignment, Group, Roster, Staff
from .changes import Changes
from .details import Details
from .naming import Typer, Typing
from .times import local


@dataclass(frozen=True, slots=True)
class Untyped:
    """A group no type could be given to."""

    group_id: str
    name: str | None  # None: no group details, so no name to match
    typing: Typing


@dataclass
class Built:
    roster: Roster
    types: Counter[str] = field(default_factory=Counter)  # type → groups
    by_default: int = 0
    untyped: list[Untyped] = field(default_factory=list)


def roles_of(playbook: Playbook | None) -> tuple[str, str]:
    """The role ids of WeCom's group owner (群主) and admins (管理员) in the playbook: the role with
    that id or that name, else the ids owner and admin."""
    found = []
    for wanted, name in (("owner", "群主"), ("admin", "管理员")):
        roles = playbook.roles if playbook is not None else {}
        found.append(wanted if wanted in roles or not roles else
                     next((role_id for role_id, role in roles.items() if role.name == name), wanted))
    return found[0], found[1]


def build_roster(details: Details, changes: Changes, spans: Mapping[str, tuple[dt.date, dt.date]],
                 staff_names: Mapping[str, str | None], typer: Typer, roles: tuple[str, str], zone: ZoneInfo) -> Built:
    built = Built(Roster())
    groups = built.roster.groups
    for group_id in sorted(set(details.groups) | set(spans)):
        detail = details.groups.get(group_id)
        if detail is not None:
            created = detail.created.date()
        elif group_id in changes.created:
            created = local(changes.created[group_id], zone).date()
        else:
            created = spans[group_id][0]
        dismissed = changes.dismissed.get(group_id)
        ended = max(local(dismissed, zone).date(), created) if dismissed is not None else None
        name = detail.name if detail is not None else None
        typing = typer.type_of(name)
        if typing.type_id is None:
            built.untyped.append(Untyped(group_id, name, typing))
            continue
        built.types[typing.type_id] += 1
        built.by_default += typing.how == "default"
        groups.append(Group(id=group_id, name=name or group_id, type=typing.type_id, created_at=created,
                            ended_at=ended))
    built.roster.staff = [Staff(id=userid, name=name or userid) for userid, name in sorted(staff_names.items())]
    owner_role, admin_role = roles
    for group in groups:
        detail = details.groups.get(group.id)
        if detail is None:
            continue
        if detail.owner:
            built.roster.assignments.append(_assignment(detail.owner, owner_role, group, group.created_at))
        for admin in sorted(set(detail.admins) - {detail.owner}):
            joined = details.staff_joined.get((group.id, admin))
            first = max(group.created_at, joined.date()) if joined is not None else group.created_at
            built.roster.assignments.append(_assignment(admin, admin_role, group, first))
    return built


def _assignment(staff_id: str, role: str, group: Group, first: dt.date) -> Assignment:
    if group.ended_at is not None:
        first = min(first, group.ended_at)
    return Assignment.model_validate({"staff_id": staff_id, "role": role, "group_id": group.id, "from": first,
                                      "to": group.ended_at})
