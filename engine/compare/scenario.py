"""Run two playbooks over the same events and roster (read and checked once) and keep what the
comparison needs: payouts per staff member and period, level, segment and group-health
distributions, and every member's level per period."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..errors import UsageError
from ..model import Playbook
from ..simulate.context import SimContext
from ..simulate.staff_roles import for_playbook
from ..simulate.stage_cache import same_apart_from_commission, sections


@dataclass
class Scenario:
    payouts: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (period, staff) → total
    period_totals: dict[str, Decimal] = field(default_factory=dict)
    levels: dict[str, dict[str, int]] = field(default_factory=dict)  # period → level → members
    segments: dict[str, dict[str, int]] = field(default_factory=dict)
    health: dict[str, dict[str, int]] = field(default_factory=dict)
    member_levels: Any | None = None  # Arrow: member_id, period, level
    has_commission: bool = False


@dataclass
class Pair:
    old: Scenario
    new: Scenario
    staff_names: dict[str, str]
    window: tuple[str, str]

    def level_changes(self) -> list[dict[str, Any]]:
        """Members whose level in a period differs between the playbooks, by period and member."""
        old, new = self.old.member_levels, self.new.member_levels
        if old is None or new is None:
            return []
        if old is new or old.equals(new):  # e.g. the commission alone changed
            return []
        side_by_side = _side_by_side(old, new)
        if side_by_side is not None:
            return side_by_side
        # other members or periods (another `evaluate:`): Arrow's join (it imports pandas: ~0.2 s)
        joined = old.join(new, keys=["member_id", "period"], join_type="full outer", left_suffix="_old",
                          right_suffix="_new").to_pylist()
        changed = [{"member_id": r["member_id"], "period": r["period"], "old": r["level_old"], "new": r["level_new"]}
                   for r in joined if r["level_old"] != r["level_new"]]
        return sorted(changed, key=lambda r: (r["period"], r["member_id"]))


def _side_by_side(old: Any, new: Any) -> list[dict[str, Any]] | None:
    """level_changes when both tables have the same members and periods (the same data under two
    playbooks of one `evaluate:`: nearly always): each sorted by period and member and compared
    row by row, without a join (Arrow's imports pandas); None when their keys differ."""
    import pyarrow.compute as pc

    order = [("period", "ascending"), ("member_id", "ascending")]
    old, new = old.sort_by(order), new.sort_by(order)
    if not (old.select(["period", "member_id"]).equals(new.select(["period", "member_id"]))):
        return None
    # NULL against a level differs, NULL against NULL does not (no Python scalar given to Arrow:
    # converting one imports pandas)
    before, after = old.column("level"), new.column("level")
    differ = pc.if_else(pc.and_(pc.is_valid(before), pc.is_valid(after)), pc.not_equal(before, after),
                        pc.xor(pc.is_null(before), pc.is_null(after)))
    rows = zip(old.filter(differ).to_pylist(), new.filter(differ).to_pylist(), strict=True)
    return [{"member_id": o["member_id"], "period": o["period"], "old": o["level"], "new": n["level"]} for o, n in rows]


def same_time_zone(old: Playbook, new: Playbook) -> None:
    """The playbooks must count days alike, or the same events would fall on other days."""
    if old.timezone != new.timezone:
        raise UsageError(f"the playbooks use different time zones ({old.timezone}, {new.timezone}); the same "
                         "events would fall on other days: compare playbooks with one time zone",
                         f"两个剧本的时区不同（{old.timezone}、{new.timezone}），同一批事件会落在不同的日期："
                         "请比较时区相同的剧本")


def run_pair(ctx: SimContext, new: Playbook, reuse: bool = True) -> Pair:
    """Both scenarios on data loaded once: `ctx` under its own playbook (the old one), then under
    `new`. When the playbooks differ only in the commission (or in what no stage reads), the new
    scenario reuses the old one's groups and members and runs the commission stage alone
    (`reuse=False` runs every stage twice: the tests compare both ways)."""
    same_time_zone(ctx.playbook, new)
    before, groups = _scenario(ctx, reuse)
    after_ctx = for_playbook(ctx, new)
    if reuse and same_apart_from_commission(ctx.playbook, new):
        after = Scenario(levels=before.levels, segments=before.segments, health=before.health,
                         member_levels=before.member_levels)
        _commission(after_ctx, groups, after)
    else:  # the groups too when only the members' sections differ
        same_groups = reuse and sections(ctx.playbook, "groups") == sections(new, "groups")
        after, _ = _scenario(after_ctx, reuse, groups if same_groups else None)
    return Pair(before, after, {s.id: s.name for s in ctx.roster.staff}, (ctx.start.isoformat(), ctx.end.isoformat()))


def _scenario(ctx: SimContext, reuse: bool = True, groups: Any | None = None) -> tuple[Scenario, Any]:
    """One playbook's results, fetched into Python/Arrow (the temporary tables are reused by
    the next scenario), and its group stage's results (what the commission reads); `groups`:
    those results when known already."""
    from ..compute import fetch
    from ..simulate.group_stage import simulate_groups
    from ..simulate.members import simulate_members
    from ..simulate.stage_cache import cached_groups, cached_members
    from ..simulate.summary import counts, nested

    # kept by an earlier simulate of the same data (simulate/stage_cache.py)
    groups = groups or (cached_groups(ctx) if reuse else None) or simulate_groups(ctx)
    members = (cached_members(ctx) if reuse else None) or simulate_members(ctx)
    out = Scenario()
    if members.levels is not None:
        out.levels = nested(counts(members.levels, ["period", "level"]), "period", "level")
        # compute.fetch, not Ibis's to_pyarrow (whose DuckDB converter imports pandas: ~0.2 s)
        out.member_levels = fetch(ctx.con, members.levels.select("member_id", "period", "level"))
    if members.segments is not None:
        out.segments = nested(counts(members.segments, ["period", "segment"]), "period", "segment")
    if groups.health is not None:
        out.health = nested(counts(groups.health, ["period", "state"]), "period", "state")
    _commission(ctx, groups, out)
    return out, groups


def _commission(ctx: SimContext, groups: Any, out: Scenario) -> None:
    from ..assess.stage import assessment_for
    from ..commission.plan import compile_plan
    from ..commission.stage import run_commission

    # a plan paying on the SOP assessment (sop_on_time_rate …) reads it: assessed here
    commission = run_commission(ctx, groups.period, assessment_for(ctx, compile_plan(ctx.playbook)))
    if commission is not None:
        out.has_commission = True
        out.payouts = {key: s.total for key, s in commission.book.statements.items()}
        out.period_totals = dict(commission.book.period_totals)
