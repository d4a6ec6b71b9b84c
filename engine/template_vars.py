"""The variables playbook templates can use, with sample values for validation.

Validation renders every template against these samples, so a name that does
not exist is caught in CI rather than in a group chat. The compile stage fills
the same names with real values.
"""

from __future__ import annotations

from typing import Any

from .model import Playbook

# name → (zh, en) description, printed in the handbook and in Q302 hints.
MESSAGE_VARS: dict[str, tuple[str, str]] = {
    "playbook": ("剧本名称", "the playbook's name"),
    "vars": ("剧本中 vars: 定义的变量（也可直接用变量名）", "the playbook's vars (also usable by name)"),
    "group.name / group.type / group.type_name / group.seq / group.members / group.capacity / group.day":
        ("群名称、群类型 id、群类型名称、序号、成员数、容量、建群第几天", "group name, type id, type name, number, members, capacity, day of life"),
    "member.nickname / member.level / member.level_name / member.points":
        ("成员昵称、等级 id、等级名称、积分", "member nickname, level id, level name, points"),
    "staff.name / staff.role / staff.role_name": ("员工姓名、角色 id、角色名称", "staff name, role id, role name"),
    "date / time / weekday": ("日期 YYYY-MM-DD、时刻 HH:MM、星期几", "date, time, weekday"),
    "rules": ("群规列表，每项有 name、penalties（处罚文字）、penalty_steps（如 警告 → 禁言1天 → 移出）",
              "the banned behaviours, each with name, penalties (in words) and penalty_steps"),
    "levels": ("会员等级列表，每项有 id、name、rights", "membership levels, each with id, name, rights"),
}
NAMING_VARS: dict[str, tuple[str, str]] = {
    "playbook": MESSAGE_VARS["playbook"],
    "vars": MESSAGE_VARS["vars"],
    "seq": ("群序号（1、2、3…）", "the group's number (1, 2, 3 …)"),
    "group_type / group_type_name": ("群类型 id 与名称", "group type id and name"),
    "date": ("建群日期 YYYY-MM-DD", "creation date"),
}


def available(kind: str) -> str:
    """The variable names a template of this kind may use, for hints."""
    table = NAMING_VARS if kind == "naming" else MESSAGE_VARS
    return ", ".join(table)


def sample_context(playbook: Playbook, kind: str) -> dict[str, Any]:
    """Sample values for every variable a template of `kind` may use."""
    lang = "en" if playbook.locale == "en" else "zh"
    base: dict[str, Any] = {**playbook.vars, "playbook": playbook.playbook, "vars": dict(playbook.vars)}
    type_id, type_name = next(((k, v.name) for k, v in playbook.group_types.items()), ("traffic", "引流群"))
    if kind == "naming":
        return {**base, "seq": 1, "group_type": type_id, "group_type_name": type_name, "date": "2027-01-04"}
    levels = playbook.membership.levels if playbook.membership else []
    # The sample member holds the second level (promoted once), so that a level-up text names a
    # level one is promoted to, not the lowest.
    sample_level = levels[1] if len(levels) > 1 else levels[0] if levels else None
    level_id, level_name = (sample_level.id, sample_level.name) if sample_level else ("member", "普通会员")
    role_id, role_name = next(((k, v.name) for k, v in playbook.roles.items()), ("owner", "群主"))
    return {
        **base,
        "group": {"name": f"{type_name}1群", "type": type_id, "type_name": type_name, "seq": 1, "members": 128,
                  "capacity": 500, "day": 3, "created_at": "2027-01-01"},
        "member": {"nickname": "小美", "level": level_id, "level_name": level_name, "points": 120,
                   "joined_at": "2027-01-02"},
        "staff": {"name": "王小明", "role": role_id, "role_name": role_name},
        "date": "2027-01-04",
        "time": "20:00",
        "weekday": "周一",
        "rules": [{"id": b.id, "name": b.name, "penalties": [p.words(lang) for p in b.penalties],
                   "penalty_steps": " → ".join(p.words(lang) for p in b.penalties)} for b in playbook.rules.banned],
        "levels": [{"id": lv.id, "name": lv.name, "rights": list(lv.rights), "obligations": list(lv.obligations)}
                   for lv in levels],
    }
