"""The names a playbook's conditions may use, per scope: the built-ins of `catalog`, the
playbook's custom metrics and KPI attainments, and the closed value sets of text names
(level → the level ids). Validation and the simulator build them here, so both agree."""

from __future__ import annotations

from collections.abc import Callable

from .catalog import Metric, Names
from .model import Playbook
from .model.metrics import EVENT_TYPES


def custom_metrics(playbook: Playbook) -> dict[str, dict[str, Metric]]:
    """Custom metrics per scope; group metrics are known to the staff scope too."""
    out: dict[str, dict[str, Metric]] = {"member": {}, "group": {}, "staff": {}}
    for metric in playbook.metrics.custom:
        entry = Metric(metric.id, metric.name, metric.id, "number", metric.unit or "", windowed=False)
        out[metric.scope][metric.id] = entry
        if metric.scope == "group":
            out["staff"][metric.id] = entry
    return out


def text_values(playbook: Playbook, usable: Callable[[str], bool] = lambda section: True) -> dict[str, dict[str, str]]:
    """The closed value sets of text names, id → label. `usable(section)` says whether a
    section loaded (validation skips the value sets of broken sections)."""
    values: dict[str, dict[str, str]] = {}
    if playbook.membership is not None and usable("membership"):
        values["level"] = {lv.id: lv.name for lv in playbook.membership.levels}
    if usable("group_types"):
        values["group_type"] = {key: gt.name for key, gt in playbook.group_types.items()}
    if usable("roles"):
        values["staff_role"] = {key: role.name for key, role in playbook.roles.items()}
    values["type"] = {key: labels.split("|")[0] for key, labels in EVENT_TYPES.items()}
    return values


def playbook_names(playbook: Playbook, scope: str, values: dict[str, dict[str, str]] | None = None,
                   custom: dict[str, dict[str, Metric]] | None = None) -> Names:
    """The names conditions in `scope` may use in this playbook."""
    known = dict((custom if custom is not None else custom_metrics(playbook)).get(scope, {}))
    if scope == "staff" and playbook.commission is not None:
        for kpi in playbook.commission.kpis:
            known[f"attainment_{kpi.id}"] = Metric(
                f"attainment_{kpi.id}", f"{kpi.name}达成率", f"attainment of {kpi.id}", "number", "ratio", windowed=False)
    return Names(scope, known, values if values is not None else text_values(playbook))
