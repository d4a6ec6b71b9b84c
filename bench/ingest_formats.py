"""The same events read and checked from Parquet, UTF-8 CSV, GBK CSV and an .xlsx workbook, side by
side: each one's ingest time as a ratio to the Parquet one, and each one's peak memory.

The events (1M by default: `qunce events generate` on the complete brand playbook, Chinese
channel and activity names) are written once in each format into a cache folder and reused:
the workbook with XlsxWriter (date cells for `ts`, numbers as number cells), the GBK CSV with
Chinese headers and type labels (时间, 类型, 群ID…; 入群, 发言…) as Excel on Chinese Windows
saves a team's export. Then, after an untimed warm-up, alternating for `--rounds` rounds, each
format in a fresh child process (a fair peak memory per format): `qunce.events.ingest.ingest`
(the file made readable, read, every row checked, the accepted events and the problems
materialised), timed inside the child, and the child's peak RSS.

Targets (issue "A team's own data in"): GBK CSV within 2x the UTF-8 CSV; xlsx within 5x Parquet;
the memory of a GBK CSV or a workbook not more than Parquet's plus a constant. `--check` exits 1
when a time target is missed. `calamine` is the floor of the workbook's ingest: fastexcel reading
the sheet into Arrow and nothing else (about 3x Parquet's whole ingest on its own).

    .venv/bin/python bench/ingest_formats.py                      # 1M events, 3 rounds
    .venv/bin/python bench/ingest_formats.py --events 200000 --rounds 5
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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PLAYBOOK = REPO / "playbooks" / "brand-complete.yaml"
FORMATS = ("parquet", "csv", "gbk.csv", "xlsx", "calamine")
TARGETS = {"gbk.csv": ("csv", 2.0), "xlsx": ("parquet", 5.0)}
CHINESE_HEADERS = {"ts": "时间", "type": "类型", "group_id": "群ID", "member_id": "成员ID", "staff_id": "员工ID",
                   "amount": "金额", "order_id": "订单号", "channel": "渠道", "referrer_id": "推荐人", "activity": "活动",
                   "removed": "被移出", "flag": "违规", "score": "评分", "count": "数量", "length": "字数"}


def default_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "qunce-bench" / "ingest"


def ensure_files(folder: Path, events: int) -> dict[str, Path]:
    """The events in every format, written once (the roster beside the Parquet file)."""
    folder = folder / f"{events}"
    folder.mkdir(parents=True, exist_ok=True)
    parquet = folder / "events.parquet"
    if not parquet.is_file():
        groups = max(20, events // 820)  # about 1M events from 1,220 groups over 30 days
        subprocess.run([sys.executable, "-m", "qunce", "events", "generate", str(PLAYBOOK), "--out", str(parquet),
                        "--groups", str(groups), "--members", str(max(1_000, events // 4)), "--days", "30"],
                       check=True, stdout=subprocess.DEVNULL)
    import duckdb

    paths = {"parquet": parquet, "csv": folder / "events.csv", "gbk.csv": folder / "events.gbk.csv",
             "xlsx": folder / "events.xlsx"}
    duckdb.sql("SET enable_progress_bar = false")
    if not paths["csv"].is_file():
        duckdb.sql(f"COPY (SELECT * FROM read_parquet('{parquet}')) TO '{paths['csv']}' (HEADER)")
    if not paths["gbk.csv"].is_file():
        _gbk(parquet, paths["gbk.csv"])
    if not paths["xlsx"].is_file():
        _workbook(parquet, paths["xlsx"])
    return paths


def _gbk(parquet: Path, target: Path) -> None:
    """A GBK CSV with Chinese headers and labels, as Excel on Chinese Windows saves one."""
    import duckdb

    from qunce.event_contract import EVENT_TYPES

    labels = " ".join(f"WHEN '{k}' THEN '{zh.split('|')[0]}'" for k, (zh, _) in EVENT_TYPES.items())
    columns = ", ".join(f"CASE type {labels} END AS \"{CHINESE_HEADERS[c]}\"" if c == "type"
                        else f"\"{c}\" AS \"{CHINESE_HEADERS[c]}\"" for c in CHINESE_HEADERS)
    temp = target.with_suffix(".utf8.tmp")
    duckdb.sql(f"COPY (SELECT {columns} FROM read_parquet('{parquet}')) TO '{temp}' (HEADER)")
    with temp.open(encoding="utf-8") as source, target.open("w", encoding="gbk", newline="") as out:
        while chunk := source.read(1 << 20):
            out.write(chunk)
    temp.unlink()


def _workbook(parquet: Path, target: Path) -> None:
    import pyarrow.parquet as pq
    import xlsxwriter

    table = pq.read_table(parquet)
    names = table.column_names
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    sheet = book.add_worksheet("events")
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_row(0, 0, names)
    row = 1
    for batch in table.to_batches(50_000):
        columns = [batch.column(i).to_pylist() for i in range(len(names))]
        for i in range(batch.num_rows):
            for j, name in enumerate(names):
                value = columns[j][i]
                if value is None:
                    continue
                if name == "ts":
                    sheet.write_datetime(row, j, value, when)
                elif isinstance(value, bool):
                    sheet.write_boolean(row, j, value)
                elif isinstance(value, (int, float)):
                    sheet.write_number(row, j, value)
                elif hasattr(value, "as_tuple"):
                    sheet.write_number(row, j, float(value))
                else:
                    sheet.write_string(row, j, str(value))
            row += 1
    book.close()


def child(path: str, roster: str) -> None:
    """One ingest, timed, in this (fresh) process; prints JSON: seconds, rows, peak RSS. For
    `calamine`, the floor of a workbook's ingest: fastexcel reading the sheet into Arrow, alone."""
    import resource

    if roster == "calamine":
        import fastexcel

        start = time.perf_counter()
        grid = fastexcel.read_excel(path).load_sheet(0, header_row=None, skip_rows=0, dtypes="string", eager=True)
        elapsed = time.perf_counter() - start
        print(json.dumps({"seconds": elapsed, "rows": grid.num_rows - 1,
                          "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
        return

    from qunce.compute.duckdb import connect
    from qunce.events.ingest import ingest
    from qunce.events.roster import load_roster
    from qunce.simulate.frames import groups_table

    con = connect("Asia/Shanghai")
    groups = con.create_table("groups", groups_table(load_roster(Path(roster))), temp=True)
    start = time.perf_counter()
    result = ingest(con, Path(path), groups, "Asia/Shanghai")
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "rows": result.rows_read, "accepted": result.accepted,
                      "peak_mb": peak, "read": result.read.get("encoding") or result.read.get("format")}))


def run_child(path: Path, roster: Path | str) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", str(path), str(roster)], check=True,
                          capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument("--check", action="store_true", help="exit 1 when a time target is missed")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    paths = ensure_files(args.cache, args.events)
    roster = paths["parquet"].with_name("events.roster.yaml")
    for name, path in paths.items():
        print(f"{name:8} {path} ({path.stat().st_size / 1e6:,.0f} MB)")
    paths["calamine"] = paths["xlsx"]
    rosters: dict[str, Path | str] = {name: roster for name in FORMATS} | {"calamine": "calamine"}
    times: dict[str, list[float]] = {name: [] for name in FORMATS}
    peaks: dict[str, list[float]] = {name: [] for name in FORMATS}
    rows: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="qunce-bench-ingest-"):
        for name in FORMATS:  # warm-up: files in the page cache
            rows[name] = int(run_child(paths[name], rosters[name])["rows"])
        for _ in range(args.rounds):
            for name in FORMATS:
                result = run_child(paths[name], rosters[name])
                times[name].append(result["seconds"])
                peaks[name].append(result["peak_mb"])
    parquet = statistics.median(times["parquet"])
    print(f"\n{'':10} {'rows':>10} {'median s':>9} {'min':>7} {'max':>7} {'×parquet':>9} {'peak MB':>8}")
    for name in FORMATS:
        median = statistics.median(times[name])
        print(f"{name:10} {rows[name]:>10,} {median:9.2f} {min(times[name]):7.2f} {max(times[name]):7.2f} "
              f"{median / parquet:9.2f} {statistics.median(peaks[name]):8.0f}")
    missed = False
    for name, (base, target) in TARGETS.items():
        ratio = statistics.median(times[name]) / statistics.median(times[base])
        ok = ratio <= target
        missed |= not ok
        print(f"{name} / {base}: {ratio:.2f}x (target {target:.1f}x){'' if ok else '  MISSED'}")
    floor = statistics.median(times["calamine"]) / parquet
    print(f"the floor of the xlsx ingest, calamine reading the sheet alone: {floor:.2f}x parquet's whole ingest")
    base_peak = statistics.median(peaks["parquet"])
    for name in FORMATS[1:]:
        print(f"peak {name} − parquet: {statistics.median(peaks[name]) - base_peak:+.0f} MB")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
