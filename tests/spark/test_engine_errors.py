"""Spark's failures on the terminal (issue 21): one line saying what failed and where the log
is; the Java stack trace and Spark's own chatter in the log file, never on the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qunce.commands.data import DataRequest
from qunce.commands.simulate import SimulateRequest, run
from qunce.compute import EngineChoice
from qunce.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "simulate"


def test_a_session_that_cannot_start_is_one_line_and_a_log(spark: Any, tmp_path: Path) -> None:
    log = tmp_path / "spark.log"
    env = {**os.environ, "QUNCE_SPARK_LOG": str(log)}
    done = subprocess.run([sys.executable, "-m", "qunce", "simulate", str(EXAMPLE / "playbook.yaml"), "--events",
                           str(EXAMPLE / "events.csv"), "--roster", str(EXAMPLE / "roster.yaml"), "--out",
                           str(tmp_path / "out"), "--lang", "en", "--engine", "spark", "--spark-master", "nowhere"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0] == ("qunce: Spark could not start (master nowhere): Master must either be yarn or start with "
                        f"spark, k8s, or local; details in {log}")
    assert "Traceback" in log.read_text(encoding="utf-8")
    assert not (tmp_path / "out").exists()


def test_a_table_the_catalog_lacks_is_named(spark: Any, tmp_path: Path) -> None:
    request = SimulateRequest(EXAMPLE / "playbook.yaml",
                              DataRequest(Path("table:no_such_events"), EXAMPLE / "roster.yaml", cache=False,
                                          engine=EngineChoice("spark", session=spark)), tmp_path / "out", lang="en")
    with pytest.raises(InputError, match="table:no_such_events: no table no_such_events in the Spark session's catalog"):
        run(request)
    assert not (tmp_path / "out").exists()


def test_a_run_lets_go_of_what_it_cached(spark: Any, tmp_path: Path) -> None:
    before = {t.name for t in spark.catalog.listTables() if t.isTemporary}
    outcome = run(SimulateRequest(EXAMPLE / "playbook.yaml",
                                  DataRequest(EXAMPLE / "events.csv", EXAMPLE / "roster.yaml", cache=False,
                                              engine=EngineChoice("spark", session=spark)), tmp_path / "out", lang="en"))
    assert outcome.status == 0
    assert {t.name for t in spark.catalog.listTables() if t.isTemporary} == before
