"""The floor of a small run: what `qunce simulate` on the 16 events of docs/examples/simulate
costs that no change to qunce's Python can take away, against bench/small_runs.py's baseline
(`python -c "import ibis, duckdb, pyarrow"`).

1. One run records every statement it sends DuckDB (the SQL as sent, in order; whether a
   relation's rows were fetched), in a child process, with the events and the compiled SQL of an
   earlier run at hand (bench/small_runs.py's "cached" case).
2. Then, alternating for `--rounds` rounds, as whole processes: the baseline; `imports`: an
   interpreter importing what the run imports (Ibis's DuckDB backend, the playbook model, the
   stages) and nothing else; `replay`: an interpreter sending the same statements to a fresh
   database with duckdb alone (timed inside it, after its start: the DuckDB work the outputs need
   as the queries stand, parsing, planning, running and writing the files); and the run itself.

The floor of the run as its queries stand is `imports` + `replay`; what is above it is Ibis
building expressions, qunce's Python and the playbook's checking. Fewer or cheaper statements
would lower `replay`.

    .venv/bin/python bench/small_runs_floor.py              # 5 rounds
    .venv/bin/python bench/small_runs_floor.py --rounds 9
"""

from __future__ import annotations

import argparse
import json
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

RECORD = r'''
import json, sys
from pathlib import Path
import qunce.compute.duckdb as ingest  # connect lives there

log = []

class Relation:
    def __init__(self, relation, entry):
        self._relation, self._entry = relation, entry
    def __getattr__(self, name):
        if name in ("to_arrow_table", "arrow", "fetch_arrow_table", "fetchall", "fetchone", "fetchdf", "df"):
            self._entry["fetch"] = True
        return getattr(self._relation, name)

class Recorder:
    def __init__(self, con):
        self._con = con
    def execute(self, sql, *args, **kwargs):
        log.append({"how": "execute", "sql": str(sql)})
        return self._con.execute(sql, *args, **kwargs)
    def sql(self, sql, *args, **kwargs):
        entry = {"how": "sql", "sql": str(sql), "fetch": False}
        log.append(entry)
        return Relation(self._con.sql(sql, *args, **kwargs), entry)
    def cursor(self):
        return Recorder(self._con.cursor())
    def register(self, *args, **kwargs):
        log.append({"how": "register"})
        return self._con.register(*args, **kwargs)
    def __getattr__(self, name):
        return getattr(self._con, name)

connect = ingest.connect
def recording(timezone):
    con = connect(timezone)
    con.con = Recorder(con.con)
    return con
ingest.connect = recording

# Kept stages are read through descriptors (/proc/self/fd/N) and their Parquet outputs copied:
# the replay reads and copies the entries' files themselves.
import shutil
import qunce.events.cached_tables as cached_tables
paths = {}
read = cached_tables.read
def reading(con, file, *args, **kwargs):
    table = read(con, file, *args, **kwargs)
    found = cached_tables.kept(con, table)
    if found is not None:
        paths[found.source] = str(file)
    return table
cached_tables.read = reading
copyfile = shutil.copyfile
def copying(source, target, *args, **kwargs):
    log.append({"how": "copy", "source": str(source), "target": str(target)})
    return copyfile(source, target, *args, **kwargs)
shutil.copyfile = copying

from qunce.cli import main
try:
    main(prog_name="qunce")
except SystemExit as exit:
    if exit.code:
        raise
Path(sys.argv[-1]).with_suffix(".json").write_text(json.dumps({"statements": log, "paths": paths}))
'''

REPLAY = r'''
import json, os, re, shutil, sys, time
import duckdb
recorded = json.load(open(sys.argv[1]))
statements, paths = recorded["statements"], recorded["paths"]
def kept(text):  # a kept file read through the run's descriptor: the entry's file itself
    return re.sub(r"/proc/self/fd/\d+", lambda fd: paths.get(fd.group(0), fd.group(0)), text)
began = time.perf_counter()
con = duckdb.connect()
for entry in statements:
    if entry["how"] == "execute":
        sql = kept(entry["sql"])
        written = re.search(r" TO '(.*?)' \(FORMAT", sql)
        if written:  # the run's staging folder is gone: the same folder made again
            os.makedirs(os.path.dirname(written.group(1).replace("''", "'")), exist_ok=True)
        con.execute(sql)
    elif entry["how"] == "sql":
        relation = con.sql(kept(entry["sql"]))
        if entry["fetch"] and relation is not None:
            relation.to_arrow_table()
    elif entry["how"] == "copy":
        os.makedirs(os.path.dirname(entry["target"]), exist_ok=True)
        shutil.copyfile(kept(entry["source"]), entry["target"])
print(time.perf_counter() - began)
'''


def timed(args: list[str], env: dict[str, str]) -> float:
    """The process's wall time; for `replay`, the time it prints (its statements only)."""
    began = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, cwd=REPO)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"{' '.join(args[:3])} … failed:\n{done.stderr.decode()[-3000:]}")
    return float(done.stdout) if args[2] == REPLAY else seconds


def qunce() -> list[str]:
    script = Path(sys.executable).with_name("qunce")
    return [str(script)] if script.exists() else [sys.executable, "-m", "qunce"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qunce-bench-floor-"))
    try:
        run(args, work)
    finally:
        if os.environ.get("KEEP"):
            print(work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> None:
    env = {**os.environ, "QUNCE_CACHE_DIR": str(work / "cache"), "PYTHONPYCACHEPREFIX": str(work / "pycache")}
    for name in ("PYTHONDONTWRITEBYTECODE", "QUNCE_NO_CACHE", "QUNCE_PROFILE"):
        env.pop(name, None)
    data = ["--events", str(EXAMPLE / "events.csv"), "--roster", str(EXAMPLE / "roster.yaml")]
    simulate = [*qunce(), "simulate", str(EXAMPLE / "playbook.yaml"), *data]
    timed([*simulate, "--out", str(work / "warm")], env)  # keeps the events and the SQL, fills the pycache
    out = work / "recorded"
    timed([sys.executable, "-c", RECORD, "simulate", str(EXAMPLE / "playbook.yaml"), *data, "--out", str(out)], env)
    recorded = json.loads(out.with_suffix(".json").read_text())["statements"]
    copies = sum(1 for s in recorded if s["how"] == "copy")
    statements = [s for s in recorded if s["how"] != "copy"]
    fetched = sum(1 for s in statements if s["how"] == "sql" and s["fetch"])
    executed = sum(1 for s in statements if s["how"] == "execute")
    commands = {
        "baseline": [sys.executable, "-c", "import ibis, duckdb, pyarrow"],
        "replay": [sys.executable, "-c", REPLAY, str(out.with_suffix(".json"))],  # its statements only
        "imports": [sys.executable, "-c", "import ibis, duckdb, pyarrow, ibis.backends.duckdb, qunce.cli, "
                    "qunce.commands.simulate, qunce.commands.data, qunce.simulate.group_stage, qunce.simulate.members, "
                    "qunce.simulate.admission, qunce.simulate.lifecycle, qunce.simulate.penalties, "
                    "qunce.simulate.summary, qunce.commission.stage, qunce.validation, qunce.checks, "
                    "qunce.terminal.simulate_summary, qunce.events.ingest, qunce.compute.duckdb, qunce.simulate.sql_cache"],
        "simulate (cached)": [*simulate, "--out", str(work / "timed")],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(args.rounds + 1):
        for name, argv in commands.items():
            seconds = timed(argv, env)
            if round_:
                times[name].append(seconds)
    median = {name: statistics.median(values) for name, values in times.items()}
    base = median["baseline"]
    print(f"one run sends DuckDB {len(statements)} statements ({executed} executed, {fetched} relations fetched, "
          f"{len(statements) - executed - fetched} relations only planned) and copies {copies} kept files; "
          f"medians of {args.rounds} rounds")
    for name, seconds in median.items():
        print(f"  {name:18} {seconds:6.2f} s  {seconds / base:5.2f}× baseline")
    floor = median["imports"] + median["replay"]
    print(f"floor = imports + replay = {floor:.2f} s = {floor / base:.2f}× baseline; the run is "
          f"{median['simulate (cached)'] - floor:.2f} s above it ({len(statements)} statements at "
          f"{median['replay'] / len(statements) * 1000:.1f} ms each on average)")


if __name__ == "__main__":
    main()
