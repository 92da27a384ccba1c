"""Fixtures for alert tests: a real database with one hamlet, stand-ins on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from camnet.accounts import users
from camnet.alerts.channels import Channel, EmailChannel, SmtpSettings, WebhookChannel, ZaloBotChannel
from camnet.alerts.outbox import enqueue_status_alerts
from camnet.alerts.recipients import add_subscription, set_contact
from camnet.alerts.service import AlertService
from camnet.auth.principal import cli_principal
from camnet.config import Config, load_config
from camnet.db import Database, open_database
from camnet.monitor.status import Transition
from camnet.registry.cameras import create_camera
from camnet.registry.models import CameraIn, PointIn, ZoneIn
from camnet.registry.points import create_point
from camnet.registry.zones import create_zone
from camnet.secretstore import CredentialCipher, load_secrets
from camnet.testing.alert_standins import WebhookReceiver, ZaloStandIn
from camnet.timeutil import display_timezone, to_iso

FAST = {"group_wait_s": 60, "group_interval_s": 300, "repeat_police_s": 14400,
        "repeat_host_s": 86400, "backoff_base_s": 0.2, "backoff_max_s": 2,
        "channel_fail_threshold": 3, "zone_down_pct": 30}


@dataclass
class AlertRig:
    """One province > commune > hamlet, a point with five cameras, a commander with Zalo."""

    config: Config
    db: Database
    cipher: CredentialCipher
    zalo: ZaloStandIn
    session: aiohttp.ClientSession
    service: AlertService
    point_id: int
    cameras: list[int]
    commander_id: int
    chat: str = "chat-chihuy"
    extra: dict[str, Any] = field(default_factory=dict)

    async def transition(self, camera_id: int, frm: str, to: str, at: datetime,
                         reason: str = "timeout") -> None:
        """What the monitor writes for one confirmed change, with its alerts, in one tx."""
        await self.transitions([(camera_id, frm, to)], at, reason)

    async def transitions(self, changes: list[tuple[int, str, str]], at: datetime,
                          reason: str = "timeout") -> None:
        at_s = to_iso(at)
        async with self.db.transaction() as tx:
            for cam, frm, to in changes:
                await tx.execute("INSERT INTO status_change(camera_id, at, from_status, to_status,"
                                 " reason) VALUES (?, ?, ?, ?, ?)", (cam, at_s, frm, to, reason))
                await tx.execute(
                    "INSERT INTO camera_status(camera_id, status, since) VALUES (?, ?, ?)"
                    " ON CONFLICT(camera_id) DO UPDATE SET status = excluded.status", (cam, to, at_s))
            await enqueue_status_alerts(
                tx, [(cam, Transition(frm, to, at_s, reason)) for cam, frm, to in changes], at_s,  # type: ignore[arg-type]
                zone_down_pct=self.config.alerts.zone_down_pct)

    def build(self, channels: dict[str, Channel] | None = None) -> AlertService:
        """A fresh service on the same database (what a restart leaves)."""
        zalo = ZaloBotChannel(self.session, self.zalo.base_url, self.zalo.token, 5)
        chans: dict[str, Channel] = {"zalo": zalo, **(channels or {})}
        return AlertService(self.db, self.config.alerts, chans, tz=display_timezone(), zalo=zalo)


async def make_rig(tmp_path: Path, **alerts: Any) -> AlertRig:
    config = load_config(None, {"storage": {"data_dir": str(tmp_path / "data")},
                                "monitor": {"enabled": False},
                                "alerts": {**FAST, "public_url": "https://camnet.test", **alerts}})
    db = await open_database(config)
    cipher = CredentialCipher(load_secrets(config.data_dir).credentials_key)
    root = cli_principal()
    await create_zone(db, root, ZoneIn(level="province", code="HUE", name="Huế"))
    await create_zone(db, root, ZoneIn(parent_code="HUE", level="commune", code="PV",
                                       name="Phú Vang"))
    await create_zone(db, root, ZoneIn(parent_code="PV", level="hamlet", code="ML",
                                       name="thôn Mỹ Lợi"))
    point = await create_point(db, root, PointIn(zone_code="ML", name="Ngã ba chợ", lat=16.5,
                                                 lon=107.6))
    cams = []
    for i in range(5):
        cam = await create_camera(db, root, cipher, CameraIn(
            point_id=point.id, name=f"cam{i + 1}", rtsp_url=f"rtsp://127.0.0.1:9/cam{i + 1}",
            username="admin", password="Secret-1"))  # type: ignore[call-arg]
        cams.append(cam.id)
    commander = await users.add_user(db, root, username="chihuy", password="chihuy-pass-1",
                                     role="commander", zone_code="PV")
    await set_contact(db, commander, zalo_chat_id="chat-chihuy")
    await add_subscription(db, root, zone_code="PV", role="commander", channels=["zalo"])
    zalo = ZaloStandIn()
    await zalo.start()
    session = aiohttp.ClientSession()
    rig = AlertRig(config, db, cipher, zalo, session, None, point.id, cams, commander)  # type: ignore[arg-type]
    rig.service = rig.build()
    return rig


async def close_rig(rig: AlertRig) -> None:
    await rig.session.close()
    await rig.zalo.stop()
    await rig.db.close()


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[AlertRig]:
    r = await make_rig(tmp_path)
    yield r
    await close_rig(r)


@pytest.fixture
async def webhook() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    await receiver.start()
    yield receiver
    await receiver.stop()


async def eventually(check: Callable[[], Awaitable[bool]], limit_s: float = 20.0) -> None:
    """Poll ``check`` until true (generous bound for a loaded machine)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit_s
    while loop.time() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


__all__ = ["AlertRig", "EmailChannel", "SmtpSettings", "WebhookChannel", "eventually"]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """The app config for API tests here: monitor off, alert sender task off (tests tick)."""
    return load_config(None, {"storage": {"data_dir": str(tmp_path / "data")},
                              "monitor": {"enabled": False},
                              "alerts": {"enabled": False, "public_url": "https://camnet.test"}})
