"""An output folder replaced whole: a command writes everything into a staging folder beside
`--out`, and the finished run takes the folder's place in one step.

How the step is made: where the platform has it (Linux), `renameat2(RENAME_EXCHANGE)` swaps the
staging folder and the previous run atomically, then the previous run (now under the staging
name) is removed; a new folder is one `rename`. Elsewhere the previous run is renamed aside, the
new one into place, and the old one removed; a kill between those two renames leaves the previous
run aside, and the next run puts it back before doing anything. So after any interruption, even
SIGKILL, `--out` holds the previous run complete or the new one complete, never a mix.

What qunce may replace: a folder qunce wrote, as its manifest (`.qunce-manifest.json`: every
file with its size and modification time) says. A folder holding anything else (a user's notes,
a file changed since, a link) is refused, never deleted; so are `/`, the home folder and a file.
Stale staging folders of killed runs (their process gone) are removed by the next run.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, UsageError
from .files import DIR_MODE

MANIFEST = ".qunce-manifest.json"
STAGING = "qunce-staging"
PREVIOUS = "qunce-previous"
SHOWN = 5  # foreign files named in the refusal


@dataclass
class Staged:
    """The staging folder a command writes into; `cancel()` drops the run (nothing published)."""

    path: Path
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@contextmanager
def replaced_whole(out: Path, option: str = "--out") -> Iterator[Staged]:
    """Stage a run for `out`; on a normal exit (not cancelled) publish it in one step, on an
    error or interrupt remove the staging folder and leave `out` as it was."""
    target = _checked(out, option)
    _clean_stale(target)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.{STAGING}-{os.getpid()}-", dir=target.parent))
    except OSError as exc:
        raise InputError(f"cannot write beside {out}: {exc.strerror or exc}",
                         f"无法在 {out} 旁写入：{exc.strerror or exc}") from None
    staged = Staged(staging)
    try:
        os.chmod(staging, DIR_MODE)
        yield staged
        if not staged.cancelled:
            _write_manifest(staging)
            _publish(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def qunce_wrote(folder: Path) -> bool:
    """Whether every file in `folder` is one qunce wrote there (and not changed since)."""
    return not _foreign(folder)


def add_to_manifest(folder: Path, path: Path) -> None:
    """List `path`, a file qunce just wrote into a folder it replaced whole (`qunce report` into a
    simulation's folder), in the folder's manifest, so that the next run there still replaces it.
    The manifest is replaced atomically: a kill leaves the old one or the new one."""
    from .files import write_text_atomic

    manifest = folder / MANIFEST
    document = json.loads(manifest.read_text(encoding="utf-8"))
    stat = path.lstat()
    document["files"][path.relative_to(folder).as_posix()] = [stat.st_size, stat.st_mtime_ns]
    document["files"] = dict(sorted(document["files"].items()))
    write_text_atomic(manifest, json.dumps(document, ensure_ascii=False, indent=1) + "\n")


def _checked(out: Path, option: str) -> Path:
    target = Path(os.path.abspath(out))
    home = Path(os.path.expanduser("~"))
    if target == Path(target.anchor) or target == home:
        raise UsageError(f"{option} {out}: refusing to write a run over {target}; give a folder of its own "
                         f"(e.g. {option} out/run1)", f"{option} {out}：不会把输出写到 {target}；请给出单独的目录"
                         f"（例如 {option} out/run1）")
    if (target.exists() and not target.is_dir()) or target.is_symlink():
        raise InputError(f"{option} {out} is a file or a link; give a folder", f"{option} {out} 是文件或链接；请给出目录")
    if target.is_dir():
        foreign = _foreign(target)
        if foreign:
            listed = ", ".join(foreign[:SHOWN]) + (" …" if len(foreign) > SHOWN else "")
            raise InputError(
                f"{option} {out} holds files qunce did not write or that changed since ({listed}); qunce replaces "
                "a run's folder whole and never deletes what it did not write: give a new or empty folder, or move "
                "those files out",
                f"{option} {out} 中有不是 qunce 写入的文件，或写入后被改动过（{listed}）；qunce 会整体替换输出目录，"
                "但绝不删除不是它写入的内容：请换一个新的或空的目录，或先把这些文件移走")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {target.parent}: {exc.strerror or exc}",
                         f"无法创建 {target.parent}：{exc.strerror or exc}") from None
    return target


def _foreign(folder: Path) -> list[str]:
    """The files (and links) in `folder` that its manifest does not list as they are now."""
    try:
        listed = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        listed = {}
    foreign = []
    for root, folders, files in os.walk(folder):
        for name in sorted(files) + sorted(f for f in folders if os.path.islink(os.path.join(root, f))):
            path = Path(root, name)
            relative = path.relative_to(folder).as_posix()
            if relative == MANIFEST:
                continue
            stat = path.lstat()
            if path.is_symlink() or listed.get(relative) != [stat.st_size, stat.st_mtime_ns]:
                foreign.append(relative)
        folders[:] = sorted(f for f in folders if not os.path.islink(os.path.join(root, f)))
    return sorted(foreign)


def _write_manifest(staging: Path) -> None:
    files = {}
    for root, _, names in os.walk(staging):
        for name in names:
            path = Path(root, name)
            stat = path.lstat()
            files[path.relative_to(staging).as_posix()] = [stat.st_size, stat.st_mtime_ns]
    text = json.dumps({"written_by": "qunce", "files": dict(sorted(files.items()))}, ensure_ascii=False, indent=1)
    (staging / MANIFEST).write_text(text + "\n", encoding="utf-8")


def _publish(staging: Path, target: Path) -> None:
    try:
        if not target.exists():
            os.rename(staging, target)
            return
        if _exchange(staging, target):
            return  # the previous run is now under the staging name: removed on the way out
        aside = target.parent / f".{target.name}.{PREVIOUS}-{os.getpid()}"
        os.rename(target, aside)
        os.rename(staging, target)
        shutil.rmtree(aside, ignore_errors=True)
    except OSError as exc:
        raise InputError(f"cannot put the run in place at {target}: {exc.strerror or exc}",
                         f"无法把本次输出放到 {target}：{exc.strerror or exc}") from None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where not available."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot; rename instead
        return False
    raise OSError(errno, os.strerror(errno))


def _clean_stale(target: Path) -> None:
    """Put back a previous run left aside by a kill, and remove staging folders of runs that
    are gone. Only folders named as qunce names them, holding its marks, are touched."""
    prefix = f".{target.name}."
    try:
        siblings = sorted(p for p in target.parent.iterdir() if p.name.startswith(prefix) and p.is_dir()
                          and not p.is_symlink())
    except OSError:
        return
    for path in siblings:
        rest = path.name[len(prefix):]
        kind = next((k for k in (STAGING, PREVIOUS) if rest.startswith(f"{k}-")), None)
        pid = rest[len(f"{kind}-"):].split("-")[0] if kind else ""
        if kind is None or not pid.isdigit() or _alive(int(pid)):
            continue
        if kind == PREVIOUS and not target.exists() and (path / MANIFEST).is_file():
            os.rename(path, target)
        elif kind == STAGING or (path / MANIFEST).is_file():
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a folder of ours from before is stale: this run has not made one yet
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
