"""`--engine`, `--spark-master`, `--spark-conf` (issue 21): what a user gets wrong, or lacks,
is one line and exit 2, before anything is computed. Spark is not started here: the runs that
start it are in tests/spark."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qunce.compute.choice import EngineChoice, engine_choice
from qunce.errors import UsageError

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "simulate"


def _simulate(tmp: Path, *options: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "qunce", "simulate", str(EXAMPLE / "playbook.yaml"), "--events",
               str(EXAMPLE / "events.csv"), "--roster", str(EXAMPLE / "roster.yaml"), "--out", str(tmp / "out"),
               "--lang", "en", *options]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp, timeout=120)


def test_the_choice_reads_the_options() -> None:
    assert engine_choice(None) == EngineChoice()
    chosen = engine_choice("spark", "spark://head:7077", ["spark.driver.memory=8g", " spark.x = a=b "])
    assert chosen == EngineChoice("spark", "spark://head:7077", (("spark.driver.memory", "8g"), ("spark.x", "a=b")))
    assert engine_choice("spark").master == "local[*]"


@pytest.mark.parametrize("name, master, conf, words", [
    ("duckdb", "local[2]", [], "need --engine spark"),
    ("duckdb", None, ["a=b"], "need --engine spark"),
    ("spark", None, ["spark.driver.memory"], "write KEY=VALUE"),
    ("spark", None, ["=8g"], "write KEY=VALUE"),
    ("oracle", None, [], "use duckdb or spark"),
])
def test_a_wrong_choice_is_a_usage_error(name: str, master: str | None, conf: list[str], words: str) -> None:
    with pytest.raises(UsageError, match=words):
        engine_choice(name, master, conf)


def test_spark_options_without_the_spark_engine_exit_2(tmp_path: Path) -> None:
    done = _simulate(tmp_path, "--spark-conf", "spark.driver.memory=8g")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["qunce: --spark-master and --spark-conf need --engine spark"]
    assert not (tmp_path / "out").exists()


def test_without_pyspark_the_spark_engine_says_how_to_install_it(tmp_path: Path) -> None:
    fake = tmp_path / "site"
    (fake / "pyspark").mkdir(parents=True)
    (fake / "pyspark" / "__init__.py").write_text("raise ImportError('No module named pyspark')\n")
    env = {**os.environ, "PYTHONPATH": str(fake)}
    done = _simulate(tmp_path, "--engine", "spark", env=env)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "qunce: --engine spark needs Spark: pip install 'qunce[spark]' (and a Java 17 runtime)"]
    assert "Traceback" not in done.stdout + done.stderr


def test_without_java_the_spark_engine_says_how_to_get_it(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(Path(sys.executable).parent)  # the venv's commands, no java among them
    done = _simulate(tmp_path, "--engine", "spark", env=env)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qunce: --engine spark needs a Java runtime (17 or later)")
    assert "set JAVA_HOME" in lines[0]
