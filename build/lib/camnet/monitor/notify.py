"""Notifications of confirmed status changes: a webhook first; other channels plug in."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

import aiohttp

from camnet.secretstore import mask_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusEvent:
    """One confirmed transition, as sent to people and systems (no credentials)."""

    camera_id: int
    camera: str
    point: str
    zone_code: str
    from_status: str
    to_status: str
    at: str
    reason: str


class Channel(Protocol):
    """A place notifications go (webhook, Telegram, Zalo, e-mail…)."""

    async def send(self, events: Sequence[StatusEvent]) -> None:
        """Deliver events; must not raise."""


class WebhookChannel:
    """POSTs ``{"events": [...]}`` as JSON to one URL."""

    def __init__(self, session: aiohttp.ClientSession, url: str, timeout_s: float) -> None:
        self._session = session
        self._url = url
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def send(self, events: Sequence[StatusEvent]) -> None:
        """POST the events; log (masked) and swallow any failure."""
        body = {"events": [asdict(e) for e in events]}
        try:
            async with self._session.post(self._url, json=body, timeout=self._timeout) as resp:
                if resp.status >= 300:
                    log.warning("webhook answered %s", resp.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("webhook failed: %s", mask_text(str(exc)))


class Notifier:
    """Fans events out to every channel without ever blocking the probe cycle."""

    def __init__(self, channels: Sequence[Channel] = ()) -> None:
        self.channels = list(channels)
        self._tasks: set[asyncio.Task[None]] = set()

    def publish(self, events: Sequence[StatusEvent]) -> None:
        """Send in the background; returns at once."""
        if not events:
            return
        for channel in self.channels:
            task = asyncio.create_task(channel.send(list(events)))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for notifications in flight (on shutdown and in tests)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
