"""What the commission stage writes beside the tables: one Markdown statement per staff member
(statements/<staff id>.md, Chinese unless --lang en) and its part of summary.json."""

from __future__ import annotations

import os
import shutil
import tempfile
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.files import write_text_atomic

FOLDER = "statements"


@lru_cache(maxsize=1)
def _template() -> Any:
    """The statement template, compiled once (thousands of statements per run)."""
    import jinja2

    from engine.resources import resource

    source = resource("templates", "statements", "statement.md.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, autoescape=False)
    return env.from_string(source)


def render_statement(commission: Any, staff_id: str, lang: str) -> str:
    """One staff member's statement as Markdown."""
    from engine.commission.statement_view import statement_view

    roles = {key: (role.name, key) for key, role in commission.playbook_roles.items()}
    text = _template().render(statement_view(commission, staff_id, lang, roles))
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"


def write_statements(commission: Any | None, ctx: Any, out: Path, lang: str) -> None:
    """Write every staff member's statement into out/statements/, replacing the folder whole
    (no statement of an earlier run is left behind); without a plan, remove the folder."""
    target = out / FOLDER
    if commission is None:
        shutil.rmtree(target, ignore_errors=True)
        return
    try:
        staging = Path(tempfile.mkdtemp(prefix=".qunce-statements-", dir=out))
    except OSError as exc:
        raise InputError(f"cannot write in {out}: {exc.strerror or exc}") from None
    try:
        for staff_id in sorted({staff for _, staff in commission.book.statements}):
            write_text_atomic(staging / f"{_safe(staff_id)}.md", render_statement(commission, staff_id, lang))
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
