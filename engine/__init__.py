"""群策 qunce: load, check, simulate and compile community-operation playbooks.

The Python API is the commands, each a module of `qunce.commands` taking typed arguments and
returning an outcome with its exit status (nothing printed), for example::

    import qunce
    outcome = qunce.validate([Path("playbooks/")])
    outcome.status, outcome.report.diagnostics

Errors are `qunce.QunceError` (words in English and Chinese; `qunce.errors.report` gives the exit
status and message the command line would show). Names are imported on first use, so that
`import qunce` stays as light as `qunce --help`.
"""

from __future__ import annotations

import importlib
from typing import Any

# name → (module, attribute): what `import qunce` offers, loaded when first used. No name may be
# that of a module of the package (`simulate`, `schema`): importing the module would replace it.
_API = {
    "validate": ("qunce.commands.validate", "run"),
    "rules": ("qunce.commands.rules", "run"),
    "json_schema": ("qunce.commands.schema", "run"),
    "write_starter": ("qunce.commands.init", "run"),
    "generate_events": ("qunce.commands.events", "generate"),
    "import_wecom": ("qunce.commands.events", "import_wecom"),
    "run_simulation": ("qunce.commands.simulate", "run"),
    "explain": ("qunce.commands.explain", "run"),
    "diff": ("qunce.commands.diff", "run"),
    "tasks": ("qunce.commands.tasks", "run"),
    "docs": ("qunce.commands.docs", "run"),
    "demo": ("qunce.commands.demo", "run"),
    "check_playbook": ("qunce.commands.playbook", "check"),
    "DataRequest": ("qunce.commands.data", "DataRequest"),
    "EngineChoice": ("qunce.compute.choice", "EngineChoice"),
    "SimulateRequest": ("qunce.commands.simulate", "SimulateRequest"),
    "ExplainRequest": ("qunce.commands.explain", "ExplainRequest"),
    "DiffRequest": ("qunce.commands.diff", "DiffRequest"),
    "TasksRequest": ("qunce.commands.tasks", "TasksRequest"),
    "DocsRequest": ("qunce.commands.docs", "DocsRequest"),
    "GenerateRequest": ("qunce.commands.events", "GenerateRequest"),
    "ImportWecomRequest": ("qunce.commands.events", "ImportWecomRequest"),
    "QunceError": ("qunce.errors", "QunceError"),
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'qunce' has no attribute {name!r}")
    module, attribute = _API[name]
    return getattr(importlib.import_module(module, __name__), attribute)


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
