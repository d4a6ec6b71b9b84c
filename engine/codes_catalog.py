"""Every diagnostic code: the diagnostics' own (reading, schema, conditions, templates) and the checks'.

Each check module registers its codes when imported, and engine/diagnostics must not import
engine/checks (the checks import the diagnostics). This module sits above both: whoever needs
the complete list (`qunce rules`, docs/rules.md, the tests) asks here, not the registry.
"""

from __future__ import annotations

from . import checks  # noqa: F401  (importing registers every check's codes)
from .diagnostics import Code, registered_codes


def all_codes() -> list[Code]:
    """Every code qunce can report, sorted."""
    return registered_codes()
