"""Writing output files whole or not at all: never a half-written file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError

# The process's umask, read once at import (setting it is the only way to read it, and it is
# process-wide: not something to do while threads write). mkstemp makes files 0600; an output
# gets the mode a plain open() would give it.
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK
DIR_MODE = 0o777 & ~_UMASK  # what mkdir gives (mkdtemp makes folders 0700)


def ensure_folder(folder: Path, name: str | None = None) -> None:
    """Create `folder` (and its parents); refuse a path that is a file. `name` is how the user
    gave it (e.g. "--out x"), for the message."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{name or folder} is a file; give a folder", f"{name or folder} 是文件；请给出目录")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {folder}: {exc.strerror or exc}", f"无法创建 {folder}：{exc.strerror or exc}") from None


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder, then rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            os.chmod(temp, FILE_MODE)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}", f"无法写入 {path}：{exc.strerror or exc}") from None
