"""Login page, sessions, CSRF on forms and on cookie-authenticated API writes, throttling."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from tests.conftest import World


async def _csrf(client: TestClient, path: str = "/login") -> str:
    html = await (await client.get(path)).text()
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


async def _login(client: TestClient, username: str, password: str) -> int:
    token = await _csrf(client)
    resp = await client.post("/login", data={"username": username, "password": password,
                                             "csrf": token, "next": "/"}, allow_redirects=False)
    return resp.status


async def test_login_board_logout(world: World) -> None:
    client = world.client
    resp = await client.get("/", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/login")
    assert await _login(client, "canbo", "camnet-demo") == 303
    cookie = next(c for c in client.session.cookie_jar if c.key == "CAMNET_SESSION")
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    html = await (await client.get("/")).text()
    assert "Bảng trạng thái" in html and "DỮ LIỆU MẪU" in html
    assert html.count("data-camera=") == 28
    english = await (await client.get("/?lang=en")).text()
    assert "Status board" in english
    token = await _csrf(client, "/")
    resp = await client.post("/logout", data={"csrf": token}, allow_redirects=False)
    assert resp.status == 303
    assert (await client.get("/", allow_redirects=False)).status == 303


async def test_viewer_sees_only_their_hamlet(world: World) -> None:
    assert await _login(world.client, "xem", "camnet-demo") == 303
    html = await (await world.client.get("/")).text()
    assert html.count("data-camera=") == 6


async def test_login_form_needs_csrf(world: World) -> None:
    client = world.client
    await client.get("/login")
    resp = await client.post("/login", data={"username": "canbo", "password": "camnet-demo"},
                             allow_redirects=False)
    assert resp.status == 403


async def test_cookie_api_writes_need_csrf_header(world: World) -> None:
    client = world.client
    assert await _login(client, "admin", "camnet-demo") == 303
    _, points = await world.call("GET", "/api/v1/points?per_page=1", None)
    point_id = points["items"][0]["id"]
    resp = await client.patch(f"/api/v1/points/{point_id}", json={"notes": "x"})
    assert resp.status == 403
    token = await _csrf(client, "/")
    resp = await client.patch(f"/api/v1/points/{point_id}", json={"notes": "x"},
                              headers={"X-CSRF-Token": token})
    assert resp.status == 200


async def test_failed_logins_are_throttled(world: World) -> None:
    client = world.client
    for _ in range(5):
        assert await _login(client, "canbo", "wrong-password") == 401
    assert await _login(client, "canbo", "camnet-demo") == 429
    # a different user from the same address is locked out too (per-address counter)
    assert await _login(client, "chihuy", "camnet-demo") == 429


async def test_unknown_and_disabled_users_fail_alike(world: World) -> None:
    assert await _login(world.client, "nobody", "camnet-demo") == 401


async def test_open_redirect_refused(world: World) -> None:
    client = world.client
    token = await _csrf(client)
    resp = await client.post("/login", data={"username": "canbo", "password": "camnet-demo",
                                             "csrf": token, "next": "//evil.example/"},
                             allow_redirects=False)
    assert resp.headers["Location"] == "/"
