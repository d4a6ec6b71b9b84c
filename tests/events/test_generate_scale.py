"""The generator's scale read from the commission plan (events/generate_scale.py): the targets it
aims at per playbook, the periods, the interaction-rate fit, and groups drawn near their aims."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from qunce.events.generate import generate
from qunce.events.generate_scale import chat_rates, period_days, targets, valid_share
from qunce.load import load_playbook
from qunce.model import Playbook

PLAYBOOKS = Path("playbooks")


def loaded(path: Path) -> Playbook:
    playbook = load_playbook(path).playbook
    assert playbook is not None
    return playbook


def test_targets_follow_each_bundled_plan() -> None:
    brand = targets(loaded(PLAYBOOKS / "brand-complete.yaml"))
    assert brand is not None and brand.grain == "month" and not brand.per_staff
    assert brand.values == {"net_new_members": 150, "interaction_rate": 0.15, "csat": 4.5, "sales": 60000,
                            "leave_rate": 0.05}
    assert brand.lower == {"leave_rate"}
    flash = targets(loaded(PLAYBOOKS / "flash.yaml"))  # per-staff pool, weekly; its gate reads conversion_rate
    assert flash is not None and flash.per_staff and flash.grain == "week"
    assert flash.values["sales"] == 24000 and flash.values["conversion_rate"] == pytest.approx(0.05 * 1.25)
    shared = flash.per_group(4.0)  # a staff member's counts shared by the groups they hold; rates kept
    assert shared.values["sales"] == 6000 and shared.values["leave_rate"] == 0.1 and not shared.per_staff
    welfare = targets(loaded(PLAYBOOKS / "welfare.yaml"))
    assert welfare is not None and welfare.values == {"sales": 50000, "conversion_rate": 0.3, "csat": 4.6}


def test_a_playbook_without_commission_has_no_targets(tmp_path: Path) -> None:
    text = (PLAYBOOKS / "brand-complete.yaml").read_text(encoding="utf-8")
    cut = re.sub(r"\ncommission:\n(?:  .*\n|\s*\n|#.*\n)*", "\n", text)
    assert "\ncommission:" not in cut
    (tmp_path / "p.yaml").write_text(cut, encoding="utf-8")
    assert targets(loaded(tmp_path / "p.yaml")) is None


def test_periods_are_calendar_periods_cut_by_the_window() -> None:
    firsts, index, lengths = period_days(dt.date(2027, 1, 25), 14, "month")
    assert firsts.tolist() == [0, 7] and index.tolist() == [0] * 7 + [1] * 7 and lengths.tolist() == [31, 28]
    firsts, _, lengths = period_days(dt.date(2027, 1, 1), 10, "week")  # Friday: the first week is cut
    assert firsts.tolist() == [0, 3] and lengths.tolist() == [7, 7]
    assert period_days(dt.date(2027, 2, 1), 90, "quarter")[2].tolist() == [90, 91]


def test_the_chat_fit_reaches_the_wanted_share_of_speakers() -> None:
    rng = np.random.default_rng(1)
    talk = rng.lognormal(0, 1.6, 40_000)
    group = np.repeat(np.arange(4), 10_000)
    wanted = np.array([0.05, 0.15, 0.3, 0.6])
    valid = valid_share(5, 12, 0.9)
    rates = chat_rates(talk, group, np.ones(talk.size), np.full(4, 1.2), wanted, valid)
    share = [np.mean(-np.expm1(-rates[g] * talk[group == g] * 1.2 * valid)) for g in range(4)]
    assert np.allclose(share, wanted, rtol=1e-3)
    assert valid_share(1, 12, 0.9) == 1.0 and 0.85 < valid < 0.92


def test_healthy_groups_land_near_their_aims() -> None:
    playbook = loaded(PLAYBOOKS / "brand-complete.yaml")
    table, roster = generate(playbook, 40, 16_000, 31, dt.date(2027, 1, 1), 5)
    sales: dict[str, Decimal] = defaultdict(Decimal)
    joins: dict[str, int] = defaultdict(int)
    for row in table.select(["type", "group_id", "amount"]).to_pylist():
        if row["type"] == "order":
            sales[row["group_id"]] += row["amount"]
        elif row["type"] == "refund":
            sales[row["group_id"]] -= row["amount"]
        elif row["type"] == "join":
            joins[row["group_id"]] += 1
    older = [g.id for g in roster.groups if g.created_at < dt.date(2027, 1, 1) and g.ended_at is None]
    assert len(older) >= 10
    # each group's strength spreads it around the target: the median group is near it
    assert 0.7 * 60000 < float(np.median([float(sales[g]) for g in older])) < 1.3 * 60000
    assert 0.7 * 150 < np.median([joins[g] for g in older]) < 1.6 * 150  # net new 150, plus the leavers
