"""`qunce docs --templates DIR`: a team's own templates replace the built-in ones by file name,
and render in the sandbox: a template that reaches for Python's internals, the file system or
endless work gets one line with its file:line and exit 1 — it never runs, and nothing is written."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main

ROOT = Path(__file__).resolve().parents[2]
COMPLETE = ROOT / "playbooks" / "brand-complete.yaml"


def docs(tmp_path: Path, templates: Path, *extra: str) -> tuple[int, str, Path]:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["docs", str(COMPLETE), "--out", str(out), "--templates", str(templates),
                                       "--lang", "en", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output, out


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return folder


def test_a_template_of_the_same_name_replaces_the_built_in_one(tmp_path: Path) -> None:
    mine = write(tmp_path / "mine", "md/groups.md.j2",
                 '<a id="groups"></a>\n\n## Our groups\n\n{% for g in group_types %}* {{ g.name }}: {{ g.purpose }}\n{% endfor %}')
    code, output, out = docs(tmp_path, mine, "--format", "md")
    assert code == 0, output
    text = (out / "handbook.en.md").read_text(encoding="utf-8")
    assert "## Our groups\n\n* 引流群: 承接公众号" in text
    assert "## 2. Entry thresholds and naming" in text  # every other partial is the built-in one
    assert "Group types are" not in text


def test_a_team_can_replace_the_whole_page(tmp_path: Path) -> None:
    mine = write(tmp_path / "mine", "handbook.html.j2",
                 "<h1>{{ playbook.name }}</h1>{% for s in toc %}<p>{{ s.title }}</p>{% endfor %}<p>{{ '<b>' }}</p>")
    code, output, out = docs(tmp_path, mine, "--format", "html")
    assert code == 0, output
    html = (out / "handbook.en.html").read_text(encoding="utf-8")
    assert html.startswith("<h1>花漾美妆私域 2027Q1</h1><p>Group types</p>")
    assert "<p>&lt;b&gt;</p>" in html  # autoescaped


ESCAPES = {
    "class_mro": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "cycler_globals": "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}",
    "joiner_globals": "{{ joiner.__init__.__globals__['os'].popen('id').read() }}",
    "namespace_init": "{{ namespace.__init__.__globals__ }}",
    "self_reference": "{{ self._TemplateReference__context }}",
    "lipsum_globals": "{{ lipsum.__globals__['os'] }}",
    "format_attribute": "{{ '{0.__class__.__init__.__globals__}'.format(t) }}",
    "dict_internals": "{{ t.__class__.__base__.__subclasses__() }}",
    "method_globals": "{{ group_types.append.__self__.__class__ }}",
    "attr_filter": "{{ t | attr('__class__') }}",
    "include_outside": "{% include '../../../../etc/passwd' %}",
    "include_absolute": "{% include '/etc/passwd' %}",
    "endless_loops": "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}x"
                     "{% endfor %}{% endfor %}{% endfor %}",
    "huge_text": "{{ 'x' * 100000 }}",
    "recursion": "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "syntax": "{% for x in %}",
    "undefined": "{{ no_such_thing.at_all }}",
}


@pytest.mark.parametrize("name", list(ESCAPES))
def test_templates_that_try_to_escape_the_sandbox_are_stopped(tmp_path: Path, name: str) -> None:
    mine = write(tmp_path / "mine", "md/roles.md.j2", "line one\n" + ESCAPES[name])
    (tmp_path / "work").mkdir()
    if name == "recursion":
        # In a process of its own, as a user runs it: inside pytest, the overflow can reach pytest's
        # own unraisable-exception hook, which then prints "Exception ignored…" of its own.
        out = tmp_path / "out"
        proc = subprocess.run([sys.executable, "-m", "qunce", "docs", str(COMPLETE), "--out", str(out), "--templates",
                               str(mine), "--lang", "en", "--format", "md"], cwd=tmp_path / "work",
                              capture_output=True, text=True, check=False, timeout=120)
        code, output = proc.returncode, proc.stdout + proc.stderr
    else:
        code, output, out = docs(tmp_path, mine, "--format", "md")
    assert code == 1, output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output  # one line: file:line and why, never a traceback
    assert lines[0].startswith("qunce: ") and "Traceback" not in output
    assert f"{mine / 'md' / 'roles.md.j2'}:2: " in lines[0], lines[0]
    assert not out.exists(), "nothing is written when a template fails"
    assert not Path("PWNED").exists() and not (tmp_path / "work" / "PWNED").exists()
    assert "uid=" not in output and "root:" not in output


def test_the_sandbox_error_names_what_was_refused(tmp_path: Path) -> None:
    mine = write(tmp_path / "mine", "md/roles.md.j2", ESCAPES["cycler_globals"])
    _, output, _ = docs(tmp_path, mine, "--format", "md")
    assert "not allowed" in output and "__init__" in output and "sandbox" in output
    zh = CliRunner().invoke(main, ["docs", str(COMPLETE), "--out", str(tmp_path / "zh"), "--templates", str(mine),
                                   "--format", "md", "--lang", "zh"])
    assert zh.exit_code == 1 and "不允许的操作" in zh.output


def test_built_in_templates_cannot_be_read_through_a_relative_include(tmp_path: Path) -> None:
    # A team's template may include the built-in partials by name — but nothing outside the two folders.
    mine = write(tmp_path / "mine", "handbook.md.j2", "{% include 'md/macros.md.j2' %}ok")
    code, output, out = docs(tmp_path, mine, "--format", "md")
    assert code == 0, output
    assert (out / "handbook.en.md").read_text(encoding="utf-8").strip() == "ok"


BUILDERS = {
    "squared_integer": "{% set ns = namespace(n=10**64) %}{% for i in range(20) %}{% set ns.n = ns.n * ns.n %}{% endfor %}",
    "list_extended_with_itself": "{% set l = [1] %}{% for i in range(40) %}{% set _ = l.extend(l) %}{% endfor %}",
    "text_doubled": "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "tree_of_shared_lists": "{% set ns = namespace(l=[1]) %}{% for i in range(60) %}{% set ns.l = [ns.l, ns.l] %}"
                            "{% endfor %}{{ ns.l }}",
}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_templates_that_build_too_much_are_stopped_quickly(tmp_path: Path, name: str) -> None:
    # Few steps, gigabytes built: the budget counts what a template builds, not only its steps.
    mine = write(tmp_path / "mine", "md/roles.md.j2", "line one\n" + BUILDERS[name])
    start = time.perf_counter()
    code, output, out = docs(tmp_path, mine, "--format", "md")
    elapsed = time.perf_counter() - start
    assert code == 1, output
    assert f"{mine / 'md' / 'roles.md.j2'}:2: " in output and "Traceback" not in output
    assert "bits" in output or "bytes of text and lists" in output or "prints lists or dicts" in output, output
    assert not out.exists()
    assert elapsed < 2.0, f"{name} took {elapsed:.2f}s"
