"""The simulator's member stage alone (points ledger, features, levels, segments, churn), timed
in-process over events read once, and its four outputs written for comparison.

    .venv/bin/python bench/members.py EVENTS ROSTER [--rounds 3] [--out DIR] [--no-cache]

Run it twice, once with PYTHONPATH pointing at another checkout's package (a `qunce` folder:
the code before a change; `--playbook` that checkout's copy when the playbook model changed
since), to compare the two side by side; `--out` writes points_ledger, member_levels, segments,
churn_warnings and each period's features as Parquet (sorted as `simulate` sorts them) and
`--compare A B` says whether two such folders hold equal tables (schemas included). Under
QUNCE_PROFILE=1 each stored step prints its time and CPU; on a shared machine compare the CPU.
`--no-cache` reads the events from the file as `simulate --no-cache` does (a view over them,
not the events cache's table).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLAYBOOK = REPO / "playbooks" / "brand-complete.yaml"
OUTPUTS = {"points_ledger": ["member_id", "seq"], "member_levels": ["member_id", "period_end"],
           "segments": ["period", "member_id"], "churn_warnings": ["period", "warning", "group_id", "member_id"]}


def _run(events: Path, roster: Path, rounds: int, out: Path | None, playbook_path: Path, cache: bool) -> None:
    import os

    import qunce
    from qunce.commands.data import DataCheck, DataRequest, load
    from qunce.commands.playbook import check
    from qunce.gc_pause import gc_paused
    from qunce.simulate.members import simulate_members

    print(f"qunce from {Path(qunce.__file__).parent}", file=sys.stderr)
    playbook = check(playbook_path).playbook
    ctx = load(playbook, DataRequest(events, roster, cache=cache), DataCheck())
    assert ctx is not None
    times = []
    result = None
    for number in range(rounds):
        began = time.perf_counter()
        with gc_paused():
            result = simulate_members(ctx, tag=f"_b{number}")
        times.append(time.perf_counter() - began)
        print(f"round {number + 1}: members {times[-1]:.2f} s", file=sys.stderr)
    print(f"members median {statistics.median(times):.2f} s over {rounds} (pid {os.getpid()})")
    if out is not None and result is not None:
        out.mkdir(parents=True, exist_ok=True)
        tables = {"points_ledger": result.ledger, "member_levels": result.levels, "segments": result.segments,
                  "churn_warnings": result.churn}
        # The features of each period too: the same columns, types and values before and after.
        tables |= {f"features_{label}": table.order_by("member_id") for label, table in result.features.items()}
        for name, table in tables.items():
            if table is not None:
                ordered = table.order_by(OUTPUTS[name]) if name in OUTPUTS else table
                ctx.con.raw_sql(f"COPY ({ordered.compile()}) TO '{out / name}.parquet' "
                                "(FORMAT parquet)")


def _compare(a: Path, b: Path) -> int:
    import pyarrow.parquet as pq

    bad = 0
    for name in sorted({p.stem for p in [*a.glob("*.parquet"), *b.glob("*.parquet")]}):
        x, y = a / f"{name}.parquet", b / f"{name}.parquet"
        same = x.exists() and y.exists() and pq.read_table(x).equals(pq.read_table(y))
        print(f"{name}: {'equal' if same else 'DIFFERENT'}")
        bad += not same
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs=2, type=Path, help="EVENTS ROSTER, or with --compare two output folders")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--no-cache", action="store_true", help="the events read from the file (a view), as --no-cache")
    parser.add_argument("--playbook", type=Path, default=PLAYBOOK, help="(the other checkout's, for an older model)")
    args = parser.parse_args()
    if args.compare:
        return _compare(*args.paths)
    _run(args.paths[0], args.paths[1], args.rounds, args.out, args.playbook, not args.no_cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
