"""The page header: a menu button on phones, inline links on desktops; badge colours readable."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from tests.conftest import log_in

CSS = Path(__file__).parents[2] / "camnet" / "web" / "static" / "camnet.css"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_status_badges_meet_wcag_aa_with_white_text() -> None:
    root = re.search(r":root \{([^}]*)\}", CSS.read_text())
    assert root is not None
    colours = dict(re.findall(r"--(\w+): (#[0-9a-fA-F]{6})", root.group(1)))
    assert set(colours) >= {"up", "down", "degraded", "unknown", "maintenance"}
    for name, colour in colours.items():
        ratio = (1.0 + 0.05) / (_luminance(colour) + 0.05)
        assert ratio >= 4.5, (name, colour, round(ratio, 2))


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_header_is_a_menu_on_phones_and_inline_on_desktops(sample_server: TestServer) -> None:
    async_api = pytest.importorskip("playwright.async_api")
    base = str(sample_server.make_url("/"))
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM,
                                           args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await log_in(page, base, "admin")
            nav = page.locator("header.top nav")
            assert not await nav.is_visible()  # folded away on a phone
            button = page.locator("label.menu-button")
            box = await button.bounding_box()
            assert box is not None and box["height"] >= 44 and box["width"] >= 44
            # keyboard: Tab reaches the toggle, Space opens the menu
            for _ in range(5):
                await page.keyboard.press("Tab")
                if await page.evaluate("document.activeElement.id") == "menu-toggle":
                    break
            assert await page.evaluate("document.activeElement.id") == "menu-toggle"
            await page.keyboard.press("Space")
            assert await nav.is_visible()
            for link in await page.locator("header.top nav a, header.top .lang,"
                                           " header.top .who button").all():
                box = await link.bounding_box()
                assert box is not None and box["height"] >= 44, await link.inner_text()
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390
            assert "Quản trị" in await page.locator("header.top .who").inner_text()
            await page.set_viewport_size({"width": 1366, "height": 900})
            assert await nav.is_visible() and not await button.is_visible()
            await page.click("header.top nav a[href='/map']")
            await page.wait_for_url(re.compile(r".*/map$"))
        finally:
            await browser.close()
