"""The role home: counts per role with links, where login lands, and return after login."""

from __future__ import annotations

import re

from tests.conftest import World


async def _login_form(world: World, username: str, next_path: str | None = None) -> str:
    """Log in through the form as a browser does; return where the login sent us."""
    world.client.session.cookie_jar.clear()
    page = "/login" if next_path is None else f"/login?next={next_path}"
    html = await (await world.client.get(page)).text()
    token = re.search(r'name="csrf" value="([^"]+)"', html)
    nxt = re.search(r'name="next" value="([^"]*)"', html)
    assert token and nxt
    resp = await world.client.post("/login", allow_redirects=False, data={
        "username": username, "password": "camnet-demo", "csrf": token.group(1),
        "next": nxt.group(1)})
    assert resp.status == 303
    return resp.headers["Location"]


async def test_login_lands_on_the_role_home(world: World) -> None:
    assert await _login_form(world, "chihuy") == "/home"
    page = await (await world.client.get("/home")).text()
    assert "yêu cầu đang chờ bạn duyệt" in page and 'href="/requests?status=submitted"' in page
    assert "yêu cầu sắp bị ghi đè" in page and "camera đang mất tín hiệu" in page
    # a viewer sees cameras only, not requests
    assert await _login_form(world, "xem") == "/home"
    page = await (await world.client.get("/home")).text()
    assert "camera đang mất tín hiệu" in page and "chờ bạn duyệt" not in page
    assert "sắp bị ghi đè" not in page
    # an officer sees requests at risk but approves nothing
    await _login_form(world, "canbo")
    page = await (await world.client.get("/home")).text()
    assert "sắp bị ghi đè" in page and "chờ bạn duyệt" not in page


async def test_waiting_count_follows_the_requests(world: World) -> None:
    await _login_form(world, "chihuy")
    page = await (await world.client.get("/home")).text()
    before = int(re.findall(r"<b>(\d+)</b> yêu cầu đang chờ bạn duyệt", page)[0])
    status, listed = await world.call("GET", "/api/v1/requests?status=submitted", "chihuy")
    assert status == 200
    assert before == listed["page"]["total"]


async def test_expired_session_returns_to_the_page(world: World) -> None:
    world.client.session.cookie_jar.clear()
    resp = await world.client.get("/requests/at-risk", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/login?next=/requests/at-risk"
    assert await _login_form(world, "canbo", "/requests/at-risk") == "/requests/at-risk"
    # a form posted after the session ended goes back to the page holding the form, not to
    # the POST-only address (which would answer 405)
    world.client.session.cookie_jar.clear()
    origin = str(world.client.make_url("/requests")).rsplit("/requests", 1)[0]
    resp = await world.client.post("/incidents/1/requests", allow_redirects=False,
                                   data={"reason": "x"}, headers={"Referer": origin + "/incidents/1"})
    assert resp.status == 303 and resp.headers["Location"] == "/login?next=/incidents/1"
    # without a same-origin Referer it goes to the role home
    resp = await world.client.post("/incidents/1/requests", allow_redirects=False,
                                   data={"reason": "x"}, headers={"Referer": "http://other.invalid/x"})
    assert resp.status == 303 and resp.headers["Location"] == "/login?next=/home"
