"""Each join and each leave once. Overlapping exports repeat them, and a join is in both the group
details and the add_member callback: for each member of each group, in time order, a run of joins
with no leave between them is one stay, and so one join (the group details' when there is one:
it has the inviter and the exact join scene, else the first); a run of leaves with no join
between them is one leave (the first). The others are duplicates. Staff joining or leaving are
no member events: the roster has them."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from itertools import groupby

from .records import Movement, Tally

_ORDER = {"join": 0, "leave": 1}
_PREFERRED = {"details": 0, "changes": 1}


def settle(movements: Iterable[Movement], staff: Collection[str], tally: Tally) -> list[Movement]:
    """The joins and leaves to write, in (group, member, time) order; duplicates and staff counted
    as skipped in `tally`."""
    kept: list[Movement] = []
    members: list[Movement] = []
    for movement in movements:
        if movement.member_id in staff:
            tally.skip(movement.source, "staff_member")
        else:
            members.append(movement)
    members.sort(key=lambda m: (m.group_id, m.member_id, m.at, _ORDER[m.kind], _PREFERRED[m.source], m.file, m.line))
    for _, history in groupby(members, key=lambda m: (m.group_id, m.member_id)):
        for kind, run in groupby(history, key=lambda m: m.kind):
            same = list(run)
            chosen = min(same, key=lambda m: _PREFERRED[m.source]) if kind == "join" else same[0]
            kept.append(chosen)
            for movement in same:
                if movement is not chosen:
                    tally.skip(movement.source, "duplicate")
    return kept
