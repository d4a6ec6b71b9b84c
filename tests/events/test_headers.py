"""A file's headers read as event columns (events/headers.py): Chinese headers without a mapping,
spaces and case ignored; two headers for one column, unknown headers and a mapping's header the
file lacks are errors that say what to do; through `read_raw` on CSV files too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qunce.errors import InputError
from qunce.events.headers import KNOWN, normal, resolve

TZ = "Asia/Shanghai"


@pytest.mark.parametrize(("header", "column", "how"), [
    ("时间", "ts", "alias"),
    ("类型", "type", "alias"),
    ("事件类型", "type", "alias"),
    ("群ID", "group_id", "alias"),
    ("群聊ID", "group_id", "alias"),
    ("群 id", "group_id", "alias"),
    ("群 ID", "group_id", "alias"),
    ("群\u3000ID", "group_id", "alias"),  # a full-width space
    (" 群Id ", "group_id", "alias"),
    ("成员ID", "member_id", "alias"),
    ("客户ID", "member_id", "alias"),
    ("员工ID", "staff_id", "alias"),
    ("金额", "amount", "alias"),
    ("渠道", "channel", "alias"),
    ("推荐人", "referrer_id", "alias"),
    ("ts", "ts", "name"),
    ("TS", "ts", "name"),
    ("Group_ID", "group_id", "name"),
    (" member_id ", "member_id", "name"),
])
def test_common_headers_are_read_without_a_mapping(header: str, column: str, how: str) -> None:
    others = [h for h in ("ts", "type", "group_id") if h != column]
    headers = resolve([header, *others], "e.csv")
    assert headers.sources[column] == header
    assert headers.how[column] == how
    assert headers.unknown == [] and headers.ignored == []


def test_every_contract_columns_own_chinese_word_is_known() -> None:
    from qunce.event_contract import COLUMNS

    for column in COLUMNS:
        assert KNOWN[normal(column.zh)] == column.name, column.zh
        assert KNOWN[normal(column.name)] == column.name


def test_normal_drops_every_space_and_case() -> None:
    assert normal(" 群 Id\u3000\t") == "群id"
    assert normal("Member_ID") == "member_id"


def test_the_file_order_is_kept_and_the_sources_map_to_the_files_headers() -> None:
    present = ["时间", "类型", "群 ID", "客户ID", "员工ID", "金额", "渠道", "推荐人"]
    headers = resolve(present, "e.csv")
    assert headers.present == present
    assert headers.sources == {"ts": "时间", "type": "类型", "group_id": "群 ID", "member_id": "客户ID",
                               "staff_id": "员工ID", "amount": "金额", "channel": "渠道", "referrer_id": "推荐人"}


@pytest.mark.parametrize(("present", "first", "second", "column"), [
    (["时间", "类型", "群ID", "群聊ID"], "群ID", "群聊ID", "group_id"),
    (["ts", "时间", "type", "group_id"], "ts", "时间", "ts"),
    (["ts", "类型", "群ID", "成员ID", "客户ID"], "成员ID", "客户ID", "member_id"),
])
def test_two_headers_read_as_one_column_are_an_error_naming_both(present: list[str], first: str, second: str,
                                                                 column: str) -> None:
    with pytest.raises(InputError) as caught:
        resolve(present, "e.csv")
    assert caught.value.en.startswith(f"e.csv: the columns '{first}' and '{second}' both read as {column}; keep one")
    assert f"「{first}」和「{second}」两列都会读作 {column}" in caught.value.zh


def test_unknown_headers_are_named_with_the_mapping_file_to_write_and_inspect() -> None:
    with pytest.raises(InputError) as caught:
        resolve(["时间", "备注", "类型", "群ID", "订单来源"], "data/一月.csv")
    en = caught.value.en
    assert en.startswith("data/一月.csv: unknown column(s) 备注, 订单来源; the event columns are ts, type, group_id, ")
    assert "in a mapping file (data/一月.mapping.yaml): `columns:` to read one as an event column, `ignore:`" in en
    assert en.endswith("(`qunce events inspect data/一月.csv` shows how each column is read)")
    zh = caught.value.zh
    assert "未知的列 备注、订单来源" in zh and "映射文件（data/一月.mapping.yaml）" in zh
    assert "qunce events inspect data/一月.csv" in zh


def test_unknown_headers_with_a_mapping_name_the_mapping_and_stdin_the_folder_mapping() -> None:
    with pytest.raises(InputError) as caught:
        resolve(["时间", "类型", "群ID", "备注"], "e.csv", {}, (), "m/events.mapping.yaml")
    assert "Say what they are in m/events.mapping.yaml: `columns:`" in caught.value.en
    with pytest.raises(InputError) as caught:
        resolve(["时间", "类型", "群ID", "备注"], "-")
    assert "in a mapping file (events.mapping.yaml)" in caught.value.en


def test_not_strict_lists_the_unknown_headers_instead() -> None:
    headers = resolve(["时间", "备注", "类型", "群ID", "x"], "e.csv", strict=False)
    assert headers.unknown == ["备注", "x"]
    assert set(headers.sources) == {"ts", "type", "group_id"}


def test_a_mapping_reads_its_headers_and_ignores_what_it_says() -> None:
    headers = resolve(["下单时间", "动作", "群", "备注", "时间"], "e.csv",
                      {"ts": "下单时间", "group_id": "群"}, ("备注", "时间"), "e.mapping.yaml")
    assert headers.sources == {"ts": "下单时间", "group_id": "群", "type": "动作"}
    assert headers.how == {"ts": "mapping", "group_id": "mapping", "type": "alias"}
    assert headers.ignored == ["备注", "时间"]


def test_a_common_header_for_a_column_the_mapping_reads_elsewhere_is_unknown() -> None:
    # The mapping chose 下单时间 for ts: 时间 is not read as ts too, nor dropped silently.
    with pytest.raises(InputError, match="unknown column\\(s\\) 时间;"):
        resolve(["下单时间", "时间", "类型", "群ID"], "e.csv", {"ts": "下单时间"}, (), "e.mapping.yaml")
    headers = resolve(["下单时间", "时间", "类型", "群ID"], "e.csv", {"ts": "下单时间"}, ("时间",), "e.mapping.yaml")
    assert headers.sources["ts"] == "下单时间" and headers.ignored == ["时间"]


def test_a_mapping_naming_a_header_the_file_lacks_is_an_error() -> None:
    with pytest.raises(InputError) as caught:
        resolve(["时间", "类型", "群ID"], "e.csv", {"member_id": "会员编号"}, (), "e.mapping.yaml")
    assert caught.value.en == ("e.csv: the mapping e.mapping.yaml reads member_id from the column '会员编号', which "
                               "the file does not have; its columns are 时间, 类型, 群ID")
    assert "映射文件 e.mapping.yaml 从「会员编号」列读取 member_id，但文件中没有这一列" in caught.value.zh


def test_a_mapping_header_is_compared_trimmed() -> None:
    headers = resolve([" 下单时间 ", "类型", "群ID"], "e.csv", {"ts": "下单时间"}, (), "e.mapping.yaml")
    assert headers.sources["ts"] == " 下单时间 "


# --- through read_raw ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def con() -> Any:
    pytest.importorskip("ibis")
    from qunce.compute.duckdb import connect

    return connect(TZ)


def read(con: Any, path: Path, options: Any = None) -> list[dict[str, Any]]:
    from qunce.events.ingest import read_raw

    table = read_raw(con, path, TZ, path.name, options)
    return table.order_by("_row").drop("_h", "_bad_json", "_extra_keys").to_pyarrow().to_pylist()


def write(folder: Path, text: str, name: str = "e.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_with_chinese_headers_reads_into_the_event_columns(con: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "时间,类型,群 id,客户ID,员工ID,金额,渠道,推荐人\n"
                           "2027-01-04 09:05:00,入群,g1,m1,s1,,海报,m0\n")
    (row,) = read(con, path)
    assert {k: row[k] for k in ("_row", "ts", "type", "group_id", "member_id", "staff_id", "channel",
                                "referrer_id", "amount")} == {
        "_row": 2, "ts": "2027-01-04 09:05:00", "type": "join", "group_id": "g1", "member_id": "m1",
        "staff_id": "s1", "channel": "海报", "referrer_id": "m0", "amount": None}


def test_a_csv_with_two_group_columns_is_refused(con: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "时间,类型,群ID,群聊ID\n2027-01-04 09:05:00,入群,g1,g1\n")
    with pytest.raises(InputError, match="the columns '群ID' and '群聊ID' both read as group_id"):
        read(con, path)


def test_a_csv_with_an_unknown_column_is_refused_naming_its_mapping_file(con: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "时间,类型,群ID,备注\n2027-01-04 09:05:00,入群,g1,x\n", "一月.csv")
    with pytest.raises(InputError) as caught:
        read(con, path)
    assert "一月.csv: unknown column(s) 备注;" in caught.value.en
    assert "(一月.mapping.yaml)" in caught.value.en and "`qunce events inspect 一月.csv`" in caught.value.en


def test_a_real_mapping_file_renames_and_ignores_through_read_raw(con: Any, tmp_path: Path) -> None:
    from qunce.events.mapping import load_mapping
    from qunce.events.source_file import ReadOptions

    path = write(tmp_path, "下单时间,动作,群,用户,备注\n2027-01-04 09:05:00,入群,g1,m1,x\n")
    (tmp_path / "e.mapping.yaml").write_text("columns:\n  ts: 下单时间\n  group_id: 群\n  member_id: 用户\n"
                                             "ignore: [备注]\n", encoding="utf-8")
    loaded = load_mapping(tmp_path / "e.mapping.yaml", "e.mapping.yaml")
    assert loaded.diagnostics == []
    (row,) = read(con, path, ReadOptions(mapping=loaded.mapping))
    assert (row["ts"], row["type"], row["group_id"], row["member_id"]) == ("2027-01-04 09:05:00", "join", "g1", "m1")

    lacking = write(tmp_path, "时间,动作,群ID,备注\n2027-01-04 09:05:00,入群,g1,x\n", "other.csv")
    with pytest.raises(InputError) as caught:
        read(con, lacking, ReadOptions(mapping=loaded.mapping))
    assert caught.value.en == ("other.csv: the mapping e.mapping.yaml reads ts from the column '下单时间', which the "
                               "file does not have; its columns are 时间, 动作, 群ID, 备注")


def test_a_csv_missing_required_columns_names_them(con: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "时间,成员ID\n2027-01-04 09:05:00,m1\n")
    with pytest.raises(InputError) as caught:
        read(con, path)
    assert caught.value.en == "e.csv: missing column(s) type, group_id"


def test_a_title_line_above_a_csvs_header_with_the_mappings_header_row(con: Any, tmp_path: Path) -> None:
    from qunce.events.mapping import load_mapping
    from qunce.events.source_file import ReadOptions

    path = write(tmp_path, "事件导出 2027年1月,,\n时间,类型,群ID\n2027/1/4 9:05,入群,g1\nbad,入群,g1\n")
    (tmp_path / "e.mapping.yaml").write_text("header_row: 2\n", encoding="utf-8")
    loaded = load_mapping(tmp_path / "e.mapping.yaml", "e.mapping.yaml")
    assert loaded.diagnostics == []
    read_rows = read(con, path, ReadOptions(mapping=loaded.mapping))
    assert [(r["_row"], r["ts"], r["type"], r["group_id"]) for r in read_rows] == [
        (3, "2027/1/4 9:05", "join", "g1"), (4, "bad", "join", "g1")]
