"""The terminal side of `qunce simulate`: bad-row reports and the short summary (rich tables)."""

from __future__ import annotations

from typing import Any

from engine.events.reasons import reason_words

WORDS = {
    "rows": ("Event rows", "事件行数"),
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
    "stopped": ("{rejected:,} of {read:,} rows have problems; nothing was simulated. Fix them, or run with "
                "--skip-bad-rows to go on without them (they are written to rejected.csv).",
                "{read:,} 行中有 {rejected:,} 行有问题，未进行模拟。请修正，或加 --skip-bad-rows 跳过这些行"
                "（它们会写入 rejected.csv）。"),
    "skipped": ("{rejected:,} bad rows were skipped; see rejected.csv.", "已跳过 {rejected:,} 行问题数据，见 rejected.csv。"),
    "more": ("… and more: {rejected:,} rows in all", "……共 {rejected:,} 行"),
    "totals": ("Totals over the window", "窗口期合计"),
    "should_dissolve": ("should be dissolved", "应解散"),
}


def word(key: str, lang: str) -> str:
    en, zh = WORDS[key]
    return zh if lang == "zh" else en


def print_problems(console: Any, path: str, summary: dict[str, Any], problems: list[dict[str, Any]],
                   lang: str, stopped: bool) -> None:
    """The bad rows: counts per reason, then the first rows as file:row."""
    from rich.table import Table

    rows = summary["rows"]
    table = Table(title=word("rows", lang), show_lines=False)
    for key in ("reason", "column", "count"):
        table.add_column(word(key, lang), justify="right" if key == "count" else "left")
    for item in rows["by_reason"]:
        table.add_row(reason_words(item["reason"], lang), item["column"], f"{item['rows']:,}")
    console.print(table)
    for problem in problems:
        value = f" ({problem['value']!r})" if problem.get("value") is not None else ""
        console.print(f"{path}:{problem['row']}: {problem['column']}: "
                      f"{reason_words(problem['reason'], lang)}{value}", markup=False, highlight=False)
    if rows["rejected"] > len(problems):
        console.print(word("more", lang).format(**rows), markup=False)
    key = "stopped" if stopped else "skipped"
    console.print(word(key, lang).format(**rows), markup=False, style="bold red" if stopped else "yellow")


def print_summary(console: Any, summary: dict[str, Any], written: list[tuple[str, int]], out: str, lang: str) -> None:
    """The short summary after a run."""
    from rich.table import Table

    rows = summary["rows"]
    console.print(f"{summary['playbook']}: {summary['window']['from']} … {summary['window']['to']}, "
                  f"{summary['groups']:,} groups, {summary['staff']:,} staff, {summary['members']:,} members · "
                  f"{word('read', lang)} {rows['read']:,} = {word('accepted', lang)} {rows['accepted']:,} + "
                  f"{word('rejected', lang)} {rows['rejected']:,}", markup=False, highlight=False)
    totals = summary["totals"]
    console.print(word("totals", lang) + ": " + ", ".join(f"{k} {v}" for k, v in totals.items()), markup=False,
                  highlight=False)
    for key in ("levels", "segments", "lifecycle", "churn_warnings", "penalties"):
        if key in summary:
            console.print(_matrix(Table, word(key, lang), summary[key], lang))
    if "admission" in summary:
        table = Table(title=word("admission", lang))
        for column in ("group_type", "mode", "joins", "admitted", "refused", "admission_rate"):
            table.add_column(column)
        for item in summary["admission"]:
            table.add_row(*[_cell(item.get(c)) for c in ("group_type", "mode", "joins", "admitted", "refused",
                                                            "admission_rate")])
        console.print(table)
    table = Table(title=f"{word('outputs', lang)}: {out}")
    table.add_column(word("file", lang))
    table.add_column(word("count", lang), justify="right")
    for name, count in written:
        table.add_row(f"{name}.parquet / .csv", f"{count:,}")
    table.add_row("summary.json", "")
    console.print(table)


def _matrix(table_class: Any, title: str, data: dict[str, dict[str, int]], lang: str) -> Any:
    # rows: the periods (or behaviours); columns: the values seen
    columns = sorted({key for inner in data.values() for key in inner})
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
