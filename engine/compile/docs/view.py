"""What every part of the view model is built with: the playbook, the language, the words,
conditions in words and paste-ready samples."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ...model import Playbook
from .conditions import Sayer
from .fmt import listed
from .samples import Samples
from .vocabulary import words


@dataclass
class View:
    playbook: Playbook
    lang: str
    w: dict[str, str] = field(init=False)
    say: Sayer = field(init=False)
    samples: Samples = field(init=False)
    _sender_names: dict[str, str] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.w = words(self.lang)
        self.say = Sayer(self.playbook, self.lang)
        self.samples = Samples(self.playbook)

    @property
    def zh(self) -> bool:
        return self.lang == "zh"

    def role(self, role_id: str) -> str:
        role = self.playbook.roles.get(role_id)
        return role.name if role else role_id

    def level(self, level_id: str) -> str:
        levels = self.playbook.membership.levels if self.playbook.membership else []
        return next((lv.name for lv in levels if lv.id == level_id), level_id)

    def group_types(self, ids: Iterable[str]) -> str:
        """Group type names, or 全部群 / all groups for an empty list."""
        names = [self.playbook.group_types[i].name if i in self.playbook.group_types else i for i in ids]
        return listed(names, self.lang) if names else self.w["all_groups"]

    def listed(self, items: Iterable[str]) -> str:
        return listed(items, self.lang)

    def template(self, template_id: str) -> dict[str, str]:
        """A link to a message template of the message library, titled by what it is for: the
        vocabulary's word (欢迎语), else the name of the first SOP item, warning or care that
        sends it (a template has an id, not a name; staff know the task)."""
        return {"id": template_id, "anchor": anchor("tpl", template_id),
                "title": self.w.get(f"tpl_{template_id}") or self._senders().get(template_id, template_id)}

    def _senders(self) -> dict[str, str]:
        if self._sender_names is None:
            pb = self.playbook
            named = [(item.template, item.name) for item in pb.sop]
            named += [(warning.template, warning.name) for warning in pb.churn]
            named += [(care.template, care.name) for care in (pb.membership.care if pb.membership else [])]
            self._sender_names = {}
            for template_id, name in named:
                if template_id and name:
                    self._sender_names.setdefault(template_id, name)
        return self._sender_names


def anchor(kind: str, key: str) -> str:
    """A stable HTML id: tpl-welcome, role-owner."""
    return f"{kind}-{key}"
