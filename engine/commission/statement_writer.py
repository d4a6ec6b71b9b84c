"""What the commission stage writes beside the tables: one Markdown statement per staff member
(statements/<staff id>.md, the id made safe and distinct by file_names; Chinese unless --lang
en) and its part of summary.json."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import file_names
from ..errors import InputError
from ..files import ensure_folder
from ..gc_pause import gc_paused
from ..simulate.context import profiled
from .statements import KINDS

FOLDER = "statements"


@lru_cache(maxsize=1)
def _environment() -> Any:
    """The statement templates, compiled once (thousands of statements per run)."""
    import jinja2

    from ..resources import resource

    sources = {name: resource("templates", "statements", name).read_text(encoding="utf-8")
               for name in ("statement.md.j2", "rows.md.j2")}
    return jinja2.Environment(loader=jinja2.DictLoader(sources), undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)


@lru_cache(maxsize=1)
def _template() -> Any:
    return _environment().get_template("statement.md.j2")


@lru_cache(maxsize=1)
def shared_rows() -> Any:
    """rows.md.j2's macros: the parts of a statement shared by everyone who held a group."""
    return _environment().get_template("rows.md.j2").module


def render_statement(commission: Any, staff_id: str, lang: str) -> str:
    """One staff member's statement as Markdown."""
    from .statement_view import statement_view

    roles = {key: (role.name, key) for key, role in commission.playbook_roles.items()}
    text = _template().render(statement_view(commission, staff_id, lang, roles))
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"


TABLES = ("statements", "payouts", "commission_units")
# While the commission's thread works, the thread that writes the simulator's outputs asks for
# the interpreter back between DuckDB calls; at Python's default (5 ms) it waits that long each
# time, at 0.5 ms little. Side by side at 10M events against the forked child this replaced
# (whose copy-on-write of DuckDB's pages cost more than the second process saved): write stage
# 25.8 and 19.6 s against 28.4 and 24.4 s in two rounds.
SWITCH_INTERVAL = 0.0005


class CommissionWriter:
    """The commission's outputs beside the simulator's: its three tables (`table(name)`) and
    every staff member's Markdown statement in out/statements/, the folder replaced whole (no
    statement of an earlier run is left behind; without a plan the folder is removed).

    `commission` is the built Commission, or the Prepared plan and inputs (stage.Prepared):
    then the thread builds it first (units, book: plain Python), while the caller goes on with
    the simulation (DuckDB, which releases the interpreter while it works).

    Use it as a context manager around the rest of the run: on entering, a background thread
    builds the commission if need be, then its tables, then renders the statements, while the
    caller computes and writes the simulator's outputs. `finish()` waits for the statements and
    moves them into place; an error of the thread is raised there (or by `table`, `result`);
    leaving the block early stops the thread after the statement it is rendering and removes
    what it wrote."""

    def __init__(self, commission: Any | None, out: Path, lang: str) -> None:
        self.source = commission
        self.out = out
        self.lang = lang
        self.staging: Path | None = None
        self.stop = threading.Event()
        self.pool: ThreadPoolExecutor | None = None
        self.built: Future[Any] | None = None
        self.tables: Future[dict[str, Any]] | None = None
        self.statements: Future[None] | None = None
        self.interval = sys.getswitchinterval()
        self.frozen = False  # gc.freeze() after the build: see _build

    @property
    def planned(self) -> bool:
        """Whether the playbook has a commission plan (the tables and statements will come)."""
        return self.source is not None

    def __enter__(self) -> CommissionWriter:
        if self.source is None:
            return self
        ensure_folder(self.out, f"--out {self.out}")
        try:
            self.staging = Path(tempfile.mkdtemp(prefix=".qunce-statements-", dir=self.out))
            # mkdtemp's folder is private (0700): the statements go in a plain one inside it.
            (self.staging / "md").mkdir()
        except OSError as exc:
            raise InputError(f"cannot write in {self.out}: {exc.strerror or exc}",
                                 f"无法在 {self.out} 中写入：{exc.strerror or exc}") from None
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qunce-commission")
        sys.setswitchinterval(SWITCH_INTERVAL)
        # One worker: each step starts when the one before it is done (an error of the build is
        # raised again by the steps after it).
        self.built = self.pool.submit(_timed, "commission build", self._build)
        self.tables = self.pool.submit(_timed, "commission tables", lambda: self.result().tables())
        folder = self.staging / "md"
        self.statements = self.pool.submit(_timed, "statements", lambda: _render_all(
            self.result(), folder, self.lang, self.stop))
        return self

    def _build(self) -> Any:
        import gc

        from .stage import Prepared

        built = self.source.build() if isinstance(self.source, Prepared) else self.source
        # The book is hundreds of thousands of objects that live to the end of the run: each full
        # collection the rest of the run triggers would walk them all (~0.4 s at 10M events).
        # Frozen, the collector leaves them (and whatever else lives now) alone until __exit__.
        gc.freeze()
        self.frozen = True
        return built

    def result(self) -> Any:
        """The Commission (waiting for the thread to build it)."""
        assert self.built is not None
        return self.built.result()

    def table(self, name: str) -> Any:
        """One of TABLES as an Arrow table (waiting for the thread to build them). Each is handed
        over once and not kept here: built early, they would otherwise stay in memory through the
        rest of the run (~1 GB at 100M events)."""
        assert self.tables is not None
        return self.tables.result().pop(name)

    def finish(self) -> None:
        """Wait for the statements and put them in place (or remove the folder without a plan)."""
        target = self.out / FOLDER
        if self.source is None:
            shutil.rmtree(target, ignore_errors=True)
            return
        assert self.statements is not None and self.staging is not None
        self.statements.result()
        shutil.rmtree(target, ignore_errors=True)
        os.replace(self.staging / "md", target)

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
            sys.setswitchinterval(self.interval)
        if self.frozen:
            import gc

            gc.unfreeze()
            self.frozen = False
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


def _timed(label: str, work: Callable[..., Any], *args: Any) -> Any:
    with profiled(f"{label} (thread)"):
        return work(*args)


@gc_paused()
def _render_all(commission: Any, folder: Path, lang: str, stop: threading.Event) -> None:
    from collections import Counter

    from .statement_view import HOLDERS

    # A unit's shared words are dropped once its last holder's statement is rendered (at 100M
    # events they would otherwise all be kept: ~0.7 GB).
    cache = commission.view_cache
    cache[HOLDERS, lang] = Counter(id(result) for s in commission.book.statements.values()
                                   for _, _, result in s.held if result.items)
    try:
        # The folder is staged and swapped whole: each file is written plainly, not atomically.
        # One file per person: ids that a path could not hold as they are (a/b beside a_b) get
        # distinct names (file_names).
        stems = file_names.names(staff for _, staff in commission.book.statements)
        for staff_id in sorted(stems):
            if stop.is_set():  # the run stopped early
                return
            path = folder / f"{stems[staff_id]}.md"
            try:
                path.write_text(render_statement(commission, staff_id, lang), encoding="utf-8", newline="\n")
            except OSError as exc:
                raise InputError(f"cannot write {path}: {exc.strerror or exc}", f"无法写入 {path}：{exc.strerror or exc}") from None
    finally:
        del cache[HOLDERS, lang]


def commission_summary(commission: Any) -> dict[str, Any]:
    """Per period: total paid, staff paid, each kind of line, and what nobody held."""
    book = commission.book
    out: dict[str, Any] = {"period": commission.plan.commission.period, "unit": commission.plan.unit, "periods": {}}
    days = commission.days
    for period in book.periods:
        statements = [s for (p, _), s in book.statements.items() if p == period]
        inside, whole = days[period]
        kinds = {kind: str(sum((s.part(kind) for s in statements), Decimal(0)))
                 for kind in KINDS}
        out["periods"][period] = {"total": str(book.period_totals.get(period, Decimal(0))),
                                  "staff": len(statements), **kinds,
                                  "unassigned": str(book.unassigned.get(period, Decimal(0))),
                                  "window_days": inside, "period_days": whole, "partial": inside < whole}
    return out
