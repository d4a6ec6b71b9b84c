"""The short summary `qunce simulate` prints after a run (rich tables), in the run's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    "file": ("file", "文件"),
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
    "staff_paid": ("staff", "员工"),
    "paid": ("total", "合计"),
    "kpi": ("KPIs", "考核指标"), "bonus": ("bonuses", "奖励"), "gate": ("gate", "门槛扣减"), "cap": ("cap", "封顶扣减"),
    "clawback": ("clawbacks", "退款追回"), "unassigned": ("nobody held", "无人在岗"),
    "window_days": ("days with data", "数据天数"),
    "demote": ("demoted", "降级"),
    "admission_group_type": ("group type", "群类型"), "admission_mode": ("entry mode", "入群方式"),
    "admission_joins": ("joins", "入群"), "admission_admitted": ("admitted", "准入"),
    "admission_refused": ("refused", "拒绝"), "admission_admission_rate": ("admission rate", "准入率"),
}


def word(key: str, lang: str) -> str:
    return pick(WORDS, key, lang)


def print_summary(console: Any, summary: dict[str, Any], written: list[tuple[str, int]], out: str, lang: str,
                  formats: Mapping[str, Sequence[str]] | None = None) -> None:
    """The short summary after a run; `formats`: each table's file formats (default: both)."""
    from rich.table import Table

    from ..simulate.outputs import FORMATS

    rows = summary["rows"]
    window = f"{summary['window']['from']} … {summary['window']['to']}"
    if lang == "zh":
        sizes = f"{summary['groups']:,} 个群，{summary['staff']:,} 名员工，{summary['members']:,} 名成员"
    else:
        sizes = f"{summary['groups']:,} groups, {summary['staff']:,} staff, {summary['members']:,} members"
    console.print(f"{summary['playbook']}{':' if lang != 'zh' else '：'} {window}, {sizes} · {word('read', lang)} {rows['read']:,} = "
                  f"{word('accepted', lang)} {rows['accepted']:,} + {word('rejected', lang)} {rows['rejected']:,}",
                  markup=False, highlight=False)
    if rows.get("source"):
        from .events_inspect import read_line

        source = rows["source"]
        console.print(f"{word('events_read', lang)} {summary.get('inputs', {}).get('events', '')}"
                      f"{'：' if lang == 'zh' else ': '}{read_line(source, source.get('mapping'), lang)}",
                      markup=False, highlight=False)
    totals = summary["totals"]
    colon, comma = ("：", "，") if lang == "zh" else (": ", ", ")
    console.print(word("totals", lang) + colon + comma.join(f"{_total_label(k, lang)} {v}" for k, v in totals.items()),
                  markup=False, highlight=False)
    names = _names(summary)
    for key in ("levels", "segments", "lifecycle", "churn_warnings", "penalties"):
        if key not in summary:
            continue
        named = names.get(key, {})
        data = {outer: {named.get(k, k): v for k, v in inner.items()} for outer, inner in summary[key].items()}
        if key == "levels":
            for period, changes in summary.get("level_changes", {}).items():
                data.setdefault(period, {}).update({f"↑ {word('promote', lang)}": changes.get("promote", 0),
                                                    f"↓ {word('demote', lang)}": changes.get("demote", 0)})
        if key == "lifecycle":
            for period, states in summary.get("should_dissolve", {}).items():
                data.setdefault(period, {})[word("should_dissolve", lang)] = sum(states.values())
        console.print(_matrix(Table, word(key, lang), data, lang))
    if "admission" in summary:
        table = Table(title=word("admission", lang))
        for column in ("group_type", "mode", "joins", "admitted", "refused", "admission_rate"):
            table.add_column(word(f"admission_{column}", lang),
                             justify="right" if column in ("joins", "admitted", "refused", "admission_rate") else "left")
        types = names.get("group_types", {})
        for item in summary["admission"]:
            cells = [types.get(item.get("group_type"), item.get("group_type")), *(item.get(c) for c in (
                "mode", "joins", "admitted", "refused", "admission_rate"))]
            table.add_row(*[_cell(c) for c in cells])
        console.print(table)
    if "commission" in summary:
        console.print(_commission_table(Table, summary["commission"], lang))
    table = Table(title=f"{word('outputs', lang)}: {out}")
    table.add_column(word("file", lang))
    table.add_column(word("count", lang), justify="right")
    for name, count in written:
        files = " / ".join(f".{fmt}" for fmt in (formats or {}).get(name, FORMATS))
        table.add_row(f"{name}{files}", f"{count:,}")
    workbook = summary.get("workbook")
    if workbook:  # --xlsx: the file, then its sheets' rows
        table.add_row(workbook["file"], "")
        for sheet, count in workbook["sheets"].items():
            table.add_row(f"  {sheet}", f"{count:,}")
    table.add_row("summary.json", "")
    console.print(table)


def _commission_table(table_class: Any, commission: dict[str, Any], lang: str) -> Any:
    from decimal import Decimal

    from ..commission.formatting import money

    keys = ("staff_paid", "kpi", "bonus", "gate", "cap", "clawback", "paid", "unassigned")
    periods = commission["periods"]
    table = table_class(title=word("commission", lang))
    table.add_column("")
    for period in periods:
        table.add_column(period, justify="right")
    for key in keys:
        cells = [str(v["staff"]) if key == "staff_paid" else money(Decimal(v["total" if key == "paid" else key]))
                 for v in periods.values()]
        table.add_row(word(key, lang), *cells)
    if any(v.get("partial") for v in periods.values()):  # a window that cuts a period short
        table.add_row(word("window_days", lang), *[f"{v['window_days']}/{v['period_days']}" for v in periods.values()])
    return table


def _total_label(key: str, lang: str) -> str:
    from ..catalog import GROUP_METRICS

    labels = {"order_amount": ("order amount", "订单金额"), "refund_amount": ("refunds", "退款金额")}
    if key in labels:
        return labels[key][1 if lang == "zh" else 0]
    metric = GROUP_METRICS.get(key)
    return (metric.zh if lang == "zh" else metric.en) if metric else key


def _names(summary: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The playbook's names for its ids (summary.json's `report` entry), by the table they label:
    the tables show 银卡 and 羊毛型, not silver and deal_seeker."""
    report = summary.get("report") or {}
    names = report.get("names") or {}
    return {"levels": {level["id"]: level["name"] for level in report.get("levels") or []},
            "segments": names.get("segments", {}), "lifecycle": names.get("lifecycle", {}),
            "churn_warnings": names.get("warnings", {}), "group_types": names.get("group_types", {})}


def _matrix(table_class: Any, title: str, data: dict[str, dict[str, int]], lang: str) -> Any:
    # rows: the periods (or behaviours); columns: the values seen
    columns = list(dict.fromkeys(key for inner in data.values() for key in inner))
    table = table_class(title=title)
    table.add_column("")
    for column in columns:
        table.add_column(column, justify="right")
    for outer, inner in data.items():
        table.add_row(outer, *[f"{inner.get(c, 0):,}" for c in columns])
    return table


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1%}"
    return f"{value:,}" if isinstance(value, int) else str(value)
