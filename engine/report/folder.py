"""A simulation's output folder, read by DuckDB: each table a view over its Parquet file (its CSV
file when the run wrote CSV only), summary.json, and the words of the report's language.

Data prep is relational: every chart's numbers are a DuckDB aggregate over these views, never a
Python loop over members or events (a 10M-event run's tables have millions of rows)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError


@dataclass
class Folder:
    path: Path
    summary: dict[str, Any]
    lang: str
    con: Any  # duckdb.DuckDBPyConnection
    files: dict[str, str] = field(default_factory=dict)  # table → the file a chart links to

    @property
    def facts(self) -> dict[str, Any]:
        facts: dict[str, Any] = self.summary.get("report") or {}
        return facts

    def has(self, table: str) -> bool:
        return table in self.files

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = self.con.execute(sql, params or []).fetchall()
        return rows

    def say(self, en: str, zh: str) -> str:
        return zh if self.lang == "zh" else en

    def name(self, kind: str, key: str | None) -> str:
        """The playbook's name of a level, segment, lifecycle state, group type, warning or role
        (`kind` as in summary.json's report.names); the id when the folder does not know it."""
        if key is None:
            return "—"
        names: dict[str, str] = self.facts.get("names", {}).get(kind, {})
        if kind == "levels":
            names = {level["id"]: level["name"] for level in self.facts.get("levels", [])}
        return names.get(key, key)

    def staff(self, staff_id: str | None) -> str:
        if staff_id is None:
            return "—"
        name = self.facts.get("staff", {}).get(staff_id)
        return f"{name}（{staff_id}）" if name and self.lang == "zh" else f"{name} ({staff_id})" if name else staff_id


def open_folder(path: Path, lang: str | None) -> Folder:
    """The folder's tables as DuckDB views; `lang`: asked for, else the playbook's (summary.json),
    else Chinese (as the statements: Chinese unless English is asked for)."""
    import duckdb

    summary_file = path / "summary.json"
    if not path.is_dir() or not summary_file.is_file():
        raise InputError(f"{path} is not a simulation's output folder (no summary.json): run qunce simulate first",
                         f"{path} 不是模拟的输出目录（没有 summary.json）：请先运行 qunce simulate")
    try:
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{summary_file}: cannot be read ({exc})", f"{summary_file}：无法读取（{exc}）") from None
    chosen = lang or (summary.get("report") or {}).get("lang") or "zh"
    con = duckdb.connect()
    folder = Folder(path, summary, chosen, con)
    for table in summary.get("outputs", {}):
        parquet, csv = path / f"{table}.parquet", path / f"{table}.csv"
        if parquet.is_file():
            source = f"read_parquet('{_quoted(parquet)}')"
        elif csv.is_file():
            source = f"read_csv('{_quoted(csv)}', header = true)"
        else:
            continue
        con.execute(f'CREATE VIEW "{table}" AS SELECT * FROM {source}')
        # The link people click: the CSV opens in a spreadsheet; Parquet when that is all there is.
        folder.files[table] = csv.name if csv.is_file() else parquet.name
    return folder


def _quoted(path: Path) -> str:
    return str(path.resolve()).replace("'", "''")
