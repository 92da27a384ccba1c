"""Importing OSM-tagged cameras: tags read, personal tags never, all or nothing, not monitored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from camnet.auth.principal import cli_principal
from camnet.coverage.geometry import destination
from camnet.coverage.osm_import import parse_osm
from camnet.coverage.whosaw import settings_from, who_saw
from camnet.registry.cameras import stream_targets
from camnet.registry.formats import ImportFailed
from camnet.timeutil import utcnow
from camnet.web import keys
from tests.conftest import CamnetCli, World

POINT_01 = (16.512111, 107.652652)  # sample "Điểm 01 — Ngã ba chợ"
URL = "/api/v1/coverage/zones/SAMPLE-PHUMY/osm"


def _feature(lat: float, lon: float, **tags: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": tags}


def _near(bearing: float, dist: float) -> tuple[float, float]:
    return destination(*POINT_01, bearing, dist)


def _camera_tags(**extra: Any) -> dict[str, Any]:
    return {"man_made": "surveillance", "surveillance:type": "camera", **extra}


def test_tags_are_read_and_personal_tags_left_out() -> None:
    lat, lon = _near(90, 200)
    found, skipped, ignored = parse_osm({"type": "FeatureCollection", "features": [
        _feature(lat, lon, **_camera_tags(**{"camera:direction": "SE", "camnet:fov": "90",
                                            "camnet:range_m": "40 m", "height": "4.5",
                                            "camera:angle": "15", "name": "Cổng chợ / cam A",
                                            "operator": "Nguyễn Văn A", "phone": "0912 345 678",
                                            "addr:street": "Lê Lợi"})),
        _feature(lat, lon, **_camera_tags(**{"camera:type": "panorama", "name": "Cổng chợ / cam B"})),
        _feature(lat + 0.001, lon, man_made="surveillance", **{"surveillance:type": "guard"}),
    ]})
    a, b = found
    assert (a.point_name, a.camera_name) == ("Cổng chợ", "cam A")
    assert (a.azimuth_deg, a.fov_deg, a.range_m, a.height_m) == (135.0, 90.0, 40.0, 4.5)
    assert (b.point_name, b.fov_deg, b.azimuth_deg, b.range_m) == ("Cổng chợ", 360.0, None, None)
    assert skipped == ["feature 3: not a camera (man_made=surveillance, surveillance:type=camera)"]
    assert ignored == ["addr:street", "operator", "phone"]
    assert "Nguyễn" not in repr(found) and "0912" not in repr(found)


def test_osm_json_nodes_and_every_problem_listed() -> None:
    lat, lon = _near(0, 100)
    found, skipped, _ = parse_osm({"elements": [
        {"type": "node", "id": 42, "lat": lat, "lon": lon,
         "tags": _camera_tags(**{"camera:direction": "270"})},
        {"type": "way", "id": 7, "nodes": [1, 2]},
    ]})
    assert [(c.osm_id, c.point_name, c.camera_name, c.azimuth_deg) for c in found] == [
        ("node/42", "OSM node/42", "camera", 270.0)]
    assert skipped == ["element 2: a way, not a node"]
    with pytest.raises(ImportFailed) as caught:
        parse_osm({"elements": [
            {"type": "node", "id": 1, "lat": lat, "lon": lon,
             "tags": _camera_tags(**{"camera:direction": "sideways"})},
            {"type": "node", "id": 2, "lat": 95, "lon": lon, "tags": _camera_tags(height="-3")},
            {"type": "node", "id": 3, "tags": _camera_tags()},
            {"type": "node", "id": 4, "lat": lat, "lon": lon,
             "tags": _camera_tags(**{"camnet:range": "20", "camnet:min_range": "30"})},
        ]})
    problems = [(e.where, e.field) for e in caught.value.errors]
    assert problems == [("element 1", "camera:direction"), ("element 2", "lat"),
                        ("element 2", "height"), ("element 3", "geometry"),
                        ("element 4", "camnet:min_range")]
    with pytest.raises(ImportFailed):
        parse_osm({"type": "Feature"})


async def test_import_through_the_api_scoped_and_not_monitored(world: World) -> None:
    db, cipher = world.app[keys.DB], world.app[keys.CIPHER]
    lat, lon = _near(45, 150)
    doc = {"type": "FeatureCollection", "features": [
        _feature(lat, lon, **_camera_tags(**{"camera:direction": "90", "camnet:fov": "60",
                                            "camnet:range": "50", "name": "Nhà văn hóa / OSM 1",
                                            "operator": "Hộ ông B", "contact:phone": "0900"})),
        _feature(lat, lon, **_camera_tags(**{"name": "Nhà văn hóa / OSM 2", "height": "6"})),
    ]}
    before = len(await stream_targets(db, cipher))
    status, body = await world.call("POST", URL, "xem", json={"data": doc})
    assert status == 403
    status, body = await world.call("POST", URL, "dieutra", json={"data": doc})
    assert status == 403
    status, body = await world.call("POST", URL, "other", json={"data": doc})
    assert status == 404  # another commune's admin cannot see the zone
    status, body = await world.call("POST", URL, "canbo", json={"data": doc})
    assert status == 200, body
    assert (body["points_created"], body["cameras_created"]) == (1, 2)
    assert body["ignored_tags"] == ["contact:phone", "operator"]
    point = await db.fetchone("SELECT * FROM camera_point WHERE name = 'Nhà văn hóa'")
    assert (point["host_name"], point["host_phone"], point["address"], point["funding"]) == ("", "", "", "")
    assert "Hộ ông B" not in json.dumps(dict(point), ensure_ascii=False)
    rows = await db.fetchall("SELECT id, name, rtsp_url FROM camera WHERE point_id = ? ORDER BY name",
                             (point["id"],))
    assert [r["rtsp_url"] for r in rows] == ["", ""]
    status, cam = await world.call("GET", f"/api/v1/cameras/{rows[0]['id']}", "canbo")
    assert status == 200 and cam["monitored"] is False and cam["status"] == "unknown"
    assert (cam["azimuth_deg"], cam["fov_deg"], cam["range_m"]) == (90, 60, 50)
    # the monitor never probes them: not monitored is not "down"
    assert len(await stream_targets(db, cipher)) == before
    status, listed = await world.call("GET", "/api/v1/cameras?per_page=100", "canbo")
    flags = {c["id"]: c["monitored"] for c in listed["items"]}
    assert flags[rows[0]["id"]] is False and sum(flags.values()) == len(flags) - 2 > 0
    height = await db.fetchval("SELECT height_m FROM camera_view_extra WHERE camera_id = ?",
                               (rows[1]["id"],))
    assert height == 6
    # who-saw lists the imported camera, says it is not monitored, and never calls it up
    now = utcnow()
    from datetime import timedelta
    target = destination(lat, lon, 90, 25)
    answer = await who_saw(db, cli_principal(), lat=target[0], lon=target[1],
                           start=now - timedelta(hours=1), end=now,
                           settings=settings_from(world.app[keys.CONFIG]))
    entry = next(c for c in answer["cameras"] if c["camera_id"] == rows[0]["id"])
    assert entry["monitored"] is False and entry["status"]["state"] == "no_data"
    # a bad file: 422 with every problem, nothing written
    bad = {"elements": [{"type": "node", "id": 9, "lat": lat, "lon": lon,
                         "tags": _camera_tags(**{"camera:direction": "400"})},
                        {"type": "node", "id": 10, "lat": 10.0, "lon": 106.0, "tags": _camera_tags()}]}
    count = await db.fetchval("SELECT COUNT(*) FROM camera")
    status, body = await world.call("POST", URL, "canbo", json={"data": bad})
    assert status == 422 and body["error"]["code"] == "import_failed"
    assert [(p["where"], p["field"]) for p in body["problems"]] == [("element 1", "camera:direction")]
    assert await db.fetchval("SELECT COUNT(*) FROM camera") == count
    audit = await db.fetchone("SELECT * FROM audit_log WHERE action = 'import_osm'")
    assert audit is not None


async def test_round_trip_of_the_export_updates_and_keeps_stream_urls(world: World) -> None:
    db = world.app[keys.DB]
    status, raw = await world.call("GET", URL, "canbo")
    exported = json.loads(raw)
    assert status == 200 and exported["features"]
    urls = {r["id"]: r["rtsp_url"] for r in await db.fetchall("SELECT id, rtsp_url FROM camera")}
    count = len(urls)
    first = exported["features"][0]["properties"]
    first["camera:direction"] = "10"
    status, body = await world.call("POST", URL, "canbo", json={"data": exported})
    assert status == 200, body
    assert body["cameras_created"] == 0 and body["points_created"] == 0
    assert body["cameras_updated"] == len(exported["features"])
    after = {r["id"]: r["rtsp_url"] for r in await db.fetchall("SELECT id, rtsp_url FROM camera")}
    assert after == urls and len(after) == count  # stream URLs (and credentials) kept
    point, camera = first["name"].split(" / ", 1)
    az = await db.fetchval("SELECT c.azimuth_deg FROM camera c JOIN camera_point p ON p.id = c.point_id"
                           " WHERE p.name = ? AND c.name = ?", (point, camera))
    assert az == 10


def test_cli_import_osm(camnet_cli: CamnetCli, tmp_path: Path) -> None:
    run = camnet_cli

    run("sample", "load")
    lat, lon = _near(180, 120)
    good = tmp_path / "cams.geojson"
    good.write_text(json.dumps({"elements": [
        {"type": "node", "id": 77, "lat": lat, "lon": lon,
         "tags": _camera_tags(**{"camera:direction": "N", "camnet:fov": "70", "camnet:range": "35"})},
        {"type": "node", "id": 78, "lat": lat, "lon": lon, "tags": {"amenity": "bench"}}]}))
    out = run("coverage", "import-osm", str(good), "--zone", "SAMPLE-PHUMY")
    assert "cameras 1 new" in out and "skipped element 2" in out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"elements": [{"type": "node", "id": 79, "lat": lat, "lon": lon,
                                             "tags": _camera_tags(height="tall")}]}))
    out = run("coverage", "import-osm", str(bad), "--zone", "SAMPLE-PHUMY", code=1)
    assert "element 1, height: not a number" in out
    assert "[zone]" in run("coverage", "import-osm", str(good), "--zone", "NOPE", code=1)


async def test_a_camera_without_stream_url_round_trips_through_csv(world: World) -> None:
    db = world.app[keys.DB]
    status, points_page = await world.call("GET", "/api/v1/points?per_page=1", "canbo")
    point_id = points_page["items"][0]["id"]
    status, cam = await world.call("POST", "/api/v1/cameras", "canbo",
                                   json={"point_id": point_id, "name": "known only by place",
                                         "rtsp_url": "", "azimuth_deg": 45})
    assert status == 201, cam
    assert cam["monitored"] is False and cam["rtsp_url"] == ""
    status, missing = await world.call("POST", "/api/v1/cameras", "canbo",
                                       json={"point_id": point_id, "name": "forgot the URL"})
    assert status == 422 and missing["error"]["field"] == "rtsp_url"  # empty must be said
    from camnet.registry import formats, importer

    csv_text = formats.to_csv(await importer.export_rows(db, cli_principal()))
    assert "known only by place" in csv_text
    before = await db.fetchval("SELECT COUNT(*) FROM camera")
    report = await importer.import_rows(db, cli_principal(), world.app[keys.CIPHER],
                                        formats.read_csv_rows(csv_text), source="round trip")
    assert report.cameras_created == 0 and report.cameras_updated == before
    assert await db.fetchval("SELECT COUNT(*) FROM camera") == before
    assert await db.fetchval("SELECT rtsp_url FROM camera WHERE id = ?", (cam["id"],)) == ""
    assert await db.fetchval("SELECT COUNT(*) FROM camera WHERE rtsp_url = ''") == 1
