"""One Spark session for the whole parity suite (issue 21). Skipped, with the reason, where
pyspark or Java is missing: `make test` runs on a laptop without them; `.ci/run` installs both
and sets QUNCE_SPARK_REQUIRED=1, which turns the skip into a failure."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest


def _missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'qunce[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (install a JDK 17, e.g. apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    reason = _missing()
    if reason is not None:
        if os.environ.get("QUNCE_SPARK_REQUIRED"):
            pytest.fail(f"the Spark parity suite must run here: {reason}")
        pytest.skip(f"Spark parity suite skipped: {reason}")
    from pyspark.sql import SparkSession

    warehouse = tempfile.mkdtemp(prefix="qunce-spark-")
    session = (SparkSession.builder.master("local[2]").appName("qunce-parity")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "1").config("spark.default.parallelism", "1").config("spark.sql.warehouse.dir", warehouse)
               .config("spark.sql.maxPlanStringLength", "20000").config("spark.sql.codegen.wholeStage", "false").config("spark.sql.adaptive.enabled", "false").config("spark.driver.memory", "2g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
        shutil.rmtree(warehouse, ignore_errors=True)
