"""Read an event file and check every row, relationally: no Python loop over events.

The file is read as text (`read_raw`, the one DuckDB-specific step: file formats
and time zones), then each check is an Ibis filter producing (row, column,
reason, value) problems; accepted rows are the others, typed. Nothing is dropped
silently: rows read = accepted + rejected, and every rejected row has its reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.events.columns import BY_NAME, COLUMNS, EVENT_TYPES

REQUIRED_COLUMNS = ("ts", "type", "group_id")
# DECIMAL(18, 4) fits in 64 bits; DuckDB's 128-bit decimals are many times slower.
NUMBER = "decimal(18, 4)"
NUMBER_TEXT = r"^[+-]?[0-9]{1,13}(\.[0-9]+)?$"
MORE_THAN_TWO_DECIMALS = r"\.[0-9]{2}[0-9]*[1-9]"
WHOLE_TEXT = r"^\+?[0-9]{1,12}(\.0+)?$"
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


def _checks(t: Any) -> list[tuple[str, str, Any]]:
    # (reason, column, condition) for each row check; conditions may be NULL, meaning no.
    # Numbers are judged by their text (cheap, and exact: a cast would round 19.999).
    amount = t.amount.try_cast(NUMBER)
    number = t.amount.re_search(NUMBER_TEXT)
    score = t.score.try_cast(NUMBER)
    removed = t.removed.lower()
    date = t._ts.date()
    member_types = [k for k in EVENT_TYPES if k not in ("exposure", "cost")]
    checks: list[tuple[str, str, Any]] = [
        ("bad_json", "line", t._bad_json),
        ("unknown_key", "line", t._extra_keys.fill_null("") != ""),
        ("missing_ts", "ts", t.ts.isnull()),
        ("bad_ts", "ts", t.ts.notnull() & t._ts.isnull()),
        ("unknown_type", "type", ~t.type.fill_null("").isin(list(EVENT_TYPES))),
        ("missing_group", "group_id", t.group_id.isnull()),
        ("unknown_group", "group_id", t.group_id.notnull() & t.created_at.isnull()),
        ("missing_member", "member_id", t.type.isin(member_types) & t.member_id.isnull()),
        ("missing_amount", "amount", t.type.isin(["order", "refund", "cost"]) & t.amount.isnull()),
        ("bad_amount", "amount", t.amount.notnull() & ~number),
        ("negative_amount", "amount", number & (amount < 0)),
        ("amount_decimals", "amount", number & t.amount.re_search(MORE_THAN_TWO_DECIMALS)),
        ("bad_score", "score", (t.type == "survey")
         & (~t.score.re_search(WHOLE_TEXT).fill_null(False) | (score < 1) | (score > 5))),
        ("bad_count", "count", t["count"].notnull() & ~t["count"].re_search(WHOLE_TEXT)),
        ("bad_length", "length", t.length.notnull() & ~t.length.re_search(WHOLE_TEXT)),
        ("bad_boolean", "removed", t.removed.notnull() & ~removed.isin([*TRUE_WORDS, *FALSE_WORDS])),
        ("before_created", "ts", date < t.created_at),
        ("after_ended", "ts", date > t.ended_at),
    ]
    for column in COLUMNS:
        if column.allowed_for and column.name != "amount":
            checks.append(("not_allowed", column.name, t[column.name].notnull() & ~t.type.isin(list(column.allowed_for))))
    return checks


def flag_rows(raw: Any, groups: Any) -> Any:
    """The raw rows with their group's dates and one boolean column per check (`_c0`, `_c1`, …).

    Materialise this once: each check then reads one boolean column instead of
    re-running the join and the casts."""
    dates = groups.select(groups.group_id.cast("string").name("group_id"), groups.created_at.cast("date").name("created_at"),
                          groups.ended_at.cast("date").name("ended_at"))
    t = raw.left_join(dates, raw.group_id == dates.group_id)
    t = t.drop("group_id_right")
    readable = ~t._bad_json.fill_null(False)  # a line that is not JSON has no columns to judge
    flags = {f"_c{i}": (condition.fill_null(False) & (readable if reason != "bad_json" else True))
             for i, (reason, _, condition) in enumerate(_checks(t))}
    return t.mutate(**flags)


def problems_of(flagged: Any) -> Any:
    """(row, column, reason, value) for every check a row fails, and for duplicate rows."""
    import ibis

    t = flagged
    parts = [
        t.filter(t[f"_c{i}"]).select(
            row=t._row, column=ibis.literal(column), reason=ibis.literal(reason),
            value=(t[column].cast("string") if column in t.columns else ibis.null("string")))
        for i, (reason, column, _) in enumerate(_checks(t))
    ]
    return ibis.union(*parts).union(_duplicates(t))


def accepted_events(flagged: Any, problems: Any | None) -> Any:
    """The typed events of the rows without problems (`problems` None: there were none)."""
    t = flagged
    if problems is None:
        good = t
    else:
        bad_rows = problems.select("row").distinct()
        good = t.anti_join(bad_rows, t._row == bad_rows.row)
    return good.select(
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
        score=good.score.try_cast(NUMBER).cast("int8"),
        count=good["count"].try_cast(NUMBER).cast("int64").fill_null(1),
        length=good.length.try_cast(NUMBER).cast("int64"),
    )


def check_events(flagged: Any) -> tuple[Any, Any]:
    """(accepted events, problems) from the flagged rows, unmaterialised."""
    problems = problems_of(flagged)
    return accepted_events(flagged, problems), problems


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
    flagged = con.create_table(_temp_name("flagged"), flag_rows(raw, groups), temp=True)
    problems = con.create_table(_temp_name("problems"), problems_of(flagged), temp=True)
    rows_read = int(flagged.count().execute())
    rejected = int(problems.row.nunique().execute())
    events = con.create_table(_temp_name("events"), accepted_events(flagged, problems if rejected else None),
                              temp=True)
    accepted = int(events.count().execute())
    grouped = problems.group_by(["reason", "column"]).aggregate(rows=problems.row.nunique())
    ordered = grouped.order_by([ibis.desc(grouped.rows), grouped.reason, grouped.column]).to_pyarrow().to_pylist()
    by_reason = [(str(r["reason"]), str(r["column"]), int(r["rows"])) for r in ordered]
    return Ingested(str(path), events, problems, rows_read, accepted, rejected, by_reason)


_COUNTER = iter(range(1_000_000_000))


def _temp_name(kind: str) -> str:
    return f"qunce_{kind}_{next(_COUNTER)}"
