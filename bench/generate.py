"""How fast `qunce events generate` makes synthetic events, and how much memory it needs.

Generates events for a playbook into a temporary folder and prints the wall
time (generation and writing apart), the row count, the file sizes and the
peak RSS of the process. Target: ~10M events (5,000 groups, 1M members, 90
days) in well under a minute on 2 cores, peak RSS under ~3 GB.

    .venv/bin/python bench/generate.py                       # 5000 groups, 1M members, 90 days, Parquet
    .venv/bin/python bench/generate.py --groups 200 --members 20000 --days 30 --format csv
    .venv/bin/python bench/generate.py --compare 3   # generation with the SOP carried out ÷ without, medians

Staff carry out the playbook's SOP (the task list's tasks, events/generate_sop.py) and follow up the
promotions and churn warnings the simulation finds (events/generate_follow_ups.py), as the command
does, unless --no-sop.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=5000)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2027, 1, 4))
    parser.add_argument("--format", choices=("parquet", "csv", "jsonl"), default="parquet")
    parser.add_argument("--playbook", type=Path, default=REPO / "playbooks" / "brand-complete.yaml")
    parser.add_argument("--no-sop", action="store_true", help="staff post at random (no SOP tasks)")
    parser.add_argument("--compare", type=int, default=0, metavar="ROUNDS",
                        help="time generation with and without the SOP, alternating, ROUNDS times each")
    args = parser.parse_args(argv)

    from qunce.commands.generated_follow_ups import follow_ups
    from qunce.commands.generated_tasks import staffed_tasks
    from qunce.events.generate import summarize
    from qunce.events.generate_follow_ups import generate_staffed
    from qunce.events.writers import write_pair
    from qunce.load import load_playbook

    playbook = load_playbook(args.playbook).playbook
    if playbook is None:
        print(f"cannot load {args.playbook}", file=sys.stderr)
        return 2
    tasks = None if args.no_sop else staffed_tasks
    if args.compare:
        return compare(playbook, args, staffed_tasks, follow_ups)
    with tempfile.TemporaryDirectory(prefix="qunce-bench-") as folder:
        events = Path(folder) / f"events.{args.format}"
        roster_path = events.with_name(f"{events.stem}.roster.yaml")
        began = time.perf_counter()
        table, roster = generate_staffed(playbook, args.groups, args.members, args.days, args.start, args.seed, tasks,
                                         follow_ups)
        generated = time.perf_counter()
        write_pair(table, roster, events, roster_path)
        done = time.perf_counter()
        summary = summarize(table, roster, args.members, args.start, args.days, events.stat().st_size)
        roster_bytes = roster_path.stat().st_size
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"input      {args.groups} groups, {args.members} members, {args.days} days, seed {args.seed}, "
          f"{args.playbook.name}")
    print(f"wall       {done - began:.2f} s  (generate {generated - began:.2f} s, write {done - generated:.2f} s)")
    print(f"rows       {summary.rows:,}  ({summary.rows / (done - began):,.0f} rows/s)")
    print(f"bytes      {summary.bytes:,} ({args.format}) + {roster_bytes:,} (roster: {summary.groups} groups, "
          f"{summary.staff} staff, {summary.assignments} assignments)")
    print(f"peak RSS   {peak_mb:,.0f} MB")
    print("by type    " + ", ".join(f"{k} {v:,}" for k, v in summary.by_type.items()))
    return 0


def compare(playbook: Any, args: argparse.Namespace, tasks: Any, follow_ups: Any) -> int:
    """Generation alone (no writing), without and with the SOP (its tasks and the follow-ups) in
    turn; medians and their ratio."""
    import statistics

    import ibis  # noqa: F401  (imported once, outside the timings: the command imports it anyway)

    from qunce.events.generate_follow_ups import generate_staffed

    times: dict[str, list[float]] = {"without": [], "with": []}
    rows: dict[str, int] = {}
    for _ in range(args.compare):
        for name, source in (("without", None), ("with", tasks)):
            began = time.perf_counter()
            table, _ = generate_staffed(playbook, args.groups, args.members, args.days, args.start, args.seed,
                                        source, follow_ups)
            times[name].append(time.perf_counter() - began)
            rows[name] = table.num_rows
            del table
    base, sop = statistics.median(times["without"]), statistics.median(times["with"])
    print(f"input      {args.groups} groups, {args.members} members, {args.days} days, seed {args.seed}, "
          f"{args.playbook.name}, {args.compare} rounds")
    print(f"without    {base:.2f} s  {rows['without']:,} rows  ({', '.join(f'{t:.2f}' for t in times['without'])})")
    print(f"with SOP   {sop:.2f} s  {rows['with']:,} rows  ({', '.join(f'{t:.2f}' for t in times['with'])})")
    print(f"ratio      {sop / base:.2f}× time, {rows['with'] / rows['without']:.2f}× rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
