"""E-mail alerts through aiosmtplib to a local aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import email
import socket
from datetime import timedelta
from email.header import decode_header, make_header

from camnet.alerts.channels import EmailChannel, SmtpSettings
from camnet.alerts.recipients import add_subscription, set_contact
from camnet.auth.principal import cli_principal
from camnet.timeutil import utcnow
from tests.alerts.conftest import AlertRig
from tests.conftest import Inbox


async def test_email_alert_with_vietnamese_subject(rig: AlertRig, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    await set_contact(rig.db, rig.commander_id, email="chihuy@phuvang.test")
    await add_subscription(rig.db, cli_principal(), zone_code="ML", username="chihuy",
                           channels=["email"])
    service = rig.build({"email": EmailChannel(SmtpSettings("127.0.0.1", port, "none", "", "",
                                                            "camnet@phuvang.test"))})
    t0 = utcnow().replace(microsecond=0) + timedelta(minutes=1)
    await rig.transitions([(c, "up", "down") for c in rig.cameras[:3]], t0)
    await service.tick(t0 + timedelta(seconds=61))
    ((to, raw),) = inbox.messages
    assert to == ["chihuy@phuvang.test"]
    mail = email.message_from_bytes(raw)
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject.startswith("[camnet] ") and "cảnh báo" in subject and "thôn Mỹ Lợi" in subject
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in mail.walk()
             if not p.is_multipart()}
    assert "3 camera ở thôn Mỹ Lợi mất tín hiệu" in parts["text/plain"]
    assert "<a href=" in parts["text/html"]
    assert len(rig.zalo.sent) == 1  # the Zalo role subscription still gets its own message
    row = await rig.db.fetchone("SELECT status FROM alert_delivery WHERE channel = 'email'")
    assert row is not None and row["status"] == "sent"


async def test_unreachable_smtp_is_retried_not_lost(rig: AlertRig) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = int(s.getsockname()[1])
    await set_contact(rig.db, rig.commander_id, email="chihuy@phuvang.test")
    await add_subscription(rig.db, cli_principal(), zone_code="ML", username="chihuy",
                           channels=["email"])
    service = rig.build({"email": EmailChannel(SmtpSettings("127.0.0.1", dead_port, "none", "",
                                                            "", "", timeout_s=2))})
    t0 = utcnow().replace(microsecond=0) + timedelta(minutes=1)
    await rig.transition(rig.cameras[0], "up", "down", t0)
    await service.tick(t0 + timedelta(seconds=61))
    row = await rig.db.fetchone("SELECT * FROM alert_delivery WHERE channel = 'email'")
    assert row is not None and row["status"] == "pending" and row["attempts"] == 1
    assert row["last_error"]
