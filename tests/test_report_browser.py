"""The HTML report in a real browser: headless Chromium renders it, not blank, every image loaded.

Skipped with the reason when no Chromium/Chrome is installed (``.ci/run`` installs Debian's
``chromium`` where the machine allows it). Set ``REBOUND_SCREENSHOT=path.png`` to keep the
screenshot (docs/results/report.png is made this way).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# test-only probe: after load, write each image's natural size into the DOM (the report itself has no script)
PROBE = """<script>window.addEventListener('load',function(){var o=[];for(const i of document.images){o.push(i.complete+':'+i.naturalWidth+'x'+i.naturalHeight)}
var p=document.createElement('pre');p.id='probe';p.textContent='IMAGES '+o.join(' ');document.body.appendChild(p)})</script>"""


def browser() -> str | None:
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


def headless(exe: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp / 'profile'}",
    ]
    return subprocess.run([exe, *flags, *args], capture_output=True, timeout=120, check=False)


def test_report_renders_in_a_headless_browser(tmp_path: Path) -> None:
    exe = browser()
    if exe is None:
        pytest.skip("no Chromium or Chrome on PATH (apt-get install chromium)")
    from click.testing import CliRunner
    from matplotlib import image

    from rebound.cli.main import main

    scs = [
        str(ROOT / "scenarios" / "changchun_2022" / f"{n}.toml")
        for n in ("no_vouchers", "lockdown_two_weeks_shorter")
    ]
    r = CliRunner().invoke(
        main, ["report", *scs, "--ensemble", "20", "--out", str(tmp_path / "report")]
    )
    assert r.exit_code == 0, r.output
    page = tmp_path / "report.html"
    text = page.read_text(encoding="utf-8")
    n_img = len(re.findall(r"<img ", text))
    assert n_img >= 6
    shot = tmp_path / "shot.png"
    res = headless(
        exe,
        tmp_path,
        "--window-size=1280,2400",
        "--hide-scrollbars",
        f"--screenshot={shot}",
        page.as_uri(),
    )
    assert shot.exists(), res.stderr.decode(errors="replace")[-2000:]
    px = image.imread(io.BytesIO(shot.read_bytes()), format="png")
    assert px.shape[0] >= 2000 and px.shape[1] >= 1200
    gray = px[..., :3].mean(axis=2)
    assert float(np.mean(gray < 0.5)) > 0.01, "the screenshot is blank"  # text and lines drawn
    assert float(gray.std()) > 0.05
    if os.environ.get("REBOUND_SCREENSHOT"):
        Path(os.environ["REBOUND_SCREENSHOT"]).write_bytes(shot.read_bytes())
    probe = tmp_path / "probe.html"
    probe.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    res = headless(exe, tmp_path, "--virtual-time-budget=10000", "--dump-dom", probe.as_uri())
    dom = res.stdout.decode("utf-8", errors="replace")
    m = re.search(r"<pre id=\"probe\">IMAGES ([^<]*)</pre>", dom)
    assert m, dom[-2000:]
    sizes = m.group(1).split()
    assert len(sizes) == n_img
    for s in sizes:
        done, wh = s.split(":")
        w, h = (int(v) for v in wh.split("x"))
        assert done == "true" and w >= 500 and h >= 300, s
