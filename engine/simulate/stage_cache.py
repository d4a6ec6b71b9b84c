"""The group and member stages' results kept across runs: a re-run on the same events whose
playbook changed only where a stage does not read (a commission weight, a level threshold for
the group stage) loads that stage's tables instead of computing them.

An entry `stages-<key>/` (beside the events entries, bounded with them: `cache_entries.py`) holds
one Parquet file per table of the stage's result and `entry.json` (the tables and their
schemas). The key covers the events entry's key (the input file, roster, mapping, encoding,
time zone and qunce's code: `events/event_cache.py`), the window (`--from/--to` and the first
event's day) and the playbook's sections the stage reads, as the model holds them (so a comment
or a key's order changes nothing):

- the group stage: every section except those only the commission, the task lists and the
  handbook read (`COMMISSION_ONLY`), the members' sections (`membership`, `segments`, `churn`),
  with `membership.evaluate` put back (it sets the evaluation period of the group health);
- the member stage: every section except `COMMISSION_ONLY`;
- the SOP assessment (assess/stage.py: its three output tables): the member stage's sections and
  `sop` (it follows up the members' churn warnings).

Without an events entry (`--no-cache`, `QUNCE_NO_CACHE=1`, events from standard input) no stage
is kept or reused. A stage's tables are kept after the run wrote its outputs: the Parquet files
the run wrote are copied into the entry, those it did not write are written from the database;
its CSV outputs too while they are small (`_kept_csv`). A reused stage's tables are read from
the entry's files where used (events/cached_tables.read), and its outputs are those files,
copied (simulate/outputs.py): the same bytes as computed and written again, as the key covers
what they depend on (DuckDB's version among it: it writes them).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from .. import cache_entries
from ..model import Playbook
from .context import SimContext
from .group_stage import GroupResult
from .members import MemberResult

VERSION = 2  # 2: each table's rows, whether its file is the output's own bytes, the CSV outputs kept
PREFIX = "stages-"

# Sections no stage but the commission reads, or that only name and describe (the task lists'
# and the handbook's): playbooks equal apart from these compute the same groups and members.
COMMISSION_ONLY = frozenset({"commission", "playbook", "description", "version", "sop", "templates", "content", "vars"})
MEMBER_ONLY = frozenset({"membership", "segments", "churn"})

# Each stage's tables: (result field, the output file it is written as).
GROUP_TABLES = (("daily", "group_daily"), ("period", "group_period"), ("staff", "staff_period"),
                ("retention", "retention"), ("states", "group_states"), ("health", "group_health"),
                ("admissions", "admissions"), ("admission_rates", "admission_rates"),
                ("refusal_reasons", "refusal_reasons"), ("period_admitted", "group_period_admitted"),
                ("penalties", "penalties"))
MEMBER_TABLES = (("ledger", "points_ledger"), ("levels", "member_levels"), ("segments", "segments"),
                 ("churn", "churn_warnings"))
# The SOP assessment's (assess/stage.SopResult): kept whole, outputs only.
SOP_TABLES = (("tasks", "sop_tasks"), ("compliance", "sop_compliance"), ("warnings", "sop_warnings"))
TABLES = {"groups": GROUP_TABLES, "members": MEMBER_TABLES, "sop": SOP_TABLES}
CSV_SHARE = 16  # a stage's CSV outputs are kept when they take at most 1/16 of the cache's bound


def sections(playbook: Playbook, stage: str) -> dict[str, Any]:
    """What of the playbook `stage` ("groups", "members" or "sop") reads, as plain JSON values."""
    if stage == "groups":
        read = playbook.model_dump(mode="json", exclude=set(COMMISSION_ONLY | MEMBER_ONLY))
        read["membership.evaluate"] = playbook.membership.evaluate if playbook.membership is not None else None
        return read
    if stage == "sop":  # the SOP, and the members' churn warnings it follows up
        return playbook.model_dump(mode="json", exclude=set(COMMISSION_ONLY - {"sop"}))
    return playbook.model_dump(mode="json", exclude=set(COMMISSION_ONLY))


def same_apart_from_commission(old: Playbook, new: Playbook) -> bool:
    """Whether every section a stage other than the commission reads is the same in both."""
    return sections(old, "members") == sections(new, "members")


def stage_key(ctx: SimContext, stage: str) -> str | None:
    """The key of `stage`'s results on this context; None when the events have no entry."""
    if ctx.events_key is None:
        return None
    import duckdb

    # DuckDB's version: a kept file may be copied as the run's output (outputs.py), and another
    # DuckDB might write other bytes.
    material = {"version": VERSION, "duckdb": duckdb.__version__, "stage": stage, "events": ctx.events_key,
                "start": ctx.start.isoformat(),
                "end": ctx.end.isoformat(), "history_start": ctx.history_start.isoformat(),
                "sections": sections(ctx.playbook, stage)}
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


def cached_groups(ctx: SimContext) -> GroupResult | None:
    """The group stage's results kept by an earlier run with the same key; None on a miss."""
    tables = _lookup(ctx, "groups")
    if tables is None:
        return None
    return GroupResult(**tables)


def cached_members(ctx: SimContext) -> MemberResult | None:
    """The member stage's results kept by an earlier run (without the per-period features, which
    no output holds: `explain --member` computes its own); None on a miss."""
    tables = _lookup(ctx, "members")
    if tables is None:
        return None
    return MemberResult(**tables)


def lookup_tables(ctx: SimContext, stage: str) -> dict[str, Any] | None:
    """The tables of `stage`'s results kept by an earlier run with the same key, by result field;
    None on a miss."""
    return _lookup(ctx, stage)


def _lookup(ctx: SimContext, stage: str) -> dict[str, Any] | None:
    from ..events import cached_tables

    key = stage_key(ctx, stage)
    entry = cache_entries.opened(f"{PREFIX}{key}") if key is not None else None
    if entry is None:
        return None
    try:
        meta = json.loads((entry / "entry.json").read_text("utf-8"))
        schemas, rows, outputs, texts = meta["schemas"], meta["rows"], set(meta["outputs"]), set(meta["csv"])
        return {field: (cached_tables.read(ctx.con, entry / f"{file}.parquet", schemas[field], f"stage_{field}",
                                           int(rows[field]), file if field in outputs else None,
                                           entry / f"{file}.csv" if file in texts else None)
                        if field in schemas else None)
                for field, file in TABLES[stage]}
    except Exception:  # gone, half-removed or damaged: compute the stage
        return None


def keep(ctx: SimContext, stage: str, result: Any, written: Path) -> None:
    """Keep `result` (a GroupResult, MemberResult or the assessment's SopResult) under its key; `written`: the folder the run
    wrote its outputs into (their Parquet files are copied, not computed again)."""
    from ..events import cached_tables

    key = stage_key(ctx, stage)
    if key is None:
        return

    def fill(staging: Path) -> None:
        import pyarrow.parquet as pq

        schemas: dict[str, dict[str, str]] = {}
        rows: dict[str, int] = {}
        outputs: list[str] = []  # the fields whose file is the run's Parquet output, copied
        for field, file in TABLES[stage]:
            table = getattr(result, field)
            if table is None:
                continue
            text = cached_tables.schema_text(table)
            if text is None:
                raise ValueError(f"{field}: a column type that would not read back the same")
            target = staging / f"{file}.parquet"
            if _copied(written / f"{file}.parquet", target):
                outputs.append(field)
            else:
                cached_tables.save(ctx.con, table, target)
            schemas[field] = text
            rows[field] = pq.read_metadata(target).num_rows
        texts = _kept_csv(staging, written, [file for field, file in TABLES[stage] if field in outputs])
        (staging / "entry.json").write_text(json.dumps({"schemas": schemas, "rows": rows, "outputs": outputs,
                                                        "csv": texts}), "utf-8")

    cache_entries.publish(f"{PREFIX}{key}", fill)


def _kept_csv(staging: Path, written: Path, files: list[str]) -> list[str]:
    """The run's CSV outputs of these tables copied in beside their Parquet files, when the run
    wrote them all and they take at most CSV_SHARE of the cache's bound: a re-run then copies
    them too instead of writing them again (the same bytes: the same rows, order and writer).
    Six times their Parquet files or so: a team's month keeps them (the demo's: 15 MB), 10M
    events do not (~1 GB), and are written from the kept Parquet. The files kept."""
    sources = [written / f"{file}.csv" for file in files]
    try:
        size = sum(source.stat().st_size for source in sources)
    except OSError:  # one not written (--formats parquet)
        return []
    if not files or size > cache_entries.limit_bytes() // CSV_SHARE:
        return []
    return files if all(_copied(source, staging / source.name) for source in sources) else []


def _copied(source: Path, target: Path) -> bool:
    """`source` copied to `target` (the kernel copies: no Python loop); False when there is no such
    file or it cannot be read. Copied, not linked: a link would tie the user's output file and
    the entry together, so that a tool writing either in place would change both."""
    if not source.is_file():
        return False
    try:
        shutil.copyfile(source, target)
    except OSError:
        return False
    return True
