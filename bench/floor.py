"""The least the simulation's scope costs: the work `qunce simulate` cannot skip at 10M events,
written by hand in DuckDB SQL and timed side by side with bench/simulate.py's baseline.

Issue "Events in, simulation out" sets the targets against that baseline (three hand-written
queries: daily joins, leaves, distinct speakers and messages; monthly orders and average order
value; 7-day retention). The simulation must do more than those three queries; this bench
measures how much more at the least, in three parts, each in the same child process:

  read    materialise the events: CREATE TABLE AS SELECT * FROM the Parquet file, plus the date
          (the table every later query reads; no check made);
  metric  the per-group scans domain.md's metrics need: group_daily's counts and sums per group
          and day, and the distinct members (speakers, buyers, reached, referrers) per group at
          the grains the simulation writes (day, week, month) — what the metric stage reads of
          the events, without any of its roll-ups, joins, retention or staff metrics;
  write   the files a simulation writes (Parquet and CSV of each output), copied from tables
          already in memory: no query, no sort, only the writing.

The parts are timed inside their child (no interpreter start, no imports); the baseline is a whole
child process, as in bench/simulate.py, so the ratios flatter the baseline by its ~0.3 s start.

The write part copies the outputs of a real run: `--outputs DIR` (a `qunce simulate --out` folder),
or, without it, one `qunce simulate` on the cached events is run first (not timed).

    .venv/bin/python bench/floor.py                       # 10M events, 3 rounds
    .venv/bin/python bench/floor.py --outputs /tmp/sim    # reuse a simulation's outputs
    .venv/bin/python bench/floor.py --scale 0.1 --rounds 1

bench/README.md says what the figures mean for the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import simulate as bench  # bench/simulate.py: the cached events, the baseline, the process timer

VALID_MESSAGE = ("type = 'message' AND staff_id IS NULL AND flag IS NULL AND member_id IS NOT NULL "
                 "AND (length IS NULL OR length >= {min_chars})")

# The per-group scans of the events the metric stage needs (periods.py, group_daily.py).
METRIC_SQL = {
    "daily": """
        SELECT group_id, date,
               count(*) FILTER (WHERE type = 'join') AS joins,
               count(*) FILTER (WHERE type = 'leave') AS leaves,
               count(*) FILTER (WHERE type = 'leave' AND removed) AS removed,
               sum("count") FILTER (WHERE type = 'message') AS messages,
               count(DISTINCT member_id) FILTER (WHERE {valid}) AS speakers,
               count(*) FILTER (WHERE type = 'order') AS orders,
               count(DISTINCT member_id) FILTER (WHERE type = 'order') AS buyers,
               sum(amount) FILTER (WHERE type = 'order') AS order_amount,
               sum(amount) FILTER (WHERE type = 'refund') AS refund_amount,
               sum("count") FILTER (WHERE type = 'exposure') AS exposures,
               count(DISTINCT member_id) FILTER (WHERE type = 'referral') AS referrers,
               count(*) FILTER (WHERE type = 'referral') AS referrals,
               count(*) FILTER (WHERE type = 'checkin') AS checkins,
               count(DISTINCT member_id) FILTER (WHERE type = 'reach') AS reached,
               count(*) FILTER (WHERE type = 'survey') AS surveys,
               sum(score) FILTER (WHERE type = 'survey') AS score_sum,
               sum(amount) FILTER (WHERE type = 'cost') AS cost
        FROM e GROUP BY ALL""",
    **{f"{grain}ly": f"""
        SELECT group_id, date_trunc('{grain}', date) AS period_start,
               count(DISTINCT member_id) FILTER (WHERE {{valid}}) AS speakers,
               count(DISTINCT member_id) FILTER (WHERE type = 'order') AS buyers,
               count(DISTINCT member_id) FILTER (WHERE type = 'reach') AS reached,
               count(DISTINCT member_id) FILTER (WHERE type = 'referral') AS referrers,
               sum(score) FILTER (WHERE type = 'survey') AS score_sum
        FROM e GROUP BY ALL""" for grain in ("week", "month")},
}


def run_floor(events: Path, outputs: Path, min_chars: int) -> dict[str, float]:
    """The child: the three parts' wall seconds (and each written file's), in one DuckDB."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    limit = os.environ.get(bench.MEMORY_LIMIT_ENV, "").strip()
    if limit:
        con.execute(f"SET memory_limit = '{limit}'")
    times: dict[str, float] = {}
    began = time.perf_counter()
    source = str(events).replace("'", "''")
    con.execute(f"CREATE TABLE e AS SELECT *, CAST(ts AS DATE) AS date FROM read_parquet('{source}')")
    times["read"] = time.perf_counter() - began

    valid = VALID_MESSAGE.format(min_chars=min_chars)
    began = time.perf_counter()
    for name, sql in METRIC_SQL.items():
        con.execute(f"CREATE TEMP TABLE metric_{name} AS {sql.format(valid=valid)}")
    times["metric"] = time.perf_counter() - began
    con.execute("DROP TABLE e")

    names = sorted(p.stem for p in outputs.glob("*.parquet"))
    for name in names:
        path = str(outputs / f"{name}.parquet").replace("'", "''")
        con.execute(f'CREATE TABLE "out_{name}" AS SELECT * FROM read_parquet(\'{path}\')')
    with tempfile.TemporaryDirectory(prefix="qunce-floor-") as folder:
        total = 0.0
        for name in names:
            began = time.perf_counter()
            for fmt, options in (("parquet", "FORMAT 'parquet'"), ("csv", "FORMAT 'csv', HEADER 1")):
                target = str(Path(folder) / f"{name}.{fmt}").replace("'", "''")
                con.execute(f'COPY "out_{name}" TO \'{target}\' ({options})')
            spent = time.perf_counter() - began
            times[f"write {name}"] = spent
            total += spent
        times["write"] = total
    return times


def min_chars_of(playbook: Path) -> int:
    from qunce.load import load_playbook

    loaded = load_playbook(playbook)
    if loaded.playbook is None:
        raise SystemExit(f"bench/floor.py: {playbook} does not load")
    return loaded.playbook.metrics.valid_message_min_chars


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = ~10M events")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--outputs", type=Path, help="a `qunce simulate --out` folder to copy (else one is run)")
    parser.add_argument("--cache", type=Path, default=None, help="bench/simulate.py's events cache folder")
    parser.add_argument("--child", nargs=4, metavar=("EVENTS", "OUTPUTS", "MIN_CHARS", "JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        events, outputs, min_chars, figures = args.child
        Path(figures).write_text(json.dumps(run_floor(Path(events), Path(outputs), int(min_chars))))
        return 0
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    cache = (args.cache or bench.default_cache()) / f"scale-{args.scale:g}"
    events, roster = bench.ensure_events(cache, args.scale)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(bench.REPO), env.get("PYTHONPATH")]))
    print(f"memory   {bench.MEMORY_LIMIT_ENV}={env.get(bench.MEMORY_LIMIT_ENV, '(unset)')} (the floor and the "
          "baseline alike)")
    with tempfile.TemporaryDirectory(prefix="qunce-floor-") as work:
        outputs = args.outputs
        if outputs is None:
            outputs = Path(work) / "simulation"
            print("outputs  running qunce simulate once for the files to copy (not timed) ...", flush=True)
            subprocess.run([*bench.qunce_argv(), "simulate", str(bench.PLAYBOOK), "--events", str(events),
                            "--roster", str(roster), "--out", str(outputs)], cwd=bench.REPO, check=True,
                           stdout=subprocess.DEVNULL)
        min_chars = min_chars_of(bench.PLAYBOOK)
        baseline: list[float] = []
        parts: dict[str, list[float]] = {}
        for number in range(1, args.rounds + 1):
            figures_file = Path(work) / "floor.json"
            child = bench.run_child([sys.executable, __file__, "--child", str(events), str(outputs), str(min_chars),
                                     str(figures_file)], bench.REPO, env)
            base = bench.run_child([sys.executable, str(Path(bench.__file__)), "--baseline", str(events),
                                    str(Path(work) / "baseline")], bench.REPO, env)
            if child.code or base.code:
                print(child.err or base.err, file=sys.stderr)
                return 2
            baseline.append(base.wall)
            figures = json.loads(figures_file.read_text())
            for name, value in figures.items():
                parts.setdefault(name, []).append(value)
            print(f"round {number}: baseline {base.wall:.2f} s; read {figures['read']:.2f} s, metric "
                  f"{figures['metric']:.2f} s, write {figures['write']:.2f} s", flush=True)
    return report(baseline, parts)


def report(baseline: list[float], parts: dict[str, list[float]]) -> int:
    base = statistics.median(baseline)
    median = {name: statistics.median(values) for name, values in parts.items()}
    print()
    print(f"{'':<36} {'median s':>9} {'÷ baseline':>10}")
    print(f"{'baseline (bench/simulate.py)':<36} {base:9.2f} {1:10.2f}")
    for name in ("read", "metric", "write"):
        print(f"{name + ' floor':<36} {median[name]:9.2f} {median[name] / base:10.2f}")
    writes = sorted(((v, k[6:]) for k, v in median.items() if k.startswith("write ")), reverse=True)
    for value, name in writes[:5]:
        print(f"  {name:<34} {value:9.2f}")
    floor = median["read"] + median["metric"] + median["write"]
    print()
    print(f"metric floor ÷ baseline: {median['metric'] / base:.2f}x (target of the whole metric stage: "
          f"<= {bench.TARGET_RATIO:g}x)")
    print(f"read + metric + write floors: {floor:.2f} s of the {bench.TARGET_SECONDS:g} s whole-run target "
          f"({floor / bench.TARGET_SECONDS:.0%}), before levels, points, segments, churn, lifecycle, "
          "admissions, staff metrics and the checks")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
