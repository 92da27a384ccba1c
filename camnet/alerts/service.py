"""The alert sender: one task that routes, groups, delivers and watches the monitor.

Each tick: the watchdog check, flap clearing, routing of new outbox events, flushing of
ready groups, and delivery of due messages (concurrently, each channel behind its own
circuit: after ``channel_fail_threshold`` failures in a row it is paused with exponential
backoff instead of being retried in a tight loop). A second optional task long-polls the
Zalo Bot API's ``getUpdates`` to learn chat ids from one-time link codes.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from camnet.alerts import delivery, outbox, routing
from camnet.alerts.channels import Channel, Outgoing, SendResult, ZaloBotChannel
from camnet.alerts.recipients import Recipient, load_directory, redeem_link_code
from camnet.config import AlertsConfig
from camnet.db import Database
from camnet.secretstore import mask_text
from camnet.timeutil import parse_iso, to_iso, utcnow

log = logging.getLogger(__name__)
_CODE = re.compile(r"\b(\d{6})\b")
LINK_FAILURES_MAX = 5  # wrong codes per chat per link_code_ttl_s before it is ignored


@dataclass
class ChannelHealth:
    """Consecutive failures of a channel and when it may be tried again."""

    failures: int = 0
    paused_until: datetime | None = None
    last_error: str = ""
    sent: int = 0
    failed_attempts: int = 0


class AlertService:
    """Owns the sender loop; create one per app (see ``camnet.web.alerts_ctx``)."""

    def __init__(self, db: Database, cfg: AlertsConfig, channels: Mapping[str, Channel], *,
                 tz: ZoneInfo, monitor_interval_s: float = 60.0, watch_monitor: bool = False,
                 zalo: ZaloBotChannel | None = None,
                 periodic: Mapping[str, tuple[float, Callable[[], Awaitable[int]]]] | None = None
                 ) -> None:
        self.db = db
        self.cfg = cfg
        self.channels = dict(channels)
        self.tz = tz
        self.monitor_interval_s = monitor_interval_s
        self.watch_monitor = watch_monitor
        self.zalo = zalo
        self.health: dict[str, ChannelHealth] = {name: ChannelHealth() for name in self.channels}
        self.started_at = utcnow()
        # name -> (every_s, check): deadline and chain checks, set by app wiring
        self.periodic = dict(periodic or {})
        self._last_run: dict[str, float] = {}
        self._link_failures: dict[str, list[float]] = {}

    async def tick(self, now: datetime | None = None) -> None:
        """One pass of everything (also called directly by tests and the bench)."""
        now = now or utcnow()
        if self.watch_monitor:
            await self.check_watchdog(now)
        await self._run_periodic()
        await routing.clear_stable(self.db, self.cfg, now)
        if await outbox.pending_count(self.db):
            directory = await load_directory(self.db, self.cfg.webhook_url,
                                             "apprise" in self.channels)
            await routing.route_pending(self.db, self.cfg, directory, now)
        await delivery.flush_groups(self.db, self.cfg, now, self.tz)
        await self.deliver_due(now)

    async def _run_periodic(self) -> None:
        loop = asyncio.get_running_loop()
        for name, (every_s, check) in self.periodic.items():
            last = self._last_run.get(name)
            if last is not None and loop.time() - last < every_s:
                continue
            self._last_run[name] = loop.time()
            try:
                await check()
            except Exception:  # a failing check must not stop delivery
                log.exception("alert check %s failed", name)

    async def run(self) -> None:
        """Tick forever every ``tick_s`` (cancel to stop); a failing tick is logged."""
        while True:
            try:
                await self.tick()
            except Exception:  # one bad pass must not stop alerting
                log.exception("alert tick failed")
            await asyncio.sleep(self.cfg.tick_s)

    async def deliver_due(self, now: datetime) -> int:
        """Send every due delivery whose channel is not paused; record the attempts."""
        rows = [r for r in await delivery.due_deliveries(self.db, now)
                if not self._paused(r["channel"], now)]
        if not rows:
            return 0
        by_channel: dict[str, list[Any]] = {}
        for r in rows:
            by_channel.setdefault(r["channel"], []).append(r)
        results: list[tuple[Any, SendResult]] = []

        async def one_channel(name: str, items: list[Any]) -> None:
            channel = self.channels.get(name)
            for r in items:  # in order per channel; channels run side by side
                if self._paused(name, now):
                    break
                if channel is None:
                    res = SendResult(False, permanent=True, error=f"channel {name} not configured")
                else:
                    res = await channel.send(_outgoing(r))
                self._note(name, res, now)
                results.append((r, res))

        await asyncio.gather(*(one_channel(n, items) for n, items in by_channel.items()))
        await delivery.record_attempts(self.db, self.cfg, results, now)
        return len(results)

    def _paused(self, name: str, now: datetime) -> bool:
        h = self.health.get(name)
        return bool(h and h.paused_until and now < h.paused_until)

    def _note(self, name: str, res: SendResult, now: datetime | None = None) -> None:
        now = now or utcnow()
        h = self.health.setdefault(name, ChannelHealth())
        if res.ok:
            h.failures, h.paused_until, h.sent = 0, None, h.sent + 1
            return
        h.failed_attempts += 1
        h.last_error = res.error
        if res.permanent and res.status is not None:
            return  # one bad address does not make the channel bad
        h.failures += 1
        if res.retry_after is not None:
            h.paused_until = now + timedelta(seconds=min(res.retry_after,
                                                         delivery.RETRY_AFTER_MAX_S))
        elif h.failures >= self.cfg.channel_fail_threshold:
            over = h.failures - self.cfg.channel_fail_threshold
            wait = min(self.cfg.backoff_base_s * 2 ** over, self.cfg.backoff_max_s)
            h.paused_until = now + timedelta(seconds=wait)
            log.warning("alert channel %s failing (%d in a row): paused %.0f s: %s", name,
                        h.failures, wait, mask_text(res.error))

    def failing_channels(self) -> list[str]:
        """Channels at or over the failure threshold."""
        return sorted(n for n, h in self.health.items()
                      if h.failures >= self.cfg.channel_fail_threshold)

    async def metrics_text(self) -> str:
        """Prometheus lines: deliveries by status, outbox backlog, channel health."""
        lines = ["# HELP camnet_alert_deliveries Alert deliveries by status.",
                 "# TYPE camnet_alert_deliveries gauge"]
        counts = await delivery.counts(self.db)
        for status in ("pending", "sent", "failed"):
            lines.append(f'camnet_alert_deliveries{{status="{status}"}} {counts.get(status, 0)}')
        lines += ["# HELP camnet_alert_outbox_unrouted Outbox events not yet routed.",
                  "# TYPE camnet_alert_outbox_unrouted gauge",
                  f"camnet_alert_outbox_unrouted {await outbox.pending_count(self.db)}",
                  "# HELP camnet_alert_channel_failing 1 when a channel keeps failing (paused).",
                  "# TYPE camnet_alert_channel_failing gauge"]
        for name, h in sorted(self.health.items()):
            failing = int(h.failures >= self.cfg.channel_fail_threshold)
            lines.append(f'camnet_alert_channel_failing{{channel="{name}"}} {failing}')
        lines += ["# TYPE camnet_alert_channel_consecutive_failures gauge"]
        for name, h in sorted(self.health.items()):
            lines.append(f'camnet_alert_channel_consecutive_failures{{channel="{name}"}} {h.failures}')
        return "\n".join(lines) + "\n"

    async def check_watchdog(self, now: datetime) -> None:
        """Raise ``watchdog`` when no probe cycle completed in ``watchdog_intervals``."""
        last = await self.db.fetchval("SELECT MAX(finished_at) FROM probe_cycle")
        limit = timedelta(seconds=self.monitor_interval_s * self.cfg.watchdog_intervals)
        reference = parse_iso(last) if last else self.started_at
        stalled = now - reference > limit
        seen = await self.db.fetchval("SELECT value FROM alert_state WHERE key = 'watchdog'")
        if stalled == (seen == "down"):
            return  # nothing changed: no write transaction
        async with self.db.transaction() as tx:
            flagged = await tx.fetchval("SELECT value FROM alert_state WHERE key = 'watchdog'")
            if stalled == (flagged == "down"):
                return
            await tx.execute("INSERT INTO alert_state(key, value) VALUES ('watchdog', ?)"
                             " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                             ("down" if stalled else "ok",))
            if stalled or flagged == "down":
                at = to_iso(reference) if stalled else to_iso(now)
                await outbox.enqueue_event(tx, "watchdog" if stalled else "watchdog_ok", at,
                                           to_iso(now), data={"roles": ["admin"]})

    async def send_test(self, recipient: Recipient, zone_id: int | None = None) -> int:
        """Queue a test message to one recipient through the normal path; return event id."""
        now = to_iso(utcnow())
        async with self.db.transaction() as tx:
            return await outbox.enqueue_event(tx, "test", now, now, zone_id=zone_id,
                                              data={"recipient": asdict(recipient)})

    async def poll_zalo(self) -> None:
        """Long-poll ``getUpdates`` forever, linking chats that send a valid code."""
        while True:
            try:
                await self.poll_zalo_once()
            except Exception as exc:  # keep polling; the service may be down for a while
                log.warning("zalo getUpdates failed: %s", mask_text(repr(exc)))
                await asyncio.sleep(5)

    async def poll_zalo_once(self) -> int:
        """One ``getUpdates`` call; link chats that sent a valid code; return links made."""
        if self.zalo is None:
            return 0
        status, data, _ = await self.zalo.call(
            "getUpdates", {"timeout": str(int(self.cfg.zalo_poll_timeout_s))},  # a string
            timeout_s=self.cfg.zalo_poll_timeout_s + 10)
        if status >= 300 or not isinstance(data, dict):
            await asyncio.sleep(1)
            return 0
        result = data.get("result") or []
        updates = result if isinstance(result, list) else [result]
        linked = 0
        for update in updates:
            message = update.get("message") if isinstance(update, dict) else None
            if not isinstance(message, dict):
                continue
            chat = message.get("chat") or {}
            chat_id = str(chat.get("id", ""))
            match = _CODE.search(str(message.get("text", "")))
            if not chat_id or not match:
                continue
            now = to_iso(utcnow())
            if str(chat.get("chat_type", chat.get("type", ""))).upper() == "GROUP":
                # a personal account is never linked to a group chat (admins subscribe groups)
                await self.zalo.send(Outgoing(f"link:{chat_id}:{now}", chat_id, "",
                                              "Hãy gửi mã trong tin nhắn riêng với bot."))
                continue
            clock = asyncio.get_running_loop().time()
            recent = [t for t in self._link_failures.get(chat_id, [])
                      if clock - t < self.cfg.link_code_ttl_s]
            self._link_failures[chat_id] = recent
            if len(recent) >= LINK_FAILURES_MAX:
                continue  # guessing codes: ignore this chat for a while
            async with self.db.transaction() as tx:
                user_id = await redeem_link_code(tx, match[1], chat_id, now)
            if user_id is None:
                recent.append(clock)
            reply = ("Đã liên kết tài khoản camnet. Bạn sẽ nhận cảnh báo tại đây."
                     if user_id else "Mã không hợp lệ hoặc đã hết hạn / Invalid or expired code.")
            linked += int(user_id is not None)
            await self.zalo.send(Outgoing(f"link:{chat_id}:{now}", chat_id, "", reply))
        return linked


def _outgoing(row: Any) -> Outgoing:
    import json

    payload = json.loads(row["payload"] or "{}")
    html = str(payload.pop("html", ""))
    return Outgoing(row["idem_key"], row["address"], row["subject"], row["body"], html, payload,
                    int(row["parts_sent"]))
