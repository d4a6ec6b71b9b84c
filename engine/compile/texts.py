"""Task texts and messages, rendered in the template sandbox once per distinct context.

A template is rendered once for each combination of the values it reads (its group, staff
member, date, time, member), found from its syntax tree: a text without variables once per
item, a welcome with `group.name` once per group.

What the task list knows is filled in (the staff member's name and role, the playbook's vars,
the group when the text is for one group); what it cannot know is a placeholder for staff to
fill in (PLACEHOLDERS, in the run's language): a member's nickname, points and level (events
carry none of them, so a member's id is never written where a nickname goes; the task's line
names the member instead), and for an event-driven task (触发式任务, no event yet) the day, the
time and, when it covers several groups, the group (【群名】).

A message that looks up the member's level in `levels` (`{% for lv in levels if lv.id ==
member.level %}…`, a promotion's new rights) cannot be one text while the level is unknown: it
is rendered once per level, each labelled (升级为银卡时：/ If promoted to 银卡:), so staff paste
the one for the member's new level as it is. A promotion's variants leave out the lowest level
(nobody is promoted to it) and a demotion's the highest. `Renderer.variants` keeps each such
text's parts, for the Markdown list to show the labels outside the quoted messages.

Values a message itself contains (the weekday of `{{ weekday }}`, the penalties of `rules`)
stay in the playbook's language, the language its members read; qunce's own words (placeholders,
labels) follow the run's language.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..events.roster import Roster
from ..model import Playbook
from ..sandbox import environment, render_bounded, try_render

WEEKDAYS = {"zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
            "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}
PLACEHOLDERS = {"zh": {"nickname": "【昵称】", "level": "【等级】", "level_name": "【等级】", "points": "【积分】",
                       "joined_at": "【入群日期】", "id": "【成员】"},
                "en": {"nickname": "[nickname]", "level": "[level]", "level_name": "[level]", "points": "[points]",
                       "joined_at": "[joined]", "id": "[member]"}}
GROUP_PLACEHOLDERS = {"zh": {"id": "【群】", "name": "【群名】", "type": "【群类型】", "type_name": "【群类型】",
                             "seq": "【群序号】", "members": "【群人数】", "capacity": "【群容量】", "day": "【天数】",
                             "created_at": "【建群日期】"},
                      "en": {"id": "[group]", "name": "[group name]", "type": "[group type]", "type_name": "[group type]",
                             "seq": "[group number]", "members": "[members]", "capacity": "[capacity]", "day": "[day]",
                             "created_at": "[created]"}}
MOMENT_PLACEHOLDERS = {"zh": {"date": "【日期】", "time": "【时间】", "weekday": "【星期】"},
                       "en": {"date": "[date]", "time": "[time]", "weekday": "[weekday]"}}
# facet → the row column it reads
FACET_COLUMNS = {"group": "context_group", "staff": "staff_id", "date": "date", "time": "time", "member": "member_id"}
_VARIANT_LABELS = {"level_up": ("If promoted to {name}:", "升级为{name}时："),
                   "level_down": ("If demoted to {name}:", "降级为{name}时："),
                   None: ("If the member is {name}:", "会员等级为{name}时：")}


def _attributes(tree: Any, name: str) -> tuple[set[str], bool]:
    """The attributes of variable `name` a template reads, and whether it is also used whole."""
    from jinja2 import nodes

    uses = [n for n in tree.find_all(nodes.Name) if n.name == name]
    attrs = [n.attr for n in tree.find_all(nodes.Getattr) if isinstance(n.node, nodes.Name) and n.node.name == name]
    return set(attrs), len(attrs) < len(uses)


@functools.lru_cache(maxsize=1024)
def facets(source: str) -> tuple[str, ...]:
    """The facets (FACET_COLUMNS) a template reads, in a fixed order. A member's values are
    placeholders but their id: a text depends on the member only through `member.id`."""
    from jinja2 import meta

    tree = environment().parse(source)
    names = meta.find_undeclared_variables(tree)
    used = {"date"} if names & {"date", "weekday"} else set()
    used |= {name for name in ("time", "staff", "group") if name in names}
    if "group" in names:
        attrs, whole = _attributes(tree, "group")
        if "day" in attrs or whole:  # group.day, or group used whole: depends on the day
            used.add("date")
    if "member" in names:
        attrs, whole = _attributes(tree, "member")
        if "id" in attrs or whole:
            used.add("member")
    return tuple(name for name in FACET_COLUMNS if name in used)


@functools.lru_cache(maxsize=1024)
def reads_member_level(source: str) -> bool:
    """Whether a template looks the member's level up in `levels` (its text then depends on a level
    the task list cannot know)."""
    from jinja2 import meta

    tree = environment().parse(source)
    if not {"levels", "member"} <= meta.find_undeclared_variables(tree):
        return False
    attrs, whole = _attributes(tree, "member")
    return whole or bool(attrs & {"level", "level_name"})


@dataclass
class Renderer:
    """Renders templates with the values of one row's facets; remembers the problems. `lang` is
    the run's language: the placeholders' and labels' words."""

    playbook: Playbook
    roster: Roster
    lang: str
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (item id, en, zh)
    variants: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # text → (label, text) per level
    _base: dict[str, Any] = field(default_factory=dict)
    _groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    _compiled: dict[str, Any] = field(default_factory=dict)  # source → template, compiled once (~5 ms each)
    _env: Any = None

    def __post_init__(self) -> None:
        from ..template_vars import sample_context

        # the language of the messages' own values (a weekday): their readers'
        self.message_lang = "zh" if self.playbook.locale.lower().startswith("zh") else "en"
        sample = sample_context(self.playbook, "message")
        self._base = {key: sample[key] for key in ("playbook", "vars", "rules", "levels")}
        self._base.update(self.playbook.vars)
        self._staff = {s.id: s.name for s in self.roster.staff}
        self._items = {item.id: item for item in self.playbook.sop}
        seq: dict[str, int] = {}
        for group in sorted(self.roster.groups, key=lambda g: (g.created_at, g.id)):
            seq[group.type] = seq.get(group.type, 0) + 1
            kind = self.playbook.group_types.get(group.type)
            self._groups[group.id] = {
                "id": group.id, "name": group.name, "type": group.type, "type_name": kind.name if kind else group.type,
                "seq": seq[group.type], "members": group.initial_members,
                "capacity": kind.capacity if kind and kind.capacity is not None else "",
                "created_at": group.created_at.isoformat(), "_created": group.created_at,
            }

    def render(self, item_id: str, source: str, values: dict[str, Any], role: str, standing: bool = False) -> str:
        """`source` rendered with a row's values (date, time, context_group, group_type, staff_id,
        member_id). A template that fails gives its error in brackets and a problem. With
        `standing` (an event-driven task, 触发式任务) the day and time are placeholders, and a
        template that fails gives its source (no problem: the placeholders may be what it cannot
        compute with)."""
        context = self._context(values, role, standing)
        if reads_member_level(source) and self.playbook.membership and self.playbook.membership.levels:
            return self._per_level(item_id, source, context, standing)
        return self._render(item_id, source, context, standing)

    def _context(self, values: dict[str, Any], role: str, standing: bool) -> dict[str, Any]:
        context = dict(self._base)
        day: dt.date | None = values.get("date")
        if standing:  # an event-driven task: the day and time of an event to come
            context.update(MOMENT_PLACEHOLDERS[self.lang])
        elif day is not None:
            context.update(date=day.isoformat(), weekday=WEEKDAYS[self.message_lang][day.weekday()])
        context.setdefault("time", values.get("time") or "")
        group = self._groups.get(values.get("context_group") or "")
        if group is not None:
            shown = {k: v for k, v in group.items() if not k.startswith("_")}
            shown["day"] = ((day - group["_created"]).days if day is not None and not standing
                            else GROUP_PLACEHOLDERS[self.lang]["day"])
        else:  # several groups (or none known): their type when they share one
            shown = dict(GROUP_PLACEHOLDERS[self.lang])
            type_id = values.get("group_type")
            kind = self.playbook.group_types.get(type_id or "")
            if type_id and kind is not None:
                shown.update(type=type_id, type_name=kind.name or type_id)
                if kind.capacity is not None:
                    shown["capacity"] = kind.capacity
        context["group"] = shown
        staff_id = values.get("staff_id") or ""
        role_def = self.playbook.roles.get(role)
        context["staff"] = {"id": staff_id, "name": self._staff.get(staff_id, staff_id), "role": role,
                            "role_name": role_def.name if role_def else role}
        member = dict(PLACEHOLDERS[self.lang])
        if values.get("member_id"):
            member["id"] = values["member_id"]  # never its nickname: an id is not a name to greet
        context["member"] = member
        return context

    def _per_level(self, item_id: str, source: str, context: dict[str, Any], standing: bool) -> str:
        every = list(self.playbook.membership.levels) if self.playbook.membership else []
        event = getattr(self._items.get(item_id), "on", None)
        chosen = every[1:] if event == "level_up" else every[:-1] if event == "level_down" else every
        en, zh = _VARIANT_LABELS.get(event, _VARIANT_LABELS[None])
        parts = []
        for level in chosen or every:
            member = dict(context["member"], level=level.id, level_name=level.name)
            text = self._render(item_id, source, dict(context, member=member), standing)
            parts.append(((zh if self.lang == "zh" else en).format(name=level.name), text))
        if len({text for _, text in parts}) <= 1:  # the level changes nothing after all
            return parts[0][1] if parts else self._render(item_id, source, context, standing)
        joined = "\n\n".join(f"{label}\n{text}" for label, text in parts)
        self.variants[joined] = parts
        return joined

    def _render(self, item_id: str, source: str, context: dict[str, Any], standing: bool) -> str:
        try:
            return render_bounded(self._template(source), context)
        except Exception:  # a template is user code: let the sandbox say what went wrong
            text, problem = try_render(source, context)
        if problem is not None:
            if standing:
                return source
            self.problems.append((item_id, problem.en, problem.zh))
            return f"[{problem.en}]"
        return text or ""

    def _template(self, source: str) -> Any:
        if source not in self._compiled:
            self._env = self._env or environment()
            self._compiled[source] = self._env.from_string(source)
        return self._compiled[source]


def render_column(tasks: pa.Table, sources: dict[int, str], renderer: Renderer, item_ids: list[str]) -> pa.Array:
    """One text per task row: `sources[idx]` rendered for the row's facets (null when the item has none).

    Rows of each item are keyed by the facets its template reads (and the role); each distinct
    key is rendered once and the texts are taken back by key."""
    positions: list[pa.Array] = []
    texts: list[pa.Array] = []
    idx_column = tasks.column("idx")
    for idx in pc.unique(idx_column).to_pylist():
        where = pc.indices_nonzero(pc.equal(idx_column, idx))
        source = sources.get(idx)
        positions.append(where)
        if source is None:
            texts.append(pa.nulls(len(where), pa.string()))
            continue
        columns = [FACET_COLUMNS[f] for f in facets(source)] + ["role"]
        rows = tasks.take(where).select(columns)
        keys = _keys(rows)
        distinct = pc.unique(keys)
        firsts = rows.take(pc.index_in(distinct, value_set=keys)).to_pylist()
        rendered = pa.array([renderer.render(item_ids[idx], source, values, values["role"]) for values in firsts],
                            pa.string())
        texts.append(rendered.take(pc.index_in(keys, value_set=distinct)))
    if not positions:
        return pa.array([], pa.string())
    order = pc.sort_indices(pa.concat_arrays(positions))
    return pa.concat_arrays(texts).take(order)


def _keys(rows: pa.Table) -> pa.Array:
    # One text key per row from the columns (nulls kept apart from every value).
    parts = [pc.fill_null(pc.cast(rows.column(name), pa.string()), "\x00").combine_chunks() for name in rows.column_names]
    return pc.binary_join_element_wise(*parts, "\x1f") if len(parts) > 1 else parts[0]
