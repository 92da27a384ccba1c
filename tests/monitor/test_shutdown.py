"""SIGTERM during a probe cycle: a clean stop, one INFO line, no ERROR, no traceback."""

from __future__ import annotations

import asyncio
import os
import select
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from camnet.auth.principal import cli_principal
from camnet.config import load_config
from camnet.db import open_database
from camnet.registry.cameras import create_camera
from camnet.registry.models import CameraIn, PointIn, ZoneIn
from camnet.registry.points import create_point
from camnet.registry.zones import create_zone
from camnet.secretstore import CredentialCipher, load_secrets

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _setup(config_file: Path, data: Path, camera_url: str) -> None:
    config = load_config(config_file)
    db = await open_database(config)
    try:
        cipher = CredentialCipher(load_secrets(config.data_dir).credentials_key)
        root = cli_principal()
        await create_zone(db, root, ZoneIn(level="province", code="T", name="Test"))
        point = await create_point(db, root, PointIn(zone_code="T", name="P", lat=16.5, lon=107.6))
        await create_camera(db, root, cipher, CameraIn(point_id=point.id, name="hang",
                                                       rtsp_url=camera_url, monitor_tier=1))  # type: ignore[arg-type]
    finally:
        await db.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_signal_during_a_cycle_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(8)  # never accepted: the probe hangs until its timeout
    data = tmp_path / "data"
    config_file = tmp_path / "camnet.toml"
    config_file.write_text(
        f'[server]\nport = {_free_port()}\n[storage]\ndata_dir = "{data}"\n'
        "[monitor]\ninterval_s = 60\ntimeout_s = 30\nspread = 0\n")
    await _setup(config_file, data, f"rtsp://127.0.0.1:{hole.getsockname()[1]}/x")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(  # noqa: ASYNC220, S603 - the real service, stopped below
        [sys.executable, "-c", "from camnet.cli import main; main()", "--config",
         str(config_file), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        ready, _, _ = await asyncio.to_thread(select.select, [hole], [], [], 60)
        assert ready, "the cycle never probed the camera"
        proc.send_signal(sig)  # the cycle is in flight: its probe waits up to 30 s
        _, err = await asyncio.to_thread(proc.communicate, timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        hole.close()
    text = err.decode()
    assert proc.returncode == 0, text
    assert "Traceback" not in text and " ERROR " not in text and "ERROR" not in text, text
    assert text.count("monitor: stopped (1 probes in flight left out") == 1, text
    conn = sqlite3.connect(data / "camnet.sqlite3")
    try:  # the cut cycle was still written: what it had (nothing completed)
        assert conn.execute("SELECT cameras, completed FROM probe_cycle").fetchall() == [(1, 0)]
    finally:
        conn.close()
