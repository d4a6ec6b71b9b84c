"""The diagnostic renderers: text frames, JSON, SARIF and GitHub annotations."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from qunce.diagnostics import Severity, Span, diag
from qunce.diagnostics.render import RENDERERS, render
from qunce.diagnostics.render_github import render_github
from qunce.diagnostics.render_json import render_json
from qunce.diagnostics.render_sarif import render_sarif
from qunce.diagnostics.render_text import display_width, render_text

CHINESE_LINE = "  name: 群主 {{ x }}"
TEXTS = {"a.yaml": f"roles:\n{CHINESE_LINE}\n"}


def unknown_name(file: str = "p.yaml", line: int = 1, col: int = 1, end_col: int = 0) -> Any:
    return diag(
        "Q202",
        Span(file, line, col, line if end_col else 0, end_col),
        name="point_90d",
        scope="member",
        suggestion="; did you mean 'points_90d'?",
    )


# --- text ----------------------------------------------------------------------


def test_text_frame_shifts_caret_past_chinese_characters() -> None:
    # '{{ x }}' starts at character 12, but 群主 take two columns each: display column 14.
    d = diag("Q302", Span("a.yaml", 2, 12, 2, 19), detail="'x'", available="member")
    assert render_text([d], TEXTS) == (
        "a.yaml:2:12: error Q302 template-undefined: template uses undefined 'x'\n"
        "    2 |   name: 群主 {{ x }}\n"
        "      |              ^^^^^^^\n"
        "      = hint: Available here: member. Add your own under vars:.\n"
        "\n"
        "1 error, 0 warnings in 1 file checked\n"
    )


def test_text_underline_of_chinese_text_is_two_carets_per_character() -> None:
    d = diag("Q002", Span("a.yaml", 2, 9, 2, 11), key="群主", first_line=1)
    frame = render_text([d], TEXTS).splitlines()[1:3]
    assert frame == [
        "    2 |   name: 群主 {{ x }}",
        "      |         ^^^^",
    ]


def test_display_width() -> None:
    assert display_width("群主") == 4
    assert display_width("ａ") == 2  # fullwidth
    assert display_width("name: x") == 7


def test_text_single_caret_when_end_unknown_or_on_another_line() -> None:
    unknown_end = diag("Q002", Span("a.yaml", 2, 3), key="name", first_line=1)
    other_line = diag("Q002", Span("a.yaml", 2, 3, 3, 1), key="name", first_line=1)
    for d in (unknown_end, other_line):
        assert render_text([d], TEXTS).splitlines()[2] == "      |   ^"


def test_text_tabs_show_as_one_space() -> None:
    d = diag("Q001", Span("t.yaml", 1, 3, 1, 4), detail="found a tab")
    lines = render_text([d], {"t.yaml": "\t\tkey: 1\n"}).splitlines()
    assert lines[1:3] == ["    1 |   key: 1", "      |   ^"]


def test_text_control_characters_cannot_reach_the_terminal() -> None:
    d = diag("Q002", Span("c.yaml", 1, 1, 1, 5), key="a\x1b[31mb", first_line=1)
    out = render_text([d], {"c.yaml": "a\x1b[31mb: 1\n"})
    assert "\x1b" not in out
    assert "duplicate key 'a\\x1b[31mb'" in out
    assert out.splitlines()[1] == "    1 | a\ufffd[31mb: 1"


def test_text_long_line_is_cut_to_a_window_around_the_caret() -> None:
    line = "k: " + "x" * 200 + "target" + "y" * 200
    col = line.index("target") + 1
    d = diag("Q101", Span("l.yaml", 1, col, 1, col + 6), key="target", where="roles", suggestion="", allowed="name")
    shown, carets = render_text([d], {"l.yaml": line}).splitlines()[1:3]
    shown_line = shown.removeprefix("    1 | ")
    caret_row = carets.removeprefix("      | ")
    assert shown_line.startswith("…") and shown_line.endswith("…")
    assert display_width(shown_line) == 160
    assert shown_line == "…" + "x" * 40 + "target" + "y" * 112 + "…"
    assert caret_row == " " * 41 + "^" * 6


def test_text_long_chinese_line_keeps_caret_aligned() -> None:
    line = "群" * 100 + "错字" + "群" * 100
    col = 101
    d = diag("Q104", Span("w.yaml", 1, col, 1, col + 2), detail="bad", suggestion="", allowed="")
    shown, carets = render_text([d], {"w.yaml": line}).splitlines()[1:3]
    shown_line = shown.removeprefix("    1 | ")
    caret_row = carets.removeprefix("      | ")
    assert display_width(shown_line) <= 160
    indent = len(caret_row) - len(caret_row.lstrip(" "))
    assert caret_row.strip() == "^^^^"
    # The carets sit under 错字: the display width of what is shown before it.
    assert display_width(shown_line[: shown_line.index("错字")]) == indent


def test_text_caret_past_end_of_line_and_empty_last_line() -> None:
    past_end = diag("Q001", Span("e.yaml", 1, 5), detail="x")
    at_eof = diag("Q001", Span("e.yaml", 2, 1), detail="x")
    texts = {"e.yaml": "a: [\n"}
    assert render_text([past_end], texts).splitlines()[1:3] == ["    1 | a: [", "      |     ^"]
    assert render_text([at_eof], texts).splitlines()[1:3] == ["    2 |", "      | ^"]


def test_text_no_frame_without_text_or_for_a_line_outside_the_file() -> None:
    missing = diag("Q007", Span("gone.yaml", 1, 1), detail="no such file")
    beyond = diag("Q007", Span("a.yaml", 99, 1), detail="x")
    for d, texts in ((missing, {}), (missing, {"gone.yaml": ""}), (beyond, TEXTS)):
        lines = render_text([d], texts).splitlines()
        assert lines[1].startswith("      = hint: ")


def test_text_omits_empty_hint() -> None:
    d = diag("Q103", Span("a.yaml", 2, 3, 2, 7), expected="a number", found="text", detail="")
    assert render_text([d], TEXTS) == (
        "a.yaml:2:3: error Q103 wrong-type: expected a number, found text\n"
        "    2 |   name: 群主 {{ x }}\n"
        "      |   ^^^^\n"
        "\n"
        "1 error, 0 warnings in 1 file checked\n"
    )


def test_text_chinese_words() -> None:
    diagnostics = [
        diag("Q002", Span("a.yaml", 2, 3, 2, 7), key="name", first_line=1),
        diag("Q012", Span("b.yaml", 1, 1)),
        diag("Q012", Span("c.yaml", 1, 1), severity=Severity.INFO),
    ]
    out = render_text(diagnostics, TEXTS, lang="zh", files_checked=4)
    assert out == (
        "a.yaml:2:3: 错误 Q002 duplicate-key: 重复的键 'name'（第 1 行已定义）\n"
        "    2 |   name: 群主 {{ x }}\n"
        "      |   ^^^^\n"
        "      = 提示: 删掉其中一个或合并内容；否则 YAML 会悄悄只保留后一个。\n"
        "\n"
        "b.yaml:1:1: 警告 Q012 not-a-playbook: 已跳过：没有 'playbook:' 键，也没有剧本 include / extends 它\n"
        "      = 提示: 添加 'playbook: <名称>' 以单独校验；若有剧本引用它，请在同时包含两者的目录中运行（或使用 --root）；"
        "或把它移出该目录。\n"
        "\n"
        "c.yaml:1:1: 提示 Q012 not-a-playbook: 已跳过：没有 'playbook:' 键，也没有剧本 include / extends 它\n"
        "      = 提示: 添加 'playbook: <名称>' 以单独校验；若有剧本引用它，请在同时包含两者的目录中运行（或使用 --root）；"
        "或把它移出该目录。\n"
        "\n"
        "检查了 4 个文件：1 个错误、1 个警告、1 条提示\n"
    )


@pytest.mark.parametrize(
    ("diagnostics", "files_checked", "lang", "expected"),
    [
        ([], 3, "en", "No problems found in 3 files.\n"),
        ([], 1, "en", "No problems found in 1 file.\n"),
        ([], 2, "zh", "检查了 2 个文件，没有发现问题。\n"),
        ([unknown_name()], None, "en", "1 error, 0 warnings in 1 file checked\n"),
        (
            [unknown_name("a.yaml"), unknown_name("b.yaml"), diag("Q012", Span("b.yaml", 1, 1))],
            None,
            "en",
            "2 errors, 1 warning in 2 files checked\n",
        ),
        (
            [diag("Q012", Span("b.yaml", 1, 1)), diag("Q012", Span("c.yaml", 1, 1))],
            10,
            "en",
            "0 errors, 2 warnings in 10 files checked\n",
        ),
        (
            [diag("Q012", Span("b.yaml", 1, 1), severity=Severity.INFO)],
            1,
            "en",
            "0 errors, 0 warnings, 1 note in 1 file checked\n",
        ),
        ([unknown_name()], 5, "zh", "检查了 5 个文件：1 个错误、0 个警告\n"),
    ],
)
def test_text_summary(diagnostics: list[Any], files_checked: int | None, lang: str, expected: str) -> None:
    out = render_text(diagnostics, {}, lang=lang, files_checked=files_checked)
    assert out.split("\n\n")[-1] == expected


def test_text_color_only_when_asked() -> None:
    d = unknown_name("p.yaml", 1, 1, 10)
    texts = {"p.yaml": "point_90d >= 300\n"}
    assert "\x1b[" not in render_text([d], texts)
    lines = render_text([d], texts, color=True).splitlines()
    assert lines[0].startswith("p.yaml:1:1: \x1b[1;31merror Q202 unknown-name\x1b[0m: unknown name")
    assert lines[1] == "\x1b[2m    1 |\x1b[0m point_90d >= 300"
    assert lines[2] == "\x1b[2m      |\x1b[0m \x1b[1;31m^^^^^^^^^\x1b[0m"
    warning = render_text([diag("Q012", Span("b.yaml", 1, 1))], {}, color=True)
    assert "\x1b[33mwarning Q012 not-a-playbook\x1b[0m" in warning
    info = render_text([diag("Q012", Span("b.yaml", 1, 1), severity=Severity.INFO)], {}, color=True)
    assert "\x1b[36minfo Q012 not-a-playbook\x1b[0m" in info


# --- JSON ----------------------------------------------------------------------


def test_json_array_in_input_order() -> None:
    diagnostics = [
        unknown_name("z.yaml", 3, 5, 14),
        diag("Q002", Span("a.yaml", 2, 9, 2, 11), key="群主", first_line=1),
    ]
    out = render_json(diagnostics, TEXTS, lang="zh")
    assert out.endswith("]\n")
    assert "群主" in out  # not \u-escaped
    data = json.loads(out)
    assert [d["code"] for d in data] == ["Q202", "Q002"]
    assert data[1] == {
        "code": "Q002",
        "name": "duplicate-key",
        "severity": "error",
        "message": "重复的键 '群主'（第 1 行已定义）",
        "hint": "删掉其中一个或合并内容；否则 YAML 会悄悄只保留后一个。",
        "file": "a.yaml",
        "line": 2,
        "col": 9,
        "end_line": 2,
        "end_col": 11,
    }
    assert render_json([], {}) == "[]\n"


# --- SARIF ---------------------------------------------------------------------

# The parts of the SARIF 2.1.0 schema (and GitHub's ingestion rules) this output relies on.
_MINIMAL_SARIF: dict[str, Any] = {
    "type": "object",
    "required": ["$schema", "version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "version", "rules"],
                                "not": {"required": ["informationUri"]},
                                "properties": {
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": [
                                                "id",
                                                "name",
                                                "shortDescription",
                                                "help",
                                                "defaultConfiguration",
                                            ],
                                            "properties": {
                                                "shortDescription": {"type": "object", "required": ["text"]},
                                                "help": {"type": "object", "required": ["text"]},
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "required": ["level"],
                                                    "properties": {
                                                        "level": {"enum": ["error", "warning", "note"]},
                                                    },
                                                },
                                            },
                                        },
                                    }
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "ruleIndex", "level", "message", "locations"],
                            "properties": {
                                "level": {"enum": ["error", "warning", "note"]},
                                "message": {"type": "object", "required": ["text"]},
                                "locations": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation", "region"],
                                                "properties": {
                                                    "artifactLocation": {"type": "object", "required": ["uri"]},
                                                    "region": {
                                                        "type": "object",
                                                        "required": [
                                                            "startLine",
                                                            "startColumn",
                                                            "endLine",
                                                            "endColumn",
                                                        ],
                                                        "additionalProperties": {"type": "integer", "minimum": 1},
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def test_sarif_structure_and_rule_index() -> None:
    diagnostics = [
        unknown_name("playbooks/x.yaml", 12, 21, 30),
        diag("Q012", Span("playbooks\\old.yaml", 1, 1)),
        unknown_name("playbooks/y.yaml", 4, 7, 16),
        diag("Q012", Span("b.yaml", 1, 1), severity=Severity.INFO),
    ]
    log = json.loads(render_sarif(diagnostics, {}))
    jsonschema.validate(log, _MINIMAL_SARIF)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "qunce"
    assert isinstance(driver["version"], str) and driver["version"]
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == ["Q202", "Q012"]
    results = run["results"]
    assert [r["ruleIndex"] for r in results] == [0, 1, 0, 1]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert [r["level"] for r in results] == ["error", "warning", "error", "note"]
    assert rules[1]["defaultConfiguration"] == {"level": "warning"}
    assert rules[0]["shortDescription"]["text"] == "A condition uses a name that is not a known metric or feature."
    assert rules[0]["help"]["text"].startswith("Known names are listed by 'qunce rules --names'")
    assert results[0]["message"]["text"] == "unknown name 'point_90d' in member condition; did you mean 'points_90d'?"
    assert results[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "playbooks/x.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 12, "startColumn": 21, "endLine": 12, "endColumn": 30},
    }
    # Unknown end: a one-column region; backslashes become forward slashes.
    assert results[1]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "playbooks/old.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 2},
    }


def test_sarif_help_falls_back_to_summary_for_hints_with_params() -> None:
    diagnostics = [
        diag("Q104", Span("a.yaml", 1, 1), detail="bad", suggestion="", allowed="open"),
        diag("Q301", Span("a.yaml", 1, 1), detail="x"),
    ]
    rules = json.loads(render_sarif(diagnostics, {}, lang="zh"))["runs"][0]["tool"]["driver"]["rules"]
    assert rules[0]["help"]["text"] == "值不在允许范围内。"
    assert rules[0]["shortDescription"]["text"] == "值不在允许范围内。"
    assert rules[1]["help"]["text"] == "变量写作 {{ name }}；语句块写作 {% if ... %}...{% endif %}。"


def test_sarif_uris_are_percent_encoded() -> None:
    diagnostics = [diag("Q012", Span(file, 1, 1)) for file in ("./剧本 一.yaml", "a#b.yaml", "/srv/x y.yaml")]
    results = json.loads(render_sarif(diagnostics, {}))["runs"][0]["results"]
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in results]
    assert locations == [
        {"uri": "%E5%89%A7%E6%9C%AC%20%E4%B8%80.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": "a%23b.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": "file:///srv/x%20y.yaml"},
    ]


def test_sarif_empty_and_text_form() -> None:
    out = render_sarif([], {})
    assert out.endswith("}\n")
    log = json.loads(out)
    jsonschema.validate(log, _MINIMAL_SARIF)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []


# --- GitHub --------------------------------------------------------------------


def test_github_command_lines() -> None:
    diagnostics = [
        unknown_name("playbooks/x.yaml", 12, 7, 16),
        diag("Q012", Span("b.yaml", 3, 1)),
        diag("Q012", Span("c.yaml", 1, 1), severity=Severity.INFO),
    ]
    assert render_github(diagnostics, {}) == (
        "::error file=playbooks/x.yaml,line=12,col=7,endLine=12,endColumn=16,title=Q202 unknown-name::"
        "unknown name 'point_90d' in member condition; did you mean 'points_90d'?"
        "%0AKnown names are listed by 'qunce rules --names'; declare your own under metrics.custom.\n"
        "::warning file=b.yaml,line=3,col=1,endLine=3,endColumn=2,title=Q012 not-a-playbook::"
        "skipped: no 'playbook:' key and no playbook includes or extends this file"
        "%0AAdd 'playbook: <name>' to validate it on its own; if a playbook includes it, run qunce from a folder "
        "that holds both (or pass --root); or move it out of the folder.\n"
        "::notice file=c.yaml,line=1,col=1,endLine=1,endColumn=2,title=Q012 not-a-playbook::"
        "skipped: no 'playbook:' key and no playbook includes or extends this file"
        "%0AAdd 'playbook: <name>' to validate it on its own; if a playbook includes it, run qunce from a folder "
        "that holds both (or pass --root); or move it out of the folder.\n"
    )


def test_github_escaping() -> None:
    d = diag("Q105", Span("dir,1/a:b%.yaml", 2, 3, 2, 9), detail="50% off,\r\nnext: line", example="")
    assert render_github([d], {}) == (
        "::error file=dir%2C1/a%3Ab%25.yaml,line=2,col=3,endLine=2,endColumn=9,title=Q105 invalid-format::"
        "50%25 off,%0D%0Anext: line\n"
    )


def test_github_chinese() -> None:
    d = diag("Q002", Span("a.yaml", 2, 9, 2, 11), key="群主", first_line=1)
    assert render_github([d], {}, lang="zh") == (
        "::error file=a.yaml,line=2,col=9,endLine=2,endColumn=11,title=Q002 duplicate-key::"
        "重复的键 '群主'（第 1 行已定义）%0A删掉其中一个或合并内容；否则 YAML 会悄悄只保留后一个。\n"
    )


# --- the table -----------------------------------------------------------------


def test_render_dispatch() -> None:
    diagnostics = [diag("Q002", Span("a.yaml", 2, 9, 2, 11), key="群主", first_line=1)]
    assert set(RENDERERS) == {"text", "json", "sarif", "github"}
    assert render("text", diagnostics, TEXTS, files_checked=7).endswith("1 error, 0 warnings in 7 files checked\n")
    assert render("text", diagnostics, TEXTS, lang="zh", color=True) == render_text(
        diagnostics, TEXTS, lang="zh", color=True
    )
    assert render("json", diagnostics, TEXTS, lang="zh", files_checked=7) == render_json(diagnostics, TEXTS, "zh")
    assert render("sarif", diagnostics, TEXTS, files_checked=7) == render_sarif(diagnostics, TEXTS)
    assert render("github", diagnostics, TEXTS, files_checked=7) == render_github(diagnostics, TEXTS)
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render("xml", diagnostics, TEXTS)
