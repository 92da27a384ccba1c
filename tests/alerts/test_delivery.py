"""Alerts through a real database, routing, grouping and the Zalo stand-in on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from camnet.alerts.channels import WebhookChannel, verify_signature
from camnet.alerts.recipients import create_link_code, set_host_contact
from camnet.auth.principal import cli_principal
from camnet.testing.alert_standins import WebhookReceiver
from camnet.timeutil import to_iso, utcnow
from tests.alerts.conftest import AlertRig, close_rig, make_rig


def _start() -> datetime:
    return utcnow().replace(microsecond=0) + timedelta(minutes=1)


async def test_five_simultaneous_failures_make_one_message(rig: AlertRig) -> None:
    t0 = _start()
    await rig.transitions([(c, "up", "down") for c in rig.cameras], t0)
    await rig.service.tick(t0 + timedelta(seconds=5))
    assert rig.zalo.sent == []  # group_wait
    await rig.service.tick(t0 + timedelta(seconds=61))
    await rig.service.tick(t0 + timedelta(seconds=62))
    (text,) = rig.zalo.texts("chat-chihuy")
    assert text.startswith("5 camera ở thôn Mỹ Lợi mất tín hiệu từ ")
    assert "có thể mất điện" in text
    assert "100% (5/5) camera ở thôn Mỹ Lợi" in text  # the zone alert joins the same message
    assert "rtsp://" not in text and "Secret-1" not in text
    assert "https://camnet.test/" in text


async def test_recovery_is_always_sent_after_the_group_interval(rig: AlertRig) -> None:
    t0 = _start()
    cam = rig.cameras[0]
    await rig.transition(cam, "up", "down", t0)
    await rig.service.tick(t0 + timedelta(seconds=61))
    await rig.transition(cam, "down", "up", t0 + timedelta(seconds=90), reason="recovered")
    await rig.service.tick(t0 + timedelta(seconds=200))
    assert len(rig.zalo.sent) == 1  # within group_interval
    await rig.service.tick(t0 + timedelta(seconds=362))
    texts = rig.zalo.texts()
    assert len(texts) == 2 and "cam1 (Ngã ba chợ) đã hoạt động lại" in texts[1]
    # nothing left open: no repeat later
    await rig.service.tick(t0 + timedelta(hours=5))
    assert len(rig.zalo.sent) == 2


async def test_open_problem_repeats_every_four_hours(rig: AlertRig) -> None:
    t0 = _start()
    await rig.transition(rig.cameras[0], "up", "down", t0)
    await rig.service.tick(t0 + timedelta(seconds=61))
    await rig.service.tick(t0 + timedelta(hours=2))
    assert len(rig.zalo.sent) == 1
    await rig.service.tick(t0 + timedelta(hours=4, seconds=62))
    texts = rig.zalo.texts()
    assert len(texts) == 2 and texts[1].startswith("Vẫn chưa khắc phục (1):")


async def test_flapping_camera_gets_one_summary_until_stable(rig: AlertRig) -> None:
    t0 = _start()
    cam = rig.cameras[0]
    states = ["up", "down"] * 4
    changes = {t0 + timedelta(minutes=5 * i): (states[i], states[i + 1]) for i in range(6)}
    now = t0
    while now <= t0 + timedelta(minutes=70):
        for at, (frm, to) in list(changes.items()):
            if at <= now:
                await rig.transition(cam, frm, to, at)
                del changes[at]
        await rig.service.tick(now)
        now += timedelta(minutes=1)
    texts = rig.zalo.texts()
    flap = [i for i, t in enumerate(texts) if "chập chờn" in t]
    stable = [i for i, t in enumerate(texts) if "đã ổn định lại" in t]
    assert len(flap) == 1 and len(stable) == 1 and flap[0] < stable[0] == len(texts) - 1
    between = texts[flap[0] + 1:stable[0]]
    assert between == []  # no per-transition messages while it flaps
    assert sum("mất tín hiệu" in t for t in texts[:flap[0]]) >= 1


async def test_quiet_hours_hold_host_messages_until_morning(rig: AlertRig) -> None:
    await set_host_contact(rig.db, cli_principal(), rig.point_id, host_zalo="chat-host")
    base = _start() + timedelta(days=1)
    t0 = datetime(base.year, base.month, base.day, 16, 0, tzinfo=UTC)  # 23:00 in Vietnam
    await rig.transition(rig.cameras[0], "up", "down", t0)
    await rig.service.tick(t0 + timedelta(seconds=61))
    await rig.service.tick(t0 + timedelta(hours=3))
    assert rig.zalo.texts("chat-host") == []
    assert len(rig.zalo.texts("chat-chihuy")) == 1  # police have no quiet hours here
    await rig.service.tick(t0 + timedelta(hours=7, minutes=1))  # 06:01
    (text,) = rig.zalo.texts("chat-host")
    assert "cam1 (Ngã ba chợ, thôn Mỹ Lợi) mất tín hiệu" in text


async def test_maintenance_mutes_what_it_covers(rig: AlertRig) -> None:
    t0 = _start()
    async with rig.db.transaction() as tx:
        await tx.execute("INSERT INTO maintenance_window(camera_id, starts_at, ends_at, reason)"
                         " VALUES (?, ?, ?, 'thay nguồn')",
                         (rig.cameras[1], to_iso(t0 - timedelta(hours=1)),
                          to_iso(t0 + timedelta(hours=2))))
    await rig.transition(rig.cameras[1], "up", "down", t0)
    await rig.transition(rig.cameras[2], "up", "down", t0)
    await rig.service.tick(t0 + timedelta(seconds=61))
    (text,) = rig.zalo.texts()
    assert "cam3" in text and "cam2" not in text


async def test_429_retry_after_is_honoured(rig: AlertRig) -> None:
    rig.zalo.mode, rig.zalo.retry_after, rig.zalo.rate_limited = "429", 7, 1
    t0 = _start()
    await rig.transition(rig.cameras[0], "up", "down", t0)
    await rig.service.tick(t0 + timedelta(seconds=61))
    row = await rig.db.fetchone("SELECT * FROM alert_delivery")
    assert row is not None and row["status"] == "pending" and row["attempts"] == 1
    attempt = await rig.db.fetchone("SELECT * FROM alert_attempt")
    assert attempt is not None and attempt["http_status"] == 429 and attempt["ok"] == 0
    wait = (datetime.fromisoformat(row["next_attempt_at"].replace("Z", "+00:00"))
            - datetime.fromisoformat(attempt["at"].replace("Z", "+00:00"))).total_seconds()
    assert wait == pytest.approx(7, abs=0.01)
    await rig.service.deliver_due(datetime.fromisoformat(row["next_attempt_at"].replace("Z", "+00:00"))
                                  + timedelta(seconds=1))
    assert len(rig.zalo.sent) == 1 and len(rig.zalo.calls) == 2
    row = await rig.db.fetchone("SELECT status, attempts FROM alert_delivery")
    assert row is not None and (row["status"], row["attempts"]) == ("sent", 2)


async def test_failing_channel_is_paused_and_reported(rig: AlertRig) -> None:
    rig.zalo.mode = "fail"
    t0 = _start()
    await rig.transition(rig.cameras[0], "up", "down", t0)
    await rig.service.tick(t0 + timedelta(seconds=61))  # first attempt
    passes = 60  # then a pass every 50 ms for 3 s
    for i in range(1, passes + 1):
        await rig.service.deliver_due(t0 + timedelta(seconds=61 + i * 0.05))
    attempts = await rig.db.fetchval("SELECT COUNT(*) FROM alert_attempt")
    # backoff 0.2, 0.4, 0.8, 1.6 s (capped at 2): attempts at 0, 0.2, 0.6, 1.4, 3.0 s
    assert attempts == 5  # backed off, not a tight loop
    assert rig.service.failing_channels() == ["zalo"]
    metrics = await rig.service.metrics_text()
    assert 'camnet_alert_channel_failing{channel="zalo"} 1' in metrics
    errors = await rig.db.fetchall("SELECT error FROM alert_attempt")
    assert all("500" in e["error"] and "TEST-TOKEN" not in e["error"] for e in errors)
    rig.zalo.mode = "ok"
    await rig.service.deliver_due(t0 + timedelta(seconds=61 + 10))
    assert len(rig.zalo.sent) == 1 and rig.service.failing_channels() == []


async def test_zalo_link_code_single_use_and_expiring(rig: AlertRig) -> None:
    code, _ = await create_link_code(rig.db, rig.commander_id, 900)
    rig.zalo.push_message("group-1", code, chat_type="GROUP")  # never from a group chat
    assert await rig.service.poll_zalo_once() == 0
    assert rig.zalo.texts("group-1")[-1].startswith("Hãy gửi mã trong tin nhắn riêng")
    rig.zalo.push_message("chat-new", f"Mã của tôi: {code}")
    assert await rig.service.poll_zalo_once() == 1
    contact = await rig.db.fetchone("SELECT zalo_chat_id FROM alert_contact WHERE user_id = ?",
                                    (rig.commander_id,))
    assert contact is not None and contact["zalo_chat_id"] == "chat-new"
    assert rig.zalo.texts("chat-new")[-1].startswith("Đã liên kết")
    rig.zalo.push_message("chat-evil", code)  # reused
    assert await rig.service.poll_zalo_once() == 0
    assert rig.zalo.texts("chat-evil")[-1].startswith("Mã không hợp lệ")
    expired, _ = await create_link_code(rig.db, rig.commander_id, -1)
    rig.zalo.push_message("chat-late", expired)
    assert await rig.service.poll_zalo_once() == 0
    contact = await rig.db.fetchone("SELECT zalo_chat_id FROM alert_contact WHERE user_id = ?",
                                    (rig.commander_id,))
    assert contact is not None and contact["zalo_chat_id"] == "chat-new"


async def test_signed_webhook(tmp_path, webhook: WebhookReceiver) -> None:  # type: ignore[no-untyped-def]
    rig = await make_rig(tmp_path, webhook_url=webhook.url)
    try:
        service = rig.build({"webhook": WebhookChannel(rig.session, "hook-secret", 5)})
        t0 = _start()
        await rig.transition(rig.cameras[0], "up", "down", t0)
        await service.tick(t0 + timedelta(seconds=61))
        (call,) = webhook.received
        h = call.headers
        assert verify_signature("hook-secret", h["X-Camnet-Timestamp"], call.raw,
                                h["X-Camnet-Signature"])
        assert not verify_signature("other", h["X-Camnet-Timestamp"], call.raw,
                                    h["X-Camnet-Signature"])
        assert not verify_signature("hook-secret", str(int(h["X-Camnet-Timestamp"]) - 3600),
                                    call.raw, h["X-Camnet-Signature"])
        assert call.body["id"] == h["X-Camnet-Idempotency-Key"]
        (item,) = call.body["items"]
        assert item["kind"] == "camera_down" and item["camera_id"] == rig.cameras[0]
        assert b"rtsp://" not in call.raw
    finally:
        await close_rig(rig)


async def test_optional_telegram_channel(rig: AlertRig) -> None:
    from camnet.alerts.channels import TelegramBotChannel
    from camnet.alerts.recipients import add_subscription, set_contact
    from camnet.testing.alert_standins import ZaloStandIn

    telegram = ZaloStandIn(token="TG-TOKEN")  # the Telegram Bot API has the same shape
    await telegram.start()
    try:
        await set_contact(rig.db, rig.commander_id, telegram_chat_id="tg-1")
        await add_subscription(rig.db, cli_principal(), zone_code="ML", username="chihuy",
                               channels=["telegram"])
        service = rig.build({"telegram": TelegramBotChannel(rig.session, telegram.base_url,
                                                            "TG-TOKEN", 5)})
        t0 = _start()
        await rig.transition(rig.cameras[0], "up", "down", t0)
        await service.tick(t0 + timedelta(seconds=61))
        (text,) = telegram.texts("tg-1")
        assert "cam1" in text and len(rig.zalo.texts("chat-chihuy")) == 1
    finally:
        await telegram.stop()


async def test_guessing_link_codes_is_cut_off(rig: AlertRig) -> None:
    code, _ = await create_link_code(rig.db, rig.commander_id, 900)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        rig.zalo.push_message("chat-guess", wrong)
        assert await rig.service.poll_zalo_once() == 0
    rig.zalo.push_message("chat-guess", code)  # even the right code is ignored now
    assert await rig.service.poll_zalo_once() == 0
    assert len(rig.zalo.texts("chat-guess")) == 5
    rig.zalo.push_message("chat-owner", code)  # the real owner still links
    assert await rig.service.poll_zalo_once() == 1


async def test_optional_apprise_channel(rig: AlertRig, webhook: WebhookReceiver) -> None:
    pytest.importorskip("apprise")
    from camnet.alerts.apprise_channel import AppriseChannel

    url = f"json://127.0.0.1:{webhook.port}/hook"
    service = rig.build({"apprise": AppriseChannel([url])})
    t0 = _start()
    await rig.transitions([(c, "up", "down") for c in rig.cameras[:2]], t0)
    await service.tick(t0 + timedelta(seconds=61))
    errors = await rig.db.fetchall("SELECT error FROM alert_attempt WHERE ok = 0")
    assert not errors, [e["error"] for e in errors]
    (call,) = webhook.received
    assert "2 camera ở thôn Mỹ Lợi mất tín hiệu" in call.body["message"]
    assert call.body["title"].startswith("[camnet]")
    row = await rig.db.fetchone("SELECT address, status FROM alert_delivery WHERE channel = 'apprise'")
    assert row is not None and (row["address"], row["status"]) == ("-", "sent")
