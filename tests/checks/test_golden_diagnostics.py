"""Golden diagnostics: broken playbooks beside the diagnostics they must produce.

Layout of tests/golden/diagnostics/
-----------------------------------
``<CODE>-<slug>.yaml``
    A single-file case, validated as a file, like ``qunce validate <CODE>-<slug>.yaml``; its
    root folder is the golden folder. Each has a ``playbook:`` key (or cannot be read at all),
    so it is checked as a playbook, not as a fragment looked up through its users.
``<CODE>-<slug>/case.yaml``
    A folder case, for composition: include/extends, fragments, stray YAML files. The
    *folder* is validated, like ``qunce validate <CODE>-<slug>/``: the folder is the root
    that include/extends may not leave, and YAML files that are neither playbooks nor
    included get Q012. ``case.yaml`` marks the folder as a case and is its entry playbook.
``<CODE>-<slug>.expected``
    Beside each case: one line per diagnostic, ``LINE:COL CODE`` (1-based), in the order
    the validator reports them (by file, line, col, code). A diagnostic in another file than
    the entry file is prefixed with that file's path relative to the case folder:
    ``fragments/roles.yaml:3:22 Q101``.
``<CODE>-<slug>.expected.<lang>``
    Optional: the same lines with the full message in that language,
    ``LINE:COL CODE message``.
Mapping files
    A single-file case whose first line is the mapping schema's modeline
    (``# yaml-language-server: $schema=…/mapping.schema.json``) is a data mapping file
    (``events.mapping.yaml``), read like ``--mapping``, whatever its code.
Generated cases
    Inputs unfit to commit (Q003 needs a file over 1 MB) are built in tmp_path by
    GENERATED below; their ``.expected`` file sits in the golden folder like any other.

The leading code of a case's name is the code it is about; it must appear in its expected
file. Every registered code must have at least one case (test_every_code_has_a_golden_case).

``QUNCE_UPDATE_GOLDEN=1 pytest tests/checks/test_golden_diagnostics.py`` rewrites the expected
files from the current output; review the diff, and check by reading the YAML that each
line:col points at the offending key or value. Cases in KNOWN_BUGS are strict xfails whose
expected files hold the *correct* output; the update mode leaves them alone.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main
from qunce.codes_catalog import all_codes
from qunce.events.mapping import load_mapping
from qunce.events.roster import load_roster
from qunce.source.reader import MAX_FILE_BYTES
from qunce.validation import validate_paths

GOLDEN = Path(__file__).parents[1] / "golden" / "diagnostics"
UPDATE = os.environ.get("QUNCE_UPDATE_GOLDEN") == "1"
ENTRY = "case.yaml"
LANGS = ("en", "zh")
CASE_NAME = re.compile(r"^(Q\d{3})-[a-z0-9-]+$")


def _big_playbook() -> bytes:
    head = "playbook: 美妆私域\nroles:\n  owner: {name: 群主}\n".encode()
    filler = b"# " + "群策剧本备注".encode() * 20 + b"\n"
    return head + filler * (MAX_FILE_BYTES // len(filler) + 1)


# name -> the bytes of its entry file, written to tmp_path/<name>.yaml
GENERATED: dict[str, Callable[[], bytes]] = {
    "Q003-file-too-large": _big_playbook,
}

# Engine bugs: case name (or "<case>.expected.<lang>") -> reason. The expected files hold
# the correct output, so these are strict xfails until the engine is fixed.
KNOWN_BUGS: dict[str, str] = {}


# --- discovery ---------------------------------------------------------------------


def case_names() -> list[str]:
    names = {p.stem for p in GOLDEN.glob("*.yaml")}
    names |= {p.name for p in GOLDEN.iterdir() if p.is_dir() and (p / ENTRY).is_file()}
    names |= set(GENERATED)
    return sorted(names)


def message_files() -> list[str]:
    return sorted(p.name for p in GOLDEN.glob("*.expected.*"))


def _param(name: str) -> object:
    reason = KNOWN_BUGS.get(name)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(name, id=name, marks=marks)


def materialize(name: str, tmp_path: Path) -> tuple[Path, Path, Path]:
    """(what to validate, the entry file, the folder paths are shown relative to)."""
    if name in GENERATED:
        entry = tmp_path / f"{name}.yaml"
        entry.write_bytes(GENERATED[name]())
        return entry, entry, tmp_path
    folder = GOLDEN / name
    if folder.is_dir():
        return folder, folder / ENTRY, folder
    entry = GOLDEN / f"{name}.yaml"
    return entry, entry, GOLDEN


def _where(file: str, entry: Path, base: Path) -> str:
    path = Path(file)
    path = (path if path.is_absolute() else Path.cwd() / path).resolve()
    if path == entry.resolve():
        return ""
    try:
        return path.relative_to(base.resolve()).as_posix() + ":"
    except ValueError:
        return path.as_posix() + ":"


MAPPING_MODELINE = "# yaml-language-server: $schema=https://qunce.dev/schemas/mapping.schema.json"


def is_mapping(path: Path) -> bool:
    """A mapping file (events.mapping.yaml): it starts with the mapping schema's modeline."""
    return path.is_file() and path.read_bytes().startswith(MAPPING_MODELINE.encode())


def actual_lines(name: str, tmp_path: Path, lang: str | None = None) -> list[str]:
    target, entry, base = materialize(name, tmp_path)
    # data codes (Q9xx): the case is a roster, a YAML file or a folder of CSVs; or a mapping file
    if is_mapping(target):
        diagnostics = load_mapping(target).diagnostics
    elif name.startswith("Q9"):
        diagnostics = load_roster(target).diagnostics
    else:
        diagnostics = validate_paths([target]).diagnostics
    lines = []
    for d in diagnostics:
        line = f"{_where(d.span.file, entry, base)}{d.span.line}:{d.span.col} {d.code}"
        lines.append(f"{line} {d.message(lang)}" if lang else line)
    return lines


def read_expected(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def compare(path: Path, actual: list[str], known_bug: bool) -> None:
    if UPDATE and not known_bug:
        path.write_text("".join(f"{line}\n" for line in actual), encoding="utf-8")
        return
    assert path.is_file(), f"missing {path.name}; run with QUNCE_UPDATE_GOLDEN=1 and review it"
    assert actual == read_expected(path)


# --- the cases ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [_param(n) for n in case_names()])
def test_golden_case(name: str, tmp_path: Path) -> None:
    compare(GOLDEN / f"{name}.expected", actual_lines(name, tmp_path), name in KNOWN_BUGS)


@pytest.mark.parametrize("filename", [_param(n) for n in message_files()])
def test_golden_messages(filename: str, tmp_path: Path) -> None:
    name, _, lang = filename.rpartition(".expected.")
    assert lang in LANGS, f"{filename}: unknown language {lang!r}"
    assert name in case_names(), f"{filename} has no case"
    compare(GOLDEN / filename, actual_lines(name, tmp_path, lang), filename in KNOWN_BUGS)


# --- the folder itself -------------------------------------------------------------


def _codes_in(path: Path) -> set[str]:
    return {line.split()[1] for line in read_expected(path)}


def test_every_code_has_a_golden_case() -> None:
    covered: set[str] = set()
    for name in case_names():
        covered |= _codes_in(GOLDEN / f"{name}.expected")
    missing = sorted({c.code for c in all_codes()} - covered)
    assert not missing, f"codes without a golden case in {GOLDEN}: {', '.join(missing)}"


@pytest.mark.parametrize("name", case_names())
def test_case_is_about_its_code(name: str) -> None:
    match = CASE_NAME.match(name)
    assert match, f"{name}: name cases <CODE>-<lowercase-slug>"
    expected = GOLDEN / f"{name}.expected"
    assert expected.is_file(), f"{name} has no {expected.name}"
    assert match.group(1) in _codes_in(expected), f"{name}: its expected file never mentions {match.group(1)}"
    if (GOLDEN / f"{name}.yaml").is_file() and match.group(1) != "Q012":
        assert "Q012" not in _codes_in(expected), f"{name}.yaml is read as a fragment: give it a playbook: key"


def test_no_orphan_expected_files() -> None:
    names = set(case_names())
    orphans = [p.name for p in GOLDEN.glob("*.expected*") if p.name.split(".expected")[0] not in names]
    assert not orphans, f"expected files without a case: {orphans}"


def test_known_bugs_name_real_cases() -> None:
    known = set(case_names()) | set(message_files())
    assert set(KNOWN_BUGS) <= known


def test_expected_lines_are_well_formed() -> None:
    line_format = re.compile(r"^(?:[^\s:]+:)?\d+:\d+ Q\d{3}$")
    message_format = re.compile(r"^(?:[^\s:]+:)?\d+:\d+ Q\d{3} \S")
    for path in GOLDEN.glob("*.expected*"):
        pattern = line_format if path.name.endswith(".expected") else message_format
        for line in read_expected(path):
            assert pattern.match(line), f"{path.name}: malformed line {line!r}"


# --- the Chinese words ---------------------------------------------------------------

# An ASCII , ; : ? ( ) next to Chinese text (or closing a quoted id or placeholder) in a zh
# template; a YAML key such as 'at:' keeps its colon.
ZH_ASCII_PUNCTUATION = re.compile(
    r"[\u4e00-\u9fff”）'}][,;?()]|[\u4e00-\u9fff”）'}]:(?!')|[0-9]\(|[,;?(][\u4e00-\u9fff“{]|\)[\u4e00-\u9fff]"
)
MISSED_PUNCTUATION: dict[str, str] = {}


def _zh_param(code: str) -> object:
    reason = MISSED_PUNCTUATION.get(code)
    marks = [pytest.mark.xfail(reason=f"full-width punctuation missed: {reason}", strict=True)] if reason else []
    return pytest.param(code, id=code, marks=marks)


@pytest.mark.parametrize("code", [_zh_param(c.code) for c in all_codes()])
def test_zh_templates_use_full_width_punctuation(code: str) -> None:
    [registered] = [c for c in all_codes() if c.code == code]
    for text in (registered.summary_zh, registered.message_zh, registered.hint_zh):
        assert not ZH_ASCII_PUNCTUATION.search(text), text


def test_zh_punctuation_pattern() -> None:
    assert ZH_ASCII_PUNCTUATION.search("重复的键 '{key}'(第 {first_line} 行已定义)")
    assert ZH_ASCII_PUNCTUATION.search("roles.owner 中没有键 'a';是不是想写 'b'?")
    assert not ZH_ASCII_PUNCTUATION.search("重复的键 '{key}'（第 {first_line} 行已定义）")
    assert not ZH_ASCII_PUNCTUATION.search("添加 '{key}:'；含义见剧本参考文档。")
    assert not ZH_ASCII_PUNCTUATION.search("按天触发需要 at:（时刻）")


# --- the command line ----------------------------------------------------------------

CLEAN = """\
playbook: 美妆私域
roles:
  owner: {name: 群主, max_groups: 8, minutes_per_day: 480}
group_types:
  traffic: {name: 引流群, capacity: 500}
sop:
  - {id: daily_topic, name: 每日话题, role: owner, every: 每天 20:00, minutes: 15}
"""
ERROR_CASE = GOLDEN / "Q202-unknown-name.yaml"
WARNING_CASE = GOLDEN / "Q716-sop-says-nothing.yaml"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_cli_exit_0_when_clean(tmp_path: Path) -> None:
    path = tmp_path / "clean.yaml"
    path.write_text(CLEAN, encoding="utf-8")
    code, output = run(str(path), "--lang", "en")
    assert code == 0, output
    assert "No problems found in 1 file." in output


def test_cli_exit_1_on_errors() -> None:
    code, output = run(str(ERROR_CASE), "--lang", "en")
    assert code == 1
    assert "Q202 unknown-name" in output
    assert ":5:46:" in output
    assert "did you mean 'points_90d'?" in output


def test_cli_exit_2_on_a_missing_path(tmp_path: Path) -> None:
    code, output = run(str(tmp_path / "没有这个文件.yaml"))
    assert code == 2
    assert "no such file or folder" in output
    assert "Traceback" not in output


def test_cli_exit_2_on_a_usage_error() -> None:
    code, _ = run(str(ERROR_CASE), "--format", "xml")
    assert code == 2


def test_cli_warning_exits_0_unless_strict() -> None:
    code, output = run(str(WARNING_CASE), "--lang", "en")
    assert code == 0, output
    assert "warning Q716" in output
    strict_code, _ = run(str(WARNING_CASE), "--strict")
    assert strict_code == 1


def test_cli_zh_messages() -> None:
    code, output = run(str(ERROR_CASE), "--lang", "zh")
    assert code == 1
    assert "错误 Q202 unknown-name: 成员条件中有未知名称 'point_90d'；是不是想写 'points_90d'？" in output
    assert "检查了 1 个文件：1 个错误、0 个警告" in output


def test_cli_json() -> None:
    code, output = run(str(GOLDEN / "Q602-adjustment-weights.yaml"), "--format", "json", "--lang", "en")
    assert code == 1
    items = json.loads(output)
    assert len(items) == 2
    for item in items:
        assert {"code", "severity", "message", "file", "line", "col"} <= set(item)
        assert (item["code"], item["severity"], item["line"], item["col"]) == ("Q602", "error", 8, 42)
        assert item["file"].replace("\\", "/").endswith("Q602-adjustment-weights.yaml")
    assert "'activity' would be 1.2" in items[0]["message"]


def test_cli_json_of_a_clean_file_is_an_empty_list(tmp_path: Path) -> None:
    path = tmp_path / "clean.yaml"
    path.write_text(CLEAN, encoding="utf-8")
    code, output = run(str(path), "--format", "json")
    assert code == 0
    assert json.loads(output) == []


def test_cli_github() -> None:
    code, output = run(str(ERROR_CASE), "--format", "github", "--lang", "en")
    assert code == 1
    lines = output.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("::error file=")
    assert ",line=5,col=46," in lines[0]
    assert "title=Q202 unknown-name::" in lines[0]


def test_cli_github_warning() -> None:
    _, output = run(str(WARNING_CASE), "--format", "github")
    assert output.startswith("::warning file=")


def test_cli_sarif() -> None:
    code, output = run(str(ERROR_CASE), "--format", "sarif", "--lang", "en")
    assert code == 1
    log = json.loads(output)
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    assert len(results) == 1
    assert results[0]["ruleId"] == "Q202"
    assert results[0]["level"] == "error"
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (5, 46)


def test_cli_folder_case() -> None:
    code, output = run(str(GOLDEN / "Q012-not-a-playbook"), "--format", "json")
    assert code == 0  # Q012 is a warning
    items = json.loads(output)
    assert [(i["code"], i["line"], i["col"]) for i in items] == [("Q012", 1, 1)]
    assert items[0]["file"].replace("\\", "/").endswith("Q012-not-a-playbook/notes.yaml")
    assert run(str(GOLDEN / "Q012-not-a-playbook"), "--strict")[0] == 1
