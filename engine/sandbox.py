"""Render playbook text (welcome, announcement, task and message templates) safely.

Jinja2's SandboxedEnvironment blocks attribute tricks; on top of it we bound
the work a template may do (line events while rendering, range sizes, string
and list repetition, exponentiation), the text it may produce, and what it may
build on the way (engine/template_budget.py: bytes of text and lists in all, and
integers of at most MAX_INT_BITS), so a hostile template gets a diagnostic
instead of a hang or a memory blow-up.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Collection, Iterator, Sized
from dataclasses import dataclass
from itertools import islice
from types import FrameType
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.filters import make_attrgetter
from jinja2.lexer import newline_re
from jinja2.runtime import Context, new_context
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import missing

from . import template_budget as built
from .template_budget import (
    ITEM_BYTES,
    MAX_INT_BITS,
    charge,
    charge_items,
    charge_printed,
    charge_value,
    length_cost,
    printed,
    printed_size,
)
from .template_budget import BudgetExceeded as BudgetExceeded  # raised by the sandbox: its callers catch it here

MAX_OUTPUT_CHARS = 10_000
MAX_STEPS = 200_000
MAX_RANGE = 1_000
MAX_REPEAT = 10_000


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


def _join_size(separator: str, items: Any) -> int:
    if not isinstance(items, (list, tuple, str)):
        return 0
    return sum(printed(item) for item in items[: MAX_OUTPUT_CHARS + 1]) + len(separator) * max(len(items) - 1, 0)


def _translate_size(text: str | bytes, table: Any) -> int:
    longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1) if isinstance(table, dict) else 1
    return len(text) * max(longest, 1)


def _check_text_method(owner: str | bytes, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    # Widths, joins, replacements and translations build a huge string in one C call, out
    # of reach of the step budget: size them before calling.
    if name in _WIDTH_METHODS:
        _check(max(_ints(list(args)) + _ints(dict(kwargs)), default=0) * (8 if name == "expandtabs" else 1))
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], type(owner)) and isinstance(args[1], type(owner)):
        text: Any = owner  # str or bytes, and the arguments of the same type
        count = text.count(args[0]) if args[0] else len(owner) + 1
        _check(len(owner) + count * max(len(args[1]) - len(args[0]), 0))
    elif name == "join" and args:
        _check(_join_size(owner if isinstance(owner, str) else "", args[0]))
    elif name == "translate" and args:
        _check(_translate_size(owner, args[0]))


def _growth(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    # A list, dict or set method that adds to it: charge the items it adds before adding
    # them. An iterator is drawn (at most what the budget allows) so its length is known.
    if name in ("append", "insert", "add", "setdefault"):
        charge_items(1)
        return args
    if name not in ("extend", "update"):
        return args
    sized: list[Any] = []
    for arg in args:
        if not isinstance(arg, Sized) and hasattr(arg, "__iter__"):
            arg = list(islice(arg, built.remaining() // ITEM_BYTES + 1))
        charge(length_cost(arg))
        sized.append(arg)
    charge_items(len(kwargs))
    return tuple(sized)


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator, but `a ~ b` measures its parts (environment.sized_parts)
    before joining them: the join runs in C, out of reach of the step budget."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"{func_name}(environment.sized_parts((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")))")


class _Environment(SandboxedEnvironment):
    intercepted_binops = frozenset(["+", "-", "*", "**", "%"])
    code_generator_class = _CodeGenerator

    def sized_parts(self, parts: tuple[Any, ...]) -> tuple[Any, ...]:
        """The parts of a `~` concatenation, once what joining them builds is charged."""
        for part in parts:
            charge_printed(part)
        return parts

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, (str, bytes)):
            _check_text_method(owner, name, args, kwargs)
        elif isinstance(owner, (list, dict, set, bytearray)):
            args = _growth(name, args, kwargs)
        elif isinstance(owner, int) and name == "to_bytes":
            charge(max(_ints(list(args)) + _ints(dict(kwargs)), default=0))
        result = super().call(__context, __obj, *args, **kwargs)
        charge_value(result)
        return result

    def wrap_str_format(self, value: Any) -> Any:
        # str.format / format_map, sandboxed by Jinja; size their specs and arguments first.
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        template = value.__self__

        def sized(*args: Any, **kwargs: Any) -> Any:
            _check(_brace_size(template, args, kwargs if kwargs else (args[0] if args and isinstance(args[0], dict) else {})))
            charge(printed((args, kwargs)))
            return wrapped(*args, **kwargs)

        return sized

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise BudgetExceeded("raises to a power above 64", "乘方的指数超过 64")
        if built.int_result_bits(operator, left, right) > MAX_INT_BITS:
            raise BudgetExceeded(f"computes a number longer than {MAX_INT_BITS} bits (308 digits)",
                                 f"计算出的数超过 {MAX_INT_BITS} 个二进制位（308 位数字）")
        if operator == "%" and isinstance(left, str):
            _check(_percent_size(left, right))
            charge(len(left) + printed(right))
        elif operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, bytes, list, tuple)) and isinstance(count, int):
                    if len(seq) * count > MAX_REPEAT:
                        raise BudgetExceeded(f"repeats text or a list to more than {MAX_REPEAT} items",
                                             f"重复文本或列表超过 {MAX_REPEAT} 项")
                    charge(length_cost(seq) * max(count, 0))
        elif operator == "+" and isinstance(left, (str, bytes, list, tuple)) and isinstance(right, (str, bytes, list, tuple)):
            charge(length_cost(left) + length_cost(right))
        return super().call_binop(context, operator, left, right)


# Filters that print their value (or an argument) as text: what that builds is charged first.
_PRINTING = {"string", "e", "escape", "forceescape", "safe", "upper", "lower", "title", "capitalize", "trim",
             "striptags", "truncate", "wordcount", "urlize", "urlencode", "pprint", "xmlattr", "tojson",
             "center", "indent", "wordwrap", "replace", "format"}


def _arg(rest: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str) -> Any:
    return rest[index] if len(rest) > index else kwargs.get(name)


def _budgeted_filter(original: Any, name: str) -> Any:
    # The same filter, charging what it builds: the text of a printed value, the padding of
    # batch and slice, tojson's indentation, a sum of lists; then the sequence it returns.
    passes_context = hasattr(original, "jinja_pass_arg")

    def budgeted(*all_args: Any, **kwargs: Any) -> Any:
        args = all_args[1:] if passes_context else all_args
        value: Any = args[0] if args else None
        rest = args[1:]
        if name in _PRINTING and not isinstance(value, str):
            charge_printed(value)
        if name == "batch" and _arg(rest, kwargs, 1, "fill_with") is not None:
            charge_items(max(_ints([_arg(rest, kwargs, 0, "linecount")]), default=0))
        elif name == "slice":
            charge_items(max(_ints([_arg(rest, kwargs, 0, "slices")]), default=0))
        elif name == "tojson":
            indent = max(_ints([_arg(rest, kwargs, 0, "indent")]), default=0)
            charge(printed(value) * indent)
        elif name == "sum" and isinstance(_arg(rest, kwargs, 1, "start"), (str, list, tuple)) and passes_context:
            items = list(islice(iter(value), built.remaining() // ITEM_BYTES + 1))
            attribute = _arg(rest, kwargs, 0, "attribute")
            part = make_attrgetter(all_args[0], attribute) if attribute is not None else (lambda item: item)
            charge(sum(length_cost(p) for p in map(part, items)))
            all_args = (all_args[0], items, *rest)
        result = original(*all_args, **kwargs)
        charge_value(result)
        return result

    budgeted.__name__ = getattr(original, "__name__", name)
    if passes_context:
        budgeted.jinja_pass_arg = original.jinja_pass_arg  # type: ignore[attr-defined]
    return budgeted


def _sized_filter(original: Any, name: str) -> Any:
    # The same filter, refusing arguments that would build a huge text.
    passes_context = hasattr(original, "jinja_pass_arg")

    def sized(*all_args: Any, **kwargs: Any) -> Any:
        args = all_args[1:] if passes_context else all_args  # drop the context Jinja passes first
        value, rest = (args[0], args[1:]) if args else ("", ())
        if isinstance(value, str) or name == "join":
            text = value if isinstance(value, str) else ""
        else:
            _check(printed_size(value, MAX_OUTPUT_CHARS + 1))  # str() of a big list would itself be the allocation we guard against
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
            charge(printed((rest, kwargs)))
        elif name == "join":
            separator = str(rest[0]) if rest else str(kwargs.get("d", ""))
            _check(_join_size(separator, value if isinstance(value, (list, tuple, str)) else []))
        return original(*all_args, **kwargs)

    sized.__name__ = getattr(original, "__name__", name)
    if passes_context:
        sized.jinja_pass_arg = original.jinja_pass_arg  # type: ignore[attr-defined]
    return sized


def _finalize(value: Any) -> Any:
    # Every `{{ … }}` passes here before it is turned into text (in macros and blocks too):
    # what printing it builds is charged first.
    charge_printed(value)
    return value


def environment() -> SandboxedEnvironment:
    """The sandbox every playbook template renders in."""
    env = _Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False, finalize=_finalize)
    env.globals["range"] = _bounded_range
    del env.globals["lipsum"]  # generates text in C-speed loops the step budget cannot see
    for name in ("center", "indent", "format", "wordwrap", "replace", "join"):
        env.filters[name] = _sized_filter(env.filters[name], name)
    for name, original in list(env.filters.items()):
        env.filters[name] = _budgeted_filter(original, name)
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


class _Direct:
    """A template of text and `{{ name }}` / `{{ name.attr.attr }}` only (most playbook texts),
    rendered without compiling it to Python: the same lookups (the context, then the
    environment's globals; the sandbox's getattr), the same finalize and str(), the same pieces
    in the same order as the compiled template's `root` yields them. An error carries the line of
    the `{{ … }}` it came from (`_line`), as the compiled template's traceback would."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[str | nodes.Expr, ...]) -> None:
        self.parts = parts

    def generate(self, **context: Any) -> Iterator[str]:
        env = _env()
        ctx = new_context(env, None, {}, context, False, env.make_globals(None), None)
        for part in self.parts:
            if isinstance(part, str):
                yield part
                continue
            try:
                yield str(env.finalize(_looked_up(env, ctx, part)))  # type: ignore[misc]
            except Exception as exc:
                _set_line(exc, part.lineno)
                raise


def _looked_up(env: SandboxedEnvironment, ctx: Context, node: nodes.Expr) -> Any:
    if isinstance(node, nodes.Getattr):
        return env.getattr(_looked_up(env, ctx, node.node), node.attr)
    assert isinstance(node, nodes.Name)
    found = ctx.resolve_or_missing(node.name)
    return env.undefined(name=node.name) if found is missing else found


def _is_lookup(node: nodes.Node) -> bool:
    # `self` is the template itself in Jinja, not a variable: left to the compiler.
    if isinstance(node, nodes.Getattr):
        return node.ctx == "load" and _is_lookup(node.node)
    return isinstance(node, nodes.Name) and node.ctx == "load" and node.name != "self"


def _ready(source: str) -> Template | _Direct:
    # Parsed once: a _Direct when the template is only text and lookups, else compiled from
    # the same tree. A template that does not parse is compiled from its text, which raises
    # the syntax error as it always did.
    if "{" not in source:
        return _plain_text(source)
    env = _env()
    try:
        tree = env.parse(source)
    except TemplateSyntaxError:
        return env.from_string(source)
    return _direct(tree) or env.from_string(tree)


def _plain_text(source: str) -> _Direct:
    # No `{`: no tag can open, the whole text is data. What Jinja's lexer makes of it: line
    # ends as "\n", the last one dropped (keep_trailing_newline is off).
    lines = newline_re.split(source)[::2]
    if lines[-1] == "":
        del lines[-1]
    text = "\n".join(lines)
    return _Direct((text,) if text else ())


def _direct(tree: nodes.Template) -> _Direct | None:
    """The template as a _Direct when it is only text and lookups; None when it needs compiling."""
    if not tree.body:
        return _Direct(())
    if len(tree.body) != 1 or not isinstance(tree.body[0], nodes.Output):
        return None
    parts: list[str | nodes.Expr] = []
    for child in tree.body[0].nodes:
        if isinstance(child, nodes.TemplateData):
            # Neighbouring text is one piece, as the compiler joins constant output.
            if parts and isinstance(parts[-1], str):
                parts[-1] += child.data
            else:
                parts.append(child.data)
        elif _is_lookup(child):
            parts.append(child)
        else:
            return None
    # The compiled template's line events count against the step budget; so many lookups
    # that they could reach it stay compiled.
    return _Direct(tuple(parts)) if len(parts) <= MAX_DIRECT_PARTS else None


_TEMPLATES: dict[str, Template | _Direct] = {}
MAX_CACHED_TEMPLATES = 2_000
MAX_DIRECT_PARTS = 1_000


def compiled(source: str) -> Template | _Direct:
    """`source` ready to render, built once per process (compiling costs far more than
    rendering: validation renders every template of every playbook)."""
    found = _TEMPLATES.get(source)
    if found is None:
        found = _ready(source)
        if len(_TEMPLATES) >= MAX_CACHED_TEMPLATES:
            _TEMPLATES.clear()
        _TEMPLATES[source] = found
    return found


def render(source: str, context: dict[str, Any]) -> str:
    """Render `source` with `context`; raises TemplateSyntaxError, UndefinedError, SecurityError or BudgetExceeded."""
    return render_bounded(compiled(source), context)


def render_bounded(template: Template | _Direct, context: dict[str, Any], max_chars: int = MAX_OUTPUT_CHARS,
                   files: Collection[str] = ("<template>",), max_steps: int = MAX_STEPS) -> str:
    """Render a compiled template within the step budget (counted in the code of `files`, the
    templates' file names), `max_chars` of output and the budget of what it builds."""
    budget = _StepBudget(files, max_steps)
    opened = built.start(max_chars)
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
        built.stop(opened)


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


def _set_line(exc: BaseException, line: int) -> None:
    # An exception class with __slots__ cannot carry it: line 1, as for any frame-less error.
    with contextlib.suppress(AttributeError):
        exc.qunce_template_line = line  # type: ignore[attr-defined]


def _line(exc: BaseException) -> int:
    # Jinja rewrites tracebacks so the template's own line shows in them; a _Direct template
    # has no frame of its own and names the line on the exception.
    direct = getattr(exc, "qunce_template_line", None)
    if isinstance(direct, int):
        return direct
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
