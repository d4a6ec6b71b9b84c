"""File names made from ids: the id itself when safe, else its safe part, ~ and a hash; never one
file for two people, not even where letter case does not count."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qunce.file_names import MAX_LENGTH, hashed, is_safe, name, names

SAFE_NAME = r"[A-Za-z0-9_.\-\u3400-\u4dbf\u4e00-\u9fff]+(~[0-9a-f]{8,64})?"


def _sha(identifier: str, digits: int = 8) -> str:
    return hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:digits]


def test_a_safe_id_is_its_own_name() -> None:
    for identifier in ("s1", "s0001", "a_b", "A-1.v2", "张三", "员工-07", "x" * MAX_LENGTH, "COM10", "-5"):
        assert is_safe(identifier), identifier
        assert name(identifier) == identifier


def test_ids_that_differ_only_in_unsafe_characters_get_distinct_names() -> None:
    backslash = "a\\b"
    got = names(["a/b", "a_b", backslash, "a b", "a:b"])
    assert got == {"a_b": "a_b", "a/b": f"a_b~{_sha('a/b')}", backslash: f"a_b~{_sha(backslash)}",
                   "a b": f"a_b~{_sha('a b')}", "a:b": f"a_b~{_sha('a:b')}"}
    assert got["a/b"] == "a_b~c14cddc0"  # stable across runs and machines: the README's example


def test_paths_that_escape_or_hide_and_empty_ids_are_hashed() -> None:
    assert name("..") == f"_~{_sha('..')}"
    assert name("") == f"_~{_sha('')}"
    assert name(".hidden") == f"hidden~{_sha('.hidden')}"
    assert name("../../etc/passwd") == f"_.._etc_passwd~{_sha('../../etc/passwd')}"
    assert name("a/../x") == f"a_.._x~{_sha('a/../x')}"


def test_windows_reserved_names_are_hashed_and_kept_off_the_reserved_word() -> None:
    for identifier in ("CON", "con", "nul.tar.gz", "LPT1", "com0", "Aux.md"):
        assert not is_safe(identifier)
        stem = name(identifier)
        assert stem.startswith("_") and stem.split(".")[0].upper() not in {"CON", "NUL", "LPT1", "COM0", "AUX"}
    assert name("CON") == f"_CON~{_sha('CON')}"


def test_long_ids_are_cut_and_hashed() -> None:
    long = "x" * (MAX_LENGTH + 1)
    assert name(long) == "x" * 40 + f"~{_sha(long)}"
    assert name("张" * 100) == "张" * 40 + f"~{_sha('张' * 100)}"


def test_chinese_is_kept_but_other_letters_with_forms_are_hashed() -> None:
    assert name("王芳") == "王芳"
    # é has two Unicode forms (one code point, or e and an accent) that macOS may store alike.
    assert name("é") == f"_~{_sha('é')}"
    decomposed = "e\u0301"
    assert name(decomposed) == "e_~" + _sha(decomposed)


def test_ids_differing_only_in_case_both_get_a_hash_and_the_others_keep_their_names() -> None:
    got = names(["a", "A", "b", "S1", "s1", "s2"])
    assert got == {"a": f"a~{_sha('a')}", "A": f"A~{_sha('A')}", "b": "b",
                   "S1": f"S1~{_sha('S1')}", "s1": f"s1~{_sha('s1')}", "s2": "s2"}


def test_a_shared_hash_prefix_is_lengthened(monkeypatch: pytest.MonkeyPatch) -> None:
    import qunce.file_names as module

    real = module.hashed

    def clashing(identifier: str, digits: int = 8) -> str:  # every 8-digit hash alike
        return real(identifier, digits)[:-digits] + "0" * digits if digits == 8 else real(identifier, digits)

    monkeypatch.setattr(module, "hashed", clashing)
    assert module.names(["a/b", "a:b", "c"]) == {"a/b": f"a_b~{_sha('a/b', 16)}", "a:b": f"a_b~{_sha('a:b', 16)}",
                                                  "c": "c"}


ids = st.text(alphabet=st.sampled_from("aAbB_/\\.:~ -张é0"), max_size=6) | st.text(max_size=8)


@given(st.lists(ids, max_size=30))
def test_distinct_ids_get_distinct_names_even_ignoring_case(identifiers: list[str]) -> None:
    import re

    got = names(identifiers)
    assert set(got) == set(identifiers)
    stems = list(got.values())
    assert len({stem.lower() for stem in stems}) == len(stems)  # one file each on macOS and Windows too
    back = {stem: identifier for identifier, stem in got.items()}
    assert {identifier: back[stem] for identifier, stem in got.items()} == {i: i for i in got}  # reversible
    for identifier, stem in got.items():
        assert re.fullmatch(SAFE_NAME, stem), stem
        assert not stem.startswith(".") and len(stem) <= MAX_LENGTH
        if is_safe(identifier) and sum(other.lower() == identifier.lower() for other in got) == 1:
            assert stem == identifier
        else:
            assert stem.startswith(hashed(identifier).rsplit("~", 1)[0] + "~")


def test_every_name_is_a_file_of_its_own(tmp_path: Path) -> None:
    identifiers = ["a/b", "a_b", "a\\b", "..", "", "张三", "a", "A", "CON", "nul.md", "x" * 80]
    got = names(identifiers)
    for identifier, stem in got.items():
        (tmp_path / f"{stem}.md").write_text(identifier, encoding="utf-8")
    files = sorted(tmp_path.iterdir())
    assert len(files) == len(identifiers)
    assert sorted(p.read_text(encoding="utf-8") for p in files) == sorted(identifiers)
    assert all(p.parent == tmp_path for p in files)
