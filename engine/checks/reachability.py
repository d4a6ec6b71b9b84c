"""First-match lists (segments, lifecycle states) have no dead entries: nothing after a
catch-all, and nothing whose condition an earlier entry already covers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..diagnostics import Code, Diagnostic, diag, register
from ..expr.bounds import Bounds, bounds, contained
from ..expr.tree import Const
from ..model.audience import LifecycleState, Segment
from .context import CheckContext
from .registry import check

register(Code(
    "Q505", "unreachable-entry", "error",
    "An entry of a first-match list can never match.", "首个满足生效的列表中，某一项永远不会被匹配。",
    "'{id}' can never match: {reason}", "'{id}' 永远不会被匹配：{reason}",
    "Entries are tried in order and the first match wins; move the broader entry (or the catch-all) below it.",
    "按顺序匹配，首个满足的生效；请把范围更大的项（或兜底项）移到它后面。",
    bad="segments:\n  - {id: other, name: 其他}\n  - {id: loyal, name: 忠实型, when: \"orders_30d >= 1\"}\n",
    good="segments:\n  - {id: loyal, name: 忠实型, when: \"orders_30d >= 1\"}\n  - {id: other, name: 其他}\n",
    group="audience",
))
register(Code(
    "Q506", "no-catch-all", "warning",
    "No lifecycle state catches the groups that match no other state.", "生命周期没有兜底状态，部分群可能没有任何状态。",
    "a group that matches none of {ids} has no lifecycle state",
    "不满足 {ids} 中任一条件的群将没有生命周期状态",
    "End the list with a state without when:, such as {{id: dead, name: 死群}}.",
    "在列表末尾加一个不写 when 的状态，如 {{id: dead, name: 死群}}。",
    bad="lifecycle:\n  - {id: alive, name: 社群, when: \"interaction_rate_7d >= 0.1\"}\n",
    good="lifecycle:\n  - {id: alive, name: 社群, when: \"interaction_rate_7d >= 0.1\"}\n  - {id: dead, name: 死群}\n",
    group="audience",
))


@check("Q505", "Q506")
def first_match_lists_are_live(ctx: CheckContext) -> Iterator[Diagnostic]:
    pb = ctx.playbook
    lists: list[tuple[str, Sequence[Segment | LifecycleState], str]] = [
        ("segments", pb.segments, "member"), ("lifecycle", pb.lifecycle, "group")]
    for section, items, scope in lists:
        names = ctx.names(scope)
        seen: list[tuple[str, Bounds | None, bool]] = []  # id, bounds, catch-all
        for i, item in enumerate(items):
            site = ctx.condition((section, i, "when"))
            catch_all = item.when is None or (
                site is not None and isinstance(site.expr, Const) and site.expr.value is True)
            mine = None
            if site is not None and site.expr is not None and site.checked is not None and not site.checked.issues:
                mine = bounds(site.expr, names)
            for earlier_id, earlier, earlier_all in seen:
                if earlier_all:
                    reason = {"en": f"'{earlier_id}' above it matches everyone", "zh": f"前面的 '{earlier_id}' 已匹配所有人"}
                elif earlier is not None and mine is not None and contained(mine, earlier):
                    reason = {"en": f"'{earlier_id}' above it matches every case it covers",
                              "zh": f"前面的 '{earlier_id}' 已覆盖它的所有情况"}
                else:
                    continue
                yield diag("Q505", ctx.span((section, i, "id")), id=item.id, reason=reason)
                break
            seen.append((item.id, mine, catch_all))
        if section == "lifecycle" and seen and not any(entry[2] for entry in seen):
            yield diag("Q506", ctx.key_span(("lifecycle",)), ids=", ".join(entry[0] for entry in seen))
