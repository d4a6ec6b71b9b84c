"""Text files in the encodings Excel writes: which one a file is in (given, a BOM, valid UTF-8,
else detected, never a silent guess), and the file read as UTF-8 with its lines where they were;
bytes the encoding does not allow are an error at the line and column an editor shows."""

from __future__ import annotations

import codecs
import random
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qunce.errors import UsageError
from qunce.events import text_encoding
from qunce.events.text_encoding import TextEncoding, TextError, decode_text, detect, utf8_copy

HEADER = "时间,类型,群ID,成员ID,员工,备注\n"
NAMES = ["王芳", "李雷", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄丽", "周杰", "吴军"]
GBK = TextEncoding("gbk", "GBK", "detected")


def operations(rows: int, ascii_rows: int = 0, seed: int = 1) -> str:
    """Operations data as teams export it: Chinese headers, ids and times in ASCII, a name now and
    then; the first `ascii_rows` rows all ASCII."""
    pick = random.Random(seed)
    lines = [HEADER]
    for i in range(rows):
        if i < ascii_rows:
            lines.append(f"2027-01-04 10:{i % 60:02d}:00,join,g{i % 50},m{i},s{i % 7},\n")
        else:
            lines.append(f"2027-01-04 10:{i % 60:02d}:00,入群,g{i % 50},m{i},{pick.choice(NAMES)},"
                         f"{pick.choice(['', '花漾福利3群', 'ok'])}\n")
    return "".join(lines)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def copied(tmp_path: Path, path: Path, encoding: TextEncoding) -> bytes:
    target = tmp_path / "copy.csv"
    utf8_copy(path, str(path), encoding, target)
    return target.read_bytes()


# --- which encoding ---------------------------------------------------------------------------


@pytest.mark.parametrize(("bom", "saved_as", "codec", "label"), [
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig", "UTF-8 (BOM)"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16", "UTF-16LE (BOM)"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16", "UTF-16BE (BOM)"),
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32", "UTF-32LE (BOM)"),
])
def test_a_bom_decides(tmp_path: Path, bom: bytes, saved_as: str, codec: str, label: str) -> None:
    text = operations(3)
    path = write(tmp_path / "f.csv", bom + text.encode(saved_as))
    found = detect(path, "f.csv")
    assert found == TextEncoding(codec, label, "bom")
    assert found.readable_as_utf8 == (codec == "utf-8-sig")
    assert copied(tmp_path, path, found) == text.encode()


def test_valid_utf8_throughout_is_utf8(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", operations(2000).encode())
    assert detect(path, "f.csv") == TextEncoding("utf-8", "UTF-8", "utf-8")
    assert detect(write(tmp_path / "empty.csv", b""), "empty.csv").codec == "utf-8"


@pytest.mark.parametrize("ascii_rows", [0, 5000, 29_990])
def test_gbk_operations_data_is_gbk_even_when_its_first_rows_are_ascii(tmp_path: Path, ascii_rows: int) -> None:
    # A header in ASCII and 29,990 ASCII rows (more than the first MB) before the first name.
    text = operations(30_000, ascii_rows).replace(HEADER, "ts,type,group_id,member_id,staff,note\n")
    path = write(tmp_path / "f.csv", text.encode("gbk"))
    assert detect(path, "f.csv") == TextEncoding("gbk", "GBK", "detected")
    assert copied(tmp_path, path, GBK) == text.encode()


@pytest.mark.parametrize("seed", range(10))
def test_a_single_gbk_name_in_ascii_data_is_gbk(tmp_path: Path, seed: int) -> None:
    lines = "".join(f"s{i},s{i}\n" for i in range(200))
    path = write(tmp_path / "f.csv", ("id,name\n" + lines + f"s999,{random.Random(seed).choice(NAMES)}\n").encode("gbk"))
    assert detect(path, "f.csv").codec == "gbk"


def test_gb18030_when_the_file_needs_it(tmp_path: Path) -> None:
    # 𠮷 and € are GB18030's, not GBK's: four bytes and a code GBK leaves unassigned.
    text = operations(50) + "2027-01-05 09:00:00,入群,g1,m1,吉𠮷,€5\n"
    path = write(tmp_path / "f.csv", text.encode("gb18030"))
    found = detect(path, "f.csv")
    assert found == TextEncoding("gb18030", "GB18030", "detected")
    assert copied(tmp_path, path, found) == text.encode()


def test_big5_with_enough_text_is_big5(tmp_path: Path) -> None:
    text = "時間,類型,群組,成員,員工,備註\n" + "".join(f"2027-01-04,入群,g{i},m{i},陳大文,歡迎加入會員群組\n" for i in range(200))
    assert detect(write(tmp_path / "f.csv", text.encode("big5")), "f.csv").label == "Big5"


def test_too_little_to_tell_is_an_error_asking_for_encoding(tmp_path: Path) -> None:
    # A Big5 name in ASCII data: charset detection's answer on so little is a coin toss.
    path = write(tmp_path / "f.csv", ("id,name\n" + "".join(f"s{i},s{i}\n" for i in range(100))).encode()
                 + "s9,陳大文\n".encode("big5"))
    with pytest.raises(TextError) as caught:
        detect(path, "data/f.csv")
    assert caught.value.line == 1
    assert caught.value.en.startswith("data/f.csv: it is not UTF-8 text, and which encoding it is in cannot be told "
                                      "for sure")
    assert "pass --encoding (e.g. --encoding gbk, --encoding gb18030 or --encoding big5)" in caught.value.en
    assert caught.value.zh.startswith("data/f.csv：它不是 UTF-8 文本，也无法确定它的编码")


def test_utf8_with_a_character_cut_at_the_end_says_where(tmp_path: Path) -> None:
    data = operations(100).encode() + "2027-01-05,入群,g1,m1,王".encode()[:-1]
    with pytest.raises(TextError) as caught:
        detect(write(tmp_path / "f.csv", data), "f.csv")
    assert caught.value.line == 102
    assert caught.value.en == ("f.csv: line 102 is not valid UTF-8 text (bytes E7 8E at column 21); if the file is in "
                               "another encoding, pass --encoding (e.g. --encoding gbk or --encoding gb18030)")


def test_utf16_without_a_bom_is_told_by_its_zero_bytes(tmp_path: Path) -> None:
    text = "ts,type,group_id\r\n2027-01-04,join,g1\r\n"
    path = write(tmp_path / "f.txt", text.encode("utf-16-le"))
    assert detect(path, "f.txt") == TextEncoding("utf-16-le", "UTF-16LE", "detected")
    assert copied(tmp_path, path, detect(path, "f.txt")) == text.encode()


@pytest.mark.parametrize(("name", "codec", "label"), [
    ("gbk", "gbk", "GBK"), ("GBK", "gbk", "GBK"), ("cp936", "gbk", "GBK"), ("gb2312", "gbk", "GBK"),
    ("gb18030", "gb18030", "GB18030"), ("UTF8", "utf-8", "UTF-8"), ("utf-8-sig", "utf-8-sig", "UTF-8 (BOM)"),
    ("utf-16le", "utf-16-le", "UTF-16LE"), ("utf-16", "utf-16-le", "UTF-16LE"), ("big5", "big5", "Big5"),
])
def test_given(tmp_path: Path, name: str, codec: str, label: str) -> None:
    path = write(tmp_path / "f.csv", b"a,b\n")
    assert detect(path, "f.csv", name) == TextEncoding(codec, label, "given")


def test_given_utf16_with_a_bom_keeps_the_bom_to_read_the_order(tmp_path: Path) -> None:
    path = write(tmp_path / "f.txt", codecs.BOM_UTF16_BE + "a\tb\n".encode("utf-16-be"))
    found = detect(path, "f.txt", "utf-16")
    assert found.codec == "utf-16"
    assert copied(tmp_path, path, found) == b"a\tb\n"


@pytest.mark.parametrize("name", ["gkb", "base64", "hex"])
def test_an_unknown_encoding_is_a_usage_error(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / "f.csv", b"a,b\n")
    with pytest.raises(UsageError) as caught:
        detect(path, "f.csv", name)
    assert caught.value.en.startswith(f"--encoding {name}: not an encoding Python knows; for files from Excel on "
                                      "Chinese Windows use --encoding gbk (or gb18030)")
    assert "--encoding utf-16" in caught.value.en and "--encoding utf-8" in caught.value.en
    assert caught.value.zh.startswith(f"--encoding {name}：不是可识别的编码；")


# --- reading as UTF-8 -------------------------------------------------------------------------


def test_line_breaks_are_kept(tmp_path: Path) -> None:
    text = "时间,类型\r\n2027-01-04,入群\r\n\r\n2027-01-05,退群\n最后"
    for codec, bom in (("gbk", b""), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-8", codecs.BOM_UTF8)):
        path = write(tmp_path / f"{codec}.csv", bom + text.encode(codec))
        assert copied(tmp_path, path, detect(path, "f.csv", None if bom else codec)) == text.encode()


def test_a_bad_byte_names_its_line_and_column_in_both_languages(tmp_path: Path) -> None:
    data = HEADER.encode("gbk") + "2027-01-04,入群,g1,m1,王芳,\n".encode("gbk") + b"2027-01-04,\xff\xfe,g1\n"
    path = write(tmp_path / "f.csv", data)
    with pytest.raises(TextError) as caught:
        copied(tmp_path, path, GBK)
    assert caught.value.line == 3
    assert caught.value.en == (f"{path}: line 3 is not valid GBK text (byte FF at column 12); if the file is in "
                               "another encoding, pass --encoding (e.g. --encoding gb18030 or --encoding utf-8)")
    assert caught.value.zh == (f"{path}：第 3 行不是有效的 GBK 文本（第 12 列的字节 FF）；如果文件是其他编码，请用 --encoding "
                               "指定（例如 --encoding gb18030 或 --encoding utf-8）")
    with pytest.raises(TextError) as whole:
        decode_text(data, str(path), GBK)
    assert (whole.value.en, whole.value.zh) == (caught.value.en, caught.value.zh)


def test_utf8_rows_in_a_gbk_file_are_an_error_not_wrong_characters(tmp_path: Path) -> None:
    # Three Chinese characters in UTF-8 (nine bytes) never read as GBK; GB18030 would not
    # catch 𠮷 either, most of the time (the module's docstring has the figures).
    data = operations(20).encode("gbk") + "2027-01-05,入群,g1,m1,欧阳娜,\n".encode()
    with pytest.raises(TextError) as caught:
        copied(tmp_path, write(tmp_path / "f.csv", data), detect(tmp_path / "f.csv", "f.csv"))
    assert caught.value.line == 22 and "line 22 is not valid GBK text" in caught.value.en


@pytest.mark.parametrize("emoji", ["😀", "👍", "🎉"])
def test_an_emoji_in_utf8_inside_a_gbk_file_is_an_error(tmp_path: Path, emoji: str) -> None:
    # Every GB codec reads F0 9F xx xx as 馃 and a rare character, without an error.
    data = operations(5).encode("gbk") + "2027-01-05,入群,g1,m1,王芳,好".encode("gbk") + emoji.encode() + b"\n"
    assert data.decode("gbk") and data.decode("gb18030")
    for codec in ("gbk", "gb18030"):
        encoding = TextEncoding(codec, codec.upper(), "given")
        with pytest.raises(TextError) as caught:
            copied(tmp_path, write(tmp_path / "f.csv", data), encoding)
        assert caught.value.detail == (f"line 7 is not valid {codec.upper()} text (bytes "
                                       f"{' '.join(f'{b:02X}' for b in emoji.encode())} at column 25: the emoji "
                                       f"{emoji} in UTF-8); if the file is in another encoding, pass --encoding "
                                       f"(e.g. --encoding {'gb18030' if codec == 'gbk' else 'utf-8'} or --encoding "
                                       f"{'utf-8' if codec == 'gbk' else 'gbk'})")
        assert f"UTF-8 编码的表情 {emoji}" in caught.value.detail_zh


def test_lines_and_columns_are_counted_across_chunks(tmp_path: Path) -> None:
    text = operations(3000)
    data = text.encode("gbk") + "2027-01-05,入群,".encode("gbk") + b"\x80\n"
    path = write(tmp_path / "f.csv", data)
    for chunk in (1, 2, 3, 1000, 1 << 20):
        with patch.object(text_encoding, "CHUNK", chunk), pytest.raises(TextError) as caught:
            copied(tmp_path, path, GBK)
        assert caught.value.line == 3002 and "(byte 80 at column 15)" in caught.value.en


def test_the_copy_streams_in_chunks(tmp_path: Path) -> None:
    # A character cut by each chunk's end waits for the next: the copy is the text, every way.
    text = operations(300)
    path = write(tmp_path / "f.csv", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    for chunk in (1, 3, 4097):
        with patch.object(text_encoding, "CHUNK", chunk):
            assert copied(tmp_path, path, detect(path, "f.csv")) == text.encode()


# --- properties -------------------------------------------------------------------------------

LINES = st.text(st.characters(codec="utf-8"), max_size=60)
TEXTS = st.lists(st.tuples(LINES, st.sampled_from(["\n", "\r\n"])), max_size=8).map(
    lambda lines: "".join(line + end for line, end in lines))


def _encoded(text: str, codec: str) -> tuple[bytes, str | None]:
    """`text` saved in `codec`, and what to pass as --encoding (None: detected)."""
    if codec == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode(), None
    if codec == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le"), None
    if codec == "utf-16-be":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be"), None
    return text.encode(codec), None if codec == "utf-8" else codec


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS, codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "gb18030", "gbk"]),
       chunk=st.sampled_from([1, 2, 3, 5, 1 << 20]))
def test_any_text_round_trips(tmp_path: Path, text: str, codec: str, chunk: int) -> None:
    # A BOM, not text, at the start of a file; and UTF-16's BOM then U+0000 is UTF-32's BOM.
    assume(not text.startswith("\ufeff") and not (codec == "utf-16" and text.startswith("\x00")))
    try:
        data, name = _encoded(text, codec)
    except UnicodeEncodeError:
        assume(False)
        raise
    path = write(tmp_path / "f.csv", data)
    found = detect(path, "f.csv", name)
    with patch.object(text_encoding, "CHUNK", chunk):
        out = copied(tmp_path, path, found)
    assert out == text.encode()
    assert out.count(b"\n") == text.count("\n")
    assert decode_text(data, "f.csv", found) == text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS, last=st.characters(min_codepoint=0x80, codec="utf-8"),
       codec=st.sampled_from(["utf-8", "utf-16", "gb18030"]), cut=st.integers(1, 3), chunk=st.sampled_from([2, 1 << 20]))
def test_a_file_cut_inside_a_character_is_an_error_at_its_last_line(tmp_path: Path, text: str, last: str, codec: str,
                                                                    cut: int, chunk: int) -> None:
    assume(not text.startswith("\ufeff"))
    data, name = _encoded(text + last, codec)
    size = len(last.encode("utf-16-le" if codec == "utf-16" else codec))
    assume(cut < size)
    path = write(tmp_path / "f.csv", data[:-cut])
    found = TextEncoding(codec, codec.upper(), "given") if name is None else detect(path, "f.csv", name)
    with patch.object(text_encoding, "CHUNK", chunk), pytest.raises(TextError) as caught:
        copied(tmp_path, path, found)
    assert caught.value.line == text.count("\n") + 1
    assert f"line {text.count(chr(10)) + 1} is not valid" in caught.value.en


def test_gbk_names_that_are_valid_utf8_by_chance_do_not_outvote_the_rest(tmp_path: Path) -> None:
    # 一一 in GBK is D2BB D2BB, valid UTF-8 ("һһ"); 一丁 is not: two lines of three looked UTF-8
    # (found by the property test below).
    rows = "".join(f"2027-01-05 10:00:00,join,g2,m{i},{name},\n" for i, name in enumerate(["一一", "一一", "一丁"]))
    data = ("ts,type,group_id,member_id,staff,note\n" + rows).encode("gbk")
    assert detect(write(tmp_path / "f.csv", data), "f.csv").codec == "gbk"


def test_utf8_chinese_with_one_bad_byte_is_still_utf8(tmp_path: Path) -> None:
    rows = "".join(f"2027-01-05 10:00:00,join,g2,m{i},{name},\n" for i, name in enumerate(["王芳", "李雷", "韩梅"]))
    data = ("ts,type,group_id,member_id,staff,note\n" + rows).encode("utf-8") + b"2027-01-05,join,g2,m9,\xb6,\n"
    with pytest.raises(TextError) as caught:
        detect(write(tmp_path / "f.csv", data), "f.csv")
    assert caught.value.line == 5


# GB2312's first level: the 3,755 most used characters (first byte B0–D7), names are made of.
COMMON = [ch for ch in (bytes((lead, trail)).decode("gb2312") for lead in range(0xB0, 0xD8) for trail in range(0xA1, 0xFF)
                        if (lead, trail) < (0xD7, 0xFA))]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(st.sampled_from(COMMON), min_size=2, max_size=4), min_size=1, max_size=30),
       ascii_rows=st.integers(0, 3000), chinese_header=st.booleans())
def test_gbk_data_with_any_names_is_gbk(tmp_path: Path, names: list[str], ascii_rows: int, chinese_header: bool) -> None:
    header = HEADER if chinese_header else "ts,type,group_id,member_id,staff,note\n"
    text = header + "".join(f"2027-01-04 10:00:00,join,g1,m{i},s1,\n" for i in range(ascii_rows)) + "".join(
        f"2027-01-05 10:00:00,join,g2,m{i},{name},\n" for i, name in enumerate(names))
    data = text.encode("gbk")
    try:  # a name or two of GBK can be valid UTF-8 too, and read so (docs/data.md)
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        assume(False)
    assert detect(write(tmp_path / "f.csv", data), "f.csv").codec == "gbk"
