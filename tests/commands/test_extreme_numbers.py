"""Extreme numbers in every numeric field of a playbook: `qunce validate` answers within LIMIT
seconds whatever they are, and a playbook it passes clean never makes `qunce simulate` or
`qunce tasks` end in an internal error (on the small example data, docs/examples/simulate).

The playbook below has a slot for every number the language takes (counts, days, durations,
money, factors, points, rates, an RRULE's parts); each example puts hostile values in some."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qunce.cli import main
from qunce.validation import validate_paths

pytest.importorskip("ibis")

LIMIT = 2.0
HERE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "simulate"
HUGE_INTS = [-1, 0, 1, 2, 101, 1001, 3651, 100_001, 10**6 + 1, 10**9, 2**31, 2**63, 10**30, 10**400]
HUGE_DECIMALS = ["0.01", "1000.01", "100000000.01", "1e12", "1e30", "1e308", "-1e30", "1e-30", ".inf", ".nan"]
HUGE_DURATIONS = ["1m", "3651d", "99999999w", "999999999999999999999d", "5256001m", "521w"]
HUGE_RRULES = ["FREQ=SECONDLY", "FREQ=MINUTELY;INTERVAL=5", "FREQ=HOURLY;INTERVAL=24", "FREQ=DAILY;BYHOUR=0,12",
               "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;INTERVAL=7;BYDAY=TU", "FREQ=YEARLY;INTERVAL=9999",
               "FREQ=DAILY;COUNT=999999999", "FREQ=DAILY;UNTIL=99991231", "DTSTART:00010101T000000\nRRULE:FREQ=DAILY",
               "DTSTART:99991231T000000\nRRULE:FREQ=YEARLY", "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11",
               "FREQ=WEEKLY;INTERVAL=522;BYDAY=MO", "FREQ=MONTHLY;BYDAY=-1FR;BYSETPOS=-1"]
# The same kinds of slot, with values at the edges of what validation lets through.
EDGE: dict[str, list[Any]] = {
    "count": [0, 100], "groups": [1, 1000], "capacity": [1, 100_000], "minutes": [0, 1440], "day": [0, 3650],
    "days": [1, 3650], "duration": ["1m", "3650d", "521w"], "money": ["0.01", "100000000"],
    "factor": ["0", "1000"], "target": ["0.0001", "1000000000"], "points": [1, 1_000_000], "cap": [1, 10**9],
    "per_yuan": ["0.01", "1000"], "periods": [0, 1000], "chars": [1, 10_000], "per_day": [0.001, 1440.0],
    "cadence": ["1/month", "100/day"],
    "rrule": ["FREQ=DAILY", "FREQ=YEARLY;INTERVAL=10", "FREQ=DAILY;INTERVAL=3650", "FREQ=DAILY;COUNT=999999999",
              "DTSTART:20000101T000000\nRRULE:FREQ=DAILY", "DTSTART:21001231T000000\nRRULE:FREQ=WEEKLY",
              "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=DAILY;UNTIL=99991231"],
}
HOSTILE: dict[str, list[Any]] = {kind: HUGE_INTS for kind in ("count", "groups", "capacity", "minutes", "day", "days",
                                                              "points", "cap", "periods", "chars")}
HOSTILE |= {kind: HUGE_DECIMALS for kind in ("money", "factor", "target", "per_yuan")}
HOSTILE |= {"per_day": [1e308, 1441.0, 1e-300, ".inf"], "duration": HUGE_DURATIONS, "rrule": HUGE_RRULES,
            "cadence": ["1000000/day", "99999999999999999999/week", "0.0001/month"]}


def playbook(value: Callable[[str, Any], Any]) -> dict[str, Any]:
    """The playbook, each number asked of `value(kind, usual)`."""
    v = value
    return {
        "playbook": "极端数值",
        "roles": {
            "owner": {"name": "群主", "max_groups": v("groups", 10), "per_group": v("count", 1),
                      "minutes_per_day": v("minutes", 480)},
            "admin": {"name": "管理员", "max_groups": v("groups", 10), "per_group": v("count", 1)},
        },
        "group_types": {
            "traffic": {"name": "引流群", "capacity": v("capacity", 500), "lifespan": v("duration", "365d"),
                        "staffing": {"owner": v("count", 1), "admin": v("count", 1)},
                        "content_mix": {"activation": "0.6", "conversion": "0.3", "brand": "0.1"}},
            "vip": {"name": "会员群", "kind": "custom", "capacity": v("capacity", 200),
                    "entry": {"mode": "paid", "fee": v("money", "9.9")}},
        },
        "rules": {"banned": [{"id": "ads", "name": "打广告", "penalties": ["warn", f"mute_{v('duration', '1d')}", "remove"]}]},
        "content": {"activation": {"cadence": v("cadence", "daily")}},
        "membership": {
            "points": {"earn": [{"on": "message", "points": v("points", 1),
                                 "cap": {"per": "day", "max": v("cap", 10)}},
                                {"on": "order", "per_yuan": v("per_yuan", "1")}],
                       "expire_after": v("duration", "365d")},
            "levels": [{"id": "member", "name": "普通会员"},
                       {"id": "silver", "name": "银卡会员", "promote_when": "points_90d >= 50", "min_stay": v("periods", 1)}],
        },
        "metrics": {"valid_message_min_chars": v("chars", 1), "retention_days": v("days", 7),
                    "churn_after": v("duration", "30d"),
                    "custom": [{"id": "spend", "name": "消费", "event": "order", "agg": "sum", "field": "amount",
                                "window": v("duration", "30d")}]},
        "segments": [{"id": "buyer", "name": "已购", "when": "orders_total >= 1"}, {"id": "other", "name": "其他"}],
        "lifecycle": [{"id": "alive", "name": "社群", "when": "interaction_rate_7d >= 0.2"},
                      {"id": "dead", "name": "死群", "dissolve_after": v("duration", "7d")}],
        "churn": [{"id": "silent", "name": "沉默", "when": "days_since_last_message >= 14", "action": "关怀",
                   "within": v("duration", "1d")}],
        "commission": {
            "pool": {"per_group": v("money", "800")},
            "kpis": [{"id": "growth", "name": "增长", "metric": "net_new_members", "target": v("target", "10"), "weight": 1}],
            "curve": {"points": [[v("factor", "0.5"), v("factor", "0.5")], [v("factor", "1"), v("factor", "1")]],
                      "floor": v("factor", "0.1"), "cap": v("factor", "2")},
            "bonuses": [{"id": "b", "name": "奖", "when": "sales >= 0", "amount": v("money", "100")}],
            "cap": {"per_staff": v("money", "5000")},
            "split": {"owner": "0.6", "admin": "0.4"},
        },
        "sop": [
            {"id": "topic", "name": "话题", "role": "owner", "every": "daily 20:00", "minutes": v("minutes", 10)},
            {"id": "live", "name": "直播", "role": "owner", "rrule": v("rrule", "FREQ=WEEKLY;BYDAY=SA"), "at": "10:00",
             "minutes": v("minutes", 5)},
            {"id": "countdown", "name": "倒计时", "role": "admin", "days": [0, v("day", 1)], "at": "10:00"},
            {"id": "care", "name": "回访", "role": "admin", "member_days": [v("day", 3)], "at": "11:00"},
            {"id": "greet", "name": "欢迎", "role": "admin", "on": "join", "within": v("duration", "10m"),
             "per_day": v("per_day", 2.0), "minutes": v("minutes", 1)},
        ],
    }


def yaml_text(value: Any) -> str:
    """`value` as YAML flow style: numbers unquoted (as a team writes them), text quoted."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {yaml_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(yaml_text(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str) and _number_like(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def _number_like(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return text in (".inf", ".nan", "-.inf")
    return True


def _kinds() -> list[str]:
    found: list[str] = []

    def record(kind: str, usual: Any) -> Any:
        found.append(kind)
        return usual

    playbook(record)
    return found


KINDS = _kinds()  # the kind of each numeric slot, in the order playbook() asks for them


@st.composite
def playbooks(draw: st.DrawFn, pools: dict[str, list[Any]]) -> str:
    """The playbook with one to four of its numbers drawn from `pools` (more would mostly stop
    at the first section's bound, and the later checks would not be reached)."""
    chosen = draw(st.sets(st.integers(0, len(KINDS) - 1), min_size=1, max_size=4))
    seen = iter(range(len(KINDS)))

    def value(kind: str, usual: Any) -> Any:
        return draw(st.sampled_from(pools[kind])) if next(seen) in chosen else usual

    return yaml_text(playbook(value)) + "\n"


def write(tmp_path: Path, text: str) -> Path:
    # A name of its own per example: tmp_path is shared by all of a test's examples.
    path = tmp_path / f"playbook-{hashlib.sha256(text.encode()).hexdigest()[:16]}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def errors(path: Path) -> list[str]:
    return [d.code for d in validate_paths([path]).diagnostics if d.level.value == "error"]


def test_the_usual_playbook_is_clean(tmp_path: Path) -> None:
    # Else the runs below would never run.
    assert errors(write(tmp_path, yaml_text(playbook(lambda kind, usual: usual)) + "\n")) == []


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=playbooks(HOSTILE))
def test_validate_answers_quickly_whatever_the_numbers(tmp_path: Path, text: str) -> None:
    start = time.perf_counter()
    report = validate_paths([write(tmp_path, text)])
    elapsed = time.perf_counter() - start
    assert elapsed < LIMIT, f"validate took {elapsed:.2f}s"
    for d in report.diagnostics:
        assert d.span.line >= 1 and d.message("en") and d.message("zh")


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--lang", "en"])
    return result.exit_code, result.output


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=playbooks(EDGE))
def test_a_clean_playbook_never_ends_simulate_or_tasks_in_an_internal_error(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    if errors(path):
        return  # refused (by the bounds, or for what the values mean): nothing runs
    data = ["--events", str(HERE / "events.csv"), "--roster", str(HERE / "roster.yaml")]
    code, output = cli("simulate", str(path), *data, "--out", str(tmp_path / "out"), "--formats", "csv")
    assert "internal error" not in output and code == 0, output
    code, output = cli("tasks", str(path), "--roster", str(HERE / "roster.yaml"), "--events", str(HERE / "events.csv"),
                       "--from", "2027-01-01", "--to", "2027-01-31", "--out", str(tmp_path / "tasks.csv"))
    assert "internal error" not in output and code == 0, output
