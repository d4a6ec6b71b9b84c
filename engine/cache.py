"""A cache of validation results, so re-checking unchanged playbooks costs almost nothing.

Like ruff's or mypy's cache: the key covers the command's arguments, every
YAML file found under them (name, size, modification time) and qunce's own
code; an entry also lists every file the playbooks read (bases, fragments)
and is used only while all of them are unchanged. A hit needs no YAML
parsing, no pydantic and no checks: this module imports only the diagnostics.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

from .diagnostics import Code, Diagnostic, Span, register
from .diagnostics.registry import Bilingual, lookup

CACHE_VERSION = 1
YAML_SUFFIXES = (".yaml", ".yml")


def cache_dir() -> Path | None:
    """Where results are kept; None when caching is off (QUNCE_NO_CACHE=1)."""
    if os.environ.get("QUNCE_NO_CACHE"):
        return None
    if os.environ.get("QUNCE_CACHE_DIR"):
        return Path(os.environ["QUNCE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home folder to be found: run without a cache
            return None
    return Path(base) / "qunce"


@dataclasses.dataclass(slots=True)
class CachedReport:
    diagnostics: list[Diagnostic]
    texts: dict[str, str]
    files_checked: int


def _stamp(path: Path) -> list[Any] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [str(path.resolve()), stat.st_size, stat.st_mtime_ns]


def code_fingerprint() -> list[Any]:
    # qunce's own source (the package's files only, cli.py among them: never a neighbour's in
    # site-packages): a changed check must not reuse old results.
    # One scandir walk, its entries' own stat: rglob and a resolve() per file took ~35 ms of
    # every cached run. Linked files (engine/cli.py) are named by their target, as resolve() does.
    here = Path(__file__).resolve().parent
    stamps: list[Any] = []
    folders = [str(here)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif entry.name.endswith(".py"):
                    try:
                        info = entry.stat()
                    except OSError:  # a broken link
                        continue
                    shown = os.path.realpath(entry.path) if entry.is_symlink() else entry.path
                    stamps.append([shown, info.st_size, info.st_mtime_ns])
    return sorted(stamps)


def key_for(paths: list[Path], root: Path | None) -> str | None:
    """The cache key of one validate call, or None when an argument does not exist."""
    import hashlib  # here, not at the top: `qunce validate --no-cache` never needs it
    import json

    listing: list[Any] = []
    for given in paths:
        if not given.exists():
            return None
        if given.is_file():
            listing.append(_stamp(given))
            continue
        for path in sorted(given.rglob("*")):
            if path.suffix in YAML_SUFFIXES and path.is_file():
                listing.append(_stamp(path))
    material = {
        "version": CACHE_VERSION,
        "python": sys.version,
        "cwd": os.getcwd(),
        "args": [str(p) for p in paths],
        "root": str(root) if root else None,
        "files": listing,
        "code": code_fingerprint(),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def lookup_report(paths: list[Path], root: Path | None) -> tuple[str | None, CachedReport | None]:
    """The key, and the cached report when every file it read is unchanged."""
    folder = cache_dir()
    key = key_for(paths, root) if folder else None
    if folder is None or key is None:
        return key, None
    import json

    entry_path = folder / f"validate-{key}.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return key, None
    if any(_stamp(Path(stamp[0])) != stamp for stamp in entry["read"]):
        return key, None
    for fields in entry["codes"]:
        register(Code(**fields))
    diagnostics = [_diagnostic(item) for item in entry["diagnostics"]]
    return key, CachedReport(diagnostics, entry["texts"], entry["files_checked"])


def store_report(key: str | None, read: list[Path], diagnostics: list[Diagnostic], texts: dict[str, str],
                 files_checked: int) -> None:
    """Keep a report for next time; a cache that cannot be written is skipped silently."""
    folder = cache_dir()
    if folder is None or key is None:
        return
    import json

    shown = {d.span.file for d in diagnostics}
    entry = {
        "read": [stamp for stamp in (_stamp(p) for p in read) if stamp is not None],
        "codes": [dataclasses.asdict(lookup(code)) for code in sorted({d.code for d in diagnostics})],
        "diagnostics": [_plain(d) for d in diagnostics],
        "texts": {name: text for name, text in texts.items() if name in shown},
        "files_checked": files_checked,
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temp = folder / f".validate-{key}.{os.getpid()}.tmp"
        temp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        os.replace(temp, folder / f"validate-{key}.json")
    except OSError:
        pass


def _plain(d: Diagnostic) -> dict[str, Any]:
    params = [[k, {"en": v.en, "zh": v.zh} if isinstance(v, Bilingual) else v] for k, v in d.params]
    return {"code": d.code, "span": dataclasses.astuple(d.span), "params": params,
            "severity": d.severity.value if d.severity else None}


def _diagnostic(item: dict[str, Any]) -> Diagnostic:
    from .diagnostics import Severity

    params = tuple((k, Bilingual(v["en"], v["zh"]) if isinstance(v, dict) else v) for k, v in item["params"])
    severity = Severity(item["severity"]) if item["severity"] else None
    return Diagnostic(item["code"], Span(*item["span"]), params, severity)
