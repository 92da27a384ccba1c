"""One probe cycle: tier 1 for every enabled camera, tier 2 for a sample, one transaction.

Tier 1 is the asyncio RTSP handshake (:mod:`camnet.monitor.rtsp_probe`) under a hard
timeout with bounded concurrency and jitter. Tier 2 grabs frames with OpenCV
(:mod:`camnet.monitor.frames`) in the bounded executor, never in the event loop, for each
camera every ``tier2_every`` cycles and whenever tier 1 changed. Every write of a cycle
(status, transitions, outages, snapshots, the cycle row) goes in one transaction; then
notifications are published.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np

from camnet.config import MonitorConfig
from camnet.db import Database, Transaction
from camnet.monitor import frames, health, store
from camnet.monitor.notify import Notifier
from camnet.monitor.outcomes import CameraOutcome, CycleReport, FrameCheck
from camnet.monitor.rtsp_probe import ProbeStatus, probe
from camnet.monitor.status import CameraState, Observation, Transition, advance
from camnet.registry.cameras import StreamTarget, stream_targets
from camnet.secretstore import CredentialCipher, mask_text, with_credentials
from camnet.timeutil import now_iso

log = logging.getLogger(__name__)
_REGRAB_DELAY_S = 0.5
# Called inside the cycle's transaction with (tx, [(camera_id, transition)], now): app wiring
# sets it so alerts commit with the status change (the monitor knows nothing of alerts).
OnTransitions = Callable[[Transaction, list[tuple[int, Transition]], str], Awaitable[object]]


class MonitorService:
    """Runs probe cycles over the registry and records what it finds."""

    def __init__(self, db: Database, cipher: CredentialCipher, config: MonitorConfig,
                 executor: Executor, notifier: Notifier | None = None) -> None:
        self.db = db
        self.cipher = cipher
        self.config = config
        self.executor = executor
        self.notifier = notifier or Notifier()
        self.thresholds = config.health
        self._previous: dict[int, np.ndarray] = {}
        self._lock = asyncio.Lock()
        self.last_report: CycleReport | None = None
        self.on_transitions: OnTransitions | None = None

    async def run_cycle(self, *, camera_ids: list[int] | None = None, zone_path: str = "/",
                        spread_s: float | None = None, force_tier2: bool = False,
                        tier2: bool = True) -> CycleReport:
        """Probe the selected enabled cameras once and record the results.

        Args:
            camera_ids: only these cameras (default: all enabled ones in ``zone_path``).
            zone_path: only cameras in this zone and below.
            spread_s: spread probe starts over this many seconds (default
                ``interval_s * spread``; the CLI passes 0).
            force_tier2: grab a frame from every reachable camera.
            tier2: ``False`` skips frame checks this cycle (tier 1 only).
        """
        async with self._lock:  # never two cycles at once
            return await self._run(camera_ids, zone_path, spread_s, force_tier2, tier2)

    async def wait_idle(self) -> None:
        """Return once no cycle is running (used on shutdown)."""
        async with self._lock:
            return

    async def _run(self, camera_ids: list[int] | None, zone_path: str, spread_s: float | None,
                   force_tier2: bool, tier2: bool) -> CycleReport:
        started = time.perf_counter()
        started_at = now_iso()
        targets = await stream_targets(self.db, self.cipher, zone_path=zone_path,
                                       camera_ids=camera_ids)
        stored = await store.load_states(self.db, [t.camera_id for t in targets])
        spread = self.config.interval_s * self.config.spread if spread_s is None else spread_s
        outcomes = await self._tier1(targets, spread)
        completed = len(outcomes)
        to_grab = [o for o in outcomes if tier2 and self._wants_frame(
            o, stored.get(o.target.camera_id), force_tier2)]
        await self._tier2(to_grab)
        maintenance = await store.cameras_in_maintenance(self.db, [o.target.camera_id for o in outcomes])
        for outcome in outcomes:
            row = stored.get(outcome.target.camera_id)
            state = _state_from_row(row)
            frame_health = outcome.frame.health if outcome.frame else (row["health"] if row else None)
            obs = Observation(
                at=outcome.at,
                reachable=outcome.result.status == ProbeStatus.UP,
                reason=str(outcome.result.status),
                health=frame_health if outcome.result.status == ProbeStatus.UP else None,
                in_maintenance=outcome.target.camera_id in maintenance,
            )
            outcome.state, outcome.transition = advance(
                state, obs, down_after=self.config.down_after, up_after=self.config.up_after
            )
        duration_ms = (time.perf_counter() - started) * 1000
        report = CycleReport(started_at, duration_ms, len(targets), completed, len(to_grab),
                             outcomes)
        async with self.db.transaction() as tx:
            await store.record_cycle(tx, report, stored)
            if self.on_transitions is not None and report.transitions:
                await self.on_transitions(
                    tx, [(o.target.camera_id, t) for o, t in report.transitions], now_iso())
        self.last_report = report
        self.notifier.publish(await store.status_events(self.db, report))
        changes = len(report.transitions)
        log.info("probe cycle: %d cameras, %d completed, %d frames, %d changes in %.0f ms",
                 report.cameras, completed, report.grabbed, changes, duration_ms)
        return report

    async def _tier1(self, targets: Sequence[StreamTarget], spread_s: float) -> list[CameraOutcome]:
        semaphore = asyncio.Semaphore(self.config.concurrency)
        timeout = self.config.timeout_s

        async def one(target: StreamTarget) -> CameraOutcome:
            if spread_s > 0:
                await asyncio.sleep(random.uniform(0, spread_s))  # noqa: S311 - jitter only
            async with semaphore:
                at = now_iso()
                result = await probe(target.url, username=target.username,
                                     password=target.password, timeout_s=timeout)
            return CameraOutcome(target, result, at)

        return list(await asyncio.gather(*(one(t) for t in targets)))

    def _wants_frame(self, outcome: CameraOutcome, row: Any, force: bool) -> bool:
        if outcome.result.status != ProbeStatus.UP or not outcome.target.frames:
            return False
        if force or row is None or row["last_grab_at"] is None:
            return True
        if row["last_result"] != str(outcome.result.status):
            return True  # tier 1 changed
        if row["health"] not in ("ok", None):
            return True  # watch a bad picture every cycle until it recovers
        return int(row["cycles_since_grab"]) + 1 >= self.config.tier2_every

    async def _tier2(self, outcomes: Sequence[CameraOutcome]) -> None:
        loop = asyncio.get_running_loop()

        async def one(outcome: CameraOutcome) -> None:
            target = outcome.target
            url = with_credentials(target.url, target.username, target.password)
            previous = self._previous.get(target.camera_id)
            try:
                outcome.frame = await loop.run_in_executor(
                    self.executor, self._check_frame, url, previous, target.camera_id
                )
            except Exception as exc:  # a bug in a frame check must not kill the cycle
                log.warning("frame check of camera %d failed: %s", target.camera_id,
                            mask_text(repr(exc)))
                outcome.frame = FrameCheck("no_frame", {"error": "internal"}, None, None, None, None)

        await asyncio.gather(*(one(o) for o in outcomes))

    def _check_frame(self, url: str, previous: np.ndarray | None, camera_id: int) -> FrameCheck:
        """Blocking: grab, assess, thumbnail. Runs in the executor."""
        grab = frames.grab(url, open_timeout_s=self.config.tier2_open_timeout_s,
                           read_timeout_s=self.config.tier2_read_timeout_s)
        if grab.error == frames.OPEN_FAILED:
            # A quick refusal right after tier 1's DESCRIBE is often the camera (or an RTSP
            # server) still tearing that session down and answering 503: try once more.
            time.sleep(_REGRAB_DELAY_S)
            grab = frames.grab(url, open_timeout_s=self.config.tier2_open_timeout_s,
                               read_timeout_s=self.config.tier2_read_timeout_s)
        if not grab.ok or not grab.frames:
            return FrameCheck("no_frame", {"error": grab.error}, None, None, None, None)
        frame = grab.frames[-1]
        report = health.assess(frame, previous, self.thresholds)
        self._previous[camera_id] = report.small
        jpeg = health.thumbnail_jpeg(frame, width=self.config.snapshot_width)
        return FrameCheck(report.verdict, report.metrics(), grab.width, grab.height,
                          grab.first_frame_ms, jpeg)


def _state_from_row(row: Any) -> CameraState:
    if row is None:
        return CameraState()
    return CameraState(status=row["status"], since=row["since"], cause=row["cause"],
                       fail_streak=row["fail_streak"], ok_streak=row["ok_streak"],
                       streak_since=row["streak_since"], health=row["health"])
