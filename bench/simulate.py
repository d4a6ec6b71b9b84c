"""`qunce simulate` against hand-written DuckDB SQL over the same events: wall time and peak memory.

The events (~10M: 2,700 groups, 540,000 members, 90 days of `playbooks/brand-complete.yaml`) are
generated once into a cache folder and reused. Then, alternating for `--rounds` rounds:

  (a) baseline: a separate Python process running hand-written DuckDB SQL over the same
      Parquet file (daily joins, leaves, distinct speakers and messages per group; monthly
      orders and average order value per group; 7-day retention of each day's joiners),
      writing its results to Parquet files in a temporary folder;
  (b) `qunce simulate PLAYBOOK --events FILE --roster ROSTER --out DIR --no-cache --formats
      parquet` (each round a first run: without `--no-cache` the rounds after the first took
      the stages an earlier round kept, bench/rerun.py's case), whose stage
      timings (`timings_s` in DIR/summary.json or DIR/timings.json) give the metric stage.

Each child's wall time (spawn to exit) and peak RSS (its own rusage, from wait4) are
measured. Targets at scale 1: the metric stage within 2x the baseline, the whole
simulation within 30 s and 3 GB. `--scale 10` (100M events) is the out-of-core check:
it must complete within 8 GB, with DuckDB's memory capped by QUNCE_MEMORY_LIMIT.

    .venv/bin/python bench/simulate.py                   # 10M events, 3 rounds
    .venv/bin/python bench/simulate.py --scale 0.1       # ~1M events, quick
    .venv/bin/python bench/simulate.py --rounds 5 --check
    .venv/bin/python bench/simulate.py --scale 10 --rounds 1   # out of core, 100M events

See bench/README.md for what the figures mean.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLAYBOOK = REPO / "playbooks" / "brand-complete.yaml"
# At scale 1: ~10M events (10,010,585). 5,000 groups and 1M members made 9.85M until the generator
# aimed each group at the commission plan's KPI targets (generate_scale.py): since then they make ~19M.
GROUPS, MEMBERS, DAYS = 2700, 540_000, 90
START = dt.date(2027, 1, 1)
SEED = 1
SHARD_EVENTS = 1.0  # scales above 1 are generated in shards of scale 1 (the generator works in memory)
TARGET_RATIO = 2.0  # metric stage / baseline
TARGET_SECONDS = 30.0  # whole simulation, at scale 1
TARGET_RSS_MB = 3 * 1024  # whole simulation, at scale 1
OUT_OF_CORE_RSS_MB = 8 * 1024  # at scale 10
# QUNCE_MEMORY_LIMIT above scale 1 unless given: DuckDB + the rest within 8 GB. At scale 10 on
# 2026-12-04: 4GB peaked at 8.04 GB in 992 s, 3GB at 6.92 GB in 997 s (DuckDB spills either way).
OUT_OF_CORE_MEMORY_LIMIT = "3GB"
MEMORY_LIMIT_ENV = "QUNCE_MEMORY_LIMIT"  # read by qunce.compute.duckdb.connect

# The baseline: what an analyst would write by hand in DuckDB for the same group metrics.
# `{events}` is the Parquet file; each result is written to `{out}/<name>.parquet`.
BASELINE_SQL = {
    "daily": """
        SELECT group_id, CAST(ts AS DATE) AS date,
               count(*) FILTER (WHERE type = 'join') AS joins,
               count(*) FILTER (WHERE type = 'leave') AS leaves,
               count(DISTINCT member_id) FILTER (WHERE type = 'message' AND staff_id IS NULL) AS speakers,
               coalesce(sum(coalesce("count", 1)) FILTER (WHERE type = 'message'), 0) AS messages
        FROM read_parquet('{events}')
        GROUP BY ALL""",
    "monthly_orders": """
        SELECT group_id, date_trunc('month', ts) AS month, count(*) AS orders, avg(amount) AS average_order_value
        FROM read_parquet('{events}')
        WHERE type = 'order'
        GROUP BY ALL""",
    "retention_7d": """
        WITH joins AS (
            SELECT group_id, member_id, ts FROM read_parquet('{events}') WHERE type = 'join'
        ), leaves AS (
            SELECT group_id, member_id, ts FROM read_parquet('{events}') WHERE type = 'leave'
        ), next_leave AS (
            SELECT j.group_id, CAST(j.ts AS DATE) AS date, j.member_id, l.ts AS left_at, j.ts AS joined_at
            FROM joins j ASOF LEFT JOIN leaves l
              ON j.group_id = l.group_id AND j.member_id = l.member_id AND l.ts >= j.ts
        )
        SELECT group_id, date, count(*) AS joiners,
               avg(CASE WHEN left_at IS NULL OR left_at > joined_at + INTERVAL 7 DAY THEN 1.0 ELSE 0.0 END)
                   AS retained_7d
        FROM next_leave
        GROUP BY ALL""",
}


@dataclass
class Runs:
    label: str
    wall: list[float] = field(default_factory=list)  # seconds
    rss_mb: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)  # qunce only: timings_s per stage

    def median(self, values: list[float]) -> float:
        return statistics.median(values) if values else math.nan


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qunce" / "bench-simulate"


def qunce_argv() -> list[str]:
    """How to start qunce with the current interpreter: its installed script, else `-c`."""
    script = Path(sys.executable).parent / "qunce"
    if script.is_file():
        return [sys.executable, str(script)]
    return [sys.executable, "-c", "import sys; from qunce.cli import main; sys.exit(main(prog_name='qunce'))"]


@dataclass
class Child:
    wall: float  # seconds, spawn to exit
    peak_mb: float  # the child's own peak RSS
    code: int
    err: str
    cpu: float  # user + system seconds of the child and of the processes it waited for


def run_child(argv: list[str], cwd: Path, env: dict[str, str]) -> Child:
    """Run one child process and measure it.

    The peak RSS is the child's own (`wait4` returns the rusage of that one child), not the
    running maximum over every child that RUSAGE_CHILDREN would give. Its CPU time includes
    its own children's, should it start any."""
    with tempfile.TemporaryFile() as err:
        began = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    # ru_maxrss: KiB on Linux
    return Child(wall, usage.ru_maxrss / 1024, proc.returncode, text, usage.ru_utime + usage.ru_stime)


def measured(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS in MB, exit code, stderr) of one child process (see run_child)."""
    child = run_child(argv, cwd, env)
    return child.wall, child.peak_mb, child.code, child.err


def ensure_events(folder: Path, scale: float) -> tuple[Path, Path]:
    """The cached events and roster for `scale`, generated when missing."""
    events, roster = folder / "events.parquet", folder / "events.roster.yaml"
    if events.is_file() and roster.is_file():
        print(f"events   {events} (cached; delete the folder to regenerate)")
        return events, roster
    folder.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    shards = max(1, math.ceil(scale / SHARD_EVENTS - 1e-9))
    print(f"events   generating {scale:g} x ({GROUPS:,} groups, {MEMBERS:,} members, {DAYS} days) into {folder}"
          + (f" in {shards} shards" if shards > 1 else "") + " ...", flush=True)
    if shards == 1:
        argv = [*qunce_argv(), "events", "generate", str(PLAYBOOK), "--groups", str(max(1, round(GROUPS * scale))),
                "--members", str(max(1, round(MEMBERS * scale))), "--days", str(DAYS), "--start", START.isoformat(),
                "--seed", str(SEED), "--out", str(events)]
        subprocess.run(argv, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    else:
        _generate_shards(folder, scale, shards)
    print(f"events   generated in {time.perf_counter() - began:.1f} s ({events.stat().st_size / 1e6:,.0f} MB)")
    return events, roster


def _generate_shards(folder: Path, scale: float, shards: int) -> None:
    """Scales above 1: `shards` independent worlds (seeds 1, 2, ...), their ids suffixed `-k`,
    merged into one Parquet file and one roster. One shard is in memory at a time."""
    import duckdb

    sys.path.insert(0, str(REPO))
    from qunce.events.generate import generate
    from qunce.events.roster import Roster
    from qunce.events.writers import write_events, write_roster
    from qunce.load import load_playbook

    playbook = load_playbook(PLAYBOOK).playbook
    if playbook is None:
        raise SystemExit(f"cannot load {PLAYBOOK}")
    parts = folder / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    merged = Roster()
    selects = []
    for k in range(1, shards + 1):
        table, roster = generate(playbook, max(1, round(GROUPS * scale / shards)), max(1, round(MEMBERS * scale / shards)),
                                 DAYS, START, SEED + k - 1)
        part = parts / f"part-{k}.parquet"
        write_events(table, part)
        del table
        suffix = f"-{k}"
        merged.staff += [s.model_copy(update={"id": s.id + suffix}) for s in roster.staff]
        merged.groups += [g.model_copy(update={"id": g.id + suffix}) for g in roster.groups]
        merged.assignments += [a.model_copy(update={"staff_id": a.staff_id + suffix, "group_id": a.group_id + suffix})
                               for a in roster.assignments]
        ids = ", ".join(f"{c} || '{suffix}' AS {c}" for c in ("group_id", "member_id", "staff_id", "referrer_id", "order_id"))
        selects.append(f"SELECT * REPLACE ({ids}) FROM read_parquet('{part}')")
        print(f"         shard {k}/{shards} done", flush=True)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET memory_limit = '4GB'")
    temp = folder / "events.parquet.part"
    con.execute(f"COPY ({' UNION ALL '.join(selects)}) TO '{temp}' (FORMAT parquet, ROW_GROUP_SIZE 1048576)")
    con.close()
    write_roster(merged, folder / "events.roster.yaml")
    temp.replace(folder / "events.parquet")
    shutil.rmtree(parts)


def run_baseline(events: Path, out: Path) -> None:
    """The baseline child: hand-written DuckDB SQL, each result written to Parquet."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    limit = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    if limit:
        con.execute(f"SET memory_limit = '{limit}'")
    out.mkdir(parents=True, exist_ok=True)
    for name, sql in BASELINE_SQL.items():
        query = sql.format(events=str(events).replace("'", "''"))
        con.execute(f"COPY ({query}) TO '{out / name}.parquet' (FORMAT parquet)")


def simulate_in_process(events: Path, roster: Path, out: Path) -> int:
    """`qunce simulate` of PLAYBOOK on `events` in this process (Parquet only, the events read
    afresh), for the diagnostics that patch a stage's functions first; its exit status."""
    from qunce.cli import main as qunce

    sys.argv = ["qunce", "simulate", str(PLAYBOOK), "--events", str(events), "--roster", str(roster),
                "--out", str(out), "--formats", "parquet", "--no-cache"]
    try:
        qunce()
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def read_timings(out: Path) -> dict[str, float]:
    """`timings_s` from OUT/summary.json (or OUT/timings.json); empty when neither has it."""
    for name in ("summary.json", "timings.json"):
        path = out / name
        if path.is_file():
            try:
                timings = json.loads(path.read_text(encoding="utf-8")).get("timings_s")
            except (ValueError, AttributeError):
                continue
            if isinstance(timings, dict):
                return {str(k): float(v) for k, v in timings.items() if isinstance(v, int | float)}
    return {}


def simulate_available(qunce: list[str]) -> bool:
    proc = subprocess.run([*qunce, "simulate", "--help"], cwd=REPO, capture_output=True, check=False)
    return proc.returncode == 0


def seconds(value: float) -> str:
    return "       -" if math.isnan(value) else f"{value:8.2f}"


def megabytes(value: float) -> str:
    return "        -" if math.isnan(value) else f"{value:9,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="events relative to 10M (2,700 groups, 540,000 members, 90 days); 0.1 is quick, "
                             "10 is the out-of-core check (default 1)")
    parser.add_argument("--events-dir", type=Path, default=None,
                        help=f"cache folder for the generated events (default {default_cache()})")
    parser.add_argument("--memory-limit", default=None,
                        help=f"{MEMORY_LIMIT_ENV} for both children, e.g. 4GB (default: unset at scale <= 1, "
                             f"{OUT_OF_CORE_MEMORY_LIMIT} above)")
    parser.add_argument("--keep", action="store_true", help="keep every round's output folders (printed)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--baseline", nargs=2, metavar=("EVENTS", "OUT"), type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.baseline:
        run_baseline(*args.baseline)
        return 0
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.scale <= 0:
        parser.error("--scale must be positive")

    cache = (args.events_dir or default_cache()) / f"scale-{args.scale:g}"
    print(f"python   {sys.executable} ({platform.python_version()}, {platform.platform()}, {os.cpu_count()} cpus)")
    events, roster = ensure_events(cache, args.scale)
    with events.open("rb") as handle:  # into the OS file cache, so no round pays for a cold read
        while handle.read(1 << 24):
            pass

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))  # children run elsewhere
    limit = args.memory_limit or (OUT_OF_CORE_MEMORY_LIMIT if args.scale > 1 else None)
    if limit:
        env[MEMORY_LIMIT_ENV] = limit
    print(f"memory   {MEMORY_LIMIT_ENV}={env.get(MEMORY_LIMIT_ENV, '(unset: the qunce default, 2GB)')}")
    qunce = qunce_argv()
    have_simulate = simulate_available(qunce)
    if not have_simulate:
        print("qunce    `qunce simulate` does not exist yet in this checkout: only the baseline is measured")
    print(f"rounds   {args.rounds} (alternating baseline, qunce)")

    baseline, simulation = Runs("baseline: hand-written DuckDB SQL"), Runs("qunce simulate (total)")
    work = Path(tempfile.mkdtemp(prefix="qunce-bench-simulate-"))
    failed: list[str] = []
    try:
        for round_no in range(1, args.rounds + 1):
            out = work / f"baseline-{round_no}"
            wall, rss, code, err = measured([sys.executable, str(Path(__file__).resolve()), "--baseline", str(events),
                                             str(out)], work, env)
            if code != 0:
                failed.append(f"baseline exited {code}: {err.strip().splitlines()[-1] if err.strip() else ''}")
                break
            baseline.wall.append(wall)
            baseline.rss_mb.append(rss)
            line = f"round {round_no}: baseline {wall:6.2f} s {rss:7,.0f} MB"
            if have_simulate:
                out = work / f"qunce-{round_no}"
                # every round a first run (`--no-cache`: the events read, every stage computed; a
                # re-run's cost is bench/rerun.py's), writing Parquet as the 30 s target says
                wall, rss, code, err = measured([*qunce, "simulate", str(PLAYBOOK), "--events", str(events),
                                                 "--roster", str(roster), "--out", str(out), "--no-cache",
                                                 "--formats", "parquet"], work, env)
                if code != 0:
                    failed.append(f"qunce simulate exited {code}: "
                                  + (err.strip().splitlines()[-1] if err.strip() else "(no message)"))
                    have_simulate = False
                else:
                    simulation.wall.append(wall)
                    simulation.rss_mb.append(rss)
                    for stage, value in read_timings(out).items():
                        simulation.stages.setdefault(stage, []).append(value)
                    line += f" | qunce {wall:6.2f} s {rss:7,.0f} MB"
            if not args.keep:  # keep only what the next round needs: nothing
                for folder in work.iterdir():
                    shutil.rmtree(folder, ignore_errors=True)
            print(line, flush=True)
    finally:
        if args.keep:
            print(f"outputs  {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    return report(args, baseline, simulation, failed)


def report(args: argparse.Namespace, baseline: Runs, simulation: Runs, failed: list[str]) -> int:
    base_wall = baseline.median(baseline.wall)
    metric = simulation.median(simulation.stages.get("metrics", []))
    print()
    print(f"{'':<34} {'wall (s)':>8} {'min':>8} {'max':>8} {'peak RSS':>9}  {'÷ baseline':>10}")
    print(f"{'':<34} {'median':>8} {'':>8} {'':>8} {'MB median':>9}")
    rows = [(baseline.label, baseline.wall, baseline.rss_mb),
            (simulation.label, simulation.wall, simulation.rss_mb)]
    for stage, values in simulation.stages.items():
        if stage != "total":
            rows.append((f"  stage {stage}" + (" (metric stage)" if stage == "metrics" else ""), values, []))
    for label, walls, peaks in rows:
        ratio = statistics.median(walls) / base_wall if walls and base_wall > 0 else math.nan
        print(f"{label:<34} {seconds(statistics.median(walls) if walls else math.nan)} "
              f"{seconds(min(walls) if walls else math.nan)} {seconds(max(walls) if walls else math.nan)} "
              f"{megabytes(statistics.median(peaks) if peaks else math.nan)}  "
              f"{'' if math.isnan(ratio) else f'{ratio:9.2f}x'}")
    if simulation.wall and not simulation.stages:
        print("(no timings_s in the output's summary.json or timings.json: no stage figures)")

    missed: list[str] = list(failed)
    print()
    print("targets:")
    if not simulation.wall:
        print("  - qunce simulate not measured")
    elif args.scale == 1:
        total, rss = simulation.median(simulation.wall), simulation.median(simulation.rss_mb)
        checks = [(f"metric stage <= {TARGET_RATIO:g}x baseline", metric / base_wall if base_wall else math.nan,
                   TARGET_RATIO, "x"),
                  (f"whole simulation < {TARGET_SECONDS:g} s", total, TARGET_SECONDS, " s"),
                  (f"whole simulation < {TARGET_RSS_MB / 1024:g} GB", rss / 1024, TARGET_RSS_MB / 1024, " GB")]
        for name, value, target, unit in checks:
            verdict = "n/a (no metric stage timing)" if math.isnan(value) else (
                "ok" if value <= target else "MISSED")
            print(f"  - {name:<34} {'' if math.isnan(value) else f'{value:.2f}{unit}'}  {verdict}")
            if verdict == "MISSED":
                missed.append(f"{name}: {value:.2f}{unit}")
    elif args.scale >= 10:
        rss = max(simulation.rss_mb) / 1024
        verdict = "ok" if rss < OUT_OF_CORE_RSS_MB / 1024 else "MISSED"
        print(f"  - out of core: completes within {OUT_OF_CORE_RSS_MB / 1024:g} GB   peak {rss:.2f} GB  {verdict}")
        if verdict == "MISSED":
            missed.append(f"out of core: peak {rss:.2f} GB")
    else:
        print(f"  - the targets are set at --scale 1 (and 10 for memory); at {args.scale:g} the figures are for comparison")
    if failed:
        print()
        for problem in failed:
            print(f"error: {problem}", file=sys.stderr)
    if missed and args.check:
        return 1
    return 2 if failed and not baseline.wall else 0


if __name__ == "__main__":
    sys.exit(main())
