"""The typed playbook: pydantic models, one module per section."""

from engine.model.playbook import Playbook

__all__ = ["Playbook"]
