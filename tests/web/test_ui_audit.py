"""The audit viewer: filters, paging, chain status, and who may not see it."""

from __future__ import annotations

from camnet.timeutil import display_timezone, utcnow
from tests.conftest import World
from tests.web.test_login import _csrf, _login


async def _as(world: World, username: str) -> str:
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, username, "camnet-demo") == 303
    return await _csrf(world.client, "/")


async def test_viewer_and_officer_cannot_see_audit(world: World) -> None:
    for who in ("xem", "canbo", "dieutra"):
        await _as(world, who)
        assert 'href="/audit"' not in await (await world.client.get("/")).text()
        assert (await world.client.get("/audit", allow_redirects=False)).status == 403


async def test_commander_filters_the_log(world: World) -> None:
    csrf = await _as(world, "admin")
    resp = await world.client.post("/users", allow_redirects=False, data={
        "csrf": csrf, "action": "disable", "username": "canbo"})
    assert resp.status == 303
    # the commune commander sees their own people, not the province admin's actions
    await _as(world, "chihuy")
    page = await (await world.client.get("/audit")).text()
    assert 'href="/audit"' in page and "Chuỗi băm nguyên vẹn" in page
    assert 'id="head"' in page
    page = await (await world.client.get("/audit?action=login")).text()
    # people by full name, with the login name beside it
    assert "Lê Văn Hùng (mẫu) – Trưởng Công an xã <span class=\"muted\">(chihuy)" in page
    assert "(admin)<" not in page
    assert "Không có dòng nào" in await (await world.client.get("/audit?action=disable")).text()
    await _as(world, "admin")
    page = await (await world.client.get("/audit?actor=admin&action=disable")).text()
    rows = page.split('<table id="audit">', 1)[1].split("</table>", 1)[0]
    assert rows.count("<tr>") == 2 and ">Tắt<" in rows and "Người dùng #" in rows  # in words
    today = utcnow().astimezone(display_timezone()).date().isoformat()
    page = await (await world.client.get(f"/audit?action=disable&since={today}&until={today}")).text()
    assert ">Tắt<" in page and "<option value=\"disable\" selected>" in page
    page = await (await world.client.get("/audit?action=disable&until=2000-01-01")).text()
    assert "Không có dòng nào" in page
    # the whole log pages 50 rows at a time, keeping the filter in the links
    page = await (await world.client.get("/audit?entity=session")).text()
    assert "session" in page
    resp = await world.client.get("/audit?since=yesterday")
    assert resp.status == 422
