"""The short summary `qunce simulate` prints after a run (rich tables), in the run's language.

Ids are shown by the playbook's names (summary.json's `report`), listed in the playbook's order
(levels lowest first); money as ¥1,234.56 and counts as 1,234, right-aligned. A number is never
broken across lines: numeric columns do not wrap, and a table too wide for the terminal is split
into several, each repeating its first columns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from ..bilingual import pick

WORDS = {
    "rows": ("Event rows", "事件行数"),
    "events_read": ("Read", "读取"),
    "count": ("rows", "行数"),
    "read": ("read", "读取"),
    "accepted": ("accepted", "接受"),
    "rejected": ("rejected", "拒绝"),
    "reason": ("reason", "原因"),
    "column": ("column", "列"),
    "row": ("row", "行"),
    "value": ("value", "值"),
    "levels": ("Levels at the end of each period", "各期末会员等级"),
    "segments": ("Segments", "用户分类"),
    "lifecycle": ("Group lifecycle", "群生命周期"),
    "churn_warnings": ("Churn warnings", "流失预警"),
    "penalties": ("Penalties", "处罚"),
    "admission": ("Entry thresholds", "入群门槛"),
    "outputs": ("Written", "输出文件"),
    "period": ("period", "周期"),
    "behaviour": ("banned behaviour", "违规行为"),
    "file": ("file", "文件"),
    "continued": (" (continued)", "（续）"),
    "none": ("(none)", "（无）"),  # summary.json's "-": a member in no segment, a NULL id
    "stopped": ("{rejected:,} of {read:,} rows have problems; nothing was computed. Fix them, or run with "
                "--skip-bad-rows to go on without them.",
                "{read:,} 行中有 {rejected:,} 行有问题，未进行计算。请修正，或加 --skip-bad-rows 跳过这些行。"),
    "stopped_file": ("{rejected:,} of {read:,} rows have problems; nothing was simulated. Fix them, or run with "
                     "--skip-bad-rows to go on without them (they are written to rejected.csv).",
                     "{read:,} 行中有 {rejected:,} 行有问题，未进行模拟。请修正，或加 --skip-bad-rows 跳过这些行"
                     "（它们会写入 rejected.csv）。"),
    "skipped": ("{rejected:,} bad rows were skipped.", "已跳过 {rejected:,} 行问题数据。"),
    "skipped_file": ("{rejected:,} bad rows were skipped; see rejected.csv.", "已跳过 {rejected:,} 行问题数据，见 rejected.csv。"),
    "more": ("… and more: {rejected:,} rows in all", "……共 {rejected:,} 行"),
    "totals": ("Totals over the window", "窗口期合计"),
    "should_dissolve": ("should be dissolved", "应解散"),
    "promote": ("promoted", "晋升"),
    "commission": ("Commission (statements in statements/)", "提成（结算单见 statements/）"),
    "staff_paid": ("staff", "员工人数"),
    "paid": ("total", "合计"),
    # The parts' words of `qunce report` (report/commission.PARTS) and the practitioners' list.
    "kpi": ("KPI lines", "指标提成"), "bonus": ("bonuses", "达标奖励"), "gate": ("gate", "门槛扣减"),
    "cap": ("cap", "个人封顶扣减"), "clawback": ("clawbacks", "退款追回"),
    "unassigned": ("nobody held (not paid)", "无人认领（未发放）"),
    "window_days": ("days with data", "数据天数"),
    "demote": ("demoted", "降级"),
    "admission_group_type": ("group type", "群类型"), "admission_mode": ("entry mode", "入群方式"),
    "admission_joins": ("joins", "入群"), "admission_admitted": ("admitted", "准入"),
    "admission_refused": ("refused", "拒绝"), "admission_admission_rate": ("admission rate", "准入率"),
    # SOP 考核 (assess/, docs/sop-assessment.md)
    "sop": ("SOP assessment (sop_tasks, sop_compliance)", "SOP 考核（明细见 sop_tasks、sop_compliance）"),
    "sop_role": ("role", "角色"), "sop_due": ("due", "应做"), "sop_on_time": ("on time", "按时"),
    "sop_late": ("late", "迟做"), "sop_missed": ("missed", "漏做"), "sop_not_observable": ("not observable", "不可考核"),
    "sop_not_due": ("not due yet", "未到期"), "sop_on_time_rate": ("on-time rate", "准时率"),
    "sop_warnings": ("churn warnings followed up: {acted:,} of {due:,}", "流失预警已跟进：{due:,} 条中 {acted:,} 条"),
    "sop_warnings_later": ("; {not_due:,} not due yet", "；另有 {not_due:,} 条未到期"),
    "sop_warnings_none_due": ("churn warnings: {not_due:,}, none due yet", "流失预警：{not_due:,} 条，均未到期"),
}

# summary.json's penalty kinds, in the order a behaviour escalates; `unknown`: a flag the
# playbook's rules do not list (simulate/penalties.py), so no penalty applies.
PENALTY_WORDS = {"warn": ("warned", "警告"), "mute": ("muted", "禁言"), "remove": ("removed", "移出"),
                 "unknown": ("not in the rules", "群规未列出")}
# model/groups.ENTRY_MODES, in its order.
ENTRY_MODE_WORDS = {"open": ("open", "开放"), "invite": ("by invitation", "邀请式"),
                    "referral": ("by referral", "推荐式"), "activity": ("by activity", "活动式"),
                    "paid": ("paid", "付费式")}
MONEY_TOTALS = ("order_amount", "refund_amount", "sales", "cost")  # the totals in yuan (exact strings)


def word(key: str, lang: str) -> str:
    return pick(WORDS, key, lang)


def print_summary(console: Any, summary: dict[str, Any], written: list[tuple[str, int]], out: str, lang: str,
                  formats: Mapping[str, Sequence[str]] | None = None) -> None:
    """The short summary after a run; `formats`: each table's file formats (default: both)."""
    from ..simulate.outputs import FORMATS

    colon = "：" if lang == "zh" else ": "
    # soft_wrap=False: rich wraps these lines between words, never inside a number.
    for line in _head(summary, lang):
        console.print(line, markup=False, highlight=False, soft_wrap=False)
    rows = summary["rows"]
    if rows.get("source"):
        from .events_inspect import read_line

        source = rows["source"]
        console.print(f"{word('events_read', lang)} {summary.get('inputs', {}).get('events', '')}"
                      f"{colon}{read_line(source, source.get('mapping'), lang)}", markup=False, highlight=False)
    _print(console, _totals(console, summary["totals"], lang))
    names = _names(summary)
    for key in ("levels", "segments", "lifecycle", "churn_warnings"):
        if key in summary:
            head, body = _periods_matrix(summary, key, names, lang)
            _print(console, fitted(console, word(key, lang), head, body, lang))
    if "penalties" in summary:
        head, body = _penalties(summary["penalties"], names["penalties"], lang)
        _print(console, fitted(console, word("penalties", lang), head, body, lang))
    if "admission" in summary:
        head, body = _admission(summary["admission"], names["group_types"], lang)
        _print(console, fitted(console, word("admission", lang), head, body, lang, labels=2))
    if "sop" in summary:
        head, body = _sop(summary["sop"], (summary.get("report") or {}).get("names", {}).get("roles", {}), lang)
        _print(console, fitted(console, word("sop", lang), head, body, lang))
        if "warnings" in summary["sop"]:
            console.print(_warnings_line(summary["sop"]["warnings"], lang), markup=False, highlight=False)
    if "commission" in summary:
        head, body = _commission(summary["commission"], lang)
        _print(console, fitted(console, word("commission", lang), head, body, lang))
    files = []
    for name, count in written:
        kinds = " / ".join(f".{fmt}" for fmt in (formats or {}).get(name, FORMATS))
        files.append([f"{name}{kinds}", f"{count:,}"])
    workbook = summary.get("workbook")
    if workbook:  # --xlsx: the file, then its sheets' rows
        files.append([workbook["file"], ""])
        files += [[f"  {sheet}", f"{count:,}"] for sheet, count in workbook["sheets"].items()]
    files.append(["summary.json", ""])
    _print(console, fitted(console, f"{word('outputs', lang)}{colon}{out}", [word("file", lang), word("count", lang)],
                           files, lang))


def _warnings_line(warnings: dict[str, int], lang: str) -> str:
    """The churn warnings followed up of those due; the ones not due yet apart."""
    not_due = warnings.get("not_due", 0)
    if not_due and not_due == warnings["owned"]:
        return word("sop_warnings_none_due", lang).format(not_due=not_due)
    line = word("sop_warnings", lang).format(acted=warnings["acted"], due=warnings["owned"] - not_due)
    return line + (word("sop_warnings_later", lang).format(not_due=not_due) if not_due else "")


def _sop(sop: dict[str, Any], roles: dict[str, str], lang: str) -> tuple[list[str], list[list[str]]]:
    """One row per role: the tasks due over the window by status, and the on-time rate."""
    keys = ("due", "on_time", "late", "missed", "not_observable", "not_due")
    head = [word("sop_role", lang), *(word(f"sop_{key}", lang) for key in keys), word("sop_on_time_rate", lang)]
    body = [[roles.get(row["role"], row["role"]), *(f"{row[key]:,}" for key in keys),
             "—" if row["on_time_rate"] is None else f"{row['on_time_rate']:.1%}"] for row in sop["by_role"]]
    return head, body


def _print(console: Any, tables: Iterable[Any]) -> None:
    for table in tables:
        console.print(table)


def _head(summary: dict[str, Any], lang: str) -> list[str]:
    """The playbook, its window and sizes; then how many event rows were read."""
    rows, window = summary["rows"], summary["window"]
    if lang == "zh":
        return [f"{summary['playbook']}：{window['from']} 至 {window['to']}，{summary['groups']:,} 个群，"
                f"{summary['staff']:,} 名员工，{summary['members']:,} 名成员",
                f"{word('rows', lang)}：读取 {rows['read']:,} = 接受 {rows['accepted']:,} + 拒绝 {rows['rejected']:,}"]
    return [f"{summary['playbook']}: {window['from']} to {window['to']}, {summary['groups']:,} groups, "
            f"{summary['staff']:,} staff, {summary['members']:,} members",
            f"{word('rows', lang)}: read {rows['read']:,} = accepted {rows['accepted']:,} + rejected {rows['rejected']:,}"]


def money_text(value: Any) -> str:
    """¥1,234.56 from summary.json's exact string (or a number)."""
    from ..commission.formatting import money

    return money(Decimal(str(value)))


def _totals(console: Any, totals: dict[str, Any], lang: str) -> list[Any]:
    """The window's totals: label, value pairs, two pairs a row when the terminal is wide enough."""
    pairs = [(_total_label(key, lang), money_text(value) if key in MONEY_TOTALS else _count(value))
             for key, value in totals.items()]
    for per_row in (2, 1):
        rows = [[cell for pair in pairs[i:i + per_row] for cell in pair] for i in range(0, len(pairs), per_row)]
        rows = [row + [""] * (2 * per_row - len(row)) for row in rows]
        table = _table(word("totals", lang), [""] * 2 * per_row, rows, numeric=set(range(1, 2 * per_row, 2)),
                       header=False)
        if per_row == 1 or _natural_width(console, table) <= console.width:
            return [table]
    return []  # not reached: one pair a row is always returned


def _periods_matrix(summary: dict[str, Any], key: str, names: dict[str, dict[str, str]],
                    lang: str) -> tuple[list[str], list[list[str]]]:
    """Periods down, the playbook's levels (segments, states, warnings) across in its order, then
    any id the data has that the playbook does not name; levels add promotions and demotions,
    the lifecycle the groups that should be dissolved."""
    data: dict[str, dict[str, int]] = summary[key]
    named = names.get(key, {})
    ids = ordered(named, (k for inner in data.values() for k in inner))
    head = [word("period", lang), *(label(named, k, lang) for k in ids)]
    body = [[period, *(_count(inner.get(k, 0)) for k in ids)] for period, inner in data.items()]
    extra: list[tuple[str, dict[str, int]]] = []
    if key == "levels" and "level_changes" in summary:
        changes = summary["level_changes"]
        extra = [(f"↑ {word('promote', lang)}", {p: c.get("promote", 0) for p, c in changes.items()}),
                 (f"↓ {word('demote', lang)}", {p: c.get("demote", 0) for p, c in changes.items()})]
    if key == "lifecycle" and "should_dissolve" in summary:
        extra = [(word("should_dissolve", lang), {p: sum(s.values()) for p, s in summary["should_dissolve"].items()})]
    for title, per_period in extra:
        head.append(title)
        for row in body:
            row.append(_count(per_period.get(row[0], 0)))
    return head, body


def _penalties(data: dict[str, dict[str, int]], behaviours: dict[str, str],
               lang: str) -> tuple[list[str], list[list[str]]]:
    """Banned behaviours down (the playbook's, in its order), penalties across as they escalate."""
    kinds = ordered(dict.fromkeys(PENALTY_WORDS), (k for inner in data.values() for k in inner))
    kinds = [k for k in kinds if any(k in inner for inner in data.values())]
    head = [word("behaviour", lang), *(pick(PENALTY_WORDS, k, lang) if k in PENALTY_WORDS else k for k in kinds)]
    body = [[label(behaviours, b, lang), *(_count(data.get(b, {}).get(k, 0)) for k in kinds)]
            for b in ordered(behaviours, data)]
    return head, body


def _admission(items: list[dict[str, Any]], types: dict[str, str], lang: str) -> tuple[list[str], list[list[str]]]:
    """Per group type (the playbook's order) and entry mode: joins, admitted, refused, the rate."""
    columns = ("group_type", "mode", "joins", "admitted", "refused", "admission_rate")
    rank = {key: i for i, key in enumerate(ordered(types, (item.get("group_type") for item in items)))}
    modes = list(ENTRY_MODE_WORDS)
    items = sorted(items, key=lambda item: (rank.get(str(item.get("group_type")), len(rank)),
                                            modes.index(item["mode"]) if item.get("mode") in modes else len(modes)))
    body = []
    for item in items:
        kind, mode, rate = str(item.get("group_type")), item.get("mode"), item.get("admission_rate")
        body.append([label(types, kind, lang), pick(ENTRY_MODE_WORDS, mode, lang) if mode in ENTRY_MODE_WORDS
                     else str(mode), *(_count(item.get(c) or 0) for c in ("joins", "admitted", "refused")),
                     "—" if rate is None else f"{rate:.1%}"])
    return [word(f"admission_{c}", lang) for c in columns], body


def _commission(commission: dict[str, Any], lang: str) -> tuple[list[str], list[list[str]]]:
    """The payout's parts down, periods across (the periods a run has are few)."""
    periods = commission["periods"]
    keys = ("staff_paid", "kpi", "bonus", "gate", "cap", "clawback", "paid", "unassigned")
    body = [[word(key, lang), *(_count(v["staff"]) if key == "staff_paid" else money_text(v["total" if key == "paid"
                                                                                              else key])
                                for v in periods.values())] for key in keys]
    if any(v.get("partial") for v in periods.values()):  # a window that cuts a period short
        body.append([word("window_days", lang), *(f"{v['window_days']}/{v['period_days']}" for v in periods.values())])
    return ["", *periods], body


def ordered(named: Iterable[str], seen: Iterable[Any]) -> list[str]:
    """The ids the playbook names, in its order, then the others seen, in the order seen ("-", no
    value, last)."""
    keys = list(dict.fromkeys([*named, *(str(k) for k in seen if k is not None)]))
    return sorted(keys, key=lambda k: k == "-")


def label(names: Mapping[str, str], key: str, lang: str) -> str:
    """The playbook's name for `key`; "-" (no value) in words; else the id itself."""
    return word("none", lang) if key == "-" else names.get(key, key)


def _count(value: Any) -> str:
    return f"{int(value):,}"


def _total_label(key: str, lang: str) -> str:
    from ..catalog import GROUP_METRICS

    labels = {"order_amount": ("order amount", "订单金额"), "refund_amount": ("refunds", "退款金额")}
    if key in labels:
        return labels[key][1 if lang == "zh" else 0]
    metric = GROUP_METRICS.get(key)
    return (metric.zh if lang == "zh" else metric.en) if metric else key


def _names(summary: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The playbook's names for its ids (summary.json's `report` entry), by the table they label,
    each in the playbook's order: the tables show 银卡 and 羊毛型, not silver and deal_seeker."""
    report = summary.get("report") or {}
    names = report.get("names") or {}
    levels = {level["id"]: level["name"] for level in report.get("levels") or []} or names.get("levels", {})
    return {"levels": levels, "segments": names.get("segments", {}), "lifecycle": names.get("lifecycle", {}),
            "churn_warnings": names.get("warnings", {}), "group_types": names.get("group_types", {}),
            "penalties": names.get("banned", {})}


def fitted(console: Any, title: str, head: list[str], rows: list[list[str]], lang: str, labels: int = 1) -> list[Any]:
    """The table, split by columns into as many as the console's width needs; the first `labels`
    columns (text, which may wrap) are repeated in each, the others are numbers (never wrapped)."""
    numeric = list(range(labels, len(head)))
    # A table's natural width is its label columns' plus each number column's own: each measured
    # once, alone beside the labels, rather than every growing table again (tests/terminal holds
    # the sum to Rich's own measurement).
    base = _natural_width(console, _columns(title, head, rows, labels, []))
    extra = {column: _natural_width(console, _columns(title, head, rows, labels, [column])) - base for column in numeric}
    chunks: list[list[int]] = []
    current: list[int] = []
    width = base
    for column in numeric:
        if current and width + extra[column] > console.width:
            chunks.append(current)
            current, width = [], base
        current.append(column)
        width += extra[column]
    chunks.append(current)
    return [_columns(title if n == 0 else title + word("continued", lang), head, rows, labels, chunk)
            for n, chunk in enumerate(chunks)]


def _columns(title: str, head: list[str], rows: list[list[str]], labels: int, chosen: list[int]) -> Any:
    keep = [*range(labels), *chosen]
    return _table(title, [head[i] for i in keep], [[row[i] for i in keep] for row in rows],
                  numeric=set(range(labels, len(keep))))


def _table(title: str, head: list[str], rows: list[list[str]], numeric: set[int], header: bool = True) -> Any:
    from rich.table import Table

    table = Table(title=title, show_header=header)
    for i, name in enumerate(head):
        if i in numeric:  # numbers: right-aligned, on one line
            table.add_column(name, justify="right", no_wrap=True, overflow="fold")
        else:  # names wrap rather than lose their end to an ellipsis
            table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def _natural_width(console: Any, table: Any) -> int:
    """The table's width with nothing wrapped (measured as if the console were very wide)."""
    from rich.measure import Measurement

    return Measurement.get(console, console.options.update_width(10_000), table).maximum
