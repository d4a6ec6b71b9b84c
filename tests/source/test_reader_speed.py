"""The fast YAML path: a ':' inside a plain scalar of a flow collection (`[晚 20:00 直播课]`),
an error for libyaml (YAML 1.1) but text in YAML 1.2, is read by libyaml with that ':' stood
in for, and gives exactly the tree, spans and findings of the YAML 1.2 parser."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from qunce.source import reader
from qunce.source.nodes import Map, Scalar, Seq
from qunce.source.reader import _Composer

REPO = Path(__file__).resolve().parents[2]


def outcome(composer: _Composer, fast: bool) -> str:
    # The tree (values, spans, raw text) or the aborting finding, and the other findings.
    try:
        root = composer.run() if fast else composer.compose(fast=False)
    except reader._Abort as abort:
        return repr((abort.diagnostic, composer.diagnostics))
    return repr((root, composer.diagnostics))


def before(text: str) -> str:
    # What the reader did before the fast path learnt flow colons: libyaml, and on any of its
    # complaints the YAML 1.2 parser; the composer's own findings (an alias bomb, a list as
    # a key) stop either.
    composer = _Composer("t.yaml", text)
    try:
        try:
            root = composer.compose(fast=True)
        except reader._Abort:
            raise
        except Exception:
            composer.reset()
            root = composer.compose(fast=False)
    except reader._Abort as abort:
        return repr((abort.diagnostic, composer.diagnostics))
    return repr((root, composer.diagnostics))


def both(text: str) -> tuple[str, str, str | None]:
    fast = _Composer("t.yaml", text)
    found = outcome(fast, fast=True)
    return found, before(text), fast.placeholder


def refused_by_libyaml(text: str) -> bool:
    from ruamel.yaml import YAML

    try:
        for _event in YAML(typ="safe", pure=False).parse(text):
            pass
    except Exception as exc:
        return getattr(exc, "problem", None) == "found unexpected ':'"
    return False


@pytest.mark.parametrize("text", [
    "duties: [第 1、2 天晚 20:00 直播课]\n",
    "at: [20:00, 21:30]\nb: x\n",
    "a: [x:y:z, 1:2]\n",
    "a: {k: v:w}\n",
    "a: {k:v: w}\n",
    "a: [a:, b]\n",
    "a: [foo\n  bar:baz]\n",
    "a: [http://x.com/a:b]\n",
    "a:b: [c:d]\n",
])
def test_flow_colons_read_fast_as_yaml_1_2_reads_them(text: str) -> None:
    fast, pure, placeholder = both(text)
    assert placeholder is not None  # the fast path was taken
    assert fast == pure
    assert fast == outcome(_Composer("t.yaml", text), fast=False)  # the YAML 1.2 parser's own answer
    assert "\\ue000" not in fast


@pytest.mark.parametrize("text", [
    "a: &x [20:00]\nb: *x\n",  # anchors and aliases: names read differently
    "a: [!!str 1:2]\n",  # tags
    'k: ["?":b, c:d]\n',  # a quoted key right before ':' (libyaml only)
    "k: [[1, 2]:a:b]\n",  # a collection as a key
    "k: [x::   ]\n",  # an empty value: placed differently
    "k: [20:00]",  # no line end at the end of the file
    "k: [20:00,\ta]\n",  # a tab
])
def test_where_the_parsers_differ_the_yaml_1_2_parser_answers(text: str) -> None:
    fast, pure, placeholder = both(text)
    assert placeholder is None
    assert fast == pure


def test_a_placeholder_the_file_holds_is_not_used() -> None:
    text = f"a: [{reader._PLACEHOLDERS[0]}, 20:00]\n"
    composer = _Composer("t.yaml", text)
    root = composer.run()
    assert composer.placeholder == reader._PLACEHOLDERS[1]
    assert repr(root) == before(text)[1:-5]  # (root, []) without the findings
    assert isinstance(root, Map)
    items = root.entries["a"].value
    assert isinstance(items, Seq)
    assert [item.value for item in items.items if isinstance(item, Scalar)] == [reader._PLACEHOLDERS[0], "20:00"]


def test_random_flow_texts_read_alike() -> None:
    # Random texts that libyaml refuses for a flow ':': the answer must be the YAML 1.2 parser's.
    rng = random.Random(7)
    pieces = [*"ab1:::, []{}\n #'\"?-&*!x|>", "20:00", ": ", "a:b", "中", "\n  ", "\n- ", "!!str ", "&x ", "*x",
              "- ", "? ", "<<: "]
    compared = patched = 0
    for _ in range(6000):
        body = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        text = rng.choice(["k: [", "k: {", "- [", "[", "{", "k: [a, "]) + body + rng.choice(["]\n", "}\n", "]\nz: [c:d]\n"])
        if not refused_by_libyaml(text):
            continue
        fast, pure, placeholder = both(text)
        assert fast == pure, text
        compared += 1
        patched += placeholder is not None
    assert compared > 1000
    assert patched > 50


@pytest.mark.parametrize("name", ["playbooks/flash.yaml", "tests/golden/tasks/clock/playbook.yaml"])
def test_files_with_flow_colons_take_the_fast_path(name: str) -> None:
    text = (REPO / name).read_text(encoding="utf-8")
    fast, pure, placeholder = both(text)
    assert placeholder is not None
    assert fast == pure
