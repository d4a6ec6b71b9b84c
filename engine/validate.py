"""`qunce validate`: find the playbooks under the given paths and report every problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.checks import run_checks
from engine.checks.context import CheckContext
from engine.diagnostics import Diagnostic, Severity, Span, diag
from engine.errors import InputError
from engine.load import load_playbook
from engine.source.compose import display_name
from engine.source.reader import parse_text

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(slots=True)
class Report:
    """Everything one validation run found, with the file texts for code frames."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    files_checked: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.level is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.level is Severity.WARNING)


def validate_paths(paths: list[Path], root: Path | None = None) -> Report:
    """Validate files and folders (recursively); every playbook found is checked."""
    report = Report()
    entries, seen_files = _entries(paths, root, report)
    covered: set[Path] = set()
    for path, playbook_root in entries:
        loaded = load_playbook(path, playbook_root)
        report.texts.update(loaded.texts)
        covered.update(f.resolve() for f in loaded.files)
        report.diagnostics.extend(loaded.diagnostics)
        if loaded.playbook is not None and loaded.positions is not None:
            context = CheckContext(loaded.playbook, loaded.positions, loaded.broken)
            report.diagnostics.extend(run_checks(context))
    for path in seen_files:
        if path.resolve() not in covered:
            report.diagnostics.append(diag("Q012", Span(display_name(path), 1, 1)))
    report.files_checked = len(covered | {p.resolve() for p in seen_files})
    report.diagnostics = sorted(set(report.diagnostics), key=Diagnostic.sort_key)
    return report


def _entries(paths: list[Path], root: Path | None, report: Report) -> tuple[list[tuple[Path, Path]], list[Path]]:
    # Files named on the command line are always playbooks; inside folders, a
    # file is a playbook when it has a top-level `playbook:` key and is not
    # abstract. Other YAML files count as fragments, checked through whoever
    # includes them.
    entries: list[tuple[Path, Path]] = []
    fragments: list[Path] = []
    for given in paths:
        if not given.exists():
            raise InputError(f"no such file or folder: {given}")
        if given.is_file():
            entries.append((given, root or given.parent))
            continue
        for path in sorted(p for p in given.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file()):
            if _is_entry(path):
                entries.append((path, root or given))
            else:
                fragments.append(path)
    return entries, fragments


def _is_entry(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return True  # let the loader report why it cannot be read
    if "playbook" not in text:
        return False
    parsed = parse_text(text, str(path))
    if parsed.root is None:
        return True
    from engine.source.nodes import Map, Scalar

    if not isinstance(parsed.root, Map) or "playbook" not in parsed.root.entries:
        return False
    abstract = parsed.root.entries.get("abstract")
    return not (abstract is not None and isinstance(abstract.value, Scalar) and abstract.value.value is True)
