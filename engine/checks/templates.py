"""Every template renders against sample data: no syntax errors, undefined names,
sandbox escapes or runaway output. Codes Q301–Q305 live in engine/diagnostics/codes.py."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic, Span, diag
from ..sandbox import try_render
from ..source.inside import line_of, point_at
from ..source.nodes import Scalar
from ..template_vars import available, sample_context
from .context import CheckContext
from .registry import check


def _name_span(scalar: Scalar, text: str, lineno: int, name: str) -> Span | None:
    # Underline the undefined name itself (".nick" of member.nick) on its line.
    lines = text.split("\n")
    if not 0 < lineno <= len(lines):
        return None
    column = lines[lineno - 1].find(name)
    if column < 0:
        return None
    offset = sum(len(line) + 1 for line in lines[: lineno - 1]) + column + (1 if name.startswith(".") else 0)
    return point_at(scalar, offset, len(name.lstrip(".")))


@check("Q301", "Q302", "Q303", "Q304", "Q305")
def templates_render(ctx: CheckContext) -> Iterator[Diagnostic]:
    contexts = {kind: sample_context(ctx.playbook, kind) for kind in ("naming", "message")}
    for site in ctx.templates:
        _, problem = try_render(site.text, contexts[site.kind])
        if problem is None:
            continue
        scalar = ctx.positions.scalar(site.path)
        span = line_of(scalar, problem.lineno) if scalar is not None else ctx.span(site.path)
        if scalar is not None and problem.name:
            span = _name_span(scalar, site.text, problem.lineno, problem.name) or span
        yield diag(problem.code, span, detail={"en": problem.en, "zh": problem.zh}, available=available(site.kind))
