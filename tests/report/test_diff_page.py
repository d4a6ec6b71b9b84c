"""`qunce diff --format html`: the comparison as a page: the charts' numbers are the comparison's,
in one language, the same bytes twice, nothing outside the file; Chromium draws every chart."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

pytest.importorskip("ibis")

from qunce.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "commission"
DATA = ["--events", str(EXAMPLE / "events.csv"), "--roster", str(EXAMPLE / "roster.yaml")]


def diff(tmp_path: Path, fmt: str, lang: str, name: str) -> Path:
    out = tmp_path / name
    result = CliRunner().invoke(main, ["diff", str(EXAMPLE / "playbook.yaml"), str(EXAMPLE / "raised-cap.yaml"), *DATA,
                                       "--format", fmt, "--out", str(out), "--lang", lang])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("diff")
    return {"zh": diff(folder, "html", "zh", "zh.html"), "en": diff(folder, "html", "en", "en.html"),
            "again": diff(folder, "html", "zh", "again.html"), "json": diff(folder, "json", "en", "diff.json")}


def charts(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="qunce-charts">(.*?)</script>', text, flags=re.DOTALL)
    assert found
    return dict(json.loads(found.group(1).replace("<\\/", "</")))


def test_the_staff_chart_holds_every_payout_before_and_after(pages: dict[str, Any]) -> None:
    doc = json.loads(pages["json"].read_text(encoding="utf-8"))
    totals: dict[str, list[Decimal]] = {}
    for row in doc["payouts"]["by_staff"]:
        pair = totals.setdefault(row["staff_id"], [Decimal(0), Decimal(0)])
        pair[0] += Decimal(row["before"])
        pair[1] += Decimal(row["after"])
    option = charts(pages["zh"])["payout-staff"]["option"]
    labels = option["yAxis"]["data"]
    before, after = (series["data"] for series in option["series"])
    ids = [re.sub(r".*（(\w+)）$", r"\1", label) for label in labels]
    shown = {s: (b, a) for s, b, a in zip(ids, before, after, strict=True)}
    assert shown == {s: (float(b), float(a)) for s, (b, a) in totals.items()}
    assert [s["name"] for s in option["series"]] == ["修改前", "修改后"]


def test_the_page_reads_in_one_language_and_is_the_same_twice(pages: dict[str, Any]) -> None:
    zh, en = pages["zh"].read_text(encoding="utf-8"), pages["en"].read_text(encoding="utf-8")
    assert "<title>规则修改的影响</title>" in zh and "提成总额变化 +¥118.00 (+3.6%)" in zh
    assert "<title>What the rule change would do</title>" in en and "The total payout changes by +¥118.00" in en
    assert "修改前" not in en and ">before<" not in zh and "Contents" not in zh
    assert pages["again"].read_bytes() == pages["zh"].read_bytes()
    body = zh.split('<script type="application/json"', 1)[0]
    assert not re.search(r'(src|href)="(https?:)?//', body)


def test_chromium_draws_every_chart_offline(pages: dict[str, Any], tmp_path: Path) -> None:
    from .test_report_browser import probe

    html = pages["zh"].read_text(encoding="utf-8")
    ids = re.findall(r'<div class="chart" data-chart="([^"]+)"', html)
    seen = probe(tmp_path, html, 390)
    assert seen["errors"] == [] and seen["requests"] == []
    assert sorted(seen["drawn"]) == sorted(ids) and len(ids) == 2
    assert all(d["svg"] >= 1 and d["shapes"] >= 10 for d in seen["drawn"].values()), seen["drawn"]
