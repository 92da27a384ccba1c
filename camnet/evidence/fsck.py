"""``camnet evidence fsck``: stored files with no item, items with no file, partial uploads.

Orphan files are moved to ``<data>/evidence/quarantine`` (never deleted): a file may be the
only copy of something whose row was lost, and that is for a person to decide.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from camnet.config import Config
from camnet.evidence.blobstore import BlobStore


@dataclass(frozen=True, slots=True)
class FsckResult:
    """What fsck found (and moved or removed)."""

    checked: int
    orphans: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    partials: list[Path] = field(default_factory=list)


def blob_store(config: Config) -> BlobStore:
    """The evidence file store of a configuration."""
    return BlobStore(config.data_dir / "evidence", config.evidence.upload_max_bytes)


def fsck_blocking(db_path: Path, store: BlobStore, *, quarantine: bool) -> FsckResult:
    """Blocking: compare stored files with the items that name them."""
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        wanted = {r[0] for r in conn.execute(
            "SELECT DISTINCT sha256 FROM evidence_item WHERE stored = 1")}
    finally:
        conn.close()
    stored = store.stored_hashes()
    orphans = []
    target_dir = store.root / "quarantine"
    for sha, path in sorted(stored.items()):
        if sha in wanted:
            continue
        if quarantine:
            target_dir.mkdir(parents=True, exist_ok=True)
            target = target_dir / path.name
            os.replace(path, target)
            orphans.append(target)
        else:
            orphans.append(path)
    partials = store.remove_partials()
    return FsckResult(len(stored), orphans, sorted(wanted - set(stored)), partials)


async def fsck(config: Config, *, quarantine: bool = True) -> FsckResult:
    """Run fsck in a worker thread."""
    return await asyncio.to_thread(fsck_blocking, config.database_path, blob_store(config),
                                   quarantine=quarantine)
