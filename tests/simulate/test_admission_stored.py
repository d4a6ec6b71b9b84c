"""admissions and refused_rows on the joins and moves stored once (as the group stage runs them)
judge and drop exactly what they do reading the events themselves."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("ibis")

from qunce.compute import store
from qunce.simulate.admission import admissions, join_rows, moves, refused_rows
from qunce.simulate.periods import assignments_table

from . import test_admission as base
from .test_admission import BEFORE, GROUP_TYPES, ROSTER, Data, records

data = base.data  # the fixture: test_admission's events


def _judged(data: Data, stored: bool) -> tuple[Any, Any]:
    import ibis

    con, events, groups = data
    kwargs: dict[str, Any] = {}
    if stored:
        kwargs["joins"] = store(con, "stored_joins", join_rows(events, groups, GROUP_TYPES))[0]
        kwargs["moved"] = store(con, "stored_moves", moves(events))[0]
    judged = admissions(events, groups, assignments_table(ROSTER), GROUP_TYPES, ibis.memtable(BEFORE), **kwargs)
    return judged, refused_rows(events, judged, kwargs.get("moved"))


def test_stored_joins_and_moves_change_nothing(data: Data) -> None:
    con = data[0]
    (plain, plain_dropped), (stored, stored_dropped) = _judged(data, False), _judged(data, True)
    assert records(con, stored) == records(con, plain)
    assert records(con, stored_dropped.order_by("_drop")) == records(con, plain_dropped.order_by("_drop"))
    assert {r["_drop"] for r in records(con, stored_dropped)}  # some joins are refused: the test judges something
