"""Request steps, footage deadlines, chain failures and the watchdog, through the app."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from camnet.alerts.channels import ZaloBotChannel
from camnet.alerts.deadlines import check_deadlines
from camnet.alerts.integrity import check_chains
from camnet.alerts.recipients import set_contact
from camnet.alerts.service import AlertService
from camnet.testing.alert_standins import ZaloStandIn
from camnet.timeutil import utcnow
from camnet.web import keys
from camnet.web.alerts_ctx import ALERTS
from tests.conftest import World
from tests.evidence.test_evidence import make_incident, make_request, step


@pytest.fixture
async def wired(world: World) -> AsyncIterator[tuple[World, AlertService, ZaloStandIn]]:
    zalo = ZaloStandIn()
    await zalo.start()
    db = world.app[keys.DB]
    for name in ("admin", "chihuy", "canbo", "dieutra"):
        uid = await db.fetchval("SELECT id FROM user WHERE username = ?", (name,))
        await set_contact(db, uid, zalo_chat_id=f"chat-{name}")
    async with aiohttp.ClientSession() as session:
        service = world.app[ALERTS]
        service.channels["zalo"] = ZaloBotChannel(session, zalo.base_url, zalo.token, 5)
        yield world, service, zalo
    await zalo.stop()


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def later(self) -> object:
        self.now += timedelta(hours=1)
        return self.now


async def test_request_steps_reach_commander_then_requester(
        wired: tuple[World, AlertService, ZaloStandIn]) -> None:
    world, service, zalo = wired
    clock = Clock()
    incident = await make_incident(world)
    req = await make_request(world, incident["id"])
    assert (await step(world, req["id"], "canbo", "submitted"))[0] == 200
    await service.tick(clock.later())  # type: ignore[arg-type]
    (text,) = zalo.texts("chat-chihuy")
    assert f"Yêu cầu trích xuất #{req['id']} (VV-2026-001) đang chờ phê duyệt" in text
    assert f"https://camnet.test/requests/{req['id']}" in text
    assert zalo.texts("chat-canbo") == []
    assert (await step(world, req["id"], "chihuy", "approved", note="Đồng ý"))[0] == 200
    await service.tick(clock.later())  # type: ignore[arg-type]
    (text,) = zalo.texts("chat-canbo")
    assert "đã được phê duyệt" in text
    assert len(zalo.texts("chat-chihuy")) == 1


async def test_footage_deadline_warns_requester_and_investigator_once(
        wired: tuple[World, AlertService, ZaloStandIn]) -> None:
    world, service, zalo = wired
    incident = await make_incident(world, hours_ago=30)
    req = await make_request(world, incident["id"])
    db = world.app[keys.DB]
    cams = [c["camera_id"] for c in req["cameras"]]
    async with db.transaction() as tx:
        await tx.execute(f"UPDATE camera SET retention_days = 2 WHERE id IN ({cams[0]}, {cams[1]})")
    assert await check_deadlines(db) == 2  # two cameras, each under 48 h from overwrite
    assert await check_deadlines(db) == 0  # never twice
    await service.tick(utcnow() + timedelta(minutes=2))
    for chat in ("chat-canbo", "chat-dieutra"):
        (text,) = zalo.texts(chat)
        assert text.count("sẽ bị ghi đè") == 2 and "còn dưới 48 giờ" in text


async def test_chain_failure_and_watchdog_reach_admins(
        wired: tuple[World, AlertService, ZaloStandIn]) -> None:
    world, service, zalo = wired
    clock = Clock()
    incident = await make_incident(world)
    await make_request(world, incident["id"])
    db_path = world.app[keys.CONFIG].database_path
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = 1")
        conn.commit()
    finally:
        conn.close()
    db = world.app[keys.DB]
    assert await check_chains(db, world.app[keys.CONFIG]) == 1
    assert await check_chains(db, world.app[keys.CONFIG]) == 0
    service.watch_monitor = True  # no probe cycle has ever completed
    await service.tick(clock.now + timedelta(seconds=service.monitor_interval_s * 3 + 5))
    await service.tick(clock.now + timedelta(hours=2))
    texts = zalo.texts("chat-admin")
    assert any("Kiểm tra chuỗi băm thất bại: audit chain broken at row 1" in t for t in texts)
    assert any("Bộ giám sát camnet đã ngừng" in t for t in texts)
    assert zalo.texts("chat-canbo") == []


async def test_recreated_guard_triggers_alert_the_admins(tmp_path: Path, aiohttp_client: Any) -> None:


    from camnet.app import create_app
    from camnet.config import load_config
    from camnet.db import open_database
    from camnet.evidence.guards import expected_guards

    config = load_config(None, {"storage": {"data_dir": str(tmp_path)}, "monitor": {"enabled": False}})
    db = await open_database(config)  # migrated, guards in place
    await db.close()
    victim = sorted(expected_guards())[0]
    conn = sqlite3.connect(config.database_path)
    conn.execute(f"DROP TRIGGER {victim}")  # what a careless admin or an attacker may do
    conn.commit()
    conn.close()
    client = await aiohttp_client(create_app(config))
    rows = await client.app[keys.DB].fetchall(
        "SELECT kind, data FROM alert_event WHERE kind = 'chain_failure'")
    assert len(rows) == 1 and victim in rows[0]["data"]
