"""`qunce report SIM_DIR [--out FILE] [--lang zh|en]`: one self-contained HTML page of charts
read from a simulation's output folder (SIM_DIR/report.html by default); `simulate --report`
writes it into the output folder it makes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EXIT_CLEAN

FILE = "report.html"


@dataclass
class ReportRequest:
    folder: Path  # a simulation's output folder (summary.json and its tables)
    out: Path | None = None  # default: folder/report.html
    lang: str | None = None  # asked for (--lang); None: QUNCE_LANG, else the folder's (summary.json)


@dataclass
class ReportOutcome:
    status: int = EXIT_CLEAN
    path: Path = Path(FILE)
    size: int = 0
    lang: str = "zh"
    sections: list[str] = field(default_factory=list)  # the sections' titles, in order
    charts: int = 0
    tables: int = 0


def run(request: ReportRequest) -> ReportOutcome:
    """Read the folder, build every section, write the page whole (atomically)."""
    from ..files import write_text_atomic
    from ..report.charts import Table
    from ..report.folder import open_folder
    from ..report.page import build
    from .language import requested

    folder = open_folder(request.folder, requested(request.lang))
    out = request.out or request.folder / FILE
    page = build(folder, out)
    data = page.html.encode("utf-8")
    own = _qunce_folder(request.folder, out)
    write_text_atomic(out, page.html)
    if own:
        from ..output_folder import add_to_manifest

        add_to_manifest(request.folder, out)
    return ReportOutcome(path=out, size=len(data), lang=folder.lang, sections=[s.title for s in page.sections],
                         charts=len(page.charts),
                         tables=sum(isinstance(i, Table) for s in page.sections for i in s.items))


def _qunce_folder(folder: Path, out: Path) -> bool:
    """Whether `out` goes into a run's folder that qunce wrote whole: then the page is added to its
    manifest, so that the next `simulate --out` there still replaces the folder (a file the
    manifest does not list makes it refuse)."""
    from ..output_folder import MANIFEST, qunce_wrote

    return out.resolve().parent == folder.resolve() and (folder / MANIFEST).is_file() and qunce_wrote(folder)
