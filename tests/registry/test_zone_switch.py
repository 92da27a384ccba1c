"""Switching a zone off and on: its cameras stop and resume, no new points, admin only."""

from __future__ import annotations

from camnet.registry.cameras import stream_targets
from camnet.web import keys
from tests.conftest import CamnetCli, World
from tests.web.test_login import _csrf, _login


async def _probed(world: World) -> set[int]:
    targets = await stream_targets(world.app[keys.DB], world.app[keys.CIPHER])
    return {t.camera_id for t in targets}


async def test_a_switched_off_zone_is_not_probed_and_takes_no_points(world: World) -> None:
    _, zone = await world.call("GET", "/api/v1/zones", "admin")
    hamlet = next(z for z in zone["items"] if z["code"] == "SAMPLE-PHUMY-ML")
    _, cams = await world.call("GET", "/api/v1/cameras?zone=SAMPLE-PHUMY-ML&per_page=100", "admin")
    in_hamlet = {c["id"] for c in cams["items"]}
    by_hand = sorted(in_hamlet)[0]  # switched off by hand before: must stay off
    assert (await world.call("PATCH", f"/api/v1/cameras/{by_hand}", "admin",
                             json={"enabled": False}))[0] == 200
    before = await _probed(world)

    status, body = await world.call("POST", f"/api/v1/zones/{hamlet['id']}/disable", "chihuy")
    assert status == 403  # commanders may not
    status, body = await world.call("POST", f"/api/v1/zones/{hamlet['id']}/disable", "admin")
    assert status == 200, body
    assert body["zone"]["disabled_at"] and body["cameras_switched"] == len(in_hamlet) - 1
    assert not (await _probed(world)) & in_hamlet  # none probed any more
    assert (await _probed(world)) == before - in_hamlet  # the rest untouched
    status, body = await world.call("POST", f"/api/v1/zones/{hamlet['id']}/disable", "admin")
    assert status == 409 and body["error"]["field"] == "id"
    status, body = await world.call("POST", "/api/v1/points", "admin", json={
        "zone_code": "SAMPLE-PHUMY-ML", "name": "Điểm mới", "lat": 16.5121, "lon": 107.6526})
    assert status == 409 and body["error"]["field"] == "zone_code"

    status, body = await world.call("POST", f"/api/v1/zones/{hamlet['id']}/enable", "admin")
    assert status == 200 and body["zone"]["disabled_at"] is None
    assert body["cameras_switched"] == len(in_hamlet) - 1
    assert (await _probed(world)) == before  # the hand-disabled camera stays off
    _, audit_rows = await world.call("GET", "/api/v1/zones", "admin")
    assert all(z["disabled_at"] is None for z in audit_rows["items"])


async def test_zone_switch_in_the_page_asks_first(world: World) -> None:
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, "admin", "camnet-demo") == 303
    _, zones = await world.call("GET", "/api/v1/zones", "admin")
    hamlet = next(z for z in zones["items"] if z["code"] == "SAMPLE-PHUMY-ML")
    csrf = await _csrf(world.client, f"/zones/{hamlet['id']}/edit")
    resp = await world.client.post(f"/zones/{hamlet['id']}/edit", allow_redirects=False,
                                   data={"csrf": csrf, "action": "disable"})
    page = await resp.text()
    assert resp.status == 200 and 'id="confirm-step"' in page and "Lịch sử" in page
    resp = await world.client.post(f"/zones/{hamlet['id']}/edit", allow_redirects=False,
                                   data={"csrf": csrf, "action": "disable", "confirm": "yes"})
    assert resp.status == 303 and resp.headers["Location"].endswith("done=disabled")
    registry = await (await world.client.get("/registry")).text()
    assert "Đã tắt" in registry
    form = await (await world.client.get("/points/new")).text()
    assert "SAMPLE-PHUMY-ML" not in form  # not offered for new points
    resp = await world.client.post(f"/zones/{hamlet['id']}/edit", allow_redirects=False,
                                   data={"csrf": csrf, "action": "enable"})
    assert resp.status == 303 and resp.headers["Location"].endswith("done=enabled")


def test_cli_switches_zones(camnet_cli: CamnetCli) -> None:
    run = camnet_cli

    run("sample", "load")
    assert "switched off; 6 camera(s)" in run("zone", "disable", "SAMPLE-PHUMY-ML")
    assert "(off)" in run("zone", "list")
    assert "already off" in run("zone", "disable", "SAMPLE-PHUMY-ML", code=1)
    assert "switched on; 6 camera(s)" in run("zone", "enable", "SAMPLE-PHUMY-ML")
    run("zone", "disable", "NOPE", code=1)
