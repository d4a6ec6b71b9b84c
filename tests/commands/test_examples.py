"""The example playbooks in playbooks/ stay valid, and their parsed form is pinned.

Each entry playbook is loaded (composition, defaults, Chinese labels normalised to
ids) and dumped to JSON; the dump must equal the committed golden file in
tests/golden/parsed/. After an intended change to a playbook or to the model,
regenerate the goldens and review the diff:

    QUNCE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/commands/test_examples.py
"""

from __future__ import annotations

import difflib
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from qunce.load import load_playbook
from qunce.model.groups import ENTRY_MODES
from qunce.model.playbook import Playbook
from qunce.model.sop import FLOWS, TRIGGER_KEYS
from qunce.validation import validate_paths

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = ROOT / "playbooks"
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "parsed"
UPDATE = os.environ.get("QUNCE_UPDATE_GOLDEN") == "1"

# The playbooks people copy from; composed/base.yaml and the fragment are checked through the store.
ENTRIES = [
    "brand-complete.yaml",
    "traffic.yaml",
    "welfare.yaml",
    "flash.yaml",
    "composed/store-shanghai.yaml",
]


def golden_path(entry: str) -> Path:
    return GOLDEN / (entry.removesuffix(".yaml").replace("/", "-") + ".json")


def load(entry: str) -> Playbook:
    loaded = load_playbook(PLAYBOOKS / entry)
    assert loaded.diagnostics == [], f"{entry}: {loaded.diagnostics}"
    assert loaded.playbook is not None
    return loaded.playbook


def dump(entry: str) -> dict[str, Any]:
    data: dict[str, Any] = load(entry).model_dump(mode="json", by_alias=True)
    return data


def golden_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# --- the examples are clean -----------------------------------------------------------


def test_playbooks_folder_has_no_findings_at_all() -> None:
    report = validate_paths([PLAYBOOKS])
    assert report.diagnostics == []
    # The entries, the abstract base and the fragment were all read.
    assert report.files_checked >= len(ENTRIES) + 2


@pytest.mark.parametrize("entry", ENTRIES)
def test_each_example_is_clean_on_its_own(entry: str) -> None:
    report = validate_paths([PLAYBOOKS / entry])
    assert report.diagnostics == []


# --- golden files ----------------------------------------------------------------------


@pytest.mark.parametrize("entry", ENTRIES)
def test_parsed_form_matches_golden(entry: str) -> None:
    data = dump(entry)
    text = golden_text(data)
    path = golden_path(entry)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"no golden file {path.relative_to(ROOT)}; run with QUNCE_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"{path.relative_to(ROOT)} (golden)",
                tofile=f"playbooks/{entry} (parsed)",
                n=2,
            )
        )
        lines = diff.splitlines()
        shown = "\n".join(lines[:80]) + (f"\n… {len(lines) - 80} more lines" if len(lines) > 80 else "")
        pytest.fail(
            f"parsed form of playbooks/{entry} differs from its golden file; if the change is "
            f"intended, regenerate with QUNCE_UPDATE_GOLDEN=1 and review the diff:\n{shown}"
        )


def test_no_stray_golden_files() -> None:
    if UPDATE:
        return
    present = {p.name for p in GOLDEN.glob("*.json")}
    assert present == {golden_path(e).name for e in ENTRIES}


# --- what the parsed form means ----------------------------------------------------------


def test_brand_complete_uses_every_section() -> None:
    pb = load("brand-complete.yaml")
    unset = set(Playbook.model_fields) - pb.model_fields_set - {"abstract"}
    assert unset == set()
    used = {t for item in pb.sop for t in TRIGGER_KEYS if getattr(item, t) not in (None, [])}
    assert used == set(TRIGGER_KEYS)
    assert {item.per for item in pb.sop} == {"group", "person"}
    assert {item.flow for item in pb.sop} == set(FLOWS)
    assert {gt.entry.mode for gt in pb.group_types.values()} == set(ENTRY_MODES)
    assert any(item.skip_holidays for item in pb.sop)
    assert any(item.on == "churn_warning" and item.warning for item in pb.sop)
    join = next(item for item in pb.sop if item.on == "join")
    assert (str(join.within), join.template) == ("10m", "welcome")


def test_chinese_labels_are_normalised_to_ids() -> None:
    data = dump("brand-complete.yaml")
    types = data["group_types"]
    assert types["vip"]["entry"] == {**types["vip"]["entry"], "mode": "paid", "fee": "199"}  # 付费式
    assert types["welfare"]["entry"]["mode"] == "invite"  # 邀请式
    assert types["welfare"]["kind"] == "welfare"  # 福利群
    assert types["friends"]["kind"] == "custom"  # 自定义
    assert types["welfare"]["content_mix"] == {
        "activation": "0.3",
        "conversion": "0.6",
        "brand": "0.1",
    }  # 促活 转化 品宣
    banned = {b["id"]: b for b in data["rules"]["banned"]}
    assert banned["abuse"]["kind"] == "abuse"  # 辱骂
    assert banned["poaching"]["kind"] == "other"  # 其他
    membership = data["membership"]
    assert (membership["evaluate"], membership["demotion"]) == ("monthly", "one_step")  # 每月 逐级
    earn = {r["id"]: r for r in membership["points"]["earn"]}
    assert earn["buy"]["on"] == "order"  # 下单
    assert (earn["checkin"]["on"], earn["checkin"]["cap"]["per"]) == ("checkin", "day")  # 签到 天
    assert earn["invite"]["cap"]["per"] == "month"  # 月
    assert data["metrics"]["members_basis"] == "average"  # 平均
    custom = {m["id"]: m for m in data["metrics"]["custom"]}
    assert (custom["helper_messages"]["event"], custom["helper_messages"]["agg"]) == ("message", "count")  # 发言 次数
    assert data["commission"]["period"] == "monthly"  # 每月
    assert {k["id"]: k["direction"] for k in data["commission"]["kpis"]}["churn"] == "lower"  # 越低越好
    sop = {s["id"]: s for s in data["sop"]}
    assert sop["setup_group"]["flow"] == "setup"  # 搭建
    assert sop["daily_topic"]["flow"] == "activation"  # 促活
    assert sop["vip_silent_care"]["on"] == "churn_warning"  # 流失预警

    welfare = dump("welfare.yaml")
    assert welfare["locale"] == "zh-CN"  # 中文
    assert welfare["membership"]["demotion"] == "recompute"  # 重新计算
    assert welfare["commission"]["rates"]["mode"] == "tiered"  # 全额累进
    assert welfare["metrics"]["members_basis"] == "start"  # 期初
    assert dump("flash.yaml")["group_types"]["flash"]["entry"]["mode"] == "activity"  # 活动式
    assert dump("traffic.yaml")["group_types"]["traffic"]["entry"]["mode"] == "open"  # 开放


def test_written_forms_are_kept_where_they_are_shown_to_people() -> None:
    # Durations, penalties and schedules print in handbooks as the team wrote them.
    brand = dump("brand-complete.yaml")
    assert brand["group_types"]["flash"]["lifespan"] == "3d"
    assert brand["rules"]["banned"][0]["penalties"] == ["警告", "禁言1天", "移出"]
    assert {s["id"]: s["every"] for s in brand["sop"]}["fun_game"] == "每周二,四 21:00"
    assert brand["calendar"]["holidays"][-1] == {"date": "2027-04-05", "name": None}
    traffic = dump("traffic.yaml")
    assert traffic["rules"]["banned"][2]["penalties"] == ["warn", "mute_1h", "mute_1d", "remove"]


@pytest.mark.parametrize("entry", ENTRIES)
def test_weights_and_shares_are_exact_decimals(entry: str) -> None:
    data = dump(entry)
    plan = data["commission"]
    assert sum(Decimal(k["weight"]) for k in plan["kpis"]) == 1
    assert sum(Decimal(v) for v in plan["split"].values()) == 1
    for group_type in data["group_types"].values():
        if group_type["content_mix"]:
            assert sum(Decimal(v) for v in group_type["content_mix"].values()) == 1


def test_store_composes_base_fragment_and_its_own_keys() -> None:
    loaded = load_playbook(PLAYBOOKS / "composed/store-shanghai.yaml")
    assert loaded.diagnostics == []
    assert {p.name for p in loaded.files} == {"store-shanghai.yaml", "base.yaml", "sop-common.yaml"}
    data = dump("composed/store-shanghai.yaml")
    assert data["playbook"] == "山茶集上海门店私域 2027"
    # Roles come from the base; the store overrides two numbers of the owner and keeps the rest.
    assert list(data["roles"]) == ["lead", "owner", "admin"]
    owner = data["roles"]["owner"]
    assert (owner["name"], owner["reports_to"], owner["max_groups"], owner["minutes_per_day"]) == (
        "群主",
        "lead",
        3,
        150,
    )
    assert data["roles"]["admin"]["minutes_per_day"] == 120
    # SOP merged by id: the base's item, then the fragment's, then the store's new ones.
    assert [s["id"] for s in data["sop"]] == [
        "setup",
        "welcome",
        "daily_topic",
        "weekly_review",
        "afternoon_deal",
        "happy_hour",
        "new_drink",
    ]
    topic = {s["id"]: s for s in data["sop"]}["daily_topic"]
    assert (topic["every"], topic["minutes"]) == ("每天 15:00", 15)  # from the store
    assert (topic["name"], topic["role"], topic["content"]) == ("每日话题", "owner", "activation")  # from the fragment
    # Banned behaviour merged by id: the store tightens off_topic and adds resale.
    banned = data["rules"]["banned"]
    assert [b["id"] for b in banned] == ["ads", "abuse", "spam", "off_topic", "resale"]
    assert (banned[3]["name"], banned[3]["penalties"]) == ("无关话题", ["警告", "禁言1天", "移出"])
    assert banned[4]["kind"] == "other"
    # Mappings merge key by key.
    assert data["vars"] == {"brand": "山茶集", "app": "山茶集点单小程序", "city": "上海", "store": "静安寺店"}
    assert set(data["templates"]) == {"daily_special", "bad_review", "happy_hour"}
    assert data["rules"]["welcome"].startswith("欢迎 {{ member.nickname }}")


def test_store_is_not_abstract_although_its_base_is() -> None:
    assert load("composed/store-shanghai.yaml").abstract is False
