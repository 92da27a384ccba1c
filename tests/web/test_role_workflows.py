"""Each role's daily work clicked through in a real browser on a 390 px phone.

Officer logs an incident, drafts a request for two cameras and submits it; the commander
approves it (through the confirmation step); the investigator uploads footage, marks it
extracted and hands it over (confirming); the viewer sees the result but no step to take;
the admin adds a user with a job title, who then appears by name. Every page on the way
must fit the phone (no sideways scroll) and log no console error or failed request.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from tests.conftest import log_in

pytestmark = pytest.mark.browser
async_api = pytest.importorskip("playwright.async_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE = {"width": 390, "height": 844}


class Phone:
    """One role's browser context, checking every page it lands on."""

    def __init__(self, browser: Any, base: str) -> None:
        self.browser, self.base = browser, base
        self.problems: list[str] = []

    async def as_user(self, username: str) -> Any:
        context = await self.browser.new_context(viewport=PHONE)
        page = await context.new_page()
        page.on("console", lambda m: self.problems.append(f"{username}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"{username}: {e}"))
        page.on("response", lambda r: self.problems.append(f"{username}: {r.status} {r.url}")
                if r.status >= 400 else None)
        page.on("load", lambda p: None)
        await log_in(page, self.base, username)
        return page

    async def fits(self, page: Any) -> None:
        width = await page.evaluate("document.documentElement.scrollWidth")
        wide = await page.evaluate("""() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.outerHTML.slice(0, 120))""")
        assert width <= PHONE["width"], (page.url, width, wide)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_every_role_does_its_day_on_a_phone(sample_server: TestServer,
                                                 tmp_path: Path) -> None:
    base = str(sample_server.make_url("/"))
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM,
                                           args=["--no-sandbox", "--disable-gpu"])
        phone = Phone(browser, base)
        try:
            # officer: incident → request for two cameras → submit
            officer = await phone.as_user("canbo")
            await officer.click("text=☰")
            await officer.click("header a[href='/incidents']")
            await phone.fits(officer)
            await officer.fill("input[name=case_no]", "VV-NGAY-1")
            await officer.select_option("select[name=kind]", "theft")
            await officer.fill("input[name=occurred_from]", "2026-11-27T19:30")
            await officer.fill("input[name=occurred_to]", "2026-11-27T20:15")
            await officer.fill("textarea[name=summary]", "Mất trộm xe máy ở ngã ba chợ")
            await officer.click("form[action='/incidents'] button[type=submit]")
            await officer.wait_for_url("**/incidents/*")
            await phone.fits(officer)
            await officer.fill("textarea[name=reason]", "Xác định người lấy xe")
            boxes = officer.locator("input[name=camera]")
            await boxes.nth(0).check()
            await boxes.nth(1).check()
            await officer.click("form[action$='/requests'] button[type=submit]")
            await officer.wait_for_url("**/requests/*")
            request_url = officer.url
            await phone.fits(officer)
            await officer.click("button[value=submitted]")
            await officer.wait_for_url(request_url)
            assert "Đã gửi" in await officer.inner_text("h1")
            assert await officer.locator("button[value=approved]").count() == 0

            # commander: home count → the request → approve, confirmed
            commander = await phone.as_user("chihuy")
            assert "1" in await commander.inner_text("a[href='/requests?status=submitted']")
            await commander.click("a[href='/requests?status=submitted']")
            await phone.fits(commander)
            await commander.click(f"a[href='{request_url.removeprefix(base.rstrip('/'))}']")
            await commander.fill("form:has(button[value=approved]) input[name=note]", "Đồng ý")
            await commander.click("button[value=approved]")
            await commander.locator("#confirm-step").wait_for()
            await phone.fits(commander)
            await commander.click("#confirm-yes")
            await commander.wait_for_url(request_url)
            assert "Đã duyệt" in await commander.inner_text("h1")

            # investigator: upload the footage, mark extracted, hand over (confirmed)
            investigator = await phone.as_user("dieutra")
            await investigator.goto(request_url)
            clip = tmp_path / "cam01.mp4"
            clip.write_bytes(b"footage" * 1000)
            await investigator.fill("form[enctype] input[name=method]", "USB")
            await investigator.fill("form[enctype] input[name=holder]", "Đội CSHS")
            await investigator.set_input_files("input[type=file]", str(clip))
            await investigator.click("form[enctype] button[type=submit]")
            await investigator.wait_for_url(request_url)
            assert "cam01.mp4" in await investigator.inner_text("main")
            await investigator.click("button[value=extracted]")
            await investigator.wait_for_url(request_url)
            await investigator.fill("input[name=handed_over_to]", "Công an huyện")
            await investigator.click("button[value=handed_over]")
            await investigator.locator("#confirm-step").wait_for()
            assert "Công an huyện" in await investigator.inner_text("#confirm-step")
            await investigator.click("#confirm-yes")
            await investigator.wait_for_url(request_url)
            await phone.fits(investigator)
            assert "Đã bàn giao" in await investigator.inner_text("h1")

            # viewer: sees the board, cannot open requests of the commune's work
            viewer = await phone.as_user("xem")
            await viewer.goto(base)
            await phone.fits(viewer)
            assert await viewer.locator("button[value]").count() == 0

            # admin: a new user with a title; the user list names them
            admin = await phone.as_user("admin")
            await admin.goto(base + "users")
            await admin.fill("#create input[name=username]", "moi.canbo")
            await admin.fill("#create input[name=full_name]", "Hồ Thị Lan")
            await admin.fill("#create input[name=title]", "Hạ sĩ, cán bộ Công an xã")
            await admin.fill("#create input[name=password]", "mat-khau-moi-1")
            await admin.select_option("#create select[name=role]", "officer")
            await admin.click("#create button[type=submit]")
            await admin.wait_for_url("**/users?done=created")
            await phone.fits(admin)
            assert "Hạ sĩ, cán bộ Công an xã" in await admin.inner_text("main")
            # the request's history names people, not logins
            await admin.goto(request_url)
            history = await admin.inner_text("main")
            assert "Trần Thị Mai (mẫu)" in history and "Lê Văn Hùng (mẫu)" in history
            assert not phone.problems, phone.problems
        finally:
            await browser.close()
