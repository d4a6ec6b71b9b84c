"""The content plan （内容规划）: activation, conversion and brand content."""

from __future__ import annotations

from typing import Any

from .fmt import cadence
from .labels import label
from .view import View


def content(v: View) -> dict[str, Any] | None:
    plan = v.playbook.content
    streams = []
    for key in ("activation", "conversion", "brand"):
        stream = getattr(plan, key)
        if stream is None:
            continue
        streams.append({"id": key, "category": label("content", key, v.lang), "name": stream.name or "",
                        "cadence": cadence(stream.cadence, v.lang) if stream.cadence else "",
                        "purpose": v.w[f"content_{key}"],
                        "basis": v.listed(stream.basis), "topics": list(stream.topics),
                        "sources": v.listed(stream.sources), "production": " → ".join(stream.production)})
    if not streams and not plan.optimise:
        return None
    return {"streams": streams, "optimise": list(plan.optimise)}
