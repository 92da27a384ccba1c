"""Coverage over HTTP: who-saw, zone reports and cache, imports, GeoJSON, drafting a request."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from camnet.accounts import users
from camnet.coverage.geometry import destination
from camnet.db import Database
from camnet.evidence.incidents import create_incident
from camnet.evidence.models import IncidentIn
from camnet.registry.models import ZonePatch
from camnet.registry.zones import get_zone_row, update_zone
from camnet.timeutil import to_iso, utcnow
from camnet.web import keys
from tests.coverage_helpers import LAT, LON, ROOT, make_camera, make_zone, monitored


async def set_status(db: Database, camera_id: int, status: str, health: str | None = "ok") -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO camera_status(camera_id, status, health) VALUES (?, ?, ?)"
            " ON CONFLICT(camera_id) DO UPDATE SET status = excluded.status, health = excluded.health",
            (camera_id, status, health))


def square(half_m: float) -> str:
    n = destination(LAT, LON, 0, half_m)[0]
    s = destination(LAT, LON, 180, half_m)[0]
    e = destination(LAT, LON, 90, half_m)[1]
    w = destination(LAT, LON, 270, half_m)[1]
    return json.dumps({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]})


async def api(client: TestClient, method: str, path: str, token: str, **kw: Any) -> tuple[int, Any]:
    resp = await client.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kw)
    return resp.status, await resp.json(content_type=None)


async def tokens(db: Database) -> dict[str, str]:
    out = {}
    for name, role, zone in (("boss", "admin", "COV-PROV"), ("canbo", "officer", "COV-COMMUNE"),
                             ("xem", "viewer", "COV-COMMUNE"), ("other", "admin", "OTHER-COMMUNE")):
        await users.add_user(db, ROOT, username=name, password="pass-word-1", role=role, zone_code=zone)
        out[name] = await users.create_token(db, ROOT, name, "tests")
    return out


async def setup(client: TestClient) -> tuple[Database, dict[str, str], int, int]:
    db, cipher = client.app[keys.DB], client.app[keys.CIPHER]
    await make_zone(db)
    await make_zone(db, "OTHER-PROV", "OTHER-COMMUNE")
    east = await make_camera(db, cipher, "east", az=90, fov=90, rng=60)
    west = await make_camera(db, cipher, "west", az=270, fov=90, rng=60)
    return db, await tokens(db), east, west


async def test_zone_report_is_cached_and_recomputed_only_on_change(client: TestClient) -> None:
    db, tok, east, west = await setup(client)
    zone = await get_zone_row(db, ROOT, code="COV-COMMUNE")
    await update_zone(db, ROOT, zone["id"], ZonePatch(boundary_geojson=square(100)))
    await set_status(db, east, "up")
    await set_status(db, west, "down", None)
    e_pt, w_pt = destination(LAT, LON, 90, 30), destination(LAT, LON, 270, 30)
    road = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "QL49"},
            "geometry": {"type": "LineString", "coordinates": [
                [destination(LAT, LON, 270, 90)[1], LAT], [destination(LAT, LON, 90, 90)[1], LAT]]}}]}
    keyp = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": name},
         "geometry": {"type": "Point", "coordinates": [pt[1], pt[0]]}}
        for name, pt in (("Chợ", e_pt), ("Trường", w_pt))]}
    assert await api(client, "POST", "/api/v1/coverage/zones/COV-COMMUNE/streets", tok["canbo"],
                     json={"geojson": road}) == (200, {"zone": "COV-COMMUNE", "imported": 1})
    status, _ = await api(client, "POST", "/api/v1/coverage/zones/COV-COMMUNE/keypoints", tok["canbo"],
                          json={"geojson": keyp})
    assert status == 200
    status, first = await api(client, "GET", "/api/v1/coverage/zones/COV-COMMUNE", tok["xem"])
    assert status == 200 and first["cached"] is False
    assert first["boundary_source"] == "imported"
    assert first["cameras_total"] == 2 and first["cameras_covering"] == 1
    assert {k["name"]: k["covered"] for k in first["keypoints"]} == {"Chợ": True, "Trường": False}
    # the road runs 180 m along the axis; the east camera sees 60 m of it (down camera: nothing)
    assert 30 < first["streets"]["pct"] < 36
    assert "area" in first["area"]["label"] and 0 < first["area"]["pct"] < 20
    status, again = await api(client, "GET", "/api/v1/coverage/zones/COV-COMMUNE", tok["xem"])
    assert again["cached"] is True and again["computed_at"] == first["computed_at"]
    await set_status(db, west, "up")
    status, after = await api(client, "GET", "/api/v1/coverage/zones/COV-COMMUNE", tok["xem"])
    assert after["cached"] is False and after["keypoints_covered"] == 2
    assert 63 < after["streets"]["pct"] < 70
    await set_status(db, west, "up", "frozen")  # a frozen picture covers nothing
    status, frozen = await api(client, "GET", "/api/v1/coverage/zones/COV-COMMUNE", tok["xem"])
    assert frozen["cameras_covering"] == 1
    status, geo = await api(client, "GET", "/api/v1/coverage/zones/COV-COMMUNE/geojson", tok["xem"])
    kinds = sorted(f["properties"]["kind"] for f in geo["features"])
    assert kinds == ["gap", "sector", "sector"]
    status, prov = await api(client, "GET", "/api/v1/coverage/zones/COV-PROV", tok["boss"])
    assert prov["aggregated_from_communes"] == 1 and prov["cameras_total"] == 2


async def test_zone_without_boundary_uses_labelled_hull(client: TestClient) -> None:
    db, tok, east, _ = await setup(client)
    await make_camera(db, client.app[keys.CIPHER], "north", bearing=0, dist=80)
    await set_status(db, east, "up")
    status, report = await api(client, "GET", "/api/v1/coverage/zones/COV-COMMUNE", tok["canbo"])
    assert report["boundary_source"] == "hull_of_points" and "hull" in report["boundary_note"]
    assert report["area"]["zone_m2"] > 0 and report["streets"] is None


async def test_who_saw_over_http_scoped_and_checked(client: TestClient) -> None:
    db, tok, east, west = await setup(client)
    pt = destination(LAT, LON, 90, 25)
    now = utcnow()
    q = {"lat": pt[0], "lon": pt[1], "from": to_iso(now - timedelta(hours=1)), "to": to_iso(now)}
    status, answer = await api(client, "GET", "/api/v1/coverage/who-saw", tok["xem"], params=q)
    assert status == 200 and [c["camera_id"] for c in answer["cameras"]] == [east]
    assert answer["cameras"][0]["status"]["state"] == "no_data"
    status, other = await api(client, "GET", "/api/v1/coverage/who-saw", tok["other"], params=q)
    assert status == 200 and other["cameras"] == []
    status, err = await api(client, "GET", "/api/v1/coverage/who-saw", tok["xem"],
                            params={**q, "lat": "200"})
    assert status == 422 and err["error"]["field"] == "lat"
    status, err = await api(client, "GET", "/api/v1/coverage/who-saw", tok["xem"],
                            params={**q, "to": q["from"]})
    assert status == 422 and err["error"]["field"] == "to"
    resp = await client.get("/api/v1/coverage/who-saw", params=q)
    assert resp.status == 401
    status, box = await api(client, "GET", "/api/v1/coverage/cameras", tok["xem"],
                            params={"bbox": f"{LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}"})
    assert status == 200 and {i["camera_id"] for i in box["items"]} == {east, west}


async def test_draft_request_keeps_the_answer_the_officer_saw(client: TestClient) -> None:
    db, tok, east, west = await setup(client)
    now = utcnow()
    start, end = now - timedelta(hours=3), now - timedelta(hours=2)
    await monitored(db, east, now - timedelta(days=1), now,
                    outages=[(start + timedelta(minutes=5), start + timedelta(minutes=15))])
    pt = destination(LAT, LON, 90, 25)
    incident = await create_incident(db, ROOT, IncidentIn(
        case_no="VV-COV-1", kind="theft", occurred_from=start, occurred_to=end,
        zone_code="COV-COMMUNE", lat=pt[0], lon=pt[1]))
    body = {"incident_id": incident.id, "lat": pt[0], "lon": pt[1], "from": to_iso(start),
            "to": to_iso(end), "camera_ids": [east], "reason": "Trộm xe máy"}
    status, err = await api(client, "POST", "/api/v1/coverage/draft-request", tok["canbo"],
                            json={**body, "camera_ids": [west]})
    assert status == 422 and err["error"]["field"] == "camera_ids.0"
    status, err = await api(client, "POST", "/api/v1/coverage/draft-request", tok["xem"], json=body)
    assert status == 403
    status, drafted = await api(client, "POST", "/api/v1/coverage/draft-request", tok["canbo"], json=body)
    assert status == 201
    rid = drafted["request_id"]
    status, req = await api(client, "GET", f"/api/v1/requests/{rid}", tok["canbo"])
    assert status == 200 and req["status"] == "draft" and [c["camera_id"] for c in req["cameras"]] == [east]
    status, snap = await api(client, "GET", f"/api/v1/requests/{rid}/who-saw", tok["canbo"])
    assert snap["drafted_from_who_saw"] and snap["intact"] and snap["chosen"] == [east]
    seen = snap["answer"]["cameras"][0]["status"]
    assert seen["state"] == "partly_down" and seen["minutes_down"] == 10
    # later edits to the outage history do not change what was stored
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM outage WHERE camera_id = ?", (east,))
    status, later = await api(client, "GET", f"/api/v1/requests/{rid}/who-saw", tok["canbo"])
    assert later["answer"] == snap["answer"] and later["intact"]
    audit_row = await db.fetchone(
        "SELECT after FROM audit_log WHERE action = 'whosaw_snapshot' AND entity_id = ?", (rid,))
    assert audit_row is not None and json.loads(audit_row["after"])["sha256"] == snap["sha256"]
    status, _ = await api(client, "GET", f"/api/v1/requests/{rid}/who-saw", tok["other"])
    assert status == 404
