"""What every check sees: the typed playbook, where each value was written, and the
conditions and templates found in it (parsed once, shared by all checks)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..catalog import Metric, Names
from ..diagnostics import Span
from ..expr import Checked, ConditionError, Expr, check, parse
from ..model import Playbook
from ..model.audience import ChurnWarning, LifecycleState, Segment
from ..playbook_names import custom_metrics, playbook_names, text_values
from ..source.inside import point_at
from ..source.nodes import Map, Scalar, Seq
from ..source.positions import PositionIndex

Path = tuple[Any, ...]


@dataclass(slots=True)
class ConditionSite:
    path: Path
    text: str
    scope: str  # member | group | staff | event
    want: str = "bool"  # bool for conditions, number for metric expressions
    expr: Expr | None = None
    error: ConditionError | None = None
    checked: Checked | None = None


@dataclass(slots=True)
class TemplateSite:
    path: Path
    text: str
    kind: str  # naming | message


@dataclass
class CheckContext:
    playbook: Playbook
    positions: PositionIndex
    broken: set[str] = field(default_factory=set)
    _names: dict[str, Names] = field(default_factory=dict, repr=False)

    def span(self, path: Path) -> Span:
        return self.positions.value_span(path)

    def key_span(self, path: Path) -> Span:
        return self.positions.key_span(path)

    def span_inside(self, path: Path, offset: int, length: int = 1) -> Span:
        # A shorthand (`gate: "..."` for `gate: {when: "..."}`) puts the text one level up.
        scalar = self.positions.scalar(path) or self.positions.scalar(path[:-1])
        return point_at(scalar, offset, length) if scalar is not None else self.span(path)

    def usable(self, section: str) -> bool:
        """Whether `section` loaded cleanly, so references into it can be judged."""
        return section not in self.broken

    def written_names(self, path: Path) -> dict[str, str]:
        """Id → `name:` as written at `path`, for the items that have both."""
        place = self.positions.exact(path)
        node = place.node if place else None
        pairs: list[tuple[str, object]] = []
        if isinstance(node, Map):
            pairs = [(key, entry.value) for key, entry in node.entries.items()]
        elif isinstance(node, Seq):
            for item in node.items:
                entry = item.entries.get("id") if isinstance(item, Map) else None
                if entry is not None and isinstance(entry.value, Scalar):
                    pairs.append((str(entry.value.value), item))
        out = {}
        for key, value in pairs:
            name = value.entries.get("name") if isinstance(value, Map) else None
            if name is not None and isinstance(name.value, Scalar):
                out[key] = str(name.value.value)
        return out

    def written_ids(self, path: Path) -> list[str] | None:
        """The ids written at `path` (a mapping's keys, or a list's item ids), read from the
        YAML itself: known even when the section failed to load for another reason."""
        place = self.positions.exact(path)
        if place is None:
            return []
        node = place.node
        if isinstance(node, Map):
            return list(node.entries)
        if isinstance(node, Seq):
            ids = []
            for item in node.items:
                entry = item.entries.get("id") if isinstance(item, Map) else None
                if entry is None or not isinstance(entry.value, Scalar):
                    return None  # an item without a readable id: the list cannot be judged
                ids.append(str(entry.value.value))
            return ids
        return None

    @cached_property
    def custom_metrics(self) -> dict[str, dict[str, Metric]]:
        return custom_metrics(self.playbook)

    @cached_property
    def text_values(self) -> dict[str, dict[str, str]]:
        """The closed value sets of text names, id → label (e.g. level → the level ids)."""
        return text_values(self.playbook, self.usable)

    def names(self, scope: str) -> Names:
        """The names conditions in `scope` may use (built once per scope)."""
        if scope not in self._names:
            self._names[scope] = self._build_names(scope)
        return self._names[scope]

    def _build_names(self, scope: str) -> Names:
        return playbook_names(self.playbook, scope, self.text_values, self.custom_metrics)

    @cached_property
    def conditions(self) -> list[ConditionSite]:
        sites = list(_condition_sites(self.playbook))
        for site in sites:
            try:
                site.expr = parse(site.text)
            except ConditionError as exc:
                site.error = exc
                continue
            site.checked = check(site.expr, self.names(site.scope), site.want, site.text)
        return sites

    def condition(self, path: Path) -> ConditionSite | None:
        for site in self.conditions:
            if site.path == path:
                return site
        return None

    @cached_property
    def templates(self) -> list[TemplateSite]:
        return list(_template_sites(self.playbook))


def _condition_sites(pb: Playbook) -> list[ConditionSite]:
    sites: list[ConditionSite] = []
    if pb.membership is not None:
        for i, level in enumerate(pb.membership.levels):
            for key in ("promote_when", "keep_when"):
                text = getattr(level, key)
                if text is not None:
                    sites.append(ConditionSite(("membership", "levels", i, key), text, "member"))
        if pb.membership.points is not None:
            for i, rule in enumerate(pb.membership.points.earn):
                if rule.where is not None:
                    sites.append(ConditionSite(("membership", "points", "earn", i, "where"), rule.where, "event"))
    first_match: list[tuple[str, Sequence[Segment | LifecycleState | ChurnWarning]]] = [
        ("segments", pb.segments), ("lifecycle", pb.lifecycle), ("churn", pb.churn)]
    for section, items in first_match:
        scope = "group" if section == "lifecycle" else "member"
        for i, item in enumerate(items):
            if item.when is not None:
                sites.append(ConditionSite((section, i, "when"), item.when, scope))
    for i, metric in enumerate(pb.metrics.custom):
        if metric.expr is not None:
            sites.append(ConditionSite(("metrics", "custom", i, "expr"), metric.expr, metric.scope, "number"))
        if metric.where is not None:
            sites.append(ConditionSite(("metrics", "custom", i, "where"), metric.where, "event"))
    plan = pb.commission
    if plan is not None:
        if plan.gate is not None:
            sites.append(ConditionSite(("commission", "gate", "when"), plan.gate.when, "staff"))
        for i, bonus in enumerate(plan.bonuses):
            sites.append(ConditionSite(("commission", "bonuses", i, "when"), bonus.when, "staff"))
        for i, adjustment in enumerate(plan.adjust):
            sites.append(ConditionSite(("commission", "adjust", i, "when"), adjustment.when, "staff"))
    return sites


def _template_sites(pb: Playbook) -> list[TemplateSite]:
    sites: list[TemplateSite] = []
    for key in ("welcome", "announcement"):
        text = getattr(pb.rules, key)
        if text is not None:
            sites.append(TemplateSite(("rules", key), text, "message"))
    for name, text in pb.templates.items():
        sites.append(TemplateSite(("templates", name), text, "message"))
    for type_id, group_type in pb.group_types.items():
        if group_type.naming is not None:
            sites.append(TemplateSite(("group_types", type_id, "naming"), group_type.naming, "naming"))
    for i, item in enumerate(pb.sop):
        for key in ("task", "message"):
            text = getattr(item, key)
            if text is not None:
                sites.append(TemplateSite(("sop", i, key), text, "message"))
    return sites
