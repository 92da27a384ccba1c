"""The zone boundary editor on /map (Debian's chromium): mouse and keyboard, saved via the API.

Also: the map script's words come from the .po catalogue in both languages, and who may edit.
"""

from __future__ import annotations

import json
import shutil
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestServer

from camnet.i18n import catalog
from camnet.web import keys
from camnet.web.ui_map import MAP_TEXT_KEYS
from tests.conftest import log_in

async_api = pytest.importorskip("playwright.async_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_map_words_are_in_the_catalogue(lang: str) -> None:
    messages = catalog(lang)
    missing = [k for k in MAP_TEXT_KEYS if not messages.get(f"map_{k}")]
    assert not missing
    if lang == "en":  # and not Vietnamese copied over
        same = [k for k in MAP_TEXT_KEYS if catalog("vi")[f"map_{k}"] == messages[f"map_{k}"]]
        assert not same, same


async def _poll(check: Any, timeout_s: float = 30.0) -> Any:
    import asyncio

    deadline = time.monotonic() + timeout_s
    while True:
        value = await check()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.2)


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_boundary_editor_with_mouse_and_keyboard(sample_server: TestServer) -> None:
    base = str(sample_server.make_url("/"))
    db = sample_server.app[keys.DB]
    zone = await db.fetchone("SELECT id, boundary_geojson FROM zone WHERE code = 'SAMPLE-PHUMY'")
    hosts: set[str] = set()
    errors: list[str] = []
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("request", lambda r: hosts.add(urlsplit(r.url).hostname or r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(f"{m.text} {m.location}")
                    if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
                    else None)
            # a viewer sees no editor; English words come from the catalogue
            await log_in(page, base, "xem")
            await page.goto(base + "map?lang=en")
            assert await page.locator("#edit-box").count() == 0
            assert "Which cameras could have seen it?" in await page.inner_text("#panel")
            await page.context.clear_cookies()
            await log_in(page, base, "admin")
            await page.goto(base + "map?lang=vi")
            assert await _poll(lambda: page.get_attribute("#map", "data-cameras"))
            assert "Sửa ranh giới địa bàn" in await page.inner_text("#edit-box")
            await page.select_option("#edit-zone", str(zone["id"]))
            await page.click("#edit-start")
            geometry = json.loads(zone["boundary_geojson"]) if zone["boundary_geojson"] else None
            existing = geometry["coordinates"][0] if geometry else []
            shown = int(await page.get_attribute("#map", "data-vertices") or -1)
            assert shown == max(0, len(existing) - 1)  # the ring is shown without its closing point
            # start afresh with the mouse: three clicks make a triangle
            await page.click("#edit-clear")
            assert await page.get_attribute("#map", "data-vertices") == "0"
            box = await page.locator("#map").bounding_box()
            assert box is not None
            cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            for dx, dy in ((-150, -100), (150, -100), (0, 120)):
                await page.mouse.click(cx + dx, cy + dy)
            assert await page.get_attribute("#map", "data-vertices") == "3"
            assert await page.locator("#ws-list").count() == 0  # editing: clicks ran no who-saw
            # the keyboard: add a vertex at the centre, remove it, move vertex 1 north by 3 × 10 m
            before = await _labels(page)
            await page.focus("#edit-add")
            await page.keyboard.press("Enter")
            assert await page.get_attribute("#map", "data-vertices") == "4"
            after = await _labels(page)
            added = next(i for i, label in enumerate(after) if label not in before)
            await page.focus(f"[data-vertex='{added}']")
            await page.keyboard.press("Delete")
            assert await page.get_attribute("#map", "data-vertices") == "3"
            label = await page.get_attribute("[data-vertex='0']", "aria-label")
            lat0, lon0 = (float(v) for v in label.split(": ", 1)[1].split(", "))
            await page.focus("[data-vertex='0']")
            for _ in range(3):
                await page.keyboard.press("Shift+ArrowUp")
            await page.focus("#edit-save")
            await page.keyboard.press("Enter")
            status = page.locator("#edit-status")
            assert await _poll(lambda: _contains(status, "Đã lưu ranh giới"))
        finally:
            await browser.close()
    row = await db.fetchone("SELECT boundary_geojson FROM zone WHERE id = ?", (zone["id"],))
    ring = json.loads(row["boundary_geojson"])["coordinates"][0]
    assert len(ring) == 4 and ring[0] == ring[-1]
    assert abs(ring[0][0] - lon0) < 2e-6
    assert abs((ring[0][1] - lat0) * 111320 - 30) < 0.5  # 30 m north
    audit = await db.fetchone("SELECT * FROM audit_log WHERE entity = 'zone' AND action = 'update'"
                              " ORDER BY id DESC LIMIT 1")
    assert audit is not None
    assert hosts <= {"127.0.0.1"}, hosts
    assert errors == []


async def _labels(page: Any) -> list[str]:
    """Vertex labels ("Đỉnh N: lat, lon") without their number, in ring order."""
    labels = await page.locator("[data-vertex]").evaluate_all(
        "els => els.sort((a, b) => a.dataset.vertex - b.dataset.vertex)"
        ".map(e => e.getAttribute('aria-label').split(': ')[1])")
    return list(labels)


async def _contains(locator: Any, text: str) -> bool:
    return text in (await locator.inner_text())


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_who_saw_on_the_map_shows_maintenance_and_not_monitored(sample_server: TestServer) -> None:
    from datetime import timedelta

    from camnet.auth.principal import cli_principal
    from camnet.coverage.geometry import destination
    from camnet.coverage.osm_import import import_osm
    from camnet.monitor.maintenance import add_window
    from camnet.timeutil import to_iso, utcnow

    db = sample_server.app[keys.DB]
    point_01 = (16.512111, 107.652652)  # sample "Điểm 01 — Ngã ba chợ", camera looks at 135°
    asked = destination(*point_01, 135, 20)
    osm_at = destination(*point_01, 135, 40)
    await import_osm(db, cli_principal(), "SAMPLE-PHUMY", {"elements": [
        {"type": "node", "id": 501, "lat": osm_at[0], "lon": osm_at[1],
         "tags": {"man_made": "surveillance", "surveillance:type": "camera", "name": "Cổng trường / OSM",
                  "camera:direction": "315", "camnet:fov": "90", "camnet:range": "50"}}]})
    cam = await db.fetchval("SELECT c.id FROM camera c JOIN camera_point p ON p.id = c.point_id"
                            " WHERE p.lat = ? AND p.lon = ? ORDER BY c.id LIMIT 1", point_01)
    now = utcnow()
    await add_window(db, cli_principal(), target="camera", target_id=cam,
                     starts_at=to_iso(now - timedelta(hours=3)), ends_at=to_iso(now + timedelta(hours=1)),
                     reason="thay nguồn")
    errors: list[str] = []
    base = str(sample_server.make_url("/"))
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            page.on("pageerror", lambda e: errors.append(str(e)))
            await log_in(page, base, "canbo")
            await page.goto(base + "map?lang=vi")
            await page.fill("#ws-lat", f"{asked[0]:.6f}")
            await page.fill("#ws-lon", f"{asked[1]:.6f}")
            await page.click("#ws-run")
            await page.wait_for_selector(f"#ws-list li[data-camera='{cam}']", timeout=30_000)
            maintained = await page.inner_text(f"#ws-list li[data-camera='{cam}']")
            assert "bảo trì" in maintained and "phút bảo trì" in maintained
            osm = await page.inner_text("#ws-list")
            assert "Cổng trường / OSM" in osm and "không giám sát" in osm
        finally:
            await browser.close()
    assert errors == []
