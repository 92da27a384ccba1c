"""The users and tokens page: every admin action through its form, and who may not see it."""

from __future__ import annotations

import re

import aiohttp

from tests.conftest import World
from tests.web.test_login import _csrf, _login


async def _as(world: World, username: str) -> str:
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, username, "camnet-demo") == 303
    return await _csrf(world.client, "/")


async def _post(world: World, data: dict[str, str]) -> aiohttp.ClientResponse:
    return await world.client.post("/users", data=data, allow_redirects=False)


async def _api_status(world: World, token: str) -> int:
    """Call the API with only a bearer token (no session cookie)."""
    world.client.session.cookie_jar.clear()
    resp = await world.client.get("/api/v1/cameras", headers={"Authorization": f"Bearer {token}"})
    return resp.status


async def test_viewer_and_officer_cannot_see_users(world: World) -> None:
    for who in ("xem", "canbo", "chihuy"):
        csrf = await _as(world, who)
        board = await (await world.client.get("/")).text()
        assert 'href="/users"' not in board
        assert (await world.client.get("/users", allow_redirects=False)).status == 403
        resp = await _post(world, {"csrf": csrf, "action": "disable", "username": "admin"})
        assert resp.status == 403


async def test_admin_manages_users_and_tokens(world: World) -> None:
    csrf = await _as(world, "admin")
    page = await (await world.client.get("/users")).text()
    assert 'href="/users"' in page and "canbo" in page and "Tạo người dùng" in page

    resp = await _post(world, {"csrf": csrf, "action": "create", "username": "moi.canbo",
                               "full_name": "Nguyễn Văn Mới", "password": "mat-khau-1",
                               "role": "officer", "zone": "SAMPLE-PHUMY"})
    assert resp.status == 303 and resp.headers["Location"] == "/users?done=created"
    page = await (await world.client.get(resp.headers["Location"])).text()
    assert "Đã tạo người dùng." in page and "Nguyễn Văn Mới" in page

    # an input error keeps what was typed and names the field
    resp = await _post(world, {"csrf": csrf, "action": "create", "username": "ngan",
                               "full_name": "Giữ Lại", "password": "short",
                               "role": "officer", "zone": "SAMPLE-PHUMY"})
    text = await resp.text()
    assert resp.status == 422 and 'role="alert"' in text and "(password)" in text
    assert 'value="Giữ Lại"' in text
    resp = await _post(world, {"csrf": csrf, "action": "create", "username": "moi.canbo",
                               "password": "mat-khau-1", "role": "officer", "zone": "SAMPLE-PHUMY"})
    assert resp.status == 409

    # reset: the temporary password is shown once and works
    resp = await _post(world, {"csrf": csrf, "action": "reset", "username": "moi.canbo"})
    text = await resp.text()
    assert resp.status == 200 and "Chỉ hiện một lần" in text
    match = re.search(r'<code class="code">([^<]+)</code>', text)
    assert match
    temporary = match.group(1)
    assert temporary not in await (await world.client.get("/users")).text()
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, "moi.canbo", temporary) == 303

    csrf = await _as(world, "admin")
    resp = await _post(world, {"csrf": csrf, "action": "role", "username": "moi.canbo",
                               "role": "investigator", "zone": "SAMPLE-PHUMY"})
    assert resp.headers["Location"] == "/users?done=role"
    assert (await _post(world, {"csrf": csrf, "action": "disable",
                                "username": "moi.canbo"})).status == 303
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, "moi.canbo", temporary) != 303
    csrf = await _as(world, "admin")
    assert (await _post(world, {"csrf": csrf, "action": "enable",
                                "username": "moi.canbo"})).headers["Location"] == "/users?done=enabled"
    # an admin cannot disable themselves
    assert (await _post(world, {"csrf": csrf, "action": "disable",
                                "username": "admin"})).status == 403

    # tokens: shown once, then listed by prefix only, and revocable
    resp = await _post(world, {"csrf": csrf, "action": "token", "username": "moi.canbo",
                               "name": "may-tinh-truc", "expires_days": "30"})
    text = await resp.text()
    match = re.search(r'<code class="code">(cn_[^<]+)</code>', text)
    assert match
    token = match.group(1)
    assert await _api_status(world, token) == 200
    csrf = await _as(world, "admin")
    page = await (await world.client.get("/users")).text()
    assert token not in page and "may-tinh-truc" in page and token[:10] in page
    token_id = re.findall(r'name="action" value="revoke"><input type="hidden" name="id" value="(\d+)"',
                          page)[0]
    resp = await _post(world, {"csrf": csrf, "action": "revoke", "id": token_id})
    assert resp.headers["Location"] == "/users?done=revoked"
    assert await _api_status(world, token) == 401
    csrf = await _as(world, "admin")
    assert (await _post(world, {"csrf": csrf, "action": "nonsense"})).status == 422



async def test_admin_lifts_a_lockout(world: World) -> None:
    world.client.session.cookie_jar.clear()
    for _ in range(5):
        assert await _login(world.client, "canbo", "wrong-password") == 401
    assert await _login(world.client, "canbo", "camnet-demo") == 429
    token = await _csrf(world.client)
    resp = await world.client.post("/login", data={"username": "canbo", "password": "camnet-demo",
                                                   "csrf": token, "next": "/"})
    text = await resp.text()
    assert resp.status == 429 and "Đăng nhập sai quá nhiều lần; thử lại sau" in text
    assert "too many failed logins" not in text
    csrf = await _as(world, "admin")
    resp = await _post(world, {"csrf": csrf, "action": "unlock", "username": "canbo"})
    assert resp.headers["Location"] == "/users?done=unlocked"
    page = await (await world.client.get(resp.headers["Location"])).text()
    assert "Đã gỡ khoá đăng nhập" in page
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, "canbo", "camnet-demo") == 303
    # an unknown user name is named in a 404
    csrf = await _as(world, "admin")
    assert (await _post(world, {"csrf": csrf, "action": "unlock",
                                "username": "nobody"})).status == 404


async def test_error_pages_have_words_not_codes(world: World) -> None:
    await _as(world, "admin")
    resp = await world.client.put("/users")
    text = await resp.text()
    assert resp.status == 405 and "Không hỗ trợ thao tác này" in text and "error_" not in text
