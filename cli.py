"""The `qunce` command: parse arguments, call the engine, print.

Heavy libraries (DuckDB, Ibis) are imported only inside the commands that compute;
`qunce --help` and `qunce validate` must stay fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qunce", message="qunce %(version)s")
def main() -> None:
    """群策 qunce: write community operations as YAML playbooks; validate, simulate, compile."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True, help="Output format.")
@LANG_OPTION
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder that include/extends may not leave (default: the folder given, or the file's folder).")
@click.option("--color/--no-color", default=None, help="Color the text output (default: when a terminal).")
def validate(paths: tuple[Path, ...], fmt: str, lang: str | None, strict: bool, root: Path | None,
             color: bool | None) -> None:
    """Check playbooks (files or folders) and report every problem with file:line:col."""
    from engine.diagnostics.render import render
    from engine.errors import QunceError
    from engine.validate import validate_paths

    try:
        report = validate_paths(list(paths), root)
    except QunceError as exc:
        fail(str(exc))
    use_color = sys.stdout.isatty() if color is None else color
    output = render(fmt, report.diagnostics, report.texts, lang or default_lang(), use_color,
                    files_checked=report.files_checked)
    click.echo(output, nl=not output.endswith("\n"))
    failed = report.errors > 0 or (strict and report.warnings > 0)
    sys.exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


if __name__ == "__main__":
    main()
