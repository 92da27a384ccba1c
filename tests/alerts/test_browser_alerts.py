"""A real browser (Debian's chromium) links Zalo and subscribes on the alerts page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from tests.conftest import log_in

pytestmark = pytest.mark.browser
async_api = pytest.importorskip("playwright.async_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_alerts_page_in_a_browser(sample_server: TestServer, tmp_path: Path) -> None:
    base = str(sample_server.make_url("/"))
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM,
                                           args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page()
            await log_in(page, base, "admin")
            await page.click("a[href='/alerts']")
            await page.wait_for_url("**/alerts")
            await page.click("form:has(input[value=link]) button")
            code = await page.inner_text("#link-code strong")
            assert re.fullmatch(r"\d{6}", code)
            await page.select_option("select[name=zone]", "SAMPLE-PHUMY-ML")
            await page.select_option("select[name=events]", ["camera_down", "camera_recovered"])
            await page.fill("input[name=quiet_start]", "22:00")
            await page.fill("input[name=quiet_end]", "06:00")
            await page.click("form:has(input[value=subscribe]) button[type=submit]")
            await page.wait_for_url("**/alerts")
            text = await page.inner_text("main")
            assert "Camera mất tín hiệu, Camera hoạt động lại" in text and "22:00–06:00" in text
            assert "Nhật ký gửi" in text
            await page.screenshot(path=str(tmp_path / "alerts.png"), full_page=True)
            shutil.copy(tmp_path / "alerts.png", "/tmp/alerts_page.png")
        finally:
            await browser.close()
