"""The names of the playbook's closed choices (entry modes, flows, periods …) in zh and en.

The Chinese labels come from the models (the first one each accepts); the English ones are
written here once."""

from __future__ import annotations

from ...model.commission import DIRECTIONS, RATE_MODES
from ...model.common import CONTENT_CATEGORIES
from ...model.groups import ENTRY_MODES, GROUP_KINDS
from ...model.membership import CAP_PERIODS, DEMOTION, PERIODS
from ...model.metrics import AGGREGATES, EVENT_TYPES, MEMBER_BASES, SCOPES
from ...model.sop import FLOWS, SOP_EVENTS

_EN: dict[str, dict[str, str]] = {
    "kind": {"traffic": "traffic group", "welfare": "welfare group", "flash": "flash group", "custom": "custom"},
    "entry": {"open": "open", "invite": "by invitation", "referral": "by referral", "activity": "by activity",
              "paid": "paid"},
    "content": {"activation": "activation", "conversion": "conversion", "brand": "brand"},
    "flow": {"setup": "setup", "acquisition": "acquisition", "activation": "activation", "conversion": "conversion",
             "incentive": "incentives"},
    "period": {"daily": "daily", "weekly": "weekly", "monthly": "monthly", "quarterly": "quarterly"},
    "cap_period": {"day": "day", "week": "week", "month": "month"},
    "demotion": {"one_step": "one level at a time", "recompute": "recomputed from scratch"},
    "direction": {"higher": "higher is better", "lower": "lower is better"},
    "rate_mode": {"tiered": "tiered (one rate on the whole attainment)",
                  "marginal": "marginal (each bracket's rate on its part)"},
    "basis": {"start": "start of period", "end": "end of period", "average": "average"},
    "scope": {"member": "member", "group": "group", "staff": "staff"},
    "aggregate": {"count": "count", "sum": "sum", "distinct_days": "days", "avg": "average",
                  "days_since_last": "days since the last"},
    "event": {"exposure": "exposure", "join": "join", "leave": "leave", "message": "message", "order": "order",
              "refund": "refund", "referral": "referral", "checkin": "check-in", "survey": "survey", "reach": "reach",
              "cost": "cost", "task": "task", "sop_done": "SOP task logged"},
    "sop_event": {"join": "a member joins", "leave": "a member leaves", "first_order": "a member's first order",
                  "order": "an order", "refund": "a refund", "referral": "a referral", "checkin": "a check-in",
                  "churn_warning": "a churn warning", "level_up": "a promotion", "level_down": "a demotion",
                  "group_created": "the group is created", "banned": "banned behaviour"},
}
_ZH: dict[str, dict[str, str]] = {
    "kind": GROUP_KINDS, "entry": ENTRY_MODES, "content": CONTENT_CATEGORIES, "flow": FLOWS, "period": PERIODS,
    "cap_period": CAP_PERIODS, "demotion": DEMOTION, "direction": DIRECTIONS, "rate_mode": RATE_MODES,
    "basis": MEMBER_BASES, "scope": SCOPES, "aggregate": AGGREGATES, "event": EVENT_TYPES, "sop_event": SOP_EVENTS,
}


def label(kind: str, key: str, lang: str) -> str:
    """The name of choice `key` of `kind` ('entry', 'flow' …) in `lang`; the id if unknown."""
    table = _ZH[kind] if lang == "zh" else _EN[kind]
    return table.get(key, key).split("|")[0]
