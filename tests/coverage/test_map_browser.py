"""The map page in a real browser (Debian's chromium): phone and desktop, cones, who-saw, draft."""

from __future__ import annotations

import shutil
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestServer

from camnet.app import create_app
from camnet.auth.principal import cli_principal
from camnet.config import Config
from camnet.coverage.geometry import destination
from camnet.coverage.whosaw import settings_from, who_saw
from camnet.evidence.incidents import create_incident
from camnet.evidence.models import IncidentIn
from camnet.sample import load_sample
from camnet.timeutil import utcnow
from camnet.web import keys
from tests.conftest import log_in

pytestmark = pytest.mark.browser
async_api = pytest.importorskip("playwright.async_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
POINT_01 = (16.512111, 107.652652)  # sample "Điểm 01 — Ngã ba chợ", camera looks at 135°


@pytest.fixture
async def server(config: Config) -> AsyncIterator[TestServer]:
    app = create_app(config)
    srv = TestServer(app, host="127.0.0.1")
    await srv.start_server()
    db = app[keys.DB]
    await load_sample(db, app[keys.CIPHER])
    async with db.transaction() as tx:  # half the cameras up, the rest down
        await tx.execute("INSERT INTO camera_status(camera_id, status, health)"
                         " SELECT id, CASE WHEN id % 2 = 1 THEN 'up' ELSE 'down' END, 'ok' FROM camera")
    lat, lon = destination(*POINT_01, 135, 20)
    start = utcnow() - timedelta(hours=2)
    await create_incident(db, cli_principal(), IncidentIn(
        case_no="VV-MAP-1", kind="theft", occurred_from=start, occurred_to=start + timedelta(minutes=30),
        zone_code="SAMPLE-PHUMY", lat=lat, lon=lon, summary="Trộm xe máy"))
    yield srv
    await srv.close()


async def _poll(check: Any, timeout_s: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = await check()
        if value or time.monotonic() > deadline:
            return value
        await _sleep()


async def _sleep() -> None:
    import asyncio

    await asyncio.sleep(0.2)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
async def test_map_cones_who_saw_and_draft(server: TestServer, viewport: dict[str, int],
                                           tmp_path: Path) -> None:
    base = str(server.make_url("/"))
    app = server.app
    hosts: set[str] = set()
    errors: list[str] = []
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page(viewport=viewport)
            page.on("request", lambda r: hosts.add(urlsplit(r.url).hostname or r.url))
            # (the login and request pages have no icon: Chromium's own /favicon.ico probe 404s there)
            page.on("console", lambda m: errors.append(f"{m.text} {m.location}")
                    if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
                    else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            await log_in(page, base, "canbo")
            await page.goto(base + "map")
            count = await _poll(lambda: page.get_attribute("#map", "data-cameras"))
            assert count and int(count) > 0, errors
            assert await page.locator(".map-note").count() == 1  # no basemap: a note, not an error
            assert await page.locator(".leaflet-control-scale").count() == 1
            wide = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert wide <= 0, f"horizontal scroll of {wide}px"
            # choose the incident: the map centres on it at street zoom and draws view cones
            await page.select_option("#ws-incident", label=None, index=1)
            cones = await _poll(lambda: _cones(page))
            assert cones > 0
            assert await page.locator("path.cone").count() > 0
            # click the map where the incident is (the centre) -> who-saw for the window
            box = await page.locator("#map").bounding_box()
            assert box is not None
            await page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            await page.wait_for_selector("#ws-list li", timeout=30_000)
            shown = [int(x) for x in await page.locator("#ws-list li").evaluate_all(
                "els => els.map(e => e.dataset.camera)")]
            lat = float(await page.input_value("#ws-lat"))
            lon = float(await page.input_value("#ws-lon"))
            incident = await app[keys.DB].fetchone("SELECT * FROM incident WHERE case_no = 'VV-MAP-1'")
            from camnet.timeutil import parse_iso

            expected = await who_saw(app[keys.DB], cli_principal(), lat=lat, lon=lon,
                                     start=parse_iso(incident["occurred_from"]),
                                     end=parse_iso(incident["occurred_to"]),
                                     settings=settings_from(app[keys.CONFIG]))
            assert shown == [c["camera_id"] for c in expected["cameras"]] and shown
            names = await page.inner_text("#ws-list")
            assert "Ngã ba chợ" in names
            # draft a request from the answer
            await page.fill("#draft-reason", "Trích xuất hình ảnh vụ trộm xe máy")
            await page.click("#draft-run")
            link = page.locator("#draft-link")
            await link.wait_for(timeout=30_000)
            href = await link.get_attribute("href")
            assert href and href.startswith("/requests/")
            snap = await app[keys.DB].fetchone(
                "SELECT answer_json FROM request_whosaw WHERE request_id = ?", (int(href.rsplit("/", 1)[1]),))
            assert snap is not None
            # a camera marker opens its status popup
            await page.locator(".leaflet-marker-icon .cam-marker").first.click()
            popup = page.locator(".leaflet-popup-content")
            await popup.wait_for(timeout=30_000)
            assert "/" in await popup.inner_text()
            await page.keyboard.press("Escape")
            await link.click()
            await page.wait_for_url("**/requests/*")
            assert "VV-MAP-1" in await page.inner_text("main")
            # keyboard: the who-saw form works without the mouse
            await page.goto(base + "map")
            await page.focus("#ws-lat")
            await page.keyboard.type(f"{lat:.6f}")
            await page.keyboard.press("Tab")
            await page.keyboard.type(f"{lon:.6f}")
            await page.keyboard.press("Enter")
            await page.wait_for_selector("#ws-list li, #ws-result p", timeout=30_000)
            await page.screenshot(path=str(tmp_path / f"map-{viewport['width']}.png"), full_page=True)
        finally:
            await browser.close()
    assert hosts <= {"127.0.0.1"}, hosts
    assert errors == []


async def _cones(page: Any) -> int:
    value = await page.get_attribute("#map", "data-cones")
    return int(value or 0)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_incident_point_picked_on_the_map_and_cameras_near_it(server: TestServer) -> None:
    base = str(server.make_url("/"))
    hosts: set[str] = set()
    errors: list[str] = []
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            page.on("request", lambda r: hosts.add(urlsplit(r.url).hostname or r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            await log_in(page, base, "canbo")
            await page.goto(base + "incidents")
            await page.wait_for_selector(".pick-map[data-ready]", timeout=30_000)
            await page.locator(".pick-map").click()  # scrolls it into view, clicks the centre
            lat = await page.input_value("form[action='/incidents'] input[name=lat]")
            lon = await page.input_value("form[action='/incidents'] input[name=lon]")
            assert 16.4 < float(lat) < 16.6 and 107.6 < float(lon) < 107.7
            # the incident created by the fixture lists the cameras near it
            await page.goto(base + "incidents")
            await page.click("text=VV-MAP-1")
            await page.wait_for_selector(".near-list li", timeout=30_000)
            assert "Ngã ba chợ" in await page.inner_text(".near-list")
            wide = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert wide <= 0, f"horizontal scroll of {wide}px"
        finally:
            await browser.close()
    assert hosts <= {"127.0.0.1"}, hosts
    assert errors == []


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_map_with_a_pmtiles_basemap(tmp_path: Path) -> None:
    pytest.importorskip("pmtiles")
    from camnet.config import load_config
    from tests.pmtiles_fixture import tiny_pmtiles

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    tiny_pmtiles(data_dir / "phumy.pmtiles", *POINT_01)
    config = load_config(None, {"storage": {"data_dir": str(data_dir)}, "monitor": {"enabled": False},
                                "map": {"basemap": "phumy.pmtiles",
                                        "basemap_attribution": "© OpenStreetMap contributors"}})
    app = create_app(config)
    srv = TestServer(app, host="127.0.0.1")
    await srv.start_server()
    try:
        await load_sample(app[keys.DB], app[keys.CIPHER])
        base = str(srv.make_url("/"))
        hosts: set[str] = set()
        errors: list[str] = []
        ranges: list[int] = []
        async with async_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM,
                                               args=["--no-sandbox", "--disable-gpu"])
            try:
                page = await browser.new_page(viewport={"width": 1280, "height": 800})
                page.on("request", lambda r: hosts.add(urlsplit(r.url).hostname or r.url))
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on("console", lambda m: errors.append(f"{m.text} {m.location}")
                        if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
                        else None)
                page.on("response", lambda r: ranges.append(r.status) if r.url.endswith(".pmtiles") else None)
                await log_in(page, base, "xem")
                await page.goto(base + "map")
                count = await _poll(lambda: page.get_attribute("#map", "data-cameras"))
                assert count and int(count) > 0, errors
                assert await _poll(lambda: _has(ranges, 206)), ranges
                assert "OpenStreetMap" in await page.inner_text(".leaflet-control-attribution")
                assert await page.locator(".map-note").count() == 0
            finally:
                await browser.close()
    finally:
        await srv.close()
    assert hosts <= {"127.0.0.1"}, hosts
    assert errors == []


async def _has(values: list[int], wanted: int) -> bool:
    return wanted in values
