"""Checks run each time the database is opened (service start, CLI commands)."""

from __future__ import annotations

import asyncio
import logging

from camnet.config import Config
from camnet.db import Database
from camnet.evidence.anchors import anchor_loop
from camnet.evidence.fsck import blob_store
from camnet.evidence.guards import ensure_guards

log = logging.getLogger(__name__)


async def on_open(db: Database, config: Config, *, clean_partials: bool = False) -> list[str]:
    """Re-create missing append-only triggers; optionally delete leftover partial uploads.

    Only the service passes ``clean_partials`` (at its start no upload is in flight).

    Returns:
        The guard triggers that were missing and have been re-created (someone tampered).
    """
    recreated = await ensure_guards(db)
    if clean_partials:
        removed = await asyncio.to_thread(blob_store(config).remove_partials)
        if removed:
            log.warning("removed %d partial upload(s) left by killed uploads", len(removed))
    return recreated


async def sweep_partials(config: Config, *, every_s: float = 3600.0,
                         older_than_s: float = 6 * 3600.0) -> None:
    """Run forever: hourly, delete partial uploads older than six hours."""
    store = blob_store(config)
    while True:
        await asyncio.sleep(every_s)
        try:
            removed = await asyncio.to_thread(store.remove_partials, older_than_s)
        except OSError:
            log.exception("could not sweep partial uploads")
            continue
        if removed:
            log.warning("removed %d stale partial upload(s)", len(removed))


async def run_forever(config: Config) -> None:
    """The evidence background work: anchors (daily, at hand-over) and the partial sweep.

    Start it as one task when the service starts; cancel it when the service stops.
    """
    await asyncio.gather(anchor_loop(config), sweep_partials(config))
