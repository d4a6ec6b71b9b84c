"""The least the SOP assessment costs (issue "SOP 考核"): its unavoidable work at 10M events,
written by hand in bare DuckDB over a real run's outputs, beside the simulation without `sop:`.

bench/sop.py measures the assessment as the extra time of `qunce simulate` with the SOP over
the same run without it (target: at most 15% more). This bench says how much of that extra
time any implementation must spend, in three parts, each timed inside one child process:

  tasks   materialise a table with the rows and columns of the run's `sop_tasks` (read from its
          Parquet file: no expansion, no joins; what holding the tasks costs at the least);
  match   the evidence of the post tasks without any role check: for each task, the first staff
          message in its group at or after its window's start (one as-of join over the events'
          staff messages, which are read from the events file first);
  write   `sop_tasks` and `sop_compliance` written to Parquet from memory, in the run's order.

The events and the run's outputs come from bench/simulate.py's cache and one `qunce simulate`
(`--outputs DIR` reuses a run's folder). The ratios are over the median of `--rounds` runs of
the simulation without `sop:` (whole processes, as bench/sop.py runs them).

    .venv/bin/python bench/sop_floor.py                 # scale 1 (~12M events), 3 rounds
    .venv/bin/python bench/sop_floor.py --outputs /tmp/run --rounds 1
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import simulate as bench  # bench/simulate.py: the events, the child runner
import sop  # bench/sop.py: the playbook without its sop: section

TASK_ORDER = "date, window_start, staff_id, item, group_id, member_id, event_row"


def floor_child(events: Path, outputs: Path, work: Path) -> None:
    """The three parts in bare DuckDB; their seconds printed as JSON."""
    import duckdb

    con = duckdb.connect()
    tasks, timings = outputs / "sop_tasks.parquet", {}
    began = time.perf_counter()
    con.execute(f"CREATE TEMP TABLE tasks AS SELECT * FROM read_parquet('{tasks}')")
    timings["tasks"] = time.perf_counter() - began
    con.execute(f"""CREATE TEMP TABLE posts AS SELECT group_id, ts FROM read_parquet('{events}')
                    WHERE type = 'message' AND staff_id IS NOT NULL""")
    began = time.perf_counter()
    con.execute("""CREATE TEMP TABLE evidence AS
                   SELECT t.item, p.ts FROM (SELECT * FROM tasks WHERE evidence = 'post') t
                   ASOF LEFT JOIN posts p ON t.group_id = p.group_id AND t.window_start <= p.ts""")
    timings["match"] = time.perf_counter() - began
    con.execute(f"CREATE TEMP TABLE compliance AS SELECT * FROM read_parquet('{outputs / 'sop_compliance.parquet'}')")
    began = time.perf_counter()
    con.execute("SET preserve_insertion_order = true")
    con.execute(f"COPY (SELECT * FROM tasks ORDER BY {TASK_ORDER}) TO '{work / 'sop_tasks.parquet'}' (FORMAT parquet)")
    con.execute(f"COPY (SELECT * FROM compliance ORDER BY grain, staff_id, role, period_start) "
                f"TO '{work / 'sop_compliance.parquet'}' (FORMAT parquet)")
    timings["write"] = time.perf_counter() - began
    print(json.dumps(timings))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--outputs", type=Path, default=None, help="a `qunce simulate --out` folder of the SOP run")
    parser.add_argument("--child", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        floor_child(*args.child)
        return 0
    events, roster = bench.ensure_events(bench.default_cache() / f"scale-{args.scale:g}", args.scale)
    with tempfile.TemporaryDirectory(prefix="qunce-bench-sop-floor-") as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "QUNCE_PROFILE"}
        common = ["--events", str(events), "--roster", str(roster), "--formats", "parquet", "--no-cache"]
        outputs = args.outputs
        if outputs is None:
            outputs = work / "with-sop"
            child = bench.run_child([*bench.qunce_argv(), "simulate", str(bench.PLAYBOOK), *common, "--out",
                                     str(outputs)], bench.REPO, env)
            if child.code != 0:
                sys.exit(f"qunce simulate failed:\n{child.err}")
        plain = sop.without_sop(bench.PLAYBOOK, work / "no-sop.yaml")
        base: list[float] = []
        parts: dict[str, list[float]] = {"tasks": [], "match": [], "write": []}
        for round_ in range(args.rounds):
            out = work / f"plain-{round_}"
            child = bench.run_child([*bench.qunce_argv(), "simulate", str(plain), *common, "--out", str(out)],
                                    bench.REPO, env)
            if child.code != 0:
                sys.exit(f"qunce simulate (no sop:) failed:\n{child.err}")
            base.append(child.wall)
            shutil.rmtree(out, ignore_errors=True)
            scratch = work / f"floor-{round_}"
            scratch.mkdir()
            done = subprocess.run([sys.executable, __file__, "--child", str(events), str(outputs), str(scratch)],
                                  capture_output=True, text=True, check=True)
            timings = json.loads(done.stdout.strip().splitlines()[-1])
            for name, seconds in timings.items():
                parts[name].append(seconds)
            print(f"round {round_ + 1}: without sop: {child.wall:.1f} s; floor " +
                  ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()), flush=True)
    whole = statistics.median(base)
    floor = {name: statistics.median(values) for name, values in parts.items()}
    total = sum(floor.values())
    print(f"without sop: {whole:.1f} s (median of {args.rounds})")
    for name, seconds in floor.items():
        print(f"  {name:6} {seconds:6.2f} s  = {seconds / whole * 100:4.1f}% of it")
    print(f"floor of the assessment: {total:.2f} s = {1 + total / whole:.3f}× the run without it (target ≤ 1.15×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
