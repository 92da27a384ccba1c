"""The monitor's clock: APScheduler 3 runs a probe cycle every ``monitor.interval_s``.

Knows nothing of the web app: the app's lifecycle module builds a :class:`CycleScheduler`
and starts and stops it.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from camnet.monitor import gctune
from camnet.monitor.service import MonitorService
from camnet.timeutil import utcnow

log = logging.getLogger(__name__)


def ensure_open_files(wanted: int) -> None:
    """Raise the soft open-files limit towards ``wanted`` (each probe holds one socket)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        log.info("open-files limit raised from %d to %d", soft, target)
    if hard != resource.RLIM_INFINITY and hard < wanted:
        log.warning("open-files hard limit %d is below monitor.concurrency + 256 = %d; "
                    "lower monitor.concurrency or raise the limit", hard, wanted)


class CycleScheduler:
    """Runs :meth:`MonitorService.run_cycle` on a fixed interval, one cycle at a time."""

    def __init__(self, service: MonitorService, interval_s: float) -> None:
        self._service = service
        self._interval_s = interval_s
        self._scheduler: AsyncIOScheduler | None = None

    def start(self) -> None:
        """Schedule the first cycle a second from now, then every interval."""
        scheduler = AsyncIOScheduler(timezone="UTC")
        scheduler.add_job(
            _cycle, "interval", args=[self._service], seconds=self._interval_s,
            id="probe-cycle", max_instances=1, coalesce=True,
            next_run_time=utcnow() + timedelta(seconds=1),
            misfire_grace_time=int(self._interval_s),
        )
        scheduler.start()
        self._scheduler = scheduler
        gctune.settle()
        log.info("monitor: a probe cycle every %s s", self._interval_s)

    async def stop(self) -> None:
        """Stop scheduling; a cycle in flight cuts its open probes, commits what it has.

        Logs one INFO line; never an ERROR (the cycle runs shielded from the scheduler's
        own cancellation, see :func:`_cycle`).
        """
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        cut = self._service.abandon()
        await self._service.wait_idle()
        await self._service.close()
        log.info("monitor: stopped%s", f" ({cut} probes in flight left out of the last cycle)"
                 if cut else "")


async def _cycle(service: MonitorService) -> None:
    # Shielded: on shutdown APScheduler cancels its running jobs; the cycle itself must
    # not be torn apart mid-write — CycleScheduler.stop() makes it finish early instead.
    task = asyncio.ensure_future(service.run_cycle())
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        return  # shutting down: stop() waits for the cycle
    except Exception:  # one bad cycle must not stop the schedule
        log.exception("probe cycle failed")
