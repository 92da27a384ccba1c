"""Long-lived resources of the app, each a ``cleanup_ctx`` generator stored under a key."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import aiohttp
from aiohttp import web

from camnet.alerts.integrity import report_recreated_guards
from camnet.db import open_database
from camnet.evidence import startup as evidence_startup
from camnet.monitor.notify import Notifier, WebhookChannel
from camnet.monitor.scheduler import CycleScheduler, ensure_open_files
from camnet.monitor.service import MonitorService
from camnet.web import keys


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open the database (migrating it) for the app's lifetime, with evidence housekeeping.

    On open: guard triggers checked (re-created if missing) and partial uploads removed; while
    running: chain heads anchored (at start, daily, after each hand-over).
    """
    db = await open_database(app[keys.CONFIG])
    recreated = await evidence_startup.on_open(db, app[keys.CONFIG], clean_partials=True)
    await report_recreated_guards(db, recreated)  # someone dropped them: tell the admins
    app[keys.DB] = db
    anchoring = asyncio.create_task(evidence_startup.run_forever(app[keys.CONFIG]))
    yield
    anchoring.cancel()
    await asyncio.gather(anchoring, return_exceptions=True)
    await db.close()


async def executor_ctx(app: web.Application) -> AsyncIterator[None]:
    """Two bounded thread pools: frame checks, and evidence file work (hashing, packages).

    Separate pools so a case package being built never holds back the monitor's frame
    checks, and a slow camera never holds back an evidence download.
    """
    config = app[keys.CONFIG]
    frames = ThreadPoolExecutor(max_workers=config.monitor.tier2_workers,
                                thread_name_prefix="camnet-frames")
    files = ThreadPoolExecutor(max_workers=config.evidence.file_workers,
                               thread_name_prefix="camnet-files")
    app[keys.EXECUTOR] = frames
    app[keys.FILE_EXECUTOR] = files
    yield
    frames.shutdown(wait=True, cancel_futures=True)
    files.shutdown(wait=True, cancel_futures=True)


async def monitor_ctx(app: web.Application) -> AsyncIterator[None]:
    """Build the monitor service; when enabled, schedule its cycles."""
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
    scheduler = CycleScheduler(service, config.monitor.interval_s)
    if config.monitor.enabled:
        scheduler.start()
    yield
    await scheduler.stop()  # a cycle in flight finishes and commits before the DB closes
    await notifier.drain()
    await session.close()


async def rollup_ctx(app: web.Application) -> AsyncIterator[None]:
    """Keep the daily uptime roll-ups current in the background (``[rollup]`` config)."""
    import asyncio
    import contextlib

    from camnet.monitor.rollup import run_forever

    config = app[keys.CONFIG].rollup
    task = None
    if config.enabled:
        task = asyncio.create_task(run_forever(app[keys.DB], interval_s=config.interval_s,
                                               lag_s=config.lag_s, max_days=config.max_days))
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
