"""What `qunce events import wecom` prints: the files written, how the groups were typed, and
the books of the records (read = written + skipped + rejected, per kind of export), with the
reasons and the first rejected records by file:line, in the run's language."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ..bilingual import pick
from ..events.wecom.reasons import kind_words, rejected_label, rejected_words, skipped_words
from ..events.wecom.records import KINDS

if TYPE_CHECKING:
    from ..events.wecom.run import Imported

WORDS = {
    "wrote": ("wrote", "已写入"),
    "sources": ("read {files} {noun}: {kinds}", "读取 {files} 个文件：{kinds}"),
    "events": ("{written:,} events, {span}, {size}", "{written:,} 条事件，{span}，{size}"),
    "rows": (" in {rows:,} rows", "，共 {rows:,} 行"),
    "roster": ("{groups:,} groups, {staff:,} staff, {assignments:,} assignments, {members:,} members",
               "{groups:,} 个群，{staff:,} 名员工，{assignments:,} 条分配，{members:,} 名成员"),
    "types": ("group types: {types}", "群类型：{types}"),
    "default": (" ({n} by --default-type)", "（其中 {n} 个按 --default-type）"),
    "records": ("records", "记录"),
    "read": ("read", "读取"),
    "written": ("written", "写入"),
    "skipped": ("skipped", "跳过"),
    "rejected": ("rejected", "拒绝"),
    "all": ("all", "合计"),
    "more": ("… {n:,} rejected in all", "……共拒绝 {n:,} 条"),
    "fix": ("The rejected records are not in the events file: fix them in the export and import again.",
            "被拒绝的记录未写入事件文件：请在导出文件中修正后重新导入。"),
}


def word(key: str, lang: str) -> str:
    return pick(WORDS, key, lang)


def summary_lines(imported: Imported, lang: str) -> list[str]:
    tally, zh = imported.tally, lang == "zh"
    kinds = Counter(source.kind for source in imported.sources)
    listed = ("、" if zh else ", ").join(f"{kind_words(k, lang)} {kinds[k]}" for k in KINDS if kinds[k])
    noun = "file" if len(imported.sources) == 1 else "files"
    lines = [word("sources", lang).format(files=len(imported.sources), noun=noun, kinds=listed)]
    written = sum(tally.written.values())
    span = "-" if imported.first is None else (f"{imported.first} 至 {imported.last}" if zh
                                               else f"{imported.first} … {imported.last}")
    size = f"{imported.bytes / 1e6:.1f} MB" if imported.bytes >= 1e6 else f"{max(1, round(imported.bytes / 1e3))} KB"
    events = word("events", lang).format(written=written, span=span, size=size)
    if imported.rows != written:
        events += word("rows", lang).format(rows=imported.rows)
    lines.append(f"{word('wrote', lang)} {imported.events} ({events})" if not zh
                 else f"{word('wrote', lang)} {imported.events}（{events}）")
    roster = word("roster", lang).format(groups=imported.groups, staff=imported.staff,
                                         assignments=imported.assignments, members=imported.members)
    lines.append(f"{word('wrote', lang)} {imported.roster} ({roster})" if not zh
                 else f"{word('wrote', lang)} {imported.roster}（{roster}）")
    types = ("、" if zh else ", ").join(f"{t} {n}" for t, n in sorted(imported.group_types.items()))
    if imported.by_default:
        types += word("default", lang).format(n=imported.by_default)
    lines.append(word("types", lang).format(types=types or "-"))
    lines += _books(imported, lang)
    return lines


def _books(imported: Imported, lang: str) -> list[str]:
    tally = imported.tally
    rows = [[kind_words(kind, lang), tally.read[kind], tally.written[kind], tally.total(tally.skipped, kind),
             tally.total(tally.rejected, kind)] for kind in KINDS if tally.read[kind]]
    rows.append([word("all", lang), sum(tally.read.values()), sum(tally.written.values()),
                 tally.total(tally.skipped), tally.total(tally.rejected)])
    head = [word(key, lang) for key in ("records", "read", "written", "skipped", "rejected")]
    cells = [head] + [[str(row[0])] + [f"{n:,}" for n in row[1:]] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(head))]
    lines = ["  ".join(_pad(cell, widths[i], right=i > 0) for i, cell in enumerate(row)).rstrip() for row in cells]
    for title, counter, words in ((word("skipped", lang), tally.skipped, skipped_words),
                                  (word("rejected", lang), tally.rejected, rejected_label)):
        if not counter:
            continue
        colon = "：" if lang == "zh" else ": "
        lines.append(f"{title}{colon.strip()}")
        items = [(f"{kind_words(kind, lang)}{colon}{words(key, lang)}", n) for (kind, key), n in
                 sorted(counter.items(), key=lambda item: (KINDS.index(item[0][0]), -item[1], item[0][1]))]
        width, digits = max(_width(text) for text, _ in items), max(len(f"{n:,}") for _, n in items)
        lines += [f"  {_pad(text, width)}  {n:>{digits},}" for text, n in items]
    rejected = tally.total(tally.rejected)
    if rejected:
        shown = tally.shown()
        lines += [f"  {_rejection(r.file, r.line, r.column, r.reason, r.value, lang)}" for r in shown]
        if rejected > len(shown):
            lines.append("  " + word("more", lang).format(n=rejected))
        lines.append(word("fix", lang))
    return lines


def _rejection(file: str, line: int, column: str, reason: str, value: str | None, lang: str) -> str:
    shown = "" if value is None else f"（{value!r}）" if lang == "zh" else f" ({value!r})"
    where = f"{file}:{line}" + ("：" if lang == "zh" else ": ")
    return f"{where}{column + ' ' if column else ''}{rejected_words(reason, lang)}{shown}"


def _width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space
