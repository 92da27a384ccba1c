"""kill -9 between commit and delivery: after a restart the alert is delivered exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from camnet.timeutil import parse_iso, to_iso, utcnow
from tests.alerts.conftest import AlertRig

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("stage", ["outbox", "queued"])
async def test_kill_9_then_restart_delivers_exactly_once(rig: AlertRig, stage: str) -> None:
    at = to_iso(utcnow().replace(microsecond=0))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.alerts.crash_writer", str(rig.config.data_dir), stage, at,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
    assert line.strip() == b"committed"
    proc.send_signal(signal.SIGKILL)
    assert await proc.wait() == -signal.SIGKILL
    assert rig.zalo.sent == []
    later = parse_iso(at) + timedelta(seconds=62)
    for _ in range(2):  # restart twice: a second life must not resend
        service = rig.build()
        await service.tick(later)
        await service.tick(later + timedelta(seconds=1))
    (text,) = rig.zalo.texts("chat-chihuy")
    assert "cam1" in text and "mất tín hiệu" in text
    assert await rig.db.fetchval("SELECT COUNT(*) FROM alert_delivery") == 1
    assert await rig.db.fetchval("SELECT status FROM alert_delivery") == "sent"
