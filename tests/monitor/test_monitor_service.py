"""The monitor end to end: real simulator, real SQLite, real MonitorService cycles."""

from __future__ import annotations

import asyncio
import logging
import socket
import sqlite3
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from camnet.auth.principal import cli_principal
from camnet.config import Config, load_config
from camnet.db import Database, open_database
from camnet.monitor.service import CycleReport, MonitorService
from camnet.registry.cameras import create_camera
from camnet.registry.models import CameraIn, PointIn, ZoneIn
from camnet.registry.points import create_point
from camnet.registry.zones import create_zone
from camnet.secretstore import CredentialCipher, load_secrets
from camnet.testing.camsim import CameraSpec, Simulator
from tests.conftest import SECURE_PASSWORD, SECURE_USER, StartSimulator

pytestmark = pytest.mark.slow
WRONG_PASSWORD = "Wrong-Pass-77"


@dataclass
class Rig:
    """A database with one zone and point, and a way to add cameras and run cycles."""

    config: Config
    db: Database
    cipher: CredentialCipher
    point_id: int
    executor: ThreadPoolExecutor
    service: MonitorService

    async def add(self, name: str, url: str, username: str | None = None,
                  password: str | None = None, tier: int = 2) -> int:
        cam = await create_camera(self.db, cli_principal(), self.cipher, CameraIn(
            point_id=self.point_id, name=name, rtsp_url=url, username=username,
            password=password, monitor_tier=tier))  # type: ignore[arg-type]
        return cam.id

    async def cycle(self, **kw: Any) -> CycleReport:
        """One cycle, then wait until its frame checks (run apart from it) are written."""
        report = await self.service.run_cycle(spread_s=0, **kw)
        assert await self.service.tier2.idle(60), "frame checks did not finish"
        return report

    async def status(self, camera_id: int) -> sqlite3.Row:
        row = await self.db.fetchone("SELECT * FROM camera_status WHERE camera_id = ?",
                                     (camera_id,))
        assert row is not None
        return row

    async def outages(self, camera_id: int) -> list[sqlite3.Row]:
        return await self.db.fetchall("SELECT * FROM outage WHERE camera_id = ? ORDER BY id",
                                      (camera_id,))

    def restart(self) -> None:
        """A new service object on the same database: what a process restart leaves."""
        self.service = MonitorService(self.db, self.cipher, self.config.monitor, self.executor)


def _config(tmp_path: Path, **monitor: Any) -> Config:
    settings = {"timeout_s": 2.0, "down_after": 1, "up_after": 1, "tier2_every": 1,
                "tier2_open_timeout_s": 5, "tier2_read_timeout_s": 5, **monitor}
    return load_config(None, {"storage": {"data_dir": str(tmp_path / "data")},
                              "monitor": settings})


async def _rig(tmp_path: Path, **monitor: Any) -> Rig:
    config = _config(tmp_path, **monitor)
    db = await open_database(config)
    cipher = CredentialCipher(load_secrets(config.data_dir).credentials_key)
    root = cli_principal()
    await create_zone(db, root, ZoneIn(level="province", code="T", name="Test"))
    point = await create_point(db, root, PointIn(zone_code="T", name="P1", lat=16.5, lon=107.6))
    executor = ThreadPoolExecutor(4)
    return Rig(config, db, cipher, point.id, executor,
               MonitorService(db, cipher, config.monitor, executor))


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    r = await _rig(tmp_path)
    yield r
    await r.service.close()
    r.executor.shutdown(wait=True)
    await r.db.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_every_result_class_and_picture_state(rig: Rig, camsim: Simulator) -> None:
    ids = {
        "normal": await rig.add("normal", camsim.url("normal")),
        "black": await rig.add("black", camsim.url("black")),
        "frozen": await rig.add("frozen", camsim.url("frozen")),
        "blurred": await rig.add("blurred", camsim.url("blurred")),
        "covered": await rig.add("covered", camsim.url("covered")),
        "secure": await rig.add("secure", camsim.url("secure"), SECURE_USER, SECURE_PASSWORD),
        "wrong": await rig.add("wrong", camsim.url("secure"), SECURE_USER, WRONG_PASSWORD),
        "missing": await rig.add("missing", camsim.url("normal").rsplit("/", 1)[0] + "/nope"),
        "refused": await rig.add("refused", f"rtsp://127.0.0.1:{_free_port()}/x"),
        "hole": await rig.add("hole", camsim.blackhole_urls[0]),
        "dns": await rig.add("dns", "rtsp://camera.invalid/stream"),
    }
    for _ in range(4):  # frozen needs a previous sample; a bad picture needs confirming
        await rig.cycle()
    expected = {
        "normal": ("up", "up", "ok"), "secure": ("up", "up", "ok"),
        "black": ("degraded", "up", "black"), "frozen": ("degraded", "up", "frozen"),
        "blurred": ("degraded", "up", "blurred"), "covered": ("degraded", "up", "covered"),
        "wrong": ("down", "auth_failed", None), "missing": ("down", "not_found", None),
        "refused": ("down", "refused", None), "hole": ("down", "timeout", None),
        "dns": ("down", "unreachable", None),
    }
    for name, (status, result, picture) in expected.items():
        row = await rig.status(ids[name])
        assert (row["status"], row["last_result"]) == (status, result), (name, dict(row))
        if picture:
            assert row["health"] == picture, (name, row["health_detail"])
            assert row["width"] and row["height"] and row["first_frame_ms"] > 0
    snap = await rig.db.fetchone("SELECT width, length(jpeg) AS n FROM snapshot WHERE camera_id = ?",
                                 (ids["normal"],))
    assert snap is not None and snap["n"] > 500
    # down cameras have one open outage each, with the cause
    for name in ("wrong", "missing", "refused", "hole", "dns"):
        (outage,) = await rig.outages(ids[name])
        assert outage["ended_at"] is None and outage["cause"] == expected[name][1]


async def test_black_hole_does_not_delay_the_others(rig: Rig, camsim: Simulator) -> None:
    rig.service.config = rig.config.monitor.model_copy(update={"timeout_s": 1.0})
    hole = await rig.add("hole", camsim.blackhole_urls[0], tier=1)
    normal = [await rig.add(f"n{i}", camsim.url("normal"), tier=1) for i in range(20)]
    started = time.perf_counter()
    report = await rig.cycle()
    elapsed = time.perf_counter() - started
    assert report.completed == 21
    by_id = {o.target.camera_id: o for o in report.outcomes}
    assert by_id[hole].result.status == "timeout"
    # cut at its timeout (the tight figure, timeout + 100 ms, is scripts/bench/bench_tier1.py's)
    assert 1000 <= by_id[hole].result.latency_ms < 1600  # type: ignore[operator]
    assert all(by_id[i].result.status == "up" for i in normal)
    assert max(by_id[i].result.latency_ms for i in normal) < 1000  # type: ignore[type-var]
    assert elapsed < 1.0 + 1.5, "the cycle waits only for the slowest probe (plus one write)"


async def _cycles_until(rig: Rig, done: Any, interval_s: float, limit_s: float) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        tick = time.monotonic()
        await rig.cycle(tier2=False)
        if await done():
            return
        await asyncio.sleep(max(0.0, interval_s - (time.monotonic() - tick)))
    raise AssertionError("condition not reached in time")


async def test_outage_length_is_measured_to_one_cycle(tmp_path: Path,
                                                      start_camsim: StartSimulator) -> None:
    offline_for = 4.0
    interval = 0.5
    sim = await start_camsim([CameraSpec("flaky", offline_after_s=2.0, offline_for_s=offline_for)])
    rig = await _rig(tmp_path, timeout_s=0.4)
    try:
        cam = await rig.add("flaky", sim.url("flaky"), tier=1)

        async def closed() -> bool:
            rows = await rig.outages(cam)
            return bool(rows) and rows[-1]["ended_at"] is not None

        await _cycles_until(rig, closed, interval, limit_s=20)
        (outage,) = await rig.outages(cam)
        from camnet.timeutil import parse_iso

        measured = (parse_iso(outage["ended_at"]) - parse_iso(outage["started_at"])).total_seconds()
        # one cycle of slack each side, plus the probe timeout when the port closes
        assert abs(measured - offline_for) <= interval + 0.4 + 0.2, measured
        assert outage["cause"] == "refused"
        changes = await rig.db.fetchall(
            "SELECT from_status, to_status FROM status_change WHERE camera_id = ? ORDER BY id",
            (cam,))
        assert [(c["from_status"], c["to_status"]) for c in changes] == [
            ("unknown", "up"), ("up", "down"), ("down", "up")]
    finally:
        rig.executor.shutdown(wait=True)
        await rig.db.close()


async def test_restart_during_outage_keeps_one_outage(tmp_path: Path,
                                                      start_camsim: StartSimulator) -> None:
    sim = await start_camsim([CameraSpec("flaky", offline_after_s=1.0, offline_for_s=3.0)])
    rig = await _rig(tmp_path, timeout_s=0.4)
    try:
        cam = await rig.add("flaky", sim.url("flaky"), tier=1)

        async def down() -> bool:
            return (await rig.status(cam))["status"] == "down"

        await _cycles_until(rig, down, 0.3, limit_s=10)
        rig.restart()  # the service stops while the camera is down...
        await rig.cycle(tier2=False)
        assert (await rig.status(cam))["status"] == "down"
        assert len(await rig.outages(cam)) == 1
        await asyncio.sleep(3.5)  # ...and the camera returns while nobody watches
        rig.restart()
        await rig.cycle(tier2=False)
        (outage,) = await rig.outages(cam)
        assert outage["ended_at"] is not None
        assert (await rig.status(cam))["status"] == "up"
    finally:
        rig.executor.shutdown(wait=True)
        await rig.db.close()


async def test_credentials_never_in_logs_or_snapshot_metadata(
        rig: Rig, camsim: Simulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    good = await rig.add("secure", camsim.url("secure"), SECURE_USER, SECURE_PASSWORD)
    bad = await rig.add("wrong", camsim.url("secure"), SECURE_USER, WRONG_PASSWORD)
    in_url = await rig.add("in-url", camsim.url_with_credentials("secure", SECURE_USER,
                                                                  SECURE_PASSWORD))
    await rig.cycle(force_tier2=True)
    await rig.cycle(force_tier2=True)
    assert (await rig.status(good))["status"] == "up"
    assert (await rig.status(in_url))["status"] == "up"
    assert (await rig.status(bad))["last_result"] == "auth_failed"
    assert SECURE_PASSWORD not in caplog.text and WRONG_PASSWORD not in caplog.text
    conn = sqlite3.connect(rig.config.database_path)
    try:
        for table in ("camera_status", "status_change", "outage", "probe_cycle", "snapshot"):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "jpeg"]
            text = repr(conn.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall())
            assert SECURE_PASSWORD not in text and WRONG_PASSWORD not in text, table
    finally:
        conn.close()


async def test_watched_spans_close_a_gap_as_no_data(tmp_path: Path) -> None:
    from camnet.testing.rtsp_responder import Endpoint, RtspResponder

    rig = await _rig(tmp_path, timeout_s=0.5, interval_s=1, coverage_gap_intervals=1)
    try:
        async with RtspResponder(default=Endpoint()) as responder:
            cam = await rig.add("cam", responder.url("cam"), tier=1)
            for _ in range(3):
                await rig.cycle(tier2=False)
            spans = await rig.db.fetchall("SELECT * FROM watched_span WHERE camera_id = ?", (cam,))
            assert len(spans) == 1 and spans[0]["ended_at"] > spans[0]["started_at"]
            await asyncio.sleep(2.5)  # the service is "killed": nobody watches for > 1 interval + timeout
            rig.restart()
            await rig.cycle(tier2=False)
            await rig.cycle(tier2=False)
            spans = await rig.db.fetchall(
                "SELECT * FROM watched_span WHERE camera_id = ? ORDER BY started_at", (cam,))
            assert len(spans) == 2  # the gap between them is no data
            assert spans[1]["started_at"] > spans[0]["ended_at"]
    finally:
        rig.executor.shutdown(wait=True)
        await rig.db.close()
