"""`qunce validate`: find the playbooks under the given paths and report every problem, reusing
the cached result of an unchanged run (cache.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..cache import CachedReport
from ..errors import EXIT_CLEAN, EXIT_FINDINGS, UsageError

FORMATS = ("text", "json", "sarif", "github")


@dataclass
class ValidateOutcome:
    report: CachedReport
    status: int = EXIT_CLEAN  # 1: errors (or warnings, when strict)


def run(paths: list[Path], root: Path | None = None, strict: bool = False, use_cache: bool = True) -> ValidateOutcome:
    """Every problem in the playbooks under `paths`. UsageError when they hold no YAML file at all
    (a wrong path must not pass CI as "no problems")."""
    from .. import cache
    from ..diagnostics import Severity

    key, report = cache.lookup_report(paths, root) if use_cache else (None, None)
    if report is None:
        from ..validation import validate_paths

        fresh = validate_paths(paths, root)
        if use_cache:
            cache.store_report(key, fresh.read, fresh.diagnostics, fresh.texts, fresh.files_checked)
        report = CachedReport(fresh.diagnostics, fresh.texts, fresh.files_checked)
    if report.files_checked == 0:
        named = ", ".join(str(p) for p in paths)
        raise UsageError(f"no playbook to check in {named}: no .yaml or .yml file there; give the playbooks' folder "
                         "or files", f"{named} 中没有可检查的剧本（没有 .yaml 或 .yml 文件）；请给出剧本所在的目录或文件")
    levels = [d.level for d in report.diagnostics]
    failed = Severity.ERROR in levels or (strict and Severity.WARNING in levels)
    return ValidateOutcome(report, EXIT_FINDINGS if failed else EXIT_CLEAN)
