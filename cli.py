"""The `qunce` command: parse the arguments, call the command's module (engine/commands/), print
its outcome. Installed as `qunce.cli` (engine/cli.py links to this file), so imports are relative.

Errors reach the user in one place: `_Main.invoke` hands any exception to errors.report, which
gives the exit status and the one line to print, in the run's language. Heavy libraries (DuckDB,
Ibis, pyarrow) are imported only inside the commands that compute: `qunce --help` and
`qunce validate` stay fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from .commands.language import LANGS, forget, resolve, settled

LANG_META = "qunce.lang"  # the run's language, kept in click's context for the error map


def _lang(lang: str | None) -> str:
    """The language until the playbook is read (--lang, QUNCE_LANG, the locale), remembered for
    error messages; a command that reads a playbook settles the run's language (`_spoken`)."""
    forget()
    language = resolve(lang)
    click.get_current_context().meta[LANG_META] = language
    return language


def _spoken(outcome: Any) -> str:
    """The language the command settled on (its playbook's locale unless --lang or QUNCE_LANG
    said otherwise): what the rest of the run prints in."""
    click.get_current_context().meta[LANG_META] = outcome.lang
    return str(outcome.lang)


LANG_OPTION = click.option("--lang", type=click.Choice(LANGS), default=None,
                           help="The run's language (default: QUNCE_LANG, else the playbook's locale, else the terminal's). 运行语言。")


class _Main(click.Group):
    """Every command's errors go through errors.report: its exit status, one line, no traceback
    (QUNCE_DEBUG=1 shows the traceback of a bug). Ctrl-C exits 130, SIGTERM 143."""

    def invoke(self, ctx: click.Context) -> Any:
        received, restore = _on_signals()
        forget()  # a new command: nothing settled (tests and the Python API run many in one process)
        words = [*getattr(ctx, "_protected_args", []), *ctx.args]  # before click parses them
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # click's own (an unknown option…): in the run's language
            from .terminal.usage_error import shown

            text = shown(exc, settled() or resolve(_asked_lang(words)))
            if not text:
                raise
            click.echo(text, err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except click.Abort:  # click turns a KeyboardInterrupt in a prompt into Abort
            self._fail(ctx, KeyboardInterrupt(), received)
        except BaseException as exc:  # KeyboardInterrupt too: it gets its own status
            if os.environ.get("QUNCE_DEBUG") and not received and not isinstance(exc, KeyboardInterrupt):
                from .errors import QunceError

                if not isinstance(exc, QunceError):
                    raise
            self._fail(ctx, exc, received)
        finally:
            restore()

    @staticmethod
    def _fail(ctx: click.Context, exc: BaseException, received: list[int]) -> None:
        from .errors import report

        shown = report(exc, settled() or ctx.meta.get(LANG_META) or resolve(None), received[0] if received else None)
        click.echo(shown.message, err=True)
        sys.exit(shown.status)


def _asked_lang(words: list[str]) -> str | None:
    """--lang X (or --lang=X) among the words of a command line click could not parse."""
    for i, word in enumerate(words):
        if word == "--lang" and i + 1 < len(words):
            return words[i + 1]
        if word.startswith("--lang="):
            return word.split("=", 1)[1]
    return None


def _on_signals() -> tuple[list[int], Any]:
    """SIGINT and SIGTERM stop the run as Ctrl-C does (KeyboardInterrupt: the outputs' staging is
    removed on the way out); the list records which arrived, so that the exit status says it even
    when the run ends in another error (DuckDB's "Query interrupted")."""
    import signal
    import threading

    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        return received, lambda: None

    def stop(number: int, frame: Any) -> None:
        received.append(number)
        raise KeyboardInterrupt

    before = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:  # for callers that go on after the command (tests, the Python API)
        for number, handler in before.items():
            signal.signal(number, handler)
    return received, restore


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qunce", message="qunce %(version)s")
def main() -> None:
    """群策 qunce: write your community operation as YAML playbooks, check them, and try them on your data."""


# --- playbooks ------------------------------------------------------------------------------


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
    from .commands import validate as command
    from .diagnostics.render import render

    language = _lang(lang)
    outcome = command.run(list(paths), root, strict, use_cache=not no_cache)
    report = outcome.report
    use_color = sys.stdout.isatty() if color is None else color
    output = render(fmt, report.diagnostics, report.texts, language, use_color, files_checked=report.files_checked)
    # color=: click strips ANSI codes when stdout is not a terminal unless told otherwise
    click.echo(output, nl=not output.endswith("\n"), color=use_color)
    sys.exit(outcome.status)


@main.command()
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", show_default=True)
@click.option("--names", is_flag=True, help="List the names conditions may use instead of the codes.")
@LANG_OPTION
def rules(code: str | None, fmt: str, names: bool, lang: str | None) -> None:
    """List every diagnostic code with an example (or one CODE), or the condition names."""
    from .commands import rules as command

    click.echo(command.run(code, fmt, names, _lang(lang)).text, nl=False)


@main.command()
@click.argument("kind", required=False, default="playbook",
                type=click.Choice(["playbook", "fragment", "events", "roster", "mapping"]))
@click.option("--fragment", is_flag=True, help="Same as KIND fragment: for include: fragments and overrides.")
@click.option("--format", "fmt", type=click.Choice(["json", "md"]), default="json", show_default=True,
              help="json: the JSON Schema; md: the playbook reference in Markdown.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE.")
@LANG_OPTION
def schema(kind: str, fragment: bool, fmt: str, out: Path | None, lang: str | None) -> None:
    """Print a JSON Schema: the playbook's (for editors), a fragment's, or the events and roster files'."""
    from .commands import schema as command

    language = _lang(lang)
    outcome = command.run("fragment" if fragment else kind, fmt, out)
    if outcome.written is None:
        click.echo(outcome.text, nl=False)
    else:
        click.echo(f"{_wrote(language)} {outcome.written}", err=True)


@main.command()
@click.argument("path", required=False, default="playbook.yaml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--type", "kind", type=click.Choice(["traffic", "welfare", "flash", "full"]), default="full",
              show_default=True, help="Which starter: one group type, or the complete brand operation.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@LANG_OPTION
def init(path: Path, kind: str, force: bool, lang: str | None) -> None:
    """Write a starter playbook that validates clean, with its schema beside it."""
    from .commands import init as command

    language = _lang(lang)
    outcome = command.run(kind, path, force)
    for file in outcome.written:
        click.echo(f"{_wrote(language)} {file}")
    click.echo(f"{'下一步' if language == 'zh' else 'next'}: qunce validate {path}")


@main.command()
@click.argument("playbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (created if needed).")
@click.option("--format", "formats", type=click.Choice(["md", "html"]), multiple=True,
              help="md: handbook.md; html: one self-contained handbook.html. Repeat for both (the default).")
@click.option("--lang", type=click.Choice(LANGS), default=None,
              help="Language of the handbook and the messages (default: the playbook's locale). 手册语言。")
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Your own handbook templates; a file here replaces the built-in one of the same name.")
def docs(playbook: Path, out: Path, formats: tuple[str, ...], lang: str | None, templates_dir: Path | None) -> None:
    """Write the staff handbook of PLAYBOOK: handbook.md and a self-contained handbook.html.

    Exit 1 when the playbook has errors or a template fails (its file:line and why), 2 on usage or I/O errors."""
    from .commands import docs as command

    language = _lang(lang)
    outcome = command.run(command.DocsRequest(playbook, out, formats, lang, templates_dir))
    language = _spoken(outcome)
    if _findings(outcome.checked, language):
        sys.exit(outcome.status)
    click.echo(outcome.summary)
    for path, size in outcome.written:
        click.echo(f"{_wrote(language)} {path}（{size / 1000:.0f} KB）" if language == "zh" else
                   f"{_wrote(language)} {path} ({size / 1000:.0f} KB)")


# --- data -----------------------------------------------------------------------------------


@main.group()
def events() -> None:
    """Event data for simulations: see what qunce reads from a file, import WeCom's records,
    generate realistic synthetic events for a playbook."""


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
    from .commands import events as command

    language = _lang(lang)
    outcome = command.generate(command.GenerateRequest(playbook, out, groups, members, days, start.date(), seed, lang))
    language = _spoken(outcome)
    if _findings(outcome.checked, language) or outcome.summary is None:
        sys.exit(outcome.status)
    summary, zh = outcome.summary, language == "zh"
    span = f"{summary.start} 至 {summary.end}" if zh else f"{summary.start} … {summary.end}"
    click.echo(f"{_wrote(language)} {outcome.events}" + ("（" if zh else " (")
               + (f"{summary.rows:,} 条事件，{span}，{summary.bytes / 1e6:.1f} MB）" if zh else
                  f"{summary.rows:,} events, {span}, {summary.bytes / 1e6:.1f} MB)"))
    click.echo(f"{_wrote(language)} {outcome.roster}" + ("（" if zh else " (")
               + (f"{summary.groups:,} 个群，{summary.staff:,} 名员工，{summary.assignments:,} 条分配，"
                  f"{summary.members:,} 名成员）" if zh else
                  f"{summary.groups:,} groups, {summary.staff:,} staff, {summary.assignments:,} assignments, "
                  f"{summary.members:,} members)"))
    width = max(len(kind) for kind in summary.by_type)
    for kind, count in sorted(summary.by_type.items(), key=lambda pair: (-pair[1], pair[0])):
        click.echo(f"  {kind.ljust(width)}  {count:>12,}")


@events.command("inspect")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--roster", type=click.Path(path_type=Path), default=None,
              help="Check the groups and their dates against this roster too.")
@click.option("--rows", type=click.IntRange(min=0, max=1000), default=10, show_default=True,
              help="How many of the first rows to show as they would be read.")
@click.option("--timezone", default="Asia/Shanghai", show_default=True,
              help="The playbook's time zone: times without an offset are local to it.")
@click.option("--encoding", default=None, help="The file's text encoding, e.g. gbk, utf-8, utf-16 (default: detected).")
@click.option("--sheet", default=None, help="A workbook's sheet (default: the mapping's, else the first).")
@click.option("--mapping", "mapping_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Mapping file (default: <file>.mapping.yaml or events.mapping.yaml beside the file, if there).")
@LANG_OPTION
def events_inspect(file: Path, roster: Path | None, rows: int, timezone: str, encoding: str | None, sheet: str | None,
                   mapping_path: Path | None, lang: str | None) -> None:
    """What qunce would read from FILE: the format and encoding (or sheet), how each column is read,
    the first rows as they would be ingested, and the problems. Exit 1 when there are problems."""
    from .commands import events_inspect as command
    from .terminal.events_inspect import print_inspection

    language = _lang(lang)
    outcome = command.run(command.InspectRequest(file, roster, mapping_path, encoding, sheet, timezone, rows))
    if outcome.findings:
        from .diagnostics.render import render

        click.echo(render("text", outcome.findings, outcome.texts, language, sys.stderr.isatty()), err=True)
        sys.exit(outcome.status)
    print_inspection(_console(), outcome, language)
    sys.exit(outcome.status)


@events.group("import")
def events_import() -> None:
    """Turn a team's own exports into an events file and a roster."""


@events_import.command("wecom")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...", type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Events file to write: .csv, .jsonl or .parquet.")
@click.option("--roster", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Roster to write (YAML): the groups, their staff and who owns and runs each.")
@click.option("--playbook", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Type each group by the group type whose naming pattern its name matches; times in its time zone.")
@click.option("--default-type", default=None, help="The type of a group that matches no naming pattern.")
@click.option("--staff", "staff_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="More staff userids, one a line (optionally: userid,name): their posts are staff posts.")
@LANG_OPTION
def events_import_wecom(sources: tuple[Path, ...], out: Path, roster: Path, playbook: Path | None,
                        default_type: str | None, staff_file: Path | None, lang: str | None) -> None:
    """WeCom (企业微信) exports in SOURCE (files or folders): chat archive messages, group details
    (groupchat/get) and group change callbacks (change_external_chat), each file's kind told from
    its content. Exit 1 when records were rejected (the files are written without them)."""
    from .commands import events as command
    from .terminal.wecom_import import summary_lines

    language = _lang(lang)
    outcome = command.import_wecom(command.ImportWecomRequest(list(sources), out, roster, playbook, default_type,
                                                              staff_file, lang))
    language = _spoken(outcome)
    if _findings(outcome.checked, language) or outcome.imported is None:
        sys.exit(outcome.status)
    for line in summary_lines(outcome.imported, language):
        click.echo(line)
    sys.exit(outcome.status)


DATE = click.DateTime(formats=["%Y-%m-%d"])


def _data_options(command: Any) -> Any:
    """The options every command that reads event data takes."""
    options = [
        click.option("--events", "events_path", required=True, type=click.Path(path_type=Path),
                     help="Event file: .csv, .tsv, .txt (tab-separated), .jsonl, .parquet or a workbook (.xlsx, .xls, "
                          ".ods); - for JSONL or CSV on standard input."),
        click.option("--roster", required=True, type=click.Path(path_type=Path),
                     help="Roster: a YAML file, a folder with groups.csv, staff.csv, assignments.csv (any encoding), or a workbook with those sheets."),
        click.option("--from", "start", type=DATE, default=None,
                     help="First day of the window (default: the first event's)."),
        click.option("--to", "end", type=DATE, default=None, help="Last day of the window (default: the last event's)."),
        click.option("--skip-bad-rows", is_flag=True,
                     help="Go on without rows that fail the checks (simulate writes them to OUT/rejected.csv)."),
        *_READ_OPTIONS,
        click.option("--no-cache", "no_cache", is_flag=True,
                     help="Read and check the events and the playbook again instead of taking them from the cache "
                          "of an earlier run on the same files (also QUNCE_NO_CACHE=1). 不用缓存的事件与剧本检查结果。"),
        *_ENGINE_OPTIONS,
        LANG_OPTION,
    ]
    for option in reversed(options):
        command = option(command)
    return command


# Where the tables are computed (docs/spark.md).
_ENGINE_OPTIONS = (
    click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True,
                 help="Where to compute: duckdb (embedded) or spark (pip install 'qunce[spark]' and Java 17; "
                      "--events may then be a folder of Parquet parts or table:db.events). 计算引擎。"),
    click.option("--spark-master", default=None, metavar="URL",
                 help="With --engine spark: the master (default local[*]), e.g. spark://host:7077 or yarn."),
    click.option("--spark-conf", multiple=True, metavar="KEY=VALUE",
                 help="With --engine spark: a session setting, e.g. spark.driver.memory=8g (repeatable)."),
)

# How to read a team's own event file: its encoding, its sheet, its mapping file.
_READ_OPTIONS = (
    click.option("--encoding", default=None,
                 help="The event file's text encoding, e.g. gbk, utf-8, utf-16 (default: detected and named in the summary)."),
    click.option("--sheet", default=None, help="A workbook's sheet (default: the mapping's, else the first)."),
    click.option("--mapping", "mapping_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                 help="Mapping file: your column names, type labels, time and money formats "
                      "(default: <events>.mapping.yaml or events.mapping.yaml beside the events, if there)."),
)


def _read_options(command: Any) -> Any:
    """--encoding, --sheet and --mapping, for a command that reads events beside other options."""
    for option in reversed(_READ_OPTIONS):
        command = option(command)
    return command


def _data(events_path: Path, roster: Path, start: Any, end: Any, skip_bad_rows: bool, encoding: str | None = None,
          sheet: str | None = None, mapping_path: Path | None = None, no_cache: bool = False, engine: str = "duckdb",
          spark_master: str | None = None, spark_conf: tuple[str, ...] = ()) -> Any:
    from .commands.data import DataRequest
    from .compute.choice import engine_choice

    return DataRequest(events_path, roster, start.date() if start else None, end.date() if end else None, skip_bad_rows,
                       encoding, sheet, mapping_path, not no_cache, engine_choice(engine, spark_master, spark_conf))


@main.command()
@click.argument("playbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (created if needed).")
@click.option("--formats", "formats_text", default="parquet,csv", show_default=True,
              help="The tables' file formats: parquet, csv or both (rejected rows are always in both). "
                   "Parquet alone writes far less at scale.")
@click.option("--xlsx", is_flag=True,
              help="Also write OUT/payouts.xlsx for finance: the payouts, per-staff totals and statement lines, one "
                   "sheet each (the playbook needs a commission: section). 另写提成发放工作簿。")
@click.option("--report", "with_report", is_flag=True,
              help="Also write OUT/report.html: the charts of `qunce report`, one offline page. 另写图表报告。")
@_data_options
def simulate(playbook: Path, events_path: Path, roster: Path, out: Path, formats_text: str, xlsx: bool,
             with_report: bool, start: Any, end: Any, skip_bad_rows: bool, lang: str | None, **read: Any) -> None:
    """Replay events through PLAYBOOK: metrics, points, levels, segments, group health, churn."""
    from .commands import simulate as command
    from .commands.data import events_from_stdin
    from .terminal.simulate_summary import print_summary

    language = _lang(lang)
    data = _data(events_path, roster, start, end, skip_bad_rows, **read)
    request = command.SimulateRequest(playbook, data, out, command.parse_formats(formats_text), lang=lang, xlsx=xlsx,
                                      report=with_report)
    console = _console()
    with events_from_stdin(data, sys.stdin.buffer), _progress(console, command.STAGES) as progress:
        outcome = command.run(request, progress)
    language = _spoken(outcome)
    if _findings(outcome.checked, language) or _data_problems(outcome.data, language, console, rejected_file=True):
        sys.exit(outcome.status)
    print_summary(console, outcome.summary, outcome.written, str(out), language, outcome.formats)
    _cached_note(outcome.data, language, outcome.reused)


@main.command()
@click.argument("sim_dir", metavar="SIM_DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE (default: SIM_DIR/report.html).")
@click.option("--lang", type=click.Choice(LANGS), default=None,
              help="Language of the report (default: QUNCE_LANG, else the simulation's). 报告语言。")
def report(sim_dir: Path, out: Path | None, lang: str | None) -> None:
    """One self-contained HTML page of charts from a simulation's output folder SIM_DIR: members,
    lifecycle, levels, segments, churn, entry thresholds, commission. Works offline and mailed."""
    from .commands import report as command

    language = _lang(lang)
    outcome = command.run(command.ReportRequest(sim_dir, out, lang))
    language = _spoken(outcome)
    size = f"{outcome.size / 1000:,.0f} KB"
    click.echo(f"已写入 {outcome.path}（{outcome.charts} 张图、{outcome.tables} 张表，{size}）" if language == "zh"
               else f"wrote {outcome.path} ({outcome.charts} charts, {outcome.tables} tables, {size})")


@main.command()
@click.argument("playbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--member", "member_id", default=None, help="The member to explain.")
@click.option("--staff", "staff_id", default=None, help="The staff member whose commission to explain.")
@click.option("--period", default=None, help="With --staff: the commission period, e.g. 2027-01 (default: all).")
@_data_options
def explain(playbook: Path, events_path: Path, roster: Path, member_id: str | None, staff_id: str | None,
            period: str | None, start: Any, end: Any, skip_bad_rows: bool, lang: str | None, **read: Any) -> None:
    """Explain one member (--member: points, level changes and the values behind them, segment,
    warnings) or one staff member's commission (--staff [--period]: every input, rule and rounding)."""
    from .commands import explain as command
    from .commands.data import events_from_stdin

    language = _lang(lang)
    data = _data(events_path, roster, start, end, skip_bad_rows, **read)
    request = command.ExplainRequest(playbook, data, member_id, staff_id, period, lang)
    command.validate_request(request)
    with events_from_stdin(data, sys.stdin.buffer):
        outcome = command.run(request)
    language = _spoken(outcome)
    if _findings(outcome.checked, language) or _data_problems(outcome.data, language, _console()):
        sys.exit(outcome.status)
    _cached_note(outcome.data, language)
    click.echo("\n".join(outcome.lines))


@main.command()
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json", "html"]), default="text", show_default=True,
              help="text for the terminal, md for a pull-request comment, json for tools, html for a page with charts "
                   "(one self-contained file: use --out).")
@click.option("--fail-over", type=str, default=None, metavar="AMOUNT",
              help="Exit 1 when the total payout changes by more than AMOUNT yuan (either way), for CI.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE.")
@_data_options
def diff(old: Path, new: Path, fmt: str, fail_over: str | None, out: Path | None, events_path: Path, roster: Path,
         start: Any, end: Any, skip_bad_rows: bool, lang: str | None, **read: Any) -> None:
    """What changing OLD into NEW would do on the same data: every payout before and after, the
    total cost, level, segment and group-health distributions, members whose level changes."""
    from .commands import diff as command
    from .commands.data import events_from_stdin

    language = _lang(lang)
    limit = command.parse_fail_over(fail_over) if fail_over is not None else None
    data = _data(events_path, roster, start, end, skip_bad_rows, **read)
    with events_from_stdin(data, sys.stdin.buffer):
        outcome = command.run(command.DiffRequest(old, new, data, fmt, limit, out, lang))
    language = _spoken(outcome)
    failed = [_findings(checked, language) for checked in outcome.checked]
    if any(failed) or _data_problems(outcome.data, language, _console()):
        sys.exit(outcome.status)
    _cached_note(outcome.data, language)
    if out is None:
        click.echo(outcome.text, nl=False)
    if outcome.over_limit:
        click.echo(f"qunce diff: 提成总额变化 {outcome.change} 元，超过 --fail-over {limit}" if language == "zh" else
                   f"qunce diff: the total payout changes by {outcome.change} yuan, more than --fail-over {limit}",
                   err=True)
    sys.exit(outcome.status)


@main.command()
@click.argument("playbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--roster", required=True, type=click.Path(path_type=Path),
              help="Roster: a YAML file, a folder with groups.csv, staff.csv, assignments.csv (any encoding), or a workbook with those sheets.")
@click.option("--from", "start", required=True, type=DATE, help="First day of the task list.")
@click.option("--to", "end", required=True, type=DATE, help="Last day of the task list.")
@click.option("--events", "events_path", type=click.Path(path_type=Path), default=None,
              help="Real events (.csv, .tsv, .jsonl, .parquet, .xlsx; - for JSONL or CSV on standard input): one task per event "
                   "an on:/member_days: item answers. Without it those items are listed as event-driven tasks.")
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
@_read_options
@click.option("--no-cache", "no_cache", is_flag=True,
              help="With --events: read and check them again instead of taking them from the cache.")
@LANG_OPTION
def tasks(playbook: Path, roster: Path, start: Any, end: Any, events_path: Path | None, skip_bad_rows: bool, fmt: str,
          out: Path | None, split: bool, capacity_path: Path | None, fail_on_overload: bool, lang: str | None,
          encoding: str | None, sheet: str | None, mapping_path: Path | None, no_cache: bool) -> None:
    """Expand PLAYBOOK's SOP into every staff member's tasks, day by day, with a capacity report."""
    from .commands import tasks as command
    from .commands.data import events_from_stdin

    _lang(lang)
    request = command.TasksRequest(playbook, roster, start.date(), end.date(), events_path, skip_bad_rows, fmt, out,
                                   split, capacity_path, fail_on_overload, lang, encoding, sheet, mapping_path,
                                   cache=not no_cache)
    with events_from_stdin(request, sys.stdin.buffer):
        outcome = command.run(request)
    language = _spoken(outcome)
    _cached_note(outcome.data, language)
    if _findings(outcome.checked, language) or _data_problems(outcome.data, language, _console()):
        sys.exit(outcome.status)
    if outcome.text:
        click.echo(outcome.text, nl=False)
    for path, files in outcome.written:
        extra = "" if files == 1 else (f"（{files} 个文件）" if language == "zh" else f" ({files} files)")
        outcome.summary.append(f"{_wrote(language)} {path}{extra}")
    for line in outcome.summary:
        click.echo(line, err=True)
    sys.exit(outcome.status)


@main.command()
@click.argument("folder", required=False, default="qunce-demo", type=click.Path(file_okay=False, path_type=Path))
@LANG_OPTION
def demo(folder: Path, lang: str | None) -> None:
    """The whole job on the bundled example, into FOLDER (default ./qunce-demo): playbook, a month
    of events, validation, simulation with commission statements, task lists, calendars, handbook."""
    from .commands import demo as command

    _lang(lang)

    def report(step: Any) -> None:
        click.echo(f"==> {step.name} ({step.seconds:.1f} s)")
        for line in step.lines:
            click.echo(f"    {line}")

    outcome = command.run(folder, lang, report)
    language = _spoken(outcome)
    total = sum(step.seconds for step in outcome.steps)
    if language == "zh":
        click.echo(f"\n完成，用时 {total:.0f} 秒。接下来：打开 {folder}/simulation/report.html 和 {folder}/handbook/handbook.html，"
                   f"看 {folder}/simulation/statements/ 里的结算单，"
                   f"或用 qunce explain {folder}/playbook.yaml --events {folder}/events.parquet --roster "
                   f"{folder}/events.roster.yaml --staff s0001 查看一笔提成的来龙去脉。")
    else:
        click.echo(f"\nDone in {total:.0f} s. Next: open {folder}/simulation/report.html and "
                   f"{folder}/handbook/handbook.html, read a statement in "
                   f"{folder}/simulation/statements/, or trace a payout with: qunce explain {folder}/playbook.yaml "
                   f"--events {folder}/events.parquet --roster {folder}/events.roster.yaml --staff s0001")


# --- printing -------------------------------------------------------------------------------


def _cached_note(data: Any, lang: str, reused: Sequence[str] = ()) -> None:
    """Say so when the events came from the cache (read and checked by an earlier run), and
    which stages' results an earlier run kept (same data, same sections of the playbook)."""
    if data is not None and data.cached:
        click.echo("事件取自缓存：此前已读取并检查过同一文件（--no-cache 重新读取）" if lang == "zh" else
                   "events taken from the cache: the same file was read and checked before (--no-cache reads it again)",
                   err=True)
    if reused:
        zh = "、".join({"groups": "群", "members": "成员", "sop": "SOP 考核"}[stage] for stage in reused)
        named = [{"groups": "group", "members": "member", "sop": "SOP assessment"}[stage] for stage in reused]
        en = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
        click.echo(f"{zh}的计算结果取自缓存：数据和相关规则与此前一次运行相同（--no-cache 重新计算）" if lang == "zh" else
                   f"{en} results taken from the cache: an earlier run had the same data and the same rules for them "
                   "(--no-cache computes them again)", err=True)


def _wrote(lang: str) -> str:
    return "已写入" if lang == "zh" else "wrote"


def _findings(checked: Any, lang: str) -> bool:
    """Print a playbook's findings as `qunce validate` would (to stderr); whether there were errors."""
    if checked is None or checked.playbook is not None:
        return False
    from .diagnostics.render import render

    report = checked.report
    click.echo(render("text", report.diagnostics, report.texts, lang, sys.stderr.isatty(),
                      files_checked=report.files_checked), err=True)
    return True


def _data_problems(data: Any, lang: str, console: Any, rejected_file: bool = False) -> bool:
    """Print the roster's or the mapping file's findings, or the bad rows; whether the run stopped on them."""
    if data.roster_findings or data.mapping_findings:
        from .diagnostics.render import render

        found = data.roster if data.roster_findings else data.mapping
        click.echo(render("text", found.diagnostics, found.texts, lang, sys.stderr.isatty()), err=True)
        return True
    if data.problems:
        from .terminal.bad_rows import print_problems

        print_problems(console, data.rows_in, data.rows, data.problems, lang, data.stopped, rejected_file)
    return bool(data.stopped)


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=False, highlight=False, soft_wrap=True)


def _progress(console: Any, stages: tuple[str, ...]) -> Any:
    """A progress line over the simulation's stages, shown on terminals only."""
    from contextlib import contextmanager

    @contextmanager
    def show() -> Any:
        if not console.is_terminal:
            yield lambda stage: None
            return
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console,
                      transient=True) as bar:
            task = bar.add_task("simulate", total=len(stages))

            def advance(stage: str) -> None:
                bar.update(task, completed=stages.index(stage), description=f"simulate: {stage}")

            yield advance
    return show()


if __name__ == "__main__":
    main()
