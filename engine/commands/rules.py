"""`qunce rules`: every diagnostic code with an example (or one code), or the names conditions
may use."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import EXIT_CLEAN, UsageError

FORMATS = ("text", "md", "json")


@dataclass
class RulesOutcome:
    text: str
    status: int = EXIT_CLEAN


def run(code: str | None, fmt: str, names: bool, lang: str) -> RulesOutcome:
    from .. import rules_doc

    if names:
        return RulesOutcome(rules_doc.names_text(lang) + "\n")
    if fmt == "md":
        return RulesOutcome(rules_doc.codes_markdown(lang))
    if fmt == "json":
        return RulesOutcome(rules_doc.codes_json(lang))
    text = rules_doc.codes_text(lang, code)
    if not text:
        raise UsageError(f"no diagnostic code or name '{code}'; run 'qunce rules' for the list",
                         f"没有名为 '{code}' 的诊断代码；运行 qunce rules 查看全部")
    return RulesOutcome(text)
