"""Conditions in plain words (近90天积分 ≥ 300), with the playbook's own names per scope."""

from __future__ import annotations

from ...catalog import Names
from ...expr import ConditionError, in_words, parse
from ...model import Playbook
from ...playbook_names import custom_metrics, playbook_names, text_values


class Sayer:
    """Says the playbook's conditions in words, in one language."""

    def __init__(self, playbook: Playbook, lang: str) -> None:
        self.playbook = playbook
        self.lang = lang
        self._values = text_values(playbook)
        self._custom = custom_metrics(playbook)
        self._names: dict[str, Names] = {}

    def names(self, scope: str) -> Names:
        if scope not in self._names:
            self._names[scope] = playbook_names(self.playbook, scope, self._values, self._custom)
        return self._names[scope]

    def say(self, condition: str, scope: str) -> str:
        """`condition` in words; as written if it does not parse (validation reported it)."""
        try:
            return in_words(parse(condition), self.names(scope), self.lang)
        except ConditionError:
            return condition

    def metric(self, name: str, scope: str) -> str:
        """The label of one metric or feature name: interaction_rate → 互动率."""
        found = self.names(scope).resolve(name)
        return found.label(self.lang) if found else name
