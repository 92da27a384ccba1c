"""Test one camera's connection now: one tier-1 probe and, if asked, one frame grab.

Used by the camera edit page's "test connection" button. Nothing is recorded: the status,
outages and snapshot stay the monitor's. The address deny-list (``monitor.deny_networks``)
applies exactly as in a cycle, and the frame grab is the monitor's own tier-2 grab (UDP
fallback, a retry while a busy camera ends a session, named causes) in a worker thread.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from camnet.auth.principal import Principal
from camnet.config import MonitorConfig
from camnet.db import Database
from camnet.monitor import tier2_store
from camnet.monitor.policy import denied_network, parse_networks
from camnet.monitor.rtsp_probe import ProbeResult, ProbeStatus, probe
from camnet.monitor.tier2 import grab_with_fallback
from camnet.registry.cameras import get_camera_row, stream_targets
from camnet.secretstore import CredentialCipher, with_credentials


@dataclass(frozen=True)
class ConnectionTest:
    """What one test found."""

    result: str  # a ProbeStatus value
    latency_ms: float | None
    rtsp_code: int | None
    frame_ok: bool | None = None  # None: no grab was tried
    frame_error: str | None = None
    width: int | None = None
    height: int | None = None
    first_frame_ms: float | None = None


async def check_connection(db: Database, cipher: CredentialCipher, actor: Principal,
                          camera_id: int, config: MonitorConfig, *, grab: bool = False
                          ) -> ConnectionTest:
    """Probe one camera of the caller's scope now (handshake; with ``grab``, one frame too).

    Raises:
        NotFound: the camera is not in the caller's scope.
    """
    actor.require("registry.write")
    row = await get_camera_row(db, actor, camera_id)
    (target,) = await stream_targets(db, cipher, zone_path=row["zone_path"],
                                     camera_ids=[camera_id], enabled_only=False)
    if denied_network(target.url, parse_networks(config.deny_networks)) is not None:
        return ConnectionTest(ProbeStatus.BLOCKED.value, None, None)
    found: ProbeResult = await probe(target.url, username=target.username,
                                     password=target.password, timeout_s=config.timeout_s)
    if not grab or found.status != ProbeStatus.UP:
        return ConnectionTest(found.status.value, found.latency_ms, found.rtsp_code)
    url = with_credentials(target.url, target.username, target.password)
    # the monitor's own tier-2 grab: UDP fallback, a retry while a busy camera ends the
    # probe's session, and a named cause (auth_failed, not_found, busy ...) when it fails
    first = await tier2_store.load_transport(db, camera_id)
    got, _transport = await asyncio.to_thread(grab_with_fallback, url, config, first)
    return ConnectionTest(found.status.value, found.latency_ms, found.rtsp_code, got.ok,
                          got.error, got.width, got.height, got.first_frame_ms)
