"""Membership levels over periods: a loop over the few period ends, vectorised over members.

Each period, every member (state carried from the last period; newcomers start at the
first level) is:
- promoted to the highest level whose `promote_when` holds, when that is above their level
  (levels can be skipped);
- otherwise demoted when their level's `keep_when` (or, without one, its `promote_when`)
  fails and they have stayed `min_stay` periods since reaching it: one level down
  (`one_step`), or to the highest lower level they keep (`recompute`; the first level
  always keeps);
- otherwise kept.
Every change carries its reason: the condition and the values that decided it. A condition
reading `level` or `level_rank` reads the level the member holds coming into the period (the
first level for a newcomer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..catalog import Names
from ..compute.sql_cache import stored
from ..expr.parse import parse
from ..expr.to_ibis import compile_expr
from ..model.membership import Level
from .classify import values_text


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    end: dt.date


def _condition(level: Level, which: str) -> str | None:
    if which == "keep":
        return level.keep_when or level.promote_when
    return level.promote_when


def evaluate_levels(
    con: Any,
    levels: Sequence[Level],
    periods: Sequence[Period],
    features_at: Callable[[Period], Any],
    names: Names,
    demotion: str = "one_step",
) -> Any:
    """member_levels: member_id, period, level, previous_level, change, reason (one row per
    member per period). `features_at(period)` gives member_id and the features the level
    conditions read, as of the period's end."""
    import ibis

    ids = [level.id for level in levels]
    state: Any = None
    outputs: list[Any] = []
    for number, period in enumerate(periods):
        feats = features_at(period)
        if state is None:
            t = feats.mutate(_rank=ibis.literal(0), _stay=ibis.literal(0), _new=ibis.literal(True))
        else:
            previous = state.select(member_id="member_id", _rank="rank", _stay="stay")
            t = feats.left_join(previous, feats.member_id == previous.member_id).drop("member_id_right")
            t = t.mutate(_new=t._rank.isnull(), _rank=t._rank.fill_null(0), _stay=t._stay.fill_null(0))
        # `level` and `level_rank` in a level's condition: the level held coming into the period.
        t = t.mutate(level_rank=t._rank, level=ibis.cases(*[(t._rank == i, ibis.literal(level_id))
                                                            for i, level_id in enumerate(ids)]))
        promote = {i: compile_expr(parse(text), t, names).fill_null(False)
                   for i, level in enumerate(levels) if i > 0 and (text := _condition(level, "promote"))}
        keep = {i: compile_expr(parse(text), t, names).fill_null(False)
                for i, level in enumerate(levels) if i > 0 and (text := _condition(level, "keep"))}
        # highest level whose promote condition holds
        up = ibis.literal(0)
        for i in sorted(promote):
            up = ibis.ifelse(promote[i], ibis.literal(i), up)
        keeps_current = ibis.literal(True)
        for i, held in keep.items():
            keeps_current = ibis.ifelse(t._rank == i, held, keeps_current)
        min_stay = ibis.literal(0)
        for i, level in enumerate(levels):
            min_stay = ibis.ifelse(t._rank == i, ibis.literal(level.min_stay), min_stay)
        if demotion == "recompute":
            lower = ibis.literal(0)
            for i in sorted(keep):
                lower = ibis.ifelse(keep[i] & (ibis.literal(i) < t._rank), ibis.literal(i), lower)
        else:
            lower = ibis.greatest(t._rank - 1, 0)
        promoted = up > t._rank
        # protected for min_stay periods after reaching the level (the period it was reached counts 1)
        demoted = ~promoted & (t._rank > 0) & ~keeps_current & (t._stay > min_stay)
        rank = ibis.cases((promoted, up), (demoted, lower), else_=t._rank)
        t = t.mutate(_up=up, _promoted=promoted, _demoted=demoted, rank=rank)
        reason = ibis.literal("")
        for i, level in enumerate(levels):
            if i == 0:
                continue
            promote_text = _condition(level, "promote")
            keep_text = _condition(level, "keep")
            if promote_text:
                reason = ibis.ifelse(t._promoted & (t._up == i),
                                     ibis.literal(f"{level.id}: {promote_text} — ").concat(
                                         values_text(promote_text, t, names)), reason)
            if keep_text:
                reason = ibis.ifelse(t._demoted & (t._rank == i),
                                     ibis.literal(f"{level.id}: not ({keep_text}) — ").concat(
                                         values_text(keep_text, t, names)), reason)
        label = ibis.cases(*[(t.rank == i, ibis.literal(level_id)) for i, level_id in enumerate(ids)])
        previous_label = ibis.cases(*[(t._rank == i, ibis.literal(level_id)) for i, level_id in enumerate(ids)])
        change = ibis.cases((t._new & ~t._promoted, "new"), (t._promoted, "promote"), (t._demoted, "demote"),
                            else_="keep")
        step = t.select(
            member_id=t.member_id, period=ibis.literal(period.label), period_end=ibis.literal(period.end),
            rank=t.rank.cast("int32"), level=label, previous_level=ibis.ifelse(t._new, ibis.null("string"), previous_label),
            change=change, reason=reason,
            stay=ibis.ifelse(t.rank == t._rank, t._stay + 1, 1).cast("int32"),
        )
        # Materialise each period: state feeds the next one, and nesting would blow up the SQL.
        state, _ = stored(con, f"qunce_levels_{id(levels)}_{number}", step)
        outputs.append(state)
    if not outputs:
        raise ValueError("no periods to evaluate")
    result = ibis.union(*outputs) if len(outputs) > 1 else outputs[0]
    return result.drop("stay")
