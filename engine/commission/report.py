"""What the commission stage writes beside the tables: one Markdown statement per staff member
(statements/<staff id>.md, Chinese unless --lang en) and its part of summary.json."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.commission.gc_pause import gc_paused
from engine.errors import InputError, first_line
from engine.files import ensure_folder
from engine.simulate.context import profiled

FOLDER = "statements"


@lru_cache(maxsize=1)
def _environment() -> Any:
    """The statement templates, compiled once (thousands of statements per run)."""
    import jinja2

    from engine.resources import resource

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
    from engine.commission.statement_view import statement_view

    roles = {key: (role.name, key) for key, role in commission.playbook_roles.items()}
    text = _template().render(statement_view(commission, staff_id, lang, roles))
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"


TABLES = ("statements", "payouts", "commission_units")


class CommissionWriter:
    """The commission's outputs beside the simulator's: its three tables (`table(name)`) and
    every staff member's Markdown statement in out/statements/, the folder replaced whole (no
    statement of an earlier run is left behind; without a plan the folder is removed).

    Use it as a context manager around the writing of the simulator's tables. On Linux a forked
    child builds the tables (handing them back as Arrow IPC files) and renders the statements
    while the parent sorts and writes the simulator's outputs: that work is pure Python on one
    core, the book is already built (the child reads it copy-on-write), and the parent's writing
    is DuckDB's, which leaves the interpreter free. Elsewhere (no safe fork) the statements are
    rendered on entering and the tables built when asked for. `finish()` waits for the child,
    reports its error as the run's own and moves the statements into place; leaving the block
    early stops the child and removes what it wrote."""

    def __init__(self, commission: Any | None, out: Path, lang: str) -> None:
        self.commission = commission
        self.out = out
        self.lang = lang
        self.staging: Path | None = None  # md/ (the statements) and tables/ (Arrow IPC)
        self.child: int | None = None  # the forked child's pid
        self.errors: int | None = None  # the read end of the pipe the child reports its error on
        self.built: dict[str, Any] | None = None  # the tables, once built or read back
        self.forked = False

    def __enter__(self) -> CommissionWriter:
        if self.commission is None:
            return self
        ensure_folder(self.out, f"--out {self.out}")
        try:
            self.staging = Path(tempfile.mkdtemp(prefix=".qunce-statements-", dir=self.out))
            (self.staging / "md").mkdir()
            (self.staging / "tables").mkdir()
        except OSError as exc:
            raise InputError(f"cannot write in {self.out}: {exc.strerror or exc}") from None
        if _can_fork():
            self._fork()
        else:
            _render_all(self.commission, self.staging / "md", self.lang)
        return self

    def _fork(self) -> None:
        assert self.staging is not None and self.commission is not None
        self.forked = True
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: build, render, report any error on the pipe, exit without cleanup
            code = 0
            try:
                os.close(read)
                with profiled("commission tables (child)"):
                    _write_tables(self.commission.tables(), self.staging / "tables")
                with profiled("statements (child)"):
                    _render_all(self.commission, self.staging / "md", self.lang)
                _report_usage()
            except BaseException as exc:  # every failure goes to the parent
                code = 1
                kind = "input" if isinstance(exc, InputError) else type(exc).__name__
                os.write(write, f"{kind}\n{first_line(exc)}".encode())
            finally:
                os._exit(code)
        os.close(write)
        self.child, self.errors = pid, read

    def table(self, name: str) -> Any:
        """One of TABLES as an Arrow table (waiting for the child, if any)."""
        if self.built is None:
            assert self.commission is not None
            if self.forked:
                self._wait()
                assert self.staging is not None
                self.built = _read_tables(self.staging / "tables")
            else:
                self.built = self.commission.tables()
        return self.built[name]

    def finish(self) -> None:
        """Wait for the statements and put them in place (or remove the folder without a plan)."""
        target = self.out / FOLDER
        if self.commission is None:
            shutil.rmtree(target, ignore_errors=True)
            return
        self._wait()
        assert self.staging is not None
        shutil.rmtree(target, ignore_errors=True)
        os.replace(self.staging / "md", target)

    def _wait(self) -> None:
        if self.child is None:
            return
        assert self.errors is not None
        _, status = os.waitpid(self.child, 0)
        with os.fdopen(self.errors, "rb") as pipe:
            report = pipe.read().decode(errors="replace")
        self.child = self.errors = None
        if os.waitstatus_to_exitcode(status) != 0:
            kind, _, message = report.partition("\n")
            if kind == "input":
                raise InputError(message)
            raise RuntimeError(f"writing the statements failed: {kind}: {message}" if report
                               else f"writing the statements failed (status {status})")

    def __exit__(self, *exc: object) -> None:
        if self.child is not None:  # the run failed before finish(): stop the child
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.child, signal.SIGKILL)
            os.waitpid(self.child, 0)
            if self.errors is not None:
                os.close(self.errors)
            self.child = self.errors = None
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


def _report_usage() -> None:
    """Under QUNCE_PROFILE, what the child cost: its own CPU time and page faults (the pages of
    the book it touched are copied from the parent's)."""
    from engine.simulate.context import PROFILE

    if PROFILE:
        import resource as rusage

        used = rusage.getrusage(rusage.RUSAGE_SELF)
        print(f"qunce profile: commission child user {used.ru_utime:.2f}s sys {used.ru_stime:.2f}s, "
              f"{used.ru_minflt:,} page faults", file=sys.stderr, flush=True)


def _write_tables(tables: dict[str, Any], folder: Path) -> None:
    import pyarrow as pa

    for name, table in tables.items():
        with pa.OSFile(str(folder / f"{name}.arrow"), "wb") as sink, pa.ipc.new_file(sink, table.schema) as ipc:
            ipc.write_table(table)


def _read_tables(folder: Path) -> dict[str, Any]:
    import pyarrow as pa

    tables = {}
    for name in TABLES:
        with pa.memory_map(str(folder / f"{name}.arrow")) as source:
            tables[name] = pa.ipc.open_file(source).read_all()
    return tables


def _can_fork() -> bool:
    # Linux only: macOS's system libraries are not fork-safe once threads run (DuckDB's do).
    # QUNCE_NO_FORK=1 renders in the process itself (for debugging).
    return sys.platform.startswith("linux") and hasattr(os, "fork") and not os.environ.get("QUNCE_NO_FORK")


@gc_paused()
def _render_all(commission: Any, folder: Path, lang: str) -> None:
    # The folder is staged and swapped whole: each file is written plainly, not atomically.
    for staff_id in sorted({staff for _, staff in commission.book.statements}):
        path = folder / f"{_safe(staff_id)}.md"
        try:
            path.write_text(render_statement(commission, staff_id, lang), encoding="utf-8", newline="\n")
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _safe(name: str) -> str:
    # Staff ids come from the roster: keep them from naming a path outside the folder.
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name).lstrip(".") or "_"


def commission_summary(commission: Any) -> dict[str, Any]:
    """Per period: total paid, staff paid, each kind of line, and what nobody held."""
    book = commission.book
    out: dict[str, Any] = {"period": commission.plan.commission.period, "unit": commission.plan.unit, "periods": {}}
    days = commission.days
    for period in book.periods:
        statements = [s for (p, _), s in book.statements.items() if p == period]
        inside, whole = days[period]
        kinds = {kind: str(sum((s.part(kind) for s in statements), Decimal(0)))
                 for kind in ("kpi", "bonus", "gate", "cap", "clawback")}
        out["periods"][period] = {"total": str(book.period_totals.get(period, Decimal(0))),
                                  "staff": len(statements), **kinds,
                                  "unassigned": str(book.unassigned.get(period, Decimal(0))),
                                  "window_days": inside, "period_days": whole, "partial": inside < whole}
    return out
