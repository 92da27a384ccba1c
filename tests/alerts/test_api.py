"""The alerts API: subscriptions in zone scope, contacts, link codes, delivery log, metrics."""

from __future__ import annotations

from camnet.web import keys
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


async def test_delivery_log_is_zone_scoped_and_test_messages_skip_waits(world: World) -> None:
    from datetime import timedelta

    from camnet.alerts.outbox import enqueue_status_alerts
    from camnet.alerts.recipients import add_subscription, set_contact
    from camnet.auth.principal import cli_principal
    from camnet.monitor.status import Transition
    from camnet.timeutil import now_iso, utcnow
    from camnet.web.alerts_ctx import ALERTS

    db = world.app[keys.DB]
    uid = await db.fetchval("SELECT id FROM user WHERE username = 'chihuy'")
    await set_contact(db, uid, zalo_chat_id="chat-chihuy")
    await add_subscription(db, cli_principal(), zone_code="SAMPLE-PHUMY", role="commander")
    cam = await db.fetchval("SELECT c.id FROM camera c JOIN camera_point p ON p.id = c.point_id"
                            " JOIN zone z ON z.id = p.zone_id WHERE z.code = 'SAMPLE-PHUMY-ML'")
    at = now_iso()
    async with db.transaction() as tx:
        await enqueue_status_alerts(tx, [(cam, Transition("up", "down", at, "timeout"))], at)
    status, body = await world.call("POST", "/api/v1/alerts/test", "admin",
                                    json={"channel": "zalo", "to": "chihuy"})
    assert status == 202 and body["event_id"] > 0
    service = world.app[ALERTS]
    await service.tick(utcnow() + timedelta(seconds=1))  # the test message goes at once
    _, log = await world.call("GET", "/api/v1/alerts/deliveries", "admin")
    assert [d["group_key"].split("|")[0] for d in log["items"]] == [f"test:{uid}:zalo"]
    await service.tick(utcnow() + timedelta(seconds=61))
    _, log = await world.call("GET", "/api/v1/alerts/deliveries", "admin")
    assert len(log["items"]) == 2
    # no bot token here: a permanent failure, recorded with its error (never a token)
    assert {d["status"] for d in log["items"]} == {"failed"}
    assert all("no zalo bot token" in d["last_error"] for d in log["items"])
    _, theirs = await world.call("GET", "/api/v1/alerts/deliveries", "other")
    assert theirs["items"] == []  # another commune's admin sees none of it
