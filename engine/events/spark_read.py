"""Reading events on Spark (`--engine spark`): the raw rows `ingest` checks, with the columns,
row numbers and values DuckDB's `read_source` gives, so that the same checks (Ibis, shared)
judge them alike.

- A Parquet file, or a folder of Parquet parts as Spark writes them, any path Spark reads
  (local, hdfs://, s3a://): read by Spark. Rows are numbered as DuckDB numbers a file's rows
  (the first row is 1); a folder's parts one after the other in the order of their names.
- A table of the session's catalog (`--events table:db.events`): read by Spark; its rows are
  numbered in the order Spark reads them (the same for the same table on every run; a table has
  no row numbers of its own, and the rejected rows' values say which they are).
- A text file or a workbook (a team's export, on this machine): read by DuckDB exactly as on
  the DuckDB engine (encodings, headers, the mapping's forms, row numbers as an editor shows
  them), and its raw rows handed to Spark; the checks run on Spark.

Text values in Parquet and tables are read as `value_forms` reads them, in Spark SQL: type
labels, money, and times in ISO 8601, the default forms, the mapping's formats, epochs and
Excel serials."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..event_contract import COLUMNS
from .headers import Headers, resolve
from .value_forms import (
    DEFAULT_FORMATS,
    EPOCH_TEXT,
    MONEY_MARKS,
    MONEY_TEXT,
    NAIVE_TEXT,
    SERIAL_MAX,
    SERIAL_TEXT,
    reread,
    value_select,
)

TABLE_PREFIX = "table:"
_FILE, _INDEX = "_qunce_file", "_qunce_index"  # a Parquet row's file and place in it (Spark's metadata)
_MARKS = (_FILE, _INDEX)
PLAIN_NUMBER = r"[+-]?[0-9]+(\.[0-9]+)?"
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


def is_table(path: Path | str) -> bool:
    """Whether `--events` names a table of the session's catalog (`table:db.events`)."""
    return str(path).startswith(TABLE_PREFIX)


def read_by_spark(path: Path | str) -> bool:
    """Whether Spark reads this input itself (a table, Parquet, a folder of it, a URI)."""
    text = str(path)
    return is_table(text) or "://" in text or Path(text).is_dir() or text.lower().endswith(PARQUET_SUFFIXES)


def read(con: Any, path: Path | str, shown: str, mapping: Any,
         bounds: tuple[str, str], view_name: str) -> tuple[Any, Headers, dict[str, Any]]:
    """(the raw rows as an Ibis table of the view `view_name`, how the headers were read, what
    was read) for a table or Parquet input (`read_by_spark`)."""
    session = con._session
    frame, described = _frame(session, path, shown)
    numbered = _numbered(session, frame, described["format"] == "table")
    numbered.createOrReplaceTempView(f"{view_name}_source")
    present = [c for c in frame.columns if c not in _MARKS]
    headers = resolve(present, shown, getattr(mapping, "columns", None), getattr(mapping, "ignore", ()),
                      getattr(mapping, "path", None), True)
    from .ingest import REQUIRED_COLUMNS

    missing = [c for c in REQUIRED_COLUMNS if c not in headers.sources]
    if missing:
        raise InputError(f"{shown}: missing column(s) {', '.join(missing)}", f"{shown}：缺少列 {'、'.join(missing)}")
    types = dict(frame.dtypes)
    typed = {c for c, h in headers.sources.items() if _typed(c, types[h]) and not reread(c, mapping)}
    session.sql(_select(f"{view_name}_source", headers, typed, types, mapping, bounds)) \
        .createOrReplaceTempView(view_name)
    return con.table(view_name), headers, described


def _frame(session: Any, path: Path | str, shown: str) -> tuple[Any, dict[str, Any]]:
    text = str(path)
    if is_table(text):
        name = text[len(TABLE_PREFIX):].strip()
        if not name:
            raise UsageError("--events table:NAME: name the table, e.g. --events table:db.events",
                             "--events table:表名：请写出表名，例如 --events table:db.events")
        if not session.catalog.tableExists(name):
            raise InputError(f"{shown}: no table {name} in the Spark session's catalog",
                             f"{shown}：Spark 会话的目录中没有表 {name}")
        return session.table(name), {"format": "table", "table": name}
    if "://" not in text and not Path(text).exists():
        raise InputError(f"no such event file: {shown}", f"找不到事件文件：{shown}")
    frame = session.read.parquet(text)
    frame = frame.select("*", frame["_metadata.file_path"].alias(_FILE), frame["_metadata.row_index"].alias(_INDEX))
    return frame, {"format": "parquet"} | ({"parts": "folder"} if "://" in text or Path(text).is_dir() else {})


def _numbered(session: Any, frame: Any, table: bool) -> Any:
    """`frame` with `_row`: a Parquet file's row number (its index + 1), the parts of a folder
    one after the other by name; a table's rows in the order Spark reads them."""
    from pyspark.sql import functions as F

    if not table:
        counts = dict(frame.groupBy(_FILE).count().collect())
        files = sorted(counts)
        if len(files) <= 1:
            return frame.withColumn("_row", F.col(_INDEX) + 1).drop(*_MARKS)
        offsets, total = [], 0
        for name in files:
            offsets.append((name, total))
            total += int(counts[name])
        starts = session.createDataFrame(offsets, f"{_FILE} string, _offset long")
        joined = frame.join(F.broadcast(starts), _FILE)
        return joined.withColumn("_row", F.col("_offset") + F.col(_INDEX) + 1).drop(*_MARKS, "_offset")
    # A table: Spark's id is its partition's number (shifted 33 bits) and the row's place in it;
    # with each partition's rows counted, the rows are numbered 1, 2, … in that order, in parallel.
    with_id = frame.withColumn("_id", F.monotonically_increasing_id())
    part = F.shiftright(F.col("_id"), 33)
    parts = sorted(with_id.groupBy(part.alias("_part")).count().collect())
    offsets, total = [], 0
    for number, rows in parts:
        offsets.append((int(number), total))
        total += int(rows)
    starts = session.createDataFrame(offsets or [(0, 0)], "_part long, _offset long")
    joined = with_id.join(F.broadcast(starts), F.shiftright(with_id["_id"], 33) == starts["_part"])
    row = F.col("_offset") + (F.col("_id") - F.shiftleft(F.col("_part"), 33)) + 1
    return joined.withColumn("_row", row).drop("_id", "_part", "_offset")


def _typed(name: str, spark_type: str) -> bool:
    """`ingest._typed` for Spark's type names: a column checked as it is, not as its text."""
    from ..event_contract import BY_NAME

    kind = BY_NAME[name].type
    integer = spark_type in ("tinyint", "smallint", "int", "bigint")
    if kind == "timestamp":
        return spark_type in ("timestamp", "timestamp_ntz")
    if kind == "decimal":
        found = re.fullmatch(r"decimal\((\d+),(\d+)\)", spark_type)
        return integer or (found is not None and int(found.group(2)) <= 4)
    if kind == "integer":
        return integer
    if kind == "boolean":
        return spark_type == "boolean"
    return False


def _select(source: str, headers: Headers, typed: set[str], types: dict[str, str], mapping: Any,
            bounds: tuple[str, str]) -> str:
    columns = []
    for column in COLUMNS:
        name = column.name
        header = headers.sources.get(name)
        if header is None:
            columns.append(f"CAST(NULL AS STRING) AS `{name}`")
        elif name in typed:
            columns.append(f"{_q(header)} AS `{name}`")
        else:
            columns.append(f"NULLIF(TRIM(CAST({_q(header)} AS STRING)), '') AS `{name}`")
    values = value_select(typed, mapping, text, _amount, lambda name: f"`{name}`")
    if "ts" not in typed:
        local = _local_time("ts", tuple(getattr(mapping, "time_formats", ()) or ()), getattr(mapping, "time_unit", None))
    elif types[headers.sources["ts"]] == "timestamp":  # an instant: its local time (the session's zone is the playbook's)
        local = "CAST(ts AS TIMESTAMP_NTZ)"
    else:
        local = "ts"
    first, last = bounds
    bounded = f"CASE WHEN _t >= TIMESTAMP_NTZ '{first}' AND _t <= TIMESTAMP_NTZ '{last}' THEN _t END"
    names = ", ".join(f"`{c.name}`" for c in COLUMNS)
    return (f"SELECT * EXCEPT (_t), {bounded} AS _ts, xxhash64({names}) AS _h FROM ("
            f"SELECT *, {local} AS _t FROM (SELECT _row, {values}, CAST(NULL AS BOOLEAN) AS _bad_json, "
            f"CAST(NULL AS STRING) AS _extra_keys FROM (SELECT _row, {', '.join(columns)} FROM {source})))")


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def text(value: str) -> str:
    """`value` as a Spark SQL string literal (Spark reads backslashes in literals as escapes)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _full(value: str, pattern: str) -> str:
    return f"({value} RLIKE {text('^(?:' + pattern + ')$')})"


def _amount(value: str, unit: str) -> str:
    """`value_forms.amount_sql` in Spark SQL."""
    cleaned = (f"CASE WHEN {_full(value, MONEY_TEXT)} THEN regexp_replace({value}, {text(MONEY_MARKS)}, '') "
               f"ELSE {value} END")
    if unit != "fen":
        plain = _full(value, PLAIN_NUMBER)
        return f"CASE WHEN {value} IS NULL OR {plain} THEN {value} ELSE {cleaned} END"
    return f"COALESCE(CAST(try_cast({cleaned} AS DECIMAL(18, 4)) * 0.01 AS STRING), {cleaned})"


def _local_time(ts: str, formats: tuple[str, ...], unit: str | None) -> str:
    """`value_forms.local_time_sql` in Spark SQL: a TIMESTAMP_NTZ (the session's zone is the
    playbook's, so an instant cast to it is its local time)."""
    parsed = ", ".join(f"CAST(try_to_timestamp({ts}, {text(java_pattern(f))}) AS TIMESTAMP_NTZ)" for f in DEFAULT_FORMATS)
    chain = (f"CASE WHEN {_full(ts, NAIVE_TEXT)} THEN try_cast({ts} AS TIMESTAMP_NTZ) "
             f"ELSE COALESCE(CAST(try_cast({ts} AS TIMESTAMP) AS TIMESTAMP_NTZ), {parsed}) END")
    if unit in ("epoch_seconds", "epoch_milliseconds"):
        scale = 1_000_000 if unit == "epoch_seconds" else 1_000
        micros = f"try_cast(try_cast({ts} AS DECIMAL(20, 6)) * {scale} AS BIGINT)"
        chain = f"CASE WHEN {_full(ts, EPOCH_TEXT)} THEN CAST(timestamp_micros({micros}) AS TIMESTAMP_NTZ) ELSE {chain} END"
    elif unit == "excel_serial":
        days = f"try_cast({ts} AS DOUBLE)"
        serial = (f"CASE WHEN {days} >= 1 AND {days} < {SERIAL_MAX + 1} THEN timestampadd(MILLISECOND, "
                  f"CAST(round({days} * 86400000) AS BIGINT), TIMESTAMP_NTZ '1899-12-30 00:00:00') END")
        chain = f"CASE WHEN {_full(ts, SERIAL_TEXT)} THEN {serial} ELSE {chain} END"
    given = [f"CAST(try_to_timestamp({ts}, {text(java_pattern(f))}) AS TIMESTAMP_NTZ)" for f in formats]
    return f"COALESCE({', '.join([*given, chain])})" if given else chain


# strptime's directives as Java's DateTimeFormatter patterns (Spark's), for parsing: one letter
# reads one or two digits, as DuckDB's %m, %d, %H do.
_JAVA = {"Y": "yyyy", "y": "yy", "-y": "y", "m": "M", "-m": "M", "d": "d", "-d": "d", "H": "H", "-H": "H",
         "I": "h", "-I": "h", "M": "m", "-M": "m", "S": "s", "-S": "s", "f": "SSSSSS", "p": "a", "b": "MMM",
         "B": "MMMM", "a": "E", "A": "EEEE", "j": "D", "-j": "D", "z": "XXX", "%": "'%'"}


def java_pattern(strptime: str) -> str:
    """A strptime format as a Java pattern; UsageError for a directive Spark cannot read."""
    out, literal, i = [], "", 0
    while i < len(strptime):
        char = strptime[i]
        if char != "%":
            literal += char
            i += 1
            continue
        key = strptime[i + 1:i + 3] if strptime[i + 1:i + 2] == "-" else strptime[i + 1:i + 2]
        if key not in _JAVA:
            raise UsageError(f"time format {strptime!r}: %{key} is not read on Spark; use %Y %m %d %H %M %S %f %z "
                             "and the like, or --engine duckdb",
                             f"时间格式 {strptime!r}：Spark 上不支持 %{key}；请使用 %Y %m %d %H %M %S %f %z 等，"
                             "或改用 --engine duckdb")
        out.append(_literal(literal))
        literal = ""
        out.append(_JAVA[key])
        i += 1 + len(key)
    out.append(_literal(literal))
    return "".join(out)


def _literal(value: str) -> str:
    """Text a Java pattern reads as it is: quoted when it holds letters or pattern signs."""
    if not value:
        return ""
    if re.search(r"[A-Za-z\[\]#{}']", value):
        return "'" + value.replace("'", "''") + "'"
    return value
