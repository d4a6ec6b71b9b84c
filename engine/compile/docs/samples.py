"""Paste-ready texts: the playbook's own templates rendered in the sandbox with the sample
values of engine/template_vars.py (小美, 王小明 …), per group type where the text names one."""

from __future__ import annotations

from typing import Any

from ...model import Playbook
from ...sandbox import try_render
from ...template_vars import sample_context


class Samples:
    """Renders playbook templates with sample values, optionally as seen in one group type."""

    def __init__(self, playbook: Playbook) -> None:
        self.playbook = playbook
        self._message = sample_context(playbook, "message")
        self._naming = sample_context(playbook, "naming")

    def group_name(self, type_id: str) -> str | None:
        """The first group of this type, named by its naming pattern."""
        group_type = self.playbook.group_types[type_id]
        if group_type.naming is None:
            return None
        context = {**self._naming, "group_type": type_id, "group_type_name": group_type.name}
        return self._render(group_type.naming, context)

    def message(self, source: str, type_id: str | None = None) -> str:
        """`source` rendered as a message, in a group of `type_id` (default: the sample group)."""
        context = self._message
        if type_id in self.playbook.group_types:
            group_type = self.playbook.group_types[type_id]
            group = {**context["group"], "type": type_id, "type_name": group_type.name,
                     "name": self.group_name(type_id) or f"{group_type.name}1群"}
            if group_type.capacity is not None:
                group["capacity"] = group_type.capacity
            context = {**context, "group": group}
        return self._render(source, context)

    @staticmethod
    def _render(source: str, context: dict[str, Any]) -> str:
        # A validated playbook's templates render; should one not, the handbook shows it as written.
        text, _problem = try_render(source, context)
        return source if text is None else text.strip("\n")
