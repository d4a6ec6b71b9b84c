"""The report as a person sees it: headless Chromium, the network blocked, at a desktop width and on
a 390-pixel phone. Every chart draws (SVG elements in its box), nothing is logged as an error,
no request leaves the file, and nothing but a table's own scrolling box is wider than the phone.

The page runs inside a probe page's frame of the chosen width (Chromium's headless window cannot be
narrower than 500 pixels), with a script put first in its head that records errors and
console.error calls. Needs Debian's chromium (.ci/run installs it); skipped, with the reason, only
outside CI when there is none."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: .ci/run installs it (apt-get install chromium)", pytrace=False)
    pytest.skip("chromium is not installed (apt-get install chromium); CI always runs these tests",
                allow_module_level=True)

# The network blocked: every host resolves nowhere and any request would go to a closed proxy.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"]

HOOK = """<script>window.qunceErrors = [];
window.addEventListener('error', function (e) { window.qunceErrors.push('error: ' + e.message); });
window.addEventListener('unhandledrejection', function (e) { window.qunceErrors.push('rejection: ' + e.reason); });
(function (original) { console.error = function () {
  window.qunceErrors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
  return original.apply(console, arguments); }; })(console.error);</script>"""

PROBE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
<iframe id="frame" style="width:WIDTHpx;height:900px;border:0"></iframe>
<pre id="qunce-probe">pending</pre>
<script>
var frame = document.getElementById('frame');
frame.onload = function () { setTimeout(function () {
  var doc = frame.contentDocument, win = frame.contentWindow, width = doc.documentElement.clientWidth, wide = [];
  doc.querySelectorAll('body *').forEach(function (el) {
    /* tables scroll inside their own box; a chart's drawing is clipped by its svg */
    if (el.closest('.scroll') || el.ownerSVGElement) return;
    var box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5) wide.push(el.tagName + (el.id ? '#' + el.id : ''));
  });
  var drawn = {};
  doc.querySelectorAll('.chart[data-chart]').forEach(function (el) {
    drawn[el.getAttribute('data-chart')] = {svg: el.querySelectorAll('svg').length,
                                            shapes: el.querySelectorAll('svg path, svg rect, svg text').length};
  });
  var missing = [];
  doc.querySelectorAll('a[href^="#"]').forEach(function (a) {
    if (!doc.getElementById(a.getAttribute('href').slice(1))) missing.push(a.getAttribute('href'));
  });
  document.getElementById('qunce-probe').textContent = JSON.stringify({
    width: width, scrollWidth: doc.documentElement.scrollWidth, wide: wide.slice(0, 10), drawn: drawn,
    errors: win.qunceErrors, missing: missing,
    requests: win.performance.getEntriesByType('resource').map(function (r) { return r.name; })
      .concat(performance.getEntriesByType('resource').map(function (r) { return r.name; }))});
}, 1000); };
frame.srcdoc = REPORT;
</script></body></html>"""


def probe(tmp_path: Path, html: str, width: int) -> dict[str, Any]:
    hooked = html.replace("<head>", "<head>" + HOOK, 1)
    page = tmp_path / f"probe-{width}.html"
    page.write_text(PROBE.replace("WIDTH", str(width)).replace("REPORT", json.dumps(hooked).replace("</", "<\\/")),
                    encoding="utf-8")
    done = subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / f'profile-{width}'}",
                           "--window-size=1400,900", "--virtual-time-budget=15000", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<pre id="qunce-probe">(.*?)</pre>', done.stdout, flags=re.DOTALL)
    assert found and found.group(1) != "pending", done.stdout[-2000:]
    result: dict[str, Any] = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&")
                                        .replace("&lt;", "<").replace("&gt;", ">"))
    return result


@pytest.mark.parametrize("width", [1280, 390])
def test_every_chart_draws_offline_without_errors(sim_dir: Path, tmp_path: Path, width: int) -> None:
    html = (sim_dir / "report.html").read_text(encoding="utf-8")
    charts = re.findall(r'<div class="chart" data-chart="([^"]+)"', html)
    seen = probe(tmp_path, html, width)
    assert seen["errors"] == []
    assert seen["requests"] == []  # nothing fetched: no script, style, font or image outside the file
    assert sorted(seen["drawn"]) == sorted(charts) and len(charts) >= 12
    assert {"sop-on-time", "sop-status", "sop-warnings"} <= set(charts)  # the SOP assessment's too
    for chart, drawn in seen["drawn"].items():
        assert drawn["svg"] >= 1 and drawn["shapes"] >= 10, (chart, drawn)
    assert seen["missing"] == []  # every link of the contents leads somewhere
    assert seen["width"] <= width
    assert seen["wide"] == [] and seen["scrollWidth"] <= seen["width"], seen


def test_the_probe_sees_an_error_and_an_empty_chart(sim_dir: Path, tmp_path: Path) -> None:
    html = (sim_dir / "report.html").read_text(encoding="utf-8")
    broken = html.replace('chart.setOption(option);', 'if (i > 0) chart.setOption(option); else undefinedThing();', 1)
    seen = probe(tmp_path, broken, 1280)
    assert seen["errors"] and "undefinedThing" in seen["errors"][0]
