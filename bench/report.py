"""`qunce report` against the simulation whose folder it reads, and on the demo's month.

(1) At scale 1, ~10M events (2,700 groups, 540,000 members, 90 days of
`playbooks/brand-complete.yaml`: the generator aims each group at the commission plan's KPI
targets, which about doubles the events bench/simulate.py's 5,000 groups and 1M members made
before; the actual count is printed). `qunce simulate --formats parquet` runs once, timed as a
process (QUNCE_NO_CACHE=1: its events read and checked, not taken from the events cache); then,
after an untimed warm-up, for `--rounds` rounds: `qunce report SIM_DIR` as a process
(interpreter and imports included) and the same page made in this process (open the folder,
each section, render, write), timed stage by stage. The figure: the report's median ÷
the simulation's time. Target (issue 18, "Speed"): at most 0.10.

(2) The demo's month (`qunce demo DIR`, its `simulation/` folder): alternating for `--rounds`
rounds, `python -c "import ibis, duckdb, pyarrow"` (the start-up any DuckDB-on-Ibis command
pays) and `qunce report DIR/simulation`, both as processes. Target: well under 5 s.

Every round's page must have the same bytes (the bench says so and fails otherwise).

    .venv/bin/python bench/report.py                          # ~10M events, 5 rounds, then the demo
    .venv/bin/python bench/report.py --quick                  # ~170k events, 3 rounds: a smoke run
    .venv/bin/python bench/report.py --sim-dir DIR --no-demo  # an existing output folder only
    .venv/bin/python bench/report.py --events-dir /tmp/ev     # keep the generated events there

See bench/README.md for what the figures mean.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import simulate as bench  # bench/simulate.py: the playbook, the process timer, how to start qunce

# At scale 1 about 10M events (9.28M from 2,500 groups and 500,000 members measured 2026-12-06).
GROUPS, MEMBERS, DAYS = 2700, 540_000, 90
QUICK_SCALE = 0.02  # ~170k events: seconds, for a smoke run
TARGET_RATIO = 0.10  # report ÷ simulation, at scale 1
TARGET_DEMO_SECONDS = 5.0
BASELINE = "import ibis, duckdb, pyarrow"


def ensure_events(folder: Path, scale: float) -> tuple[Path, Path, int]:
    """The events and roster for `scale` under `folder` (generated when missing), and their count."""
    import pyarrow.parquet as pq

    groups, members = max(1, round(GROUPS * scale)), max(1, round(MEMBERS * scale))
    folder = folder / f"{groups}-groups-{members}-members-{DAYS}-days"  # what the events are, not how they were asked
    events, roster = folder / "events.parquet", folder / "events.roster.yaml"
    if events.is_file() and roster.is_file():
        print(f"events   {events} (cached; delete it to regenerate)")
    else:
        folder.mkdir(parents=True, exist_ok=True)
        print(f"events   generating {groups:,} groups, {members:,} members, {DAYS} days into {folder} ...", flush=True)
        began = time.perf_counter()
        subprocess.run([*bench.qunce_argv(), "events", "generate", str(bench.PLAYBOOK), "--groups", str(groups),
                        "--members", str(members), "--days", str(DAYS), "--start", bench.START.isoformat(),
                        "--seed", str(bench.SEED), "--out", str(events)], check=True, stdout=subprocess.DEVNULL)
        print(f"events   generated in {time.perf_counter() - began:.1f} s")
    count = pq.read_metadata(events).num_rows
    print(f"events   {count:,} events ({events.stat().st_size / 1e6:,.0f} MB)")
    return events, roster, count


def simulate(events: Path, roster: Path, out: Path, env: dict[str, str]) -> bench.Child:
    print("simulate qunce simulate --formats parquet (once) ...", flush=True)
    child = bench.run_child([*bench.qunce_argv(), "simulate", str(bench.PLAYBOOK), "--events", str(events),
                             "--roster", str(roster), "--out", str(out), "--formats", "parquet"], out.parent, env)
    if child.code != 0:
        raise SystemExit(f"qunce simulate exited {child.code}: {child.err.strip()[-2000:]}")
    print(f"simulate {child.wall:.2f} s, peak {child.peak_mb:,.0f} MB")
    return child


def report_child(sim_dir: Path, out: Path, env: dict[str, str]) -> tuple[bench.Child, str]:
    """`qunce report` as a process: its measures and the page's digest."""
    child = bench.run_child([*bench.qunce_argv(), "report", str(sim_dir), "--out", str(out)], out.parent, env)
    if child.code != 0:
        raise SystemExit(f"qunce report exited {child.code}: {child.err.strip()[-2000:]}")
    return child, hashlib.sha256(out.read_bytes()).hexdigest()


def report_in_process(sim_dir: Path, out: Path) -> tuple[dict[str, float], str]:
    """The page made in this process as `commands/report.run` makes it, each stage timed: open
    the folder (views, summary.json), each section (its queries and options), render, write."""
    from qunce.files import write_text_atomic
    from qunce.report.folder import open_folder
    from qunce.report.page import SECTIONS, render

    stages: dict[str, float] = {}
    began = mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        stages[name] = now - mark
        mark = now

    folder = open_folder(sim_dir, None)
    lap("open folder")
    sections = []
    for make in SECTIONS:
        section = make(folder)
        lap(f"section {make.__module__.rsplit('.', 1)[-1]}")
        if section is not None:
            sections.append(section)
    html = render(folder, sections, out)
    lap("render")
    write_text_atomic(out, html)
    lap("write")
    folder.con.close()
    stages["total"] = time.perf_counter() - began
    return stages, hashlib.sha256(html.encode("utf-8")).hexdigest()


def baseline_child(env: dict[str, str], cwd: Path) -> bench.Child:
    child = bench.run_child([sys.executable, "-c", BASELINE], cwd, env)
    if child.code != 0:
        raise SystemExit(f"the baseline `python -c {BASELINE!r}` exited {child.code}: {child.err.strip()[-2000:]}")
    return child


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def spread(values: list[float]) -> str:
    return f"median {median(values):6.2f} s (min {min(values):.2f}, max {max(values):.2f}, {len(values)} rounds)"


def bench_simulation(args: argparse.Namespace, work: Path, env: dict[str, str]) -> list[str]:
    """(1): the report against the simulation. Returns the targets missed."""
    simulation: bench.Child | None = None
    if args.sim_dir:
        sim_dir = args.sim_dir
        print(f"folder   {sim_dir} (given: no simulation timed)")
    else:
        scale = QUICK_SCALE if args.quick and args.scale is None else (args.scale or 1.0)
        events, roster, _ = ensure_events(args.events_dir or work / "events", scale)
        with events.open("rb") as handle:  # into the OS file cache: the simulation reads it warm
            while handle.read(1 << 24):
                pass
        sim_dir = work / "simulation"
        simulation = simulate(events, roster, sim_dir, env)
    size = sum(p.stat().st_size for p in sim_dir.glob("*.parquet"))
    print(f"folder   {size / 1e6:,.0f} MB of Parquet tables")

    page = work / "report.html"
    _, digest = report_child(sim_dir, page, env)  # warm-up: the tables in the OS file cache
    digests = {digest, report_in_process(sim_dir, page)[1]}  # and this process's imports done
    walls: list[float] = []
    peaks: list[float] = []
    stages: dict[str, list[float]] = {}
    for round_no in range(1, args.rounds + 1):
        child, digest = report_child(sim_dir, page, env)
        digests.add(digest)
        walls.append(child.wall)
        peaks.append(child.peak_mb)
        inner, digest = report_in_process(sim_dir, page)
        digests.add(digest)
        for name, value in inner.items():
            stages.setdefault(name, []).append(value)
        print(f"round {round_no}: qunce report {child.wall:6.2f} s {child.peak_mb:6,.0f} MB"
              f" | in process {inner['total']:6.2f} s", flush=True)
    print(f"page     {page.stat().st_size / 1e3:,.0f} KB; the same bytes every round: "
          f"{'yes' if len(digests) == 1 else 'NO'}")

    print()
    print(f"qunce report (process)      {spread(walls)}, peak {median(peaks):,.0f} MB")
    print(f"in process                  {spread(stages['total'])}")
    for name, values in stages.items():
        if name != "total":
            print(f"  {name:<25} median {median(values):6.3f} s")
    missed = [] if len(digests) == 1 else ["the page's bytes differ between rounds"]
    if simulation is not None:
        ratio = median(walls) / simulation.wall
        print(f"qunce simulate (once)       {simulation.wall:6.2f} s, peak {simulation.peak_mb:,.0f} MB")
        print(f"report ÷ simulation         {ratio:.3f} (process), {median(stages['total']) / simulation.wall:.3f} "
              f"(in process); target <= {TARGET_RATIO:.2f} at scale 1: "
              + ("ok" if ratio <= TARGET_RATIO else "MISSED"))
        if ratio > TARGET_RATIO and (args.scale or 1.0) == 1.0 and not args.quick:
            missed.append(f"report ÷ simulation {ratio:.3f} > {TARGET_RATIO:.2f}")
    return missed


def bench_demo(args: argparse.Namespace, work: Path, env: dict[str, str]) -> list[str]:
    """(2): the report on the demo's month against the start-up baseline. Returns the targets missed."""
    demo = work / "demo"
    began = time.perf_counter()
    subprocess.run([*bench.qunce_argv(), "demo", str(demo)], check=True, stdout=subprocess.DEVNULL, env=env)
    print(f"\ndemo     qunce demo in {time.perf_counter() - began:.1f} s; its simulation/ is the input")
    page = work / "demo-report.html"
    report_child(demo / "simulation", page, env)  # warm-up
    baseline_child(env, work)
    walls: list[float] = []
    bases: list[float] = []
    for round_no in range(1, args.rounds + 1):
        base = baseline_child(env, work)
        child, _ = report_child(demo / "simulation", page, env)
        bases.append(base.wall)
        walls.append(child.wall)
        print(f"round {round_no}: baseline {base.wall:5.2f} s | qunce report {child.wall:5.2f} s "
              f"{child.peak_mb:5,.0f} MB", flush=True)
    print()
    print(f"baseline: python -c {BASELINE!r}  {spread(bases)}")
    print(f"qunce report (demo)         {spread(walls)}")
    ratio = median(walls) / median(bases)
    ok = median(walls) < TARGET_DEMO_SECONDS
    print(f"report ÷ baseline           {ratio:.2f}x; target well under {TARGET_DEMO_SECONDS:g} s: "
          + ("ok" if ok else "MISSED"))
    return [] if ok else [f"demo report {median(walls):.2f} s >= {TARGET_DEMO_SECONDS:g} s"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed report rounds (default 5; 3 with --quick)")
    parser.add_argument("--scale", type=float, default=None,
                        help=f"events relative to ~10M ({GROUPS:,} groups, {MEMBERS:,} members, {DAYS} days; default 1)")
    parser.add_argument("--quick", action="store_true", help=f"a smoke run: --scale {QUICK_SCALE:g}, 3 rounds")
    parser.add_argument("--events-dir", type=Path, default=None,
                        help="keep the generated events in this folder (default: a temporary one, deleted)")
    parser.add_argument("--sim-dir", type=Path, default=None, help="report on this output folder (no simulation)")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo's month")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (printed)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    if args.quick and "--rounds" not in (argv or sys.argv[1:]):
        args.rounds = 3
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.scale is not None and args.scale <= 0:
        parser.error("--scale must be positive")

    print(f"python   {sys.executable} ({platform.python_version()}, {platform.platform()}, {os.cpu_count()} cpus)")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(bench.REPO), env.get("PYTHONPATH")]))
    # The simulation timed whole (its events read and checked, not taken from the events cache),
    # and no cache entry of a 10M-event run left in the user's cache folder.
    env["QUNCE_NO_CACHE"] = "1"
    work = Path(tempfile.mkdtemp(prefix="qunce-bench-report-"))
    try:
        missed = bench_simulation(args, work, env)
        if not args.no_demo:
            missed += bench_demo(args, work, env)
    finally:
        if args.keep:
            print(f"work     {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    for problem in missed:
        print(f"missed: {problem}", file=sys.stderr)
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
