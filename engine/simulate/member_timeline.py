"""`qunce explain --member ID`: one member's timeline — groups joined and left, points earned,
taken back and expired, level changes with the values behind them, segment and churn
warnings per period. It runs the member stages of the simulation on that member's events
only (every member-side number depends on the member's own events alone)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..bilingual import pick
from ..errors import InputError
from .context import SimContext

WORDS = {
    "member": ("Member", "成员"),
    "groups": ("groups", "所在群"),
    "joined": ("joined", "入群"),
    "left": ("left", "退群"),
    "period": ("Period", "周期"),
    "level": ("level", "等级"),
    "points": ("points", "积分"),
    "earned": ("earned", "获得"),
    "refunded": ("taken back (refunds)", "退款扣回"),
    "expired": ("expired", "过期"),
    "balance": ("balance", "余额"),
    "segment": ("segment", "分类"),
    "warning": ("warning", "预警"),
    "action": ("action", "动作"),
    "owner": ("owner", "负责人"),
    "due": ("due", "截止"),
    "values": ("values", "数值"),
    "none": ("none", "无"),
    "new": ("new", "新成员"),
    "promote": ("promoted", "晋升"),
    "demote": ("demoted", "降级"),
    "keep": ("kept", "保持"),
    "because": ("because", "原因"),
}


def _w(key: str, lang: str) -> str:
    return pick(WORDS, key, lang)


def member_timeline(ctx: SimContext, member_id: str, lang: str = "en") -> list[str]:
    """The lines of one member's timeline."""
    from .members import simulate_members

    events = ctx.events.filter(ctx.events.member_id == member_id)
    if int(events.count().execute()) == 0:
        raise InputError(f"member {member_id} has no events in the data", f"数据中没有成员 {member_id} 的事件")
    result = simulate_members(ctx, events, tag="_explain")
    level_names = {lv.id: lv.name for lv in ctx.playbook.membership.levels} if ctx.playbook.membership else {}

    def level_text(level_id: str | None) -> str:
        return f"{level_id} {level_names[level_id]}" if level_id in level_names else (level_id or "-")

    c = "：" if lang == "zh" else ": "
    lines = [f"{_w('member', lang)} {member_id}"]
    lines += _stints(events, lang)
    ledger = sorted(_rows(result.ledger), key=lambda e: e["seq"])
    levels = {row["period"]: row for row in _rows(result.levels)}
    segments = {row["period"]: row for row in _rows(result.segments)}
    warnings: dict[str, list[dict[str, Any]]] = defaultdict(list)
    # In churn_warnings' own order (tables are read back in no set order).
    for row in sorted(_rows(result.churn), key=lambda r: (r["period"], r["warning"], r["group_id"] or "")):
        warnings[row["period"]].append(row)
    for period in ctx.periods:
        lines.append("")
        lines.append(f"{_w('period', lang)} {period.label} ({period.first} … {period.last})")
        features = _rows(result.features[period.label])
        values = features[0] if features else {}
        shown = ", ".join(f"{k}={v}" for k, v in values.items() if k not in ("member_id", "period"))
        if shown:
            lines.append(f"  {_w('values', lang)}{c}{shown}")
        mine = [e for e in ledger if period.first <= e["date"] <= period.last]
        if ledger:
            sums = {kind: sum(e["points"] for e in mine if e["kind"] == kind) for kind in ("earn", "refund", "expire")}
            balance = max((e for e in ledger if e["date"] <= period.last), key=lambda e: e["seq"], default=None)
            lines.append(f"  {_w('points', lang)}{c}{_w('earned', lang)} +{sums['earn']}, "
                         f"{_w('refunded', lang)} {sums['refund']}, {_w('expired', lang)} {sums['expire']}, "
                         f"{_w('balance', lang)} {balance['balance'] if balance else 0}")
            for entry in mine:
                lines.append(f"    {entry['date']} {entry['kind']:<6} {entry['rule'] or '':<12} {entry['points']:+d}"
                             + (f"  order {entry['order_id']}" if entry.get("order_id") else ""))
        level = levels.get(period.label)
        if level is not None:
            change = _w(level["change"], lang) if level["change"] in WORDS else level["change"]
            text = (f"  {_w('level', lang)}{c}{level_text(level['previous_level'])} → {level_text(level['level'])} "
                    f"({change})")
            if level["reason"]:
                text += f"; {_w('because', lang)}{c}{level['reason']}"
            lines.append(text)
        segment = segments.get(period.label)
        if segment is not None:
            lines.append(f"  {_w('segment', lang)}{c}{segment['segment'] or _w('none', lang)}"
                         + (f" {segment['segment_name']}" if segment.get("segment_name") else ""))
        for warning in warnings.get(period.label, []):
            lines.append(f"  {_w('warning', lang)}{c}{warning['warning']} {warning['warning_name']} "
                         f"[{warning['group_id']}] ({warning['values']}) → {_w('action', lang)}{c}{warning['action']}, "
                         f"{_w('owner', lang)}{c}{warning['owner'] or '-'}"
                         + (f", {_w('due', lang)}{c}{warning['due']}" if warning.get("due") else ""))
    return lines


def _stints(events: Any, lang: str) -> list[str]:
    joins = events.filter(events.type.isin(["join", "leave"])).order_by(["ts", "row"])
    out = []
    for row in joins.select("ts", "type", "group_id").to_pyarrow().to_pylist():
        out.append(f"  {row['ts']:%Y-%m-%d %H:%M} {_w('joined' if row['type'] == 'join' else 'left', lang)} "
                   f"{row['group_id']}")
    return out


def _rows(table: Any | None) -> list[dict[str, Any]]:
    if table is None:
        return []
    return [dict(row) for row in table.to_pyarrow().to_pylist()]
