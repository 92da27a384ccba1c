"""Every page as every role, on a phone (390×844) and a laptop (1366×900), in one browser.

Checks per page: the document is no wider than the viewport, the console shows no error,
the header's links and buttons are at least 44×44 px, and on the phone every data table
reads as cards (no cell squeezed into a narrow column). On the phone the header is a
menu opened from the keyboard, with logout and the language link inside it.
and axe-core (vendored, pinned in scripts/vendor_frontend.py) reports no serious or critical
violation.
"""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestServer

from camnet.auth.principal import cli_principal
from camnet.evidence import incidents, requests
from camnet.evidence.models import IncidentIn, RequestCameraIn, RequestIn
from camnet.timeutil import utcnow
from camnet.web import keys
from tests.conftest import log_in

pytestmark = pytest.mark.browser
async_api = pytest.importorskip("playwright.async_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
VIEWPORTS = ({"width": 360, "height": 740}, {"width": 390, "height": 844},
             {"width": 1366, "height": 900})  # the smallest phones we support, a common one, a laptop
EDIT = ("registry", "registry/import", "points/new", "cameras/new", "maintenance",
        "maintenance/new", "ho-so-dang-ky")
ROLES = {  # user → pages that role can open ("home" is where login lands)
    "xem": ("home", "", "alerts", "map"),
    "canbo": ("home", "", "incidents", "requests", "requests/at-risk", "alerts", "map", *EDIT),
    "chihuy": ("home", "", "incidents", "requests", "requests/at-risk", "alerts", "map", "audit",
               *(p for p in EDIT if p != "maintenance/new")),  # commanders do not schedule
    "admin": ("home", "", "incidents", "requests", "requests/at-risk", "alerts", "map", "users",
              "audit", "zones/new", *EDIT),
}
AXE = "static/vendor/axe-core/axe.min.js"  # served by the app itself: the CSP allows 'self' only
# Rules switched off per page (path → axe rule ids); none: the board refreshes by JSON delta.
SKIP_RULES: dict[str, list[str]] = {}
AXE_RUN = """async (off) => (await axe.run(document, {
    runOnly: ['wcag2a', 'wcag2aa', 'best-practice'],
    rules: Object.fromEntries(off.map(r => [r, {enabled: false}]))}))
  .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"""
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'header.top nav a, header.top .lang, header.top .who button, header.top .menu-button')]
  .filter(e => e.offsetParent !== null)
  .map(e => e.getBoundingClientRect())
  .filter(r => r.width < 44 || r.height < 44).length"""

# On a phone a data table is one card per row: no cell squeezed into a narrow column
CRUSHED_CELLS = """() => innerWidth > 700 ? [] : [...document.querySelectorAll(
    'main table:not(.grid) td')]
  .filter(e => e.offsetParent !== null && e.textContent.trim())
  .filter(e => e.getBoundingClientRect().width < 0.6 * innerWidth)
  .map(e => e.textContent.trim().slice(0, 40))"""


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_every_page_as_every_role(sample_server: TestServer) -> None:
    base = str(sample_server.make_url("/"))
    # one incident with one request, so the incident page (with its request form) and the
    # request page are swept too
    db, root = sample_server.app[keys.DB], cli_principal()
    start = utcnow() - timedelta(hours=3)
    incident = await incidents.create_incident(db, root, IncidentIn(
        case_no="VV-SWEEP-1", kind="theft", occurred_from=start,
        occurred_to=start + timedelta(minutes=30), zone_code="SAMPLE-PHUMY", summary="Quét trang"))
    camera = int(await db.fetchval("SELECT MIN(id) FROM camera"))
    made = await requests.create_request(db, root, RequestIn(
        incident_id=incident.id, reason="Quét trang", cameras=[RequestCameraIn(camera_id=camera)]))
    point = int(await db.fetchval("SELECT point_id FROM camera WHERE id = ?", (camera,)))
    extra = (f"incidents/{incident.id}", f"requests/{made.id}", f"cameras/{camera}",
             f"cameras/{camera}/edit", f"points/{point}", f"points/{point}/edit")
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM,
                                           args=["--no-sandbox", "--disable-gpu"])
        errors: list[str] = []
        try:
            for viewport in VIEWPORTS:
                for user, paths in ROLES.items():
                    context = await browser.new_context(viewport=viewport)
                    page = await context.new_page()
                    errors.clear()
                    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                    page.on("pageerror", lambda e: errors.append(str(e)))
                    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                            if r.status >= 400 else None)
                    await log_in(page, base, user)
                    for path in paths + (extra if "incidents" in paths else ()):
                        resp = await page.goto(base + path)
                        assert resp is not None and resp.status == 200, (user, path)
                        width = await page.evaluate("document.documentElement.scrollWidth")
                        assert width <= viewport["width"], (user, path, viewport, width)
                        assert await page.evaluate(SMALL_TARGETS) == 0, (user, path, viewport)
                        crushed = await page.evaluate(CRUSHED_CELLS)
                        assert not crushed, (user, path, crushed)
                        await page.add_script_tag(url=base + AXE)
                        found = await page.evaluate(AXE_RUN, SKIP_RULES.get(path, []))
                        assert not found, (user, path, viewport, found)
                    assert not errors, (user, viewport, errors)
                    await context.close()
        finally:
            await browser.close()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_phone_header_is_a_keyboard_menu(sample_server: TestServer) -> None:
    base = str(sample_server.make_url("/"))
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM,
                                           args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await log_in(page, base, "admin")
            logout = page.locator("header.top .who button")
            assert not await logout.is_visible()
            await page.focus("#menu-toggle")
            await page.keyboard.press("Space")
            assert await logout.is_visible() and await page.locator("header.top .lang").is_visible()
            assert await page.locator("header.top a[href='/users']").is_visible()
            box = await logout.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 390
            await page.keyboard.press("Space")
            assert not await logout.is_visible()
            # on a laptop everything is in the header, no menu button
            await page.set_viewport_size({"width": 1366, "height": 900})
            assert await logout.is_visible()
            assert not await page.locator("header.top .menu-button").is_visible()
        finally:
            await browser.close()
