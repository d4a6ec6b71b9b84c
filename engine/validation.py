"""`qunce validate`: find the playbooks under the given paths and report every problem."""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, Severity, Span, diag
from .errors import InputError
from .gc_pause import gc_paused
from .source.compose import display_name, load_document
from .source.nodes import Map, Scalar
from .source.reader import read_file

if TYPE_CHECKING:
    from .model import Playbook

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(slots=True)
class Report:
    """Everything one validation run found, with the file texts for code frames."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    files_checked: int = 0
    read: list[Path] = field(default_factory=list)  # every file read, for the cache

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.level is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.level is Severity.WARNING)


def validate_paths(paths: list[Path], root: Path | None = None) -> Report:
    """Validate files and folders (recursively); every playbook found is checked."""
    with gc_paused():  # the model and checks imported inside it: gc_pause.py
        return _validate(paths, root)


def _validate(paths: list[Path], root: Path | None) -> Report:
    # The model, the checks and the sandbox are imported here, inside the collector's pause.
    from .checks import run_checks
    from .checks.context import CheckContext
    from .load import load_playbook

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
    report.read = sorted(covered | {p.resolve() for p in seen_files})
    report.diagnostics = sorted(set(report.diagnostics), key=Diagnostic.sort_key)
    return report


def checked_playbook(path: Path, root: Path | None = None, use_cache: bool = True) -> tuple[Playbook | None, Report]:
    """The playbook at `path` when it has no errors (warnings allowed), and the report either way.
    Commands that use a playbook (generate, simulate, …) start here. The report is the one
    `qunce validate PATH` keeps (cache.py) while the playbook's files and qunce are unchanged:
    then the playbook is loaded but not checked again (the checks and the template sandbox are a
    tenth of a small simulation)."""
    if not path.is_file():
        raise InputError(f"no such playbook: {path}", f"找不到剧本：{path}")
    from . import cache
    from .load import load_playbook

    key, cached = cache.lookup_report([path], root) if use_cache else (None, None)
    if cached is not None:
        report = Report(cached.diagnostics, cached.texts, cached.files_checked)
    else:
        report = validate_paths([path], root)
        if use_cache:
            cache.store_report(key, report.read, report.diagnostics, report.texts, report.files_checked)
    if report.errors:
        return None, report
    loaded = load_playbook(path, root or path.parent)
    return loaded.playbook, report


def _entries(paths: list[Path], root: Path | None, report: Report) -> tuple[list[tuple[Path, Path]], list[Path]]:
    # Inside folders, a file is a playbook when it has a top-level `playbook:`
    # key and is not abstract; other YAML files are fragments, checked through
    # whoever includes or extends them. A fragment named on the command line
    # (as pre-commit does) is checked through the playbooks that use it.
    entries: list[tuple[Path, Path]] = []
    fragments: list[Path] = []
    for given in paths:
        if not given.exists():
            raise InputError(f"no such file or folder: {given}", f"找不到文件或目录：{given}")
        if not (given.is_file() or given.is_dir()) or (given.is_file() and not stat.S_ISREG(given.stat().st_mode)):
            raise InputError(f"not a regular file or folder: {given}", f"不是普通文件或目录：{given}")
        if given.is_file():
            if _is_entry(given) or given.suffix not in YAML_SUFFIXES:
                entries.append((given, root or given.parent))
                continue
            search = root or Path.cwd()
            users = _users_of(given, search) if given.resolve().is_relative_to(search.resolve()) else []
            entries.extend((user, search) for user in users)
            if not users:
                # Nothing uses it: check it as a playbook, so a typo such as
                # `playbok:` is reported rather than the file skipped.
                entries.append((given, root or given.parent))
            continue
        for path in yaml_files(given):
            if _is_entry(path):
                entries.append((path, root or given))
            else:
                fragments.append(path)
    unique = list(dict.fromkeys((path.resolve(), base) for path, base in entries))
    return [(path, base) for path, base in unique], fragments


def yaml_files(folder: Path) -> list[Path]:
    """The YAML files under `folder`, skipping hidden folders and virtual environments."""
    skip = {"node_modules", "venv", "__pycache__"}
    return sorted(
        p for p in folder.rglob("*")
        if p.suffix in YAML_SUFFIXES and p.is_file()
        and not any(part.startswith(".") or part in skip for part in p.relative_to(folder).parts[:-1])
    )


def _users_of(fragment: Path, search: Path) -> list[Path]:
    target = fragment.resolve()
    users = []
    for candidate in yaml_files(search):
        if candidate.resolve() == target or not _is_entry(candidate):
            continue
        if target in {f.resolve() for f in load_document(candidate, search).files}:
            users.append(candidate)
    return users


def _is_entry(path: Path) -> bool:
    parsed = read_file(path, display_name(path))
    if parsed.root is None:
        return bool(parsed.diagnostics)  # unreadable or broken: the loader reports why
    if not isinstance(parsed.root, Map) or "playbook" not in parsed.root.entries:
        return False
    abstract = parsed.root.entries.get("abstract")
    return not (abstract is not None and isinstance(abstract.value, Scalar) and abstract.value.value is True)
