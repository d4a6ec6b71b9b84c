"""How a team writes values, read as qunce's: type labels (入群 → join), times (`2027/1/4 9:05`,
`2027年1月4日 09:05`, epoch seconds or milliseconds, Excel serial days), money (`¥1,308.90`,
`1308.9元`, amounts in fen). Each is a DuckDB SQL expression over the text read, applied in
`ingest.read_raw`: relational, no Python per row.

What is read without a mapping file: the event types' Chinese labels (event_contract), the time
forms below besides ISO 8601, and money with ¥/￥/元 and thousands separators. A mapping file adds
its own labels and time formats (tried first) and says when times are epochs or Excel serials
and when amounts are in fen.
"""

from __future__ import annotations

from collections.abc import Callable

from ..event_contract import COLUMNS, EVENT_TYPES

# Labels read as a type without a mapping: each type's Chinese words, and the removals WeCom and
# SCRM exports write as their own word.
DEFAULT_LABELS: dict[str, tuple[str, bool | None]] = {
    **{label: (kind, None) for kind, (labels, _) in EVENT_TYPES.items() for label in labels.split("|")},
    "被移出": ("leave", True),
    "移出群聊": ("leave", True),
}
# Time forms Excel and Chinese exports write, read without a mapping (after ISO 8601). DuckDB's
# strptime reads `1` for %m and `9` for %H, so `2027/1/4 9:05` needs no format of its own.
DEFAULT_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
                   "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日",
                   "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
# Times without an offset: the common ISO form by GLOB (cheap), the others by a regex.
NAIVE_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][ T][0-9][0-9]:[0-9][0-9]:[0-9][0-9]"
NAIVE_TEXT = r"[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?"
# Excel counts days from 1899-12-30 (its day 60 is the 1900-02-29 that never was, so serials
# before March 1900 are off by one in Excel itself); 2958465 is 9999-12-31. Serial 1 is read as
# 1899-12-31 and then refused by the reader's bounds (1900-01-01 …).
SERIAL_TEXT = r"[0-9]{1,7}(\.[0-9]+)?"
SERIAL_MAX = 2958465
EPOCH_TEXT = r"[0-9]{1,13}(\.[0-9]+)?"  # past 9999 (ms read as seconds) the reader's bound makes it a bad time
MONEY_TEXT = r"(¥|￥|RMB|CNY)?\s*[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?\s*元?"
MONEY_MARKS = r"[¥￥元,\s]|RMB|CNY"


def reread(column: str, mapping: object | None) -> bool:
    """Whether a typed Parquet column is read as text anyway: the mapping says how to read it."""
    if column == "ts":
        return bool(getattr(mapping, "time_unit", None) or getattr(mapping, "time_formats", None))
    return False


def quote(text: str) -> str:
    """`text` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def labels_for(mapping: object | None) -> dict[str, tuple[str, bool | None]]:
    """The labels read as types: the defaults, then the mapping's (which win)."""
    return {**DEFAULT_LABELS, **(getattr(mapping, "types", None) or {})}


def type_sql(text: str, labels: dict[str, tuple[str, bool | None]], quoted: Callable[[str], str] = quote) -> str:
    """The type read from `text` (a trimmed text expression): a label's type, else as written.
    `quoted`: the SQL dialect's string literal (DuckDB's by default)."""
    if not labels:
        return text
    whens = " ".join(f"WHEN {quoted(label)} THEN {quoted(kind)}" for label, (kind, _) in labels.items())
    return f"CASE {text} {whens} ELSE {text} END"


def removed_sql(type_text: str, removed_text: str, labels: dict[str, tuple[str, bool | None]],
                quoted: Callable[[str], str] = quote) -> str:
    """`removed` as text: what a label says (被移出 → true), else the column's value."""
    said = {label: removed for label, (_, removed) in labels.items() if removed is not None}
    if not said:
        return removed_text
    whens = " ".join(f"WHEN {quoted(label)} THEN {quoted('true' if value else 'false')}"
                     for label, value in said.items())
    return f"CASE {type_text} {whens} ELSE {removed_text} END"


def value_select(typed: set[str], mapping: object | None, quoted: Callable[[str], str] = quote,
                 amount: Callable[[str, str], str] | None = None, name: Callable[[str], str] = lambda n: f'"{n}"') -> str:
    """The contract columns with the team's words read as qunce's: type labels, the removals
    they imply, money (`typed`: columns of a typed file, used as they are). `quoted`, `amount`,
    `name`: the SQL dialect's string literal, `amount_sql` and identifier (DuckDB's by default)."""
    labels = labels_for(mapping)
    unit = getattr(mapping, "amount_unit", "yuan") or "yuan"
    parts = []
    for column in (c.name for c in COLUMNS):
        if column == "type":
            parts.append(f"{type_sql('type', labels, quoted)} AS type")
        elif column == "removed" and "removed" not in typed:
            parts.append(f"{removed_sql('type', 'removed', labels, quoted)} AS removed")
        elif column == "amount" and "amount" not in typed:
            parts.append(f"{(amount or amount_sql)('amount', unit)} AS amount")
        elif column == "amount" and unit == "fen":
            parts.append("amount * 0.01 AS amount")
        else:
            parts.append(name(column))
    return ", ".join(parts)


def amount_sql(text: str, unit: str = "yuan") -> str:
    """The amount as plain decimal text: ¥, 元 and thousands separators taken out; fen as yuan.
    Text that is not money is left as it is, for the checks to name."""
    cleaned = (f"CASE WHEN regexp_full_match({text}, {quote(MONEY_TEXT)}) "
               f"THEN regexp_replace({text}, {quote(MONEY_MARKS)}, '', 'g') ELSE {text} END")
    if unit != "fen":
        # Plain numbers (nearly every amount) skip the regex.
        return f"CASE WHEN {text} IS NULL OR regexp_full_match({text}, '[+-]?[0-9]+(\\.[0-9]+)?') THEN {text} ELSE {cleaned} END"
    # Fen are whole; × 0.01 in decimals is exact (a fraction of a fen shows as a third decimal).
    return f"COALESCE(CAST(TRY_CAST({cleaned} AS DECIMAL(18, 4)) * 0.01 AS VARCHAR), {cleaned})"


def local_time_sql(ts: str, zone: str, formats: tuple[str, ...] = (), unit: str | None = None,
                   serials: bool = False) -> str:
    """A local TIMESTAMP (in `zone`, the session's time zone) from the text `ts`; NULL when it is
    none of the forms read. `formats`: the mapping's (tried first); `unit`: epoch_seconds,
    epoch_milliseconds or excel_serial (a plain number is read so); `serials`: a plain number is
    an Excel serial (a workbook's number cell)."""
    z = quote(zone)
    default_formats = "[" + ", ".join(quote(f) for f in DEFAULT_FORMATS) + "]"
    chain = (f"CASE WHEN {ts} GLOB '{NAIVE_GLOB}' THEN TRY_CAST({ts} AS TIMESTAMP) "
             f"WHEN regexp_full_match({ts}, '{NAIVE_TEXT}') THEN TRY_CAST({ts} AS TIMESTAMP) "
             f"ELSE COALESCE(timezone({z}, TRY_CAST({ts} AS TIMESTAMPTZ)), try_strptime({ts}, {default_formats})) END")
    if unit == "epoch_seconds" or unit == "epoch_milliseconds":
        scale = 1_000_000 if unit == "epoch_seconds" else 1_000
        micros = f"TRY_CAST(TRY_CAST({ts} AS DECIMAL(20, 6)) * {scale} AS BIGINT)"
        chain = (f"CASE WHEN regexp_full_match({ts}, '{EPOCH_TEXT}') "
                 f"THEN timezone({z}, timezone('UTC', make_timestamp({micros}))) ELSE {chain} END")
    elif unit == "excel_serial" or serials:
        chain = f"CASE WHEN regexp_full_match({ts}, '{SERIAL_TEXT}') THEN {serial_sql(ts)} ELSE {chain} END"
    naive = [f for f in formats if "%z" not in f and "%Z" not in f]
    zoned = [f for f in formats if f not in naive]
    given = []
    if naive:
        given.append(f"try_strptime({ts}, [{', '.join(quote(f) for f in naive)}])")
    if zoned:
        given.append(f"timezone({z}, try_strptime({ts}, [{', '.join(quote(f) for f in zoned)}]))")
    return f"COALESCE({', '.join([*given, chain])})" if given else chain


def serial_sql(ts: str) -> str:
    """An Excel serial day number (`46391.378472222`) as the local time it stands for, to the
    millisecond (what Excel keeps); NULL below day 1 and past 9999-12-31."""
    days = f"TRY_CAST({ts} AS DOUBLE)"  # 15 digits: a millisecond in 9999
    return (f"CASE WHEN {days} >= 1 AND {days} < {SERIAL_MAX + 1} THEN TIMESTAMP '1899-12-30 00:00:00' + "
            f"to_milliseconds(CAST(round({days} * 86400000) AS BIGINT)) END")
