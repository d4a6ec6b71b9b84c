"""`qunce diff`'s level changes: the members whose level in a period differs, compared row by row
when both playbooks give the same members and periods (no join: Arrow's imports pandas), joined
otherwise; the same list either way."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("pyarrow")

from hypothesis import given, settings
from hypothesis import strategies as st

from qunce.arrow_values import table_of
from qunce.compare.scenario import Pair, Scenario

PERIODS = ("2027-01", "2027-02")
LEVELS = st.one_of(st.none(), st.sampled_from(["member", "silver", "gold", "金卡"]))


def levels(rows: list[tuple[str, str, str | None]]) -> Any:
    import pyarrow as pa

    schema = pa.schema([("member_id", pa.string()), ("period", pa.string()), ("level", pa.string())])
    return table_of({"member_id": [r[0] for r in rows], "period": [r[1] for r in rows], "level": [r[2] for r in rows]},
                    schema)


def changes(old: list[tuple[str, str, str | None]], new: list[tuple[str, str, str | None]]) -> list[dict[str, Any]]:
    return Pair(Scenario(member_levels=levels(old)), Scenario(member_levels=levels(new)), {}, ("", "")).level_changes()


def expected(old: list[tuple[str, str, str | None]], new: list[tuple[str, str, str | None]]) -> list[dict[str, Any]]:
    before, after = {(m, p): lv for m, p, lv in old}, {(m, p): lv for m, p, lv in new}
    keys = sorted(set(before) | set(after), key=lambda k: (k[1], k[0]))
    return [{"member_id": m, "period": p, "old": before.get((m, p)), "new": after.get((m, p))}
            for m, p in keys if before.get((m, p)) != after.get((m, p))]


def test_the_same_members_compared_row_by_row_in_any_order() -> None:
    old = [("m2", "2027-01", "gold"), ("m1", "2027-01", "member"), ("m3", "2027-01", None), ("m1", "2027-02", "silver"),
           ("m4", "2027-02", None)]
    new = [("m1", "2027-01", "member"), ("m1", "2027-02", None), ("m2", "2027-01", "silver"), ("m4", "2027-02", None),
           ("m3", "2027-01", "member")]
    assert changes(old, new) == [
        {"member_id": "m2", "period": "2027-01", "old": "gold", "new": "silver"},
        {"member_id": "m3", "period": "2027-01", "old": None, "new": "member"},  # none to one: a change
        {"member_id": "m1", "period": "2027-02", "old": "silver", "new": None},
    ]  # m4: no level either way, no change


def test_other_members_or_periods_are_joined() -> None:
    old = [("m1", "2027-01", "member"), ("m2", "2027-01", "gold")]
    new = [("m1", "2027-01", "silver"), ("m1", "2027-02", "silver")]
    assert changes(old, new) == expected(old, new) == [
        {"member_id": "m1", "period": "2027-01", "old": "member", "new": "silver"},
        {"member_id": "m2", "period": "2027-01", "old": "gold", "new": None},
        {"member_id": "m1", "period": "2027-02", "old": None, "new": "silver"},
    ]


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.tuples(st.sampled_from(["m1", "m2", "m10", "成员"]), st.sampled_from(PERIODS)),
                       st.tuples(LEVELS, LEVELS), max_size=8),
       st.booleans())
def test_the_list_is_what_a_comparison_member_by_member_gives(
        pairs: dict[tuple[str, str], tuple[str | None, str | None]], drop_one: bool) -> None:
    old = [(m, p, a) for (m, p), (a, _) in pairs.items()]
    new = [(m, p, b) for (m, p), (_, b) in reversed(pairs.items())]
    if drop_one and new:
        new = new[1:]  # other keys: the join
    assert changes(old, new) == expected(old, new)
