"""`qunce init`: write a starter playbook (and the schema editors use) that validates clean."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EXIT_CLEAN, InputError, UsageError
from ..files import write_text_atomic
from ..resources import resource
from ..schema import MODELINE, schema_text

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
        raise UsageError(f"unknown starter '{kind}'; choose one of: {', '.join(STARTERS)}",
                         f"没有名为 '{kind}' 的模板；可选：{'、'.join(STARTERS)}")
    try:
        text = resource("playbooks", STARTERS[kind]).read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        raise InputError(f"the '{kind}' starter is missing from this installation: {exc}",
                         f"此安装缺少 '{kind}' 模板：{exc}") from None
    modeline = MODELINE.format(path=f"./{SCHEMA_NAME}")
    if _MODELINE.search(text):
        return _MODELINE.sub(modeline, text, count=1)
    return f"{modeline}\n{text}"


@dataclass
class InitOutcome:
    status: int = EXIT_CLEAN
    written: list[Path] = field(default_factory=list)


def run(kind: str, target: Path, force: bool = False) -> InitOutcome:
    """Write the starter to `target` and the schema beside it; refuse to overwrite unless forced."""
    schema = target.parent / SCHEMA_NAME
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; use --force to overwrite it", f"{target} 已存在；加 --force 可覆盖")
    text = starter_text(kind)
    write_text_atomic(target, text)
    write_text_atomic(schema, schema_text())
    return InitOutcome(written=[target, schema])
