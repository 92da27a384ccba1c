"""Registry API: happy paths and every validation rule, against a real SQLite file."""

from __future__ import annotations

import io
import json

import pytest

from tests.conftest import World

GOOD_CAMERA = {"name": "Mắt mới", "rtsp_url": "rtsp://192.0.2.10:554/Streaming/101",
               "azimuth_deg": 90, "fov_deg": 80, "range_m": 40, "retention_days": 7}


async def _a_point(world: World) -> int:
    status, body = await world.call("GET", "/api/v1/points?zone=SAMPLE-PHUMY-ML", "admin")
    assert status == 200
    return int(body["items"][0]["id"])


async def test_lists_are_paged_and_filtered(world: World) -> None:
    status, body = await world.call("GET", "/api/v1/cameras?per_page=10", "admin")
    assert status == 200
    assert body["page"] == {"page": 1, "per_page": 10, "total": 28}
    assert len(body["items"]) == 10
    status, body = await world.call("GET", "/api/v1/cameras?per_page=10&page=3", "admin")
    assert len(body["items"]) == 8
    status, body = await world.call("GET", "/api/v1/points?zone=SAMPLE-PHUMY-ML", "admin")
    assert body["page"]["total"] == 6
    assert all(p["zone_code"] == "SAMPLE-PHUMY-ML" for p in body["items"])
    status, body = await world.call("GET", "/api/v1/cameras?status=unknown&enabled=true", "admin")
    assert body["page"]["total"] == 28
    status, body = await world.call("GET", "/api/v1/cameras?status=down", "admin")
    assert body["page"]["total"] == 0
    status, body = await world.call("GET", "/api/v1/zones", "admin")
    assert [z["code"] for z in body["items"]][:3] == ["SAMPLE-TTH", "SAMPLE-PV", "SAMPLE-PHUMY"]


async def test_zone_point_camera_lifecycle(world: World) -> None:
    boundary = {"type": "Polygon", "coordinates": [[[107.60, 16.40], [107.62, 16.40],
                                                    [107.62, 16.42], [107.60, 16.42],
                                                    [107.60, 16.40]]]}
    status, zone = await world.call("POST", "/api/v1/zones", "admin", json={
        "parent_code": "SAMPLE-PV", "level": "commune", "code": "NEW-1", "name": "Xã Mới",
        "boundary_geojson": json.dumps(boundary)})
    assert status == 201, zone
    status, point = await world.call("POST", "/api/v1/points", "admin", json={
        "zone_code": "NEW-1", "name": "Chợ", "lat": 16.41, "lon": 107.61,
        "host_name": "Chủ nhà", "host_phone": "0900 111 222"})
    assert status == 201, point
    status, cam = await world.call("POST", "/api/v1/cameras", "admin",
                                   json={**GOOD_CAMERA, "point_id": point["id"]})
    assert status == 201, cam
    assert cam["status"] == "unknown" and cam["has_password"] is False
    status, cam = await world.call("PATCH", f"/api/v1/cameras/{cam['id']}", "admin",
                                   json={"enabled": False, "range_m": 55})
    assert status == 200 and cam["enabled"] is False and cam["range_m"] == 55
    _, stored = await world.call("GET", f"/api/v1/cameras/{cam['id']}", "admin")
    assert stored["enabled"] is False and stored["range_m"] == 55  # the change was written
    assert stored["name"] == GOOD_CAMERA["name"]  # and nothing else moved
    status, got = await world.call("GET", f"/api/v1/points/{point['id']}", "admin")
    assert got["camera_count"] == 1
    status, renamed = await world.call("PATCH", f"/api/v1/zones/{zone['id']}", "admin",
                                       json={"name": "Xã Mới (đổi tên)"})
    assert status == 200 and renamed["name"] == "Xã Mới (đổi tên)"
    _, again = await world.call("GET", f"/api/v1/zones/{zone['id']}", "admin")
    assert again["name"] == "Xã Mới (đổi tên)" and again["code"] == "NEW-1"
    status, body = await world.call("DELETE", f"/api/v1/zones/{zone['id']}", "admin")
    assert status == 409 and "camera points (1)" in body["error"]["message"]
    assert (await world.call("DELETE", f"/api/v1/points/{point['id']}", "admin"))[0] == 204
    assert (await world.call("GET", f"/api/v1/cameras/{cam['id']}", "admin"))[0] == 404
    assert (await world.call("GET", f"/api/v1/points/{point['id']}", "admin"))[0] == 404
    assert (await world.call("DELETE", f"/api/v1/zones/{zone['id']}", "admin"))[0] == 204
    assert (await world.call("GET", f"/api/v1/zones/{zone['id']}", "admin"))[0] == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rtsp_url": "http://192.0.2.1/stream"}, "rtsp_url"),
        ({"rtsp_url": "rtsp:///nohost"}, "rtsp_url"),
        ({"rtsp_url": "rtsp://192.0.2.1:99999/x"}, "rtsp_url"),
        ({"azimuth_deg": -1}, "azimuth_deg"),
        ({"azimuth_deg": 361}, "azimuth_deg"),
        ({"fov_deg": 0}, "fov_deg"),
        ({"fov_deg": 361}, "fov_deg"),
        ({"range_m": 0}, "range_m"),
        ({"retention_days": -1}, "retention_days"),
        ({"name": ""}, "name"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_camera_validation(world: World, change: dict[str, object], field: str) -> None:
    point_id = await _a_point(world)
    status, body = await world.call("POST", "/api/v1/cameras", "admin",
                                    json={**GOOD_CAMERA, "point_id": point_id, **change})
    assert status == 422, body
    assert body["error"]["field"] == field
    assert body["error"]["code"] == "invalid"
    assert body["error"]["message"]


async def test_camera_names_unique_per_point(world: World) -> None:
    point_id = await _a_point(world)
    body = {**GOOD_CAMERA, "point_id": point_id}
    assert (await world.call("POST", "/api/v1/cameras", "admin", json=body))[0] == 201
    status, err = await world.call("POST", "/api/v1/cameras", "admin", json=body)
    assert status == 409 and err["error"]["field"] == "name"


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        ({"lat": 91}, "lat", 422),
        ({"lat": -91}, "lat", 422),
        ({"lon": 181}, "lon", 422),
        ({"lon": -181}, "lon", 422),
        ({"lat": 10.0, "lon": 106.0}, "lat", 422),  # outside the hamlet's boundary
        ({"zone_code": "NOPE"}, "zone_code", 404),
        ({"host_phone": "call me"}, "host_phone", 422),
    ],
)
async def test_point_validation(world: World, change: dict[str, object], field: str,
                                expected: int) -> None:
    point = {"zone_code": "SAMPLE-PHUMY-ML", "name": "Điểm thử", "lat": 16.515, "lon": 107.645}
    status, body = await world.call("POST", "/api/v1/points", "admin", json={**point, **change})
    assert status == expected, body
    _, points = await world.call("GET", "/api/v1/points?q=Điểm thử", "admin")
    assert points["items"] == []  # nothing was stored
    assert body["error"]["field"] == field


@pytest.mark.parametrize(
    ("zone", "field"),
    [
        ({"parent_code": "SAMPLE-PHUMY", "level": "district"}, "level"),
        ({"parent_code": "SAMPLE-PHUMY", "level": "hamlet", "code": "bad code!"}, "code"),
        ({"parent_code": "SAMPLE-PHUMY", "level": "hamlet", "code": "SAMPLE-PHUMY-ML"}, "code"),
        ({"parent_code": "SAMPLE-PHUMY", "level": "hamlet",
          "boundary_geojson": '{"type": "Point", "coordinates": [1, 2]}'}, "boundary_geojson"),
        ({"parent_code": "SAMPLE-PHUMY", "level": "hamlet", "boundary_geojson": "{oops"},
         "boundary_geojson"),
    ],
)
async def test_zone_validation(world: World, zone: dict[str, object], field: str) -> None:
    body = {"code": "H-NEW", "name": "Thôn mới", **zone}
    status, err = await world.call("POST", "/api/v1/zones", "admin", json=body)
    assert 400 <= status < 500, err
    assert err["error"]["field"] == field


async def test_bad_bodies_are_4xx_not_500(world: World) -> None:
    client = world.client
    headers = world.auth("admin")
    resp = await client.post("/api/v1/points", data="{not json", headers={
        **headers, "Content-Type": "application/json"})
    assert resp.status == 422 and (await resp.json())["error"]["field"] == "body"
    resp = await client.post("/api/v1/points", data="x=1", headers=headers)
    assert resp.status == 422
    resp = await client.post("/api/v1/points", json=[1, 2], headers=headers)
    assert resp.status == 422
    resp = await client.post("/api/v1/points", data=io.BytesIO(b"{" + b" " * 2_000_000 + b"}"),
                             headers={**headers, "Content-Type": "application/json"})
    assert resp.status == 413 and (await resp.json())["error"]["code"] == "too_large"
    resp = await client.get("/api/v1/cameras/abc", headers=headers)
    assert resp.status == 404
    resp = await client.get("/api/v1/cameras?per_page=0", headers=headers)
    assert resp.status == 422 and (await resp.json())["error"]["field"] == "per_page"
    resp = await client.get("/api/v1/cameras?bogus=1", headers=headers)
    assert resp.status == 422 and (await resp.json())["error"]["field"] == "bogus"
    resp = await client.get("/api/v1/nothing-here", headers=headers)
    assert resp.status == 404 and "error" in await resp.json()


async def test_healthz(client) -> None:  # type: ignore[no-untyped-def]
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert (await resp.json())["status"] == "ok"
