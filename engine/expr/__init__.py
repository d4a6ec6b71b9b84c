"""The condition language: parse (ast, whitelisted), check, say in words, evaluate."""

from engine.expr.check import Checked, Issue, check
from engine.expr.evaluate import evaluate
from engine.expr.parse import ConditionError, parse
from engine.expr.tree import Expr
from engine.expr.words import in_words

__all__ = ["Checked", "ConditionError", "Expr", "Issue", "check", "evaluate", "in_words", "parse"]
