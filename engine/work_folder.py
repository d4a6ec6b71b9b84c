"""This run's own temporary folder (files made from the inputs, DuckDB's spill files)."""

from __future__ import annotations

import functools
from pathlib import Path


@functools.cache
def work_folder() -> Path:
    """This run's folder for the files made here and DuckDB's spill files, removed at exit."""
    import atexit
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="qunce-read-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder
