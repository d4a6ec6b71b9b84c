"""Hostile input: each attack must give a clear diagnostic (the right code on a sensible
line), never a traceback, and finish well within LIMIT seconds. LIMIT is generous: it
guards against hangs and blow-ups, it is not a benchmark.

Every attack runs twice: through engine.validate.validate_paths, and through the
`qunce validate` command (click's CliRunner), which must exit 1 without a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main
from qunce.diagnostics import Diagnostic
from qunce.sandbox import try_render
from qunce.source import reader
from qunce.source.reader import MAX_DEPTH, MAX_FILE_BYTES, parse_text
from qunce.validation import validate_paths

LIMIT = 2.0
HEAD = "playbook: 美妆私域\n"
REPO = Path(__file__).resolve().parents[2]


def timed_validate(path: Path) -> list[Diagnostic]:
    start = time.perf_counter()
    report = validate_paths([path])
    elapsed = time.perf_counter() - start
    assert elapsed < LIMIT, f"validating {path.name} took {elapsed:.2f}s"
    return report.diagnostics


def cli(*args: str) -> tuple[int, str]:
    start = time.perf_counter()
    result = CliRunner().invoke(main, ["validate", *args])
    elapsed = time.perf_counter() - start
    assert elapsed < LIMIT, f"qunce validate {' '.join(args)} took {elapsed:.2f}s"
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def cli_process(*args: str, warnings: str = "default", timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """`qunce validate ...` in a fresh interpreter (for what CliRunner cannot see: stderr, hangs)."""
    env = {**os.environ, "PYTHONWARNINGS": warnings}
    command = [sys.executable, "-c", "from qunce.cli import main; main()", "validate", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO, check=False)


def attack(path: Path, code: str, line: int, col: int | None = None) -> list[Diagnostic]:
    """Validate `path` (engine and CLI): `code` must be reported at `line` (and `col`)."""
    found = timed_validate(path)
    places = [(d.code, d.span.line, d.span.col) for d in found]
    assert any(c == code and ln == line and (col is None or cl == col) for c, ln, cl in places), places
    for d in found:
        assert d.span.line >= 1 and d.span.col >= 1
        assert d.message("en") and d.message("zh")
    exit_code, output = cli(str(path), "--format", "json", "--lang", "en")
    assert exit_code == 1, output
    assert code in {item["code"] for item in json.loads(output)}
    exit_code, output = cli(str(path), "--lang", "zh", "--no-color")
    assert exit_code == 1
    assert code in output
    return found


def write(tmp_path: Path, content: str | bytes, name: str = "hostile.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- the reader's guards ---------------------------------------------------------


def billion_laughs() -> str:
    lines = [HEAD.rstrip("\n"), "vars:", '  lol0: &lol0 ["哈哈"]']
    for i in range(1, 10):
        lines.append(f"  lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb(tmp_path: Path) -> None:
    # lol6 would hold 9**6 copies: the reader stops there (line 9), at the list lol6 names.
    attack(write(tmp_path, billion_laughs()), "Q005", 9, 9)


def test_alias_bomb_in_a_mapping_with_merge_keys(tmp_path: Path) -> None:
    lines = [HEAD.rstrip("\n"), "vars:", "  base: &m0 {k: 值}"]
    for i in range(1, 12):
        lines.append(f"  m{i}: &m{i} [" + ", ".join([f"*m{i - 1}"] * 8) + "]")
    path = write(tmp_path, "\n".join(lines) + "\n")
    found = timed_validate(path)
    assert [d.code for d in found] == ["Q005"]
    assert found[0].span.line > 3


def test_file_of_50_megabytes(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as out:
        out.write(HEAD.encode())
        out.write(b"# " + b"x" * 1_048_573 + b"\n")
        out.truncate(50 * 2**20)  # sparse: quick to make, 50 MB to stat
    assert path.stat().st_size == 50 * 2**20
    found = attack(path, "Q003", 1, 1)
    assert str(MAX_FILE_BYTES) in found[0].message("en")


def test_text_over_the_limit() -> None:
    start = time.perf_counter()
    text = HEAD + "# 填充\n" * (MAX_FILE_BYTES // 9 + 1)
    assert len(text.encode()) > MAX_FILE_BYTES
    parsed = parse_text(text, "x.yaml")
    assert time.perf_counter() - start < LIMIT
    assert [(d.code, d.span.line) for d in parsed.diagnostics] == [("Q003", 1)]


DEEP = 10_000


@pytest.mark.parametrize(
    ("style", "text", "line"),
    [
        ("flow-sequences", HEAD + "vars:\n  x: " + "[" * DEEP + "]" * DEEP + "\n", 3),
        ("flow-mappings", HEAD + "vars:\n  x: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n", 3),
        ("block-sequences", HEAD + "vars:\n  x:\n    " + "- " * DEEP + "深\n", 4),
        ("unclosed-flow", HEAD + "vars:\n  x: " + "[" * DEEP + "\n", 3),
    ],
)
def test_ten_thousand_levels_deep(tmp_path: Path, style: str, text: str, line: int) -> None:
    found = attack(write(tmp_path, text), "Q004", line)
    assert [d.code for d in found] == ["Q004"]
    assert str(MAX_DEPTH) in found[0].message("en")


def test_block_mappings_indented_deeper_than_the_limit(tmp_path: Path) -> None:
    # Indentation-nested mappings, one space per level: the root is level 1, vars level 2 (line 3),
    # so level MAX_DEPTH + 1, the first too deep, starts on line MAX_DEPTH + 2 at its indentation.
    text = HEAD + "vars:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(200)) + " " * 201 + "值\n"
    found = attack(write(tmp_path, text), "Q004", MAX_DEPTH + 2, MAX_DEPTH + 1)
    assert [d.code for d in found] == ["Q004"]


def test_binary_file(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    attack(write(tmp_path, png, "logo.yaml"), "Q007", 1, 1)


def test_invalid_utf8_on_a_later_line(tmp_path: Path) -> None:
    data = b"# encoding: gbk\n" + "playbook: 美妆私域\n".encode("gbk")
    attack(write(tmp_path, data), "Q007", 2)


def test_utf16_file(tmp_path: Path) -> None:
    attack(write(tmp_path, HEAD.encode("utf-16")), "Q007", 1)


def test_nul_bytes(tmp_path: Path) -> None:
    attack(write(tmp_path, HEAD.encode() + b"roles:\x00\x00\n"), "Q001", 2)


def test_python_object_tags_are_reported_and_never_run(tmp_path: Path) -> None:
    pwned = tmp_path / "pwned"
    text = (
        HEAD
        + "description: !!python/object:os.system 美妆\n"
        + f"vars: {{cmd: !!python/object/apply:os.system ['touch {pwned}']}}\n"
        + "version: !!python/name:os.system\n"
    )
    found = attack(write(tmp_path, text), "Q006", 2, 14)
    assert {(d.code, d.span.line) for d in found if d.code == "Q006"} == {("Q006", 2), ("Q006", 3), ("Q006", 4)}
    assert "python/object:os.system" in found[0].message("en")
    assert not pwned.exists()


def test_second_document(tmp_path: Path) -> None:
    text = HEAD + "roles:\n  owner: {name: 群主}\n---\n!!python/object/apply:os.system ['echo hi']\n"
    found = attack(write(tmp_path, text), "Q013", 4, 1)
    assert [d.code for d in found] == ["Q013"]


def test_second_document_after_an_explicit_end(tmp_path: Path) -> None:
    text = HEAD + "...\n---\nplaybook: 母婴私域\n"
    attack(write(tmp_path, text), "Q013", 3, 1)


def test_an_unknown_yaml_version_directive_is_a_syntax_error(tmp_path: Path) -> None:
    # ruamel's pure parser asserts on a minor version other than 1 or 2; that must stay a finding.
    found = attack(write(tmp_path, "%YAML 1.3\n---\n" + HEAD), "Q001", 1)
    assert [d.code for d in found] == ["Q001"]


# --- composition -------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    ["/etc/passwd", "../../../../../../etc/passwd", "../secret.yaml", "/dev/zero", "fragments/../../x.yaml"],
)
def test_include_outside_the_root(tmp_path: Path, target: str) -> None:
    path = write(tmp_path, HEAD + f"include:\n  - {target}\n", "root/case.yaml")
    found = attack(path, "Q008", 3, 5)
    assert [d.code for d in found] == ["Q008"]


def test_extends_outside_the_root(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "extends: ../../../../etc/passwd\n", "root/case.yaml")
    attack(path, "Q008", 2, 10)


def test_symlink_out_of_the_root(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "include: [fragments/passwd.yaml]\n", "root/case.yaml")
    (tmp_path / "root" / "fragments").mkdir()
    (tmp_path / "root" / "fragments" / "passwd.yaml").symlink_to("/etc/passwd")
    attack(path, "Q008", 2, 11)


def test_include_itself(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "include: [case.yaml]\n", "root/case.yaml")
    attack(path, "Q009", 2, 11)


def test_include_a_folder(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "include: [fragments]\n", "root/case.yaml")
    (tmp_path / "root" / "fragments").mkdir()
    found = attack(path, "Q007", 2, 11)
    assert "'fragments' is a folder" in found[0].message("en")


def test_folder_with_a_symlink_loop(tmp_path: Path) -> None:
    write(tmp_path, HEAD + "roles: {owner: {name: 群主, max_group: 8}}\n", "root/case.yaml")
    (tmp_path / "root" / "loop").symlink_to(tmp_path / "root")
    found = timed_validate(tmp_path / "root")
    assert [(d.code, d.span.line) for d in found] == [("Q101", 2)]


# --- conditions --------------------------------------------------------------------


def condition_playbook(condition: str) -> str:
    quoted = condition.replace("\\", "\\\\").replace('"', '\\"')
    return HEAD + f'segments:\n  - id: probe\n    name: 测试\n    when: "{quoted}"\n  - {{id: other, name: 其他}}\n'


@pytest.mark.parametrize(
    "condition",
    [
        "__import__('os').system('echo hi')",
        "().__class__.__bases__[0].__subclasses__()",
        "orders_30d.__class__ == 1",
        "[c for c in ().__class__.__base__.__subclasses__()]",
        "(lambda: __import__('os'))() == 1",
        "eval('1') == 1",
        "open('/etc/passwd') == 1",
        "__builtins__ == 1",
    ],
)
def test_condition_escapes(tmp_path: Path, condition: str) -> None:
    found = attack(write(tmp_path, condition_playbook(condition)), "Q205", 5)
    assert [d.code for d in found] == ["Q205"]


@pytest.mark.parametrize(
    "condition",
    [
        "not " * 10_000 + "orders_30d >= 1",
        "(" * 10_000 + "orders_30d >= 1" + ")" * 10_000,
        "not " * 240 + "orders_30d >= 1",  # under the length limit, over the depth limit
        "(" * 450 + "orders_30d >= 1" + ")" * 450,  # more parentheses than Python's parser takes
        "orders_30d >= 1 and " * 45 + "-" * 100 + "1 < 2",
        "orders_30d >= " + "9" * 990,
    ],
    ids=["not-10000", "parens-10000", "not-240", "parens-450", "long-and-deep-minus", "huge-number"],
)
def test_condition_bombs(tmp_path: Path, condition: str) -> None:
    found = attack(write(tmp_path, condition_playbook(condition)), "Q201", 5)
    assert [d.code for d in found] == ["Q201"]


def test_condition_with_a_nul_character(tmp_path: Path) -> None:
    text = HEAD + 'segments:\n  - id: probe\n    name: 测试\n    when: "orders_30d >= 1\\0"\n  - {id: other, name: 其他}\n'
    attack(write(tmp_path, text), "Q201", 5)


# --- templates -----------------------------------------------------------------------


def template_playbook(template: str) -> str:
    quoted = template.replace("\\", "\\\\").replace('"', '\\"')
    return HEAD + f'rules:\n  welcome: "{quoted}"\n'


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ self.__dict__ }}",
        "{{ joiner.__init__.__globals__.os.system('echo hi') }}",
        "{{ namespace.__init__.__globals__ }}",
        "{{ ().__class__.__base__.__subclasses__() }}",
        "{{ member.__class__ }}",
    ],
)
def test_template_sandbox_escapes(tmp_path: Path, template: str) -> None:
    found = attack(write(tmp_path, template_playbook(template)), "Q303", 3, 13)
    assert [d.code for d in found] == ["Q303"]


def test_lipsum_is_not_there_to_escape_through(tmp_path: Path) -> None:
    found = attack(write(tmp_path, template_playbook("{{ lipsum.__globals__['os'] }}")), "Q302", 3, 16)
    assert [d.code for d in found] == ["Q302"]


@pytest.mark.parametrize(
    "template",
    [
        "{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}",
        "{% for a in range(1000) %}{% for b in range(1000) %}{{ a }}{% endfor %}{% endfor %}",
        "{{ 'x' * 10**9 }}",
        "{{ [0] * 10**9 }}",
        "{{ 10**10**10 * 'x' }}",
        "{{ 2**100000 }}",
        "{{ range(10**9)|list }}",
        "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
        "{% set s = 'x' * 9999 %}{{ s ~ s ~ s }}",
        "{{ [[1] * 1000] * 1000 }}",
        "{% set ns = namespace(n=10**64) %}{% for i in range(20) %}{% set ns.n = ns.n * ns.n %}{% endfor %}",
        "{% set l = [1] %}{% for i in range(40) %}{% set _ = l.extend(l) %}{% endfor %}",
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "{% set ns = namespace(l=[1]) %}{% for i in range(60) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l }}",
    ],
    ids=["loop-of-loops", "loop-of-loops-printing", "repeat-text", "repeat-list", "power-times-text",
         "huge-power", "huge-range", "recursion", "concatenation", "nested-lists", "squared-integer",
         "list-extended-with-itself", "text-doubled", "tree-of-shared-lists"],
)
def test_template_bombs(tmp_path: Path, template: str) -> None:
    found = attack(write(tmp_path, template_playbook(template)), "Q304", 3, 13)
    assert [d.code for d in found] == ["Q304"]


def test_template_lipsum_bomb(tmp_path: Path) -> None:
    # lipsum() loops inside Jinja, out of the step budget's sight: it is not offered at all.
    path = write(tmp_path, template_playbook("{{ lipsum(3000)|length }}"))
    found = timed_validate(path)
    assert [d.code for d in found] == ["Q302"]


@pytest.mark.parametrize(
    "template",
    ["{{ ('x'.ljust(10**8))|length }}", "{{ ('x'.rjust(10**8))|length }}", "{{ ('x'.center(10**8))|length }}",
     "{{ ('x'.zfill(10**8))|length }}", "{{ ('\t'.expandtabs(10**8))|length }}",
     "{{ ('x'|indent(10**8, true))|length }}", "{{ ('x'|center(10**8))|length }}",
     "{{ ('x'|wordwrap(10**8))|length }}", "{{ ('%100000000s'|format('x'))|length }}",
     "{% set a = 'x' * 9999 %}{{ a.replace('', a)|length }}", "{{ ('%100000000d' % 1)|length }}"],
    ids=["ljust", "rjust", "center", "zfill", "expandtabs", "indent", "center-filter", "wordwrap", "format-filter",
         "replace", "percent"],
)
def test_template_allocation_bombs(template: str) -> None:
    tracemalloc.start()
    try:
        _, problem = try_render(template, {})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problem is not None and problem.code == "Q304"
    assert problem.en.startswith("builds a text of ") and problem.en.endswith(" characters (limit 10000)")
    assert peak < 20_000_000


@pytest.mark.parametrize(
    "template",
    ["{{ ('%0*d' % (10**8, 1))|length }}", "{{ ('%*d'|format(10**8, 1))|length }}",
     "{{ ('%.100000000f' % 1)|length }}", "{{ ('%(a)100000000s' % {'a': 'x'})|length }}",
     "{{ '{:>100000000}'.format('x')|length }}", "{% set s = 'x' * 9999 %}{{ ([s] * 9999)|join|length }}",
     "{% set s = 'x' * 9999 %}{{ s.join(s)|length }}", "{% set a = 'x' * 9999 %}{{ (a|replace('', a))|length }}"],
    ids=["percent-star", "format-star", "percent-precision", "percent-key", "str-format", "join-filter",
         "str-join", "replace-filter"],
)
def test_template_allocation_bombs_in_formats_and_joins(template: str) -> None:
    tracemalloc.start()
    try:
        _, problem = try_render(template, {})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problem is not None and problem.code == "Q304"
    assert peak < 20_000_000


@pytest.mark.parametrize(
    "template",
    ["{% set ns = namespace(n=10**64) %}{% for i in range(20) %}{% set ns.n = ns.n * ns.n %}{% endfor %}",
     "{% set l = [1] %}{% for i in range(40) %}{% set _ = l.extend(l) %}{% endfor %}",
     "{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
     "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
     "{% set s = 'x' * 9999 %}{% macro m() %}{% for i in range(999) %}{{ s }}{% endfor %}{% endmacro %}{{ m()|length }}",
     "{% set ns = namespace(l=[1]) %}{% for i in range(60) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l|string }}",
     "{{ [1]|batch(10**9, 0)|list|length }}", "{{ [1, 2, 3]|slice(10**9)|list|length }}",
     "{% set x = [1] * 9999 %}{{ ([x] * 9999)|sum(start=[])|length }}", "{{ {'a': 1}|tojson(indent=10**9)|length }}",
     "{{ (1).to_bytes(10**9, 'big')|length }}", "{{ ('x' * 9999).translate({120: 'y' * 9999})|length }}",
     "{{ 'x'.encode() * 10**9 }}"],
    ids=["squared-integer", "list-extended", "list-added", "text-doubled", "macro-output", "shared-tree", "batch",
         "slice", "sum-of-lists", "tojson-indent", "to-bytes", "translate", "bytes-repeated"],
)
def test_template_building_bombs(template: str) -> None:
    # Few steps, gigabytes: the budget counts the integers, text and lists a template builds.
    tracemalloc.start()
    start = time.perf_counter()
    try:
        _, problem = try_render(template, {})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problem is not None and problem.code == "Q304", problem
    assert time.perf_counter() - start < LIMIT
    assert peak < 20_000_000


# --- what a playbook asks for ------------------------------------------------------------

SOP_HEAD = HEAD + "roles:\n  owner: {name: 群主, max_groups: 8, minutes_per_day: 480}\n  helper: {name: 气氛组}\n"


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        (SOP_HEAD + 'sop:\n  - {id: a, name: 提醒, role: owner, rrule: "FREQ=SECONDLY", at: "10:00"}\n', "Q717", 6),
        (SOP_HEAD + 'sop:\n  - {id: a, name: 提醒, role: owner, rrule: "FREQ=MINUTELY", at: "10:00"}\n', "Q717", 6),
        (SOP_HEAD + 'sop:\n  - {id: a, name: 提醒, role: owner, rrule: "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", at: "10:00"}\n',
         "Q719", 6),
        (SOP_HEAD + 'sop:\n  - {id: a, name: 提醒, role: owner, days: [999999999], at: "10:00"}\n', "Q106", 6),
        (SOP_HEAD + "metrics:\n  retention_days: 999999999\n", "Q106", 6),
        (SOP_HEAD + "group_types:\n  traffic: {name: 引流群, staffing: {helper: 200000000}}\n", "Q107", 6),
        (SOP_HEAD + "sop:\n  - {id: a, name: 欢迎, role: owner, on: join, within: 10m, per_day: 1440, minutes: 0}\n",
         "Q718", 3),
    ],
    ids=["secondly", "minutely", "never-fires", "day-999999999", "retention-999999999", "staffing-200000000",
         "tasks-per-day"],
)
def test_what_no_team_needs_is_refused_at_once(tmp_path: Path, text: str, code: str, line: int) -> None:
    attack(write(tmp_path, text), code, line)


# --- the folder scan and other guards --------------------------------------------------


def test_a_long_list_without_aliases_is_not_called_an_alias_bomb(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same as 210,000 items under the real limit (which takes seconds to read), in miniature.
    monkeypatch.setattr(reader, "MAX_NODES", 1_000)
    text = HEAD + "membership:\n  incentives:\n" + "    - 1\n" * 1_100
    parsed = parse_text(text, "x.yaml")
    assert parsed.diagnostics
    assert not any("alias" in d.message("en") for d in parsed.diagnostics)


def test_folder_scan_keeps_the_size_limit(tmp_path: Path) -> None:
    # Deciding whether a file in a folder is a playbook must not read a 50 MB file whole.
    write(tmp_path, HEAD, "root/case.yaml")
    (tmp_path / "root" / "dump.yaml").write_bytes(b"# backup\n" * (50 * 2**20 // 9))
    tracemalloc.start()
    try:
        found = timed_validate(tmp_path / "root")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [(d.code, Path(d.span.file).name) for d in found] == [("Q003", "dump.yaml")]
    assert peak < 20_000_000


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_path_that_is_not_a_file_is_an_error(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "pipe.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    # In a subprocess with a timeout: reading a FIFO would block for ever.
    proc = cli_process(str(path), timeout=10)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2, proc.stdout
    assert "not a regular file or folder" in proc.stdout + proc.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_an_included_fifo_is_not_a_regular_file(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "include:\n  - pipe.yaml\n", "root/case.yaml")
    os.mkfifo(path.parent / "pipe.yaml")
    found = attack(path, "Q007", 3, 5)
    assert [d.code for d in found] == ["Q007"]
    assert "not a regular file" in found[0].message("en")


def test_python_warnings_neither_leak_nor_change_the_verdict(tmp_path: Path) -> None:
    path = write(tmp_path, condition_playbook("orders_30d >= 1and points_90d >= 300"))
    default = cli_process(str(path), "--format", "json")
    strict = cli_process(str(path), "--format", "json", warnings="error")
    assert default.stderr == ""
    assert (default.returncode, json.loads(default.stdout)) == (strict.returncode, json.loads(strict.stdout))
