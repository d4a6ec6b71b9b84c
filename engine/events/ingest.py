"""Read an event file and check every row, relationally: no Python loop over events.

The file is read as text (`read_raw`, the one DuckDB-specific step: file formats
and time zones), then each check is an Ibis filter producing (row, column,
reason, value) problems; accepted rows are the others, typed. Nothing is dropped
silently: rows read = accepted + rejected, and every rejected row has its reasons.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.events.columns import BY_NAME, COLUMNS, EVENT_TYPES

REQUIRED_COLUMNS = ("ts", "type", "group_id")
TRUE_WORDS = ("true", "1", "t", "yes", "y")
FALSE_WORDS = ("false", "0", "f", "no", "n")


@dataclass(slots=True)
class Ingested:
    """The accepted events (typed), the problems found, and the counts that reconcile."""

    path: str
    events: Any  # ibis.Table: ts, date, type, group_id, member_id, …, count
    problems: Any  # ibis.Table: row, column, reason, value
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    by_reason: list[tuple[str, str, int]] = field(default_factory=list)  # (reason, column, rows)


def connect(timezone: str) -> Any:
    """An embedded DuckDB connection through Ibis, reading naive times in `timezone`."""
    import ibis

    con = ibis.duckdb.connect()
    con.raw_sql(f"SET TimeZone = '{_quote(timezone)}'")
    return con


def stdin_to_file(folder: Path) -> Path:
    """`-` means JSONL on standard input: keep it in a file so rows can be numbered and re-read."""
    target = folder / "stdin.jsonl"
    with target.open("wb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, length=1 << 20)
    return target


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise InputError(f"{path}: unknown event file format '{path.suffix}'; use .csv, .jsonl or .parquet")


def read_raw(con: Any, path: Path, timezone: str) -> Any:
    """Every contract column as trimmed text (NULL when empty), plus `_row` (the row number as
    people count it: CSV counts the header as row 1) and `_ts` (ts as a local timestamp)."""
    if not path.is_file():
        raise InputError(f"no such event file: {path}")
    fmt = _format(path)
    source = _quote(str(path))
    try:
        if fmt == "jsonl":
            present, select, base = _jsonl(con, source)
        else:
            if fmt == "csv":
                # No sniffing: a sniffer that guesses the delimiter from a few rows can
                # read a whole file as one column. Short rows are padded with empty cells.
                delim = "\\t" if path.suffix.lower() == ".tsv" else ","
                base = (f"SELECT *, row_number() OVER () + 1 AS _row FROM read_csv('{source}', all_varchar = true, "
                        f"header = true, delim = '{delim}', quote = '\"', escape = '\"', null_padding = true)")
            else:
                base = f"SELECT *, file_row_number + 1 AS _row FROM read_parquet('{source}', file_row_number = true)"
            present = [c for c in con.sql(base).columns if c != "_row" and c != "file_row_number"]
            unknown = [c for c in present if c not in BY_NAME]
            if unknown:
                raise InputError(f"{path}: unknown column(s) {', '.join(unknown)}; the event columns are "
                                 f"{', '.join(c.name for c in COLUMNS)}")
            select = ", ".join(
                f"NULLIF(TRIM(CAST(\"{c.name}\" AS VARCHAR)), '') AS {c.name}" if c.name in present
                else f"CAST(NULL AS VARCHAR) AS {c.name}" for c in COLUMNS)
            select += ", CAST(NULL AS BOOLEAN) AS _bad_json, CAST(NULL AS VARCHAR) AS _extra_keys"
        missing = [c for c in REQUIRED_COLUMNS if c not in present]
        if missing and fmt != "jsonl":
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
        query = (f"SELECT *, timezone('{_quote(timezone)}', TRY_CAST(ts AS TIMESTAMPTZ)) AS _ts "
                 f"FROM (SELECT _row, {select} FROM ({base}))")
        return con.sql(query)
    except InputError:
        raise
    except Exception as exc:  # a file DuckDB cannot read at all: say which and why
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: cannot read events: {first}") from None


def _jsonl(con: Any, source: str) -> tuple[list[str], str, str]:
    # Read lines as text so a broken line is a rejected row, not a failed file.
    base = (f"SELECT line, row_number() OVER () AS _row FROM read_csv('{source}', columns = {{'line': 'VARCHAR'}}, "
            "header = false, delim = '\\x1f', quote = '', escape = '', auto_detect = false, strict_mode = false)")
    base = f"SELECT * FROM ({base}) WHERE TRIM(COALESCE(line, '')) <> ''"
    known = ", ".join(f"'{c.name}'" for c in COLUMNS)
    select = ", ".join(
        f"NULLIF(TRIM(CASE WHEN json_valid(line) THEN json_extract_string(line, '$.{c.name}') END), '') AS {c.name}"
        for c in COLUMNS)
    # Nested CASEs: DuckDB evaluates a WHEN's AND on every row, a THEN only on matching rows.
    is_object = "CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' ELSE false END"
    select += (f", NOT ({is_object}) AS _bad_json, "
               f"CASE WHEN json_valid(line) THEN CASE WHEN json_type(line) = 'OBJECT' THEN array_to_string("
               f"list_filter(json_keys(line), k -> k NOT IN ({known})), ', ') END END AS _extra_keys")
    return [c.name for c in COLUMNS], select, base


def check_events(raw: Any, groups: Any) -> tuple[Any, Any]:
    """(accepted events, problems) from the raw text table and the roster's groups
    (an Ibis table: group_id, created_at, ended_at)."""
    import ibis

    t = raw.left_join(groups, raw.group_id == groups.group_id).drop("group_id_right")
    amount = t.amount.try_cast("decimal(38, 6)")
    # via decimal, so "4.5" is not quietly rounded to a whole number
    score = t.score.try_cast("decimal(38, 6)")
    count = t["count"].try_cast("decimal(38, 6)")
    length = t.length.try_cast("decimal(38, 6)")
    removed = t.removed.lower()
    date = t._ts.date()
    member_types = [k for k in EVENT_TYPES if k not in ("exposure", "cost")]
    checks: list[tuple[str, str, Any]] = [
        ("bad_json", "line", t._bad_json.fill_null(False)),
        ("unknown_key", "line", t._extra_keys.fill_null("") != ""),
        ("missing_ts", "ts", t.ts.isnull()),
        ("bad_ts", "ts", t.ts.notnull() & t._ts.isnull()),
        ("unknown_type", "type", ~t.type.fill_null("").isin(list(EVENT_TYPES))),
        ("missing_group", "group_id", t.group_id.isnull()),
        ("unknown_group", "group_id", t.group_id.notnull() & t.created_at.isnull()),
        ("missing_member", "member_id", t.type.isin(member_types) & t.member_id.isnull()),
        ("missing_amount", "amount", t.type.isin(["order", "refund", "cost"]) & t.amount.isnull()),
        ("bad_amount", "amount", t.amount.notnull() & amount.isnull()),
        ("negative_amount", "amount", amount < 0),
        ("amount_decimals", "amount", amount.notnull() & (amount != amount.round(2))),
        ("bad_score", "score", (t.type == "survey")
         & (score.isnull() | (score < 1) | (score > 5) | (score != score.round(0)))),
        ("bad_count", "count", t["count"].notnull() & (count.isnull() | (count < 0) | (count != count.round(0)))),
        ("bad_length", "length", t.length.notnull() & (length.isnull() | (length < 0) | (length != length.round(0)))),
        ("bad_boolean", "removed", t.removed.notnull() & ~removed.isin([*TRUE_WORDS, *FALSE_WORDS])),
        ("before_created", "ts", date < t.created_at),
        ("after_ended", "ts", date > t.ended_at),
    ]
    for column in COLUMNS:
        if column.allowed_for and column.name not in ("amount",):
            checks.append(("not_allowed", column.name, t[column.name].notnull() & ~t.type.isin(list(column.allowed_for))))
    readable = ~t._bad_json.fill_null(False)  # a line that is not JSON has no columns to judge
    parts = [
        t.filter(condition.fill_null(False) & (readable if reason != "bad_json" else True)).select(
            row=t._row, column=ibis.literal(column), reason=ibis.literal(reason),
            value=(t[column].cast("string") if column in t.columns else ibis.null("string")))
        for reason, column, condition in checks
    ]
    problems = ibis.union(*parts) if len(parts) > 1 else parts[0]
    problems = problems.union(_duplicates(raw))
    bad_rows = problems.select("row").distinct()
    good = t.anti_join(bad_rows, t._row == bad_rows.row)
    events = good.select(
        row=good._row,
        ts=good._ts,
        date=good._ts.date(),
        type=good.type,
        group_id=good.group_id,
        member_id=good.member_id,
        staff_id=good.staff_id,
        amount=good.amount.try_cast("decimal(18, 2)"),
        order_id=good.order_id,
        channel=good.channel,
        referrer_id=good.referrer_id,
        activity=good.activity,
        removed=good.removed.lower().isin(list(TRUE_WORDS)).fill_null(False),
        flag=good.flag,
        score=good.score.try_cast("decimal(38, 6)").cast("int8"),
        count=good["count"].try_cast("decimal(38, 6)").cast("int64").fill_null(1),
        length=good.length.try_cast("decimal(38, 6)").cast("int64"),
    )
    return events, problems


def _duplicates(raw: Any) -> Any:
    import ibis

    columns = [c.name for c in COLUMNS]
    first = ibis.window(group_by=columns)
    marked = raw.mutate(_first=raw._row.min().over(first))
    dupes = marked.filter(marked._row != marked._first)
    return dupes.select(row=dupes._row, column=ibis.literal("*"), reason=ibis.literal("duplicate"),
                        value=dupes._first.cast("string"))


def ingest(con: Any, path: Path, groups: Any, timezone: str) -> Ingested:
    """Read and check `path`; the problems and accepted events are materialised once."""
    import ibis

    raw = read_raw(con, path, timezone)
    events, problems = check_events(raw, groups)
    problems = con.create_table(_temp_name("problems"), problems, temp=True)
    events = con.create_table(_temp_name("events"), events, temp=True)
    rows_read = int(raw.count().execute())
    rejected = int(problems.row.nunique().execute())
    accepted = int(events.count().execute())
    grouped = problems.group_by(["reason", "column"]).aggregate(rows=problems.row.nunique())
    ordered = grouped.order_by([ibis.desc(grouped.rows), grouped.reason, grouped.column]).to_pyarrow().to_pylist()
    by_reason = [(str(r["reason"]), str(r["column"]), int(r["rows"])) for r in ordered]
    return Ingested(str(path), events, problems, rows_read, accepted, rejected, by_reason)


_COUNTER = iter(range(1_000_000_000))


def _temp_name(kind: str) -> str:
    return f"qunce_{kind}_{next(_COUNTER)}"
