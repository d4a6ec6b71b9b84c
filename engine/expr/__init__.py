"""The condition language: parse (ast, whitelisted), check, say in words, evaluate."""

from .check import Checked, Issue, check
from .evaluate import evaluate
from .parse import ConditionError, parse
from .phrasing import in_words
from .tree import Expr

__all__ = ["Checked", "ConditionError", "Expr", "Issue", "check", "evaluate", "in_words", "parse"]
