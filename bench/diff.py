"""The commission stage and `qunce diff` against `qunce simulate` on the same events.

Uses bench/simulate.py's cached events (~10M at scale 1, generated when missing). Alternating
for `--rounds` rounds, in separate processes:

  (a) `qunce simulate PLAYBOOK …`: wall time, and its `commission` stage from timings.json;
  (b) the same without the playbook's `commission:` section: what the commission costs in all
      (its stage, its three tables and one Markdown statement per staff member) is (a) − (b);
  (c) `qunce diff PLAYBOOK CHANGED …`: CHANGED is the playbook with a higher commission pool and
      a lower promotion bar, so payouts and levels both move.

Targets (issue "Commission"): the commission adds less than 20% to the simulation; a diff costs
at most about twice one simulation (the events are read and checked once).

    .venv/bin/python bench/diff.py                  # 10M events, 3 rounds
    .venv/bin/python bench/diff.py --scale 0.1      # ~1M events, quick
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


def changed_playbook(folder: Path) -> Path:
    text = bench.PLAYBOOK.read_text(encoding="utf-8")
    for old, new in (("pool: {per_group: 800}", "pool: {per_group: 900}"),
                     ("promote_when: points_90d >= 300", "promote_when: points_90d >= 250")):
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
    args = parser.parse_args(argv)
    cache = (args.cache or bench.default_cache()) / f"scale-{args.scale:g}"
    events, roster = bench.ensure_events(cache, args.scale)
    qunce = bench.qunce_argv()
    env = dict(os.environ)
    data = ["--events", str(events), "--roster", str(roster)]
    walls: dict[str, list[float]] = {"simulate": [], "plain": [], "diff": []}
    peaks: dict[str, list[float]] = {"simulate": [], "plain": [], "diff": []}
    commission_s: list[float] = []
    with tempfile.TemporaryDirectory(prefix="qunce-bench-diff-") as tmp:
        folder = Path(tmp)
        changed = changed_playbook(folder)
        plain = without_commission(folder)
        out = folder / "sim"
        runs = {
            "simulate": [*qunce, "simulate", str(bench.PLAYBOOK), *data, "--out", str(out)],
            "plain": [*qunce, "simulate", str(plain), *data, "--out", str(folder / "plain")],
            "diff": [*qunce, "diff", str(bench.PLAYBOOK), str(changed), *data, "--format", "json", "--out",
                     str(folder / "diff.json")],
        }
        for round_no in range(1, args.rounds + 1):
            for name, argv in runs.items():
                wall, rss, code, err = bench.measured(argv, bench.REPO, env)
                if code != 0:
                    print(err, file=sys.stderr)
                    return 1
                walls[name].append(wall)
                peaks[name].append(rss)
            commission_s.append(bench.read_timings(out).get("commission", float("nan")))
            print(f"round {round_no}: simulate {walls['simulate'][-1]:.1f} s (commission stage {commission_s[-1]:.2f} s), "
                  f"without commission {walls['plain'][-1]:.1f} s, diff {walls['diff'][-1]:.1f} s", flush=True)
    sim, bare, dif = (statistics.median(walls[name]) for name in ("simulate", "plain", "diff"))
    com = statistics.median(commission_s)
    share, ratio = sim / bare - 1, dif / sim
    print()
    print(f"{'':28}{'median s':>10}{'peak MB':>10}")
    print(f"{'qunce simulate':28}{sim:10.2f}{max(peaks['simulate']):10,.0f}")
    print(f"{'  of which commission stage':28}{com:10.2f}")
    print(f"{'without commission:':28}{bare:10.2f}{max(peaks['plain']):10,.0f}")
    print(f"{'qunce diff (two playbooks)':28}{dif:10.2f}{max(peaks['diff']):10,.0f}")
    print()
    print(f"commission adds {share:.1%} to the simulation without it (target < {TARGET_COMMISSION_SHARE:.0%}): "
          + ("met" if share < TARGET_COMMISSION_SHARE else "MISSED"))
    print(f"diff / simulate = {ratio:.2f}x (target <= {TARGET_DIFF_RATIO:.0f}x): "
          + ("met" if ratio <= TARGET_DIFF_RATIO else "MISSED"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
