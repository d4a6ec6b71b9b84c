"""The HTML handbook as a person sees it: rendered by headless Chromium on a 390-pixel phone and
a desktop screen. The page itself has no scripts; the layout checks run in a probe page that
loads the handbook into a 390-pixel frame and measures it (Chromium's headless window cannot be
narrower than 500 pixels, its screenshots can).

Needs Debian's chromium (.ci/run installs it). Skipped, with the reason, only outside CI."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest

from qunce.compile.docs.handbook import render_all
from qunce.load import load_playbook

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: .ci/run installs it (apt-get install chromium)", pytrace=False)
    pytest.skip("chromium is not installed (apt-get install chromium); CI always runs these tests",
                allow_module_level=True)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    playbook = load_playbook(ROOT / "playbooks" / "brand-complete.yaml").playbook
    assert playbook is not None
    folder = tmp_path_factory.mktemp("handbook")
    out = {}
    for lang in ("zh", "en"):
        path = folder / f"handbook.{lang}.html"
        path.write_text(render_all(playbook, ("html",), lang)["html"], encoding="utf-8")
        out[lang] = path
    return out


def chromium(tmp_path: Path, *args: str) -> str:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    done = subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


PROBE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
<iframe id="frame" style="width:390px;height:844px;border:0"></iframe>
<pre id="qunce-probe">pending</pre>
<script>
var frame = document.getElementById('frame');
frame.onload = function () {
  var doc = frame.contentDocument, win = frame.contentWindow, width = doc.documentElement.clientWidth, wide = [];
  doc.querySelectorAll('body *').forEach(function (el) {
    if (el.closest('.scroll')) return;  /* wide tables scroll inside their own box */
    var box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5) wide.push(el.tagName + (el.id ? '#' + el.id : '') + '.' + el.className);
  });
  var missing = [];
  doc.querySelectorAll('a[href^="#"]').forEach(function (a) {
    if (!doc.getElementById(a.getAttribute('href').slice(1))) missing.push(a.getAttribute('href'));
  });
  var toc = doc.querySelector('nav.toc').getBoundingClientRect();
  document.getElementById('qunce-probe').textContent = JSON.stringify({
    width: width, scrollWidth: doc.documentElement.scrollWidth, wide: wide.slice(0, 10), missing: missing,
    sections: doc.querySelectorAll('main > section > h2').length, links: doc.querySelectorAll('nav.toc a').length,
    tocVisible: toc.height > 0 && toc.width > 0, font: win.getComputedStyle(doc.body).fontFamily,
    bodyFontPx: parseFloat(win.getComputedStyle(doc.body).fontSize)});
};
frame.srcdoc = HANDBOOK;
</script></body></html>"""


def probe(tmp_path: Path, html: str) -> dict[str, Any]:
    page = tmp_path / "probe.html"
    page.write_text(PROBE.replace("HANDBOOK", json.dumps(html).replace("</", "<\\/")), encoding="utf-8")
    dom = chromium(tmp_path, "--window-size=1280,900", "--virtual-time-budget=10000", "--dump-dom", page.as_uri())
    found = re.search(r'<pre id="qunce-probe">(.*?)</pre>', dom, flags=re.DOTALL)
    assert found and found.group(1) != "pending", dom[-2000:]
    result: dict[str, Any] = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    return result


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_fits_a_phone_screen(pages: dict[str, Path], tmp_path: Path, lang: str) -> None:
    seen = probe(tmp_path, pages[lang].read_text(encoding="utf-8"))
    assert seen["width"] <= 390
    assert seen["wide"] == [] and seen["scrollWidth"] <= seen["width"], seen  # nothing wider than the phone
    assert seen["missing"] == [], seen  # every link of the contents leads somewhere
    assert seen["sections"] == 14 and seen["links"] >= 14 and seen["tocVisible"]
    assert "PingFang SC" in seen["font"] and "Microsoft YaHei" in seen["font"]
    assert seen["bodyFontPx"] >= 14


def test_the_probe_sees_an_overflowing_page(pages: dict[str, Path], tmp_path: Path) -> None:
    broken = pages["zh"].read_text(encoding="utf-8").replace('class="scroll"', 'class="no-scroll"')
    assert probe(tmp_path, broken)["wide"], "tables outside their scrolling box overflow a phone"


def _png(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat, offset = b"", 8
    while offset < len(data):
        (length,), kind = struct.unpack(">I", data[offset:offset + 4]), data[offset + 4:offset + 8]
        if kind == b"IDAT":
            idat += data[offset + 8:offset + 8 + length]
        offset += 12 + length
    return width, height, zlib.decompress(idat)


@pytest.mark.parametrize(("size", "lang"), [((390, 844), "zh"), ((1280, 800), "zh"), ((390, 844), "en")])
def test_screenshots_show_the_handbook(pages: dict[str, Path], tmp_path: Path, size: tuple[int, int],
                                       lang: str) -> None:
    shot = tmp_path / f"handbook-{lang}-{size[0]}.png"
    chromium(tmp_path, f"--window-size={size[0]},{size[1]}", f"--screenshot={shot}", pages[lang].as_uri())
    width, height, pixels = _png(shot)
    assert (width, height) == size
    assert len(set(pixels)) > 40, "the screenshot is blank"
    keep = os.environ.get("QUNCE_SCREENSHOTS")  # a folder to look at them yourself
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)


def test_the_rendered_page_has_its_headings_and_anchors(pages: dict[str, Path], tmp_path: Path) -> None:
    dom = chromium(tmp_path, "--dump-dom", pages["zh"].as_uri())
    assert '<h1>花漾美妆私域 2027Q1 <small>运营手册</small></h1>' in dom
    assert '<h2><span class="num">13.</span> 运营提成</h2>' in dom
    for anchor in re.findall(r'href="#([^"]+)"', dom):
        assert f'id="{anchor}"' in dom, anchor
