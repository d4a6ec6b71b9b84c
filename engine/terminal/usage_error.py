"""click's own usage errors (an unknown option, a missing argument, a bad value) in the run's
language. click words them in English when it raises them; the exception keeps what they are
about (the option, the parameter, its type), so the Chinese sentence is built from that, and the
few values click words itself (a choice, a path, a number, a date) are read back from its
English by pattern. An error nothing here knows keeps click's English words inside the Chinese
frame rather than being lost."""

from __future__ import annotations

import re
from typing import Any

import click

_INNER: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?P<v>.+?) is not one of (?P<c>.+)\.$"), "{v} 不是可选值之一（可选：{c}）"),
    (re.compile(r"^(?P<v>.+?) is not (?:a valid )?(?:one of the choices|choice).*$"), "{v} 不是可选值之一"),
    (re.compile(r"^(?:File|Path|Directory) (?P<f>.+?) does not exist\.$"), "{f} 不存在"),
    (re.compile(r"^(?:File|Path|Directory) (?P<f>.+?) is a file\.$"), "{f} 是文件，这里需要文件夹"),
    (re.compile(r"^(?:File|Path|Directory) (?P<f>.+?) is a directory\.$"), "{f} 是文件夹，这里需要文件"),
    (re.compile(r"^(?:File|Path|Directory) (?P<f>.+?) is not readable\.$"), "{f} 无法读取"),
    (re.compile(r"^(?:File|Path|Directory) (?P<f>.+?) is not writable\.$"), "{f} 无法写入"),
    (re.compile(r"^(?P<v>.+?) is not a valid integer\.$"), "{v} 不是整数"),
    (re.compile(r"^(?P<v>.+?) is not a valid (?:float|floating point value)\.$"), "{v} 不是数字"),
    (re.compile(r"^(?P<v>.+?) is not in the range (?P<r>.+)\.$"), "{v} 不在允许的范围内（{r}）"),
    (re.compile(r"^(?P<v>.+?) does not match the formats? (?P<f>.+)\.$"), "{v} 不是所需的日期格式（{f}，如 2027-01-31）"),
]
_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Option '(?P<o>[^']+)' requires an argument\.$"), "选项 {o} 后面需要一个值"),
    (re.compile(r"^Option '(?P<o>[^']+)' requires (?P<n>\d+) arguments\.$"), "选项 {o} 后面需要 {n} 个值"),
    (re.compile(r"^Option '(?P<o>[^']+)' does not take a value\.$"), "选项 {o} 不带值"),
    (re.compile(r"^Got unexpected extra arguments? \((?P<a>.+)\)$"), "多余的参数：{a}"),
    (re.compile(r"^Missing command\.$"), "缺少子命令"),
]


def _pattern(table: list[tuple[re.Pattern[str], str]], text: str) -> str | None:
    for pattern, words in table:
        found = pattern.match(text.strip())
        if found:
            said = {key: _listed(value) for key, value in found.groupdict().items()}
            return words.format(**said)
    return None


def _listed(text: str) -> str:
    """'a', 'b' → a、b: click quotes values as Python does."""
    parts = re.findall(r"'([^']*)'", text)
    return "、".join(parts) if parts and re.fullmatch(r"\s*'[^']*'(?:\s*,\s*'[^']*')*\s*", text) else text


def _hint(exc: Any) -> str:
    param, ctx = getattr(exc, "param", None), getattr(exc, "ctx", None)
    if getattr(exc, "param_hint", None):
        hint = exc.param_hint
        return _listed(" / ".join(hint) if isinstance(hint, (list, tuple)) else str(hint))
    return _listed(param.get_error_hint(ctx)) if param is not None else ""


def message_zh(exc: click.UsageError) -> str:
    """The error's sentence in Chinese (click's English where nothing here knows it)."""
    if isinstance(exc, click.NoSuchOption):
        said = f"没有 {exc.option_name} 这个选项"
        return said + (f"；您要的是不是 {'、'.join(exc.possibilities)}？" if exc.possibilities else "。")
    if isinstance(exc, getattr(click, "NoSuchCommand", ())):
        name = getattr(exc, "command_name", "")
        possible = getattr(exc, "possibilities", None)
        return f"没有 {name} 这个命令" + (f"；您要的是不是 {'、'.join(possible)}？" if possible else "。")
    if isinstance(exc, click.MissingParameter):
        kind = {"argument": "参数", "option": "选项"}.get(exc.param_type or "", "参数")
        return f"缺少{kind} {_hint(exc)}。"
    if isinstance(exc, click.BadParameter):
        inner = _pattern(_INNER, exc.message) or exc.message
        return f"{_hint(exc)} 的值无效：{inner}。"
    return (_pattern(_MESSAGES, exc.message) or exc.message).rstrip("。.") + "。"


def shown(exc: click.UsageError, lang: str) -> str:
    """What the terminal shows for a usage error: the usage line, where help is, the error."""
    if lang != "zh":
        return ""  # click's own words
    lines = []
    if exc.ctx is not None:
        usage = exc.ctx.get_usage().replace("Usage: ", "用法：", 1)
        lines += [usage, f"运行 '{exc.ctx.command_path} --help' 查看帮助。", ""]
    lines.append(f"错误：{message_zh(exc)}")
    return "\n".join(lines)
