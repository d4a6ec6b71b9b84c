"""The one error base class, and the one map from an error to its exit status and message.

Every error qunce raises on purpose is a QunceError carrying its words in English and Chinese.
`report(exc, lang)` is the only place that turns an exception into what the user sees: the exit
status and one line in the run's language. cli.py calls it for every command; nothing else
catches a QunceError to print it.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_CLEAN = 0
EXIT_FINDINGS = 1  # the input has problems (playbook findings, bad rows, a failing template, --fail-over)
EXIT_USAGE = 2  # the command cannot be done as asked: arguments, missing or unreadable files, a bug
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it; SIGTERM gives 143


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type's name when it has none): what a
    one-line error report shows of a library's multi-line message."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class QunceError(Exception):
    """Base of every error qunce raises on purpose: its message in English and Chinese (the
    English again when no Chinese is given)."""

    def __init__(self, en: str, zh: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh if zh is not None else en

    def words(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class BilingualError(QunceError):
    """A problem the engine turns into a diagnostic (a condition, a schedule, a template)."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en, zh)


class UsageError(QunceError):
    """The command line asked for something that cannot be done."""


class InputError(QunceError):
    """A file could not be found, read or written."""


class FindingsError(QunceError):
    """The input has a problem the user must fix (a handbook template that fails, a payout
    change over --fail-over)."""


# The one map: each kind of error → its exit status. A subclass takes its nearest listed base's.
EXIT_STATUS: dict[type[QunceError], int] = {
    FindingsError: EXIT_FINDINGS,
    UsageError: EXIT_USAGE,
    InputError: EXIT_USAGE,
    QunceError: EXIT_USAGE,
}


@dataclass(frozen=True, slots=True)
class Report:
    """What the user sees of an error: the exit status and the line to print."""

    status: int
    message: str


def exit_status(exc: QunceError) -> int:
    for kind in type(exc).__mro__:
        if kind in EXIT_STATUS:
            return EXIT_STATUS[kind]
    return EXIT_USAGE


def is_interrupt(exc: BaseException) -> bool:
    """Ctrl-C: Python's KeyboardInterrupt, or DuckDB's own when the signal arrived mid-query."""
    return isinstance(exc, KeyboardInterrupt) or type(exc).__name__ == "InterruptException"


def report(exc: BaseException, lang: str, signal_number: int | None = None) -> Report:
    """The exit status and the one line for any exception a command ended with. `signal_number`:
    the signal (SIGINT, SIGTERM) the run received, whatever the exception it ended with (a
    query stopped by it ends in DuckDB's own error)."""
    if signal_number is not None or is_interrupt(exc):
        status = 128 + signal_number if signal_number is not None else EXIT_INTERRUPTED
        return Report(status, "qunce: 已中断，未写入不完整的输出" if lang == "zh"
                      else "qunce: interrupted; no half-written output was left")
    if isinstance(exc, QunceError):
        return Report(exit_status(exc), f"qunce: {exc.words(lang)}")
    detail = f"{type(exc).__name__}: {first_line(exc)}"
    if lang == "zh":
        return Report(EXIT_USAGE, f"qunce: 内部错误（qunce 的缺陷）：{detail}（设置 QUNCE_DEBUG=1 重新运行可查看详情，"
                                  "并请报告此问题）")
    return Report(EXIT_USAGE, f"qunce: internal error, a bug in qunce: {detail} "
                              "(run again with QUNCE_DEBUG=1 for the details, and please report it)")
