"""Which encoding a text file is in, and reading it as UTF-8 whatever it was saved in.

Teams export from Excel on Chinese Windows: "CSV" is GBK, "CSV UTF-8" has a byte-order mark,
"Unicode text" is UTF-16LE with a BOM. `detect` tells which, never by a silent guess: the user's
`--encoding`, else a BOM, else the whole file checked as UTF-8, else the file's non-ASCII lines
judged (GBK first: Chinese text that is not UTF-8 almost always is; charset-normalizer for the
rest). Nothing plausible is an error asking for `--encoding`. `utf8_copy` writes a file DuckDB can
read (UTF-8, no BOM, every line break kept, so line N of one is line N of the other) and
`decode_text` decodes a small file whole; both name the line and column of bytes the encoding
does not allow, as an editor counts them.

GBK or GB18030 for the GB family. GB18030 is GBK's superset, but Python's decoder for it maps
every two-byte code GBK leaves unassigned (user-defined areas, holes) to private-use characters
instead of failing. Measured (4,000 random cases each): UTF-8 bytes of two Chinese characters
pasted into a GBK file fail as GBK 22 % of the time, as GB18030 3 % (18 % more decode to
private-use characters, the rest to wrong but real characters under both); 𠮷 (F0 A0 AE B7) fails
as GBK 13 %, as GB18030 1.5 %; a single UTF-8 character (three bytes) before a comma fails under
both, always. An emoji (F0 9F xx xx) fails under neither: GBK reads it as 馃 and a rare character,
so that pair is refused here explicitly. Hence: GBK (what Excel writes: code page 936) unless
the file needs GB18030 (a four-byte sequence, or a code only GB18030 assigns, seen in the
sample), and `--encoding gb18030` for a file that turns out to need it further in (the error
says so). GB18030 with private-use characters refused would catch about what GBK catches, and
refuse the rare file that uses GBK's user-defined area on purpose just the same.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, UsageError

CHUNK = 1 << 20
# What detection reads of a file that is not UTF-8: its start, the stretch around its first byte
# that is not UTF-8 (so a file whose first rows are ASCII is judged on its Chinese ones), and a
# few pieces further in; of those, the lines holding non-ASCII bytes, at most this many bytes.
HEAD = 1 << 20
AROUND_FIRST_BAD = (1 << 16, 1 << 18)  # before, after
PIECES, PIECE = 4, 1 << 16
SAMPLE_LINES_BYTES = 1 << 18
# A GB file's characters are overwhelmingly GB2312's (both bytes A1–FE); text in another encoding
# read as GBK mostly is not (Big5: about half its characters have a second byte below 0x80;
# Latin letters pair with the ASCII after them).
GB2312_SHARE = 0.8
GOOD_LINES_SHARE = 0.8
# The characters charset-normalizer must have read to be believed: on a few names it answers
# Johab, EUC-KR or Shift_JIS for Big5 as readily as Big5.
MIN_EVIDENCE = 20

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32LE (BOM)"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32BE (BOM)"),
         (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 (BOM)"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16LE (BOM)"),
         (codecs.BOM_UTF16_BE, "utf-16", "UTF-16BE (BOM)"))
_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "gbk": "GBK", "gb18030": "GB18030", "gb2312": "GB2312",
           "big5": "Big5", "big5hkscs": "Big5-HKSCS", "utf-16": "UTF-16", "utf-16-le": "UTF-16LE",
           "utf-16-be": "UTF-16BE", "utf-32": "UTF-32", "utf-32-le": "UTF-32LE", "utf-32-be": "UTF-32BE",
           "shift_jis": "Shift_JIS", "cp932": "Shift_JIS (cp932)", "euc_jp": "EUC-JP", "euc_kr": "EUC-KR",
           "cp949": "EUC-KR (cp949)", "ascii": "ASCII", "latin-1": "Latin-1", "cp1252": "Windows-1252"}
_GB = ("gbk", "gb18030")
# What charset-normalizer may conclude: multi-byte encodings, whose byte patterns are evidence.
# Its single-byte answers (cp1252, cp775, mac_iceland …) for a file with a few non-ASCII bytes
# are coin tosses: named in the error as a possibility, never used.
_MULTIBYTE = {"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "shift_jis", "shift_jis_2004", "cp932",
              "euc_jp", "euc_jis_2004", "euc_kr", "cp949", "johab"}
# UTF-8 bytes of an emoji (F0 9F xx xx), read as GBK: 馃 and a character whose bytes are 80–BF.
_EMOJI_LEAD = "馃"


@dataclass(frozen=True, slots=True)
class TextEncoding:
    """The encoding a file is read in, and how it was chosen."""

    codec: str  # the Python codec used to decode, e.g. "utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"
    label: str  # as people read it in a summary: "UTF-8", "UTF-8 (BOM)", "GBK", "GB18030", "UTF-16LE (BOM)"…
    how: str  # "given" (the user said --encoding), "bom", "detected" (charset detection), "utf-8" (valid UTF-8)

    @property
    def readable_as_utf8(self) -> bool:
        """Whether DuckDB can read the file as it is (UTF-8, with or without a BOM)."""
        return self.codec in ("utf-8", "utf-8-sig")


class TextError(InputError):
    """A text file that cannot be read: the words without the file's name (`detail`, `detail_zh`)
    and the line they are about, for reports that name the file themselves (the roster's findings)."""

    def __init__(self, shown: str, line: int, detail: str, detail_zh: str) -> None:
        super().__init__(f"{shown}: {detail}", f"{shown}：{detail_zh}")
        self.line = line
        self.detail = detail
        self.detail_zh = detail_zh


def label_of(codec: str) -> str:
    """A codec's name as people read it."""
    return _LABELS.get(codec, codec.upper().replace("_", "-"))


def detect(path: Path, shown: str, given: str | None = None) -> TextEncoding:
    """The encoding `path` is in (`shown`: its name in messages; `given`: the user's --encoding)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise InputError(f"cannot read {shown}: {exc.strerror or exc}", f"无法读取 {shown}：{exc.strerror or exc}") from exc
    if given is not None:
        return _given(given, head)
    for bom, bom_codec, label in _BOMS:
        if head.startswith(bom):
            return TextEncoding(bom_codec, label, "bom")
    if (wide := _utf16_without_bom(head)) is not None:
        return TextEncoding(wide, label_of(wide), "detected")
    bad = _first_bad_utf8(path)
    if bad is None:
        return TextEncoding("utf-8", "UTF-8", "utf-8")
    lines = _non_ascii_lines(path, bad)
    not_utf8 = [line for line in lines if not _is_utf8(line)]
    # A line of GBK can be valid UTF-8 by chance (一一 is D2BB D2BB: "һһ"): such lines vote for
    # neither; UTF-8 Chinese shows itself by 3-byte characters, which GBK's pairs never make.
    utf8 = [line for line in lines if _is_utf8(line) and not _gb_by_chance(line)]
    if len(not_utf8) * 2 < len(not_utf8) + len(utf8):
        # Mostly UTF-8, a few bad bytes (a file cut short, a row pasted in from elsewhere): say where.
        line, text = _line_at(path, bad)
        decode_text(text, shown, TextEncoding("utf-8", "UTF-8", "detected"), first_line=line)
    codec, maybe = _gb(not_utf8), ""
    if codec is None:
        codec, maybe = _normalizer(lines)
    if codec is not None:
        return TextEncoding(codec, label_of(codec), "detected")
    raise TextError(shown, 1, f"it is not UTF-8 text, and which encoding it is in cannot be told for sure"
                              f"{f' (it might be {maybe})' if maybe else ''}: pass --encoding (e.g. --encoding gbk, "
                              "--encoding gb18030 or --encoding big5), or save it as UTF-8",
                    f"它不是 UTF-8 文本，也无法确定它的编码{f'（可能是 {maybe}）' if maybe else ''}：请用 --encoding "
                    "指定（例如 --encoding gbk、--encoding gb18030 或 --encoding big5），或另存为 UTF-8 编码")


def utf8_copy(path: Path, shown: str, encoding: TextEncoding, target: Path) -> None:
    """Write `path` to `target` as UTF-8 without a BOM, line breaks as they are (a UTF-16 "\\r\\n"
    becomes the bytes "\\r\\n"), in chunks: constant memory."""
    with path.open("rb") as source, target.open("wb") as out:
        plain, skip = _plain(encoding.codec, source.read(4))
        source.seek(skip)
        for text in _decoded(iter(lambda: source.read(CHUNK), b""), shown, encoding, plain):
            out.write(text.encode("utf-8"))


def decode_text(data: bytes, shown: str, encoding: TextEncoding, first_line: int = 1) -> str:
    """`data` (a small file, read whole) decoded, without a BOM; `first_line`: the line `data`
    starts on in its file, for the error."""
    plain, skip = _plain(encoding.codec, data[:4])
    return "".join(_decoded(iter((data[skip:],)), shown, encoding, plain, first_line))


def _decoded(chunks: Iterator[bytes], shown: str, encoding: TextEncoding, plain: str,
             first_line: int = 1) -> Iterator[str]:
    """The text of `chunks`, decoded by an incremental decoder (a character cut by a chunk's end
    waits for the next); bytes the encoding does not allow raise a TextError at their line."""
    decoder = codecs.getincrementaldecoder(plain)("strict")
    place = _Place(first_line, 0)
    final = False
    while not final:
        chunk = next(chunks, b"")
        final = not chunk
        try:
            text = decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            # exc.object: the bytes the decoder held back from the last chunk, then this one.
            data: bytes = exc.object
            place.advance(codecs.getincrementaldecoder(plain)("replace").decode(data[:exc.start], True))
            raise _not_valid(shown, encoding, place, data[exc.start:max(exc.end, exc.start + 1)]) from None
        if encoding.codec in _GB and _EMOJI_LEAD in text:
            _refuse_utf8_emoji(text, shown, encoding, place)
        if place.first:
            text = text.removeprefix("\ufeff")
        place.advance(text)
        yield text


class _Place:
    """Where the text decoded so far ends: its line, and the characters before it on that line."""

    __slots__ = ("column", "first", "line")

    def __init__(self, line: int, column: int) -> None:
        self.line, self.column, self.first = line, column, True

    def advance(self, text: str) -> None:
        if self.first and text:
            # A BOM is never data (--encoding utf-16le on a file that has one): not a column either.
            text = text.removeprefix("\ufeff")
        breaks = text.count("\n")
        if breaks:
            self.line, self.column = self.line + breaks, len(text) - text.rfind("\n") - 1
        else:
            self.column += len(text)
        if text:
            self.first = False


def _not_valid(shown: str, encoding: TextEncoding, place: _Place, bad: bytes, note: str = "",
               note_zh: str = "") -> TextError:
    shown_bytes = " ".join(f"{byte:02X}" for byte in bad[:8])
    word = "bytes" if len(bad) > 1 else "byte"
    others = _other_encodings(encoding)
    column = place.column + 1
    return TextError(shown, place.line, f"line {place.line} is not valid {encoding.label} text ({word} {shown_bytes} "
                                        f"at column {column}{note}); if the file is in another encoding, pass "
                                        f"--encoding (e.g. {' or '.join(f'--encoding {o}' for o in others)})",
                     f"第 {place.line} 行不是有效的 {encoding.label} 文本（第 {column} 列的字节 {shown_bytes}{note_zh}）；"
                     f"如果文件是其他编码，请用 --encoding 指定（例如 {' 或 '.join(f'--encoding {o}' for o in others)}）")


def _other_encodings(encoding: TextEncoding) -> list[str]:
    """Two encodings to suggest instead of `encoding`, the likelier first."""
    if encoding.codec == "gbk":
        return ["gb18030", "utf-8"]
    if encoding.codec == "gb18030":
        return ["utf-8", "gbk"]
    if encoding.readable_as_utf8:
        return ["gbk", "gb18030"]
    return ["utf-8", "gbk"]


def _refuse_utf8_emoji(text: str, shown: str, encoding: TextEncoding, place: _Place) -> None:
    """A GB-encoded text holding an emoji's UTF-8 bytes (a row pasted in from a UTF-8 file), which
    every GB codec reads as 馃 and a rare character: an error, not wrong characters. (A pair cut
    by a chunk's end goes unseen.)"""
    at = text.find(_EMOJI_LEAD)
    while 0 <= at < len(text) - 1:
        pair = text[at:at + 2].encode(encoding.codec)
        if len(pair) == 4 and all(0x80 <= byte <= 0xBF for byte in pair[2:]):
            where = _Place(place.line, place.column)
            where.first = place.first
            where.advance(text[:at])
            emoji = pair.decode("utf-8", "replace")
            raise _not_valid(shown, encoding, where, pair, f": the emoji {emoji} in UTF-8",
                             f"：UTF-8 编码的表情 {emoji}")
        at = text.find(_EMOJI_LEAD, at + 1)


def _given(name: str, head: bytes) -> TextEncoding:
    try:
        info = codecs.lookup(name.strip())
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):  # base64, zlib …: codecs, not encodings
        raise UsageError(f"--encoding {name}: not an encoding Python knows; for files from Excel on Chinese Windows "
                         "use --encoding gbk (or gb18030), for \"Unicode text\" --encoding utf-16, else --encoding utf-8",
                         f"--encoding {name}：不是可识别的编码；中文 Windows 上 Excel 保存的文件请用 --encoding gbk（或 "
                         "gb18030），「Unicode 文本」用 --encoding utf-16，其他用 --encoding utf-8")
    codec = info.name
    if codec == "gb2312":
        codec = "gbk"  # every GB2312 file is GBK, and people say GB2312 for GBK (so does the WHATWG)
    elif codec in ("utf-16", "utf-32") and _plain(codec, head)[1] == 0:
        codec += "-le"  # no BOM: Excel's (little-endian) order, not the machine's
    return TextEncoding(codec, label_of(codec), "given")


def _plain(codec: str, head: bytes) -> tuple[str, int]:
    """The codec to decode with once the BOM (how many bytes: the second value) is skipped: the
    byte order a UTF-16 or UTF-32 BOM says, stated, so that any part decodes alone."""
    if codec in ("utf-8-sig", "utf-8") and head.startswith(codecs.BOM_UTF8):
        return "utf-8", len(codecs.BOM_UTF8)
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be")):
        if codec == "utf-32" and head.startswith(bom):
            return name, len(bom)
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if codec == "utf-16" and head.startswith(bom):
            return name, len(bom)
    return {"utf-8-sig": "utf-8", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}.get(codec, codec), 0


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 without a BOM: mostly ASCII text, so one byte of each pair is zero. At least 16
    characters (a header line is longer): a short UTF-8 file holding a NUL is not UTF-16."""
    pairs = len(head) // 2
    if pairs < 16 or b"\x00" not in head:
        return None
    even, odd = head[0:pairs * 2:2].count(0), head[1:pairs * 2:2].count(0)
    if odd >= pairs * 0.3 and even <= pairs * 0.05:
        return "utf-16-le"
    if even >= pairs * 0.3 and odd <= pairs * 0.05:
        return "utf-16-be"
    return None


def _first_bad_utf8(path: Path) -> int | None:
    """The offset of the first byte that is not UTF-8 (a character cut short at the end
    included); None when the whole file is UTF-8. Chunked: constant memory."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(CHUNK)
            try:
                decoder.decode(chunk, not chunk)
            except UnicodeDecodeError as exc:
                return offset - (len(exc.object) - len(chunk)) + exc.start
            if not chunk:
                return None
            offset += len(chunk)


def _non_ascii_lines(path: Path, bad: int) -> list[bytes]:
    """The lines holding non-ASCII bytes in what detection reads (bounded: about 2 MB read, 256 KB
    kept), each whole."""
    size = path.stat().st_size
    spans = [(0, HEAD), (max(0, bad - AROUND_FIRST_BAD[0]), bad + AROUND_FIRST_BAD[1])]
    if size > HEAD:
        spans += [(size * i // (PIECES + 1), size * i // (PIECES + 1) + PIECE) for i in range(1, PIECES + 1)]
        spans.append((max(0, size - PIECE), size))
    merged: list[tuple[int, int]] = []
    for start, end in sorted((s, min(e, size)) for s, e in spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    found: list[bytes] = []
    kept = 0
    with path.open("rb") as handle:
        for start, end in merged:
            handle.seek(start)
            piece = handle.read(end - start)
            lines = piece.split(b"\n")
            if start > 0 and len(lines) > 1:
                lines = lines[1:]  # a line cut by the piece's start
            if end < size and len(lines) > 1:
                lines = lines[:-1]
            for line in lines:
                if not line.isascii():
                    found.append(line)
                    kept += len(line)
                    if kept >= SAMPLE_LINES_BYTES:
                        return found
    return found


def _gb(lines: list[bytes]) -> str | None:
    """"gbk" (or "gb18030" when some line needs it) when the lines read as GB text: most decode,
    and most of their characters are GB2312's."""
    good = needs_gb18030 = common = multibyte = 0
    for line in lines:
        try:
            text = line.decode("gbk")
        except UnicodeDecodeError:
            try:
                text = line.decode("gb18030")
            except UnicodeDecodeError:
                continue
            if _PRIVATE_USE.search(text):  # GBK's holes, which GB18030 reads as private-use characters
                continue
            needs_gb18030 += 1
        good += 1
        wide = _ASCII.sub("", text)
        multibyte += len(wide)
        common += len(wide.encode("gb2312", "ignore")) // 2  # two bytes each
    if not multibyte or good < GOOD_LINES_SHARE * len(lines) or common < GB2312_SHARE * multibyte:
        return None
    return "gb18030" if needs_gb18030 else "gbk"


def _gb_by_chance(line: bytes) -> bool:
    """Whether a line that is valid UTF-8 reads as GBK too with only 2-byte UTF-8 characters
    (U+0080–U+07FF: Latin accents, Greek, Cyrillic…), as GBK's byte pairs decode when they
    happen to be valid UTF-8."""
    try:
        line.decode("gbk")
    except UnicodeDecodeError:
        return False
    return all(ord(char) < 0x800 for char in line.decode("utf-8"))


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _normalizer(lines: list[bytes]) -> tuple[str | None, str]:
    """charset-normalizer's answer for the lines: a multi-byte codec it found (a GB one as GBK when
    the lines decode so), or None and the single-byte one it guessed, if any, to name."""
    from charset_normalizer import from_bytes

    best = from_bytes(b"\n".join(lines)).best()
    if best is None:
        return None, ""
    codec = codecs.lookup(best.encoding).name
    if codec not in _MULTIBYTE or len(_ASCII.sub("", str(best))) < MIN_EVIDENCE:
        return None, label_of(codec)
    if codec in ("gb18030", "gbk", "gb2312"):
        try:
            b"\n".join(lines).decode("gbk")
        except UnicodeDecodeError:
            return "gb18030", ""
        return "gbk", ""
    return codec, ""


def _line_at(path: Path, offset: int) -> tuple[int, bytes]:
    """(its line, its bytes up to 64 KB past `offset`) of the line holding byte `offset`; a line
    starting more than 64 KB before it is taken from its first character after that."""
    line, done = 1, 0
    with path.open("rb") as handle:
        start = max(0, offset - (1 << 16))
        while done < start:
            chunk = handle.read(min(CHUNK, start - done))
            if not chunk:
                break
            line += chunk.count(b"\n")
            done += len(chunk)
        data = handle.read(offset - start + (1 << 16))
    first = data.rfind(b"\n", 0, offset - start) + 1
    line += data.count(b"\n", 0, first)
    while first == 0 and start > 0 and first < offset - start and 0x80 <= data[first] <= 0xBF:
        first += 1  # inside a character: from the next one
    end = data.find(b"\n", offset - start)
    return line, data[first:end if end >= 0 else len(data)]


_ASCII = re.compile(r"[\x00-\x7f]+")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
