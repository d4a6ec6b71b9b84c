"""The comparison as a document (JSON) and its text and Markdown renderings, zh or en: money as
¥1,234.56, counts as 1,234, levels, segments and lifecycle states by the playbooks' names (in
their order, levels lowest first)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..bilingual import pick
from ..commission.formatting import MINUS, money, percent
from ..markdown_text import cell, inline
from .scenario import Pair

if TYPE_CHECKING:
    from ..model import Playbook

SHOWN = 20  # member level changes listed in text and Markdown (JSON has them all)
ZERO = Decimal(0)

WORDS = {
    "title": ("qunce diff", "qunce diff"),
    "total": ("Total payout", "提成总额"),
    "by_period": ("Payout per period", "各期提成"),
    "by_staff": ("Payout per staff member and period", "每位员工各期提成"),
    "period": ("period", "周期"), "staff": ("staff", "员工"), "before": ("before", "修改前"), "after": ("after", "修改后"),
    "change": ("change", "变化"), "levels": ("Levels at the end of each period", "各期末会员等级"),
    "segments": ("Segments", "用户分类"), "health": ("Group lifecycle", "群生命周期"),
    "level": ("level", "等级"), "segment": ("segment", "分类"), "state": ("state", "状态"),
    "members": ("members", "人数"), "level_changes": ("Members whose level would change", "等级会变化的成员"),
    "member": ("member", "成员"),
    "more": ("… {n:,} more (all of them with --format json)", "……另有 {n:,} 人（--format json 列出全部）"),
    "no_commission": ("Neither playbook has a commission plan.", "两个剧本都没有提成方案。"),
    "same": ("no change", "无变化"),
    "none": ("(none)", "（无）"),  # "-": a member in no segment, no level
}


def _w(key: str, lang: str) -> str:
    return pick(WORDS, key, lang)


def _change(before: Decimal, after: Decimal) -> dict[str, str | None]:
    delta = after - before
    pct = (delta / before) if before else None
    return {"before": str(before), "after": str(after), "change": str(delta),
            "change_pct": str(pct.quantize(Decimal("0.0001"))) if pct is not None else None}


def _distribution(old: dict[str, dict[str, int]], new: dict[str, dict[str, int]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for period in sorted(set(old) | set(new)):
        keys = sorted(set(old.get(period, {})) | set(new.get(period, {})))
        out[period] = {k: {"before": old.get(period, {}).get(k, 0), "after": new.get(period, {}).get(k, 0),
                           "change": new.get(period, {}).get(k, 0) - old.get(period, {}).get(k, 0)} for k in keys}
    return out


NAMED = {"levels": "levels", "segments": "segments", "health": "lifecycle"}  # doc section → playbook_names kind


def names_for(old: Playbook, new: Playbook) -> dict[str, dict[str, str]]:
    """The names of the levels, segments and lifecycle states of both playbooks, by the document's
    sections: the new playbook's order and names, an id only the old one has after the id before
    it there (a removed level keeps its place on the ladder)."""
    from ..report.facts import playbook_names

    before, after = playbook_names(old), playbook_names(new)
    return {section: _merged(before[kind], after[kind]) for section, kind in NAMED.items()}


def _merged(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    order = list(new)
    previous: str | None = None
    for key in old:
        if key not in order:
            order.insert(order.index(previous) + 1 if previous is not None else 0, key)
        previous = key
    return {key: new.get(key) or old[key] for key in order}


def document(pair: Pair, old_path: str, new_path: str,
             names: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, Any]:
    """Everything the comparison found, as plain JSON values (money as exact strings); `names`:
    id → name per section (`names_for`), which the renderings show and order by."""
    old, new = pair.old, pair.new
    periods = sorted(set(old.period_totals) | set(new.period_totals))
    keys = sorted(set(old.payouts) | set(new.payouts))
    total_old = sum(old.period_totals.values(), ZERO)
    total_new = sum(new.period_totals.values(), ZERO)
    changes = pair.level_changes()
    return {
        "old": old_path, "new": new_path, "window": {"from": pair.window[0], "to": pair.window[1]},
        "commission": old.has_commission or new.has_commission,
        "payouts": {
            "total": _change(total_old, total_new),
            "by_period": [{"period": p, **_change(old.period_totals.get(p, ZERO), new.period_totals.get(p, ZERO))}
                          for p in periods],
            "by_staff": [{"period": p, "staff_id": s, "name": pair.staff_names.get(s, s),
                          **_change(old.payouts.get((p, s), ZERO), new.payouts.get((p, s), ZERO))} for p, s in keys],
        },
        "levels": _distribution(old.levels, new.levels),
        "segments": _distribution(old.segments, new.segments),
        "health": _distribution(old.health, new.health),
        "level_changes": {"count": len(changes), "members": changes},
        "names": {section: dict((names or {}).get(section, {})) for section in NAMED},
    }


def total_change(doc: dict[str, Any]) -> Decimal:
    return Decimal(doc["payouts"]["total"]["change"])


def render_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _signed(value: Decimal) -> str:
    """+¥108.00, −¥42.00, ¥0.00."""
    return ("+" if value > 0 else "") + money(value)


def _signed_count(value: int) -> str:
    return f"+{value:,}" if value > 0 else f"{MINUS}{-value:,}" if value < 0 else "0"


def _signed_percent(value: Decimal) -> str:
    return ("+" if value > 0 else MINUS if value < 0 else "") + percent(abs(value))


def _names(doc: dict[str, Any], section: str) -> dict[str, str]:
    return (doc.get("names") or {}).get(section) or {}


def _name(names: Mapping[str, str], key: str | None, lang: str) -> str:
    if key is None:  # a member the other playbook has no level for
        return "—"
    return _w("none", lang) if key == "-" else names.get(key, key)


def _window(doc: dict[str, Any], lang: str) -> str:
    joint = " 至 " if lang == "zh" else " to "
    return f"{doc['window']['from']}{joint}{doc['window']['to']}"


def _rows_payouts(doc: dict[str, Any], lang: str) -> tuple[list[str], list[list[str]]]:
    head = [_w("period", lang), _w("staff", lang), _w("before", lang), _w("after", lang), _w("change", lang)]
    rows = [[r["period"], f"{r['staff_id']} {r['name']}", money(Decimal(r["before"])), money(Decimal(r["after"])),
             _signed(Decimal(r["change"]))] for r in doc["payouts"]["by_staff"]]
    return head, rows


def _rows_distribution(doc: dict[str, Any], section: str, key: str, lang: str) -> tuple[list[str], list[list[str]]]:
    """Per period, the playbooks' levels (segments, states) in their order, then ids neither names."""
    head = [_w("period", lang), _w(key, lang), _w("before", lang), _w("after", lang), _w("change", lang)]
    names = _names(doc, section)
    rows = []
    for period, values in doc[section].items():
        for name in sorted(dict.fromkeys([*(k for k in names if k in values), *values]), key=lambda k: k == "-"):
            v = values[name]
            rows.append([period, _name(names, name, lang), f"{v['before']:,}", f"{v['after']:,}", _signed_count(v["change"])])
    return head, rows


def _headline(doc: dict[str, Any], lang: str) -> str:
    t = doc["payouts"]["total"]
    before, after, delta = Decimal(t["before"]), Decimal(t["after"]), Decimal(t["change"])
    sep, comma, (left, right) = ("：", "，", "（）") if lang == "zh" else (": ", ", ", "()")
    if not delta:
        change = _w("same", lang)
    else:
        change = _signed(delta) + (f"{comma}{_signed_percent(Decimal(t['change_pct']))}"
                                   if t["change_pct"] is not None else "")
    return f"{_w('total', lang)}{sep}{money(before)} → {money(after)}{' ' if lang != 'zh' else ''}{left}{change}{right}"


def _sections(doc: dict[str, Any], lang: str) -> list[tuple[str, list[str], list[list[str]]]]:
    out = []
    if doc["commission"]:
        out.append((_w("by_staff", lang), *_rows_payouts(doc, lang)))
    for name, key in (("levels", "level"), ("segments", "segment"), ("health", "state")):
        if doc[name]:
            out.append((_w(name, lang), *_rows_distribution(doc, name, key, lang)))
    return out


def _changes(doc: dict[str, Any], lang: str) -> tuple[str, list[str]]:
    changes = doc["level_changes"]
    names = _names(doc, "levels")
    sep = "：" if lang == "zh" else ": "
    lines = [f"{c['period']} {c['member_id']}{sep}{_name(names, c['old'], lang)} → {_name(names, c['new'], lang)}"
             for c in changes["members"][:SHOWN]]
    if changes["count"] > SHOWN:
        lines.append(_w("more", lang).format(n=changes["count"] - SHOWN))
    return f"{_w('level_changes', lang)}{sep}{changes['count']:,}", lines


def render_text(doc: dict[str, Any], lang: str) -> str:
    window = f"（{_window(doc, lang)}）" if lang == "zh" else f" ({_window(doc, lang)})"
    out = [f"qunce diff {doc['old']} → {doc['new']}{window}"]
    out.append(_headline(doc, lang) if doc["commission"] else _w("no_commission", lang))
    for title, head, rows in _sections(doc, lang):
        out += ["", title, *_aligned([head, *rows])]
    title, lines = _changes(doc, lang)
    out += ["", title, *("  " + line for line in lines)]
    return "\n".join(out) + "\n"


def _aligned(rows: list[list[str]]) -> list[str]:
    from rich.cells import cell_len  # Chinese characters take two columns

    widths = [max(cell_len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [c + " " * (w - cell_len(c)) if i < 2 else " " * (w - cell_len(c)) + c
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        out.append("  " + "  ".join(cells).rstrip())
    return out


def render_markdown(doc: dict[str, Any], lang: str) -> str:
    out = [f"### qunce diff: `{doc['old']}` → `{doc['new']}`", "", _window(doc, lang), ""]
    out.append(f"**{_headline(doc, lang)}**" if doc["commission"] else _w("no_commission", lang))
    for title, head, rows in _sections(doc, lang):
        out += ["", f"#### {title}", "", "| " + " | ".join(head) + " |",
                "|" + "|".join(["---", "---", "---:", "---:", "---:"]) + "|"]
        # Staff names, level and segment names, member ids: escaped like every name in Markdown.
        out += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    title, lines = _changes(doc, lang)
    out += ["", f"#### {title}", ""]
    if lines:
        out += ["<details>", "", *(f"- {inline(line)}" for line in lines), "", "</details>"]
    return "\n".join(out) + "\n"
