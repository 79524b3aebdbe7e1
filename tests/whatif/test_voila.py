"""``ecoscore whatif`` serves the workbench with Voilà on loopback; a colleague opens it in
Chromium, changes an input, and sees the total, grade and rank change (no code on the page)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ecoscore import facts

CHROMIUM = Path("/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(sample_data):
    port = free_port()
    with sample_data("lishui-2024"):
        env = {**os.environ, "ECOSCORE_DATA": str(facts.DATA_DIR)}
        proc = subprocess.Popen([sys.executable, "-m", "ecoscore.cli.main", "whatif", "lishui-2024", f"--port={port}"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(proc.stdout.read().decode(errors="replace"))
                time.sleep(0.5)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_a_colleague_changes_an_input_in_the_browser(server):
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make system)", pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = b.new_page(viewport={"width": 1366, "height": 900})
            page.goto(server, timeout=120_000)
            total = page.locator("[data-total]")
            total.wait_for(timeout=120_000)
            assert total.inner_text().endswith("分")  # the first unit's total
            unit = page.locator(".widget-dropdown select").nth(1)
            unit.select_option("市发改委")
            page.locator("[data-rank]", has_text="第9/13名").wait_for(timeout=60_000)
            field = page.locator(".widget-text", has_text="附件3-1.5 完成比例").locator("input")
            field.fill("93")
            field.press("Enter")
            page.locator("[data-total]", has_text="90分").wait_for(timeout=60_000)
            assert page.locator("[data-grade]").inner_text() == "优秀"
            assert page.locator("[data-rank]").inner_text() == "第8/13名"
            text = page.inner_text("body")
            assert "import" not in text and "Workbench(" not in text  # no code shown
            page.screenshot(path=str(Path(os.environ.get("ECOSCORE_SHOTS", "/tmp")) / "whatif-voila.png"))
        finally:
            b.close()
