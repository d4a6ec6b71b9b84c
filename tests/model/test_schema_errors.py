"""Schema errors: pydantic's validation errors as positioned, bilingual Q101–Q105 diagnostics,
and the partial model that lets later checks go on."""

from __future__ import annotations

from pathlib import Path

import pytest

from qunce.diagnostics import Diagnostic
from qunce.load import Loaded, load_playbook
from qunce.model.schema_errors import path_text


@pytest.fixture
def load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)

    def run(text: str) -> Loaded:
        path = tmp_path / "p.yaml"
        path.write_text(text, encoding="utf-8")
        return load_playbook(path)

    return run


def only(loaded: Loaded, code: str) -> Diagnostic:
    found = [d for d in loaded.diagnostics if d.code == code]
    assert len(found) == 1, loaded.diagnostics
    return found[0]


def at(d: Diagnostic) -> tuple[str, int, int]:
    return d.span.file, d.span.line, d.span.col


ROLE_KEYS = "name, description, duties, max_groups, per_group, minutes_per_day, reports_to, working_hours"


# --- Q101 unknown key ------------------------------------------------------------------


def test_q101_with_did_you_mean_and_allowed_keys(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load("playbook: S\nroles:\n  owner: {name: 群主, max_group: 8}\n")
    d = only(loaded, "Q101")
    assert at(d) == ("p.yaml", 3, 21)
    assert d.message() == "unknown key 'max_group' in roles.owner; did you mean 'max_groups'?"
    assert d.message("zh") == "roles.owner 中没有键 'max_group'；是不是想写 'max_groups'？"
    assert d.hint() == f"Allowed here: {ROLE_KEYS}."
    assert d.hint("zh") == f"此处可用的键：{ROLE_KEYS}。"


def test_q101_without_a_close_match(load) -> None:  # type: ignore[no-untyped-def]
    d = only(load("playbook: S\nroles:\n  owner: {name: 群主, colour: red}\n"), "Q101")
    assert d.message() == "unknown key 'colour' in roles.owner"


def test_q101_allowed_keys_use_aliases(load) -> None:  # type: ignore[no-untyped-def]
    text = ("playbook: S\ncommission:\n  pool: {per_group: 1}\n"
            "  kpis: [{id: g, name: 增长, metric: members, target: 1, weight: 1}]\n"
            "  rates: {brackets: [{frm: 0.5, rate: 1}]}\n")
    d = only(load(text), "Q101")
    assert d.message() == "unknown key 'frm' in commission.rates.brackets[0]; did you mean 'from'?"
    assert d.hint() == "Allowed here: from, rate."


def test_q101_at_the_top_level(load) -> None:  # type: ignore[no-untyped-def]
    d = only(load("playbook: S\nplaybok: x\n"), "Q101")
    assert at(d) == ("p.yaml", 2, 1)
    assert d.message() == "unknown key 'playbok' in the playbook's top level; did you mean 'playbook'?"


def test_q101_at_the_top_level_in_chinese(load) -> None:  # type: ignore[no-untyped-def]
    d = only(load("playbook: S\nplaybok: x\n"), "Q101")
    assert "the playbook" not in d.message("zh")
    assert d.message("zh") == "剧本顶层 中没有键 'playbok'；是不是想写 'playbook'？"


# --- Q102 missing key -----------------------------------------------------------------------


def test_q102_points_at_the_parent_key(load) -> None:  # type: ignore[no-untyped-def]
    text = "playbook: S\ncommission:\n  kpis: [{id: g, name: 增长, metric: members, target: 1, weight: 1}]\n"
    d = only(load(text), "Q102")
    assert d.span.line == 2 and d.span.col == 1 and d.span.end_col == 11  # the key 'commission'
    assert d.message() == "missing required key 'pool' in commission"
    assert d.message("zh") == "commission 缺少必填的键 'pool'"
    assert d.hint() == "Add 'pool:'; see the playbook reference for what it means."


def test_q102_points_at_the_list_item(load) -> None:  # type: ignore[no-untyped-def]
    d = only(load("playbook: S\nsegments:\n  - {id: a, name: 甲}\n  - {name: 无id}\n"), "Q102")
    assert at(d) == ("p.yaml", 4, 5)
    assert d.message() == "missing required key 'id' in segments[1]"
    assert d.message("zh") == "segments[1] 缺少必填的键 'id'"


def test_q102_missing_playbook_name(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load("roles:\n  owner: {name: 群主}\n")
    d = only(loaded, "Q102")
    assert at(d) == ("p.yaml", 1, 1)
    assert d.message() == "missing required key 'playbook' in the playbook's top level"
    assert d.message("zh") == "剧本顶层 缺少必填的键 'playbook'"
    assert loaded.playbook is not None and loaded.playbook.playbook == "?"
    assert list(loaded.playbook.roles) == ["owner"]


# --- Q103 wrong type ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "line", "col", "en", "zh", "detail"), [
    ("roles:\n  admin: {name: 管理员, max_groups: eight}\n", 3, 34,
     "expected a whole number, found 'eight'", "应为整数，实际为'eight'", "at roles.admin.max_groups"),
    ("roles: [owner]\n", 2, 8, "expected a mapping (key: value), found a list", "应为映射（键： 值），实际为列表", "at roles"),
    ("segments: loyal\n", 2, 11, "expected a list, found 'loyal'", "应为列表，实际为'loyal'", "at segments"),
    ("group_types:\n  traffic: {name: 引流群, capacity: 1.5}\n", 3, 34,
     "expected a whole number, found '1.5'", "应为整数，实际为'1.5'", "at group_types.traffic.capacity"),
    ("calendar:\n  holidays: [2027-13-01]\n", 3, 14, "expected a date such as 2027-01-28, found '2027-13-01'",
     "应为日期，如 2027-01-28，实际为'2027-13-01'", "at calendar.holidays[0].date"),
    ("membership: ~\nsegments: [~]\n", 3, 12, "expected a mapping (key: value), found nothing (null)",
     "应为映射（键： 值），实际为空值", "at segments[0]"),
])
def test_q103_expected_and_found(load, text: str, line: int, col: int, en: str, zh: str,  # type: ignore[no-untyped-def]
                                 detail: str) -> None:
    d = only(load("playbook: S\n" + text), "Q103")
    assert at(d) == ("p.yaml", line, col)
    assert d.message() == en
    assert d.message("zh") == zh
    assert d.hint() == detail
    assert d.hint("zh") == detail.replace("at ", "位置：")


# --- Q104 invalid value -------------------------------------------------------------------------


def test_q104_enum_with_suggestion_and_chinese_label_hint(load) -> None:  # type: ignore[no-untyped-def]
    d = only(load("playbook: S\ngroup_types:\n  traffic: {name: 引流群, entry: {mode: opn}}\n"), "Q104")
    assert at(d) == ("p.yaml", 3, 38)
    assert d.message() == "'opn' is not allowed here; did you mean 'open'?"
    assert d.message("zh") == "此处不能写 'opn'；是不是想写 'open'？"
    assert d.hint() == "Allowed: open, invite, referral, activity, paid (or their Chinese names)."
    assert d.hint("zh") == "可选值：open, invite, referral, activity, paid（或对应的中文名称）。"


def test_chinese_labels_are_accepted_for_enums(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load("playbook: S\nroles:\n  owner: {name: 群主}\n"
                  "group_types:\n  vip: {name: 会员群, kind: 福利群, entry: {mode: 邀请, roles: [owner]}}\n")
    assert loaded.diagnostics == []
    assert loaded.playbook is not None
    vip = loaded.playbook.group_types["vip"]
    assert (vip.kind, vip.entry.mode) == ("welfare", "invite")


def test_q104_enum_without_a_close_match(load) -> None:  # type: ignore[no-untyped-def]
    d = only(load("playbook: S\ngroup_types:\n  w: {name: 福利群, kind: 福利}\n"), "Q104")
    assert d.message() == "'福利' is not allowed here"
    assert d.hint() == "Allowed: traffic, welfare, flash, custom (or their Chinese names)."


@pytest.mark.parametrize(("text", "en", "zh"), [
    ("roles:\n  helper: {name: 气氛组, max_groups: 0}\n",
     "roles.helper.max_groups must be at least 1, found '0'", "roles.helper.max_groups 必须不小于 1，实际为 '0'"),
    ("commission:\n  pool: {per_group: 100}\n  kpis: [{id: g, name: 增长, metric: members, target: 1, weight: 1.5}]\n",
     "commission.kpis[0].weight must be at most 1, found '1.5'", "commission.kpis[0].weight 必须不大于 1，实际为 '1.5'"),
    ("commission:\n  pool: {per_group: 100.123}\n  kpis: [{id: g, name: 增长, metric: members, target: 1, weight: 1}]\n",
     "commission.pool.per_group has more than 2 decimal places, found '100.123'",
     "commission.pool.per_group 小数位超过 2 位，实际为 '100.123'"),
    ("commission:\n  pool: {per_group: 1}\n  kpis: []\n",
     "commission.kpis needs at least 1 item(s), found a list", "commission.kpis 至少需要 1 项，实际为 列表"),
])
def test_q104_ranges(load, text: str, en: str, zh: str) -> None:  # type: ignore[no-untyped-def]
    d = only(load("playbook: S\n" + text), "Q104")
    assert d.message() == en
    assert d.message("zh") == zh
    assert d.hint() == ""


def test_q104_custom_validator_words_in_both_languages(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load("playbook: S\ntimezone: Mars/Base\n")
    d = only(loaded, "Q104")
    assert at(d) == ("p.yaml", 2, 11)
    assert d.message() == "'Mars/Base' is not a known time zone: use an IANA name such as Asia/Shanghai"
    assert d.message("zh") == "'Mars/Base' 不是已知时区：请使用 IANA 名称，如 Asia/Shanghai"


# --- Q105 formats ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "line", "en", "zh", "example"), [
    ("group_types:\n  flash: {name: 快闪群, lifespan: 3days}\n", 3,
     "'3days' is not a duration: write a positive number and a unit, e.g. 10m, 2h, 3d, 1w",
     "'3days' 不是时长：请写正数加单位，如 10m、2h、3d、1w（或 10分钟、3天）", "e.g. 10m, 2h, 3d, 1w"),
    ("group_types:\n  flash: {name: 快闪群, lifespan: 0d}\n", 3,
     "'0d' is not a duration: write a positive number and a unit, e.g. 10m, 2h, 3d, 1w",
     "'0d' 不是时长：请写正数加单位，如 10m、2h、3d、1w（或 10分钟、3天）", "e.g. 10m, 2h, 3d, 1w"),
    ("sop:\n  - {id: t1, role: owner, every: daily, at: \"25:00\"}\n", 3,
     "'25:00' is not a time of day: write HH:MM, e.g. 09:30 or 20:00", "'25:00' 不是时刻：请写 HH:MM，如 09:30、20:00",
     "e.g. 09:30, 20:00"),
    ("rules:\n  banned:\n    - {id: ads, name: 广告, penalties: [warn, mute_forever]}\n", 4,
     "'mute_forever' is not a penalty: write warn, mute_1d (mute and a duration) or remove",
     "'mute_forever' 不是处罚：请写 warn（警告）、mute_1d（禁言1天）或 remove（移出）", "e.g. [warn, mute_1d, remove]"),
    ("content:\n  activation: {cadence: sometimes}\n", 3,
     "'sometimes' is not a cadence: write daily, weekly, monthly, 3/week or 2/month",
     "'sometimes' 不是频率：请写 每天、每周、每月、每周3次 或 每月2次", "e.g. daily, 3/week, 2/month"),
    ("segments:\n  - {id: Loyal, name: 忠实}\n", 3,
     "'Loyal' is not a valid id: use lowercase ASCII letters, digits and _ (e.g. silver_card)",
     "'Loyal' 不是合法的 id：只能用小写英文字母、数字和下划线（如 silver_card），中文名称写在 name: 中",
     "e.g. silver_card; put the Chinese label in name:"),
])
def test_q105_formats(load, text: str, line: int, en: str, zh: str, example: str) -> None:  # type: ignore[no-untyped-def]
    d = only(load("playbook: S\n" + text), "Q105")
    assert d.span.line == line
    assert d.message() == en
    assert d.message("zh") == zh
    assert d.hint() == example


def test_q105_bad_dict_key_points_at_the_key(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load("playbook: S\nroles:\n  owner: {name: 群主}\n  Owner: {name: 大群主}\n")
    d = only(loaded, "Q105")
    assert d.span.line == 4 and d.span.col == 3 and d.span.end_col == 8
    assert d.message() == "'Owner' is not a valid id: use lowercase ASCII letters, digits and _ (e.g. silver_card)"
    assert d.hint("zh") == "如 silver_card；中文名称写在 name: 中"


def test_valid_formats_are_accepted(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load("playbook: S\ngroup_types:\n  flash: {name: 快闪群, lifespan: 3天}\n"
                  "rules:\n  banned:\n    - {id: ads, name: 广告, penalties: [警告, 禁言1天, 移出]}\n"
                  "content:\n  activation: {cadence: 每周3次}\n")
    assert loaded.diagnostics == []
    assert loaded.playbook is not None
    assert loaded.playbook.group_types["flash"].lifespan.minutes == 3 * 1440  # type: ignore[union-attr]
    assert [p.kind for p in loaded.playbook.rules.banned[0].penalties] == ["warn", "mute", "remove"]
    assert loaded.playbook.content.activation.cadence.per_week == 3.0  # type: ignore[union-attr]


# --- the partial model ----------------------------------------------------------------------------------


def test_broken_sections_are_named_and_the_others_still_load(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load("playbook: 部分\nroles:\n  owner: {name: 群主, max_groups: x}\n"
                  "templates:\n  hi: 你好\nsegments:\n  - {id: a, name: 甲}\n"
                  "group_types:\n  traffic: {name: 引流群, lifespan: soon}\n")
    assert [d.code for d in loaded.diagnostics] == ["Q103", "Q105"]
    assert loaded.broken == {"roles", "group_types"}
    pb = loaded.playbook
    assert pb is not None
    assert pb.playbook == "部分"
    assert pb.templates == {"hi": "你好"}
    assert [s.id for s in pb.segments] == ["a"]
    assert pb.roles == {} and pb.group_types == {}


def test_a_sound_playbook_has_nothing_broken(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load("playbook: 好\nroles:\n  owner: {name: 群主}\n")
    assert loaded.diagnostics == [] and loaded.broken == set()


# --- path_text ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "text"), [
    ((), {"en": "the playbook's top level", "zh": "剧本顶层"}),
    (("roles",), "roles"),
    (("membership", "levels", 2, "promote_when"), "membership.levels[2].promote_when"),
    (("a", 0, 1), "a[0][1]"),
    (("commission", "split", "owner"), "commission.split.owner"),
])
def test_path_text(path: tuple[object, ...], text: str | dict[str, str]) -> None:
    assert path_text(path) == text
