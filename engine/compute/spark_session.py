"""Starting Spark for a run (`--engine spark`), and Spark's failures as one line.

Spark logs through Java (log4j) and the JVM writes warnings of its own to the terminal; a failed
query's error carries a Java stack trace and the whole plan (100 KB is common). None of it
belongs on a user's terminal: the session's log goes to one file (`log_file()`, named in every
Spark error qunce prints), the JVM's own output too, and an error of Spark's becomes a
`SparkFailure` (`scope`), one line saying what failed and where the details are."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError, first_line
from ..work_folder import work_folder
from .choice import EngineChoice

LOG_ENV = "QUNCE_SPARK_LOG"  # the log file's path (default: one per run in the temporary folder)
# What qunce's sessions set unless the user's --spark-conf says otherwise: no progress bars on
# the terminal, no web UI to bind a port for (a local run has no one to look at it).
DEFAULTS = {"spark.ui.showConsoleProgress": "false", "spark.ui.enabled": "false"}
_LOG4J = """status = error
appender.file.type = File
appender.file.name = file
appender.file.fileName = {path}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{{yyyy-MM-dd HH:mm:ss}} %p %c{{1}}: %m%n%ex
rootLogger.level = warn
rootLogger.appenderRef.file.ref = file
"""


class SparkFailure(InputError):
    """Spark could not start or could not run a query; the details are in the log file."""


@functools.cache
def log_file() -> Path:
    """This run's Spark log (`QUNCE_SPARK_LOG`, else a new file under the temporary folder, kept
    after the run for the user to read)."""
    given = os.environ.get(LOG_ENV, "").strip()
    if given:
        path = Path(given).expanduser()
    else:
        folder = Path(tempfile.gettempdir()) / "qunce-spark-logs"
        path = folder / f"spark-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
        _forget_old_logs(folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError as exc:
        raise UsageError(f"cannot write the Spark log {path}: {exc.strerror or exc}; set {LOG_ENV} to a file you can write",
                         f"无法写入 Spark 日志 {path}：{exc.strerror or exc}；请将 {LOG_ENV} 设为可写的文件") from None
    return path


KEPT_LOGS = 20  # the newest runs' logs kept in the default folder; older ones are removed


def _forget_old_logs(folder: Path) -> None:
    """Keep the default folder's newest KEPT_LOGS runs' logs (the folder is qunce's own)."""
    with contextlib.suppress(OSError):
        logs = sorted(folder.glob("spark-*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in logs[KEPT_LOGS - 1:]:
            old.unlink(missing_ok=True)


def connect(choice: EngineChoice, timezone: str) -> Any:
    """An Ibis connection to the chosen session (`choice.session`) or to one started here, with
    the settings qunce's results depend on (`spark.configure`)."""
    session = choice.session if choice.session is not None else _start(choice)
    from .spark import configure

    with _converted():
        configure(session, timezone)
        import ibis

        con = ibis.pyspark.connect(session)
        _opened.append((con, _temporary_views(session)))
        return con


def _start(choice: EngineChoice) -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError("--engine spark needs Spark: pip install 'qunce[spark]' (and a Java 17 runtime)",
                         "--engine spark 需要 Spark：请运行 pip install 'qunce[spark]'（并安装 Java 17 运行环境）") from None
    if _java() is None:
        raise UsageError("--engine spark needs a Java runtime (17 or later): install one (e.g. apt-get install "
                         "openjdk-17-jre-headless) or set JAVA_HOME",
                         "--engine spark 需要 Java 运行环境（17 及以上）：请安装（例如 apt-get install "
                         "openjdk-17-jre-headless）或设置 JAVA_HOME")
    log = log_file()
    settings = {**DEFAULTS, **dict(choice.conf)}
    properties = work_folder() / "log4j2.properties"  # read once, when the JVM starts
    properties.write_text(_LOG4J.format(path=str(log).replace("\\", "/")), encoding="utf-8")
    logging = f"-Dlog4j2.configurationFile=file:{properties}"
    settings["spark.driver.extraJavaOptions"] = " ".join(filter(None, [settings.get("spark.driver.extraJavaOptions"), logging]))
    builder = SparkSession.builder.master(choice.master).appName("qunce")
    for key, value in settings.items():
        builder = builder.config(key, value)
    start = log.stat().st_size
    try:
        with _output_to(log):  # the JVM inherits the log as its terminal: its own warnings go there
            return builder.getOrCreate()
    except Exception as exc:
        _log_exception(exc)
        why = _java_reason(log, start) or _short(exc)
        raise SparkFailure(f"Spark could not start (master {choice.master}): {why}; details in {log}",
                           f"Spark 无法启动（master {choice.master}）：{why}；详情见 {log}") from None


# How the JVM reports why it stopped before the session existed (spark-submit's own checks).
_JAVA_FAILURE = re.compile(r'Exception in thread "main" [\w.$]+: (.+)')


def _java_reason(log: Path, start: int) -> str | None:
    """The JVM's own reason for stopping, from what it wrote to the log since `start`: clearer
    than pyspark's "Java gateway process exited"."""
    try:
        with log.open("rb") as handle:
            handle.seek(start)
            written = handle.read(1_000_000).decode("utf-8", "replace")
    except OSError:
        return None
    found = _JAVA_FAILURE.search(written)
    return found.group(1).strip()[:300] if found else None


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME", "").strip()
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


@contextlib.contextmanager
def _output_to(log: Path) -> Iterator[None]:
    """This process's standard output and error sent to `log` while the JVM is launched (it
    inherits them and keeps them), then given back."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = [os.dup(1), os.dup(2)]
    target = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.dup2(target, 1)
        os.dup2(target, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, target):
            os.close(fd)


# The connections a command opened, with the session's temporary views before it ran.
_opened: list[tuple[Any, set[str]]] = []


@contextlib.contextmanager
def scope() -> Iterator[None]:
    """A command's run: Spark's errors (pyspark's, py4j's: a query that fails, a JVM that died)
    as a `SparkFailure`, the whole error in the log; at the end, the tables the run cached and
    the views it made are let go (a session outlives a run in a notebook or a test suite, and
    each cached plan holds the driver's memory)."""
    try:
        with _converted():
            yield
    finally:
        while _opened:
            _release(*_opened.pop())


@contextlib.contextmanager
def _converted() -> Iterator[None]:
    """Spark's errors as a `SparkFailure`, the whole error in the log."""
    try:
        yield
    except Exception as exc:
        if not is_spark_error(exc):
            raise
        _log_exception(exc)
        log = log_file()
        raise SparkFailure(f"Spark failed: {_short(exc)}; details in {log}",
                           f"Spark 运行失败：{_short(exc)}；详情见 {log}") from None


def _temporary_views(session: Any) -> set[str]:
    return {table.name for table in session.catalog.listTables() if table.isTemporary}


def _release(con: Any, before: set[str]) -> None:
    with contextlib.suppress(Exception):  # a session stopped or a JVM gone: nothing to let go
        session = con._session
        for name in _temporary_views(session) - before:
            if session.catalog.isCached(name):
                session.catalog.uncacheTable(name)
            session.catalog.dropTempView(name)
        con._memtables.clear()


def is_spark_error(exc: BaseException) -> bool:
    """Whether `exc` is one of Spark's (raised by pyspark or py4j)."""
    return any(kind.__module__.split(".")[0] in ("pyspark", "py4j") for kind in type(exc).__mro__)


def _short(exc: BaseException) -> str:
    """The first line of Spark's message, without its error class's brackets' tail of plan."""
    line = first_line(exc).strip() or type(exc).__name__
    return line if len(line) <= 300 else line[:297] + "…"


def _log_exception(exc: BaseException) -> None:
    with contextlib.suppress(OSError), log_file().open("a", encoding="utf-8") as out:
        out.write(f"\n{time.strftime('%Y-%m-%d %H:%M:%S')} qunce: {type(exc).__name__}\n")
        out.write("".join(traceback.format_exception(exc)))
