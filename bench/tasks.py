"""`qunce tasks` against just writing the same number of rows to CSV with the csv module.

A roster of 1,000 groups (the generator's, for `playbooks/brand-complete.yaml`, seed 1, from
2027-01-01; groups created and ended over the window, flash groups among them) is expanded over
90 days with the complete example's SOP, to CSV. Alternating for `--rounds` rounds:

  (a) baseline: a Python process that writes as many rows (a real task row of the same width,
      repeated) with `csv.writer`;
  (b) `qunce tasks PLAYBOOK --roster ROSTER --from … --to … --format csv --out FILE`;

and, in this process once the imports are done and the playbook is loaded:

  (c) the baseline's writing alone;
  (d) the task list alone: roster, expansion, capacity, columns, CSV, write (compile_tasks and
      the CSV output), with its stage times.

Target: (d) within 3x (c) — the expansion costs little more than writing its rows. (b) / (a)
is reported too: it adds the interpreter, the imports (Ibis, DuckDB, pandas) and checking the
playbook, a fixed cost of a few seconds.

    .venv/bin/python bench/tasks.py                      # 1,000 groups, 90 days, 5 rounds
    .venv/bin/python bench/tasks.py --groups 200 --rounds 3
    .venv/bin/python bench/tasks.py --roster-format yaml --check

See bench/README.md for what the figures mean.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PLAYBOOK = REPO / "playbooks" / "brand-complete.yaml"
START = dt.date(2027, 1, 1)
MEMBERS = 10_000  # the generator needs members; the roster does not depend on their number
TARGET_RATIO = 3.0


def qunce_argv() -> list[str]:
    script = Path(sys.executable).with_name("qunce")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from qunce.cli import main; main()"]


def write_baseline(rows: int, sample: Path, out: Path) -> None:
    """Write `rows` copies of the sample's second line (a task row) under its header, with csv.writer."""
    with sample.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header, row = next(reader), next(reader)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for _ in range(rows):
            writer.writerow(row)


def make_roster(folder: Path, groups: int, days: int, fmt: str) -> Path:
    """The generator's roster for `groups` groups over `days` days, as YAML or a CSV folder."""
    from qunce.events.generate import generate
    from qunce.events.writers import write_roster
    from qunce.load import load_playbook

    playbook = load_playbook(PLAYBOOK).playbook
    assert playbook is not None
    _, roster = generate(playbook, groups, MEMBERS, days, START, 1)
    if fmt == "yaml":
        path = folder / "roster.yaml"
        write_roster(roster, path)
        return path
    path = folder / "roster"
    path.mkdir()
    for name, rows, columns in (("staff", roster.staff, ["id", "name"]),
                                ("groups", roster.groups, ["id", "name", "type", "created_at", "ended_at",
                                                           "initial_members"]),
                                ("assignments", roster.assignments, ["staff_id", "role", "group_id", "from", "to"])):
        with (path / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                cells = row.model_dump(by_alias=True)
                writer.writerow(["" if cells.get(c) is None else cells[c] for c in columns])
    return path


def timed(argv: list[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:3])} … exited {done.returncode}: {done.stderr.strip()[-500:]}")
    return wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--groups", type=int, default=1000, help="groups in the roster (default 1000)")
    parser.add_argument("--days", type=int, default=90, help="days of tasks (default 90)")
    parser.add_argument("--roster-format", choices=("csv", "yaml"), default="csv",
                        help="the roster as a folder of CSV files (default) or one YAML file")
    parser.add_argument("--check", action="store_true", help=f"exit 1 if (d) is not within {TARGET_RATIO:g}x (c)")
    parser.add_argument("--baseline", nargs=3, metavar=("ROWS", "SAMPLE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.baseline:
        write_baseline(int(args.baseline[0]), Path(args.baseline[1]), Path(args.baseline[2]))
        return 0
    if args.rounds < 1 or args.groups < 1 or args.days < 1:
        parser.error("--rounds, --groups and --days must be at least 1")

    end = START + dt.timedelta(days=args.days - 1)
    print(f"python   {sys.executable} ({platform.python_version()}, {platform.platform()}, {os.cpu_count()} cpus)")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory(prefix="qunce-bench-tasks-") as tmp:
        work = Path(tmp)
        roster = make_roster(work, args.groups, args.days, args.roster_format)
        print(f"roster   {args.groups:,} groups ({args.roster_format}), {START} … {end}, {PLAYBOOK.name}")
        qunce = [*qunce_argv(), "tasks", str(PLAYBOOK), "--roster", str(roster), "--from", START.isoformat(),
                 "--to", end.isoformat(), "--format", "csv", "--lang", "en"]
        sample = work / "sample.csv"
        timed([*qunce, "--out", str(sample)], env)  # warm-up; gives the row count and a real row
        with sample.open(encoding="utf-8-sig", newline="") as handle:
            rows = sum(1 for _ in csv.reader(handle)) - 1
        print(f"rows     {rows:,} task rows ({sample.stat().st_size / 1e6:.1f} MB of CSV)")
        baseline_cmd = [sys.executable, str(Path(__file__).resolve()), "--baseline", str(rows), str(sample),
                        str(work / "baseline.csv")]

        from qunce.compile import output
        from qunce.compile.task_list import compile_tasks
        from qunce.compute.duckdb import connect
        from qunce.events.roster import load_roster
        from qunce.load import load_playbook

        playbook = load_playbook(PLAYBOOK).playbook
        assert playbook is not None

        def in_process() -> tuple[float, dict[str, float]]:
            began = time.perf_counter()
            team = load_roster(roster)
            task_list = compile_tasks(playbook, team, connect(playbook.timezone), None, START, end, "en")
            mark = time.perf_counter()
            data = output.render(task_list, "csv", "en", "bench")
            rendered = time.perf_counter()
            output.write(work / "inprocess.csv", data)
            done = time.perf_counter()
            stages = {**task_list.timings, "csv": rendered - mark, "write": done - rendered}
            return done - began, stages

        in_process()  # warm-up: imports, DuckDB
        walls: dict[str, list[float]] = {"a": [], "b": [], "c": [], "d": []}
        stages: dict[str, list[float]] = {}
        print(f"rounds   {args.rounds} (alternating a, b, c, d)")
        for number in range(1, args.rounds + 1):
            walls["a"].append(timed(baseline_cmd, env))
            walls["b"].append(timed([*qunce, "--out", str(work / "qunce.csv")], env))
            began = time.perf_counter()
            write_baseline(rows, sample, work / "baseline-inprocess.csv")
            walls["c"].append(time.perf_counter() - began)
            wall, laps = in_process()
            walls["d"].append(wall)
            for name, value in laps.items():
                stages.setdefault(name, []).append(value)
            print(f"  round {number}: a {walls['a'][-1]:5.2f} s | b {walls['b'][-1]:5.2f} s | "
                  f"c {walls['c'][-1]:5.2f} s | d {walls['d'][-1]:5.2f} s", flush=True)
    return report(walls, stages, args.check)


def report(walls: dict[str, list[float]], stages: dict[str, list[float]], check: bool) -> int:
    labels = {"a": "(a) baseline process: csv.writer", "b": "(b) qunce tasks process",
              "c": "(c) baseline in process", "d": "(d) task list in process"}
    base = {"a": "a", "b": "a", "c": "c", "d": "c"}
    print()
    print(f"{'':<36} {'median s':>9} {'min':>7} {'max':>7}  {'÷ baseline':>10}")
    for key, label in labels.items():
        values = walls[key]
        ratio = statistics.median(values) / statistics.median(walls[base[key]])
        print(f"{label:<36} {statistics.median(values):9.2f} {min(values):7.2f} {max(values):7.2f}  {ratio:9.2f}x")
        if key == "d":
            for name, laps in stages.items():
                share = statistics.median(laps) / statistics.median(walls["c"])
                print(f"{'    ' + name:<36} {statistics.median(laps):9.2f} {min(laps):7.2f} {max(laps):7.2f}  "
                      f"{share:9.2f}x")
    ratio = statistics.median(walls["d"]) / statistics.median(walls["c"])
    verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
    print()
    print(f"target: (d) within {TARGET_RATIO:g}x (c): {ratio:.2f}x  {verdict}")
    print(f"        (b) / (a) {statistics.median(walls['b']) / statistics.median(walls['a']):.2f}x "
          "(interpreter, imports and the playbook check included)")
    return 1 if check and not (math.isfinite(ratio) and ratio <= TARGET_RATIO) else 0


if __name__ == "__main__":
    sys.exit(main())
