"""Diagnostics: the finding type, the code registry, and the renderers."""

from .diagnostic import Diagnostic, Severity, Span, diag
from .registry import Code, lookup, register, registered_codes

__all__ = ["Code", "Diagnostic", "Severity", "Span", "diag", "lookup", "register", "registered_codes"]
