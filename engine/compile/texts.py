"""Task texts and messages, rendered in the template sandbox once per distinct context.

A template is rendered once for each combination of the values it reads (its group, staff
member, date, time, member), found from its syntax tree: a text without variables once per
item, a welcome with `group.name` once per group. Values the task list cannot know (a member's
points or level) render as placeholders for staff to fill in.
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
                       "joined_at": "【入群日期】"},
                "en": {"nickname": "[nickname]", "level": "[level]", "level_name": "[level]", "points": "[points]",
                       "joined_at": "[joined]"}}
# facet → the row column it reads
FACET_COLUMNS = {"group": "context_group", "staff": "staff_id", "date": "date", "time": "time", "member": "member_id"}


@functools.lru_cache(maxsize=1024)
def facets(source: str) -> tuple[str, ...]:
    """The facets (FACET_COLUMNS) a template reads, in a fixed order."""
    from jinja2 import meta, nodes

    from ..sandbox import environment

    tree = environment().parse(source)
    names = meta.find_undeclared_variables(tree)
    used = {"date"} if names & {"date", "weekday"} else set()
    used |= {name for name in ("time", "staff", "member", "group") if name in names}
    if "group" in names:
        uses = [n for n in tree.find_all(nodes.Name) if n.name == "group"]
        attrs = [n.attr for n in tree.find_all(nodes.Getattr) if isinstance(n.node, nodes.Name) and n.node.name == "group"]
        if "day" in attrs or len(attrs) < len(uses):  # group.day, or group used whole: depends on the day
            used.add("date")
    return tuple(name for name in FACET_COLUMNS if name in used)


@dataclass
class Renderer:
    """Renders templates with the values of one row's facets; remembers the problems."""

    playbook: Playbook
    roster: Roster
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (item id, en, zh)
    _base: dict[str, Any] = field(default_factory=dict)
    _groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    _compiled: dict[str, Any] = field(default_factory=dict)  # source → template, compiled once (~5 ms each)
    _env: Any = None

    def __post_init__(self) -> None:
        from ..template_vars import sample_context

        self.lang = "en" if self.playbook.locale == "en" else "zh"
        sample = sample_context(self.playbook, "message")
        self._base = {key: sample[key] for key in ("playbook", "vars", "rules", "levels")}
        self._base.update(self.playbook.vars)
        self._staff = {s.id: s.name for s in self.roster.staff}
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

    def render(self, item_id: str, source: str, values: dict[str, Any], role: str) -> str:
        context = dict(self._base)
        day: dt.date | None = values.get("date")
        if day is not None:
            context.update(date=day.isoformat(), weekday=WEEKDAYS[self.lang][day.weekday()])
        context["time"] = values.get("time") or ""
        group = self._groups.get(values.get("context_group") or "")
        if group is not None:
            shown = {k: v for k, v in group.items() if not k.startswith("_")}
            shown["day"] = (day - group["_created"]).days if day is not None else 0
            context["group"] = shown
        staff_id = values.get("staff_id") or ""
        role_def = self.playbook.roles.get(role)
        context["staff"] = {"id": staff_id, "name": self._staff.get(staff_id, staff_id), "role": role,
                            "role_name": role_def.name if role_def else role}
        member = dict(PLACEHOLDERS[self.lang])
        if values.get("member_id"):
            member.update(id=values["member_id"], nickname=values["member_id"])
        context["member"] = member
        try:
            return render_bounded(self._template(source), context)
        except Exception:  # a template is user code: let the sandbox say what went wrong
            text, problem = try_render(source, context)
        if problem is not None:
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
