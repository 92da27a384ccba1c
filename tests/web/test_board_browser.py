"""The board on a phone (390×844): cards, no sideways scroll, a status change applied in place."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from camnet.config import Config, load_config
from camnet.web import keys
from tests.conftest import log_in

pytestmark = pytest.mark.browser
async_api = pytest.importorskip("playwright.async_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """The monitor off, and a short interval so the board polls every 5 s."""
    return load_config(None, {"storage": {"data_dir": str(tmp_path / "data")},
                              "monitor": {"enabled": False, "interval_s": 5}})


async def _poll(check: Callable[[], Awaitable[Any]], seconds: float = 60) -> Any:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        value = await check()
        if value or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.5)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_board_on_a_phone_updates_in_place(sample_server: TestServer) -> None:
    base = str(sample_server.make_url("/"))
    db = sample_server.app[keys.DB]
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM,
                                           args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await log_in(page, base, "admin")
            await page.goto(base + "?zone=SAMPLE-PHUMY")
            assert await page.evaluate("document.documentElement.scrollWidth") <= 390
            cards = page.locator("li.cam")
            assert await cards.count() == 28
            boxes = [await cards.nth(i).bounding_box() for i in range(3)]
            assert all(b is not None and b["width"] <= 390 for b in boxes)
            assert boxes[0] is not None and boxes[1] is not None
            assert boxes[1]["y"] > boxes[0]["y"]  # one card per row on a phone
            # scroll down, then a camera goes down: the card changes, the page does not reload
            camera_id = int(await cards.nth(20).get_attribute("data-camera") or 0)
            await page.evaluate("window.scrollTo(0, 1500)")
            await page.evaluate("window.__same_page = true")
            scrolled = await page.evaluate("window.scrollY")
            assert scrolled > 0
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO status_change(camera_id, at, from_status, to_status,"
                                 " reason) VALUES (?, '2026-11-20T01:00:00Z', 'unknown', 'down',"
                                 " 'timeout')", (camera_id,))
                await tx.execute("INSERT INTO camera_status(camera_id, status, since, cause)"
                                 " VALUES (?, 'down', '2026-11-20T01:00:00Z', 'timeout')",
                                 (camera_id,))
            card = page.locator(f"li.cam[data-camera='{camera_id}']")

            async def changed() -> bool:
                return await card.get_attribute("data-status") == "down"

            assert await _poll(changed)
            assert await card.locator(".pill.down").count() == 1
            assert await page.locator(".count[data-status=down] b").inner_text() == "1"
            assert await page.evaluate("window.__same_page === true")  # no reload happened
            assert await page.evaluate("window.scrollY") == scrolled
            assert await page.is_visible("#board-stale")  # its place in the order moved
            assert await page.evaluate("document.documentElement.scrollWidth") <= 390
        finally:
            await browser.close()
