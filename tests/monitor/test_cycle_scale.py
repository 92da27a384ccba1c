"""Scale-minded cycle writes: batched district-wide changes, probe_cycle retention, metrics.

Correctness only (no timing): a whole district changing in one cycle is written with its
alert hook in the cycle's one transaction, outages open and close for every camera, old
``probe_cycle`` rows are pruned while the cycle counter keeps counting.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from camnet.auth.principal import cli_principal
from camnet.config import load_config
from camnet.db import Database, Transaction, open_database
from camnet.monitor import store
from camnet.monitor.metrics import render_metrics
from camnet.monitor.service import MonitorService
from camnet.monitor.status import Transition
from camnet.registry.cameras import create_camera
from camnet.registry.models import CameraIn, PointIn, ZoneIn
from camnet.registry.points import create_point
from camnet.registry.zones import create_zone
from camnet.secretstore import CredentialCipher, load_secrets
from camnet.testing.rtsp_responder import Endpoint, RtspResponder
from camnet.timeutil import to_iso, utcnow

DISTRICT = 120


@dataclass
class Rig:
    """A database with one district of tier-1 cameras on one responder port."""

    db: Database
    service: MonitorService
    ids: list[int]
    port: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    config = load_config(None, {"storage": {"data_dir": str(tmp_path / "data")},
                                "monitor": {"timeout_s": 3.0, "down_after": 1, "up_after": 1,
                                            "concurrency": 200,
                                            "cycle_retention_days": 30}})
    db = await open_database(config)
    cipher = CredentialCipher(load_secrets(config.data_dir).credentials_key)
    root = cli_principal()
    await create_zone(db, root, ZoneIn(level="province", code="T", name="Test"))
    point = await create_point(db, root, PointIn(zone_code="T", name="P1", lat=16.5, lon=107.6))
    port = _free_port()
    ids = []
    for i in range(DISTRICT):
        cam = await create_camera(db, root, cipher, CameraIn(
            point_id=point.id, name=f"cam{i}", rtsp_url=f"rtsp://127.0.0.1:{port}/cam{i}",
            monitor_tier=1))  # type: ignore[arg-type]
        ids.append(cam.id)
    executor = ThreadPoolExecutor(2)
    service = MonitorService(db, cipher, config.monitor, executor)
    yield Rig(db, service, ids, port)
    await service.close()
    executor.shutdown(wait=True)
    await db.close()


async def _count(db: Database, sql: str, *params: Any) -> int:
    return int(await db.fetchval(sql, params) or 0)


async def test_district_wide_change_is_one_transaction_with_its_hook(rig: Rig) -> None:
    seen: list[tuple[int, int, int]] = []

    async def hook(tx: Transaction, changes: list[tuple[int, Transition]], now: str) -> None:
        # Inside the cycle's transaction: the status changes and outages are already there.
        row = await tx.fetchone(
            "SELECT (SELECT COUNT(*) FROM status_change),"
            " (SELECT COUNT(*) FROM outage WHERE ended_at IS NULL)")
        assert row is not None
        seen.append((len(changes), row[0], row[1]))

    rig.service.on_transitions = hook
    async with RtspResponder(default=Endpoint(), port=rig.port):
        first = await rig.service.run_cycle(spread_s=0, tier2=False)
    assert first.completed == DISTRICT
    assert len(first.transitions) == DISTRICT  # unknown -> up, every camera
    assert seen[-1] == (DISTRICT, DISTRICT, 0)

    down = await rig.service.run_cycle(spread_s=0, tier2=False)  # responder gone: refused
    assert {t.to_status for _, t in down.transitions} == {"down"}
    assert len(down.transitions) == DISTRICT
    assert seen[-1] == (DISTRICT, 2 * DISTRICT, DISTRICT)
    assert await _count(rig.db, "SELECT COUNT(DISTINCT camera_id) FROM outage"
                        " WHERE ended_at IS NULL AND cause = 'refused'") == DISTRICT

    async with RtspResponder(default=Endpoint(), port=rig.port):
        back = await rig.service.run_cycle(spread_s=0, tier2=False)
    assert {t.to_status for _, t in back.transitions} == {"up"}
    assert seen[-1] == (DISTRICT, 3 * DISTRICT, 0)
    assert await _count(rig.db, "SELECT COUNT(*) FROM outage WHERE ended_at IS NOT NULL") \
        == DISTRICT
    statuses = await rig.db.fetchall("SELECT status, COUNT(*) FROM camera_status GROUP BY 1")
    assert [(r[0], r[1]) for r in statuses] == [("up", DISTRICT)]
    # watched spans, written in two batched statements: one unbroken span per camera
    assert await _count(rig.db, "SELECT COUNT(*) FROM watched_span") == DISTRICT
    assert await _count(rig.db, "SELECT COUNT(*) FROM watched_span s JOIN camera_status c"
                        " ON c.camera_id = s.camera_id WHERE s.ended_at = c.last_probe_at"
                        " AND s.started_at < s.ended_at") == DISTRICT


async def test_old_cycles_are_pruned_and_the_counter_keeps_counting(rig: Rig) -> None:
    old = to_iso(utcnow() - timedelta(days=45))
    recent = to_iso(utcnow() - timedelta(days=5))
    async with rig.db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO probe_cycle(started_at, finished_at, duration_ms, cameras, completed)"
            " VALUES (?, ?, 1, 1, 1)", [(old, old)] * 7 + [(recent, recent)] * 3)
    await rig.service.run_cycle(spread_s=0, tier2=False)
    rows = await rig.db.fetchall("SELECT id, started_at FROM probe_cycle ORDER BY id")
    assert len(rows) == 4  # the 3 recent ones and the new cycle: older than 30 days are gone
    assert all(r["started_at"] >= recent for r in rows)
    text = await render_metrics(rig.db, cli_principal())
    assert "camnet_probe_cycles_total 11\n" in text  # every cycle ever recorded


async def test_prune_never_deletes_the_newest_cycle(rig: Rig) -> None:
    await rig.service.run_cycle(spread_s=0, tier2=False)
    await rig.service.run_cycle(spread_s=0, tier2=False)
    future = to_iso(utcnow() + timedelta(days=1))
    async with rig.db.transaction() as tx:
        deleted = await store.prune_cycles(tx, future)
    assert deleted == 1
    rows = await rig.db.fetchall("SELECT id FROM probe_cycle")
    assert [r["id"] for r in rows] == [2]
    assert "camnet_probe_cycles_total 2\n" in await render_metrics(rig.db, cli_principal())


async def test_metrics_show_the_tier2_budget_and_achieved_rate(rig: Rig) -> None:
    await rig.service.run_cycle(spread_s=0, tier2=False)
    recent = to_iso(utcnow() - timedelta(minutes=10))
    stale = to_iso(utcnow() - timedelta(hours=3))
    async with rig.db.transaction() as tx:
        await tx.execute("UPDATE camera SET monitor_tier = 2 WHERE id <= 10")
        await tx.executemany("UPDATE camera_status SET last_grab_at = ? WHERE camera_id = ?",
                             [(recent, i) for i in range(1, 5)] + [(stale, i) for i in (5, 6)])
    config = load_config(None, {"monitor": {"tier2_workers": 3, "tier2_deadline_s": 6}})
    text = await render_metrics(rig.db, cli_principal(), config.monitor)
    assert 'camnet_tier2_cameras{what="total"} 10\n' in text
    assert 'camnet_tier2_cameras{what="never_checked"} 4\n' in text
    assert "camnet_tier2_checked_last_hour 4\n" in text
    assert "camnet_tier2_budget_per_hour 1800\n" in text  # 3 workers x 3600 s / 6 s
    age = next(float(line.split()[1]) for line in text.splitlines()
               if line.startswith("camnet_tier2_oldest_check_age_seconds "))
    assert 3 * 3600 <= age < 4 * 3600
