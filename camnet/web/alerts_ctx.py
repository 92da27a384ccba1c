"""App wiring of alerts: the sender task and the monitor's "on transitions" hook.

``alerts_ctx`` is a ``cleanup_ctx`` appended after the monitor's: it builds the channels
over one shared aiohttp ClientSession, sets ``MonitorService.on_transitions`` to
:func:`camnet.alerts.outbox.enqueue_status_alerts` (so the monitor never imports alerts),
and runs :meth:`AlertService.run` (and the Zalo ``getUpdates`` poller when enabled).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from functools import partial

import aiohttp
from aiohttp import web

from camnet.alerts.apprise_channel import AppriseChannel
from camnet.alerts.channels import (
    Channel,
    EmailChannel,
    SmtpSettings,
    TelegramBotChannel,
    WebhookChannel,
    ZaloBotChannel,
)
from camnet.alerts.deadlines import check_deadlines
from camnet.alerts.integrity import check_chains
from camnet.alerts.outbox import enqueue_status_alerts
from camnet.alerts.secrets import get_secret
from camnet.alerts.service import AlertService
from camnet.alerts.zalo_oa import DbTokenStore, ZaloOAChannel
from camnet.timeutil import display_timezone
from camnet.web import keys

ALERTS = web.AppKey("alerts", AlertService)
HTTP = web.AppKey("alerts_http", aiohttp.ClientSession)


async def build_service(app: web.Application, session: aiohttp.ClientSession) -> AlertService:
    """Build the alert service and its channels from the app's config and secrets."""
    config, db, cipher = app[keys.CONFIG], app[keys.DB], app[keys.CIPHER]
    cfg = config.alerts
    zalo = ZaloBotChannel(session, cfg.zalo_base_url, await get_secret(db, cipher, "zalo_token"),
                          cfg.http_timeout_s)
    channels: dict[str, Channel] = {
        "zalo": zalo,
        "email": EmailChannel(SmtpSettings(cfg.smtp_host, cfg.smtp_port, cfg.smtp_security,
                                           cfg.smtp_username,
                                           await get_secret(db, cipher, "smtp_password"),
                                           cfg.smtp_from, cfg.http_timeout_s)),
        "webhook": WebhookChannel(session, await get_secret(db, cipher, "webhook_secret"),
                                  cfg.http_timeout_s),
    }
    periodic = {
        "deadlines": (cfg.deadline_check_s, partial(check_deadlines, db)),
        "chains": (cfg.chain_check_s, partial(check_chains, db, config)),
    }
    if cfg.telegram_enabled:  # an optional extra, off unless configured
        channels["telegram"] = TelegramBotChannel(
            session, cfg.telegram_base_url, await get_secret(db, cipher, "telegram_token"),
            cfg.http_timeout_s)
    if cfg.zalo_oa_enabled:
        channels["zalo_oa"] = ZaloOAChannel(
            session, base_url=cfg.zalo_oa_base_url, oauth_url=cfg.zalo_oa_oauth_url,
            app_id=cfg.zalo_oa_app_id, app_secret=await get_secret(db, cipher, "zalo_oa_app_secret"),
            store=DbTokenStore(db, cipher), timeout_s=cfg.http_timeout_s)
    if cfg.apprise_enabled:
        urls = (await get_secret(db, cipher, "apprise_urls")).splitlines()
        channels["apprise"] = AppriseChannel(urls)
    return AlertService(db, cfg, channels, tz=display_timezone(),
                        monitor_interval_s=config.monitor.interval_s,
                        watch_monitor=config.monitor.enabled, zalo=zalo, periodic=periodic)


async def alerts_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: hook alerts into the monitor and run the sender while the app runs."""
    cfg = app[keys.CONFIG].alerts
    session = aiohttp.ClientSession()
    app[HTTP] = session
    service = await build_service(app, session)
    app[ALERTS] = service
    monitor = app.get(keys.MONITOR)
    if monitor is not None:
        monitor.on_transitions = partial(enqueue_status_alerts, zone_down_pct=cfg.zone_down_pct)
    tasks: list[asyncio.Task[None]] = []
    if cfg.enabled:
        tasks.append(asyncio.create_task(service.run(), name="camnet-alerts"))
        if cfg.zalo_poll:
            tasks.append(asyncio.create_task(service.poll_zalo(), name="camnet-zalo-poll"))
    yield
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await session.close()
