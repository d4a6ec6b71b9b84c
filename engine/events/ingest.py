"""Read an event file and check every row, relationally: no Python loop over events.

The file is read (`read_raw`, the one DuckDB-specific step: file formats and time
zones) as text, except Parquet columns whose type is already right (timestamps,
integers, decimals, booleans), which stay typed and skip the text round trip.
Each check is then an Ibis filter producing (row, column, reason, value)
problems, the same for text and typed columns; accepted rows are the others,
typed. Nothing is dropped silently: rows read = accepted + rejected, and every
rejected row has its reasons.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..compute import drop, engine_name, fetch_rows, literal_table, store, view
from ..compute.duckdb import sql_text as _quote
from ..errors import InputError, UsageError, first_line
from ..event_contract import BY_NAME, COLUMNS, EVENT_TYPES
from .headers import Headers, resolve
from .read_errors import empty_file, is_empty, read_failure, unnamed_columns
from .source_file import ReadOptions, Source, kind_of, prepare
from .value_forms import local_time_sql, reread, value_select

REQUIRED_COLUMNS = ("ts", "type", "group_id")
# DECIMAL(18, 4) fits in 64 bits; DuckDB's 128-bit decimals are many times slower.
NUMBER = "decimal(18, 4)"
NUMBER_TEXT = r"^[+-]?[0-9]{1,13}(\.[0-9]+)?$"
MORE_THAN_TWO_DECIMALS = r"\.[0-9]{2}[0-9]*[1-9]"
WHOLE_TEXT = r"^\+?[0-9]{1,12}(\.0+)?$"
TRUE_WORDS = ("true", "1", "t", "yes", "y")
FALSE_WORDS = ("false", "0", "f", "no", "n")
# What the text patterns above accept, for typed columns: NUMBER_TEXT allows 13 integer
# digits, WHOLE_TEXT 12.
NUMBER_LIMIT = 10**13
WHOLE_LIMIT = 10**12
# The times an event may have: anything else (`infinity`, an epoch in milliseconds read as seconds,
# year 10000) is a bad time, not a date Python cannot hold.
FIRST_TIME, LAST_TIME = "1900-01-01", "9999-12-31 23:59:59.999999"
# An event further than this after the latest date the roster names (a group created or ended)
# is a bad row (`far_from_roster`): the window would run to it, and a year 9999 is millions of
# group-days to allocate. Two years, as far as windowed names look back.
DAYS_PAST_ROSTER = 731


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
    read: dict[str, Any] = field(default_factory=dict)  # what was read: format, encoding, sheet, columns
    cached: bool = False  # taken from the events cache (event_cache.py), not read from the file this time


def read_raw(con: Any, path: Path, timezone: str, shown: str | None = None,
             options: ReadOptions | None = None) -> Any:
    """Every contract column, plus `_row` (the row number as people count it: CSV counts the
    header as row 1, a sheet its own rows), `_ts` (ts as a local timestamp) and `_h` (a hash of
    the contract columns: equal rows have equal hashes, for the duplicate check).

    Columns are trimmed text (NULL when empty), except Parquet columns already of the right
    type (`_typed`), which are kept as they are: the checks judge both alike. Headers are matched
    to event columns by `headers.resolve` (the mapping, qunce's names, common Chinese headers),
    values read by `value_forms` (type labels, time forms, money). The query is lazy: a file
    DuckDB fails on past its first rows fails when it runs (see `ingest`).
    `shown`: the file as errors name it (default: `path`)."""
    return read_source(con, open_source(path, shown, options), timezone, options)[0]


def open_source(path: Path, shown: str | None = None, options: ReadOptions | None = None) -> Source:
    """The event file made readable by DuckDB (`source_file.prepare`), after the checks every
    file gets: it exists and is not empty."""
    shown = shown or str(path)
    if not path.is_file():
        raise InputError(f"no such event file: {shown}", f"找不到事件文件：{shown}")
    kind, _ = kind_of(path)
    if kind != "workbook" and is_empty(path):  # else DuckDB reads one column named column0 and no rows
        raise empty_file(shown, "csv" if kind == "tsv" else kind)
    return prepare(path, shown, options)


def read_source(con: Any, source: Source, timezone: str, options: ReadOptions | None = None,
                strict: bool = True) -> tuple[Any, Headers]:
    """`read_raw` on a prepared source; also how its headers were read (not `strict`: columns no
    rule names are left out and listed, for `qunce events inspect`)."""
    options = options or ReadOptions()
    mapping = options.mapping
    shown = source.shown
    fmt = source.reads_as
    path = source.path
    file = _quote(str(path))
    # Text files are numbered by row_number() over the file, which runs on one thread: the
    # numbered rows are materialised (`_numbered`) so that the work after it runs in parallel.
    numbered = ""
    headers = Headers()
    try:
        if fmt == "jsonl":
            numbered, base, select = _jsonl(file)
            present = [c.name for c in COLUMNS]
            headers.sources = {c: c for c in present}
            typed: set[str] = set()
            ts_zone = None
        else:
            if fmt == "csv":
                # No sniffing: a sniffer that guesses the delimiter from a few rows can
                # read a whole file as one column. Short rows are padded with empty cells.
                delim = "\\t" if source.separator == "\t" else source.separator
                # `skip` only when asked for: given at all, it changes how DuckDB reports a bad row.
                # Not parallel: DuckDB's parallel reader cannot pad short rows in a file whose quoted
                # values hold line breaks (a note typed with Alt+Enter in Excel), and row_number()
                # reads the file on one thread anyway (1M rows: the same time either way). A row
                # is then a record, as a spreadsheet counts it, not a line.
                skip = f", skip = {source.header_row - 1}" if source.header_row > 1 else ""
                numbered = (f"SELECT *, row_number() OVER () + {source.header_row} AS _row FROM read_csv('{file}', "
                            f"all_varchar = true, header = true, delim = '{delim}', quote = '\"', escape = '\"', "
                            f"null_padding = true, parallel = false{skip})")
                base = "SELECT * FROM _numbered"
            elif source.table is not None:  # a sheet's rows: DuckDB scans the Arrow table in place
                view = _temp_name("sheet")
                _register(con, view, source.table)
                base = f"SELECT * FROM {view}"
            else:
                base = f"SELECT *, file_row_number + 1 AS _row FROM read_parquet('{file}', file_row_number = true)"
            schema = con.sql(_with(numbered) + base).schema()
            present = [c for c in schema.names if c != "_row" and c != "file_row_number"]
            unnamed = [c for c in present if _OWN_NAME.fullmatch(c)] if fmt == "csv" else []
            if unnamed:
                # `column3`: DuckDB's name for a header cell left empty, or for cells past the header's end.
                failure = unnamed_columns(path, shown, unnamed, source.separator)
                if failure is not None:
                    raise failure
            headers = resolve(present, shown, getattr(mapping, "columns", None), getattr(mapping, "ignore", ()),
                              getattr(mapping, "path", None), strict)
            typed = {c for c, h in headers.sources.items() if fmt == "parquet"
                     and _typed(c, schema[h]) and not reread(c, mapping)}
            ts_zone = schema[headers.sources["ts"]].timezone if "ts" in typed else None
            select = ", ".join(
                f'"{_q(headers.sources[c.name])}" AS "{c.name}"' if c.name in typed
                else f"NULLIF(TRIM(CAST(\"{_q(headers.sources[c.name])}\" AS VARCHAR)), '') AS \"{c.name}\""
                if c.name in headers.sources else f"CAST(NULL AS VARCHAR) AS \"{c.name}\"" for c in COLUMNS)
            select += ", CAST(NULL AS BOOLEAN) AS _bad_json, CAST(NULL AS VARCHAR) AS _extra_keys"
        missing = [c for c in REQUIRED_COLUMNS if c not in headers.sources]
        if missing and fmt != "jsonl" and strict:
            raise InputError(f"{shown}: missing column(s) {', '.join(missing)}", f"{shown}：缺少列 {'、'.join(missing)}")
        values = value_select(typed, mapping)
        if "ts" not in typed:
            local = local_time_sql("ts", timezone, tuple(getattr(mapping, "time_formats", ()) or ()),
                                   getattr(mapping, "time_unit", None), serials=source.kind == "workbook")
        elif ts_zone is None:  # a naive timestamp column: local times already
            local = "CAST(ts AS TIMESTAMP)"
        else:
            local = f"timezone('{_quote(timezone)}', ts)"
        columns = ", ".join(f'"{c.name}"' for c in COLUMNS)
        # Times DuckDB reads but no event has (`infinity`, the year 10000 and later) are bad times.
        bounded = f"CASE WHEN _t >= TIMESTAMP '{FIRST_TIME}' AND _t <= TIMESTAMP '{LAST_TIME}' THEN _t END"
        query = (f"{_with(numbered)}SELECT * EXCLUDE (_t), {bounded} AS _ts, hash({columns}) AS _h FROM ("
                 f"SELECT *, {local} AS _t "
                 f"FROM (SELECT _row, {values}, _bad_json, _extra_keys FROM (SELECT _row, {select} FROM ({base}))))")
        return con.sql(query), headers
    except (InputError, UsageError):
        raise
    except Exception as exc:  # a file DuckDB cannot read at all: say which, where and why
        raise read_failure(exc, path, shown, source.reads_as, source.separator) or InputError(
            f"{shown}: cannot read events: {first_line(exc)}", f"{shown}：无法读取事件：{first_line(exc)}") from None


def _register(con: Any, name: str, table: Any) -> None:
    """`table` (Arrow) as a view of the connection, read in place."""
    raw = getattr(con, "con", con)  # the DuckDB connection under Ibis's backend
    raw.register(name, table)


# DuckDB's name for a header cell left empty, or for cells past the header's end.
_OWN_NAME = re.compile(r"column(\d+)")


def _q(name: str) -> str:
    return name.replace('"', '""')


def _typed(name: str, dtype: Any) -> bool:
    """Whether a typed Parquet column can be checked as it is: its values, printed, are text
    the text checks would judge exactly as the typed checks do (no float, no sub-microsecond
    time, no decimal rounded by the cast to NUMBER)."""
    kind = BY_NAME[name].type
    if kind == "timestamp":
        return bool(dtype.is_timestamp() and (dtype.scale is None or dtype.scale <= 6))
    if kind == "decimal":
        return bool(dtype.is_integer() or (dtype.is_decimal() and dtype.scale is not None and dtype.scale <= 4))
    if kind == "integer":
        return bool(dtype.is_integer())
    if kind == "boolean":
        return bool(dtype.is_boolean())
    return False


def _with(numbered: str) -> str:
    return f"WITH _numbered AS MATERIALIZED ({numbered}) " if numbered else ""


def _jsonl(source: str) -> tuple[str, str, str]:
    """(numbered lines, the query reading them, its select list) for a JSONL file."""
    # Read lines as text so a broken line is a rejected row, not a failed file.
    numbered = (f"SELECT line, row_number() OVER () AS _row FROM read_csv('{source}', columns = {{'line': 'VARCHAR'}}, "
                "header = false, delim = '\\x1f', quote = '', escape = '', auto_detect = false, strict_mode = false)")
    numbered = f"SELECT * FROM ({numbered}) WHERE TRIM(COALESCE(line, '')) <> ''"
    # One parse for all the columns (json_transform reads each key as json_extract_string
    # would: strings unquoted, other values as JSON text, absent or null keys NULL).
    spec = "{" + ", ".join(f'"{c.name}": "VARCHAR"' for c in COLUMNS) + "}"
    base = f"SELECT *, CASE WHEN json_valid(line) THEN json_transform(line, '{spec}') END AS _j FROM _numbered"
    known = ", ".join(f"'{c.name}'" for c in COLUMNS)
    select = ", ".join(f"NULLIF(TRIM(_j.\"{c.name}\"), '') AS \"{c.name}\"" for c in COLUMNS)
    # Nested CASEs: DuckDB evaluates a WHEN's AND on every row, a THEN only on matching rows.
    is_object = "CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' ELSE false END"
    select += (f", NOT ({is_object}) AS _bad_json, "
               f"CASE WHEN json_valid(line) THEN CASE WHEN json_type(line) = 'OBJECT' THEN array_to_string("
               f"list_filter(json_keys(line), k -> k NOT IN ({known})), ', ') END END AS _extra_keys")
    return numbered, base, select


def _checks(t: Any) -> list[tuple[str, str, Any]]:
    # (reason, column, condition) for each row check; conditions may be NULL, meaning no.
    # `t`: the raw rows with their group's dates and their type's rules (`with_type_rules`).
    # Text numbers are judged by their text (cheap, and exact: a cast would round 19.999);
    # typed columns (Parquet) by their values, with the same outcome as their printed text.
    amount, number, decimals = _amount(t.amount)
    score, score_whole = _whole(t.score)
    date = t._ts.date()
    checks: list[tuple[str, str, Any]] = [
        ("bad_json", "line", t._bad_json),
        ("unknown_key", "line", t._extra_keys.fill_null("") != ""),
        ("missing_ts", "ts", t.ts.isnull()),
        ("bad_ts", "ts", t.ts.notnull() & t._ts.isnull()),
        ("unknown_type", "type", t._known.isnull()),
        ("missing_group", "group_id", t.group_id.isnull()),
        ("unknown_group", "group_id", t.group_id.notnull() & t.created_at.isnull()),
        ("missing_member", "member_id", t._needs_member & t.member_id.isnull()),
        ("missing_amount", "amount", t._needs_amount & t.amount.isnull()),
        ("bad_amount", "amount", t.amount.notnull() & ~number),
        ("negative_amount", "amount", number & (amount < 0)),
        ("amount_decimals", "amount", number & decimals),
        ("bad_score", "score", (t.type == "survey") & (~score_whole.fill_null(False) | (score < 1) | (score > 5))),
        ("bad_count", "count", t["count"].notnull() & ~_whole(t["count"])[1]),
        ("bad_length", "length", t.length.notnull() & ~_whole(t.length)[1]),
        ("bad_boolean", "removed", t.removed.notnull() & ~_is_boolean(t.removed)),
        ("before_created", "ts", date < t.created_at),
        ("after_ended", "ts", date > t.ended_at),
        ("far_from_roster", "ts", date > t._roster_until),
        ("missing_staff", "staff_id", (t.type == "sop_done") & t.staff_id.isnull()),
        ("missing_sop", "sop", (t.type == "sop_done") & t.sop.isnull()),
    ]
    for name in _LIMITED:  # an unknown type allows none (a missing type: not judged)
        checks.append(("not_allowed", name, t[name].notnull() & t.type.notnull()
                       & ~t[f"_allows_{name}"].fill_null(False)))
    return checks


# Columns only some event types may have (amount: a join's entry fee is allowed, not checked).
_LIMITED = tuple(c.name for c in COLUMNS if c.allowed_for and c.name != "amount")
MEMBER_TYPES = tuple(k for k in EVENT_TYPES if k not in ("exposure", "cost", "sop_done"))
PRICED_TYPES = ("order", "refund", "cost")


def type_rules() -> Any:
    """One row per event type: what it needs and which limited columns it allows. Joined to
    the rows once (a small hash join), instead of comparing `type` with a list per check."""
    kinds = list(EVENT_TYPES)
    data: dict[str, list[Any]] = {"_type": kinds, "_known": [True] * len(kinds),
                                  "_needs_member": [k in MEMBER_TYPES for k in kinds],
                                  "_needs_amount": [k in PRICED_TYPES for k in kinds]}
    for name in _LIMITED:
        data[f"_allows_{name}"] = [k in BY_NAME[name].allowed_for for k in kinds]
    schema = {name: ("string" if name == "_type" else "boolean") for name in data}
    return literal_table(data, schema)


def with_type_rules(t: Any) -> Any:
    """`t` with its type's rules (NULL for an unknown or missing type)."""
    rules = type_rules()
    return t.left_join(rules, t.type == rules._type).drop("_type")


def _amount(value: Any) -> tuple[Any, Any, Any]:
    """(the amount as NUMBER, whether it is a number, whether it has more than two decimals)."""
    import ibis

    if value.type().is_string():
        number = value.re_search(NUMBER_TEXT)
        return value.try_cast(NUMBER), number, value.re_search(MORE_THAN_TWO_DECIMALS)
    # An integer or a decimal with at most 4 decimals (`_typed`): NUMBER holds it exactly.
    number = value.notnull() & (value > -NUMBER_LIMIT) & (value < NUMBER_LIMIT)
    dtype = value.type()
    decimals = (value != value.round(2)) if dtype.is_decimal() and (dtype.scale or 0) > 2 else ibis.literal(False)
    return value.try_cast(NUMBER), number, decimals


def _whole(value: Any) -> tuple[Any, Any]:
    """(the value as NUMBER, whether it is a whole number WHOLE_TEXT accepts); NULL: NULL."""
    if value.type().is_string():
        return value.try_cast(NUMBER), value.re_search(WHOLE_TEXT)
    return value, (value >= 0) & (value < WHOLE_LIMIT)


def _is_boolean(value: Any) -> Any:
    """Whether a (present) value reads as a boolean: a BOOLEAN, or one of the words."""
    import ibis

    if value.type().is_boolean():
        return ibis.literal(True)
    return value.lower().isin([*TRUE_WORDS, *FALSE_WORDS])


def _true(value: Any) -> Any:
    """The value as a boolean: absent (and, for rows that pass, nothing else) is False."""
    if value.type().is_boolean():
        return value.fill_null(False)
    return value.lower().isin(list(TRUE_WORDS)).fill_null(False)


def flag_rows(raw: Any, groups: Any) -> Any:
    """The raw rows with `_bad`: a bitmask with bit i set when the row fails check i of
    `_checks` (0: no check failed). The group dates, type rules and JSON markers are dropped.

    Materialise this once: the problems then come from the few rows with `_bad` set, and
    the accepted events from the others, without re-running the joins and the casts."""
    import ibis

    created, ended = groups.created_at.cast("date"), groups.ended_at.cast("date")
    latest = ibis.greatest(created, ended.fill_null(created)).max().over(ibis.window())
    dates = groups.select(groups.group_id.cast("string").name("group_id"), created.name("created_at"),
                          ended.name("ended_at"), (latest + ibis.interval(days=DAYS_PAST_ROSTER)).cast("date").name("_roster_until"))
    t = raw.left_join(dates, raw.group_id == dates.group_id)
    t = with_type_rules(t.drop("group_id_right"))
    checks = _checks(t)
    assert checks[0][0] == "bad_json", "bit 0 is bad_json: a line that is not JSON has no columns to judge"
    conditions = [condition for _, _, condition in checks[1:]]
    bits = [ibis.ifelse(condition, ibis.literal(1 << i, "int64"), ibis.literal(0, "int64"))
            for i, condition in enumerate(conditions, start=1)]
    # Most rows pass every check: the bits are added up only for the rows failing one.
    zero = ibis.literal(0, "int64")
    bad = ibis.ifelse(t._bad_json, ibis.literal(1, "int64"),
                      ibis.ifelse(ibis.or_(*conditions), sum(bits[1:], bits[0]), zero))
    rules = [c for c in type_rules().columns if c != "_type"]
    return t.mutate(_bad=bad).drop("created_at", "ended_at", "_roster_until", "_bad_json", "_extra_keys", *rules)


@functools.cache
def _labels() -> tuple[tuple[str, str], ...]:
    """(reason, column) of each check, in bit order."""
    import ibis

    schema = {c.name: "string" for c in COLUMNS} | {"_ts": "timestamp", "_bad_json": "boolean",
                                                    "_extra_keys": "string", "created_at": "date", "ended_at": "date",
                                                    "_roster_until": "date"}
    return tuple((reason, column) for reason, column, _ in _checks(with_type_rules(ibis.table(schema, name="labels"))))


def problems_of(flagged: Any) -> Any:
    """(row, column, reason, value) for every check a row fails, and for duplicate rows."""
    import ibis

    bad = flagged.filter(flagged._bad != 0)
    parts = [
        bad.filter((bad._bad & (1 << i)) != 0).select(
            row=bad._row, column=ibis.literal(column), reason=ibis.literal(reason),
            value=(bad[column].cast("string") if column in bad.columns else ibis.null("string")))
        for i, (reason, column) in enumerate(_labels())
    ]
    return ibis.union(*parts).union(_duplicates(flagged))


def accepted_events(flagged: Any, problems: Any | None) -> Any:
    """The typed events of the rows without problems (`problems` None: there were none).

    Rows failing a check are known from `_bad`; of the problems, only the duplicates (the
    one problem `_bad` does not mark) are needed."""
    t = flagged
    good = t.filter(t._bad == 0)
    if problems is not None:
        dupes = problems.filter(problems.reason == "duplicate").select("row")
        good = good.anti_join(dupes, good._row == dupes.row)
    return typed_events(good)


def typed_events(good: Any) -> Any:
    """The rows' events, typed as the simulation reads them (for rows that pass the checks; others
    get NULL where a value does not convert)."""
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
        removed=_true(good.removed),
        flag=good.flag,
        # TRY_CASTs: the same values for the rows that pass, and no error if a query's filter
        # is evaluated before `_bad == 0` on a row that does not (events may be a view).
        score=_whole(good.score)[0].try_cast("int8"),
        count=_whole(good["count"])[0].try_cast("int64").fill_null(1),
        length=_whole(good.length)[0].try_cast("int64"),
        sop=good.sop,
    )


def _duplicates(raw: Any) -> Any:
    """Rows equal in every contract column to an earlier row, with that first row as the value.

    Comparing every column over all rows is costly; with `_h` (a hash of them, from
    `read_raw`), only the rows whose hash repeats are compared in full (`compute.repeated_values`:
    each engine finds them its fastest way)."""
    import ibis

    from ..compute import repeated_values

    columns = [c.name for c in COLUMNS]
    candidates = raw
    if "_h" in raw.columns:
        candidates = raw.semi_join(repeated_values(None, raw, "_h"), "_h")
    first = ibis.window(group_by=columns)
    marked = candidates.mutate(_first=candidates._row.min().over(first))
    dupes = marked.filter(marked._row != marked._first)
    return dupes.select(row=dupes._row, column=ibis.literal("*"), reason=ibis.literal("duplicate"),
                        value=dupes._first.cast("string"))


def ingest(con: Any, path: Path, groups: Any, timezone: str, shown: str | None = None,
           options: ReadOptions | None = None) -> Ingested:
    """Read and check `path` (`shown`: the file as errors name it; `options`: its encoding,
    sheet and mapping): the flagged rows and the problems are materialised once.

    When every column the events convert is typed already (a Parquet file of the right
    types), the accepted events are a projection of the flagged rows, not a copy; otherwise
    they are materialised once and the flagged rows dropped."""
    if engine_name(con) == "spark":
        raw, headers, described = _read_for_spark(con, path, timezone, shown or str(path), options)
    else:
        source = open_source(path, shown, options)
        raw, headers = read_source(con, source, timezone, options)
        described = source.describe()
    flagged_name = _temp_name("flagged")
    try:
        with _rows_probe(con):
            flagged, rows_read = store(con, flagged_name, flag_rows(raw, groups))
    except Exception as exc:  # the whole file is read here: a problem past its first rows shows now
        if engine_name(con) == "spark":
            raise
        failure = read_failure(exc, source.path, source.shown, source.reads_as, source.separator)
        if failure is None:
            raise
        raise failure from None
    problems, problem_rows = store(con, _temp_name("problems"), problems_of(flagged))
    rejected, duplicates, by_reason = _problem_counts(con, problems) if problem_rows else (0, 0, [])
    events = accepted_events(flagged, problems if duplicates else None)
    # Every row `_bad` marks, and every duplicate, has a problem: the others are accepted.
    accepted = rows_read - rejected
    if any(flagged[name].type().is_string() for name in _CONVERTED):
        with _rows_probe(con):
            events, accepted = store(con, _temp_name("events"), events)
        drop(con, flagged_name)
    elif engine_name(con) == "duckdb":
        # A view of the projection, by name: the stages' expressions then read a table (smaller
        # to build and compile, and of a shape that does not depend on how the file was read).
        events = view(con, _temp_name("events"), events)
    read = described | {"columns": dict(headers.sources), "ignored": list(headers.ignored)}
    return Ingested(str(path), events, problems, rows_read, accepted, rejected, by_reason, read)


def _read_for_spark(con: Any, path: Path, timezone: str, shown: str,
                    options: ReadOptions | None) -> tuple[Any, Headers, dict[str, Any]]:
    """The raw rows on Spark (`events/spark_read.py`): a table or Parquet read by Spark; a text
    file or a workbook read by DuckDB as on the DuckDB engine, its raw rows handed over."""
    from ..compute import fetch, from_arrow
    from ..compute.duckdb import connect
    from . import spark_read

    mapping = (options or ReadOptions()).mapping
    if spark_read.read_by_spark(path):
        return spark_read.read(con, path, shown, mapping, (FIRST_TIME, LAST_TIME), _temp_name("raw"))
    import pyarrow as pa

    source = open_source(path, shown, options)
    local = connect(timezone)
    try:
        raw, headers = read_source(local, source, timezone, options)
        arrow = fetch(local, raw)
    except (InputError, UsageError):
        raise
    except Exception as exc:  # the whole file is read here
        failure = read_failure(exc, source.path, source.shown, source.reads_as, source.separator)
        if failure is None:
            raise
        raise failure from None
    finally:
        local.disconnect()
    # DuckDB's row hash is unsigned, a type Spark lacks: the same bits as a signed integer.
    index = arrow.schema.get_field_index("_h")
    arrow = arrow.set_column(index, "_h", arrow["_h"].cast(pa.int64(), safe=False))
    moved = from_arrow(con, _temp_name("raw"), arrow)
    return moved, headers, source.describe()


@contextmanager
def _rows_probe(con: Any) -> Iterator[None]:
    """The file's rows probe the joins with the small tables (groups, type rules, duplicates),
    whatever their numbers: they then come out in the file's order. DuckDB would otherwise build
    its hash table on the rows of a file with fewer rows than the other side (a file of 3 events,
    12 event types) and give them in that side's order."""
    if engine_name(con) != "duckdb":
        yield
        return
    before = con.con.execute("SELECT current_setting('disabled_optimizers')").fetchone()[0]
    con.con.execute(f"SET disabled_optimizers = '{_quote(','.join(filter(None, [before, 'build_side_probe_side'])))}'")
    try:
        yield
    finally:
        con.con.execute(f"SET disabled_optimizers = '{_quote(before or '')}'")


def _problem_counts(con: Any, problems: Any) -> tuple[int, int, list[tuple[str, str, int]]]:
    """(rows rejected, duplicate rows, (reason, column, rows) most rows first): one query."""
    import ibis

    grouped = problems.group_by(["reason", "column"]).aggregate(rows=problems.row.nunique())
    total = problems.aggregate(rows=problems.row.nunique()).mutate(reason=ibis.null("string"),
                                                                   column=ibis.null("string"))
    found = fetch_rows(con, grouped.union(total.select("reason", "column", "rows"), distinct=False))
    # Most rows first, then by reason and column (ASCII words: Python's order is DuckDB's).
    by_reason = sorted(((str(r["reason"]), str(r["column"]), int(r["rows"])) for r in found if r["reason"] is not None),
                       key=lambda item: (-item[2], item[0], item[1]))
    rejected = next(int(r["rows"]) for r in found if r["reason"] is None)
    duplicates = sum(rows for reason, _, rows in by_reason if reason == "duplicate")
    return rejected, duplicates, by_reason


# The columns `accepted_events` converts from text (cheap from typed columns: a projection).
_CONVERTED = ("amount", "removed", "score", "count", "length")


_COUNTER = iter(range(1_000_000_000))


def _temp_name(kind: str) -> str:
    return f"qunce_{kind}_{next(_COUNTER)}"
