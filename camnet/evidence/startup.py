"""Checks run each time the database is opened (service start, CLI commands)."""

from __future__ import annotations

import asyncio
import logging

from camnet.config import Config
from camnet.db import Database
from camnet.evidence.fsck import blob_store
from camnet.evidence.guards import ensure_guards

log = logging.getLogger(__name__)


async def on_open(db: Database, config: Config, *, clean_partials: bool = False) -> None:
    """Re-create missing append-only triggers; optionally delete leftover partial uploads.

    Only the service passes ``clean_partials`` (at its start no upload is in flight).
    """
    await ensure_guards(db)
    if clean_partials:
        removed = await asyncio.to_thread(blob_store(config).remove_partials)
        if removed:
            log.warning("removed %d partial upload(s) left by killed uploads", len(removed))
