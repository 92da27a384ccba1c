"""A real browser (Debian's chromium via Playwright) logs in and logs an incident."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from camnet.demo_case import seed_sample_case
from camnet.web import keys
from tests.conftest import log_in

pytestmark = pytest.mark.browser
async_api = pytest.importorskip("playwright.async_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_log_in_and_log_an_incident(sample_server: TestServer, tmp_path: Path) -> None:
    base = str(sample_server.make_url("/"))
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM,
                                           args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page()
            await log_in(page, base, "canbo")
            assert "Bảng trạng thái" in await page.content()
            await page.click("a[href='/incidents']")
            await page.fill("input[name=case_no]", "VV-BROWSER-1")
            await page.select_option("select[name=kind]", "traffic")
            await page.fill("input[name=occurred_from]", "2026-11-20T07:30")
            await page.fill("input[name=occurred_to]", "2026-11-20T08:00")
            await page.fill("textarea[name=summary]", "Va chạm xe máy ở ngã ba chợ")
            await page.click("form[action='/incidents'] button[type=submit]")
            await page.wait_for_url("**/incidents/*")
            text = await page.inner_text("main")
            assert "VV-BROWSER-1" in text and "Va chạm xe máy" in text
            assert "20/11/2026 07:30" in text  # entered and shown in Asia/Ho_Chi_Minh
            await page.screenshot(path=str(tmp_path / "incident.png"))
        finally:
            await browser.close()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_no_page_scrolls_sideways_on_a_phone(sample_server: TestServer) -> None:
    base = str(sample_server.make_url("/"))
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM,
                                           args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await log_in(page, base, "admin")
            for path in ("", "alerts", "map", "incidents", "requests", "requests/at-risk"):
                await page.goto(base + path)
                width = await page.evaluate("document.documentElement.scrollWidth")
                assert width <= 390, (path, width)
        finally:
            await browser.close()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_commander_approves_on_a_phone_after_confirming(sample_server: TestServer) -> None:
    """From the home count to an approved request, with the confirmation step, at 390 px."""
    base = str(sample_server.make_url("/"))
    app = sample_server.app
    request_id = await seed_sample_case(app[keys.DB], app[keys.CONFIG])  # canbo's submitted request
    assert request_id is not None
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM,
                                           args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await log_in(page, base, "chihuy")
            await page.click("a[href='/requests?status=submitted']")
            await page.click(f"a[href='/requests/{request_id}']")
            await page.fill("form:has(button[value=approved]) input[name=note]", "Đồng ý trích xuất")
            await page.click("button[value=approved]")
            card = page.locator("#confirm-step")
            await card.wait_for()
            assert "không hoàn tác" in await card.inner_text()
            assert "Đồng ý trích xuất" in await card.inner_text()  # the note as typed
            assert await page.evaluate("document.documentElement.scrollWidth") <= 390
            box = await page.locator("#confirm-yes").bounding_box()
            assert box is not None and box["height"] >= 44 and box["width"] >= 44
            await page.click("#confirm-yes")
            await page.wait_for_url(f"**/requests/{request_id}")
            assert "Đã duyệt" in await page.inner_text("h1")
            assert await page.locator("#confirm-step").count() == 0
        finally:
            await browser.close()
