"""The monitor inside the app: APScheduler 3 runs a cycle every ``monitor.interval_s``."""

from __future__ import annotations

import logging
import resource
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from camnet import keys
from camnet.monitor.notify import Notifier, WebhookChannel
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


async def monitor_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: build the monitor service; when enabled, schedule its cycles."""
    config = app[keys.CONFIG]
    ensure_open_files(config.monitor.concurrency + 256)
    session = aiohttp.ClientSession()
    channels = []
    if config.notify.webhook_url:
        channels.append(WebhookChannel(session, config.notify.webhook_url,
                                       config.notify.webhook_timeout_s))
    notifier = Notifier(channels)
    service = MonitorService(app[keys.DB], app[keys.CIPHER], config.monitor, app[keys.EXECUTOR],
                             notifier)
    app[keys.MONITOR] = service
    scheduler: AsyncIOScheduler | None = None
    if config.monitor.enabled:
        scheduler = AsyncIOScheduler(timezone="UTC")
        scheduler.add_job(
            _cycle, "interval", args=[service], seconds=config.monitor.interval_s,
            id="probe-cycle", max_instances=1, coalesce=True,
            next_run_time=utcnow() + timedelta(seconds=1),
            misfire_grace_time=int(config.monitor.interval_s),
        )
        scheduler.start()
        log.info("monitor: a probe cycle every %s s", config.monitor.interval_s)
    yield
    if scheduler is not None:
        scheduler.shutdown(wait=False)
    await service.wait_idle()  # a cycle in flight finishes and commits before the DB closes
    await notifier.drain()
    await session.close()


async def _cycle(service: MonitorService) -> None:
    try:
        await service.run_cycle()
    except Exception:  # one bad cycle must not stop the schedule
        log.exception("probe cycle failed")
