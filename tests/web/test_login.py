"""Login page, sessions, CSRF on forms and on cookie-authenticated API writes, throttling."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient

from camnet.errors import TooManyAttempts
from camnet.web import keys
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
    resp_status = await _login(client, "canbo", "camnet-demo")
    assert resp_status == 429  # this (user, address) pair is locked out
    # ...but not the others behind the same address: a lockout is no weapon
    assert await _login(client, "chihuy", "camnet-demo") == 303
    audit = await world.app[keys.DB].fetchall(
        "SELECT actor, action FROM audit_log WHERE entity = 'session' ORDER BY id")
    actions = [(r["actor"], r["action"]) for r in audit]
    assert actions.count(("canbo", "login_failed")) == 5
    assert ("canbo", "login_locked") in actions and ("chihuy", "login") in actions
    assert "wrong-password" not in str(await world.app[keys.DB].fetchall("SELECT * FROM audit_log"))


async def test_lockout_is_per_address_and_survives_a_restart(world: World) -> None:
    from camnet.accounts import logins
    from camnet.auth.throttle import ThrottlePolicy
    from camnet.timeutil import utcnow

    db, policy, now = world.app[keys.DB], ThrottlePolicy(max_failures=3, address_ceiling=10), utcnow()
    async with db.transaction() as tx:
        for _ in range(3):
            await logins.record_failure(tx, policy, "admin", "203.0.113.9", now)
    # the counters are rows: a restart (a new process reading the same file) still sees them
    with pytest.raises(TooManyAttempts):
        await logins.check_allowed(db, "ADMIN", "203.0.113.9", now)
    await logins.check_allowed(db, "admin", "198.51.100.7", now)  # another address: allowed
    # exponential: each further failure doubles the lockout
    async with db.transaction() as tx:
        fourth = await logins.record_failure(tx, policy, "admin", "203.0.113.9", now)
    assert fourth == policy.lockout_s * 2
    # an address failing for many user names is locked as a whole
    async with db.transaction() as tx:
        for n in range(10):
            await logins.record_failure(tx, policy, f"guess{n}", "192.0.2.66", now)
    with pytest.raises(TooManyAttempts):
        await logins.check_allowed(db, "someone-else", "192.0.2.66", now)


async def test_logout_ends_the_session_on_the_server(world: World) -> None:
    client = world.client
    assert await _login(client, "canbo", "camnet-demo") == 303
    saved = {c.key: c.value for c in client.session.cookie_jar}
    token = await _csrf(client, "/")
    assert (await client.post("/logout", data={"csrf": token}, allow_redirects=False)).status == 303
    # a cookie copied before logout no longer works, for reads or writes
    client.session.cookie_jar.update_cookies(saved)
    assert (await client.get("/", allow_redirects=False)).status == 303
    assert (await client.get("/api/v1/me")).status == 401


async def test_password_change_ends_every_session(world: World) -> None:
    from camnet.accounts.users import set_password
    from camnet.auth.principal import cli_principal

    client = world.client
    assert await _login(client, "canbo", "camnet-demo") == 303
    assert (await client.get("/api/v1/me")).status == 200
    await set_password(world.app[keys.DB], cli_principal(), "canbo", "a-new-password-1")
    assert (await client.get("/api/v1/me")).status == 401
    assert await _login(client, "canbo", "a-new-password-1") == 303


async def test_sessions_are_listed_and_can_be_ended(world: World) -> None:
    client = world.client
    assert await _login(client, "canbo", "camnet-demo") == 303
    listed = await (await client.get("/api/v1/me/sessions")).json()
    assert len(listed["items"]) == 1 and listed["items"][0]["current"] is True
    token = await _csrf(client, "/")
    resp = await client.delete(f"/api/v1/me/sessions/{listed['items'][0]['id']}",
                               headers={"X-CSRF-Token": token})
    assert resp.status == 204
    assert (await client.get("/api/v1/me")).status == 401


async def test_unknown_and_disabled_users_fail_alike(world: World) -> None:
    assert await _login(world.client, "nobody", "camnet-demo") == 401


@pytest.mark.parametrize("target", ["//evil.example/", "/\t/evil.example/", "/%09/evil.example/",
                                    "/\\evil.example/", "https://evil.example/", "javascript:alert(1)",
                                    "/ /evil.example", "\n/evil"])
async def test_open_redirect_refused(world: World, target: str) -> None:
    from urllib.parse import unquote

    client = world.client
    token = await _csrf(client)
    resp = await client.post("/login", data={"username": "canbo", "password": "camnet-demo",
                                             "csrf": token, "next": unquote(target)},
                             allow_redirects=False)
    location = resp.headers["Location"]
    # what a browser does with a Location: drops tabs/newlines, reads '\\' as '/'
    seen = "".join(c for c in location if c not in "\t\r\n").replace("\\", "/")
    assert seen.startswith("/") and not seen.startswith("//"), location


def test_safe_next_keeps_local_paths() -> None:
    from camnet.web.ui_auth import safe_next

    assert safe_next("/requests/5?x=1") == "/requests/5?x=1"
    assert safe_next("/\t/evil.example/") == "/"
    assert safe_next("/%09/x") == "/%09/x"  # percent-escapes are a path, not a host


async def test_security_headers_and_origin(world: World) -> None:
    client = world.client
    resp = await client.get("/login")
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    token = await _csrf(client)
    resp = await client.post("/login", data={"username": "canbo", "password": "camnet-demo",
                                             "csrf": token, "next": "/"},
                             headers={"Origin": "http://evil.example"}, allow_redirects=False)
    assert resp.status == 403
    # /healthz answers whatever Authorization header comes along
    for auth in ("Bearer nonsense", "Basic Zm9vOmJhcg==", "garbage"):
        assert (await client.get("/healthz", headers={"Authorization": auth})).status == 200


def test_content_disposition_is_always_one_safe_header() -> None:
    from camnet.web.routing import attachment

    value = attachment('vụ "trộm"\r\nSet-Cookie: x=1;.mp4')
    assert "\r" not in value and "\n" not in value
    fallback = value.split(";")[1]
    assert fallback.count('"') == 2 and fallback.isascii()
    assert "filename*=UTF-8''" in value and "%E1%BB%A5" in value
