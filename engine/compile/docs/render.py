"""Render the handbook templates in the sandbox and write the files.

All handbook templates — the built-in ones in templates/handbook/ and a team's own from
`--templates DIR` (same file names win, the rest fall back to the built-in ones) — render in
engine/sandbox.py's SandboxedEnvironment with StrictUndefined, HTML autoescaped, a step budget
and an output limit. A template that fails (a syntax error, an undefined name, an attempt to
reach Python internals, too much work) raises TemplateFailure with its file and line; nothing
it tried runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader, TemplateNotFound, select_autoescape
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.loaders import split_template_path
from markupsafe import Markup

from ...errors import BilingualError, FindingsError, UsageError
from ...resources import resource
from ...sandbox import BudgetExceeded, environment, render_bounded
from . import markdown

ENTRY = {"md": "handbook.md.j2", "html": "handbook.html.j2"}
MAX_STEPS = 1_000_000  # line events in template code; the complete example's handbook takes under 20,000
MAX_OUTPUT_CHARS = 20_000_000


class TemplateFailure(BilingualError, FindingsError):
    """A handbook template could not be rendered: where, and why."""

    def __init__(self, file: str, line: int, en: str, zh: str) -> None:
        super().__init__(f"{file}:{line}: {en}", f"{file}:{line}: {zh}")
        self.file = file
        self.line = line


class _Packaged(BaseLoader):
    """The built-in templates, read from the installed package (templates/handbook/)."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        parts = split_template_path(template)  # refuses '..'
        node = resource("templates", "handbook", *parts)
        if not node.is_file():
            raise TemplateNotFound(template)
        return node.read_text(encoding="utf-8"), "templates/handbook/" + "/".join(parts), lambda: True


class _Recording(BaseLoader):
    """A loader that remembers the file name of every template it loads: the budget counts
    their lines, and errors are reported at them."""

    def __init__(self, loader: BaseLoader, files: set[str]) -> None:
        self.loader = loader
        self.files = files

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.loader.get_source(environment, template)
        if filename:
            self.files.add(filename)
        return source, filename, uptodate


def handbook_environment(templates_dir: Path | None = None) -> tuple[Environment, set[str]]:
    """The sandbox with the handbook's loaders, autoescaping and Markdown filters, and the set
    that collects the file names of the templates it loads."""
    loaders: list[BaseLoader] = []
    if templates_dir is not None:
        if not templates_dir.is_dir():
            raise UsageError(f"--templates: no such folder: {templates_dir}", f"--templates：找不到目录 {templates_dir}")
        loaders.append(FileSystemLoader(str(templates_dir)))
    loaders.append(_Packaged())
    files: set[str] = set()
    env = environment()
    env.loader = ChoiceLoader([_Recording(loader, files) for loader in loaders])
    env.autoescape = select_autoescape(enabled_extensions=("html", "htm", "html.j2"), default_for_string=False)
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.keep_trailing_newline = True
    env.filters["cell"] = markdown.cell
    env.filters["fence"] = markdown.fence
    return env, files


def render_handbook(context: dict[str, Any], fmt: str, templates_dir: Path | None = None) -> str:
    """The handbook in `fmt` (md or html) from the view model `context`."""
    env, files = handbook_environment(templates_dir)
    try:
        # `files` fills as templates load, includes too: the budget counts their lines.
        # Markdown has no autoescaping: the view model's text is escaped before it is printed.
        shown = _shown(context, fmt)
        text = render_bounded(env.get_template(ENTRY[fmt]), shown, MAX_OUTPUT_CHARS, files, MAX_STEPS)
    except Exception as exc:  # templates may be a team's own code: every failure is reported, never a traceback
        raise _failure(exc, files, ENTRY[fmt]) from None
    return markdown.tidy(text) if fmt == "md" else text


def _shown(context: dict[str, Any], fmt: str) -> dict[str, Any]:
    """The view model as the templates see it. Markdown has no autoescaping: the view model's
    text is escaped before it is printed. The pay chart's SVG and CSS are qunce's own drawing
    (its words and the plan's numbers, escaped by the SVG writer): the HTML page prints them as
    they are; Markdown links the file instead (`file`, `alt`)."""
    plan = context.get("commission")
    chart = plan.get("chart") if isinstance(plan, dict) else None
    if isinstance(plan, dict) and isinstance(chart, dict):
        bare = {k: v for k, v in chart.items() if k not in ("svg", "css", "document")}
        context = {**context, "commission": {**plan, "chart": bare}}
    shown: dict[str, Any] = markdown.escaped(context) if fmt == "md" else markdown.controls_shown(context)
    if isinstance(chart, dict) and fmt == "html":
        shown["commission"]["chart"].update(svg=Markup(chart["svg"]), css=Markup(chart["css"]))
    return shown


def _failure(exc: BaseException, files: set[str], entry: str) -> TemplateFailure:
    if isinstance(exc, TemplateSyntaxError):
        where = exc.filename or exc.name or entry
        return TemplateFailure(where, exc.lineno or 1, f"syntax error: {exc.message}", f"语法错误：{exc.message}")
    file, line = _where(exc.__traceback__, files, entry)
    if isinstance(exc, SecurityError):
        return TemplateFailure(file, line, f"not allowed: {exc} (handbook templates render in a sandbox)",
                               f"不允许的操作：{exc}（手册模板在沙箱中渲染）")
    if isinstance(exc, TemplateNotFound):
        return TemplateFailure(file, line, f"no template named '{exc.name}'", f"找不到模板 '{exc.name}'")
    if isinstance(exc, UndefinedError):
        return TemplateFailure(file, line, f"undefined: {exc.message}", f"未定义：{exc.message}")
    if isinstance(exc, BudgetExceeded):
        if exc.frame is not None and exc.frame.f_code.co_filename in files:
            template = exc.frame.f_globals.get("__jinja_template__")
            file = exc.frame.f_code.co_filename
            line = template.get_corresponding_lineno(exc.frame.f_lineno) if template is not None else 1
        return TemplateFailure(file, line, exc.en, exc.zh)
    if isinstance(exc, RecursionError):
        return TemplateFailure(file, line, "recurses too deeply", "递归过深")
    return TemplateFailure(file, line, f"fails when rendered: {type(exc).__name__}: {exc}",
                           f"渲染时出错：{type(exc).__name__}: {exc}")


def _where(tb: TracebackType | None, files: set[str], entry: str) -> tuple[str, int]:
    # Jinja rewrites tracebacks so each template frame shows the template's own file and line;
    # the innermost one is where it failed.
    file, line = entry, 1
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in files:
            file, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return file, line

