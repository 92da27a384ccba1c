"""Outage accuracy against the simulator's own event log (scheduled down/up events)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from camnet.testing.accuracy import compare, truth_outages
from camnet.testing.camsim import CameraSpec
from camnet.timeutil import parse_iso
from tests.conftest import StartSimulator
from tests.monitor.test_monitor_service import _rig

pytestmark = pytest.mark.slow
INTERVAL, TIMEOUT, CONFIRM = 1.0, 0.5, 2


async def test_outages_match_the_simulator_events(tmp_path: Path,
                                                  start_camsim: StartSimulator) -> None:
    specs = [
        CameraSpec("a", offline_after_s=3.0, offline_for_s=5.0),
        CameraSpec("b", offline_after_s=5.5, offline_for_s=7.0),
        CameraSpec("blip", offline_after_s=4.2, offline_for_s=0.3),  # shorter than a cycle
        CameraSpec("steady"),
    ]
    sim = await start_camsim(specs)
    rig = await _rig(tmp_path, timeout_s=TIMEOUT, down_after=CONFIRM, up_after=CONFIRM,
                     interval_s=INTERVAL)
    try:
        ids = {s.name: await rig.add(s.name, sim.url(s.name), tier=1) for s in specs}
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:  # cycles on a fixed clock, like the scheduler
            tick = time.monotonic()
            await rig.service.run_cycle(spread_s=0, tier2=False)
            online = [e for e in sim.events if e["event"] == "online"]
            open_rows = await rig.db.fetchval("SELECT count(*) FROM outage WHERE ended_at IS NULL")
            if len(online) == 3 and open_rows == 0 and time.monotonic() - tick < INTERVAL:
                # every switch happened and every outage closed: one more cycle for a phantom
                await asyncio.sleep(INTERVAL)
                await rig.service.run_cycle(spread_s=0, tier2=False)
                break
            await asyncio.sleep(max(0.0, INTERVAL - (time.monotonic() - tick)))
        rows = await rig.db.fetchall("SELECT camera_id, started_at, ended_at FROM outage")
        names = {v: k for k, v in ids.items()}
        recorded: dict[str, list[tuple[float, float]]] = {}
        for r in rows:
            assert r["ended_at"] is not None, "an outage is still open"
            recorded.setdefault(names[r["camera_id"]], []).append(
                (parse_iso(r["started_at"]).timestamp(), parse_iso(r["ended_at"]).timestamp()))
        truth = truth_outages(sim.events, until=time.time())
        assert set(truth) == {"a", "b", "blip"}, sim.events
        result = compare(truth, recorded, min_outage_s=CONFIRM * INTERVAL + TIMEOUT)
        assert result.phantom == [] and result.missed == []
        assert result.blips_ignored == 1 and "blip" not in recorded and "steady" not in recorded
        bound = INTERVAL + TIMEOUT + 0.25  # one cycle + the probe timeout (+ scheduling slack)
        assert len(result.start_errors) == 2
        assert all(-0.05 <= e <= bound for e in result.start_errors), result.summary()
        assert all(-0.05 <= e <= bound for e in result.end_errors), result.summary()
    finally:
        rig.executor.shutdown(wait=True)
        await rig.db.close()
