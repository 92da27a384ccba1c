"""The host journey in a real browser on a phone-size screen (390×844, Debian's chromium).

Register on /dang-ky (proof of work solved by the page's own script) → an officer approves →
the host opens the private link → pauses monitoring → withdraws consent.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from camnet.timeutil import to_local, utcnow
from tests.conftest import log_in

pytestmark = pytest.mark.browser
async_api = pytest.importorskip("playwright.async_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE = {"width": 390, "height": 844}


async def _no_sideways_scroll(page: object) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= PHONE["width"], (page.url, width)  # type: ignore[attr-defined]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_host_journey_on_a_phone(sample_server: TestServer, tmp_path: Path) -> None:
    base = str(sample_server.make_url("/")).rstrip("/")
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM,
                                           args=["--no-sandbox", "--disable-gpu"])
        try:
            host = await browser.new_context(viewport=PHONE)
            page = await host.new_page()
            await page.goto(base + "/dang-ky")
            await page.select_option("select[name=zone_id]",
                                     label="Thôn Mỹ Lợi (mẫu) — Xã Phú Mỹ (dữ liệu mẫu)")
            await page.fill("input[name=host_name]", "Phạm Thị Dung <b>")
            await page.fill("input[name=phone]", "0912 777 888")
            await page.fill("input[name=point_name]", "Quán nước Dung")
            await page.fill("input[name=address]", "Đầu cầu Mỹ Lợi")
            await page.fill("input[name=lat]", "16.511")
            await page.fill("input[name=lon]", "107.651")
            await page.fill("input[name='cam-0-label']", "Cửa trước")
            await page.fill("input[name='cam-0-retention_days']", "15")
            await page.check("input[name='cam-0-sign_posted'][value=yes]")
            assert not await page.is_checked("input[name=consent]")  # never pre-ticked
            await page.check("input[name=consent]")
            await page.wait_for_selector("form[data-pow-ready='1']", timeout=120_000)
            for length in (0, 3, 55, 56, 63, 64, 65, 130):  # the plain-HTTP fallback hash
                text = ("0a&9" * 40)[:length]
                got = await page.evaluate("t => window.camnetSha256(t)", text)
                assert got == hashlib.sha256(text.encode()).hexdigest(), length
            await _no_sideways_scroll(page)
            await page.screenshot(path=str(tmp_path / "register.png"), full_page=True)
            await page.click("#host-register button[type=submit]")
            await page.wait_for_selector("a.host-link")
            link = await page.get_attribute("a.host-link", "href")
            assert link and "/chu-camera/" in link

            officer = await browser.new_context(viewport=PHONE)
            opage = await officer.new_page()
            await log_in(opage, base, "canbo")
            await opage.goto(base + "/ho-so-dang-ky")
            await _no_sideways_scroll(opage)
            await opage.click("tr.reg-row a >> nth=1")
            assert "Phạm Thị Dung <b>" in await opage.inner_text("dd.host-name")
            await _no_sideways_scroll(opage)
            await opage.screenshot(path=str(tmp_path / "review.png"), full_page=True)
            await opage.click("#review-form button[value=approve]")
            await opage.wait_for_selector("dd[data-status=approved]")

            await page.goto(link)
            await page.wait_for_selector("[data-status=approved]")
            assert "Cửa trước" in await page.inner_text("main")
            await _no_sideways_scroll(page)
            until = to_local(utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
            await page.fill("#pause-form input[name=until]", until)
            await page.fill("#pause-form input[name=reason]", "Sửa điện")
            await page.click("#pause-form button[type=submit]")
            await page.wait_for_selector("form.pause-row")
            assert "Sửa điện" in await page.inner_text("form.pause-row")
            await page.check("#withdraw-form input[name=confirm]")
            await page.click("#withdraw-form button[type=submit]")
            await page.wait_for_selector("[data-status=withdrawn]")
            assert "rút lại lúc" in await page.inner_text("main")
            await page.screenshot(path=str(tmp_path / "host-page.png"), full_page=True)
            await _no_sideways_scroll(page)
        finally:
            await browser.close()
