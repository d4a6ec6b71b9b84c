"""Event and roster files that cannot be read are reported with the file, the line an editor
shows (a CSV's header is line 1), what is wrong there and what to do, in both languages; an
empty file and a header-only file say so."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

ibis = pytest.importorskip("ibis")

from qunce.cli import main  # noqa: E402
from qunce.compute.duckdb import connect  # noqa: E402
from qunce.errors import InputError  # noqa: E402
from qunce.events.ingest import ingest  # noqa: E402
from qunce.events.roster import load_roster  # noqa: E402

TZ = "Asia/Shanghai"
HEADER = "ts,type,group_id,member_id,channel\n"
ROW = "2027-01-04 10:00:00,join,g1,m{i},poster\n"
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "simulate"


def run(path: Path) -> Any:
    groups = ibis.memtable({"group_id": ["g1"], "created_at": [dt.date(2027, 1, 1)], "ended_at": [None]},
                           schema={"group_id": "string", "created_at": "date", "ended_at": "date"})
    return ingest(connect(TZ), path, groups, TZ)


def failure(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        run(path)
    return caught.value


def simulate(tmp_path: Path, events: str, lang: str, stdin: bytes | None = None,
             extra: tuple[str, ...] = ()) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["simulate", str(EXAMPLE / "playbook.yaml"), "--events", events, "--roster",
                                       str(EXAMPLE / "roster.yaml"), "--out", str(tmp_path / "out"), "--lang", lang,
                                       *extra], input=stdin)
    return result.exit_code, result.output


def rows(count: int) -> str:
    return "".join(ROW.format(i=i) for i in range(count))


# --- encoding ---------------------------------------------------------------------------


def test_a_gbk_csv_is_read_and_the_summary_says_so(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    lines = (EXAMPLE / "events.csv").read_text(encoding="utf-8").splitlines()
    lines.insert(3, "2027-01-01 09:30:00,join,g1,会员3,,,,,")  # the file's line 4 (the header is line 1)
    events.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    code, output = simulate(tmp_path, str(events), "en")
    assert code == 0
    assert f"Read {events}: CSV, GBK (detected), no mapping file" in output.splitlines()
    code, output = simulate(tmp_path, str(events), "zh")
    assert code == 0
    assert f"读取 {events}：CSV，GBK（自动识别），无映射文件" in output.splitlines()


def test_a_gbk_csv_read_as_utf8_names_the_file_the_line_and_what_to_do(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    lines = (EXAMPLE / "events.csv").read_text(encoding="utf-8").splitlines()
    lines.insert(3, "2027-01-01 09:30:00,join,g1,会员3,,,,,")
    events.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    code, output = simulate(tmp_path, str(events), "en", extra=("--encoding", "utf-8"))
    assert code == 2
    assert output.strip() == (f"qunce: {events}: line 4 is not UTF-8 text (it looks like GBK, what Excel saves on "
                              "Chinese Windows), the encoding it was to be read in: pass the file's encoding (e.g. "
                              "--encoding gbk), or leave --encoding out to have it detected")
    code, output = simulate(tmp_path, str(events), "zh", extra=("--encoding", "utf-8"))
    assert code == 2
    assert output.strip() == (f"qunce: {events}：第 4 行不是 UTF-8 文本（看起来是 GBK 编码，即中文 Windows 上 Excel 默认保存的"
                              "编码），而指定的编码是 UTF-8：请指定文件实际的编码（例如 --encoding gbk），或不写 --encoding 由 "
                              "qunce 自动识别")
    assert not (tmp_path / "out").exists()


def test_a_gbk_line_past_the_first_rows_is_read(tmp_path: Path) -> None:
    # 30,000 ASCII rows, then one with Chinese: detected as GBK all the same, and read.
    path = tmp_path / "events.csv"
    path.write_bytes((HEADER + rows(30_000) + "2027-01-04 10:00:00,join,g1,会员,朋友圈\n" + rows(5)).encode("gbk"))
    result = run(path)
    assert (result.rows_read, result.read["encoding"], result.read["encoding_how"]) == (30_006, "GBK", "detected")
    found = result.problems.filter(result.problems.row == 30_002).to_pyarrow().to_pylist()
    assert found == []


def test_a_utf8_row_pasted_into_a_gbk_file_is_an_error_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes((HEADER + rows(3)).encode("gbk") + "2027-01-04 10:00:00,join,g1,会员,朋友圈\n".encode("gbk")
                     + "2027-01-04 10:00:00,join,g1,m9,朋友圈😀\n".encode())
    error = failure(path)
    assert error.en.startswith(f"{path}: line 6 is not valid GBK text")
    assert "--encoding" in error.en and "第 6 行" in error.zh


def test_gbk_on_standard_input_is_read(tmp_path: Path) -> None:
    data = (EXAMPLE / "events.csv").read_text(encoding="utf-8") + "2027-01-01 09:30:00,join,g1,会员3,,,,,\n"
    code, output = simulate(tmp_path, "-", "en", stdin=data.encode("gbk"))
    assert code == 0
    assert "Read -: CSV, GBK (detected), no mapping file" in output.splitlines()


def test_a_utf16_file_is_read(tmp_path: Path) -> None:
    # Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated, saved as .txt.
    path = tmp_path / "events.txt"
    path.write_bytes((HEADER + rows(2)).replace(",", "\t").encode("utf-16"))
    result = run(path)
    assert (result.rows_read, result.accepted, result.read["encoding_how"]) == (2, 2, "bom")
    assert result.read["encoding"].startswith("UTF-16")


def test_a_gbk_jsonl_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    lines = [json.dumps({"ts": "2027-01-04 10:00:00", "type": "join", "group_id": "g1", "member_id": m},
                        ensure_ascii=False) for m in ("m1", "m2", "会员")]
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    result = run(path)
    assert (result.rows_read, result.accepted, result.read["encoding"]) == (3, 3, "GBK")


# --- long lines, quotes, columns ----------------------------------------------------------


def test_a_10_mb_line_is_reported_at_its_own_line(tmp_path: Path) -> None:
    # DuckDB says "Line: 1" for it: it is found while DuckDB sniffs the first rows.
    path = tmp_path / "events.csv"
    long_row = "2027-01-04 10:00:00,join,g1,m," + "x" * 10_000_000 + "\n"
    path.write_text(HEADER + rows(1356) + long_row + rows(3), encoding="utf-8")
    error = failure(path)
    assert error.en.startswith(f"{path}: line 1358 is 10,000,030 bytes long, more than the 2,000,000 bytes a line "
                               "may have")
    assert error.zh.startswith(f"{path}：第 1358 行长 10,000,030 字节")


def test_an_unclosed_quote_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(HEADER + rows(100) + '2027-01-04 10:00:00,join,g1,"m,poster\n' + rows(2000), encoding="utf-8")
    assert failure(path).en == (f'{path}: line 102 opens a double quote (") that is not closed where its value ends; '
                                'put the whole value in quotes and double each quote inside it ("")')


def test_a_row_with_more_values_than_the_header(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(HEADER + rows(3) + "2027-01-04 10:00:00,join,g1,m,poster,extra\n", encoding="utf-8")
    assert failure(path).en == (f"{path}: line 5 has 6 values but the header (line 1) has 5 columns; a value holding "
                                "a comma must be in double quotes")


def test_a_header_cell_left_empty(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("ts,type,group_id,\n2027-01-04 10:00:00,join,g1,\n", encoding="utf-8")
    assert failure(path).en == (f"{path}: column 4 of the header (line 1) has no name: name it or delete the column "
                                "(often a comma at the end of line 1)")


# --- empty and header-only files --------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \n\n", b"\xef\xbb\xbf\r\n"])
def test_an_empty_csv_says_it_is_empty(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(data)
    error = failure(path)
    assert error.en.startswith(f"{path} is empty: it has no header line and no events")
    assert error.zh.startswith(f"{path} 是空文件：既没有表头行也没有事件")
    assert "column0" not in error.en


@pytest.mark.parametrize(("name", "words"), [("events.jsonl", "is empty: it has no events (one JSON object a line)"),
                                             ("events.parquet", "is empty: it holds no Parquet data")])
def test_other_empty_files(tmp_path: Path, name: str, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert failure(path).en == f"{path} {words}"


def test_a_header_only_csv_says_it_has_no_rows(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text((EXAMPLE / "events.csv").read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    code, output = simulate(tmp_path, str(events), "en")
    assert (code, output.strip()) == (2, f"qunce: {events} has a header but no rows: no events to simulate")
    code, output = simulate(tmp_path, str(events), "zh")
    assert (code, output.strip()) == (2, f"qunce: {events} 只有表头，没有数据行：没有可模拟的事件")


# --- the roster's CSV files -------------------------------------------------------------------


def write_roster(folder: Path, groups: bytes, staff: bytes = b"id,name\ns1,Wang\n",
                 assignments: bytes = b"staff_id,role,group_id,from\n") -> Path:
    folder.mkdir()
    (folder / "groups.csv").write_bytes(groups)
    (folder / "staff.csv").write_bytes(staff)
    (folder / "assignments.csv").write_bytes(assignments)
    return folder


def test_a_roster_csv_in_two_encodings_is_a_finding_at_its_line(tmp_path: Path) -> None:
    # GBK (read so since issue 17), then a row pasted in from a UTF-8 file: three characters in
    # UTF-8 are nine bytes, never GBK.
    rows = ("id,name,type,created_at\ng1,福利群,traffic,2027-01-01\n".encode("gbk")
            + "g2,福利群,traffic,2027-01-01\n".encode())
    roster = load_roster(write_roster(tmp_path / "roster", rows))
    [finding] = roster.diagnostics
    assert finding.code == "Q007" and finding.span.line == 3 and finding.span.file.endswith("groups.csv")
    assert "line 3 is not valid GBK text (byte" in finding.message("en")
    assert "pass --encoding (e.g. --encoding gb18030 or --encoding utf-8)" in finding.message("en")
    assert "第 3 行不是有效的 GBK 文本" in finding.message("zh")


def test_an_empty_roster_csv_and_a_row_with_too_many_values(tmp_path: Path) -> None:
    roster = load_roster(write_roster(tmp_path / "roster", b"", staff=b"id,name\ns1,Wang,extra\n"))
    messages = sorted((d.span.file.rsplit("/", 1)[-1], d.span.line, d.message("en")) for d in roster.diagnostics)
    assert messages == [
        ("groups.csv", 1, "groups.csv is empty: it needs its header line (id, name, type, created_at, ended_at, "
                          "initial_members), even with no rows"),
        ("staff.csv", 2, "row 2 has 3 values but the header has 2 columns; a value holding a comma must be in double "
                         "quotes"),
    ]
