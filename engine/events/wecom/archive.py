"""The chat archive (会话内容存档): decrypted messages, one JSON object a line as the official SDK
returns them, read and sorted out in DuckDB (a million lines: no Python loop over them).

Each line is a record. In order, the first that applies decides it:

- rejected: not JSON, not an object, no action or one other than send/recall/switch;
- skipped: a switch record; a message with no roomid (a one-to-one chat);
- rejected: a group message with no msgid, no msgtime or one that is not epoch seconds or
  milliseconds between 2000 and 2100, or no sender (`from`);
- skipped: a msgid seen before (overlapping exports); a recall (`action: recall`, msgtype
  revoke) and the message it recalls (`revoke.pre_msgid`);
- otherwise a `message` event: the group is roomid, the member is `from` (a staff member's post
  has staff_id too), length is the text's characters for a text message (none for images,
  files …, which count as valid messages).

The lines are read by `archive_read` into its table RAW."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .archive_read import BASES, RAW
from .records import SHOWN_REJECTIONS, Rejection, Tally
from .times import END_MS, FIRST_MS, MILLISECONDS_FROM, sql_local

KIND = "archive"
SORTED = "wecom_archive_sorted"
STAFF = "wecom_staff"  # the staff's userids (id), registered by the caller
MESSAGES = "wecom_messages"  # the messages to write (a view): the columns of assemble.CANDIDATES
SKIPS = ("switch", "not_group", "duplicate", "recall", "recalled")


def sort_out(con: Any, zone: str, tally: Tally, files: Sequence[str]) -> None:
    """Decide each line (the table SORTED: _why is NULL for a message to write), count the
    outcomes into `tally`, and define the view MESSAGES. The staff are in the table STAFF."""
    checks = (
        "WHEN _bad IS NOT NULL THEN _bad || ':' WHEN action IS NULL THEN 'missing:action' "
        "WHEN action NOT IN ('send', 'recall', 'switch') THEN 'bad_action:action' "
        "WHEN action = 'switch' THEN 'switch' WHEN roomid IS NULL THEN 'not_group' "
        "WHEN msgid IS NULL THEN 'missing:msgid' "
        "WHEN msgtime IS NULL THEN 'missing:msgtime' WHEN _t IS NULL OR _t < 0 THEN 'bad_time:msgtime' "
        f"WHEN _ms < {FIRST_MS} OR _ms >= {END_MS} THEN 'time_range:msgtime' "
        "WHEN sender IS NULL THEN 'missing:from'")
    recall = "(action = 'recall' OR msgtype = 'revoke')"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {SORTED} AS
        WITH fields AS (
            SELECT r.rowid AS _row, r._file, COALESCE(r._line, r.rowid - b._base + 1) AS _line, _bad,
                   NULLIF(msgid, '') AS msgid, NULLIF(action, '') AS action, NULLIF(sender, '') AS sender,
                   NULLIF(roomid, '') AS roomid, NULLIF(msgtime, '') AS msgtime, NULLIF(msgtype, '') AS msgtype,
                   content, NULLIF(pre_msgid, '') AS pre_msgid
            FROM {RAW} r LEFT JOIN {BASES} b USING (_file)
        ), timed AS (
            SELECT *, TRY_CAST(msgtime AS BIGINT) AS _t FROM fields
        ), scaled AS (
            SELECT *, CASE WHEN _t >= {MILLISECONDS_FROM} THEN _t ELSE _t * 1000 END AS _ms FROM timed
        ), decided AS (
            SELECT _row, _file, _line, msgid, action, sender, roomid, msgtype, pre_msgid, _ms,
                   CASE WHEN msgtype = 'text' THEN length(content) END AS length, CASE {checks} END AS _why
            FROM scaled
        ), unique_ AS (
            -- the first line of each msgid among those kept so far: a later one is a duplicate
            SELECT *, CASE WHEN _why IS NULL AND row_number() OVER (
                PARTITION BY msgid ORDER BY _why NULLS FIRST, _row) > 1 THEN 'duplicate' ELSE _why END AS _why2
            FROM decided
        ), recalled AS (
            SELECT DISTINCT pre_msgid FROM unique_ WHERE _why2 IS NULL AND {recall} AND pre_msgid IS NOT NULL
        ), offsets AS (
            -- the zone's offset once per minute with messages, not once per message (3x faster)
            SELECT _minute, epoch_ms({sql_local("_minute * 60000", zone)}) - _minute * 60000 AS _offset
            FROM (SELECT DISTINCT _ms // 60000 AS _minute FROM unique_ WHERE _why2 IS NULL)
        )
        SELECT _row, _file, _line, roomid, sender, length,
               CASE WHEN _why2 IS NULL THEN epoch_ms(_ms + _offset) END AS ts,
               CASE WHEN _why2 IS NOT NULL THEN _why2 WHEN {recall} THEN 'recall'
                    WHEN msgid IN (SELECT pre_msgid FROM recalled) THEN 'recalled' END AS _why
        FROM unique_ LEFT JOIN offsets ON _ms // 60000 = _minute""")
    for why, count in con.execute(f"SELECT _why, count(*) FROM {SORTED} GROUP BY _why").fetchall():
        tally.read[KIND] += count
        if why is None:
            continue
        if why in SKIPS:
            tally.skip(KIND, why, count)
        else:
            reason = why.split(":")[0]
            tally.rejected[(KIND, reason)] += count
    shown = con.execute(
        f"SELECT s._file, s._line, s._why, r.action, r.msgtime FROM {SORTED} s JOIN {RAW} r ON r.rowid = s._row "
        f"WHERE s._why IS NOT NULL AND s._why NOT IN ({', '.join(repr(k) for k in SKIPS)}) "
        f"ORDER BY s._file, s._line LIMIT {SHOWN_REJECTIONS}").fetchall()
    for file, line, why, action, msgtime in shown:
        reason, _, column = why.partition(":")
        value = action if column == "action" else msgtime if column == "msgtime" else None
        tally.rejections.append(Rejection(files[file], line, column, reason, value))
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW {MESSAGES} AS
        SELECT ts, 'message' AS type, roomid AS group_id, sender AS member_id,
               CASE WHEN sender IN (SELECT id FROM {STAFF}) THEN sender END AS staff_id,
               CAST(NULL AS VARCHAR) AS channel, CAST(NULL AS VARCHAR) AS referrer_id,
               CAST(NULL AS BOOLEAN) AS removed, CAST(length AS BIGINT) AS length,
               '{KIND}' AS _kind, _file, _line
        FROM {SORTED} WHERE _why IS NULL""")
