"""The working-hours rule is written once: the handbook's SOP section prints it and docs/language.md
copies it word for word, in both languages; the handbook says it only when a role with working
hours answers events, with each role's hours on its SOP card."""

from __future__ import annotations

from pathlib import Path

from qunce.compile.docs.vocabulary import WORDS

ROOT = Path(__file__).resolve().parents[2]


def test_language_md_copies_the_handbooks_rule_in_both_languages() -> None:
    zh, en = WORDS["working_hours_rule"]
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    assert f"- {zh}\n" in text and f"- {en}\n" in text


def test_the_handbook_shows_the_rule_and_each_roles_hours_only_with_working_hours() -> None:
    from qunce.compile.docs.team import sop
    from qunce.compile.docs.view import View
    from qunce.model import Playbook

    def view(calendar: str | None) -> dict[str, object]:
        pb = Playbook.model_validate({
            "playbook": "t", "calendar": {"working_hours": calendar},
            "roles": {"admin": {"name": "管理员"}, "kol": {"name": "KOL", "working_hours": "09:00-12:00,13:30-22:00"}},
            "sop": [{"id": "welcome", "role": "admin", "on": "join", "within": "10m"},
                    {"id": "live", "role": "kol", "every": "daily 20:00"}]})
        return sop(View(pb, "en"))

    with_hours = view("09:00-22:00")
    assert with_hours["hours_rule"] == WORDS["working_hours_rule"][1]
    assert [(r["id"], r["hours"]) for r in with_hours["roles"]] == [  # type: ignore[index, union-attr]
        ("admin", "09:00-22:00"), ("kol", "09:00-12:00, 13:30-22:00")]
    without = view(None)
    assert without["hours_rule"] == ""  # the KOL has hours but answers no event
    assert [(r["id"], r["hours"]) for r in without["roles"]] == [  # type: ignore[index, union-attr]
        ("admin", ""), ("kol", "09:00-12:00, 13:30-22:00")]
