"""The camera form's point picker: searched, never the whole province, scoped, chosen point kept."""

from __future__ import annotations

import re
import shutil

import pytest
from aiohttp.test_utils import TestServer

from camnet.web.ui_registry import POINT_CHOICES
from tests.conftest import World, log_in
from tests.web.test_login import _login

OPTION = re.compile(r'<option value="(\d+)"[^>]*>([^<]*)</option>')


def _offered(page: str) -> dict[str, str]:
    select = page.split('name="point_id"', 1)[1].split("</select>", 1)[0]
    return dict(OPTION.findall(select))


async def test_search_narrows_and_keeps_the_chosen_point(world: World) -> None:
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, "canbo", "camnet-demo") == 303
    everything = _offered(await (await world.client.get("/cameras/new")).text())
    assert 0 < len(everything) <= POINT_CHOICES
    found = _offered(await (await world.client.get("/cameras/new?point_q=chợ")).text())
    assert found and all("chợ" in text.lower() for text in found.values())
    assert len(found) < len(everything)
    # a point chosen before the search stays offered (and selected)
    chosen = next(pid for pid, text in everything.items() if "chợ" not in text.lower())
    page = await (await world.client.get(f"/cameras/new?point_q=chợ&point_id={chosen}")).text()
    assert chosen in _offered(page) and f'value="{chosen}" selected' in page
    nothing = await (await world.client.get("/cameras/new?point_q=khong-co-diem-nao")).text()
    assert not _offered(nothing) and "Tìm thấy: 0" in nothing


async def test_an_officer_never_finds_points_of_another_zone(world: World) -> None:
    status, made = await world.call("POST", "/api/v1/points", "other", json={
        "zone_code": "OTHER-COMMUNE", "name": "Chợ xã khác", "lat": 16.4, "lon": 107.5})
    assert status == 201, made
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, "canbo", "camnet-demo") == 303
    page = await (await world.client.get(f"/cameras/new?point_q=xã khác&point_id={made['id']}")).text()
    assert str(made["id"]) not in _offered(page)


async_api = pytest.importorskip("playwright.async_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_pick_a_point_by_search_on_a_phone(sample_server: TestServer) -> None:
    base = str(sample_server.make_url("/"))
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM,
                                           args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await log_in(page, base, "canbo")
            await page.goto(base + "cameras/new")
            await page.fill("input[name=point_q]", "Cổng chùa")
            await page.click("#point-search button[type=submit]")
            await page.wait_for_url("**/cameras/new?point_q=*")
            options = await page.locator("select[name=point_id] option").all_inner_texts()
            assert options and all("Cổng chùa" in o for o in options)
            assert await page.evaluate("document.documentElement.scrollWidth") <= 390
        finally:
            await browser.close()
