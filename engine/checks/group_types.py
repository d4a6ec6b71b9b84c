"""Group types are complete: flash groups have a lifespan, content mixes sum to 1, entry
thresholds say what they need (who invites, which activity, what fee), and penalties
escalate."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..diagnostics import Code, Diagnostic, diag, register
from ..model.groups import GROUP_KINDS
from ..model.rules import Penalty
from .context import CheckContext
from .registry import check

register(Code(
    "Q701", "flash-lifespan", "error",
    "A flash group type has no lifespan.", "快闪群类型没有设置存续时长。",
    "flash group type '{type}' needs a lifespan, e.g. lifespan: 3d",
    "快闪群类型 '{type}' 需要设置存续时长，如 lifespan: 3d",
    "Flash groups are dissolved after a few days; the lifespan drives their countdown SOP and lifecycle.",
    "快闪群几天后解散；存续时长决定倒计时 SOP 和生命周期。",
    bad="group_types:\n  flash: {name: 快闪群}\n", good="group_types:\n  flash: {name: 快闪群, lifespan: 3d}\n",
    group="groups",
))
register(Code(
    "Q702", "content-mix-sum", "error",
    "A group type's content mix does not sum to 1.", "群类型的内容配比之和不等于 1。",
    "content mix of '{type}' sums to {total}, not 1", "'{type}' 的内容配比之和为 {total}，而不是 1",
    "Shares of activation, conversion and brand content must add up to 1.",
    "促活、转化、品宣的占比合计须为 1。",
    bad="content_mix: {activation: 0.6, conversion: 0.3}\n", good="content_mix: {activation: 0.6, conversion: 0.3, brand: 0.1}\n",
    group="groups",
))
register(Code(
    "Q703", "entry-incomplete", "error",
    "An entry threshold lacks what its mode needs.", "入群门槛缺少该方式所需的信息。",
    "entry mode '{mode}' of '{type}' needs {needs}", "'{type}' 的入群方式 '{mode}' 需要 {needs}",
    "invite: roles or min_level; activity: activity; paid: fee.",
    "邀请式：roles 或 min_level；活动式：activity；付费式：fee。",
    bad="entry: {mode: paid}\n", good="entry: {mode: paid, fee: 9.9}\n", group="groups",
))
register(Code(
    "Q704", "penalty-order", "error",
    "Penalties do not escalate.", "处罚没有逐级加重。",
    "penalties of '{rule}' do not escalate: {detail}", "'{rule}' 的处罚没有逐级加重：{detail}",
    "Order them from light to heavy: warn, then mutes of growing length, then remove.",
    "按从轻到重排列：警告，再逐步加长禁言，最后移出。",
    bad="penalties: [remove, warn]\n", good="penalties: [warn, mute_1d, remove]\n", group="groups",
))

_NEEDS = {
    "invite": ("invite_ready", {"en": "roles: (who may invite) or min_level:", "zh": "roles（可邀请的角色）或 min_level"}),
    "activity": ("activity", {"en": "activity: (the activity to join)", "zh": "activity（需参加的活动）"}),
    "paid": ("fee", {"en": "fee: above 0", "zh": "大于 0 的 fee（费用）"}),
}


def kind_of(type_id: str, kind: str | None) -> str | None:
    """A group type's base kind: declared, or its id when the id is a known kind."""
    return kind or (type_id if type_id in GROUP_KINDS else None)


@check("Q701", "Q702", "Q703", "Q704")
def group_types_are_complete(ctx: CheckContext) -> Iterator[Diagnostic]:
    for type_id, group_type in ctx.playbook.group_types.items():
        base = ("group_types", type_id)
        if kind_of(type_id, group_type.kind) == "flash" and group_type.lifespan is None:
            yield diag("Q701", ctx.key_span(base), type=type_id)
        if group_type.content_mix:
            total = sum(group_type.content_mix.values(), Decimal(0))
            if total != 1:
                yield diag("Q702", ctx.key_span((*base, "content_mix")), type=type_id, total=format(total, "f"))
        entry = group_type.entry
        if entry.mode in _NEEDS:
            _, needs = _NEEDS[entry.mode]
            missing = (
                (entry.mode == "invite" and not entry.roles and not entry.min_level)
                or (entry.mode == "activity" and not entry.activity)
                or (entry.mode == "paid" and not entry.fee)
            )
            if missing:
                yield diag("Q703", ctx.span((*base, "entry")), mode=entry.mode, type=type_id, needs=needs)
    for i, rule in enumerate(ctx.playbook.rules.banned):
        detail = _escalation(rule.penalties)
        if detail is not None:
            yield diag("Q704", ctx.span(("rules", "banned", i, "penalties")), rule=rule.id, detail=detail)


def _escalation(penalties: list[Penalty]) -> dict[str, str] | None:
    rank = {"warn": 0, "mute": 1, "remove": 2}
    previous_rank, previous_minutes = -1, 0
    for i, penalty in enumerate(penalties):
        if penalty.kind == "remove" and i != len(penalties) - 1:
            return {"en": "remove must come last", "zh": "移出必须是最后一步"}
        if rank[penalty.kind] < previous_rank:
            return {"en": f"'{penalty}' comes after a heavier penalty", "zh": f"'{penalty}' 排在更重的处罚之后"}
        minutes = penalty.duration.minutes if penalty.duration else 0
        if penalty.kind == "mute" and minutes < previous_minutes:
            return {"en": f"'{penalty}' is shorter than the mute before it", "zh": f"'{penalty}' 比前一次禁言更短"}
        previous_rank, previous_minutes = rank[penalty.kind], max(previous_minutes, minutes)
    return None
