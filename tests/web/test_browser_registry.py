"""The camera page and the camera edit flow in a real browser, on a phone and a desktop."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from camnet.auth.principal import cli_principal
from camnet.registry import cameras
from camnet.web import keys
from tests.conftest import log_in

pytestmark = pytest.mark.browser
async_api = pytest.importorskip("playwright.async_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
VIEWPORTS = [{"width": 390, "height": 844}, {"width": 1366, "height": 900}]


async def _fits(page: object, width: int) -> None:
    scroll = await page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert scroll <= width, (page.url, scroll)  # type: ignore[attr-defined]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
async def test_camera_page_and_edit_flow(sample_server: TestServer, tmp_path: Path,
                                         viewport: dict[str, int]) -> None:
    base = str(sample_server.make_url("/"))
    found, _ = await cameras.list_cameras(sample_server.app[keys.DB], cli_principal(),
                                          per_page=1)
    cam = found[0]
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM,
                                           args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page(viewport=viewport)
            errors: list[str] = []
            page.on("console", lambda m: errors.append(f"{m.text} {m.location.get('url')}")
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            failed: list[str] = []
            page.on("response", lambda r: failed.append(f"{r.status} {r.url}")
                    if r.status >= 400 else None)
            await log_in(page, base, "canbo")  # login lands on the role home
            await page.goto(base)
            # from the board to the camera: the link is a real tap target
            link = page.locator(f"a[href='/cameras/{cam.id}']").first
            box = await link.bounding_box()
            assert box is not None and box["height"] >= 44 and box["width"] >= 44
            await link.click()
            await page.wait_for_url(f"**/cameras/{cam.id}")
            assert await page.locator(".strip").count() == 3
            text = await page.inner_text("main")
            assert "24 giờ qua" in text and "Sẵn sàng" in await page.content()
            await _fits(page, viewport["width"])
            await page.screenshot(path=str(tmp_path / "camera.png"), full_page=True)
            # edit: a wrong value comes back in words with the form filled in, then a save
            await page.click(f"a[href='/cameras/{cam.id}/edit']")
            await page.wait_for_url(f"**/cameras/{cam.id}/edit")
            await _fits(page, viewport["width"])
            for field in await page.locator("form.grid input:not([type=hidden]), form.grid select,"
                                            " form.grid textarea").all():
                labelled = await field.evaluate("e => !!e.closest('label')")
                assert labelled, await field.evaluate("e => e.outerHTML")
            await page.fill("input[name=vendor]", "Hikvision thử")
            await page.fill("input[name=retention_days]", "99999")
            await page.click("form.grid button[type=submit]")
            await page.wait_for_selector("#form-problem")
            assert "ngoài khoảng cho phép" in await page.inner_text("main")
            assert await page.input_value("input[name=vendor]") == "Hikvision thử"
            await _fits(page, viewport["width"])
            await page.fill("input[name=retention_days]", "14")
            await page.click("form.grid button[type=submit]")
            await page.wait_for_url(f"**/cameras/{cam.id}?done=saved")
            assert "Đã lưu." in await page.inner_text("main")
            await _fits(page, viewport["width"])
            for path in ("registry", "maintenance", "maintenance/new", f"points/{cam.point_id}",
                         "points/new", "cameras/new", "registry/import"):
                await page.goto(base + path)
                await _fits(page, viewport["width"])
            # the only failed loads allowed: the browser's own favicon guess, and the 422 of
            # the deliberate wrong value (a form sent back with its problem is a 422)
            expected = {f"{base}favicon.ico", f"{base}cameras/{cam.id}/edit"}
            assert [e for e in errors if e.rsplit(" ", 1)[-1] not in expected] == [], failed
        finally:
            await browser.close()
