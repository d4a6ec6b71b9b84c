"""The `qunce` command: parse arguments, call the engine, print.

Heavy libraries (DuckDB, Ibis) are imported only inside the commands that compute;
`qunce --help` and `qunce validate` must stay fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


def default_lang() -> str:
    """zh when the user's locale is Chinese, else en."""
    for var in ("QUNCE_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


LANG_OPTION = click.option("--lang", type=click.Choice(["en", "zh"]), default=None,
                           help="Language of messages (default: from the locale). 消息语言。")


def fail(message: str) -> NoReturn:
    """Report a usage or I/O error and exit 2."""
    click.echo(f"qunce: {message}", err=True)
    sys.exit(EXIT_USAGE)


class _Main(click.Group):
    """Turns an unexpected exception (a bug) into one line and exit 2 instead of a traceback;
    QUNCE_DEBUG=1 shows the traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("QUNCE_DEBUG"):
                raise
            from .errors import first_line

            fail(f"internal error, a bug in qunce: {type(exc).__name__}: {first_line(exc)} "
                 "(run again with QUNCE_DEBUG=1 for the details, and please report it)")


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qunce", message="qunce %(version)s")
def main() -> None:
    """群策 qunce: write your community operation as YAML playbooks, check them, and try them on your data."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True, help="Output format.")
@LANG_OPTION
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder that include/extends may not leave (default: the folder given, or the file's folder).")
@click.option("--color/--no-color", default=None, help="Color the text output (default: when a terminal).")
@click.option("--no-cache", is_flag=True, help="Check everything again, ignoring cached results of unchanged files.")
def validate(paths: tuple[Path, ...], fmt: str, lang: str | None, strict: bool, root: Path | None,
             color: bool | None, no_cache: bool) -> None:
    """Check playbooks (files or folders) and report every problem with file:line:col."""
    from . import cache
    from .diagnostics import Severity
    from .diagnostics.render import render

    key, report = (None, None) if no_cache else cache.lookup_report(list(paths), root)
    if report is None:
        from .errors import QunceError
        from .validate import validate_paths

        try:
            fresh = validate_paths(list(paths), root)
        except QunceError as exc:
            fail(str(exc))
        if not no_cache:
            cache.store_report(key, fresh.read, fresh.diagnostics, fresh.texts, fresh.files_checked)
        report = cache.CachedReport(fresh.diagnostics, fresh.texts, fresh.files_checked)
    use_color = sys.stdout.isatty() if color is None else color
    output = render(fmt, report.diagnostics, report.texts, lang or default_lang(), use_color,
                    files_checked=report.files_checked)
    # color=: click strips ANSI codes when stdout is not a terminal unless told otherwise
    click.echo(output, nl=not output.endswith("\n"), color=use_color)
    levels = [d.level for d in report.diagnostics]
    failed = Severity.ERROR in levels or (strict and Severity.WARNING in levels)
    sys.exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


@main.command()
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", show_default=True)
@click.option("--names", is_flag=True, help="List the names conditions may use instead of the codes.")
@LANG_OPTION
def rules(code: str | None, fmt: str, names: bool, lang: str | None) -> None:
    """List every diagnostic code with an example (or one CODE), or the condition names."""
    from . import rules_doc

    language = lang or default_lang()
    if names:
        click.echo(rules_doc.names_text(language))
        return
    if fmt == "md":
        click.echo(rules_doc.codes_markdown(language), nl=False)
    elif fmt == "json":
        click.echo(rules_doc.codes_json(language), nl=False)
    else:
        text = rules_doc.codes_text(language, code)
        if not text:
            fail(f"no diagnostic code or name '{code}'; run 'qunce rules' for the list")
        click.echo(text, nl=False)


@main.command()
@click.argument("kind", required=False, default="playbook",
                type=click.Choice(["playbook", "fragment", "events", "roster"]))
@click.option("--fragment", is_flag=True, help="Same as KIND fragment: for include: fragments and overrides.")
@click.option("--format", "fmt", type=click.Choice(["json", "md"]), default="json", show_default=True,
              help="json: the JSON Schema; md: the playbook reference in Markdown.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE.")
def schema(kind: str, fragment: bool, fmt: str, out: Path | None) -> None:
    """Print a JSON Schema: the playbook's (for editors), a fragment's, or the events and roster files'."""
    from .errors import QunceError
    from .files import write_text_atomic

    if fmt == "md":
        from .reference import reference_markdown

        text = reference_markdown()
    else:
        from .schema import schema_text

        text = schema_text(kind="fragment" if fragment else kind)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        write_text_atomic(out, text)
    except QunceError as exc:
        fail(str(exc))
    click.echo(f"wrote {out}", err=True)


@main.command()
@click.argument("path", required=False, default="playbook.yaml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--type", "kind", type=click.Choice(["traffic", "welfare", "flash", "full"]), default="full",
              show_default=True, help="Which starter: one group type, or the complete brand operation.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path, kind: str, force: bool) -> None:
    """Write a starter playbook that validates clean, with its schema beside it."""
    from .errors import QunceError
    from .init import write_starter

    try:
        written = write_starter(kind, path, force)
    except QunceError as exc:
        fail(str(exc))
    for file in written:
        click.echo(f"wrote {file}")
    click.echo(f"next: qunce validate {path}")


def playbook_or_exit(path: Path, lang: str) -> Any:
    """The checked playbook; on errors, print them as `qunce validate` would and exit 1."""
    from .diagnostics.render import render
    from .errors import QunceError
    from .validate import checked_playbook

    try:
        playbook, report = checked_playbook(path)
    except QunceError as exc:
        fail(str(exc))
    if playbook is None:
        click.echo(render("text", report.diagnostics, report.texts, lang, sys.stderr.isatty(),
                          files_checked=report.files_checked), err=True)
        sys.exit(EXIT_FINDINGS)
    return playbook


@main.group()
def events() -> None:
    """Event data for simulations: generate realistic synthetic events for a playbook."""


@events.command("generate")
@click.argument("playbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Events file: .csv, .jsonl or .parquet; the roster is written beside it as <name>.roster.yaml.")
@click.option("--groups", type=click.IntRange(min=1), default=100, show_default=True, help="How many groups.")
@click.option("--members", type=click.IntRange(min=1), default=10_000, show_default=True, help="How many members.")
@click.option("--days", type=click.IntRange(min=1), default=30, show_default=True, help="How many days of events.")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), default="2027-01-04", show_default=True,
              help="The first day, YYYY-MM-DD.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same bytes.")
@LANG_OPTION
def events_generate(playbook: Path, out: Path, groups: int, members: int, days: int, start: Any, seed: int,
                    lang: str | None) -> None:
    """Write synthetic events for PLAYBOOK's group types, and the matching roster."""
    from .errors import QunceError
    from .events.generate import generate_files

    checked = playbook_or_exit(playbook, lang or default_lang())
    try:
        events_path, roster_path, summary = generate_files(checked, out, groups, members, days, start.date(), seed)
    except QunceError as exc:
        fail(str(exc))
    click.echo(f"wrote {events_path} ({summary.rows:,} events, {summary.start} … {summary.end}, "
               f"{summary.bytes / 1e6:.1f} MB)")
    click.echo(f"wrote {roster_path} ({summary.groups:,} groups, {summary.staff:,} staff, "
               f"{summary.assignments:,} assignments, {summary.members:,} members)")
    width = max(len(kind) for kind in summary.by_type)
    for kind, count in sorted(summary.by_type.items(), key=lambda pair: (-pair[1], pair[0])):
        click.echo(f"  {kind.ljust(width)}  {count:>12,}")


DATE = click.DateTime(formats=["%Y-%m-%d"])


def _data_options(command: Any) -> Any:
    """The options every command that reads event data takes."""
    options = [
        click.option("--events", "events_path", required=True, type=click.Path(path_type=Path),
                     help="Event file: .csv, .tsv, .jsonl or .parquet; - for JSONL on standard input."),
        click.option("--roster", required=True, type=click.Path(path_type=Path),
                     help="Roster: a YAML file, or a folder with groups.csv, staff.csv, assignments.csv."),
        click.option("--from", "start", type=DATE, default=None,
                     help="First day of the window (default: the first event's)."),
        click.option("--to", "end", type=DATE, default=None, help="Last day of the window (default: the last event's)."),
        click.option("--skip-bad-rows", is_flag=True,
                     help="Go on without rows that fail the checks (simulate writes them to OUT/rejected.csv)."),
        LANG_OPTION,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _request(playbook: Path, lang: str, events_path: Path, roster: Path, out: Path, start: Any, end: Any,
             skip_bad_rows: bool) -> Any:
    from .simulate.run import Request

    return Request(playbook_or_exit(playbook, lang), playbook, events_path, roster, out,
                   start.date() if start else None, end.date() if end else None, skip_bad_rows)


def _exit_if_stopped(outcome: Any, events_path: Path, lang: str, console: Any, rejected_file: bool = False) -> None:
    """Print the roster's findings or the bad rows; exit 1 when the run could not go on."""
    from .diagnostics.render import render
    from .simulate.report import print_problems

    roster = outcome.roster
    if roster is not None and roster.diagnostics:
        click.echo(render("text", roster.diagnostics, roster.texts, lang, sys.stderr.isatty()), err=True)
        sys.exit(EXIT_FINDINGS)
    if outcome.problems:
        print_problems(console, str(events_path), outcome.summary, outcome.problems, lang, outcome.stopped,
                       rejected_file)
    if outcome.stopped:
        sys.exit(EXIT_FINDINGS)


def _formats(text: str) -> tuple[str, ...]:
    """--formats parquet,csv → the formats, in the writer's order; exits 2 on a word it lacks."""
    from .simulate.outputs import FORMATS

    words = [word.strip().lower() for word in text.split(",") if word.strip()]
    if not words or any(word not in FORMATS for word in words):
        fail(f"--formats {text!r}: use parquet, csv or both, separated by a comma (e.g. --formats parquet)")
    return tuple(fmt for fmt in FORMATS if fmt in words)


@main.command()
@click.argument("playbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (created if needed).")
@click.option("--formats", "formats_text", default="parquet,csv", show_default=True,
              help="The tables' file formats: parquet, csv or both (rejected rows are always in both). "
                   "Parquet alone writes far less at scale.")
@_data_options
def simulate(playbook: Path, events_path: Path, roster: Path, out: Path, formats_text: str, start: Any, end: Any,
             skip_bad_rows: bool, lang: str | None) -> None:
    """Replay events through PLAYBOOK: metrics, points, levels, segments, group health, churn."""
    from .errors import QunceError
    from .simulate.report import print_summary
    from .simulate.run import simulate as run_simulation

    formats = _formats(formats_text)
    request = _request(playbook, lang or default_lang(), events_path, roster, out, start, end, skip_bad_rows)
    request.statement_lang = "en" if lang == "en" else "zh"  # statements are Chinese unless asked
    request.formats = formats
    lang = lang or default_lang()
    console = _console()
    try:
        with _stdin_events(request), _progress(console) as progress:
            outcome = run_simulation(request, progress)
    except QunceError as exc:
        fail(str(exc))
    _exit_if_stopped(outcome, events_path, lang, console, rejected_file=True)
    print_summary(console, outcome.summary, outcome.written, str(out), lang, outcome.formats)


@main.command()
@click.argument("playbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--member", "member_id", default=None, help="The member to explain.")
@click.option("--staff", "staff_id", default=None, help="The staff member whose commission to explain.")
@click.option("--period", default=None, help="With --staff: the commission period, e.g. 2027-01 (default: all).")
@_data_options
def explain(playbook: Path, events_path: Path, roster: Path, member_id: str | None, staff_id: str | None,
            period: str | None, start: Any, end: Any, skip_bad_rows: bool, lang: str | None) -> None:
    """Explain one member (--member: points, level changes and the values behind them, segment,
    warnings) or one staff member's commission (--staff [--period]: every input, rule and rounding)."""
    from .errors import QunceError
    from .simulate.run import Outcome, load

    if (member_id is None) == (staff_id is None):
        fail("give exactly one of --member ID or --staff ID")
    if period is not None and staff_id is None:
        fail("--period goes with --staff")
    lang = lang or default_lang()
    request = _request(playbook, lang, events_path, roster, Path("."), start, end, skip_bad_rows)
    outcome = Outcome()
    try:
        with _stdin_events(request):
            ctx = load(request, outcome)
            _exit_if_stopped(outcome, events_path, lang, _console())
            if ctx is None:  # stopped (reported above)
                sys.exit(EXIT_FINDINGS)
            if member_id is not None:
                from .simulate.explain import member_timeline

                lines = member_timeline(ctx, member_id, lang)
            else:
                lines = _staff_trace(ctx, str(staff_id), period, lang)
    except QunceError as exc:
        fail(str(exc))
    click.echo("\n".join(lines))


def _staff_trace(ctx: Any, staff_id: str, period: str | None, lang: str) -> list[str]:
    from .commission.stage import commission_of
    from .commission.trace import staff_trace
    from .errors import UsageError

    commission = commission_of(ctx)
    if commission is None:
        raise UsageError("the playbook has no commission: section ／剧本没有 commission（提成）部分")
    return staff_trace(commission, staff_id, period, lang)


@main.command()
@click.argument("playbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (created if needed).")
@click.option("--format", "formats", type=click.Choice(["md", "html"]), multiple=True,
              help="md: handbook.md; html: one self-contained handbook.html. Repeat for both (the default).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Language of the handbook (default: the playbook's locale). 手册语言。")
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Your own handbook templates; a file here replaces the built-in one of the same name.")
def docs(playbook: Path, out: Path, formats: tuple[str, ...], lang: str | None, templates_dir: Path | None) -> None:
    """Write the staff handbook of PLAYBOOK: handbook.md and a self-contained handbook.html.

    Exit 1 when the playbook has errors or a template fails (its file:line and why), 2 on usage or I/O errors."""
    from .compile.docs.handbook import FORMATS, playbook_lang, summary, write_handbook
    from .compile.docs.render import TemplateFailure
    from .errors import QunceError

    messages = lang or default_lang()
    checked = playbook_or_exit(playbook, messages)
    language = lang or playbook_lang(checked)
    try:
        written = write_handbook(checked, out, formats or FORMATS, language, templates_dir)
    except TemplateFailure as exc:
        click.echo(f"qunce: {exc.zh if messages == 'zh' else exc.en}", err=True)
        sys.exit(EXIT_FINDINGS)
    except QunceError as exc:
        fail(str(exc))
    click.echo(summary(checked, language))
    for file in written:
        click.echo(f"wrote {file.path} ({file.size / 1000:.0f} KB)")


@main.command()
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", show_default=True,
              help="text for the terminal, md for a pull-request comment, json for tools.")
@click.option("--fail-over", type=str, default=None, metavar="AMOUNT",
              help="Exit 1 when the total payout changes by more than AMOUNT yuan (either way), for CI.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE.")
@_data_options
def diff(old: Path, new: Path, fmt: str, fail_over: str | None, out: Path | None, events_path: Path, roster: Path,
         start: Any, end: Any, skip_bad_rows: bool, lang: str | None) -> None:
    """What changing OLD into NEW would do on the same data: every payout before and after, the
    total cost, level, segment and group-health distributions, members whose level changes."""
    from decimal import Decimal, InvalidOperation

    from .compare.report import document, render_json, render_markdown, render_text, total_change
    from .compare.scenario import run_pair
    from .errors import QunceError
    from .files import write_text_atomic
    from .simulate.run import Outcome

    limit = None
    if fail_over is not None:
        try:
            limit = Decimal(fail_over)
        except InvalidOperation:
            fail(f"--fail-over {fail_over}: give an amount in yuan, e.g. 5000")
        if not limit.is_finite() or limit < 0:
            fail(f"--fail-over {fail_over}: give an amount of 0 or more")
    lang = lang or default_lang()
    request = _request(old, lang, events_path, roster, Path("."), start, end, skip_bad_rows)
    new_playbook = playbook_or_exit(new, lang)
    try:
        with _stdin_events(request):
            pair = run_pair(request.playbook, new_playbook, request)
            if isinstance(pair, Outcome):  # the data could not be used: report why
                _exit_if_stopped(pair, events_path, lang, _console())
                sys.exit(EXIT_FINDINGS)
            doc = document(pair, str(old), str(new))
            renderers = {"json": lambda: render_json(doc), "md": lambda: render_markdown(doc, lang),
                         "text": lambda: render_text(doc, lang)}
            text = renderers[fmt]()
            if out is not None:
                write_text_atomic(out, text)
            else:
                click.echo(text, nl=False)
    except QunceError as exc:
        fail(str(exc))
    if limit is not None and abs(total_change(doc)) > limit:
        click.echo(f"qunce diff: the total payout changes by {total_change(doc)} yuan, more than --fail-over {limit}",
                   err=True)
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.argument("playbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--roster", required=True, type=click.Path(path_type=Path),
              help="Roster: a YAML file, or a folder with groups.csv, staff.csv, assignments.csv.")
@click.option("--from", "start", required=True, type=DATE, help="First day of the task list.")
@click.option("--to", "end", required=True, type=DATE, help="Last day of the task list.")
@click.option("--events", "events_path", type=click.Path(path_type=Path), default=None,
              help="Real events (.csv, .jsonl, .parquet; - for JSONL on standard input): one task per event "
                   "an on:/member_days: item answers. Without it those items are standing instructions.")
@click.option("--skip-bad-rows", is_flag=True, help="Go on without event rows that fail the checks.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "md", "ics"]), default="csv", show_default=True,
              help="csv/json: one row per task; md: a checklist per person per day; ics: a calendar.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Write to FILE (default: standard output); with --split, a folder.")
@click.option("--split", is_flag=True, help="One file per person in the --out folder: <staff id>.<format>.")
@click.option("--capacity", "capacity_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the capacity report per person per day (.csv, .json or .md).")
@click.option("--fail-on-overload", is_flag=True,
              help="Exit 1 when someone has more minutes than their role's minutes_per_day, or more groups than max_groups.")
@LANG_OPTION
def tasks(playbook: Path, roster: Path, start: Any, end: Any, events_path: Path | None, skip_bad_rows: bool, fmt: str,
          out: Path | None, split: bool, capacity_path: Path | None, fail_on_overload: bool, lang: str | None) -> None:
    """Expand PLAYBOOK's SOP into every staff member's tasks, day by day, with a capacity report."""
    from .compile import output
    from .compile.run import TaskRequest, compile_tasks
    from .errors import QunceError
    from .simulate.run import Outcome

    lang = lang or default_lang()
    if split and out is None:
        fail("--split needs --out FOLDER（--split 需要 --out 目录）")
    request = TaskRequest(playbook_or_exit(playbook, lang), playbook, roster, start.date(), end.date(), events_path,
                          skip_bad_rows, lang)
    outcome = Outcome()
    try:
        with _stdin_events(request):
            task_list = compile_tasks(request, outcome)
            if task_list is None or outcome.problems:
                _exit_if_stopped(outcome, events_path or Path("-"), lang, _console())
            if task_list is None:  # stopped (reported above)
                sys.exit(EXIT_FINDINGS)
        title = task_list.playbook.playbook
        wrote = "已写入" if lang == "zh" else "wrote"
        done: list[str] = []
        if split and out is not None:
            files = output.write_split(task_list, fmt, out, lang)
            done.append(f"{wrote} {out}" + (f"（{len(files)} 个文件）" if lang == "zh" else f" ({len(files)} files)"))
        elif out is not None:
            output.write(out, output.render(task_list, fmt, lang, title))
            done.append(f"{wrote} {out}")
        else:
            click.echo(output.render(task_list, fmt, lang, title), nl=False)
        if capacity_path is not None:
            output.write_capacity(task_list, capacity_path, lang)
            done.append(f"{wrote} {capacity_path}")
    except QunceError as exc:
        fail(exc.zh if lang == "zh" and hasattr(exc, "zh") else str(exc))
    for line in [*output.summary(task_list, lang), *done]:
        click.echo(line, err=True)
    if fail_on_overload and output.overloaded(task_list):
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.argument("folder", required=False, default="qunce-demo", type=click.Path(file_okay=False, path_type=Path))
@LANG_OPTION
def demo(folder: Path, lang: str | None) -> None:
    """The whole job on the bundled example, into FOLDER (default ./qunce-demo): playbook, a month
    of events, validation, simulation with commission statements, task lists, calendars, handbook."""
    from .demo import Step, run_demo
    from .errors import QunceError

    lang = lang or default_lang()

    def report(step: Step) -> None:
        click.echo(f"==> {step.name} ({step.seconds:.1f} s)")
        for line in step.lines:
            click.echo(f"    {line}")

    try:
        steps = run_demo(folder, lang, report)
    except QunceError as exc:
        fail(str(exc))
    total = sum(step.seconds for step in steps)
    if lang == "zh":
        click.echo(f"\n完成，用时 {total:.0f} 秒。接下来：打开 {folder}/handbook/handbook.html，看 {folder}/simulation/statements/ 里的结算单，"
                   f"或用 qunce explain {folder}/playbook.yaml --events {folder}/events.parquet --roster "
                   f"{folder}/events.roster.yaml --staff s0001 查看一笔提成的来龙去脉。")
    else:
        click.echo(f"\nDone in {total:.0f} s. Next: open {folder}/handbook/handbook.html, read a statement in "
                   f"{folder}/simulation/statements/, or trace a payout with: qunce explain {folder}/playbook.yaml "
                   f"--events {folder}/events.parquet --roster {folder}/events.roster.yaml --staff s0001")


def _stdin_events(request: Any) -> Any:
    """`--events -`: JSONL on standard input, copied to a temporary file for the run."""
    import shutil
    import tempfile
    from contextlib import contextmanager

    @contextmanager
    def swap() -> Any:
        if str(request.events) != "-":
            yield
            return
        with tempfile.TemporaryDirectory(prefix="qunce-stdin-") as folder:
            path = Path(folder) / "stdin.jsonl"
            with path.open("wb") as out:
                shutil.copyfileobj(sys.stdin.buffer, out)
            request.events = path
            yield
    return swap()


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=False, highlight=False, soft_wrap=True)


def _progress(console: Any) -> Any:
    """A progress line over the simulation's stages, shown on terminals only."""
    from contextlib import contextmanager

    @contextmanager
    def show() -> Any:
        if not console.is_terminal:
            yield lambda stage: None
            return
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        stages = ["ingest", "groups", "commission", "members", "write"]
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console,
                      transient=True) as bar:
            task = bar.add_task("simulate", total=len(stages))

            def advance(stage: str) -> None:
                bar.update(task, completed=stages.index(stage), description=f"simulate: {stage}")

            yield advance
    return show()

if __name__ == "__main__":
    main()
