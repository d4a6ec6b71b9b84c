"""Reading the chat archive into DuckDB: every line of every file, in file and line order, into
the table RAW (the fields as text, as WeCom gives them; `archive.sort_out` decides each line).

The file is read with DuckDB's own JSON reader, in parallel, with only the fields needed; its
rows keep the file's order in RAW, whose rowid numbers them (the line numbers of the few
rejections shown are looked up afterwards, `line_numbers`: the reader leaves blank lines out). A
file that reader refuses (a broken line) is read again line by line, each line parsed on its own,
so that a bad line is one rejected record; a file with a line that is not UTF-8, line by line in
Python."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from .database import quote
from .kinds import Source
from .records import Tally

RAW = "wecom_archive_raw"
BASES = "wecom_archive_bases"  # _file, _base: the rowid in RAW before the first row of a file read whole

_READ_COLUMNS = ('{msgid: \'VARCHAR\', action: \'VARCHAR\', "from": \'VARCHAR\', roomid: \'VARCHAR\', '
                 "msgtime: 'VARCHAR', msgtype: 'VARCHAR', text: 'STRUCT(content VARCHAR)', "
                 "revoke: 'STRUCT(pre_msgid VARCHAR)'}")
_TRANSFORM = ('{"msgid": "VARCHAR", "action": "VARCHAR", "from": "VARCHAR", "roomid": "VARCHAR", '
              '"msgtime": "VARCHAR", "msgtype": "VARCHAR", "text": {"content": "VARCHAR"}, '
              '"revoke": {"pre_msgid": "VARCHAR"}}')
# The fields of a line, from `j` (the line parsed), as WeCom gives them (ids are not trimmed: an
# empty one counts as missing, in `sort_out`).
_FIELDS = ("j.msgid AS msgid, j.action AS action, j.\"from\" AS sender, j.roomid AS roomid, j.msgtime AS msgtime, "
           "j.msgtype AS msgtype, j.text.content AS content, j.revoke.pre_msgid AS pre_msgid")
_WHOLE_FIELDS = ('msgid, action, "from" AS sender, roomid, msgtime, msgtype, text.content AS content, '
                 "revoke.pre_msgid AS pre_msgid")


def read_archive(con: Any, sources: Sequence[tuple[int, Source]]) -> dict[str, Path]:
    """Every line of every archive file into the table RAW, in file and line order: _file, _line
    (NULL for a file read whole: its rows' order in RAW gives it, see BASES), _bad (why a line
    could not be read: not_utf8, not_json, not_object) and the fields. Returns the files read
    whole: their lines are counted without blank lines (see `line_numbers`)."""
    import pyarrow as pa

    con.execute(f"CREATE OR REPLACE TEMP TABLE {RAW} (_file INTEGER, _line BIGINT, _bad VARCHAR, msgid VARCHAR, "
                "action VARCHAR, sender VARCHAR, roomid VARCHAR, msgtime VARCHAR, msgtype VARCHAR, content VARCHAR, "
                "pre_msgid VARCHAR)")
    whole: dict[str, Path] = {}
    bases: dict[int, int] = {}
    for index, source in sources:
        before = con.execute(f"SELECT count(*) FROM {RAW}").fetchone()[0]
        if _read_whole(con, index, source.path):
            whole[source.shown] = source.path
            bases[index] = before
        elif not _read_by_line(con, index, source.path):
            _read_in_python(con, index, source.path)
    con.register(BASES, pa.table({"_file": pa.array(list(bases), pa.int32()),
                                  "_base": pa.array(list(bases.values()), pa.int64())}))
    return whole


def _read_whole(con: Any, index: int, path: Path) -> bool:
    """DuckDB's JSON reader on the file; False (nothing kept) when it fails. The rows are not
    numbered here (a window over the whole file would run on one thread): RAW keeps them in the
    file's order, and its rowid numbers them."""
    import duckdb

    try:
        con.execute(f"INSERT INTO {RAW} SELECT {index}, NULL, NULL, {_WHOLE_FIELDS} "
                    f"FROM read_json('{quote(str(path))}', columns = {_READ_COLUMNS}, format = 'newline_delimited')")
    except duckdb.Error:
        return False
    return True


def line_numbers(tally: Tally, whole: Mapping[str, Path]) -> None:
    """The rejections of files read whole, numbered by record (the reader leaves blank lines out),
    renumbered by line. Only the few shown are looked up, so a file without blank lines is never
    read twice for nothing."""
    wanted: dict[str, set[int]] = {}
    for rejection in tally.rejections:
        if rejection.file in whole:
            wanted.setdefault(rejection.file, set()).add(rejection.line)
    lines = {file: _physical(whole[file], records) for file, records in wanted.items()}
    tally.rejections = [replace(r, line=lines[r.file][r.line]) if r.file in lines else r for r in tally.rejections]


def _physical(path: Path, records: set[int]) -> dict[int, int]:
    """record number → line number, for the records asked for."""
    found: dict[int, int] = {}
    record = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                record += 1
                if record in records:
                    found[record] = number
                    if len(found) == len(records):
                        break
    return {r: found.get(r, r) for r in records}


def _read_by_line(con: Any, index: int, path: Path) -> bool:
    """Each line parsed on its own, in DuckDB; False (nothing kept) when the file is not UTF-8."""
    import duckdb

    source = quote(str(path))
    lines = (f"SELECT line, row_number() OVER () AS _line FROM read_csv('{source}', columns = {{'line': 'VARCHAR'}}, "
             "header = false, delim = '\\x1f', quote = '', escape = '', auto_detect = false, strict_mode = false)")
    # The first line may start with a byte order mark; blank lines are no records.
    trimmed = (f"SELECT _line, CASE WHEN _line = 1 THEN ltrim(line, chr(65279)) ELSE line END AS line FROM ({lines}) "
               "WHERE TRIM(COALESCE(line, '')) <> ''")
    # Nested CASEs: DuckDB evaluates a WHEN's AND on every row, a THEN only on matching rows.
    parsed = (f"SELECT _line, CASE WHEN NOT json_valid(line) THEN 'not_json' WHEN json_type(line) <> 'OBJECT' "
              f"THEN 'not_object' END AS _bad, CASE WHEN json_valid(line) THEN json_transform(line, '{_TRANSFORM}') "
              f"END AS j FROM ({trimmed})")
    try:
        con.execute(f"INSERT INTO {RAW} SELECT {index}, _line, _bad, {_FIELDS} FROM ({parsed})")
    except duckdb.Error:
        return False
    return True


def _read_in_python(con: Any, index: int, path: Path) -> None:
    """The last resort, line by line in Python: a line that is not UTF-8 is one rejected record
    (DuckDB's readers refuse the whole file)."""
    import pyarrow as pa

    rows: list[dict[str, Any]] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            row: dict[str, Any] = {"_line": number, "_bad": None}
            try:
                text = raw.decode("utf-8").lstrip("\ufeff" if number == 1 else "")
            except UnicodeDecodeError:
                row["_bad"] = "not_utf8"
                rows.append(row)
                continue
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except (ValueError, RecursionError):
                row["_bad"] = "not_json"
            else:
                if isinstance(value, dict):
                    row.update(_fields(value))
                else:
                    row["_bad"] = "not_object"
            rows.append(row)
    names = ("msgid", "action", "sender", "roomid", "msgtime", "msgtype", "content", "pre_msgid")
    table = pa.table({"_line": pa.array([r["_line"] for r in rows], pa.int64()),
                      "_bad": pa.array([r["_bad"] for r in rows], pa.string()),
                      **{name: pa.array([r.get(name) for r in rows], pa.string()) for name in names}})
    con.register("wecom_archive_lines", table)
    con.execute(f"INSERT INTO {RAW} SELECT {index}, _line, _bad, {', '.join(names)} FROM wecom_archive_lines")
    con.unregister("wecom_archive_lines")


def _fields(record: dict[str, Any]) -> dict[str, str | None]:
    """A record's fields as text, as DuckDB's reader gives them (a number's digits, JSON for the rest)."""
    def text(value: Any) -> str | None:
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    body, revoke = record.get("text"), record.get("revoke")
    return {"msgid": text(record.get("msgid")), "action": text(record.get("action")),
            "sender": text(record.get("from")), "roomid": text(record.get("roomid")),
            "msgtime": text(record.get("msgtime")), "msgtype": text(record.get("msgtype")),
            "content": text(body.get("content")) if isinstance(body, dict) else None,
            "pre_msgid": text(revoke.get("pre_msgid")) if isinstance(revoke, dict) else None}
