"""The typed playbook: pydantic models, one module per section."""

from .playbook import Playbook

__all__ = ["Playbook"]
