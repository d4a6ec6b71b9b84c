"""Every metric's definition （指标口径）, the conventions behind the rates, and the playbook's
custom metrics."""

from __future__ import annotations

from typing import Any

from ...catalog import EVENT_FIELDS, GROUP_METRICS
from ...model.metrics import CustomMetric
from .fmt import duration
from .labels import label
from .view import View

STAGES = ("acquisition", "activation", "retention", "monetisation", "private_domain")


def metrics(v: View) -> dict[str, Any]:
    w, config = v.w, v.playbook.metrics
    stages = []
    for stage in STAGES:
        rows = [{"id": m.id, "name": m.zh if v.zh else m.en, "other": m.en if v.zh else m.zh,
                 "definition": m.definition_zh if v.zh else m.definition_en}
                for m in GROUP_METRICS.values() if m.stage == stage]
        stages.append({"id": stage, "name": w[f"stage_{stage}"], "metrics": rows})
    conventions = [
        w["basis_is"].format(basis=label("basis", config.members_basis, v.lang)) + w[f"basis_{config.members_basis}"],
        w["interaction_daily"],
        w["valid_message"].format(n=config.valid_message_min_chars),
        w["retention_days"].format(n=config.retention_days),
        w["sales_net"],
        w["zero_denominator"],
        w["weeks"].format(timezone=v.playbook.timezone),
    ]
    if config.churn_after is not None:
        conventions.append(w["churned_after"].format(after=duration(config.churn_after, v.lang)))
    return {"basis": label("basis", config.members_basis, v.lang), "conventions": conventions, "stages": stages,
            "custom": [_custom(v, m) for m in config.custom]}


def _custom(v: View, metric: CustomMetric) -> dict[str, Any]:
    how = v.say.say(metric.expr, metric.scope) if metric.expr is not None else _aggregate(v, metric)
    return {"id": metric.id, "name": metric.name, "scope": label("scope", metric.scope, v.lang),
            "definition": metric.description or "", "how": how, "unit": metric.unit or ""}


def _aggregate(v: View, metric: CustomMetric) -> str:
    zh = v.zh
    event = label("event", metric.event or "", v.lang)
    field = EVENT_FIELDS.get(metric.field or "")
    field_name = (field.zh if zh else field.en) if field else metric.field or ""
    days = f"{metric.window.minutes // 1440}" if metric.window else ""
    if zh:
        window = f"近 {days} 天" if days else "累计"
        text = {"count": f"{window}「{event}」次数", "sum": f"{window}「{event}」{field_name}合计",
                "avg": f"{window}「{event}」{field_name}平均值", "distinct_days": f"{window}有「{event}」的天数",
                "days_since_last": f"距上次「{event}」的天数"}[metric.agg or "count"]
    else:
        window = f" in the last {days} days" if days else " (all time)"
        text = {"count": f"number of {event} events{window}", "sum": f"sum of {field_name} over {event} events{window}",
                "avg": f"average {field_name} of {event} events{window}",
                "distinct_days": f"days with a {event} event{window}",
                "days_since_last": f"days since the last {event} event"}[metric.agg or "count"]
    if metric.where:
        where = v.say.say(metric.where, "event")
        text += f"（仅 {where}）" if zh else f" (only where {where})"
    return text
