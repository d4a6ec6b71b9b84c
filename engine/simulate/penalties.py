"""Group-rule penalties （群规处罚） from the messages staff flagged.

A flagged message is a member's message (no staff_id) whose `flag` names a banned behaviour.
Offences are counted per member, group and behaviour, in time order (ts, then row): the Nth
offence gets the behaviour's Nth penalty, and once the list runs out the last one repeats
(warn, mute_1d, remove → warn, mute_1d, remove, remove, …). Offences never expire.

A flag that is not a banned behaviour of the playbook is kept, not dropped: it is counted like
the others, with behaviour_name NULL, penalty "unknown" and no penalty_text or mute_until, so
the run shows that the data and the playbook disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..model.rules import BannedBehaviour

UNKNOWN = "unknown"

PENALTY_COLUMNS = ("row", "ts", "date", "group_id", "member_id", "behaviour", "behaviour_name", "offence",
                   "penalty", "penalty_text", "mute_until")


def _steps(banned: Sequence[BannedBehaviour]) -> Any:
    # One row per behaviour and step; `last` marks the step that repeats.
    from ..compute import literal_table

    schema = {"_behaviour": "string", "behaviour_name": "string", "_step": "int64", "_last": "boolean",
              "penalty": "string", "penalty_text": "string", "_minutes": "int64"}
    columns: dict[str, list[Any]] = {key: [] for key in schema}
    for item in banned:
        for step, penalty in enumerate(item.penalties, start=1):
            minutes = penalty.duration.minutes if penalty.kind == "mute" and penalty.duration else None
            for key, value in (("_behaviour", item.id), ("behaviour_name", item.name), ("_step", step),
                               ("_last", step == len(item.penalties)), ("penalty", penalty.kind),
                               ("penalty_text", penalty.text), ("_minutes", minutes)):
                columns[key].append(value)
    return literal_table(columns, schema)


def penalties(events: Any, banned: Sequence[BannedBehaviour]) -> Any:
    """One row per flagged member message (columns: PENALTY_COLUMNS), ordered by group_id,
    member_id, ts, row. offence is 1-based per member, group and behaviour; mute_until is
    ts + the mute's duration (NULL for warn, remove and unknown flags)."""
    import ibis

    t = events.filter((events.type == "message") & events.flag.notnull() & events.staff_id.isnull())
    nth = ibis.window(group_by=[t.group_id, t.member_id, t.flag], order_by=[t.ts, t.row])
    t = t.select("row", "ts", "date", "group_id", "member_id", behaviour=t.flag,
                 offence=(ibis.row_number().over(nth) + 1).cast("int64"))
    s = _steps(banned)
    # The Nth offence takes step N, or the last step once N is past it.
    matches = (t.behaviour == s._behaviour) & ((t.offence == s._step) | (s._last & (t.offence > s._step)))
    x = t.left_join(s, matches)
    minutes = x._minutes
    x = x.mutate(penalty=x.penalty.fill_null(UNKNOWN),
                 mute_until=ibis.ifelse(minutes.notnull(), x.ts + minutes.as_interval("m"), ibis.null("timestamp")))
    return x.select(*PENALTY_COLUMNS).order_by(["group_id", "member_id", "ts", "row"])


def penalty_summary(penalties_table: Any) -> Any:
    """Penalties per behaviour and kind, for the run summary: behaviour, behaviour_name,
    penalty, rows; ordered by behaviour and penalty."""
    t = penalties_table
    summary = t.group_by(["behaviour", "behaviour_name", "penalty"]).aggregate(rows=t.count())
    return summary.order_by(["behaviour", "penalty"])
