"""The what-if loop: a first `qunce simulate` on a month of events, then a re-run of the same data
with one commission weight changed (the events taken from the events cache), side by side with
the start-up baseline `python -c "import ibis, duckdb, pyarrow"`.

Each round runs, as whole processes: the baseline; a first run (an empty cache folder: the
events read, checked and stored); a re-run with the changed playbook (the cached events); and
the same re-run with `--no-cache` (what the re-run cost before the cache). Medians of `--rounds`
rounds, after an untimed warm-up; every time is the wall time of the process.

Targets (issue "A fast what-if loop"): on the demo's month the re-run ≤ 2× the baseline; at
10M events a re-run on cached events ≤ 60% of the first run.

    .venv/bin/python bench/rerun.py                        # the demo's month (60 groups, 20,000 members)
    .venv/bin/python bench/rerun.py --groups 600 --members 200000 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from small_runs import qunce, reweighted, timed  # bench/small_runs.py: the same runner and what-if

REPO = Path(__file__).resolve().parent.parent
PLAYBOOK = REPO / "playbooks" / "brand-complete.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=60)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qunce-bench-rerun-"))
    try:
        run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> None:
    env = {**os.environ}
    env.pop("QUNCE_NO_CACHE", None)
    events = work / "events.parquet"
    roster = work / "events.roster.yaml"
    subprocess.run([*qunce(), "events", "generate", str(PLAYBOOK), "--out", str(events), "--groups", str(args.groups),
                    "--members", str(args.members), "--days", str(args.days), "--start", "2027-01-01"],
                   check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    import pyarrow.parquet as pq

    rows = pq.ParquetFile(events).metadata.num_rows
    what_if = reweighted(work)
    data = ["--events", str(events), "--roster", str(roster), "--formats", "parquet"]
    baseline = [sys.executable, "-c", "import ibis, duckdb, pyarrow"]
    times: dict[str, list[float]] = {"baseline": [], "first": [], "rerun": [], "rerun_no_cache": []}
    for round_ in range(args.rounds + 1):
        cache = work / f"cache{round_}"
        run_env = {**env, "QUNCE_CACHE_DIR": str(cache)}
        measured = {
            "baseline": timed(baseline, run_env),
            "first": timed([*qunce(), "simulate", str(PLAYBOOK), *data, "--out", str(work / "a")], run_env),
            "rerun": timed([*qunce(), "simulate", str(what_if), *data, "--out", str(work / "b")], run_env),
            "rerun_no_cache": timed([*qunce(), "simulate", str(what_if), *data, "--out", str(work / "c"), "--no-cache"],
                                    run_env),
        }
        if round_:  # the first round warms the disk and the interpreter's caches
            for name, seconds in measured.items():
                times[name].append(seconds)
        shutil.rmtree(cache, ignore_errors=True)
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"{rows:,} events, {args.groups} groups, {args.members:,} members; medians of {args.rounds} rounds")
    for name, seconds in median.items():
        print(f"  {name:15} {seconds:7.2f} s  {seconds / median['baseline']:5.2f}× baseline  "
              f"{seconds / median['first']:5.2f}× first run")
    print(f"re-run on cached events: {median['rerun'] / median['first']:.2f}× the first run "
          f"({median['rerun'] / median['rerun_no_cache']:.2f}× the same re-run without the cache)")


if __name__ == "__main__":
    main()
