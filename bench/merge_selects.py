"""Each stored query of a large run compiled with and without Ibis's Select merging, both timed
in place (compute/duckdb.MERGE_FROM): a `qunce simulate` of the complete brand playbook on
bench/simulate.py's events, in this process, where every query a stage stores through its
context is also run both ways (alternating which goes first) into a table dropped at once; then
the run goes on as usual. Prints one line per query whose two SQL texts differ, with the ratio.

Timing a query inside the run, not alone, is the point: at 12M events DuckDB works at its memory
cap, and a query's plan (a CTE it materialises, a join it keeps) costs what it costs there.

    .venv/bin/python bench/merge_selects.py                 # scale 1 (~12M events)
    .venv/bin/python bench/merge_selects.py --scale 0.1 --only sop_evidence,homes
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import simulate as bench  # bench/simulate.py: the events


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--events-dir", type=Path, default=None)
    parser.add_argument("--only", default="", help="the stored tables to compare (names as QUNCE_PROFILE prints them)")
    args = parser.parse_args()
    folder = (args.events_dir or bench.default_cache()) / f"scale-{args.scale:g}"
    events, roster = bench.ensure_events(folder, args.scale)
    only = {name for name in args.only.split(",") if name}

    import qunce.compute.duckdb as duckdb
    import qunce.simulate.context as context

    stored_union = context.SimContext.stored_union
    compared = [0]

    def both_ways(self: Any, name: str, parts: list[Any]) -> Any:
        for i, part in enumerate(parts if not only or name in only else []):
            merged_before = duckdb.merges_selects(self.con)
            sqls = {}
            for merge in (False, True):
                duckdb.merge_selects(self.con, merge)
                sqls[merge] = duckdb.compiled(self.con, part)
            duckdb.merge_selects(self.con, merged_before)
            if sqls[False] == sqls[True]:
                continue
            times = {}
            for merge in ((False, True) if compared[0] % 2 == 0 else (True, False)):
                start = time.perf_counter()
                self.con.con.execute(f"CREATE TEMP TABLE qunce_bench_merge AS {sqls[merge]}")
                times[merge] = time.perf_counter() - start
                self.con.con.execute("DROP TABLE qunce_bench_merge")
            compared[0] += 1
            print(f"{name}[{i}]: unmerged {times[False]:6.2f} s  merged {times[True]:6.2f} s  "
                  f"unmerged/merged {times[False] / max(times[True], 1e-3):5.2f}", flush=True)
        return stored_union(self, name, parts)

    context.SimContext.stored_union = both_ways  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory(prefix="qunce-bench-merge-") as tmp:
        return bench.simulate_in_process(events, roster, Path(tmp) / "out")


if __name__ == "__main__":
    sys.exit(main())
