"""Which engine a run computes on (`--engine`, `--spark-master`, `--spark-conf`, or a Spark
session handed in from Python): plain values, read by `compute.connect`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError

ENGINES = ("duckdb", "spark")
DEFAULT_MASTER = "local[*]"


@dataclass(frozen=True)
class EngineChoice:
    """`name`: duckdb (embedded, the default) or spark. For Spark: the master URL and settings
    of the session qunce starts, or `session`, one the caller started (its master and settings
    are then the caller's, but for the time zone and decimal settings qunce sets)."""

    name: str = "duckdb"
    master: str = DEFAULT_MASTER
    conf: tuple[tuple[str, str], ...] = ()
    session: Any = field(default=None, compare=False)

    @property
    def spark(self) -> bool:
        return self.name == "spark"


def engine_choice(name: str | None, master: str | None = None, conf: Iterable[str] = ()) -> EngineChoice:
    """The choice the command line made; `conf`: KEY=VALUE texts. A Spark option without
    `--engine spark` is a usage error (it would be ignored)."""
    name = (name or "duckdb").lower()
    if name not in ENGINES:
        raise UsageError(f"--engine {name}: use duckdb or spark", f"--engine {name}：可选 duckdb 或 spark")
    pairs = tuple(_pair(text) for text in conf)
    if name != "spark" and (master or pairs):
        raise UsageError("--spark-master and --spark-conf need --engine spark",
                         "--spark-master 与 --spark-conf 需与 --engine spark 一起使用")
    return EngineChoice(name, master or DEFAULT_MASTER, pairs)


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--spark-conf {text!r}: write KEY=VALUE, e.g. --spark-conf spark.driver.memory=8g",
                         f"--spark-conf {text!r}：请写成 KEY=VALUE，例如 --spark-conf spark.driver.memory=8g")
    return key.strip(), value.strip()
