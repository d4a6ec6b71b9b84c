"""Every condition parses, uses known names, has sound types and gives true/false.

Codes Q201–Q205 are defined with the other pre-check codes in
engine/diagnostics/codes.py; this check places them inside the YAML scalar.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic, diag
from .context import CheckContext
from .registry import check


@check("Q201", "Q202", "Q203", "Q204", "Q205", "Q206")
def conditions_are_sound(ctx: CheckContext) -> Iterator[Diagnostic]:
    for site in ctx.conditions:
        if site.error is not None:
            error = site.error
            span = ctx.span_inside(site.path, error.offset)
            if error.code == "Q205":
                yield diag("Q205", span, construct={"en": error.en, "zh": error.zh})
            else:
                yield diag("Q201", span, detail={"en": error.en, "zh": error.zh})
            continue
        assert site.checked is not None
        for issue in site.checked.issues:
            length = len(str(issue.params.get("value" if issue.code == "Q206" else "name", ""))) or 1
            yield diag(issue.code, ctx.span_inside(site.path, issue.offset, length), **issue.params)
