"""Every API route goes through one authorization check: anonymous, wrong role, other zone."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest

from camnet.app import all_api_routes
from camnet.auth.principal import PERMISSIONS
from camnet.web import keys
from tests.conftest import World

PROTECTED = [r for r in all_api_routes() if r.permission is not None]
ROLE_USER = {"admin": "admin", "commander": "chihuy", "officer": "canbo",
             "investigator": "dieutra", "viewer": "xem"}


def _concrete(path: str, ident: int = 1) -> str:
    return re.sub(r"{\w+}", str(ident), path)


@pytest.mark.parametrize("route", PROTECTED, ids=lambda r: f"{r.method} {r.path}")
async def test_anonymous_gets_401(world: World, route) -> None:  # type: ignore[no-untyped-def]
    status, body = await world.call(route.method, _concrete(route.path), None, json={})
    assert status == 401, body
    assert body["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("route", PROTECTED, ids=lambda r: f"{r.method} {r.path}")
async def test_wrong_role_gets_403(world: World, route) -> None:  # type: ignore[no-untyped-def]
    lacking = [role for role, perms in PERMISSIONS.items() if route.permission not in perms]
    if not lacking:
        pytest.skip("every role may do this")
    for role in lacking:
        status, body = await world.call(route.method, _concrete(route.path), ROLE_USER[role], json={})
        assert status == 403, (role, body)
        assert body["error"]["code"] == "forbidden"


async def _sample_ids(world: World) -> dict[str, int]:
    _, zones = await world.call("GET", "/api/v1/zones", "admin")
    _, points = await world.call("GET", "/api/v1/points?per_page=1", "admin")
    _, cameras = await world.call("GET", "/api/v1/cameras?per_page=1", "admin")
    zone = next(z for z in zones["items"] if z["code"] == "SAMPLE-PHUMY-ML")
    camera = cameras["items"][0]["id"]
    _, incident = await world.call("POST", "/api/v1/incidents", "admin", json={
        "case_no": "AUTHZ-1", "kind": "other", "occurred_from": "2026-11-20T08:00:00",
        "occurred_to": "2026-11-20T09:00:00", "zone_code": "SAMPLE-PHUMY-ML"})
    _, req = await world.call("POST", "/api/v1/requests", "admin", json={
        "incident_id": incident["id"], "reason": "authz", "cameras": [{"camera_id": camera}]})
    for to, who in (("submitted", "admin"), ("approved", "chihuy")):  # separation of duties
        await world.call("POST", f"/api/v1/requests/{req['id']}/transition", who,
                         json={"to": to})
    _, item = await world.call("POST", f"/api/v1/requests/{req['id']}/items", "admin",
                               data=_upload_form())
    # a browser session of the sample admin, and an API token of a sample user
    from camnet.accounts.sessions import start_session
    from camnet.timeutil import utcnow

    db = world.app[keys.DB]
    admin_id = await db.fetchval("SELECT id FROM user WHERE username = 'admin'")
    async with db.transaction() as tx:
        await start_session(tx, admin_id, lifetime_s=3600, address="127.0.0.1", user_agent="t",
                            now=utcnow())
    session_id = await db.fetchval("SELECT MAX(id) FROM user_session")
    _, tokens = await world.call("GET", "/api/v1/tokens?username=canbo", "admin")
    _, sub = await world.call("POST", "/api/v1/alerts/subscriptions", "admin", json={
        "zone": "SAMPLE-PHUMY-ML", "role": "commander"})
    _, window = await world.call("POST", "/api/v1/maintenance", "admin", json={
        "target": "camera", "target_id": camera, "starts_at": "2026-11-20T08:00:00",
        "ends_at": "2099-11-20T09:00:00", "reason": "authz"})
    return {"zones": zone["id"], "points": points["items"][0]["id"], "cameras": camera,
            "incidents": incident["id"], "requests": req["id"], "items": item["id"],
            "me": session_id, "tokens": tokens["items"][0]["id"], "alerts": sub["id"],
            "maintenance": window["id"]}


ID_ROUTES = [r for r in PROTECTED if "{id}" in r.path]
# a valid body for each write, so scope (not validation) is what answers
BODIES: dict[str, dict[str, Any]] = {
    "PATCH /api/v1/zones/{id}": {"name": "x"},
    "PATCH /api/v1/points/{id}": {"name": "x"},
    "PATCH /api/v1/cameras/{id}": {"name": "x"},
    "PATCH /api/v1/incidents/{id}": {"summary": "x"},
    "PATCH /api/v1/maintenance/{id}": {"reason": "x"},
    "POST /api/v1/cameras/{id}/maintenance": {"starts_at": "2026-11-20T08:00:00",
                                              "ends_at": "2026-11-20T09:00:00"},
    "POST /api/v1/requests/{id}/transition": {"to": "extracted"},
    "POST /api/v1/requests/{id}/items/external": {"filename": "a.mp4", "size": 1,
                                                  "sha256": "e" * 64, "holder": "kho"},
    "POST /api/v1/items/{id}/custody": {"action": "sealed"},
    "PUT /api/v1/points/{id}/host-contact": {"host_zalo": "x"},
}


def _upload_form() -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", b"clip", filename="a.mp4", content_type="video/mp4")
    return form


@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_other_zone_cannot_see_or_touch(world: World, route) -> None:  # type: ignore[no-untyped-def]
    ids = await _sample_ids(world)
    kind = route.path.split("/")[3]
    path = _concrete(route.path, ids[kind])
    key = f"{route.method} {route.path}"
    if route.path.endswith("/items") and route.method == "POST":
        status, err = await world.call(route.method, path, "other", data=_upload_form())
    else:
        status, err = await world.call(route.method, path, "other", json=BODIES.get(key))
    assert status == 404, err
    # ...while the sample admin reaches the same object
    if route.method == "GET":
        status, body = await world.call("GET", path, "admin")
        if route.path.endswith("/snapshot"):  # no probe has run: found, but nothing to send
            assert status == 404 and body["error"]["message"] == "no snapshot yet for this camera"
        else:
            assert status == 200, body


async def test_lists_are_scoped(world: World) -> None:
    _, other = await world.call("GET", "/api/v1/cameras", "other")
    assert other["page"]["total"] == 0
    _, hamlet = await world.call("GET", "/api/v1/points", "xem")
    assert hamlet["page"]["total"] == 6
    assert {p["zone_code"] for p in hamlet["items"]} == {"SAMPLE-PHUMY-ML"}
    status, _ = await world.call("GET", "/api/v1/points?zone=SAMPLE-PHUMY-DC", "xem")
    assert status == 404
    _, zones = await world.call("GET", "/api/v1/zones", "other")
    assert [z["code"] for z in zones["items"]] == ["OTHER-COMMUNE"]


async def test_other_zone_cannot_create_inside_sample(world: World) -> None:
    status, _ = await world.call("POST", "/api/v1/points", "other", json={
        "zone_code": "SAMPLE-PHUMY-ML", "name": "x", "lat": 16.515, "lon": 107.645})
    assert status == 404
    status, _ = await world.call("POST", "/api/v1/zones", "other", json={
        "level": "province", "code": "ROOT2", "name": "root"})
    assert status == 403


async def test_bad_and_revoked_tokens(world: World) -> None:
    client = world.client
    resp = await client.get("/api/v1/me", headers={"Authorization": "Bearer cn_nope"})
    assert resp.status == 401
    resp = await client.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert resp.status == 401
    from camnet.accounts.users import set_disabled
    from camnet.auth.principal import cli_principal


    assert (await world.call("GET", "/api/v1/me", "canbo"))[0] == 200
    await set_disabled(world.app[keys.DB], cli_principal(), "canbo")
    assert (await world.call("GET", "/api/v1/me", "canbo"))[0] == 401


async def test_me(world: World) -> None:
    status, me = await world.call("GET", "/api/v1/me", "chihuy")
    assert status == 200 and me["role"] == "commander" and "request.approve" in me["permissions"]
