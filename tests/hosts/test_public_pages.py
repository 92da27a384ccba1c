"""Public status pages over HTTP: enable per commune, notices, page, JSON, badge, no leaks."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from camnet.auth.principal import cli_principal
from camnet.hosts import public_store
from camnet.hosts.public_snapshot import PublicStatusCache
from camnet.hosts.public_status import Thresholds, bucket_floor
from camnet.i18n import catalog
from camnet.monitor import maintenance
from camnet.timeutil import to_iso, utcnow
from camnet.web import keys
from camnet.web.ui_public import snapshot_json
from tests.conftest import World

API = "/api/v1"
SAMPLE = Path(__file__).resolve().parents[2] / "camnet" / "sample" / "phumy.json"


async def _seed(world: World) -> None:
    """Ten days of history: ML half down, DC in maintenance, one PA camera unwatched."""
    db = world.app[keys.DB]
    as_of = bucket_floor(utcnow(), 3600)
    since, until = to_iso(as_of - timedelta(days=10)), to_iso(utcnow() + timedelta(hours=1))
    zone_ids = {r["code"]: r["id"] for r in await db.fetchall("SELECT id, code FROM zone")}
    rows = await db.fetchall("SELECT c.id, z.code FROM camera c JOIN camera_point p"
                             " ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id ORDER BY c.id")
    by_zone: dict[str, list[int]] = {}
    for r in rows:
        by_zone.setdefault(r["code"], []).append(r["id"])
    unwatched = by_zone["SAMPLE-PHUMY-PA"][0]
    async with db.transaction() as tx:
        await tx.execute("UPDATE camera SET created_at = ?", (since,))
        await tx.execute("INSERT INTO watched_span(camera_id, started_at, ended_at)"
                         " SELECT id, ?, ? FROM camera WHERE id != ?", (since, until, unwatched))
        for cam in by_zone["SAMPLE-PHUMY-ML"][:3]:
            await tx.execute("INSERT INTO outage(camera_id, started_at, ended_at, cause)"
                             " VALUES (?, ?, NULL, 'timeout')",
                             (cam, to_iso(as_of - timedelta(hours=2))))
    await maintenance.add_window(db, cli_principal(), target="zone",
                                 target_id=zone_ids["SAMPLE-PHUMY-DC"],
                                 starts_at=to_iso(as_of - timedelta(hours=3)),
                                 ends_at=to_iso(as_of + timedelta(hours=3)), reason="thay nguồn")


async def _enable(world: World, code: str = "SAMPLE-PHUMY", who: str = "chihuy") -> None:
    status, body = await world.call("PUT", f"{API}/status-pages/{code}", who,
                                    json={"enabled": True})
    assert status == 200, body
    assert body["enabled"] is True and body["public_path"] == f"/trang-thai/{code}"


async def test_commune_page_states_counts_and_uptime(world: World) -> None:
    await _seed(world)
    await _enable(world)
    status, data = await world.call("GET", "/trang-thai/SAMPLE-PHUMY.json", None)
    assert status == 200, data
    comps = {c["id"]: c for c in data["components"]}
    assert set(comps) == {"SAMPLE-PHUMY-ML", "SAMPLE-PHUMY-DC", "SAMPLE-PHUMY-PA",
                          "SAMPLE-PHUMY-LV"}  # every sample hamlet holds ≥ 5 cameras
    assert comps["SAMPLE-PHUMY-ML"]["status"] == "major_outage"  # 3 of 6 down
    assert comps["SAMPLE-PHUMY-ML"]["counts"] == {"up": 3, "down": 3, "maintenance": 0,
                                                  "no_data": 0}
    assert comps["SAMPLE-PHUMY-DC"]["status"] == "under_maintenance"
    assert comps["SAMPLE-PHUMY-DC"]["counts"]["maintenance"] == 7
    assert comps["SAMPLE-PHUMY-PA"]["status"] == "degraded"  # 1 of 7 without data
    assert comps["SAMPLE-PHUMY-PA"]["counts"]["no_data"] == 1
    assert comps["SAMPLE-PHUMY-LV"]["status"] == "operational"
    assert comps["SAMPLE-PHUMY-LV"]["uptime_pct"]["7d"] == 100.0
    # ML: 3 of 6 cameras down for the last 2 h of 24 h
    assert comps["SAMPLE-PHUMY-ML"]["uptime_pct"]["24h"] == pytest.approx(
        100 * (1 - 3 * 2 / (6 * 24)), abs=0.01)
    assert data["status"]["indicator"] == "major_outage"
    assert data["counts"] == {"up": 17, "down": 3, "maintenance": 7, "no_data": 1}
    days = comps["SAMPLE-PHUMY-LV"]["days"]
    assert len(days) == 90
    assert days[-1]["uptime_pct"] == 100.0
    assert days[0]["uptime_pct"] is None  # before the cameras were registered: no data
    # published with a delay: the state as of the last full hour
    updated = data["page"]["updated_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:00:00\.000000Z", updated), updated
    assert data["page"]["delay_bucket_s"] == 3600


async def test_small_hamlets_fold_into_the_commune(world: World) -> None:
    await _seed(world)
    await _enable(world)
    db = world.app[keys.DB]
    page = await public_store.enabled_page(db, "SAMPLE-PHUMY")
    assert page is not None
    cache = PublicStatusCache(bucket_s=3600, ttl_s=0, days=7,
                              thresholds=Thresholds(min_component_cameras=7))
    snap = await cache.snapshot(db, page)
    data = snapshot_json(snap, [], "en", 3600)
    comps = {c["id"]: c for c in data["components"]}
    assert set(comps) == {"SAMPLE-PHUMY-DC", "SAMPLE-PHUMY-PA", "SAMPLE-PHUMY-LV", "other"}
    assert comps["other"]["name"] == "Other areas" and comps["other"]["cameras"] == 6
    assert comps["other"]["status"] == "major_outage"  # Mỹ Lợi's 3 of 6, now folded
    assert len(comps["other"]["days"]) == 7
    # a page zone whose hamlets are all small is one component, named after the commune
    snap = await PublicStatusCache(bucket_s=3600, ttl_s=0, days=7, thresholds=Thresholds(
        min_component_cameras=100)).snapshot(db, page)
    assert [c["name"] for c in snapshot_json(snap, [], "en", 3600)["components"]] == [
        "Xã Phú Mỹ (dữ liệu mẫu)"]


async def test_page_renders_in_vietnamese_and_english(world: World) -> None:
    await _seed(world)
    await _enable(world)
    status, html = await world.call("GET", "/trang-thai/SAMPLE-PHUMY", None)
    assert status == 200
    vi = catalog("vi")
    for key in ("public_title", "public_state_major_outage", "public_state_under_maintenance",
                "public_count_up", "public_uptime_90d", "public_bars_table"):
        assert vi[key] in html, key
    assert "Thôn Mỹ Lợi (mẫu)" in html  # hamlet names are public
    assert html.count('<rect class="bar-') == 5 * 90  # overall + 4 hamlets, 90 days each
    assert "<script" not in html
    status, html_en = await world.call("GET", "/trang-thai/SAMPLE-PHUMY?lang=en", None)
    assert status == 200 and catalog("en")["public_title"] in html_en


async def test_badge(world: World) -> None:
    await _seed(world)
    await _enable(world)
    resp = await world.client.get("/trang-thai/SAMPLE-PHUMY/badge.svg")
    assert resp.status == 200 and resp.content_type == "image/svg+xml"
    svg = await resp.text()
    assert svg.startswith("<svg") and catalog("vi")["public_state_major_outage"] in svg
    assert "<title>" in svg and 'role="img"' in svg
    assert resp.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert resp.headers["Cache-Control"].startswith("public, max-age=")


async def test_disabled_or_unknown_commune_is_the_same_404(world: World) -> None:
    answers = []
    for code in ("SAMPLE-PHUMY", "NO-SUCH-ZONE", "OTHER-COMMUNE"):
        for suffix in ("", ".json", "/badge.svg"):
            resp = await world.client.get(f"/trang-thai/{code}{suffix}")
            answers.append((suffix, resp.status, (await resp.text()).replace(code, "CODE")))
    assert {a[1] for a in answers} == {404}
    for suffix in ("", ".json", "/badge.svg"):
        assert len({a[2] for a in answers if a[0] == suffix}) == 1  # identical bodies
    await _enable(world)
    assert (await world.client.get("/trang-thai/SAMPLE-PHUMY")).status == 200
    status, body = await world.call("PUT", f"{API}/status-pages/SAMPLE-PHUMY", "admin",
                                    json={"enabled": False})
    assert status == 200 and body["enabled"] is False
    resp = await world.client.get("/trang-thai/SAMPLE-PHUMY.json")
    assert resp.status == 404


async def test_who_may_publish(world: World) -> None:
    for who in ("canbo", "dieutra", "xem"):  # officer, investigator, viewer
        status, body = await world.call("PUT", f"{API}/status-pages/SAMPLE-PHUMY", who,
                                        json={"enabled": True})
        assert status == 403, (who, body)
    status, body = await world.call("PUT", f"{API}/status-pages/SAMPLE-PHUMY", "other",
                                    json={"enabled": True})
    assert status == 404, body  # another commune's admin: it does not exist for them
    status, body = await world.call("PUT", f"{API}/status-pages/SAMPLE-PV", "admin",
                                    json={"enabled": True})
    assert status == 422 and body["error"]["field"] == "zone"  # a district has no page
    await _enable(world, "SAMPLE-PHUMY-ML", "admin")  # a hamlet on opt-in
    assert (await world.client.get("/trang-thai/SAMPLE-PHUMY-ML.json")).status == 200
    _, listed = await world.call("GET", f"{API}/status-pages", "xem")
    assert [(p["zone_code"], p["enabled"]) for p in listed["items"]] == [("SAMPLE-PHUMY-ML", True)]
    audit = await world.app[keys.DB].fetchval(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'public_status_page'")
    assert audit == 1


async def test_notices_crud_by_officers_of_the_zone(world: World) -> None:
    await _enable(world)
    now = utcnow()
    status, notice = await world.call("POST", f"{API}/status-pages/SAMPLE-PHUMY/notices", "canbo",
                                      json={"text": "Mất điện khu vực thôn Mỹ Lợi, đang khắc phục",
                                            "ends_at": to_iso(now + timedelta(hours=4))})
    assert status == 201, notice
    status, later = await world.call("POST", f"{API}/status-pages/SAMPLE-PHUMY/notices", "admin",
                                     json={"text": "Bảo trì <b>định kỳ</b>",
                                           "starts_at": to_iso(now + timedelta(days=1))})
    assert status == 201
    _, data = await world.call("GET", "/trang-thai/SAMPLE-PHUMY.json", None)
    assert [(n["text"], n["state"]) for n in data["notices"]] == [
        ("Bảo trì <b>định kỳ</b>", "scheduled"),
        ("Mất điện khu vực thôn Mỹ Lợi, đang khắc phục", "active")]
    _, html = await world.call("GET", "/trang-thai/SAMPLE-PHUMY", None)
    assert "Mất điện khu vực thôn Mỹ Lợi, đang khắc phục" in html
    assert "<b>định kỳ</b>" not in html and "&lt;b&gt;định kỳ&lt;/b&gt;" in html  # escaped
    # end one now: it stays visible as resolved
    status, ended = await world.call("PATCH", f"{API}/status-notices/{notice['id']}", "canbo",
                                     json={"end_now": True})
    assert status == 200 and ended["ends_at"] is not None
    _, data = await world.call("GET", "/trang-thai/SAMPLE-PHUMY.json", None)
    assert [n["state"] for n in data["notices"]] == ["scheduled", "resolved"]
    # scope and roles
    status, _ = await world.call("PATCH", f"{API}/status-notices/{later['id']}", "other",
                                 json={"text": "x"})
    assert status == 404
    status, _ = await world.call("POST", f"{API}/status-pages/SAMPLE-PHUMY/notices", "xem",
                                 json={"text": "x"})
    assert status == 403
    status, err = await world.call("POST", f"{API}/status-pages/SAMPLE-PHUMY/notices", "canbo",
                                   json={"text": "x", "starts_at": to_iso(now),
                                         "ends_at": to_iso(now - timedelta(hours=1))})
    assert status == 422 and err["error"]["field"] == "ends_at"
    status, _ = await world.call("DELETE", f"{API}/status-notices/{later['id']}", "canbo")
    assert status == 204
    status, listed = await world.call("GET", f"{API}/status-pages/SAMPLE-PHUMY/notices", "xem")
    assert status == 404 and listed["error"]["code"] == "not_found"  # hamlet viewer: commune unseen
    _, listed = await world.call("GET", f"{API}/status-pages/SAMPLE-PHUMY/notices", "dieutra")
    assert [n["id"] for n in listed["items"]] == [notice["id"]]


def _personal_strings() -> set[str]:
    """Every host name, phone, address, coordinate, point and camera name of the sample."""
    data = json.loads(SAMPLE.read_text("utf-8"))
    found: set[str] = set()
    for point in data["points"]:
        for key in ("name", "address", "host_name", "host_phone", "funding", "installed_on"):
            if point.get(key):
                found.add(str(point[key]))
        # every sample point's notes are the "DỮ LIỆU MẪU — hư cấu" marker that the sample
        # banner of every page also shows; any other note must not appear
        if point.get("notes") and point["notes"] not in catalog("vi")["sample_banner"]:
            found.add(point["notes"])
        phone = str(point.get("host_phone", ""))
        if phone:
            found.add(phone.replace(" ", ""))
        for key in ("lat", "lon"):
            found.add(str(point[key]))
            found.add(f"{point[key]:.4f}")
        for cam in point["cameras"]:
            found.add(cam["name"])
            found.add(cam["rtsp_url"])
            found.add(cam["rtsp_url"].split("/")[-1])
    for user in data["users"]:
        found.add(user["full_name"])
    return found


async def test_public_page_and_json_hold_no_personal_data(world: World) -> None:
    await _seed(world)
    await _enable(world)
    await public_store.add_notice(world.app[keys.DB], cli_principal(), "SAMPLE-PHUMY",
                                  "Mất điện khu vực thôn Mỹ Lợi, đang khắc phục")
    secrets = _personal_strings()
    assert len(secrets) > 100
    bodies = []
    for lang in ("vi", "en"):
        for suffix in ("", ".json", "/badge.svg"):
            resp = await world.client.get(f"/trang-thai/SAMPLE-PHUMY{suffix}?lang={lang}")
            assert resp.status == 200
            bodies.append(await resp.text())
    for body in bodies:
        leaked = sorted(s for s in secrets if s in body)
        assert not leaked, leaked
        lowered = body.lower()
        for word in ("rtsp", "snapshot", "latitude", "longitude", '"lat"', '"lon"', "azimuth",
                     "fov_deg", "range_m", "host_", "phone", "/cameras/", "/points/", "/map",
                     "gap", "geojson", "polygon"):
            assert word not in lowered, word
    data = json.loads(bodies[1])
    # and nothing per camera: component entries hold counts, never a list of cameras
    for comp in data["components"]:
        assert set(comp) == {"id", "name", "status", "cameras", "counts", "uptime_pct", "days"}
        assert isinstance(comp["cameras"], int)


async def test_prewarm_fills_the_cache_for_enabled_pages_only(world: World) -> None:
    from camnet.web.ui_public import CACHE, prewarm_once

    assert await prewarm_once(world.app) == 0
    await _seed(world)
    await _enable(world)
    assert await prewarm_once(world.app) == 1
    db = world.app[keys.DB]
    page = await public_store.enabled_page(db, "SAMPLE-PHUMY")
    assert page is not None
    warmed = await world.app[CACHE].snapshot(db, page)
    assert await world.app[CACHE].snapshot(db, page) is warmed  # read from the cache
