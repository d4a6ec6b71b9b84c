"""Diagnostics: the finding type, the code registry, and the renderers."""

from .diagnostic import Diagnostic, Severity, Span, diag
from .registry import Code, all_codes, lookup, register

__all__ = ["Code", "Diagnostic", "Severity", "Span", "all_codes", "diag", "lookup", "register"]
