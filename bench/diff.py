"""The commission stage and `qunce diff` against `qunce simulate` on the same events.

Uses bench/simulate.py's cached events (~10M at scale 1, generated when missing). Alternating
for `--rounds` rounds, in separate processes:

  (a) `qunce simulate PLAYBOOK …`: wall time, and its `commission` stage from timings.json;
  (b) the same without the playbook's `commission:` section: what the commission costs in all
      (its stage, its three tables and one Markdown statement per staff member) is (a) − (b);
  (c) `qunce diff PLAYBOOK CHANGED …`: CHANGED is the playbook with a higher commission pool and
      a lower promotion bar, so payouts and levels both move.

Targets (issue "Commission"): the commission adds less than 20% to the simulation; a diff costs
at most about twice one simulation (the events are read and checked once). With
`--commission-only`, CHANGED differs from PLAYBOOK in its pool alone: the diff reuses the groups
and members and runs the commission twice (issue "A fast what-if loop": at most 1.3× one
simulation). Every run is `--no-cache` (the events read and every stage computed): what a run
costs without the cache of an earlier one.

    .venv/bin/python bench/diff.py                  # 10M events, 3 rounds
    .venv/bin/python bench/diff.py --scale 0.1      # ~1M events, quick
    .venv/bin/python bench/diff.py --no-diff        # (a) and (b) only: the commission's share
    .venv/bin/python bench/diff.py --commission-only --rounds 2
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import simulate as bench  # bench/simulate.py: the cached events and the process timer

TARGET_COMMISSION_SHARE = 0.20
TARGET_DIFF_RATIO = 2.0
TARGET_COMMISSION_ONLY_RATIO = 1.3


def changed_playbook(folder: Path, commission_only: bool = False) -> Path:
    text = bench.PLAYBOOK.read_text(encoding="utf-8")
    changes = [("pool: {per_group: 800}", "pool: {per_group: 900}")]
    if not commission_only:
        changes.append(("promote_when: points_90d >= 300", "promote_when: points_90d >= 250"))
    for old, new in changes:
        if old not in text:
            raise SystemExit(f"bench/diff.py: {bench.PLAYBOOK} no longer contains {old!r}; update the bench")
        text = text.replace(old, new)
    path = folder / "changed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def without_commission(folder: Path) -> Path:
    lines = bench.PLAYBOOK.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("commission:"))
    stop = next((i for i in range(start + 1, len(lines)) if lines[i][:1].isalpha()), len(lines))
    path = folder / "no-commission.yaml"
    path.write_text("".join(lines[:start] + lines[stop:]), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = ~10M events")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=None, help="events cache (default: bench/simulate.py's)")
    parser.add_argument("--no-diff", action="store_true", help="only (a) and (b): the commission's share")
    parser.add_argument("--commission-only", action="store_true",
                        help="CHANGED differs in the commission's pool alone (the stages are reused)")
    args = parser.parse_args(argv)
    cache = (args.cache or bench.default_cache()) / f"scale-{args.scale:g}"
    events, roster = bench.ensure_events(cache, args.scale)
    qunce = bench.qunce_argv()
    env = dict(os.environ)
    data = ["--events", str(events), "--roster", str(roster), "--no-cache"]
    walls: dict[str, list[float]] = {"simulate": [], "plain": [], "diff": []}
    peaks: dict[str, list[float]] = {"simulate": [], "plain": [], "diff": []}
    cpus: dict[str, list[float]] = {"simulate": [], "plain": [], "diff": []}
    commission_s: list[float] = []
    write_s: dict[str, list[float]] = {"simulate": [], "plain": []}
    with tempfile.TemporaryDirectory(prefix="qunce-bench-diff-") as tmp:
        folder = Path(tmp)
        changed = changed_playbook(folder, args.commission_only)
        plain = without_commission(folder)
        out = folder / "sim"
        runs = {
            "simulate": [*qunce, "simulate", str(bench.PLAYBOOK), *data, "--out", str(out)],
            "plain": [*qunce, "simulate", str(plain), *data, "--out", str(folder / "plain")],
            "diff": [*qunce, "diff", str(bench.PLAYBOOK), str(changed), *data, "--format", "json", "--out",
                     str(folder / "diff.json")],
        }
        if args.no_diff:
            del runs["diff"]
        for round_no in range(1, args.rounds + 1):
            for name, argv in runs.items():
                child = bench.run_child(argv, bench.REPO, env)
                if child.code != 0:
                    print(child.err, file=sys.stderr)
                    return 1
                walls[name].append(child.wall)
                peaks[name].append(child.peak_mb)
                cpus[name].append(child.cpu)
            commission_s.append(bench.read_timings(out).get("commission", float("nan")))
            for name, folder_out in (("simulate", out), ("plain", folder / "plain")):
                write_s[name].append(bench.read_timings(folder_out).get("write", float("nan")))
            print(f"round {round_no}: simulate {walls['simulate'][-1]:.1f} s (commission stage {commission_s[-1]:.2f} s, "
                  f"write {write_s['simulate'][-1]:.1f} s), without commission {walls['plain'][-1]:.1f} s (write "
                  f"{write_s['plain'][-1]:.1f} s): +{walls['simulate'][-1] / walls['plain'][-1] - 1:.1%} wall, "
                  f"+{cpus['simulate'][-1] / cpus['plain'][-1] - 1:.1%} CPU"
                  + (f", diff {walls['diff'][-1]:.1f} s" if walls["diff"] else ""), flush=True)
    sim, bare = (statistics.median(walls[name]) for name in ("simulate", "plain"))
    dif = statistics.median(walls["diff"]) if walls["diff"] else float("nan")
    com = statistics.median(commission_s)
    share, ratio = sim / bare - 1, dif / sim
    # Each round runs both side by side: the median of the rounds' own ratios is less exposed
    # to a machine whose speed drifts between rounds than the ratio of the medians.
    paired = statistics.median(a / b - 1 for a, b in zip(walls["simulate"], walls["plain"], strict=True))
    print()
    cpu = {name: statistics.median(values) for name, values in cpus.items() if values}
    print(f"{'':28}{'median s':>10}{'peak MB':>10}{'CPU s':>10}")
    print(f"{'qunce simulate':28}{sim:10.2f}{max(peaks['simulate']):10,.0f}{cpu['simulate']:10.2f}")
    print(f"{'  of which commission stage':28}{com:10.2f}")
    print(f"{'  write stage':28}{statistics.median(write_s['simulate']):10.2f}")
    print(f"{'without commission:':28}{bare:10.2f}{max(peaks['plain']):10,.0f}{cpu['plain']:10.2f}")
    print(f"{'  write stage':28}{statistics.median(write_s['plain']):10.2f}")
    if walls["diff"]:
        print(f"{'qunce diff (two playbooks)':28}{dif:10.2f}{max(peaks['diff']):10,.0f}{cpu['diff']:10.2f}")
    print()
    print(f"commission adds {share:.1%} to the simulation without it (ratio of the medians; median of the "
          f"rounds' own ratios {paired:.1%}; target < {TARGET_COMMISSION_SHARE:.0%}): "
          + ("met" if max(share, paired) < TARGET_COMMISSION_SHARE else "MISSED"))
    print(f"in CPU time (user + system; steadier on a shared machine): "
          f"+{cpu['simulate'] / cpu['plain'] - 1:.1%}")
    if walls["diff"]:
        target = TARGET_COMMISSION_ONLY_RATIO if args.commission_only else TARGET_DIFF_RATIO
        print(f"diff / simulate = {ratio:.2f}x (target <= {target:g}x"
              + (", the commission alone changed" if args.commission_only else "") + "): "
              + ("met" if ratio <= target else "MISSED"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
