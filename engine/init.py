"""`qunce init`: write a starter playbook (and the schema editors use) that validates clean."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import InputError, UsageError
from .files import write_text_atomic
from .resources import resource
from .schema import MODELINE, schema_text

STARTERS = {
    "traffic": "traffic.yaml",
    "welfare": "welfare.yaml",
    "flash": "flash.yaml",
    "full": "brand-complete.yaml",
}
SCHEMA_NAME = "qunce.schema.json"
_MODELINE = re.compile(r"^# yaml-language-server: \$schema=.*$", re.MULTILINE)


def starter_text(kind: str) -> str:
    """The starter playbook of `kind`, with its modeline pointing at the schema beside it."""
    if kind not in STARTERS:
        raise UsageError(f"unknown starter '{kind}'; choose one of: {', '.join(STARTERS)}")
    try:
        text = resource("playbooks", STARTERS[kind]).read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        raise InputError(f"the '{kind}' starter is missing from this installation: {exc}") from None
    modeline = MODELINE.format(path=f"./{SCHEMA_NAME}")
    if _MODELINE.search(text):
        return _MODELINE.sub(modeline, text, count=1)
    return f"{modeline}\n{text}"


def write_starter(kind: str, target: Path, force: bool = False) -> list[Path]:
    """Write the starter to `target` and the schema beside it; refuse to overwrite unless forced."""
    schema = target.parent / SCHEMA_NAME
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; use --force to overwrite it")
    text = starter_text(kind)
    write_text_atomic(target, text)
    write_text_atomic(schema, schema_text())
    return [target, schema]
