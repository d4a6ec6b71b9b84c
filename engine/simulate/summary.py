"""summary.json: what a simulation read, the conventions it used, and the distributions a
reader looks at first. Deterministic: the same inputs give the same bytes (timings live in
timings.json)."""

from __future__ import annotations

from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from ..compute import fetch_rows, fetch_value
from .context import SimContext


def _version() -> str:
    try:
        return version("qunce")
    except PackageNotFoundError:
        return "dev"


def conventions(ctx: SimContext) -> dict[str, Any]:
    """The definitions behind the numbers (the handbook prints the same)."""
    config = ctx.playbook.metrics
    return {
        "members_basis": config.members_basis,
        "valid_message_min_chars": config.valid_message_min_chars,
        "retention_days": config.retention_days,
        "week_starts": "Monday (ISO weeks, labelled 2027-W01)",
        "zero_denominator": "a rate over 0 is 0",
        "money": "CNY, exact decimals to the fen",
        "timezone": ctx.playbook.timezone,
        "evaluation_period": ctx.period,
        "features_as_of": "the end of each period's last day inside the window",
    }


def counts(table: Any, by: list[str], count_name: str = "rows", con: Any = None) -> list[dict[str, Any]]:
    """Rows per combination of `by`, ordered by `by` (`con`: the connection, when at hand)."""
    grouped = table.group_by(by).aggregate(**{count_name: table.count()}).order_by(by)
    return [_plain(row) for row in fetch_rows(con, grouped)]


def nested(rows: list[dict[str, Any]], outer: str, inner: str, value: str = "rows") -> dict[str, dict[str, int]]:
    """{outer: {inner: value}} from flat rows; NULL keys become "-"."""
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        out.setdefault(str(row[outer] if row[outer] is not None else "-"), {})[
            str(row[inner] if row[inner] is not None else "-")] = int(row[value])
    return out


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in row.items()}


def _totals(con: Any, period: Any) -> dict[str, Any]:
    months = period.filter(period.grain == "month")
    row = fetch_rows(con, months.aggregate(
        new_members=months.new_members.sum(), leaves=months.leaves.sum(), messages=months.messages.sum(),
        orders=months.orders.sum(), order_amount=months.order_amount.sum(), refund_amount=months.refund_amount.sum(),
        sales=months.sales.sum(), cost=months.cost.sum(),
    ))[0]
    return {k: (str(v) if isinstance(v, Decimal) else int(v or 0)) for k, v in row.items()}


def build_summary(ctx: SimContext, inputs: dict[str, str], rows: dict[str, Any], groups: Any, members: Any,
                  written: list[tuple[str, int]]) -> dict[str, Any]:
    """The summary.json document; `inputs`: the playbook, events and roster as the user named them."""
    events, con = ctx.events, ctx.con
    member_count = int(fetch_value(con, events.filter(events.member_id.notnull()).member_id.nunique()))
    summary: dict[str, Any] = {
        "qunce": _version(),
        "playbook": ctx.playbook.playbook,
        "inputs": inputs,
        "window": {"from": ctx.start.isoformat(), "to": ctx.end.isoformat(),
                   "periods": [p.label for p in ctx.periods]},
        "conventions": conventions(ctx),
        "rows": rows,
        "groups": len(ctx.roster.groups),
        "staff": len(ctx.roster.staff),
        "members": member_count,
        "totals": _totals(con, groups.period),
    }
    if members.levels is not None:
        levels = members.levels
        summary["levels"] = nested(counts(levels, ["period", "level"], con=con), "period", "level")
        summary["level_changes"] = nested(counts(levels, ["period", "change"], con=con), "period", "change")
    if members.segments is not None:
        summary["segments"] = nested(counts(members.segments, ["period", "segment"], con=con), "period", "segment")
    if groups.health is not None:
        health = groups.health
        summary["lifecycle"] = nested(counts(health, ["period", "state"], con=con), "period", "state")
        summary["should_dissolve"] = nested(counts(health.filter(health.should_dissolve), ["period", "state"], con=con),
                                            "period", "state")
    if members.churn is not None:
        summary["churn_warnings"] = nested(counts(members.churn, ["period", "warning"], con=con), "period", "warning")
    if groups.penalties is not None:
        from .penalties import penalty_summary

        rows_by_kind = [_plain(r) for r in fetch_rows(con, penalty_summary(groups.penalties))]
        summary["penalties"] = nested(rows_by_kind, "behaviour", "penalty")
    if groups.admission_rates is not None:
        summary["admission"] = [_plain(r) for r in fetch_rows(con, groups.admission_rates.order_by(["group_type", "mode"]))]
    summary["outputs"] = {name: rows_written for name, rows_written in written}
    return summary
