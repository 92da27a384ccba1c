"""The map page and its optional basemap, over HTTP (no browser)."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient

from camnet.app import create_app
from camnet.config import load_config
from tests.conftest import AiohttpClient


async def _login(client: TestClient) -> None:
    resp = await client.get("/login")
    assert resp.status == 200
    text = await resp.text()
    csrf = text.split('name="csrf" value="', 1)[1].split('"', 1)[0] if 'name="csrf"' in text else ""
    resp = await client.post("/login", data={"username": "xem", "password": "camnet-demo", "csrf": csrf},
                             allow_redirects=False)
    assert resp.status in (302, 303)


async def test_map_without_basemap_is_normal(aiohttp_client: AiohttpClient, tmp_path: Path) -> None:
    from camnet.sample import load_sample
    from camnet.web import keys

    config = load_config(None, {"storage": {"data_dir": str(tmp_path / "d")}, "monitor": {"enabled": False}})
    client = await aiohttp_client(create_app(config))
    resp = await client.get("/map", allow_redirects=False)
    assert resp.status in (302, 303) and "/login" in resp.headers["Location"]
    await load_sample(client.app[keys.DB], client.app[keys.CIPHER])
    await _login(client)
    resp = await client.get("/map")
    html = await resp.text()
    assert resp.status == 200 and "/static/vendor/leaflet/leaflet.js" in html
    assert "protomaps-leaflet.js" not in html and "pmtiles" in html  # the note says how to add one
    assert (await client.get("/map/basemap.pmtiles")).status == 404


async def test_basemap_is_served_same_origin_with_ranges(aiohttp_client: AiohttpClient,
                                                          tmp_path: Path) -> None:
    from camnet.sample import load_sample
    from camnet.web import keys

    data_dir = tmp_path / "d"
    data_dir.mkdir()
    tiles = bytes(range(256)) * 40
    (data_dir / "commune.pmtiles").write_bytes(tiles)
    config = load_config(None, {"storage": {"data_dir": str(data_dir)}, "monitor": {"enabled": False},
                                "map": {"basemap": "commune.pmtiles"}})
    client = await aiohttp_client(create_app(config))
    await load_sample(client.app[keys.DB], client.app[keys.CIPHER])
    await _login(client)
    html = await (await client.get("/map")).text()
    assert "/static/vendor/protomaps-leaflet/protomaps-leaflet.js" in html
    assert "/map/basemap.pmtiles" in html and "OpenStreetMap" in html
    resp = await client.get("/map/basemap.pmtiles", headers={"Range": "bytes=100-227"})
    assert resp.status == 206 and await resp.read() == tiles[100:228]
    assert resp.headers["Content-Range"] == f"bytes 100-227/{len(tiles)}"
