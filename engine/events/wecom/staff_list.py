"""`--staff FILE`: who is staff when the group details do not say (a sender in the chat archive
whose group's details were not exported). One userid a line, optionally followed by a comma or a
tab and the name; blank lines, lines starting with # and a header line (userid or id) are left out."""

from __future__ import annotations

from pathlib import Path

from ...errors import InputError

HEADERS = {"userid", "id", "user_id", "staff_id"}


def read_staff(path: Path) -> dict[str, str | None]:
    """userid → name (None when the line gives none), in the file's order."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read --staff {path}: {exc.strerror or exc}",
                         f"无法读取 --staff {path}：{exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"--staff {path} is not UTF-8 text: save it as UTF-8, one userid a line",
                         f"--staff {path} 不是 UTF-8 文本：请另存为 UTF-8，每行一个 userid") from None
    staff: dict[str, str | None] = {}
    first = True
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        userid, _, name = line.replace("\t", ",").partition(",")
        userid, name = userid.strip(), name.strip()
        header, first = first and userid.lower() in HEADERS, False
        if userid and not header:
            staff[userid] = name or staff.get(userid)
    return staff
