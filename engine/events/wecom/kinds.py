"""Which WeCom export each SOURCE is, told from its content (file names say nothing reliable):
a chat archive (msgid …), group details (group_chat, or chat_id with member_list) or group change
callbacks (ChatId and ChangeType, as JSON or as WeCom's XML). A folder stands for every file in
it and below it, in name order; hidden files and folders are left out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import InputError, UsageError

ARCHIVE, DETAILS, CHANGES = "archive", "details", "changes"
FIRST_LINE_LIMIT = 16 * 1024 * 1024  # a first line longer than this is no export qunce knows
WHOLE_FILE_LIMIT = 64 * 1024 * 1024  # a pretty-printed answer is read whole to tell its kind


@dataclass(frozen=True, slots=True)
class Source:
    path: Path
    shown: str  # the file as reports name it
    kind: str


def sources(paths: Sequence[Path]) -> list[Source]:
    """Every file the SOURCE arguments stand for, with its kind; each file once."""
    found: list[Source] = []
    seen: set[Path] = set()
    for path in paths:
        for file in _files(path):
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                found.append(Source(file, str(file), kind_of(file, str(file))))
    return found


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(f"no such file or folder: {path}", f"找不到文件或目录：{path}")
    files = sorted(p for p in path.rglob("*")
                   if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts))
    if not files:
        raise UsageError(f"{path}: the folder has no files; give the folder the WeCom exports are in",
                         f"{path}：目录中没有文件；请给出存放企业微信导出文件的目录")
    return files


def kind_of(path: Path, shown: str) -> str:
    """archive, details or changes, from the file's first record."""
    head = _first_line(path, shown)
    if head is None:
        raise UsageError(f"{shown}: the file is empty; leave it out of SOURCE", f"{shown}：文件为空；请不要将其列入 SOURCE")
    if head.startswith("<"):
        text = _start(path)
        if "change_external_chat" in text or "<ChatId>" in text:
            return CHANGES
        raise _unknown(shown)
    record = _record(head, path)
    if record is None:
        raise _unknown(shown)
    if "encrypt_chat_msg" in record:
        raise UsageError(f"{shown}: the chat archive is still encrypted (encrypt_chat_msg); decrypt each message with "
                         "the WeCom SDK's DecryptData and save the JSON it returns, one message a line",
                         f"{shown}：会话存档仍是加密的（encrypt_chat_msg）；请用企业微信 SDK 的 DecryptData 解密每条消息，"
                         "并按每行一条保存其返回的 JSON")
    keys = {key.replace("_", "").lower() for key in record}
    if "msgid" in keys or "msgtime" in keys:
        return ARCHIVE
    if "groupchat" in keys or ("chatid" in keys and "memberlist" in keys) or "errcode" in keys:
        return DETAILS
    if "chatid" in keys and ("changetype" in keys or "event" in keys):
        return CHANGES
    raise _unknown(shown)


def unwrapped(record: dict[str, Any]) -> dict[str, Any]:
    """A callback saved as xmltodict gives it, {"xml": {…}}, without the wrapper."""
    inner = record.get("xml")
    return inner if len(record) == 1 and isinstance(inner, dict) else record


def _first_line(path: Path, shown: str) -> str | None:
    try:
        with path.open("rb") as handle:
            while line := handle.readline(FIRST_LINE_LIMIT):
                text = line.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
                if text:
                    return text
    except OSError as exc:
        raise InputError(f"cannot read {shown}: {exc.strerror or exc}", f"无法读取 {shown}：{exc.strerror or exc}") from None
    return None


def _start(path: Path) -> str:
    with path.open("rb") as handle:
        return handle.read(64 * 1024).decode("utf-8", errors="replace")


def _record(head: str, path: Path) -> dict[str, Any] | None:
    """The first record of a JSON export: its first line, or the whole file when one answer is
    pretty-printed over many lines."""
    try:
        value = json.loads(head)
    except (ValueError, RecursionError):
        value = None
        if head.startswith("{") and path.stat().st_size <= WHOLE_FILE_LIMIT:
            try:
                value = json.loads(path.read_text(encoding="utf-8-sig"))
            except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
                return None
    return unwrapped(value) if isinstance(value, dict) else None


def _unknown(shown: str) -> UsageError:
    return UsageError(
        f"{shown}: not a WeCom export qunce knows: its first record has no msgid (chat archive), no group_chat or "
        "chat_id with member_list (group details), no ChatId with ChangeType (group change callbacks); leave it out "
        "of SOURCE, or export it again in one of these forms",
        f"{shown}：不是 qunce 能识别的企业微信导出：第一条记录既没有 msgid（会话存档），也没有 group_chat 或带 member_list "
        "的 chat_id（客户群详情），也没有 ChatId 与 ChangeType（客户群变更回调）；请不要将其列入 SOURCE，或按以上格式重新导出")
