"""How fast `qunce events generate` makes synthetic events, and how much memory it needs.

Generates events for a playbook into a temporary folder and prints the wall
time (generation and writing apart), the row count, the file sizes and the
peak RSS of the process. Target: ~10M events (5,000 groups, 1M members, 90
days) in well under a minute on 2 cores, peak RSS under ~3 GB.

    .venv/bin/python bench/generate.py                       # 5000 groups, 1M members, 90 days, Parquet
    .venv/bin/python bench/generate.py --groups 200 --members 20000 --days 30 --format csv
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

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
    args = parser.parse_args(argv)

    from qunce.events.generate import generate, summarize
    from qunce.events.writers import write_pair
    from qunce.load import load_playbook

    playbook = load_playbook(args.playbook).playbook
    if playbook is None:
        print(f"cannot load {args.playbook}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="qunce-bench-") as folder:
        events = Path(folder) / f"events.{args.format}"
        roster_path = events.with_name(f"{events.stem}.roster.yaml")
        began = time.perf_counter()
        table, roster = generate(playbook, args.groups, args.members, args.days, args.start, args.seed)
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


if __name__ == "__main__":
    sys.exit(main())
