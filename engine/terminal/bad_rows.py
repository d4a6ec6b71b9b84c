"""The bad event rows a command found: counts per reason, then the first rows as file:row."""

from __future__ import annotations

from typing import Any

from ..bilingual import pick
from ..events.reasons import reason_words
from .simulate_summary import WORDS


def word(key: str, lang: str) -> str:
    return pick(WORDS, key, lang)


def print_problems(console: Any, path: str, rows: dict[str, Any], problems: list[dict[str, Any]],
                   lang: str, stopped: bool, rejected_file: bool = False) -> None:
    """The bad rows: counts per reason, then the first rows as file:row; `rows`: read, accepted,
    rejected and by_reason, as the data check counted them."""
    from rich.table import Table

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
    key = ("stopped" if stopped else "skipped") + ("_file" if rejected_file else "")
    console.print(word(key, lang).format(**rows), markup=False, style="bold red" if stopped else "yellow")
