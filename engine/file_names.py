"""File names made from ids: one file per person (statements/<staff id>.md, `tasks --split`),
never one file for two people.

A name is the id itself when that is safe on every common filesystem: letters A–Z a–z, digits,
`_ . -` and Chinese characters (CJK Unified Ideographs: stored as they are by NTFS, APFS, ext4
and zip's UTF-8 names, without case or Unicode normalisation forms that could make two ids one
name), not starting with a dot, not a name Windows reserves (CON, NUL, COM1, … even with an
extension), at most MAX_LENGTH characters. Any other id is written as its safe part (each other
character as `_`), `~` and the first HASH_DIGITS hex digits of the SHA-256 of its UTF-8 bytes:
`a/b` → `a_b~c14cddc0`, while `a_b` stays `a_b`. A safe id never holds `~`, so the two kinds
never meet, and the hash tells ids with the same safe part apart.

Letter case: macOS and Windows treat `a.md` and `A.md` as one file. `names` takes every id of
a run and gives ids that differ only in case (`s1`, `S1`) the hashed form too, so each still
has a file of its own (every other id keeps its own name). The map is one-to-one, so a name
leads back to its id (the file's content names the id too)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

MAX_LENGTH = 64  # characters: 192 bytes of UTF-8 at most, well under the usual 255
KEPT = 40  # characters of an unsafe id's safe part kept in its name
HASH_DIGITS = 8
SAFE_CHARACTER = "A-Za-z0-9_.\\-\u3400-\u4dbf\u4e00-\u9fff"
_SAFE = re.compile(f"[{SAFE_CHARACTER}]+")
_UNSAFE_CHARACTER = re.compile(f"[^{SAFE_CHARACTER}]")
# Windows refuses these as file names, with any extension (NUL.md, nul.tar.gz).
RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"{kind}{n}" for kind in ("COM", "LPT") for n in range(10))})


def is_safe(identifier: str) -> bool:
    """Whether `identifier` can be a file name as it is."""
    return (len(identifier) <= MAX_LENGTH and _SAFE.fullmatch(identifier) is not None
            and not identifier.startswith(".") and not _reserved(identifier))


def name(identifier: str) -> str:
    """The file name (without extension) of one id: the id itself when safe, else hashed."""
    return identifier if is_safe(identifier) else hashed(identifier)


def hashed(identifier: str, digits: int = HASH_DIGITS) -> str:
    """The id's safe part, `~` and the first `digits` hex digits of its SHA-256."""
    part = _UNSAFE_CHARACTER.sub("_", identifier[:KEPT]).lstrip(".") or "_"
    if _reserved(part):
        part = "_" + part
    digest = hashlib.sha256(identifier.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{part}~{digest[:digits]}"


def names(identifiers: Iterable[str]) -> dict[str, str]:
    """Each distinct id's file name (without extension), no two alike even ignoring letter case."""
    found = {identifier: name(identifier) for identifier in sorted(set(identifiers))}
    for digits in (HASH_DIGITS, 16, 64):
        clashing = _clashing(found)
        if not clashing:
            return found
        # Ids whose names differ only in case (or, rarer than rare, share a hash prefix): hashed,
        # longer each round; the hash of the exact id tells them apart.
        found.update({identifier: hashed(identifier, digits) for identifier in clashing})
    clashing = _clashing(found)
    assert not clashing, f"ids with the same file name: {sorted(clashing)}"
    return found


def _clashing(found: dict[str, str]) -> set[str]:
    by_key: dict[str, list[str]] = {}
    for identifier, stem in found.items():
        by_key.setdefault(stem.lower(), []).append(identifier)
    return {identifier for same in by_key.values() if len(same) > 1 for identifier in same}


def _reserved(stem: str) -> bool:
    return stem.split(".", 1)[0].upper() in RESERVED
