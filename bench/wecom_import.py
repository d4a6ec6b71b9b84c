"""`qunce events import wecom` on a chat archive of 1M messages against DuckDB's own JSON reader
on the same file.

The archive (decrypted messages, one JSON object a line, as WeCom's SDK returns them: text,
images, links, recalls, switch records, one-to-one chats, and messages exported twice) is
generated once into a cache folder and reused. Then, after an untimed warm-up, alternating for
`--rounds` rounds in this process:

  (a) baseline: `CREATE TABLE … AS SELECT * FROM read_json(FILE)` on a fresh DuckDB connection:
      reading the same JSONL with DuckDB's own reader (every field, types detected);
  (b) the import: the archive read, every line sorted out (rejected, skipped or a message),
      duplicates and recalls taken out, the roster built, the events file and the roster
      written (`--format`, Parquet by default).

Prints each side's median, min and max wall time, and the ratio of the medians. Target (issue
"A team's own data in"): the import within 2x the baseline. `--check` exits 1 when missed.

    .venv/bin/python bench/wecom_import.py                    # 1M messages, 5 rounds
    .venv/bin/python bench/wecom_import.py --messages 100000 --rounds 3
    .venv/bin/python bench/wecom_import.py --format csv --check
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
TARGET_RATIO = 2.0
FIRST_MS = 1_798_732_800_000  # 2027-01-01 00:00 Asia/Shanghai, in epoch milliseconds
GROUPS, MEMBERS, STAFF = 2_000, 200_000, 300


def default_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "qunce-bench" / "wecom"


def archive_line(rng: random.Random, i: int) -> dict[str, object]:
    """One record of a plausible archive: mostly text, some images and links, a few recalls and
    switch records, one-to-one chats, and a staff member now and then."""
    t = FIRST_MS + i * 2_400 + rng.randrange(2_400)
    if rng.random() < 0.005:
        return {"msgid": f"{i}_switch", "action": "switch", "time": t, "user": f"staff{rng.randrange(STAFF):04d}"}
    group = rng.randrange(GROUPS)
    room = "" if rng.random() < 0.05 else f"wrBench{group:05d}AAAAAAAAAAAAAAAAAA"
    staff = rng.random() < 0.1
    sender = f"staff{rng.randrange(STAFF):04d}" if staff else f"wmBench{rng.randrange(MEMBERS):07d}AAAAAAAAAAAAA"
    record: dict[str, object] = {"msgid": f"{i}_{t}_external", "action": "send", "from": sender,
                                 "tolist": [f"wmBench{rng.randrange(MEMBERS):07d}AAAAAAAAAAAAA"
                                            for _ in range(rng.randrange(3, 9))],
                                 "roomid": room, "msgtime": t}
    kind = rng.random()
    if kind < 0.01 and i > 5:
        record.update(action="recall", msgtype="revoke", revoke={"pre_msgid": f"{i - 3}_x"})
    elif kind < 0.76:
        record.update(msgtype="text", text={"content": "好的，谢谢" * rng.randrange(1, 12)})
    elif kind < 0.90:
        record.update(msgtype="image", image={"md5sum": "0a1b2c3d4e5f60718293a4b5c6d7e8f9", "filesize": 48_213,
                                              "sdkfileid": "CtYBMzA2OTAyMDEwMjA0NjIzMDYwMDIwMTAwMDIwNDQ2OWQx"})
    else:
        record.update(msgtype="link", link={"title": "新品上市", "description": "限时八折", "link_url":
                                            "https://example.com/item/1", "image_url": "https://example.com/1.png"})
    return record


def ensure_archive(folder: Path, messages: int) -> Path:
    path = folder / f"archive-{messages}.jsonl"
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(1)
    temp = path.with_suffix(".tmp")
    with temp.open("w", encoding="utf-8") as out:
        for i in range(messages):
            line = json.dumps(archive_line(rng, i), ensure_ascii=False, separators=(",", ":")) + "\n"
            out.write(line)
            if rng.random() < 0.01:  # overlapping exports: the same message twice
                out.write(line)
    temp.replace(path)
    return path


def baseline(path: Path) -> float:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    start = time.perf_counter()
    con.execute(f"CREATE TABLE archive AS SELECT * FROM read_json('{path}')")
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def imported(path: Path, out: Path, fmt: str) -> tuple[float, int]:
    from qunce.events.wecom.run import import_wecom

    start = time.perf_counter()
    result = import_wecom([path], out / f"events.{fmt}", out / "events.roster.yaml", None, "traffic")
    elapsed = time.perf_counter() - start
    assert result.tally.balanced(), result.tally
    return elapsed, sum(result.tally.written.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--format", choices=("parquet", "csv", "jsonl"), default="parquet")
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument("--check", action="store_true", help=f"exit 1 when the ratio is above {TARGET_RATIO}")
    args = parser.parse_args(argv)

    path = ensure_archive(args.cache, args.messages)
    print(f"archive: {path} ({path.stat().st_size / 1e6:,.0f} MB, {sum(1 for _ in path.open('rb')):,} lines)")
    base: list[float] = []
    ours: list[float] = []
    with tempfile.TemporaryDirectory(prefix="qunce-bench-wecom-") as folder:
        out = Path(folder)
        baseline(path)  # warm-up: the file in the page cache, the libraries imported
        written = imported(path, out, args.format)[1]
        for _ in range(args.rounds):
            base.append(baseline(path))
            ours.append(imported(path, out, args.format)[0])
    rows = [("DuckDB read_json (baseline)", base), (f"qunce events import wecom (→ {args.format})", ours)]
    print(f"{'':40} {'median':>8} {'min':>8} {'max':>8}")
    for name, times in rows:
        print(f"{name:40} {statistics.median(times):8.2f} {min(times):8.2f} {max(times):8.2f}")
    ratio = statistics.median(ours) / statistics.median(base)
    print(f"events written: {written:,}; ratio of the medians: {ratio:.2f}x (target {TARGET_RATIO:.1f}x)")
    return 1 if args.check and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    sys.exit(main())
