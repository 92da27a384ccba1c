"""Tier 2 on its own schedule: frame checks never hold back a tier-1 cycle.

A cycle only *submits* cameras to :class:`Tier2Runner` (a bounded queue, each camera at
most once in it) and finishes; ``tier2_workers`` worker tasks take them one by one and run
the blocking OpenCV grab in the executor under a hard wall clock (``tier2_deadline_s``).
A grab that overruns is recorded as ``deadline`` at once; its worker waits for the thread
to return (OpenCV's own open/read timeouts end it) before taking the next camera, so the
number of threads stays bounded. Each result is written in its own small transaction
(:mod:`camnet.monitor.tier2_store`); the next tier-1 cycle uses the confirmed picture.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, replace

import numpy as np

from camnet.config import MonitorConfig
from camnet.db import Database
from camnet.monitor import frames, health, tier2_diagnose, tier2_store
from camnet.monitor.outcomes import FrameCheck
from camnet.monitor.transport import TCP, UDP
from camnet.secretstore import mask_text
from camnet.timeutil import now_iso

log = logging.getLogger(__name__)
_REGRAB_DELAY_S = 0.5


@dataclass(frozen=True)
class GrabJob:
    """One camera to check: its id and URL (credentials inside, for FFmpeg only)."""

    camera_id: int
    url: str


def no_frame(cause: str) -> FrameCheck:
    """A frame check that got no frame, with its cause."""
    return FrameCheck("no_frame", {"error": cause}, None, None, None, None)


def _named(grab: frames.FrameGrab) -> frames.FrameGrab:
    """A failed grab with its cause named (a stream that ended undecoded is a decode error)."""
    if grab.error == frames.READ_FAILED:
        return replace(grab, error=tier2_diagnose.DECODE_ERROR)
    return grab


def grab_with_fallback(url: str, config: MonitorConfig, transport: str = TCP
                       ) -> tuple[frames.FrameGrab, str]:
    """Blocking: grab over ``transport``; on a failed open, find out why and maybe retry.

    * The remembered ``transport`` goes first (``tcp`` unless this camera needed UDP).
    * A UDP grab that fails is tried once over TCP (the camera may have changed).
    * A TCP open that fails is diagnosed (:mod:`camnet.monitor.tier2_diagnose`): refused
      TCP (RTSP 400/461) → the same grab over UDP (once more after 0.5 s if that open
      fails too: servers answer 503 while the refused session winds down); ``busy``
      (503: the camera is still ending tier 1's DESCRIBE session; the diagnosis is asked
      again after 0.5 s first) or ``decode_error`` → once more after 0.5 s; otherwise the
      diagnosed cause replaces FFmpeg's bare "not opened".
    * Worst case (a slow camera failing every way) is a few opens plus a diagnosis; the
      runner's wall clock (``tier2_deadline_s``) still bounds what the monitor waits for.
    * The read covers ``tier2_read_timeout_s + tier2_gop_wait_s``: the first decodable
      frame of a long-GOP camera (one keyframe every 10-25 s) is accepted when it comes.

    Returns:
        The grab (``error`` a named cause when it failed) and the transport it used.
    """
    def once(how: str) -> frames.FrameGrab:
        return frames.grab(url, open_timeout_s=config.tier2_open_timeout_s,
                           read_timeout_s=config.tier2_read_timeout_s + config.tier2_gop_wait_s,
                           transport=how)

    grab = once(transport)
    if grab.ok:
        return grab, transport
    if transport == UDP:
        transport, grab = TCP, once(TCP)
        if grab.ok:
            return grab, TCP
    if grab.error != frames.OPEN_FAILED:
        return _named(grab), transport
    found = tier2_diagnose.diagnose_blocking(url, timeout_s=config.tier2_open_timeout_s)
    if found.cause == tier2_diagnose.BUSY:  # often the failed session still winding down
        time.sleep(_REGRAB_DELAY_S)
        found = tier2_diagnose.diagnose_blocking(url, timeout_s=config.tier2_open_timeout_s)
    if found.cause == tier2_diagnose.TCP_REFUSED:
        retry = once(UDP)
        if retry.error == frames.OPEN_FAILED:  # 503 while the refused sessions wind down
            time.sleep(_REGRAB_DELAY_S)
            retry = once(UDP)
        if retry.ok:
            return retry, UDP
        if retry.error != frames.OPEN_FAILED:
            return _named(retry), UDP
    elif found.cause in (tier2_diagnose.BUSY, tier2_diagnose.DECODE_ERROR):
        time.sleep(_REGRAB_DELAY_S)
        retry = once(transport)
        if retry.ok or retry.error != frames.OPEN_FAILED:
            return _named(retry), transport
    return replace(grab, error=found.cause, detail=found.detail), transport


def check_frame(url: str, previous: np.ndarray | None, config: MonitorConfig,
                pair_gap_s: float = 0.0, transport: str = TCP) -> FrameCheck:
    """Blocking: grab, judge the picture against ``previous``, thumbnail, fingerprint.

    Args:
        url: the stream URL (with credentials).
        previous: the fingerprint of this camera's previous sample, or ``None``.
        config: the monitor settings (timeouts, GOP wait, thresholds).
        pair_gap_s: when > 0 and there is no ``previous``, grab a second time this many
            seconds later and judge the second frame against the first (a one-shot
            ``camnet probe`` can then see a frozen stream).
        transport: the RTP transport to try first (see :func:`grab_with_fallback`).

    Returns:
        The check; ``detail["transport"]`` is the transport used, ``frames`` counts the
        frames actually decoded (both grabs of a pair), not attempts.
    """
    grab, transport = grab_with_fallback(url, config, transport)
    if not grab.ok or not grab.frames:
        return FrameCheck("no_frame", {"error": grab.error, "detail": grab.detail,
                                       "transport": transport}, None, None, None, None)
    decoded = len(grab.frames)
    frame = grab.frames[-1]
    if previous is None and pair_gap_s > 0:
        first = health.fingerprint(health.working_gray(frame))
        time.sleep(pair_gap_s)
        second, how = grab_with_fallback(url, config, transport)
        if second.ok and second.frames:
            previous, grab, frame, transport = first, second, second.frames[-1], how
            decoded += len(second.frames)
    report = health.assess(frame, previous, config.health)
    jpeg = health.thumbnail_jpeg(frame, width=config.snapshot_width)
    detail = {**report.metrics(), "frames": decoded, "transport": transport}
    return FrameCheck(report.verdict, detail, grab.width, grab.height, grab.first_frame_ms,
                      jpeg, health.fingerprint(report.small).tobytes(), decoded)


class Tier2Runner:
    """A bounded queue of frame checks with its own workers, apart from the tier-1 cycle."""

    def __init__(self, db: Database, config: MonitorConfig, executor: Executor) -> None:
        self.db = db
        self.config = config
        self.executor = executor
        self._queue: asyncio.Queue[GrabJob] | None = None
        self._queued: set[int] = set()
        self._workers: list[asyncio.Task[None]] = []
        self._slots: asyncio.Semaphore | None = None
        self.done = 0  # frame checks written since start

    @property
    def pending(self) -> int:
        """Cameras queued or being checked."""
        return len(self._queued)

    @property
    def queued_ids(self) -> frozenset[int]:
        """The cameras queued or being checked."""
        return frozenset(self._queued)

    def submit(self, jobs: Iterable[GrabJob], *, capacity: int | None = None) -> int:
        """Queue cameras for a frame check without waiting; return how many were queued.

        A camera already queued or in flight is not queued twice; beyond ``capacity``
        (default ``tier2_queue``) waiting checks the rest wait for a later cycle.
        """
        limit = self.config.tier2_queue if capacity is None else capacity
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._workers = [asyncio.create_task(self._work(), name=f"tier2-{i}")
                             for i in range(self.config.tier2_workers)]
        queued = 0
        for job in jobs:
            if job.camera_id in self._queued or self._queue.qsize() >= limit:
                continue
            self._queued.add(job.camera_id)
            self._queue.put_nowait(job)
            queued += 1
        return queued

    async def check_now(self, jobs: Iterable[GrabJob], *, pair_gap_s: float = 0.0
                        ) -> dict[int, FrameCheck]:
        """Check these cameras now and wait for all (the one-shot ``camnet probe``)."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.config.tier2_workers)
        slots = self._slots

        async def one(job: GrabJob) -> tuple[int, FrameCheck]:
            async with slots:
                return job.camera_id, await self._check(job, pair_gap_s)

        return dict(await asyncio.gather(*(one(j) for j in jobs)))

    async def idle(self, limit_s: float) -> bool:
        """Wait until nothing is queued or in flight (tests, shutdown); ``False`` on timeout."""
        if self._queue is None or not self._queued:
            return True
        try:
            await asyncio.wait_for(self._queue.join(), limit_s)
        except TimeoutError:
            return False
        return True

    async def stop(self) -> None:
        """Cancel the workers; a grab thread in flight ends by OpenCV's own timeouts."""
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers = []
        self._queue = None
        self._queued.clear()

    async def _work(self) -> None:
        assert self._queue is not None  # noqa: S101 - created in submit
        queue = self._queue
        while True:
            job = await queue.get()
            try:
                await self._check(job, 0.0)
            except Exception as exc:  # a bug in one check must not stop the worker
                log.warning("frame check of camera %d failed: %s", job.camera_id,
                            mask_text(repr(exc)))
            finally:
                self._queued.discard(job.camera_id)
                queue.task_done()

    async def _check(self, job: GrabJob, pair_gap_s: float) -> FrameCheck:
        previous = await tier2_store.load_fingerprint(self.db, job.camera_id)
        transport = await tier2_store.load_transport(self.db, job.camera_id)
        loop = asyncio.get_running_loop()
        at = now_iso()
        future = loop.run_in_executor(self.executor, check_frame, job.url,
                                      previous.gray if previous else None, self.config,
                                      pair_gap_s, transport)
        stuck = False
        # the wall clock covers the GOP wait: a long-GOP camera's first frame is not late
        limit = self.config.tier2_deadline_s + self.config.tier2_gop_wait_s + pair_gap_s
        try:
            check = await asyncio.wait_for(asyncio.shield(future), limit)
        except TimeoutError:
            check, stuck = no_frame("deadline"), True
        except Exception as exc:
            log.warning("frame check of camera %d failed: %s", job.camera_id,
                        mask_text(repr(exc)))
            check = no_frame("internal")
        await tier2_store.record_frame(
            self.db, job.camera_id, at, check, picture_after=self.config.picture_after,
            interval_s=self.config.interval_s, backoff_max=self.config.tier2_backoff_max)
        self.done += 1
        if stuck:  # hold this worker until the thread is free: threads stay bounded
            with contextlib.suppress(Exception):
                await future
        return check
