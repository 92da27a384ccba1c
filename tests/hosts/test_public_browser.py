"""The public status page in a real browser on a phone: no sideways scroll, no console error."""

from __future__ import annotations

import shutil

import pytest
from aiohttp.test_utils import TestServer

from camnet.auth.principal import cli_principal
from camnet.hosts import public_store
from camnet.web import keys

pytestmark = pytest.mark.browser
async_api = pytest.importorskip("playwright.async_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_public_page_on_a_phone(sample_server: TestServer) -> None:
    db = sample_server.app[keys.DB]
    await public_store.set_enabled(db, cli_principal(), "SAMPLE-PHUMY", True)
    await public_store.add_notice(db, cli_principal(), "SAMPLE-PHUMY",
                                  "Mất điện khu vực thôn Mỹ Lợi, đang khắc phục")
    base = str(sample_server.make_url("/"))
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM,
                                           args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844},
                                          java_script_enabled=False)
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error"
                    and not m.location.get("url", "").endswith("/favicon.ico") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            for path in ("trang-thai/SAMPLE-PHUMY", "trang-thai/SAMPLE-PHUMY?lang=en"):
                resp = await page.goto(base + path)
                assert resp is not None and resp.status == 200
                await page.click("details.pub-table summary >> nth=0")  # open a day table
                assert await page.is_visible("details.pub-table table >> nth=0")
                text = await page.inner_text("main")
                assert "Mất điện khu vực thôn Mỹ Lợi" in text
            scripted = await browser.new_page(viewport={"width": 390, "height": 844})
            scripted.on("console", lambda m: problems.append(m.text) if m.type == "error"
                        and not m.location.get("url", "").endswith("/favicon.ico") else None)
            await scripted.goto(base + "trang-thai/SAMPLE-PHUMY")
            await scripted.click("details.pub-table summary >> nth=1")
            width = await scripted.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, width
            labelled = await scripted.evaluate(
                "[...document.querySelectorAll('svg.pub-bars')].every(s =>"
                " s.getAttribute('role') === 'img' && s.querySelector('title').textContent.length)")
            assert labelled
            assert not problems, problems
        finally:
            await browser.close()
