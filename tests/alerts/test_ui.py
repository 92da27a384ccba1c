"""The alerts page through forms: contact, Zalo link code, subscribe/unsubscribe, admin log."""

from __future__ import annotations

import re

from camnet.web import keys
from tests.conftest import World
from tests.web.test_ui_evidence import _as, _post


async def test_alerts_page_forms(world: World) -> None:
    csrf = await _as(world, "xem")
    html = await (await world.client.get("/alerts")).text()
    assert "chưa liên kết" in html and "Nhật ký gửi" not in html  # not an admin
    resp = await _post(world, "/alerts", {"csrf": csrf, "action": "contact",
                                          "email": "xem@phumy.test", "language": "vi"})
    assert resp.status == 303
    resp = await _post(world, "/alerts", {"csrf": csrf, "action": "link"})
    html = await resp.text()
    match = re.search(r'<strong class="code">(\d{6})</strong>', html)
    assert resp.status == 200 and match
    resp = await _post(world, "/alerts", {"csrf": csrf, "action": "subscribe",
                                          "zone": "SAMPLE-PHUMY-ML", "events": "camera_down",
                                          "channels": "email", "quiet_start": "22:00",
                                          "quiet_end": "06:00"})
    assert resp.status == 303
    html = await (await world.client.get("/alerts")).text()
    assert "xem@phumy.test" in html and "camera_down" in html and "22:00–06:00" in html
    resp = await _post(world, "/alerts", {"csrf": csrf, "action": "subscribe",
                                          "zone": "SAMPLE-PHUMY-ML", "quiet_start": "7pm"})
    assert resp.status == 422 and "HH:MM" in await resp.text()
    sub_id = await world.app[keys.DB].fetchval("SELECT id FROM alert_subscription")
    resp = await _post(world, "/alerts", {"csrf": csrf, "action": "unsubscribe", "id": str(sub_id)})
    assert resp.status == 303
    assert await world.app[keys.DB].fetchval("SELECT COUNT(*) FROM alert_subscription") == 0
    resp = await _post(world, "/alerts", {"csrf": "forged", "action": "link"})
    assert resp.status == 403


async def test_admin_sees_delivery_log(world: World) -> None:
    await _as(world, "admin")
    html = await (await world.client.get("/alerts")).text()
    assert 'id="deliveries"' in html and "Nhật ký gửi" in html


async def test_board_reports_a_failing_channel(world: World) -> None:
    from camnet.alerts.channels import SendResult
    from camnet.web.alerts_ctx import ALERTS

    await _as(world, "canbo")
    html = await (await world.client.get("/")).text()
    assert 'id="alerts-failing"' not in html
    service = world.app[ALERTS]
    for _ in range(service.cfg.channel_fail_threshold):
        service._note("zalo", SendResult(False, error="zalo answered 500"))
    html = await (await world.client.get("/")).text()
    assert 'id="alerts-failing"' in html and "Kênh cảnh báo đang lỗi: zalo" in html
