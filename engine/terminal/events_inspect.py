"""What `qunce events inspect` prints: how the file was read, its columns, its first rows as they
would be ingested, and its problems, in the run's language."""

from __future__ import annotations

from typing import Any

from ..bilingual import pick
from ..events.reasons import reason_words

WORDS = {
    "sheet": ("sheet", "工作表"),
    "header_row": ("header row", "表头行"),
    "blank_rows": ("blank rows left out", "跳过的空行"),
    "mapping": ("mapping", "映射文件"),
    "no_mapping": ("no mapping file", "无映射文件"),
    "columns": ("Columns", "列"),
    "header": ("column in the file", "文件中的列"),
    "read_as": ("read as", "读作"),
    "how": ("why", "依据"),
    "mapping_how": ("the mapping file", "映射文件"),
    "name_how": ("qunce's name", "qunce 列名"),
    "alias_how": ("a common header", "常用表头"),
    "ignored_how": ("ignored (the mapping's ignore:)", "忽略（映射文件 ignore:）"),
    "unknown_how": ("unknown: name it in a mapping file", "未知：请在映射文件中说明"),
    "missing": ("Missing column(s) {columns}: the file cannot be read as events until a column is read as each",
                "缺少列 {columns}：需要有列读作它们，才能作为事件读取"),
    "first_rows": ("The first {n} rows as they would be read", "前 {n} 行的读取结果"),
    "first_row": ("The first row as it would be read", "第 1 行的读取结果"),
    "row": ("row", "行"),
    "problems": ("problems", "问题"),
    "rows": ("{read:,} rows read: {good:,} without problems, {rejected:,} with problems",
             "共读取 {read:,} 行：{good:,} 行无问题，{rejected:,} 行有问题"),
    "reason": ("reason", "原因"),
    "column": ("column", "列"),
    "count": ("rows", "行数"),
    "no_roster": ("Groups and dates were not checked: pass --roster to check them too.",
                  "未检查群与日期：加 --roster 可一并检查。"),
    "how_detected": ("detected", "自动识别"), "how_given": ("--encoding", "--encoding 指定"),
}
SHOWN = ("ts", "type", "group_id", "member_id", "staff_id", "amount", "order_id", "channel", "referrer_id",
         "activity", "removed", "flag", "score", "count", "length")


def word(key: str, lang: str) -> str:
    return pick(WORDS, key, lang)


def print_inspection(console: Any, outcome: Any, lang: str) -> None:
    """Everything `qunce events inspect` found."""
    from rich.table import Table

    colon = "：" if lang == "zh" else ": "
    console.print(f"{outcome.shown}{colon}{read_line(outcome.read, outcome.mapping, lang)}", markup=False, highlight=False)
    columns = Table(title=word("columns", lang))
    for key in ("header", "read_as", "how"):
        columns.add_column(word(key, lang))
    for column in outcome.columns:
        columns.add_row(column.header, column.column or "—", word(f"{column.how}_how", lang),
                        style="red" if column.how == "unknown" else None)
    console.print(columns)
    if outcome.missing:
        console.print(word("missing", lang).format(columns=", ".join(outcome.missing)), markup=False, style="bold red")
        return
    if outcome.preview:
        _print_preview(console, outcome.preview, lang)
    console.print(word("rows", lang).format(read=outcome.rows_read, good=outcome.rows_read - outcome.rejected,
                                            rejected=outcome.rejected), markup=False)
    if outcome.by_reason:
        reasons = Table()
        for key in ("reason", "column", "count"):
            reasons.add_column(word(key, lang), justify="right" if key == "count" else "left")
        for reason, column, rows in outcome.by_reason:
            reasons.add_row(reason_words(reason, lang), column, f"{rows:,}")
        console.print(reasons)
        for problem in outcome.problems:
            value = f" ({problem['value']!r})" if problem.get("value") is not None else ""
            console.print(f"{outcome.shown}:{problem['row']}: {problem['column']}: "
                          f"{reason_words(problem['reason'], lang)}{value}", markup=False, highlight=False)
    if not outcome.roster_checked:
        console.print(word("no_roster", lang), markup=False, style="dim")


def read_line(read: dict[str, Any], mapping: str | None, lang: str) -> str:
    """How a file was read, in one line: format, encoding (said how it was known unless the file
    told: a BOM, or UTF-8 throughout) or sheet, header row, mapping."""
    sep = "，" if lang == "zh" else ", "
    fmt = str(read.get("format", "?"))
    parts = [_FORMAT_NAMES.get(fmt, fmt.upper())]
    if "encoding" in read:
        how = read.get("encoding_how")
        said = ""
        if how in ("detected", "given"):
            said = f"（{word('how_' + how, lang)}）" if lang == "zh" else f" ({word('how_' + how, lang)})"
        parts.append(f"{read['encoding']}{said}")
    if "sheet" in read:
        parts.append(f"{word('sheet', lang)} {read['sheet']}")
    if read.get("header_row", 1) != 1:
        parts.append(f"{word('header_row', lang)} {read['header_row']}")
    if read.get("blank_rows"):
        parts.append(f"{word('blank_rows', lang)} {read['blank_rows']:,}")
    parts.append(f"{word('mapping', lang)} {mapping}" if mapping else word("no_mapping", lang))
    return sep.join(parts)


_FORMAT_NAMES = {"parquet": "Parquet", "pq": "Parquet", "jsonl": "JSONL", "ndjson": "JSONL", "json": "JSONL"}


def _print_preview(console: Any, preview: list[dict[str, Any]], lang: str) -> None:
    from rich.table import Table

    used = [c for c in SHOWN if any(_shown_value(c, row.get(c)) for row in preview)]
    title = word("first_row", lang) if len(preview) == 1 else word("first_rows", lang).format(n=len(preview))
    table = Table(title=title)
    table.add_column(word("row", lang), justify="right")
    for column in used:
        table.add_column(column)
    table.add_column(word("problems", lang))
    for row in preview:
        problems = "、".join(reason_words(r, lang) for r in row["problems"]) if lang == "zh" else \
            ", ".join(reason_words(r, lang) for r in row["problems"])
        table.add_row(str(row["row"]), *(_text(row.get(c)) for c in used), problems,
                      style="red" if row["problems"] else None)
    console.print(table)


def _shown_value(column: str, value: Any) -> bool:
    # count is 1 when absent and removed false: shown only when a row says otherwise.
    if column == "count":
        return value not in (None, 1)
    if column == "removed":
        return bool(value)
    return value is not None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return str(value.isoformat(sep=" "))
    return str(value)
