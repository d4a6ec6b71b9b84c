"""The SOP assessment's cost (issue "SOP 考核"): `qunce simulate` of the complete brand playbook
on bench/simulate.py's events (scale 1: ~10M events, 2,700 groups, 90 days) side by side with
the same playbook without its `sop:` section (no assessment), as whole processes, alternating
rounds, medians. Target: the assessment adds at most 15% (`--check` exits 1 otherwise).

Both runs write Parquet only and read the events afresh (`--no-cache`): the difference is the
assessment (expanding the SOP over the window, matching the tasks with the events, the
statuses, the compliance) and writing its three tables.

    .venv/bin/python bench/sop.py                  # scale 1, 3 rounds
    .venv/bin/python bench/sop.py --scale 0.1      # ~1M events: a quick look
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import simulate as bench  # bench/simulate.py: the events, the child runner

TARGET = 1.15


def without_sop(playbook: Path, target: Path) -> Path:
    """The playbook with its top-level `sop:` section left out (up to the next top-level key)."""
    lines = playbook.read_text("utf-8").splitlines(keepends=True)
    kept, skipping = [], False
    for line in lines:
        top = line[:1].strip() and not line.startswith("#")
        if top:
            skipping = line.startswith("sop:")
        if not skipping:
            kept.append(line)
    if len(kept) == len(lines):
        sys.exit(f"{playbook} has no top-level sop: section")
    target.write_text("".join(kept), "utf-8")
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--events-dir", type=Path, default=None)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    folder = (args.events_dir or bench.default_cache()) / f"scale-{args.scale:g}"
    events, roster = bench.ensure_events(folder, args.scale)
    with tempfile.TemporaryDirectory(prefix="qunce-bench-sop-") as tmp:
        work = Path(tmp)
        plain = without_sop(bench.PLAYBOOK, work / "no-sop.yaml")
        runs = {"with the assessment": bench.PLAYBOOK, "without sop:": plain}
        times: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}  # user + system: steadier on a shared machine
        stages: dict[str, dict[str, list[float]]] = {name: {} for name in runs}
        env = {**os.environ}
        env.pop("QUNCE_PROFILE", None)
        for round_ in range(args.rounds):
            # which goes first alternates: the first run of a round found the machine's caches
            # colder (each run's first round was its slowest pair when the assessment always led)
            order = list(runs.items()) if round_ % 2 == 0 else list(runs.items())[::-1]
            for name, playbook in order:
                out = work / f"out-{round_}-{len(times[name])}-{name[:4]}"
                argv = [*bench.qunce_argv(), "simulate", str(playbook), "--events", str(events), "--roster", str(roster),
                        "--out", str(out), "--formats", "parquet", "--no-cache"]
                child = bench.run_child(argv, bench.REPO, env)
                if child.code != 0:
                    sys.exit(f"{name}: qunce simulate failed:\n{child.err}")
                times[name].append(child.wall)
                cpu[name].append(child.cpu)
                for stage, seconds in bench.read_timings(out).items():
                    stages[name].setdefault(stage, []).append(seconds)
                print(f"round {round_ + 1}: {name:22} {child.wall:7.1f} s  CPU {child.cpu:6.1f} s  "
                      f"peak {child.peak_mb:,.0f} MB", flush=True)
                shutil.rmtree(out, ignore_errors=True)
    median = {name: statistics.median(values) for name, values in times.items()}
    ratio = median["with the assessment"] / median["without sop:"]
    print(f"medians of {args.rounds} rounds: with {median['with the assessment']:.1f} s, without "
          f"{median['without sop:']:.1f} s → {ratio:.3f}× (target ≤ {TARGET}×: {'met' if ratio <= TARGET else 'MISSED'})")
    pairs = [a / b for a, b in zip(times["with the assessment"], times["without sop:"], strict=True)]
    print("each round's ratio: " + ", ".join(f"{pair:.3f}" for pair in pairs) + f"; their median {statistics.median(pairs):.3f}×")
    both = [statistics.median(cpu[name]) for name in runs]
    print(f"CPU time (user + system), medians: with {both[0]:.1f} s, without {both[1]:.1f} s → {both[0] / both[1]:.3f}×")
    # where the difference is: each stage's median (timings.json), with and without
    names = list(dict.fromkeys(stage for by_stage in stages.values() for stage in by_stage))
    print("stage medians (s):  " + "  ".join(f"{stage} {_median(stages, 'with the assessment', stage):.1f}/"
                                             f"{_median(stages, 'without sop:', stage):.1f}" for stage in names))
    return 1 if args.check and ratio > TARGET else 0


def _median(stages: dict[str, dict[str, list[float]]], run: str, stage: str) -> float:
    values = stages[run].get(stage)
    return statistics.median(values) if values else 0.0


if __name__ == "__main__":
    sys.exit(main())
