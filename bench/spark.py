"""`qunce simulate --engine spark` beside `--engine duckdb` on the same events (issue 21).

The events are bench/simulate.py's (`playbooks/brand-complete.yaml`, ~10M events at scale 1,
generated once into the same cache folder). For `--rounds` rounds, alternating:

  (a) `qunce simulate PLAYBOOK --events FILE --roster ROSTER --out DIR --formats parquet`
  (b) the same with `--engine spark --spark-master local[2]` and `--spark-conf` for the driver's
      memory (`--driver-memory`, default 6g)

Each run's wall time (spawn to exit; Spark's includes starting the JVM) and its stages' times
(DIR/timings.json) are printed, with the ratio Spark / DuckDB per stage and in all, and what
Spark's times would be per 100M events if they grew in proportion to the events (they do not
on one machine: the figure is for planning a cluster, see docs/spark.md). The two runs' Parquet
outputs are compared (floats within 1e-12 relative).

    .venv/bin/pip install -e '.[dev,spark]'            # pyspark, and Java 17 on the machine
    .venv/bin/python bench/spark.py --scale 0.05        # ~0.5M events, minutes
    .venv/bin/python bench/spark.py                     # 10M events, 1 round: an hour or more

See bench/README.md for the figures measured.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from simulate import PLAYBOOK, REPO, default_cache, ensure_events, qunce_argv, run_child

STAGES = ("ingest", "groups", "members", "sop", "commission", "write", "total")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = ~10M events (bench/simulate.py's)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="6g")
    parser.add_argument("--events-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        import pyspark  # noqa: F401
    except ImportError:
        print("bench/spark.py needs the spark extra: .venv/bin/pip install -e '.[dev,spark]'", file=sys.stderr)
        return 2
    events, roster = ensure_events((args.events_dir or default_cache()) / f"scale-{args.scale:g}", args.scale)
    rows = _rows(events)
    env = {**os.environ, "QUNCE_NO_CACHE": "1"}
    times: dict[str, list[dict[str, float]]] = {"duckdb": [], "spark": []}
    work = Path(tempfile.mkdtemp(prefix="qunce-bench-spark-"))
    try:
        for round_number in range(1, args.rounds + 1):
            for engine in ("duckdb", "spark"):
                out = work / engine
                command = [*qunce_argv(), "simulate", str(PLAYBOOK), "--events", str(events), "--roster", str(roster),
                           "--out", str(out), "--formats", "parquet", "--lang", "en", "--engine", engine]
                if engine == "spark":
                    command += ["--spark-master", args.master, "--spark-conf", f"spark.driver.memory={args.driver_memory}"]
                child = run_child(command, REPO, env)
                if child.code != 0:
                    print(f"{engine} failed ({child.code}): {child.err.strip()[-2000:]}", file=sys.stderr)
                    return 1
                stages = json.loads((out / "timings.json").read_text())["timings_s"]
                times[engine].append(stages | {"wall": child.wall})
                print(f"round {round_number} {engine:6} wall {child.wall:8.1f} s  "
                      + "  ".join(f"{k} {stages.get(k, 0):.1f}" for k in STAGES), flush=True)
        differences = _compare(work / "duckdb", work / "spark")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _report(times, rows, args, differences)
    return 0 if not differences else 1


def _rows(events: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(events).metadata.num_rows)


def _compare(duck: Path, spark: Path) -> list[str]:
    import pyarrow.parquet as pq

    sys.path.insert(0, str(REPO / "tests" / "spark"))
    from parity import differences

    found = []
    for path in sorted(duck.glob("*.parquet")):
        other = spark / path.name
        if not other.exists():
            found.append(f"{path.name}: missing on Spark")
            continue
        found += [f"{path.name}: {d}" for d in differences(pq.read_table(path), pq.read_table(other))]
    return found


def _report(times: dict[str, list[dict[str, float]]], rows: int, args: argparse.Namespace,
            differences: list[str]) -> None:
    print(f"\n{rows:,} events, Spark {args.master} (driver {args.driver_memory}) beside DuckDB; medians of "
          f"{args.rounds} round(s)")
    print(f"{'stage':12} {'duckdb s':>10} {'spark s':>10} {'ratio':>8} {'spark s per 100M':>18}")
    for stage in (*STAGES, "wall"):
        duck = statistics.median(t.get(stage, 0.0) for t in times["duckdb"])
        spark = statistics.median(t.get(stage, 0.0) for t in times["spark"])
        ratio = f"{spark / duck:8.1f}" if duck > 0.05 else f"{'-':>8}"
        print(f"{stage:12} {duck:10.1f} {spark:10.1f} {ratio} {spark * 1e8 / rows:18,.0f}")
    print("outputs: equal" if not differences else "outputs differ:\n  " + "\n  ".join(differences[:20]))


if __name__ == "__main__":
    raise SystemExit(main())
