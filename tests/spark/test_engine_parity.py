"""`qunce simulate --engine spark` against the default engine (issue 21): every output of the
run, its statements and its rejected rows, read from a CSV (read by DuckDB, checked on Spark),
from Parquet (a file, a folder of parts, a table of the catalog: read and checked by Spark).
One Spark session for the suite (conftest), handed in as `EngineChoice(session=…)`, as a
notebook would."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from qunce.commands.data import DataRequest
from qunce.commands.simulate import SimulateOutcome, SimulateRequest, run
from qunce.compute import EngineChoice

from .parity import differences, generated_brand

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"

RUN_OWN = ("timings.json", ".qunce-manifest.json")  # a run's own times: never equal

# Rows a team's export gets wrong, and values written the ways qunce reads (labels, money, times).
BAD_ROWS = [
    {"ts": "2027/1/2 9:05", "type": "入群", "group_id": "g1", "member_id": "m9"},
    {"ts": "2027-01-02T10:00:00+08:00", "type": "order", "group_id": "g1", "member_id": "m9", "amount": "¥1,308.90",
     "order_id": "o91"},
    {"ts": "2027年1月2日 11:00", "type": "message", "group_id": "g1", "member_id": "m9"},
    {"ts": "yesterday", "type": "message", "group_id": "g1", "member_id": "m1"},
    {"ts": "2027-01-02 12:00:00", "type": "order", "group_id": "g1", "member_id": "m1", "amount": "-5", "order_id": "o92"},
    {"ts": "2027-01-02 12:00:00", "type": "order", "group_id": "g1", "member_id": "m1", "amount": "1.234", "order_id": "o93"},
    {"ts": "2027-01-02 13:00:00", "type": "message", "group_id": "nowhere", "member_id": "m1"},
    {"ts": "2027-01-02 14:00:00", "type": "dance", "group_id": "g1", "member_id": "m1"},
    {"ts": "2027-01-02 15:00:00", "type": "message", "group_id": "g1", "member_id": "m1"},
    {"ts": "2027-01-02 15:00:00", "type": "message", "group_id": "g1", "member_id": "m1"},
]


def _simulate(tmp: Path, name: str, playbook: Path, events: Path | str, roster: Path, engine: EngineChoice,
              skip: bool = False) -> tuple[SimulateOutcome, Path]:
    out = tmp / name
    outcome = run(SimulateRequest(playbook, DataRequest(Path(events), roster, skip_bad_rows=skip, cache=False,
                                                        engine=engine), out, lang="en"))
    return outcome, out


def _same_outputs(duck: Path, spark: Path) -> list[str]:
    """Every Parquet output equal (floats within 1e-12 relative), every other file byte for byte
    (a CSV with a float in the last bit apart is judged by its Parquet)."""
    found = []
    names = sorted(p.name for p in duck.rglob("*") if p.is_file() and p.name not in RUN_OWN)
    assert names == sorted(p.name for p in spark.rglob("*") if p.is_file() and p.name not in RUN_OWN)
    for path in sorted(duck.rglob("*")):
        if not path.is_file() or path.name in RUN_OWN:
            continue
        other = spark / path.relative_to(duck)
        if path.suffix == ".parquet":
            found += [f"{path.name}: {d}" for d in differences(pq.read_table(path), pq.read_table(other))]
        elif path.suffix == ".csv" and (duck / f"{path.stem}.parquet").exists():
            continue
        elif path.read_bytes() != other.read_bytes():
            found.append(f"{path.relative_to(duck)} differs")
    return found


def _on_both(tmp: Path, example: str, spark: Any) -> tuple[SimulateOutcome, Path, SimulateOutcome, Path]:
    if example == "brand-complete":
        args = generated_brand(tmp)
    else:
        folder = EXAMPLES / example
        args = (folder / "playbook.yaml", folder / "events.csv", folder / "roster.yaml")
    duck, duck_out = _simulate(tmp, "duck", *args, EngineChoice())
    other, spark_out = _simulate(tmp, "spark", *args, EngineChoice("spark", session=spark))
    assert duck.status == other.status == 0
    return duck, duck_out, other, spark_out


@pytest.mark.parametrize("example", ["simulate", "sop", "brand-complete"])
def test_a_whole_run_on_spark_writes_what_duckdb_writes(example: str, spark: Any, tmp_path: Path) -> None:
    duck, duck_out, other, spark_out = _on_both(tmp_path, example, spark)
    assert other.written == duck.written
    assert _same_outputs(duck_out, spark_out) == []
    assert other.summary == duck.summary
    if example != "simulate":  # the SOP assessed, and (brand) the commission paid, on Spark too
        assert dict(other.written)["sop_tasks"] > 0


def test_the_commission_statements_are_byte_identical_on_spark(spark: Any, tmp_path: Path) -> None:
    duck, duck_out, other, spark_out = _on_both(tmp_path, "commission", spark)
    statements = sorted((duck_out / "statements").iterdir())
    assert statements, "the example pays someone"
    for path in statements:
        assert (spark_out / "statements" / path.name).read_bytes() == path.read_bytes(), path.name
    assert _same_outputs(duck_out, spark_out) == []
    assert other.summary["commission"] == duck.summary["commission"]


@pytest.fixture(scope="module")
def with_bad_rows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's events and BAD_ROWS as one Parquet file of text columns."""
    folder = tmp_path_factory.mktemp("bad-rows")
    table = pacsv.read_csv(EXAMPLES / "simulate" / "events.csv",
                           convert_options=pacsv.ConvertOptions(column_types={}, strings_can_be_null=False,
                                                                auto_dict_encode=False),
                           read_options=pacsv.ReadOptions(column_names=None))
    table = table.cast(pa.schema([pa.field(n, pa.string()) for n in table.column_names]))
    extra = pa.Table.from_pylist([{n: row.get(n) for n in table.column_names} for row in BAD_ROWS], table.schema)
    path = folder / "events.parquet"
    pq.write_table(pa.concat_tables([table, extra]), path, row_group_size=7)
    return path


@pytest.mark.parametrize("where", ["file", "folder", "table"])
def test_bad_rows_are_found_alike_on_spark(where: str, with_bad_rows: Path, spark: Any, tmp_path: Path) -> None:
    example = EXAMPLES / "simulate"
    playbook, roster = example / "playbook.yaml", example / "roster.yaml"
    duck, duck_out = _simulate(tmp_path, "duck", playbook, with_bad_rows, roster, EngineChoice(), skip=True)
    events: Path | str = with_bad_rows
    if where == "folder":  # as Spark writes a table's files: parts named in order
        events = tmp_path / "parts"
        events.mkdir()
        whole = pq.read_table(with_bad_rows)
        for i, start in enumerate(range(0, whole.num_rows, 9)):
            pq.write_table(whole.slice(start, 9), events / f"part-{i:05d}.parquet")
    elif where == "table":
        spark.read.parquet(str(with_bad_rows)).coalesce(1).write.mode("overwrite").saveAsTable("qunce_parity_events")
        events = "table:qunce_parity_events"
    other, spark_out = _simulate(tmp_path, "spark", playbook, events, roster, EngineChoice("spark", session=spark),
                                 skip=True)
    assert duck.status == other.status == 0
    assert duck.data.rows["rejected"] == 6, duck.data.rows
    for key in ("read", "accepted", "rejected", "by_reason"):
        assert other.data.rows[key] == duck.data.rows[key], key
    assert other.data.problems == duck.data.problems
    duck_rejected = pq.read_table(duck_out / "rejected.parquet").drop(["file"])
    assert differences(duck_rejected, pq.read_table(spark_out / "rejected.parquet").drop(["file"])) == []
    for name in ("group_daily", "points_ledger", "member_levels", "admissions"):
        assert differences(pq.read_table(duck_out / f"{name}.parquet"),
                           pq.read_table(spark_out / f"{name}.parquet")) == [], name
    if where == "table":
        spark.sql("DROP TABLE qunce_parity_events")
        shutil.rmtree(tmp_path / "spark", ignore_errors=True)


def test_explain_and_diff_on_spark_say_what_they_say_on_duckdb(spark: Any) -> None:
    import qunce

    folder = EXAMPLES / "commission"
    said = []
    for engine in (qunce.EngineChoice(), qunce.EngineChoice("spark", session=spark)):
        def data(engine: Any = engine) -> Any:
            return qunce.DataRequest(folder / "events.csv", folder / "roster.yaml", cache=False, engine=engine)

        staff = qunce.explain(qunce.ExplainRequest(folder / "playbook.yaml", data(), None, "s1", None, "en"))
        member = qunce.explain(qunce.ExplainRequest(folder / "playbook.yaml", data(), "m102", None, None, "en"))
        diff = qunce.diff(qunce.DiffRequest(folder / "playbook.yaml", folder / "raised-cap.yaml", data(), "text",
                                            None, None, "en"))
        assert staff.status == member.status == diff.status == 0
        said.append((staff.lines, member.lines, diff.text))
    assert said[1] == said[0]
    assert "Total payout: ¥3,302.00 → ¥3,420.00 (+¥118.00, +3.57%)" in said[1][2]


def test_bad_rows_in_a_typed_generated_file_are_found_alike_on_spark(spark: Any, tmp_path: Path) -> None:
    """A generated dataset (typed Parquet columns: timestamps, decimals) with bad rows added: the
    typed checks on Spark reject what DuckDB's reject, at the same rows."""
    playbook, events, roster = generated_brand(tmp_path)
    table = pq.read_table(events)
    first = table.slice(0, 1).to_pylist()[0]
    order = next(r for r in table.to_pylist() if r["type"] == "order")
    bad = [first | {"group_id": "nowhere"}, order | {"amount": -order["amount"]}, first,
           first | {"ts": first["ts"].replace(year=first["ts"].year - 20)}]
    with_bad = tmp_path / "with-bad.parquet"
    pq.write_table(pa.concat_tables([table, pa.Table.from_pylist(bad, table.schema)]), with_bad)
    duck, _ = _simulate(tmp_path, "duck", playbook, with_bad, roster, EngineChoice(), skip=True)
    other, _ = _simulate(tmp_path, "spark", playbook, with_bad, roster, EngineChoice("spark", session=spark), skip=True)
    assert duck.status == other.status == 0
    assert duck.data.rows["rejected"] == 4, duck.data.rows["by_reason"]
    assert other.data.rows == duck.data.rows
    assert other.data.problems == duck.data.problems
