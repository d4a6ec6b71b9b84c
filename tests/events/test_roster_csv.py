"""A roster folder as a team saves it from Excel: CSV files in GBK, UTF-8 with a BOM or UTF-16
("Unicode text", tab-separated), named in English or Chinese, with Chinese headers and dates as
Excel writes them; every problem a Q901/Q007 finding at the file's own line."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest

from qunce.diagnostics.render import render
from qunce.errors import UsageError
from qunce.events.roster import Roster, load_roster
from qunce.events.roster_sheets import CHINESE_COLUMNS, roster_date

GROUPS = "群ID,群名,群类型,建群日期,解散日期,初始人数\r\ng1,花漾福利1群,traffic,2027/1/4,,120\r\ng2,花漾会员群,vip,2027年1月5日,2027-02-01,\r\n"
STAFF = "员工ID,姓名\r\ns1,王芳\r\ns2,李雷\r\n"
ASSIGNMENTS = "员工ID,角色,群ID,开始日期,结束日期\r\ns1,owner,g1,2027/1/4,\r\ns2,admin,g2,2027/1/5,2027/1/31\r\n"


def folder(tmp_path: Path, files: dict[str, str], saved: str = "gbk") -> Path:
    """The files saved as Excel would: "gbk" (CSV on Chinese Windows), "utf-8-sig" (CSV UTF-8),
    "utf-16" (Unicode text: a BOM, tabs), "utf-8"."""
    root = tmp_path / "roster"
    root.mkdir(exist_ok=True)
    for name, text in files.items():
        if saved == "utf-16":
            data = codecs.BOM_UTF16_LE + text.replace(",", "\t").encode("utf-16-le")
        else:
            data = text.encode(saved)
        (root / name).write_bytes(data)
    return root


def chinese(tmp_path: Path, saved: str = "gbk", suffix: str = ".csv") -> Path:
    return folder(tmp_path, {f"群{suffix}": GROUPS, f"员工{suffix}": STAFF, f"分工{suffix}": ASSIGNMENTS}, saved)


def assert_read(roster: Roster) -> None:
    assert not roster.diagnostics, [d.message("en") for d in roster.diagnostics]
    assert [(g.id, g.name, g.type, g.created_at, g.ended_at, g.initial_members) for g in roster.groups] == [
        ("g1", "花漾福利1群", "traffic", dt.date(2027, 1, 4), None, 120),
        ("g2", "花漾会员群", "vip", dt.date(2027, 1, 5), dt.date(2027, 2, 1), 0)]
    assert [(s.id, s.name) for s in roster.staff] == [("s1", "王芳"), ("s2", "李雷")]
    assert [(a.staff_id, a.role, a.group_id, a.from_, a.to) for a in roster.assignments] == [
        ("s1", "owner", "g1", dt.date(2027, 1, 4), None), ("s2", "admin", "g2", dt.date(2027, 1, 5), dt.date(2027, 1, 31))]


@pytest.mark.parametrize(("saved", "suffix"), [("gbk", ".csv"), ("utf-8-sig", ".csv"), ("utf-8", ".csv"),
                                               ("utf-16", ".txt"), ("utf-16", ".csv"), ("gb18030", ".csv")])
def test_a_chinese_roster_in_any_encoding_excel_saves(tmp_path: Path, saved: str, suffix: str) -> None:
    assert_read(load_roster(chinese(tmp_path, saved, suffix)))


def test_english_names_and_headers_still_read(tmp_path: Path) -> None:
    root = folder(tmp_path, {
        "groups.csv": "id,name,type,created_at,ended_at,initial_members\ng1,花漾福利1群,traffic,2027-01-04,,120\n"
                      "g2,花漾会员群,vip,2027-01-05,2027-02-01,\n",
        "staff.csv": "id,name\ns1,王芳\ns2,李雷\n",
        "assignments.csv": "staff_id,role,group_id,from,to\ns1,owner,g1,2027-01-04,\ns2,admin,g2,2027-01-05,2027-01-31\n",
    }, "utf-8")
    assert_read(load_roster(root))


def test_the_encoding_given_is_used_for_every_file(tmp_path: Path) -> None:
    assert_read(load_roster(chinese(tmp_path), encoding="gb18030"))
    with pytest.raises(UsageError):
        load_roster(chinese(tmp_path), encoding="gkb")


def test_a_file_that_cannot_be_decoded_names_the_encoding_read(tmp_path: Path) -> None:
    # UTF-8 read as GBK: 王芳's six bytes pass as three wrong characters; 欧阳娜's nine cannot.
    root = chinese(tmp_path, "utf-8")
    (root / "员工.csv").write_text("员工ID,姓名\ns1,王芳\ns2,欧阳娜\n", encoding="utf-8")
    [finding] = [d for d in load_roster(root, encoding="gbk").diagnostics if d.span.file.endswith("员工.csv")]
    assert (finding.span.line, finding.code) == (3, "Q007")
    assert finding.message("en") == (
        "cannot read file: line 3 is not valid GBK text (byte 9C at column 8); if the file is in another encoding, "
        "pass --encoding (e.g. --encoding gb18030 or --encoding utf-8)")
    assert finding.message("zh") == (
        "无法读取文件：第 3 行不是有效的 GBK 文本（第 8 列的字节 9C）；如果文件是其他编码，请用 --encoding 指定（例如 "
        "--encoding gb18030 或 --encoding utf-8）")


def test_a_file_whose_encoding_cannot_be_told_is_a_finding(tmp_path: Path) -> None:
    root = chinese(tmp_path, "utf-8")
    (root / "员工.csv").write_bytes(b"id,name\n" + "".join(f"s{i},s{i}\n" for i in range(50)).encode()
                                    + "s9,陳大文\n".encode("big5"))
    [finding] = load_roster(root).diagnostics
    assert (Path(finding.span.file).name, finding.span.line, finding.code) == ("员工.csv", 1, "Q007")
    assert "which encoding it is in cannot be told for sure" in finding.message("en")
    assert "pass --encoding (e.g. --encoding gbk" in finding.message("en")


def test_a_missing_file_and_a_file_twice(tmp_path: Path) -> None:
    root = folder(tmp_path, {"群.csv": GROUPS, "Groups.CSV": GROUPS, "员工.csv": STAFF})
    messages = sorted(d.message("en") for d in load_roster(root).diagnostics)
    assert messages == ["the roster folder has both Groups.CSV and 群.csv: keep one",
                        "the roster folder has no assignments.csv (or 分工.csv)"]
    assert sorted(d.message("zh") for d in load_roster(root).diagnostics) == [
        "花名册目录中同时有 Groups.CSV 和 群.csv：请只保留一个", "花名册目录中没有 assignments.csv（或 分工.csv）"]


@pytest.mark.parametrize(("table", "column", "alias"), [
    (table, column, alias) for table, columns in CHINESE_COLUMNS.items() for column, aliases in columns.items()
    for alias in aliases])
def test_every_chinese_header(tmp_path: Path, table: str, column: str, alias: str) -> None:
    english = {"groups": ["id", "name", "type", "created_at", "ended_at", "initial_members"], "staff": ["id", "name"],
               "assignments": ["staff_id", "role", "group_id", "from", "to"]}
    values = {"id": "x1", "name": "名", "type": "vip", "created_at": "2027/1/4", "ended_at": "2027/1/9",
              "initial_members": "3", "staff_id": "s1", "role": "owner", "group_id": "g1", "from": "2027/1/4",
              "to": "2027/1/9"}
    files = {"groups.csv": "id,name,type,created_at\ng1,群,vip,2027-01-01\n", "staff.csv": "id,name\ns1,王芳\n",
             "assignments.csv": "staff_id,role,group_id,from\n"}
    header = [alias if name == column else name for name in english[table]]
    row = [values[name] for name in english[table]]
    if table != "assignments":
        row[0] = "g1" if table == "groups" else "s1"
    files[f"{table}.csv"] = ",".join(header) + "\n" + ",".join(row) + "\n"
    # UTF-8: a GBK file whose only Chinese is 群 (C8 BA) is valid UTF-8 (Ⱥ), and read so.
    roster = load_roster(folder(tmp_path, files, "utf-8"))
    assert not roster.diagnostics, [d.message("en") for d in roster.diagnostics]
    read = getattr(roster, table)[0]
    expected = {"created_at": dt.date(2027, 1, 4), "ended_at": dt.date(2027, 1, 9), "from": dt.date(2027, 1, 4),
                "to": dt.date(2027, 1, 9), "initial_members": 3}
    assert getattr(read, "from_" if column == "from" else column) == expected.get(column, row[english[table].index(column)])


def test_headers_ignore_case_spaces_and_full_width_letters(tmp_path: Path) -> None:
    root = chinese(tmp_path, "utf-8")
    (root / "员工.csv").write_text("员工 ＩＤ, 姓名\ns1,王芳\ns2,李雷\n", encoding="utf-8")
    (root / "群.csv").write_text(GROUPS.replace("群ID", "群id"), encoding="utf-8")
    assert_read(load_roster(root))


def test_header_problems_are_one_finding_each_at_the_header(tmp_path: Path) -> None:
    root = chinese(tmp_path, "utf-8")
    (root / "群.csv").write_text("群ID,群名,建群日期,备注,群名称\ng1,a,2027/1/4,x,b\n", encoding="utf-8")
    messages = [(d.span.line, d.message("en")) for d in load_roster(root).diagnostics]
    assert messages == [
        (1, "the header (row 1) has a column '备注' that groups does not have; its columns: id, name, type, created_at, "
            "ended_at, initial_members (or in Chinese: 群ID, 群聊ID, 群名, 群名称, 群类型, 建群日期, 建群时间, 创建时间, 解散日期, "
            "解散时间, 初始人数, 初始成员数)"),
        (1, "the header (row 1) names column name twice"),
        (1, "the header (row 1) has no column type (群类型); every row needs one"),
    ]


def test_a_title_above_the_header_and_blank_rows_keep_the_file_s_line_numbers(tmp_path: Path) -> None:
    root = chinese(tmp_path, "gbk")
    (root / "员工.csv").write_bytes("员工名单（2027 年）,\r\n\r\n员工ID,姓名\r\ns1,王芳\r\n,\r\ns2,\r\n".encode("gbk"))
    roster = load_roster(root)
    [finding] = roster.diagnostics
    assert (Path(finding.span.file).name, finding.span.line) == ("员工.csv", 6)
    assert finding.message("en").startswith("row 6, column 姓名: ")
    # the decoded file is kept for the source frame under the finding
    assert "    6 | s2," in render("text", roster.diagnostics, roster.texts, "en")


def test_a_value_spanning_lines_is_numbered_by_its_first_line(tmp_path: Path) -> None:
    root = chinese(tmp_path, "utf-8")
    (root / "员工.csv").write_text('员工ID,姓名\ns1,"王\n芳"\ns2,\n', encoding="utf-8")
    [finding] = load_roster(root).diagnostics
    assert finding.span.line == 4


def test_values_past_the_header_and_values_under_no_header(tmp_path: Path) -> None:
    root = chinese(tmp_path, "utf-8")
    (root / "员工.csv").write_text("员工ID,,姓名\ns1,,王芳\ns2,x,李雷\ns3,,张伟,多\ns4,,赵敏,\n", encoding="utf-8")
    messages = [(d.span.line, d.message("en")) for d in load_roster(root).diagnostics]
    assert messages == [
        (3, "row 3 has a value ('x') in a column the header (row 1) does not name: name the column or delete the value"),
        (4, "row 4 has 4 values but the header has 3 columns; a value holding a comma must be in double quotes"),
    ]


@pytest.mark.parametrize(("text", "serials", "day"), [
    ("2027-01-04", False, dt.date(2027, 1, 4)), ("2027/1/4", False, dt.date(2027, 1, 4)),
    ("2027.1.4", False, dt.date(2027, 1, 4)), ("2027年1月4日", False, dt.date(2027, 1, 4)),
    (" 2027/01/04 ", False, dt.date(2027, 1, 4)), ("2027/1/4 9:05", False, dt.date(2027, 1, 4)),
    ("2027-01-04 00:00:00", False, dt.date(2027, 1, 4)), ("2027-01-04T10:30:00", False, dt.date(2027, 1, 4)),
    ("2027年1月4日 09:05:00", False, dt.date(2027, 1, 4)), ("46391", True, dt.date(2027, 1, 4)),
    ("46391.75", True, dt.date(2027, 1, 4)), ("46391", False, None), ("2027/13/1", False, None),
    ("2027-1/4", False, None), ("1767225600", False, None), ("4 Jan 2027", False, None), ("2027/1/4 后", False, None),
])
def test_roster_dates(text: str, serials: bool, day: dt.date | None) -> None:
    assert roster_date(text, serials) == day


def test_a_date_that_is_not_is_a_finding_in_both_languages(tmp_path: Path) -> None:
    root = chinese(tmp_path, "utf-8")
    (root / "分工.csv").write_text("员工ID,角色,群ID,开始日期\ns1,owner,g1,46391\ns2,admin,g2,2027/2/30\n",
                                  encoding="utf-8")
    found = load_roster(root).diagnostics
    assert [(d.message("en"), d.message("zh")) for d in found] == [
        ("row 2, column 开始日期: '46391' is not a date (write 2027-01-04, 2027/1/4 or 2027年1月4日)",
         "第 2 行，开始日期 列：「46391」不是日期（请写作 2027-01-04、2027/1/4 或 2027年1月4日）"),
        ("row 3, column 开始日期: '2027/2/30' is no day of the calendar", "第 3 行，开始日期 列：「2027/2/30」不是日历上的日期")]


def test_an_empty_file_names_its_columns(tmp_path: Path) -> None:
    root = chinese(tmp_path, "utf-8")
    (root / "员工.csv").write_bytes(codecs.BOM_UTF8 + b"\r\n")
    [finding] = load_roster(root).diagnostics
    assert finding.message("en") == "员工.csv is empty: it needs its header line (id, name), even with no rows"
    assert finding.message("zh") == "员工.csv 是空文件：即使没有数据行，也需要表头行（id、name）"


def test_unicode_text_with_a_title_line_reads_its_tabs(tmp_path: Path) -> None:
    root = chinese(tmp_path, "utf-16", ".txt")
    text = "员工名单\r\n" + STAFF.replace(",", "\t")  # the title has no tab, the rest do
    (root / "员工.txt").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    roster = load_roster(root)
    assert_read(roster)
    assert roster.places[("staff", 1)].line == 4
