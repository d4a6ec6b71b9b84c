"""Composition: extends + include precedence, merging, positions, and the loader's errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from qunce.load import Loaded, load_playbook
from qunce.source.compose import load_document
from qunce.validation import validate_paths


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Run inside the folder so diagnostics name files relative to it ("sub/frag.yaml").
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def codes(loaded: Loaded) -> list[str]:
    return [d.code for d in loaded.diagnostics]


BASE = """\
playbook: 基础
vars:
  brand: 基础品牌
  slogan: 基础口号
  city: 上海
roles:
  owner: {name: 群主, max_groups: 8}
  admin: {name: 管理员}
segments:
  - {id: loyal, name: 忠实型, when: "orders_30d >= 1"}
  - {id: other, name: 其他}
group_types:
  traffic: {name: 引流群, content: [a, b, c]}
"""
FRAGMENT = """\
vars:
  brand: 片段品牌
  slogan: 片段口号
roles:
  owner: {max_groups: 10}
  helper: {name: 气氛组}
segments:
  - {id: loyal, strategy: 维护}
  - {id: fresh, name: 新人}
group_types:
  traffic: {content: [z]}
"""
MAIN = """\
extends: base.yaml
include: [sub/frag.yaml]
playbook: 门店
vars:
  brand: 门店品牌
roles:
  owner: {minutes_per_day: 480}
"""


@pytest.fixture
def composed(folder: Path) -> Loaded:
    write(folder, "base.yaml", BASE)
    write(folder, "sub/frag.yaml", FRAGMENT)
    main = write(folder, "main.yaml", MAIN)
    loaded = load_playbook(main, folder)
    assert loaded.diagnostics == []
    return loaded


def test_precedence_base_then_fragments_then_own_keys(composed: Loaded) -> None:
    pb = composed.playbook
    assert pb is not None
    assert pb.playbook == "门店"
    assert pb.vars == {"brand": "门店品牌", "slogan": "片段口号", "city": "上海"}


def test_mappings_merge_key_by_key(composed: Loaded) -> None:
    pb = composed.playbook
    assert pb is not None
    assert list(pb.roles) == ["owner", "admin", "helper"]
    owner = pb.roles["owner"]
    assert (owner.name, owner.max_groups, owner.minutes_per_day) == ("群主", 10, 480)


def test_lists_of_ided_items_merge_by_id_and_append_new_ids(composed: Loaded) -> None:
    pb = composed.playbook
    assert pb is not None
    assert [(s.id, s.name, s.strategy) for s in pb.segments] == [
        ("loyal", "忠实型", "维护"), ("other", "其他", None), ("fresh", "新人", None)]
    assert pb.segments[0].when == "orders_30d >= 1"


def test_lists_without_ids_are_replaced(composed: Loaded) -> None:
    assert composed.playbook is not None
    assert composed.playbook.group_types["traffic"].content == ["z"]


def test_composition_keys_are_removed(folder: Path) -> None:
    write(folder, "base.yaml", BASE)
    write(folder, "sub/frag.yaml", FRAGMENT)
    main = write(folder, "main.yaml", MAIN)
    doc = load_document(main, folder)
    assert doc.root is not None
    assert "extends" not in doc.root.entries and "include" not in doc.root.entries
    assert list(doc.root.entries) == ["playbook", "vars", "roles", "segments", "group_types"]
    assert [p.name for p in doc.files] == ["main.yaml", "base.yaml", "frag.yaml"]
    assert set(doc.texts) == {"main.yaml", "base.yaml", "sub/frag.yaml"}


def test_positions_point_at_the_file_that_provided_the_value(composed: Loaded) -> None:
    positions = composed.positions
    assert positions is not None
    span = positions.value_span(("roles", "owner", "max_groups"))
    assert (span.file, span.line, span.col) == ("sub/frag.yaml", 5, 23)
    span = positions.value_span(("roles", "owner", "name"))
    assert (span.file, span.line, span.col) == ("base.yaml", 7, 17)
    span = positions.value_span(("roles", "owner", "minutes_per_day"))
    assert (span.file, span.line, span.col) == ("main.yaml", 7, 28)
    span = positions.value_span(("segments", 0, "when"))
    assert (span.file, span.line) == ("base.yaml", 10)
    span = positions.value_span(("segments", 0, "strategy"))
    assert (span.file, span.line) == ("sub/frag.yaml", 8)
    span = positions.value_span(("segments", 2))
    assert (span.file, span.line) == ("sub/frag.yaml", 9)
    span = positions.key_span(("vars", "brand"))
    assert (span.file, span.line, span.col) == ("main.yaml", 5, 3)
    span = positions.value_span(("vars", "city"))
    assert (span.file, span.line) == ("base.yaml", 5)


def test_later_fragments_override_earlier_ones(folder: Path) -> None:
    write(folder, "one.yaml", "vars: {brand: 一, only_one: 1}\n")
    write(folder, "two.yaml", "vars: {brand: 二}\n")
    main = write(folder, "main.yaml", "playbook: P\ninclude: [one.yaml, two.yaml]\n")
    loaded = load_playbook(main, folder)
    assert loaded.diagnostics == []
    assert loaded.playbook is not None and loaded.playbook.vars == {"brand": "二", "only_one": 1}
    assert loaded.positions is not None and loaded.positions.value_span(("vars", "brand")).file == "two.yaml"


def test_include_as_a_single_string(folder: Path) -> None:
    write(folder, "one.yaml", "vars: {brand: 一}\n")
    main = write(folder, "main.yaml", "playbook: P\ninclude: one.yaml\n")
    loaded = load_playbook(main, folder)
    assert loaded.diagnostics == []
    assert loaded.playbook is not None and loaded.playbook.vars == {"brand": "一"}


def test_shared_fragment_is_not_a_cycle(folder: Path) -> None:
    write(folder, "d.yaml", "vars: {d: 1}\n")
    write(folder, "b.yaml", "include: [d.yaml]\nvars: {b: 1}\n")
    write(folder, "c.yaml", "include: [d.yaml]\nvars: {c: 1}\n")
    main = write(folder, "a.yaml", "playbook: A\ninclude: [b.yaml, c.yaml]\n")
    loaded = load_playbook(main, folder)
    assert loaded.diagnostics == []
    assert loaded.playbook is not None and loaded.playbook.vars == {"d": 1, "b": 1, "c": 1}


# --- errors ------------------------------------------------------------------------------


def test_q008_relative_path_outside_root(folder: Path) -> None:
    write(folder, "outside.yaml", "vars: {x: 1}\n")
    main = write(folder, "root/main.yaml", "playbook: O\nextends: ../outside.yaml\n")
    loaded = load_playbook(main, folder / "root")
    [d] = loaded.diagnostics
    assert d.code == "Q008"
    assert (d.span.file, d.span.line, d.span.col) == ("root/main.yaml", 2, 10)
    assert d.message("en") == "'../outside.yaml' is outside the root folder root"
    assert d.message("zh") == "'../outside.yaml' 位于根目录 root 之外"
    assert loaded.playbook is not None and loaded.playbook.vars == {}


def test_q008_absolute_path(folder: Path) -> None:
    target = folder / "elsewhere.yaml"
    target.write_text("vars: {x: 1}\n", encoding="utf-8")
    main = write(folder, "root/main.yaml", f"playbook: O\ninclude: ['{target}']\n")
    loaded = load_playbook(main, folder / "root")
    assert codes(loaded) == ["Q008"]
    assert loaded.diagnostics[0].message() == f"'{target}' is outside the root folder root"


def test_q009_self_include(folder: Path) -> None:
    main = write(folder, "self.yaml", "playbook: S\ninclude: self.yaml\n")
    loaded = load_playbook(main, folder)
    [d] = loaded.diagnostics
    assert d.code == "Q009"
    assert (d.span.file, d.span.line, d.span.col) == ("self.yaml", 2, 10)
    assert d.message() == "'self.yaml' is already being loaded: self.yaml → self.yaml"
    assert d.message("zh") == "'self.yaml' 已在加载链中：self.yaml → self.yaml"


def test_q009_two_file_cycle(folder: Path) -> None:
    write(folder, "b.yaml", "extends: a.yaml\nvars: {b: 1}\n")
    main = write(folder, "a.yaml", "playbook: A\ninclude: [b.yaml]\n")
    loaded = load_playbook(main, folder)
    [d] = loaded.diagnostics
    assert d.code == "Q009"
    assert (d.span.file, d.span.line) == ("b.yaml", 1)
    assert d.message() == "'a.yaml' is already being loaded: a.yaml → b.yaml → a.yaml"
    # b.yaml still contributes what it has
    assert loaded.playbook is not None and loaded.playbook.vars == {"b": 1}


def test_q010_missing_file(folder: Path) -> None:
    main = write(folder, "miss.yaml", "playbook: M\ninclude:\n  - nope.yaml\n")
    loaded = load_playbook(main, folder)
    [d] = loaded.diagnostics
    assert d.code == "Q010"
    assert (d.span.file, d.span.line, d.span.col) == ("miss.yaml", 3, 5)
    assert d.message() == "no such file: 'nope.yaml'"
    assert d.message("zh") == "文件不存在：'nope.yaml'"


def test_q103_extends_must_be_a_single_path(folder: Path) -> None:
    write(folder, "x.yaml", "vars: {x: 1}\n")
    main = write(folder, "main.yaml", "playbook: N\nextends: [x.yaml]\n")
    loaded = load_playbook(main, folder)
    [d] = loaded.diagnostics
    assert d.code == "Q103"
    assert (d.span.line, d.span.col) == (2, 10)
    assert d.message() == "expected a file path, found a list"
    assert d.message("zh") == "应为文件路径，实际为列表"


def test_q103_include_that_is_not_a_string(folder: Path) -> None:
    main = write(folder, "main.yaml", "playbook: N\ninclude: {a: b}\n")
    loaded = load_playbook(main, folder)
    [d] = loaded.diagnostics
    assert d.code == "Q103"
    assert d.message() == "expected a file path or a list of them, found a mapping"


def test_q103_include_list_with_a_number(folder: Path) -> None:
    write(folder, "b.yaml", "vars: {b: 1}\n")
    main = write(folder, "main.yaml", "playbook: N\ninclude: [1, b.yaml]\n")
    loaded = load_playbook(main, folder)
    assert codes(loaded) == ["Q103"]
    assert loaded.diagnostics[0].span.line == 2


def test_q103_include_list_points_at_the_bad_item(folder: Path) -> None:
    write(folder, "b.yaml", "vars: {b: 1}\n")
    main = write(folder, "main.yaml", "playbook: N\ninclude: [1, b.yaml]\n")
    loaded = load_playbook(main, folder)
    [d] = loaded.diagnostics
    assert (d.span.line, d.span.col) == (2, 11)
    assert d.message() == "expected a file path, found '1'"
    assert loaded.playbook is not None and loaded.playbook.vars == {"b": 1}  # the good item still counts


def test_yaml_error_in_a_fragment_names_the_fragment(folder: Path) -> None:
    write(folder, "sub/broken.yaml", "roles:\n  owner: {name: 群主\n")
    main = write(folder, "main.yaml", "playbook: F\ninclude: [sub/broken.yaml]\n")
    loaded = load_playbook(main, folder)
    [d] = loaded.diagnostics
    assert d.code == "Q001"
    assert d.span.file == "sub/broken.yaml"
    assert (d.span.line, d.span.col) == (2, 10)  # the '{' that is never closed
    assert "expected ',' or '}'" in d.message()
    assert loaded.playbook is not None and loaded.playbook.playbook == "F"


def test_q011_fragment_that_is_not_a_mapping(folder: Path) -> None:
    write(folder, "list.yaml", "- a\n- b\n")
    main = write(folder, "main.yaml", "playbook: F\ninclude: [list.yaml]\n")
    loaded = load_playbook(main, folder)
    [d] = loaded.diagnostics
    assert (d.code, d.span.file) == ("Q011", "list.yaml")
    assert d.message() == "expected a mapping of playbook sections, found a list"


def test_q011_empty_entry_file(folder: Path) -> None:
    loaded = load_playbook(write(folder, "empty.yaml", ""), folder)
    [d] = loaded.diagnostics
    assert (d.code, d.span.file, d.span.line, d.span.col) == ("Q011", "empty.yaml", 1, 1)
    assert d.message() == "expected a mapping of playbook sections, found an empty file"
    assert d.message("zh") == "顶层应为剧本各部分的映射，实际为空文件"


# --- a file without playbook: named on the command line -------------------------------

SOP_USER = "playbook: F\nroles:\n  owner: {name: 群主}\ninclude: [fragments/sop.yaml]\n"
SOP_FRAGMENT = "sop:\n  - {id: t1, name: 话题, role: onwer, every: daily 20:00}\n"


def test_a_fragment_named_alone_is_checked_through_the_playbooks_that_use_it(folder: Path) -> None:
    write(folder, "main.yaml", SOP_USER)
    fragment = write(folder, "fragments/sop.yaml", SOP_FRAGMENT)
    report = validate_paths([Path("fragments/sop.yaml")])
    assert [(d.code, d.span.file, d.span.line, d.span.col) for d in report.diagnostics] == [
        ("Q402", "fragments/sop.yaml", 2, 30)]
    assert report.diagnostics[0].message() == "role 'onwer' is not defined; did you mean 'owner'?"
    assert report.files_checked == 2
    assert validate_paths([fragment]).diagnostics == report.diagnostics  # an absolute path finds the user too


def test_a_fragment_outside_the_current_folder_needs_root(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(folder, "proj/main.yaml", SOP_USER)
    fragment = write(folder, "proj/fragments/sop.yaml", SOP_FRAGMENT)
    (folder / "elsewhere").mkdir()
    monkeypatch.chdir(folder / "elsewhere")
    # Searched from here, nothing uses it: it is checked as a playbook of its own.
    alone = validate_paths([fragment])
    assert [d.code for d in alone.diagnostics] == ["Q102", "Q402"]
    assert alone.files_checked == 1
    with_root = validate_paths([fragment], folder / "proj")
    assert [(d.code, d.span.line, d.span.col) for d in with_root.diagnostics] == [("Q402", 2, 30)]
    assert with_root.diagnostics[0].message() == "role 'onwer' is not defined; did you mean 'owner'?"


def test_a_file_no_playbook_uses_is_checked_as_a_playbook(folder: Path) -> None:
    write(folder, "typo.yaml", "playbok: 门店\n")
    report = validate_paths([Path("typo.yaml")])
    assert [(d.code, d.span.line, d.span.col) for d in report.diagnostics] == [("Q101", 1, 1), ("Q102", 1, 1)]
    assert report.diagnostics[0].message() == (
        "unknown key 'playbok' in the playbook's top level; did you mean 'playbook'?")
