"""End to end: the GStreamer simulator drives real status changes through MonitorService;
the alerts are committed with them and reach the Zalo stand-in."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial

import pytest

from camnet.alerts.outbox import enqueue_status_alerts
from camnet.auth.principal import cli_principal
from camnet.monitor.service import MonitorService
from camnet.registry.cameras import create_camera
from camnet.registry.models import CameraIn
from camnet.testing.camsim import CameraSpec
from camnet.timeutil import utcnow
from tests.alerts.conftest import AlertRig
from tests.conftest import StartSimulator

pytestmark = pytest.mark.slow


async def test_simulated_outage_alerts_down_and_recovery(rig: AlertRig,
                                                         start_camsim: StartSimulator) -> None:  # noqa: F811
    sim = await start_camsim([CameraSpec("flaky", offline_after_s=2.0, offline_for_s=4.0)])
    cam = await create_camera(rig.db, cli_principal(), rig.cipher, CameraIn(
        point_id=rig.point_id, name="flaky", rtsp_url=sim.url("flaky"),
        monitor_tier=1))  # type: ignore[call-arg]
    monitor_cfg = rig.config.monitor.model_copy(update={"timeout_s": 0.4, "down_after": 1,
                                                        "up_after": 1})
    with ThreadPoolExecutor(2) as executor:
        service = MonitorService(rig.db, rig.cipher, monitor_cfg, executor)
        service.on_transitions = partial(enqueue_status_alerts, zone_down_pct=30.0)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            await service.run_cycle(camera_ids=[cam.id], spread_s=0, tier2=False)
            kinds = [r["kind"] for r in await rig.db.fetchall(
                "SELECT kind FROM alert_event WHERE camera_id = ? ORDER BY id", (cam.id,))]
            if "camera_recovered" in kinds:
                break
            await asyncio.sleep(0.5)
    assert kinds == ["camera_down", "camera_recovered"]
    changes = await rig.db.fetchval("SELECT COUNT(*) FROM status_change WHERE camera_id = ?",
                                    (cam.id,))
    assert changes == 3  # unknown->up, up->down, down->up: alerts only for the last two
    await rig.service.tick(utcnow() + timedelta(seconds=61))
    (text,) = rig.zalo.texts("chat-chihuy")
    assert "flaky (Ngã ba chợ, thôn Mỹ Lợi) mất tín hiệu" in text
    assert "flaky (Ngã ba chợ) đã hoạt động lại" in text
    assert "rtsp://" not in text
