"""A host who gave an e-mail hears the review decision, through the alerts outbox to SMTP."""

from __future__ import annotations

import email
from datetime import timedelta
from email.header import decode_header, make_header

from camnet.alerts.channels import EmailChannel, SmtpSettings
from camnet.alerts.service import AlertService
from camnet.config import load_config
from camnet.hosts import registrations
from camnet.timeutil import display_timezone, utcnow
from camnet.web import keys
from tests.conftest import Inbox, World
from tests.hosts.test_hosts_domain import _officer, _submit, _zone_id, reg_data


def _text(raw: bytes) -> tuple[str, str]:
    mail = email.message_from_bytes(raw)
    subject = str(make_header(decode_header(mail["Subject"])))
    body = next(p.get_payload(decode=True).decode() for p in mail.walk()
                if p.get_content_type() == "text/plain")
    return subject, body


async def test_review_decisions_reach_the_hosts_email(world: World,
                                                      smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    db = world.app[keys.DB]
    cfg = load_config(None, {"alerts": {"group_wait_s": 0, "host_quiet_start": "",
                                        "host_quiet_end": ""}}).alerts
    service = AlertService(db, cfg, {"email": EmailChannel(SmtpSettings(
        "127.0.0.1", port, "none", "", "", "camnet@phuvang.test"))}, tz=display_timezone())
    canbo = await _officer(db)
    zone_id = await _zone_id(db, "SAMPLE-PHUMY-ML")
    asked = await _submit(world, reg_data(zone_id, email="binh@example.org"))
    await registrations.ask_changes(db, canbo, asked.registration_id, "Ghi rõ số nhà")
    await service.tick(utcnow() + timedelta(seconds=5))
    ((to, raw),) = inbox.messages
    assert to == ["binh@example.org"]
    subject, body = _text(raw)
    assert "Tạp hóa Bình" in body and "cán bộ đề nghị sửa lại" in body
    assert "Ghi rõ số nhà" in body and subject.startswith("[camnet]")
    # no e-mail given: nothing is sent, the decision shows on the host's page only
    silent = await _submit(world, reg_data(zone_id, phone="0987654321", point_name="Quán Lan"),
                           address="10.0.0.2")
    await registrations.reject(db, canbo, silent.registration_id, "Trùng điểm")
    await service.tick(utcnow() + timedelta(seconds=10))
    assert len(inbox.messages) == 1
    assert await db.fetchval("SELECT COUNT(*) FROM alert_event WHERE kind = 'host_review'") == 1
