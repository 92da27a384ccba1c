"""Tier 2 never holds back tier 1: a camera that answers RTSP but never sends a frame."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from camnet.testing.camsim import Simulator
from camnet.testing.rtsp_responder import Endpoint, RtspResponder
from tests.monitor.test_monitor_service import Rig, _rig

pytestmark = pytest.mark.slow


@pytest.fixture
async def slow_rig(tmp_path: Path) -> AsyncIterator[Rig]:
    r = await _rig(tmp_path, tier2_workers=1, tier2_open_timeout_s=2, tier2_read_timeout_s=2,
                   tier2_deadline_s=30, interval_s=60)
    yield r
    await r.service.close()
    r.executor.shutdown(wait=True)
    await r.db.close()


async def test_cycle_finishes_while_frame_checks_still_run(slow_rig: Rig, camsim: Simulator) -> None:
    rig = slow_rig
    async with RtspResponder(default=Endpoint()) as responder:
        silent = [await rig.add(f"silent{i}", responder.url(f"cam{i}")) for i in range(3)]
        good = await rig.add("good", camsim.url("normal"))
        report = await rig.service.run_cycle(spread_s=0)
        # The cycle wrote its tier-1 results and returned while the (one-worker) frame
        # checks of three never-a-frame cameras still wait: nothing of tier 2 was awaited.
        assert rig.service.tier2.pending >= 3
        assert all(o.frame is None for o in report.outcomes)
        assert report.duration_ms < rig.config.monitor.tier2_deadline_s * 1000
        for cam in [*silent, good]:
            assert (await rig.status(cam))["status"] == "up"
        assert await rig.service.tier2.idle(120)
        for cam in silent:
            row = await rig.status(cam)
            assert row["health"] == "no_frame"
            assert row["tier2_cause"] in ("open_timeout", "read_timeout", "deadline"), row["tier2_cause"]
            assert row["tier2_timeouts"] == 1 and row["tier2_next_at"] > row["last_grab_at"]
        good_row = await rig.status(good)
        assert good_row["health"] == "ok" and good_row["tier2_cause"] is None
        # Backed off: the next cycle does not queue the timing-out cameras again.
        second = await rig.service.run_cycle(spread_s=0)
        queued = {o.target.camera_id for o in second.outcomes} & set(silent)
        assert queued and second.grabbed == 1  # only the good one is due (health bad → silent no)
        assert await rig.service.tier2.idle(120)
        for cam in silent:
            assert (await rig.status(cam))["tier2_timeouts"] == 1  # not grabbed again


async def test_one_shot_probe_sees_frozen_with_two_frames(slow_rig: Rig, camsim: Simulator) -> None:
    rig = slow_rig
    frozen = await rig.add("frozen", camsim.url("frozen"))
    normal = await rig.add("normal", camsim.url("normal"))
    report = await rig.service.run_cycle(spread_s=0, force_tier2=True, wait_tier2=True,
                                         pair_gap_s=1.5)
    verdicts = {o.target.camera_id: o.frame.health for o in report.outcomes if o.frame}
    assert verdicts == {frozen: "frozen", normal: "ok"}
    stored = await rig.db.fetchval("SELECT count(*) FROM frame_fingerprint")
    assert stored == 2


async def test_frozen_survives_a_restart(slow_rig: Rig, camsim: Simulator) -> None:
    rig = slow_rig
    frozen = await rig.add("frozen", camsim.url("frozen"))
    await rig.cycle(force_tier2=True)  # sample 1: fingerprint stored in the database
    rig.restart()  # a new process: nothing in memory
    await rig.cycle(force_tier2=True)  # sample 2: frozen against the stored fingerprint
    row = await rig.status(frozen)
    assert row["health"] == "frozen" and row["picture_candidate"] == "frozen"
    await rig.cycle(force_tier2=True)  # sample 3 confirms it ...
    await rig.cycle()  # ... and the next tier-1 cycle shows it
    row = await rig.status(frozen)
    assert (row["picture"], row["status"], row["cause"]) == ("frozen", "degraded", "frozen")
