"""Every API route goes through one authorization check: anonymous, wrong role, other zone."""

from __future__ import annotations

import re

import pytest

from camnet.app import all_api_routes
from camnet.auth.principal import PERMISSIONS
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
    return {"zones": zone["id"], "points": points["items"][0]["id"],
            "cameras": cameras["items"][0]["id"]}


ID_ROUTES = [r for r in PROTECTED if "{id}" in r.path]


@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_other_zone_cannot_see_or_touch(world: World, route) -> None:  # type: ignore[no-untyped-def]
    ids = await _sample_ids(world)
    kind = route.path.split("/")[3]
    path = _concrete(route.path, ids[kind])
    body = {"name": "x"} if route.method == "PATCH" else None
    status, err = await world.call(route.method, path, "other", json=body)
    assert status == 404, err
    # ...while the sample admin reaches the same object
    if route.method == "GET":
        assert (await world.call("GET", path, "admin"))[0] == 200


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
    from camnet import keys
    from camnet.auth.principal import cli_principal
    from camnet.auth.users import set_disabled

    assert (await world.call("GET", "/api/v1/me", "canbo"))[0] == 200
    await set_disabled(world.app[keys.DB], cli_principal(), "canbo")
    assert (await world.call("GET", "/api/v1/me", "canbo"))[0] == 401


async def test_me(world: World) -> None:
    status, me = await world.call("GET", "/api/v1/me", "chihuy")
    assert status == 200 and me["role"] == "commander" and "request.approve" in me["permissions"]
