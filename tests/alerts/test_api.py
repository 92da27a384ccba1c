"""The alerts API: subscriptions in zone scope, contacts, link codes, delivery log, metrics."""

from __future__ import annotations

from camnet import keys
from tests.conftest import World


async def test_subscriptions_are_zone_scoped_and_self_only(world: World) -> None:
    status, body = await world.call("POST", "/api/v1/alerts/subscriptions", "chihuy", json={
        "zone": "SAMPLE-PHUMY-ML", "username": "chihuy", "events": ["camera_down"],
        "channels": ["zalo", "email"], "quiet_start": "22:00", "quiet_end": "06:00"})
    assert status == 201, body
    sub_id = body["id"]
    status, body = await world.call("POST", "/api/v1/alerts/subscriptions", "chihuy",
                                    json={"zone": "SAMPLE-PHUMY", "role": "officer"})
    assert status == 422 and body["error"]["field"] == "username"
    status, body = await world.call("POST", "/api/v1/alerts/subscriptions", "other", json={
        "zone": "SAMPLE-PHUMY", "role": "officer"})
    assert status == 404 and body["error"]["field"] == "zone"  # outside the caller's zone
    status, body = await world.call("POST", "/api/v1/alerts/subscriptions", "admin", json={
        "zone": "SAMPLE-PHUMY", "role": "commander", "events": ["nonsense"]})
    assert status == 422 and body["error"]["field"] == "events"
    status, body = await world.call("POST", "/api/v1/alerts/subscriptions", "chihuy", json={
        "zone": "SAMPLE-PHUMY", "username": "chihuy", "quiet_start": "25:00"})
    assert status == 422 and body["error"]["field"] == "quiet_start"
    _, mine = await world.call("GET", "/api/v1/alerts/subscriptions", "chihuy")
    assert [s["id"] for s in mine["items"]] == [sub_id]
    _, theirs = await world.call("GET", "/api/v1/alerts/subscriptions", "other")
    assert theirs["items"] == []
    status, _ = await world.call("DELETE", f"/api/v1/alerts/subscriptions/{sub_id}", "other")
    assert status == 404
    status, _ = await world.call("DELETE", f"/api/v1/alerts/subscriptions/{sub_id}", "chihuy")
    assert status == 204


async def test_contact_and_link_code(world: World) -> None:
    status, body = await world.call("PUT", "/api/v1/me/alert-contact", "canbo",
                                    json={"email": "canbo@phumy.test", "language": "en"})
    assert status == 200 and body == {"email": "canbo@phumy.test", "zalo_linked": False,
                                      "telegram_linked": False, "language": "en"}
    status, body = await world.call("PUT", "/api/v1/me/alert-contact", "canbo",
                                    json={"email": "not-an-address"})
    assert status == 422 and body["error"]["field"] == "email"
    status, body = await world.call("POST", "/api/v1/me/zalo-link-code", "canbo")
    assert status == 201 and len(body["code"]) == 6 and body["code"].isdigit()
    stored = await world.app[keys.DB].fetchval("SELECT code_hash FROM alert_link_code")
    assert stored != body["code"]  # only the hash is kept


async def test_admin_views_and_permissions(world: World) -> None:
    status, _ = await world.call("GET", "/api/v1/alerts/deliveries", "xem")
    assert status == 403
    status, body = await world.call("GET", "/api/v1/alerts/deliveries", "admin")
    assert status == 200 and body["items"] == []
    status, body = await world.call("GET", "/api/v1/alerts/metrics", "admin")
    assert status == 200 and 'camnet_alert_deliveries{status="sent"} 0' in body
    status, body = await world.call("GET", "/api/v1/metrics", "admin")  # one scrape for all
    assert status == 200 and 'camnet_alert_channel_failing{channel="zalo"} 0' in body
    status, body = await world.call("POST", "/api/v1/alerts/test", "admin",
                                    json={"channel": "zalo", "to": "dieutra"})
    assert status == 422 and body["error"]["field"] == "to"
    point = await world.app[keys.DB].fetchval("SELECT id FROM camera_point ORDER BY id LIMIT 1")
    status, body = await world.call("PUT", f"/api/v1/points/{point}/host-contact", "canbo",
                                    json={"host_zalo": "chat-host-1"})
    assert status == 200 and body["host_zalo_set"] is True
    status, _ = await world.call("PUT", f"/api/v1/points/{point}/host-contact", "other",
                                 json={"host_zalo": "x"})
    assert status == 404
