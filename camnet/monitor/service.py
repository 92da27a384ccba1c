"""One probe cycle: tier 1 for every enabled camera, tier 2 for a sample, one transaction.

Tier 1 is the asyncio RTSP handshake (:mod:`camnet.monitor.rtsp_probe`) under a hard
timeout with bounded concurrency and jitter. Tier 2 (frame checks) runs apart, on
:class:`camnet.monitor.tier2.Tier2Runner`: a cycle only queues the cameras due (every
``tier2_every`` cycles, whenever tier 1 changed, every cycle while the picture is bad, not
while backed off) and never waits for them; it uses the last *confirmed* picture verdict.
A cycle's writes go in two transactions: the status changes with their outages and
alerts first (one transaction, so a change is never without its alert), then the routine
rows (every other camera's status row, the watched spans, the cycle row); then
notifications are published.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor
from dataclasses import replace
from typing import Any

from camnet.config import MonitorConfig
from camnet.db import Database, Transaction
from camnet.monitor import gctune, store, tier1_plan, tier2_plan, watched
from camnet.monitor.notify import Notifier
from camnet.monitor.outcomes import CameraOutcome, CycleReport
from camnet.monitor.policy import denied_network, parse_networks
from camnet.monitor.rtsp_probe import ProbeResult, ProbeStatus, probe
from camnet.monitor.status import CameraState, Observation, Transition, advance
from camnet.monitor.tier2 import GrabJob, Tier2Runner
from camnet.registry.cameras import StreamTarget, stream_targets
from camnet.secretstore import CredentialCipher, with_credentials
from camnet.timeutil import now_iso

log = logging.getLogger(__name__)
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
        self.tier2 = Tier2Runner(db, config, executor)
        self._lock = asyncio.Lock()
        self._probes: set[asyncio.Task[CameraOutcome | None]] = set()
        self._abandoning = False
        self.last_report: CycleReport | None = None
        self.on_transitions: OnTransitions | None = None
        self._deny = parse_networks(config.deny_networks)

    async def run_cycle(self, *, camera_ids: list[int] | None = None, zone_path: str = "/",
                        spread_s: float | None = None, force_tier2: bool = False,
                        tier2: bool = True, wait_tier2: bool = False,
                        pair_gap_s: float = 0.0) -> CycleReport:
        """Probe the selected enabled cameras once and record the results.

        Args:
            camera_ids: only these cameras (default: all enabled ones in ``zone_path``).
            zone_path: only cameras in this zone and below.
            spread_s: spread probe starts over this many seconds (default
                ``interval_s * spread``; the CLI passes 0).
            force_tier2: grab a frame from every reachable camera.
            tier2: ``False`` skips frame checks this cycle (tier 1 only).
            wait_tier2: check frames inside the cycle and wait for them (the one-shot
                ``camnet probe``); by default they are only queued on the tier-2 runner,
                so no picture ever delays the cycle.
            pair_gap_s: with ``wait_tier2``, a camera without a stored fingerprint is
                grabbed twice this many seconds apart, so frozen shows at once.
        """
        async with self._lock:  # never two cycles at once
            return await self._run(camera_ids, zone_path, spread_s, force_tier2, tier2,
                                   wait_tier2, pair_gap_s)

    async def wait_idle(self) -> None:
        """Return once no cycle is running (used on shutdown)."""
        async with self._lock:
            return

    def abandon(self) -> int:
        """On shutdown: cut the probes still in flight; the cycle writes what it has.

        Returns:
            How many probes were cut (their cameras are left out of this cycle).
        """
        self._abandoning = True
        pending = [t for t in self._probes if not t.done()]
        for task in pending:
            task.cancel()
        return len(pending)

    async def close(self) -> None:
        """Stop the tier-2 workers (after :meth:`wait_idle` on shutdown)."""
        await self.tier2.stop()

    async def _run(self, camera_ids: list[int] | None, zone_path: str, spread_s: float | None,
                   force_tier2: bool, tier2: bool, wait_tier2: bool, pair_gap_s: float
                   ) -> CycleReport:
        started = time.perf_counter()
        started_at = now_iso()
        targets = await stream_targets(self.db, self.cipher, zone_path=zone_path,
                                       camera_ids=camera_ids)
        ids = [t.camera_id for t in targets]
        stored = await store.load_states(self.db, ids)
        spread = self.config.interval_s * self.config.spread if spread_s is None else spread_s
        outcomes = await self._tier1(targets, spread)
        completed = len(outcomes)
        to_grab = [o for o in outcomes if tier2 and self._wants_frame(
            o, stored.get(o.target.camera_id), force_tier2)]
        if wait_tier2 and to_grab:
            await self._ensure_rows(outcomes, stored)
            checks = await self.tier2.check_now([_job(o) for o in to_grab], pair_gap_s=pair_gap_s)
            for o in to_grab:
                o.frame = checks.get(o.target.camera_id)
            stored = await store.load_states(self.db, ids)
        maintenance = await store.cameras_in_maintenance(self.db, [o.target.camera_id for o in outcomes])
        for i, outcome in enumerate(outcomes):
            if i % 2000 == 1999:
                await asyncio.sleep(0)  # 50,000 cameras: let /healthz and the web in between
            row = stored.get(outcome.target.camera_id)
            obs = Observation(
                at=outcome.at,
                reachable=outcome.result.status == ProbeStatus.UP,
                reason=str(outcome.result.status),
                health=(row["picture"] if row else None)
                if outcome.result.status == ProbeStatus.UP else None,
                in_maintenance=outcome.target.camera_id in maintenance,
            )
            outcome.state, outcome.transition = advance(
                _state_from_row(row), obs, down_after=self.config.down_after,
                up_after=self.config.up_after)
        duration_ms = (time.perf_counter() - started) * 1000
        report = CycleReport(started_at, duration_ms, len(targets), completed, len(to_grab),
                             outcomes)
        # Two transactions: first the changes with their alerts (a district going dark is
        # committed in well under a second), then the routine rows of every other camera,
        # the watched spans and the cycle row. A crash in between loses only the routine
        # half: that cycle then counts as unwatched ("no data"), never as "up".
        writing = time.perf_counter()
        if report.transitions:
            async with self.db.transaction() as tx:
                await store.record_cycle(tx, report, stored, part="changes")
                if self.on_transitions is not None:
                    await self.on_transitions(
                        tx, [(o.target.camera_id, t) for o, t in report.transitions], now_iso())
        write_ms = (time.perf_counter() - writing) * 1000
        routine = time.perf_counter()
        async with self.db.transaction() as tx:
            await store.record_cycle(tx, report, stored, part="routine",
                                     cycle_retention_days=self.config.cycle_retention_days)
            await watched.extend(tx, report, gap_s=self._coverage_gap_s)
        routine_ms = (time.perf_counter() - routine) * 1000
        # the figures only: holding 50,000 outcomes until the next cycle replaced them kept
        # two cycles' worth alive at its peak
        self.last_report = replace(report, outcomes=[])
        if not wait_tier2 and tier2:  # changed first, a rotation of the longest unchecked
            await self._queue_tier2(outcomes, stored, force_tier2)
        self.notifier.publish(await store.status_events(self.db, report))
        changes = len(report.transitions)
        await asyncio.to_thread(gctune.release_memory)
        log.info("probe cycle: %d cameras, %d completed, %d frame checks, %d changes in %.0f ms"
                 " (written in %.0f ms, routine rows in %.0f ms)", report.cameras, completed,
                 report.grabbed, changes, duration_ms, write_ms, routine_ms)
        return report

    @property
    def _coverage_gap_s(self) -> float:
        return self.config.interval_s * self.config.coverage_gap_intervals + self.config.timeout_s

    async def _ensure_rows(self, outcomes: Sequence[CameraOutcome], stored: dict[int, Any]
                           ) -> None:
        """Give never-probed cameras a status row, so a frame check can be written."""
        missing = [(o.target.camera_id,) for o in outcomes if o.target.camera_id not in stored]
        if missing:
            async with self.db.transaction() as tx:
                await tx.executemany(
                    "INSERT OR IGNORE INTO camera_status(camera_id) VALUES (?)", missing)

    async def _tier1(self, targets: Sequence[StreamTarget], spread_s: float) -> list[CameraOutcome]:
        """Probe every target once: at most ``concurrency`` probes (and tasks) at a time.

        Start times are jittered over ``spread_s`` as before, but instead of one task per
        camera (50,000 coroutines alive at once: hundreds of MB and long garbage-collector
        pauses that stalled ``/healthz``) a fixed pool of workers takes the cameras in
        order of their start time (:func:`camnet.monitor.tier1_plan.start_order`).
        """
        timeout = self.config.timeout_s
        order = await asyncio.to_thread(  # 50,000 sorted starts: not on the loop
            tier1_plan.start_order, len(targets), spread_s, random.random)
        outcomes: list[CameraOutcome | None] = [None] * len(targets)
        loop = asyncio.get_running_loop()
        begin = loop.time()
        cursor = iter(order)

        async def worker() -> None:
            for offset, index in cursor:
                delay = begin + offset - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                target = targets[index]
                blocked = denied_network(target.url, self._deny)
                if blocked is not None:  # camnet is no scanner of networks cameras cannot be in
                    outcomes[index] = CameraOutcome(target, ProbeResult(
                        ProbeStatus.BLOCKED, None,
                        detail=f"address in monitor.deny_networks ({blocked})"), now_iso())
                    continue
                at = now_iso()
                result = await probe(target.url, username=target.username,
                                     password=target.password, timeout_s=timeout)
                outcomes[index] = CameraOutcome(target, result, at)

        workers = min(self.config.concurrency, len(targets))
        tasks = [asyncio.create_task(worker()) for _ in range(workers)]
        self._probes.update(tasks)
        try:
            results = await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self._probes.difference_update(tasks)
        for r in results:
            if isinstance(r, BaseException) and not (
                    isinstance(r, asyncio.CancelledError) and self._abandoning):
                raise r
        return [o for o in outcomes if o is not None]

    async def _queue_tier2(self, outcomes: Sequence[CameraOutcome], stored: dict[int, Any],
                           force: bool) -> int:
        """Queue this cycle's picture checks (:func:`camnet.monitor.tier2_plan.plan`).

        The candidates are gathered in slices (the loop gets a turn every 2,000 cameras);
        the plan, a few sorts over up to 50,000 of them, runs in a worker thread.
        """
        queued = self.tier2.queued_ids
        candidates: list[tier2_plan.Candidate] = []
        by_id: dict[int, CameraOutcome] = {}
        reachable = 0
        for i, o in enumerate(outcomes):
            if i % 2000 == 1999:
                await asyncio.sleep(0)
            row = stored.get(o.target.camera_id)
            if not o.target.frames or o.result.status != ProbeStatus.UP:
                continue
            reachable += 1
            if o.target.camera_id in queued or (not force and _backed_off(o, row)):
                continue
            by_id[o.target.camera_id] = o
            candidates.append(tier2_plan.Candidate(
                o.target.camera_id, _grab_priority(o, row),
                row["last_grab_at"] if row is not None else None,
                self._wants_frame(o, row, force)))
        quota = tier2_plan.rotation_quota(reachable, interval_s=self.config.interval_s,
                                          max_age_s=self.config.tier2_max_age_s)
        capacity = max(self.config.tier2_queue, quota)
        chosen = await asyncio.to_thread(tier2_plan.plan, candidates,
                                         slots=capacity - self.tier2.pending, quota=quota)
        return self.tier2.submit((_job(by_id[i]) for i in chosen), capacity=capacity)

    def _wants_frame(self, outcome: CameraOutcome, row: Any, force: bool) -> bool:
        if outcome.result.status != ProbeStatus.UP or not outcome.target.frames:
            return False
        if force or row is None or row["last_grab_at"] is None:
            return True
        if row["tier2_next_at"] is not None and row["tier2_next_at"] > outcome.at:
            return False  # backed off: it kept timing out
        if row["last_result"] != str(outcome.result.status):
            return True  # tier 1 changed
        if row["health"] not in ("ok", None) or row["picture"] not in ("ok", None):
            return True  # watch a bad picture every cycle until it is confirmed either way
        return int(row["cycles_since_grab"]) + 1 >= self.config.tier2_every


def _job(outcome: CameraOutcome) -> GrabJob:
    target = outcome.target
    return GrabJob(target.camera_id, with_credentials(target.url, target.username, target.password))



def _backed_off(outcome: CameraOutcome, row: Any) -> bool:
    """Tier 2 kept timing out on this camera: wait until its ``tier2_next_at``."""
    return row is not None and row["tier2_next_at"] is not None \
        and row["tier2_next_at"] > outcome.at


def _grab_priority(outcome: CameraOutcome, row: Any) -> tuple[int, str]:
    return tier2_plan.priority(row["last_result"] if row is not None else None,
                               str(outcome.result.status), row)


def _state_from_row(row: Any) -> CameraState:
    if row is None:
        return CameraState()
    return CameraState(status=row["status"], since=row["since"], cause=row["cause"],
                       fail_streak=row["fail_streak"], ok_streak=row["ok_streak"],
                       streak_since=row["streak_since"], health=row["health"])
