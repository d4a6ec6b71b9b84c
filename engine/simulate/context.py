"""What every simulator stage shares: the connection, the playbook, the roster tables, the
accepted events, the window and the evaluation periods."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..catalog import Names
from ..events.roster import Roster
from ..model import Playbook
from ..playbook_names import playbook_names
from .periods import Period, periods

# QUNCE_PROFILE=1 prints how long each materialised step took (for bench work).
PROFILE = bool(os.environ.get("QUNCE_PROFILE"))


@contextmanager
def profiled(label: str) -> Iterator[None]:
    """Under QUNCE_PROFILE, print how long the block took."""
    if not PROFILE:
        yield
        return
    import threading

    began, cpu, own = time.perf_counter(), time.process_time(), time.thread_time()
    yield
    # CPU time too: on a busy machine it varies far less than the wall time. The process's CPU
    # counts every thread; in a background thread its own CPU is printed as well.
    mine = "" if threading.current_thread() is threading.main_thread() else \
        f", the thread's own {time.thread_time() - own:.2f}s"
    print(f"qunce profile: {label} {time.perf_counter() - began:.2f}s (cpu {time.process_time() - cpu:.2f}s{mine})",
          file=sys.stderr)


def reads_staff_role(filters: Iterable[str | None]) -> bool:
    """Whether any of the event filter texts reads `staff_role` (by any of its names)."""
    from ..expr.parse import parse
    from ..expr.tree import names_in

    names = Names("event")
    return any((resolved := names.resolve(name.id)) is not None and resolved.id == "staff_role"
               for text in filters if text for name in names_in(parse(text)))


# membership.evaluate → the simulator's period names
EVALUATE_PERIODS = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter"}


@dataclass
class SimContext:
    con: Any
    playbook: Playbook
    roster: Roster
    groups: Any  # ibis.Table (frames.groups_table), materialised
    assignments: Any  # ibis.Table (periods.assignments_table), materialised
    events: Any  # ibis.Table of accepted events, materialised
    start: dt.date  # the window's first day
    end: dt.date  # the window's last day
    history_start: dt.date  # the first event's day (balances and features carry in from it)
    staff_roles: Any | None = None  # staff_roles.staff_roles, when an event filter reads staff_role
    events_key: str | None = None  # the events cache entry's key (event_cache): keys the stage cache
    _names: dict[str, Names] = field(default_factory=dict, repr=False)

    def filterable(self, events: Any, filters: Iterable[str | None] | None = None) -> Any:
        """`events` with `staff_role` when a filter needs it (a view: a join with a small table),
        for the stages that compile event filters (points, custom metrics). `filters`: the
        `where` texts the caller compiles over the result; the join is left out when none reads
        staff_role (it costs a hash join over every event). None: assume one does."""
        if self.staff_roles is None or (filters is not None and not reads_staff_role(filters)):
            return events
        roles = self.staff_roles
        return events.left_join(roles, events.row == roles._r).drop("_r")

    def names(self, scope: str) -> Names:
        if scope not in self._names:
            self._names[scope] = playbook_names(self.playbook, scope)
        return self._names[scope]

    @property
    def period(self) -> str:
        """The evaluation period: the playbook's `membership.evaluate` (monthly without one)."""
        membership = self.playbook.membership
        return EVALUATE_PERIODS[membership.evaluate] if membership is not None else "month"

    @cached_property
    def periods(self) -> list[Period]:
        """The evaluation periods meeting the window, clipped to it."""
        return periods(self.start, self.end, self.period)

    def materialise(self, name: str, table: Any) -> Any:
        """Compute `table` once into a temporary table (later stages read it many times)."""
        return self.stored(name, table)[0]

    def stored(self, name: str, table: Any) -> tuple[Any, int]:
        """materialise, and the table's rows (counted as it is stored: no query of its own)."""
        return self.stored_union(name, [table])

    def materialise_union(self, name: str, parts: list[Any]) -> Any:
        """materialise the union of `parts` (one schema, every row kept), each part a query of its
        own: its compiled SQL kept by its shape (sql_cache), shared with a part of that shape."""
        return self.stored_union(name, parts)[0]

    def materialise_rebound(self, name: str, table: Any, instead: dict[Any, Any]) -> Any:
        """materialise `table` with each stored table among `instead`'s keys read from its value
        (a table of the same schema): the same query on other tables, not built again."""
        from ..compute.sql_cache import rebound

        with profiled(name):
            return rebound(self.con, f"qunce_{name}", table, instead)

    def stored_union(self, name: str, parts: list[Any]) -> tuple[Any, int]:
        from ..compute.sql_cache import stored_union

        with profiled(name):
            return stored_union(self.con, f"qunce_{name}", parts)
