"""Where a stored query's time goes, operator by operator, timed in place: a `qunce simulate` of
the complete brand playbook on bench/simulate.py's events, in this process, where every table the
run stores is timed (wall and CPU), and each one named by `--only` is first run once more under
DuckDB's JSON profiler (`SELECT count(*)` over it: the operators above the scan see every row,
though columns no operator reads are not fetched), its busiest operators printed. Then the run
goes on as usual.

Timing inside the run, not alone, is the point: at 12M events DuckDB works at its memory cap,
and a scan of a table pushed out to disk costs what it costs there (bench/merge_selects.py does
the same for the two ways of compiling).

    .venv/bin/python bench/query_profile.py --only sop_evidence,sop_task_rows     # scale 1
    .venv/bin/python bench/query_profile.py --scale 0.1 --only group_daily --top 20
    .venv/bin/python bench/query_profile.py --stage sop,tasks 2>&1 >/dev/null   # the SOP stage's stores

What it prints goes to stderr (the run's own summary to stdout).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import simulate as bench  # bench/simulate.py: the events


def operators(profile: dict[str, Any]) -> list[tuple[float, str, int, str]]:
    """(seconds, operator, rows, what it works on) of every operator of a JSON profile."""
    found: list[tuple[float, str, int, str]] = []
    wanted = ("Table", "Join Type", "Conditions", "Groups", "Aggregates", "CTE Name")

    def walk(node: dict[str, Any]) -> None:
        extra = node.get("extra_info") or {}
        what = ", ".join(f"{key}={str(extra[key])[:70]}" for key in wanted if key in extra)
        found.append((float(node.get("operator_timing") or 0.0), str(node.get("operator_name") or node.get("operator_type")),
                      int(node.get("operator_cardinality") or 0), what[:150]))
        for child in node.get("children", []):
            walk(child)

    walk(profile)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--events-dir", type=Path, default=None)
    parser.add_argument("--only", default="", help="stored tables to profile (names as QUNCE_PROFILE prints them)")
    parser.add_argument("--stage", default="", help="print only the stores whose names start with one of these "
                                                     "(comma-separated: sop,tasks for the SOP stage)")
    parser.add_argument("--top", type=int, default=12, help="operators printed per profiled query")
    args = parser.parse_args()
    folder = (args.events_dir or bench.default_cache()) / f"scale-{args.scale:g}"
    events, roster = bench.ensure_events(folder, args.scale)
    only = {name for name in args.only.split(",") if name}
    prefixes = tuple(args.stage.split(","))

    import qunce.compute.duckdb as duckdb

    store_select = duckdb.store_select
    # the profiles and their SQL are kept (named at the end); the run's outputs are not
    profiles = Path(tempfile.mkdtemp(prefix="qunce-bench-profile-")) if only else None

    def profiled(con: Any, name: str, schema: Any, queries: Any, temp: bool = True) -> tuple[Any, int]:
        short = name.removeprefix("qunce_")
        for number, query in enumerate(queries if short in only else []):
            assert profiles is not None
            target = profiles / f"{short}-{number}.json"
            con.con.execute("PRAGMA enable_profiling = 'json'")
            con.con.execute(f"PRAGMA profiling_output = '{target}'")
            try:
                con.con.execute(f"SELECT count(*) FROM ({query})").fetchall()
            finally:
                con.con.execute("PRAGMA disable_profiling")
            profile = json.loads(target.read_text("utf-8"))
            print(f"--- {short} (part {number + 1}): {profile.get('latency', 0):.2f} s, CPU {profile.get('cpu_time', 0):.2f} s "
                  f"under the profiler (its SQL: {target.with_suffix('.sql')})", flush=True, file=sys.stderr)
            target.with_suffix(".sql").write_text(query, "utf-8")
            for seconds, operator, rows, what in sorted(operators(profile), reverse=True)[:args.top]:
                print(f"  {seconds:6.2f} s  {operator:18} {rows:>12,} rows  {what}", file=sys.stderr)
        began, cpu = time.perf_counter(), time.process_time()
        result: tuple[Any, int] = store_select(con, name, schema, queries, temp)
        if short.startswith(prefixes):
            print(f"{short:40} {time.perf_counter() - began:6.2f} s (CPU {time.process_time() - cpu:5.2f} s) "
                  f"{result[1]:>12,} rows", flush=True, file=sys.stderr)
        return result

    duckdb.store_select = profiled
    with tempfile.TemporaryDirectory(prefix="qunce-bench-profile-run-") as tmp:
        code = bench.simulate_in_process(events, roster, Path(tmp) / "out")
    if profiles is not None:
        print(f"profiles and their SQL in {profiles}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
