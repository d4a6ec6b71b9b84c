"""Small runs against start-up: `qunce simulate` and `qunce explain --member` on the 16 events of
docs/examples/simulate, and `qunce simulate` on the demo's month, side by side with the baseline
`python -c "import ibis, duckdb, pyarrow"` (the start-up any Ibis-on-DuckDB command pays).

Each round runs, as whole processes and one after the other: the baseline; then every command
twice, cold (`QUNCE_NO_CACHE=1`: the events read and checked, every stage computed) and cached
(the events, and the group and member stages, taken from the cache filled by the untimed warm-up
round). "demo simulate, a weight changed" is the what-if loop: the demo's month under the playbook
with two commission weights moved; cached, its events and stages come from the demo's own run
(the stages read no commission), so the commission and the files are computed; "demo diff,
commission only" is `qunce diff` of the two playbooks (one groups and members stage, two
commissions). Medians of `--rounds` rounds; every time
is the wall time of the process. The demo's month is `qunce events generate` on the complete
brand playbook (60 groups, 20,000 members, 31 days from 2027-01-01), made once.

Every process runs with its bytecode cached (in a folder of the bench's, `PYTHONPYCACHEPREFIX`),
as an installed qunce does (pip compiles it when it installs): a development tree run with
`PYTHONDONTWRITEBYTECODE=1` compiles qunce's modules from source at every start, about 1 s of
CPU that no user pays. `--source` runs them as the environment says instead.

Targets (issue "A fast what-if loop", part 1): the example's simulate and explain ≤ 2× the
baseline; the demo's month ≤ 3× (its simulate, and `qunce diff` of the playbook and the reweighted one), and
a weight changed ≤ 2× (cached). `--check` exits 1 when one is missed.
Last, each command runs once more (cached) under `-X importtime`: which of them import pandas.

    .venv/bin/python bench/small_runs.py                  # 5 rounds
    .venv/bin/python bench/small_runs.py --rounds 3 --no-demo
    .venv/bin/python bench/small_runs.py --qunce /tmp/before/qunce   # another copy of the code
    .venv/bin/python bench/small_runs.py --before /tmp/before/qunce  # both, in the same rounds
    .venv/bin/python bench/small_runs.py --cached-only --rounds 9     # the what-if loop alone, more rounds
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "docs" / "examples" / "simulate"
PLAYBOOK = REPO / "playbooks" / "brand-complete.yaml"
BASELINE = [sys.executable, "-c", "import ibis, duckdb, pyarrow"]
TARGETS = {"example": 2.0, "demo": 3.0}


QUNCE: list[str] = []  # --qunce: the command timed as qunce


def qunce() -> list[str]:
    if QUNCE:
        return QUNCE
    script = Path(sys.executable).with_name("qunce")
    return [str(script)] if script.exists() else [sys.executable, "-m", "qunce"]


def timed(args: list[str], env: dict[str, str]) -> float:
    """The process's wall time (bench/rerun.py's runner too)."""
    return measured(args, env)[0]


def measured(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """The process's wall time and its CPU time (user + system: steadier on a shared machine)."""
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr.decode()}")
    return seconds, (after.ru_utime - used.ru_utime) + (after.ru_stime - used.ru_stime)


def commands(work: Path, demo: bool, command: list[str]) -> dict[str, list[str]]:
    """What each round runs (besides the baseline) with the qunce `command`, by name; the name's
    first word is its target."""
    example = ["--events", str(EXAMPLE / "events.csv"), "--roster", str(EXAMPLE / "roster.yaml")]
    runs = {
        "example simulate": [*command, "simulate", str(EXAMPLE / "playbook.yaml"), *example,
                             "--out", str(work / "example")],
        "example explain --member": [*command, "explain", str(EXAMPLE / "playbook.yaml"), *example,
                                     "--member", "m1"],
    }
    if demo:
        data = ["--events", str(work / "events.parquet"), "--roster", str(work / "events.roster.yaml")]
        runs["demo simulate"] = [*command, "simulate", str(PLAYBOOK), *data, "--out", str(work / "demo")]
        # The what-if loop: the same data, one commission weight changed (the stages are reused).
        runs["demo simulate, a weight changed"] = [*command, "simulate", str(reweighted(work)), *data,
                                                   "--out", str(work / "demo-weight")]
        # Two playbooks that differ in their commission alone: one groups and members stage for both.
        runs["demo diff, commission only"] = [*command, "diff", str(PLAYBOOK), str(reweighted(work)), *data]
    return runs


def reweighted(work: Path) -> Path:
    """The complete brand playbook with two KPI weights moved (growth +0.05, churn −0.05)."""
    text = PLAYBOOK.read_text("utf-8")
    for old, new in (("target: 150, weight: 0.25}", "target: 150, weight: 0.3}"),
                     ("target: 0.05, weight: 0.1,", "target: 0.05, weight: 0.05,")):
        if old not in text:
            sys.exit(f"{PLAYBOOK} no longer has {old!r}: update bench/small_runs.py's reweighted()")
        text = text.replace(old, new)
    path = work / "reweighted.yaml"
    path.write_text(text, "utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-demo", action="store_true", help="the 16-event example only")
    parser.add_argument("--cached-only", action="store_true",
                        help="only the cached runs (the what-if loop), so more rounds fit in the time")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--source", action="store_true",
                        help="no bytecode cache of the bench's own (as PYTHONDONTWRITEBYTECODE says)")
    parser.add_argument("--qunce", help="the qunce command to time (default: the one beside this interpreter), "
                                         "e.g. a launcher of another copy of the code, for before/after figures")
    parser.add_argument("--before", help="another qunce command timed in the same rounds (rows 'before: …'), "
                                          "e.g. a launcher of the code before a change")
    args = parser.parse_args()
    if args.qunce:
        QUNCE.append(args.qunce)
    work = Path(tempfile.mkdtemp(prefix="qunce-bench-small-"))
    try:
        return run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> int:
    env = {**os.environ, "QUNCE_CACHE_DIR": str(work / "cache")}
    env.pop("QUNCE_NO_CACHE", None)
    env.pop("QUNCE_PROFILE", None)
    if not args.source:  # the warm-up round compiles every module once, as installing does
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    cold_env = {**env, "QUNCE_NO_CACHE": "1"}
    if not args.no_demo:
        subprocess.run([*qunce(), "events", "generate", str(PLAYBOOK), "--out", str(work / "events.parquet"),
                        "--groups", "60", "--members", "20000", "--days", "31", "--start", "2027-01-01"],
                       check=True, stdout=subprocess.DEVNULL, cwd=REPO, env=env)
        import pyarrow.parquet as pq

        rows = pq.ParquetFile(work / "events.parquet").metadata.num_rows
        print(f"demo's month: {rows:,} events (60 groups, 20,000 members, 31 days)")
    runs = commands(work, not args.no_demo, qunce())
    if args.before:
        runs |= {f"before: {name}": argv for name, argv in commands(work, not args.no_demo, [args.before]).items()}
    times: dict[str, list[float]] = {"baseline": []}
    cpu: dict[str, list[float]] = {"baseline": []}
    for round_ in range(args.rounds + 1):
        found = {"baseline": measured(BASELINE, env)}
        for name, argv in runs.items():
            if not args.cached_only:
                found[f"{name} (cold)"] = measured(argv, cold_env)
            found[f"{name} (cached)"] = measured(argv, env)
        if round_:  # the first round warms the disk, the interpreter's caches and the events cache
            for name, (seconds, used) in found.items():
                times.setdefault(name, []).append(seconds)
                cpu.setdefault(name, []).append(used)
    median = {name: statistics.median(values) for name, values in times.items()}
    base = median["baseline"]
    cpu_base = statistics.median(cpu["baseline"])
    print(f"medians of {args.rounds} rounds (after a warm-up); wall time of whole processes, then their CPU time")
    missed = []
    for name, seconds in median.items():
        target = None if name.startswith("before:") else TARGETS.get(name.split()[0])
        if "weight" in name:
            target = 2.0 if name.endswith("(cached)") else None
        ratio = seconds / base
        verdict = "" if target is None else f"  target ≤ {target:g}×: {'met' if ratio <= target else 'MISSED'}"
        used = statistics.median(cpu[name])
        print(f"  {name:44} {seconds:6.2f} s  {ratio:5.2f}× baseline"
              f"  (min {min(times[name]):.2f}, max {max(times[name]):.2f}){verdict}"
              f"  | CPU {used:5.2f} s {used / cpu_base:5.2f}×")
        if target is not None and ratio > target:
            missed.append(name)
    print(f"pandas (~0.2 s to import, needed by none of them) imported by: {', '.join(pandas_importers(runs, env)) or 'none'}")
    return 1 if args.check and missed else 0


def pandas_importers(runs: dict[str, list[str]], env: dict[str, str]) -> list[str]:
    """The commands (cached, each once more) whose process imports pandas, by `-X importtime`."""
    import re

    found = []
    for name, argv in runs.items():
        command = argv[1:] if argv[0] == sys.executable else argv  # the qunce script: a Python file
        done = subprocess.run([sys.executable, "-X", "importtime", *command], env=env, capture_output=True, cwd=REPO)
        if re.search(rb"\|\s+pandas\s*$", done.stderr, re.MULTILINE):
            found.append(name)
    return found


if __name__ == "__main__":
    sys.exit(main())
