"""Render playbook text (welcome, announcement, task and message templates) safely.

Jinja2's SandboxedEnvironment blocks attribute tricks; on top of it we bound
the work a template may do (line events while rendering, range sizes, string
and list repetition, exponentiation) and the text it may produce, so a hostile
template gets a diagnostic instead of a hang or a memory blow-up.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection
from dataclasses import dataclass
from types import FrameType
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from .errors import BilingualError

MAX_OUTPUT_CHARS = 10_000
MAX_STEPS = 200_000
MAX_RANGE = 1_000
MAX_REPEAT = 10_000


class BudgetExceeded(BilingualError):
    """A template did more work, or produced more text, than a group message ever needs."""

    # For too many steps: the frame of the template that took most of them (a loop in an
    # included template runs while the includer's frame is the one on the stack).
    frame: FrameType | None = None


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    """Why a template failed: the diagnostic code, its words, and the template line (1-based)."""

    code: str
    lineno: int
    en: str
    zh: str
    name: str = ""  # for undefined names: the name as it appears in the template


def _bounded_range(*args: int) -> range:
    span = range(*args)
    if len(span) > MAX_RANGE:
        raise BudgetExceeded(f"asks for a range of {len(span)} numbers (limit {MAX_RANGE})",
                             f"请求了 {len(span)} 个数的 range（上限 {MAX_RANGE}）")
    return span


_WIDTH_METHODS = {"ljust", "rjust", "center", "zfill", "expandtabs"}
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?[diouxXeEfFgGcrsa%]")
_BRACE_SPEC = re.compile(r"\{[^{}]*:([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")
_DIGITS = re.compile(r"\d+")


def _too_big(size: int) -> BudgetExceeded | None:
    if size > MAX_OUTPUT_CHARS:
        return BudgetExceeded(f"builds a text of {size} characters (limit {MAX_OUTPUT_CHARS})",
                              f"生成了 {size} 个字符的文本（上限 {MAX_OUTPUT_CHARS}）")
    return None


def _check(size: int) -> None:
    problem = _too_big(size)
    if problem:
        raise problem


def _ints(values: Any) -> list[int]:
    items = values if isinstance(values, (list, tuple)) else list(values.values()) if isinstance(values, dict) else [values]
    return [abs(v) for v in items if isinstance(v, int) and not isinstance(v, bool)]


def _percent_size(template: str, values: Any) -> int:
    # Widths and precisions, written out or taken from the values (`*`).
    size = len(template)
    starred = False
    for width, precision in _PERCENT_SPEC.findall(template):
        for part in (width, precision):
            if part == "*":
                starred = True
            elif part:
                size += int(part)
    return size + (max(_ints(values), default=0) if starred else 0)


def _brace_size(template: str, args: Any, kwargs: Any) -> int:
    # str.format: numbers in the format specs, and nested {} widths from the arguments.
    size = len(template)
    nested = False
    for spec in _BRACE_SPEC.findall(template):
        size += sum(int(n) for n in _DIGITS.findall(spec))
        nested = nested or "{" in spec
    return size + (max(_ints(list(args)) + _ints(dict(kwargs)), default=0) if nested else 0)


def _repr_size(value: Any) -> int:
    # A lower bound of len(str(value)) that costs nothing to compute.
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, tuple, set, dict)):
        return sum(_repr_size(item) for item in list(value)[: MAX_OUTPUT_CHARS + 1]) + len(value)
    return 0


def _join_size(separator: str, items: Any) -> int:
    if not isinstance(items, (list, tuple, str)):
        return 0
    texts = [str(item) for item in items[: MAX_OUTPUT_CHARS + 1]]
    return sum(map(len, texts)) + len(separator) * max(len(items) - 1, 0)


class _Environment(SandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**", "%"])

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # Widths, joins and replacements build a huge string in one C call, out
        # of reach of the step budget: size them before calling.
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if name in _WIDTH_METHODS:
                _check(max(_ints(list(args)) + _ints(dict(kwargs)), default=0) * (8 if name == "expandtabs" else 1))
            elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
                count = owner.count(args[0]) if args[0] else len(owner) + 1
                _check(len(owner) + count * max(len(args[1]) - len(args[0]), 0))
            elif name == "join" and args:
                _check(_join_size(owner, args[0]))
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Any:
        # str.format / format_map, sandboxed by Jinja; size their specs first.
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        template = value.__self__

        def sized(*args: Any, **kwargs: Any) -> Any:
            _check(_brace_size(template, args, kwargs if kwargs else (args[0] if args and isinstance(args[0], dict) else {})))
            return wrapped(*args, **kwargs)

        return sized

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%":
            if isinstance(left, str):
                _check(_percent_size(left, right))
            return left % right
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > 64:
                raise BudgetExceeded("raises to a power above 64", "乘方的指数超过 64")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() * abs(right) > 4096:
                raise BudgetExceeded("computes a number too large for a message", "计算结果过大")
            return left**right
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(count, int) and len(seq) * count > MAX_REPEAT:
                raise BudgetExceeded(f"repeats text or a list to more than {MAX_REPEAT} items",
                                     f"重复文本或列表超过 {MAX_REPEAT} 项")
        return left * right


def _sized_filter(original: Any, name: str) -> Any:
    # The same filter, refusing arguments that would build a huge text.
    passes_context = hasattr(original, "jinja_pass_arg")

    def sized(*all_args: Any, **kwargs: Any) -> Any:
        args = all_args[1:] if passes_context else all_args  # drop the context Jinja passes first
        value, rest = (args[0], args[1:]) if args else ("", ())
        if isinstance(value, str) or name == "join":
            text = value if isinstance(value, str) else ""
        else:
            _check(_repr_size(value))  # str() of a big list would itself be the allocation we guard against
            text = str(value)
        widths = _ints(list(rest)) + _ints({k: v for k, v in kwargs.items() if k in ("width",)})
        if name in ("center", "wordwrap"):
            _check(max([len(text), *widths]))
        elif name == "indent":
            lines = text.count("\n") + (1 if kwargs.get("first") or (len(rest) > 1 and rest[1] is True) else 0)
            _check(len(text) + lines * max(widths, default=0))
        elif name == "replace" and len(rest) >= 2:
            old, new = str(rest[0]), str(rest[1])
            count = text.count(old) if old else len(text) + 1
            _check(len(text) + count * max(len(new) - len(old), 0))
        elif name == "format":
            _check(_percent_size(text, list(rest) or dict(kwargs)))
        elif name == "join":
            separator = str(rest[0]) if rest else str(kwargs.get("d", ""))
            _check(_join_size(separator, value if isinstance(value, (list, tuple, str)) else []))
        return original(*all_args, **kwargs)

    sized.__name__ = getattr(original, "__name__", name)
    if passes_context:
        sized.jinja_pass_arg = original.jinja_pass_arg  # type: ignore[attr-defined]
    return sized


def environment() -> SandboxedEnvironment:
    """The sandbox every playbook template renders in."""
    env = _Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.globals["range"] = _bounded_range
    del env.globals["lipsum"]  # generates text in C-speed loops the step budget cannot see
    for name in ("center", "indent", "format", "wordwrap", "replace", "join"):
        env.filters[name] = _sized_filter(env.filters[name], name)
    return env


_ENV: SandboxedEnvironment | None = None


def _env() -> SandboxedEnvironment:
    global _ENV
    if _ENV is None:
        _ENV = environment()
    return _ENV


class _StepBudget:
    # Counts line events in template code only (compiled templates carry their file name:
    # "<template>" for strings, a loader's name for files), so a loop of loops stops after `limit`.
    def __init__(self, files: Collection[str] = ("<template>",), limit: int = MAX_STEPS) -> None:
        self.files = files
        self.limit = limit
        self.steps = 0
        self.counts: dict[str, int] = {}
        self.frames: dict[str, FrameType] = {}

    def __call__(self, frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename not in self.files:
            return None
        return self.local

    def local(self, frame: FrameType, event: str, arg: Any) -> Any:
        self.steps += 1
        name = frame.f_code.co_filename
        self.counts[name] = self.counts.get(name, 0) + 1
        self.frames[name] = frame
        if self.steps > self.limit:
            problem = BudgetExceeded("takes too long to render (too many loop steps)", "渲染耗时过长（循环次数过多）")
            problem.frame = self.frames[max(self.counts, key=self.counts.__getitem__)]
            raise problem
        return self.local


def render(source: str, context: dict[str, Any]) -> str:
    """Render `source` with `context`; raises TemplateSyntaxError, UndefinedError, SecurityError or BudgetExceeded."""
    return render_bounded(_env().from_string(source), context)


def render_bounded(template: Template, context: dict[str, Any], max_chars: int = MAX_OUTPUT_CHARS,
                   files: Collection[str] = ("<template>",), max_steps: int = MAX_STEPS) -> str:
    """Render a compiled template within the step budget (counted in the code of `files`, the
    templates' file names) and `max_chars` of output."""
    budget = _StepBudget(files, max_steps)
    previous = sys.gettrace()
    sys.settrace(budget)
    try:
        out: list[str] = []
        size = 0
        for piece in template.generate(**context):
            size += len(piece)
            if size > max_chars:
                raise BudgetExceeded(f"renders more than {max_chars} characters", f"输出超过 {max_chars} 个字符")
            out.append(piece)
        return "".join(out)
    finally:
        sys.settrace(previous)


def try_render(source: str, context: dict[str, Any]) -> tuple[str | None, TemplateProblem | None]:
    """Render, turning every failure into a TemplateProblem instead of an exception."""
    try:
        return render(source, context), None
    except TemplateSyntaxError as exc:
        return None, TemplateProblem("Q301", exc.lineno or 1, exc.message or str(exc), _zh_syntax(exc.message or ""))
    except SecurityError as exc:
        return None, TemplateProblem("Q303", _line(exc), str(exc), _zh_unsafe(str(exc)))
    except UndefinedError as exc:
        en, zh = _undefined_words(str(exc.message or exc))
        name = en.split("'")[1] if en.count("'") >= 2 else ""
        return None, TemplateProblem("Q302", _line(exc), en, zh, ("." if en.startswith("attribute") else "") + name)
    except BudgetExceeded as exc:
        return None, TemplateProblem("Q304", _line(exc), exc.en, exc.zh)
    except RecursionError:
        return None, TemplateProblem("Q304", 1, "recurses too deeply", "递归过深")
    except Exception as exc:  # a template is user code: any failure is a finding, never a crash
        detail = f"fails when rendered: {type(exc).__name__}: {exc}"
        return None, TemplateProblem("Q305", _line(exc), detail, f"渲染时出错：{type(exc).__name__}: {exc}")


def _line(exc: BaseException) -> int:
    # Jinja rewrites tracebacks so the template's own line shows in them.
    tb = exc.__traceback__
    line = 1
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _undefined_words(message: str) -> tuple[str, str]:
    # Jinja says "'x' is undefined" or "'dict object' has no attribute 'y'".
    if "has no attribute" in message:
        attribute = message.rsplit("attribute", 1)[-1].strip()
        return f"attribute {attribute}", f"属性 {attribute}"
    name = message.replace(" is undefined", "")
    return f"name {name}", f"变量 {name}"


def _zh_unsafe(message: str) -> str:
    # "access to attribute '__class__' of 'str' object is unsafe."
    if message.startswith("access to attribute"):
        parts = message.split("'")
        if len(parts) >= 4:
            return f"禁止访问 {parts[3]} 对象的属性 '{parts[1]}'"
    return message


def _zh_syntax(message: str) -> str:
    if "unexpected end of template" in message.lower():
        return "模板意外结束（有未闭合的 {% %} 语句块）"
    if "expected token" in message:
        return f"缺少符号：{message}"
    if "unexpected" in message:
        return f"出现了意外的内容：{message}"
    return message
