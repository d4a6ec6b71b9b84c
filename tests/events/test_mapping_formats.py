"""Time formats in a mapping: the directive checker against DuckDB's own strptime, and as a
property: formats of known directives pass, one unknown directive is found at its %."""

from __future__ import annotations

import itertools
import json
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qunce.events.mapping import load_mapping
from qunce.events.mapping.formats import DIRECTIVES, missing_date, scan

# Text between directives: anything but %, with the characters dates are written with.
LITERAL = st.text(alphabet=st.sampled_from(list(string.ascii_letters + string.digits + " -/:.,TZ年月日时分秒'\"\\")),
                  max_size=6)
KNOWN = st.sampled_from(sorted("%" + d for d in DIRECTIVES))
SINGLE = sorted({c for c in string.printable + "年" if c not in string.whitespace} - {d for d in DIRECTIVES if len(d) == 1}
                - {"-"})
UNKNOWN = st.one_of(
    st.sampled_from(SINGLE).map(lambda c: "%" + c),
    st.sampled_from(sorted(set(string.ascii_letters + "%") - {d[1] for d in DIRECTIVES if d.startswith("-")})).map(
        lambda c: "%-" + c),
)


@st.composite
def formats(draw: st.DrawFn) -> list[str]:
    """A format as pieces: literal text and known directives, alternating freely."""
    return draw(st.lists(st.one_of(LITERAL, KNOWN), max_size=8))


_NUMBER = itertools.count()


def _yaml_file(tmp_path: Path, text: str) -> Path:
    # A JSON string is a YAML double-quoted scalar. A new file each time: the reader caches a file
    # by its size and modification time, which a rewrite within the same tick may keep.
    path = tmp_path / f"{next(_NUMBER)}.mapping.yaml"
    path.write_text("time:\n  format: " + json.dumps(text, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=formats())
def test_formats_of_known_directives_pass(tmp_path: Path, pieces: list[str]) -> None:
    text = "".join(pieces)
    known, unknown = scan(text)
    assert unknown == []
    assert known == [piece[1:] for piece in pieces if piece.startswith("%")]
    codes = {d.code for d in load_mapping(_yaml_file(tmp_path, text)).diagnostics}
    assert "Q913" not in codes


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=formats(), bad=UNKNOWN, after=formats(), at_end=st.booleans())
def test_an_unknown_directive_is_found_at_its_percent(tmp_path: Path, before: list[str], bad: str, after: list[str],
                                                      at_end: bool) -> None:
    head = "".join(before)
    # At the very end a lone % (or %-) is unknown too: it has no letter at all.
    text = head + (bad[:-1] if at_end else bad + "".join(after))
    [unknown] = scan(text)[1]
    assert (unknown.offset, unknown.text) == (len(head), bad[:-1] if at_end else bad)
    found = [d for d in load_mapping(_yaml_file(tmp_path, text)).diagnostics if d.code == "Q913"]
    assert len(found) == 1
    # the column of the %: after `  format: "` and what the head's characters take written as JSON
    written = json.dumps(head, ensure_ascii=False)[1:-1]
    assert (found[0].span.line, found[0].span.col) == (2, len('  format: "') + len(written) + 1)
    assert found[0].message("en").startswith(f"unknown directive '{unknown.text}' in the time format")


def test_every_directive_is_one_duckdb_knows() -> None:
    duckdb = pytest.importorskip("duckdb")
    for directive in sorted(DIRECTIVES):
        duckdb.sql(f"SELECT try_strptime('x', '%{directive}')").fetchall()  # raises on an unknown one


@pytest.mark.parametrize("bad", ["%e", "%k", "%s", "%-Y", "%-%", "%", "%-", "%Q", "%Ex"])
def test_duckdb_refuses_what_the_checker_refuses(bad: str) -> None:
    duckdb = pytest.importorskip("duckdb")
    assert scan(bad)[1]
    with pytest.raises(duckdb.Error):
        duckdb.sql(f"SELECT try_strptime('x', '{bad}')").fetchall()


@pytest.mark.parametrize(("text", "value"), [
    ("%Y/%m/%d %H:%M", "2027/01/05 09:30"), ("%Y年%-m月%-d日", "2027年1月5日"), ("%d.%m.%y", "05.01.27"),
    ("%Y-%j", "2027-005"), ("%x %X", "2027-01-05 09:30:00"), ("%c", "2027-01-05 09:30:00"),
    ("%B %-d, %Y %I:%M %p", "January 5, 2027 09:30 AM"), ("%Y%m%d%H%M%S", "20270105093000"),
])
def test_formats_that_give_a_date_parse_in_duckdb(text: str, value: str) -> None:
    assert missing_date(scan(text)[0]) is None
    duckdb = pytest.importorskip("duckdb")
    [(parsed,)] = duckdb.sql(f"SELECT strptime('{value}', '{text}')").fetchall()
    assert (parsed.year, parsed.month, parsed.day) == (2027, 1, 5)


@pytest.mark.parametrize(("text", "en", "zh"), [
    ("%H:%M", "year (%Y), month (%m) or day (%d)", "年（%Y）、月（%m）、日（%d）"),
    ("%m/%d %H:%M", "year (%Y)", "年（%Y）"),
    ("%Y-%m", "day (%d)", "日（%d）"),
    ("%j %H", "year (%Y)", "年（%Y）"),
    ("%G-W%V-%u", "year (%Y), month (%m) or day (%d)", "年（%Y）、月（%m）、日（%d）"),  # ISO weeks: not offered
    ("YYYY-MM-DD", "year (%Y), month (%m) or day (%d)", "年（%Y）、月（%m）、日（%d）"),
])
def test_formats_without_a_whole_date(text: str, en: str, zh: str) -> None:
    assert missing_date(scan(text)[0]) == {"en": en, "zh": zh}
