"""Re-hash every stored evidence file and compare it with the items that name it."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from camnet.evidence.blobstore import BlobStore

_READ = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileCheck:
    """Outcome of re-hashing all stored files."""

    files: int
    bytes: int
    bad: list[str] = field(default_factory=list)  # one message per bad or missing file


def stored_items(db_path: Path) -> list[tuple[str, int, list[int]]]:
    """Blocking: (sha256, size, item ids) of every file camnet keeps."""
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT sha256, MAX(size), group_concat(id) FROM evidence_item WHERE stored = 1"
            " GROUP BY sha256 ORDER BY MIN(id)").fetchall()
    finally:
        conn.close()
    return [(str(sha), int(size), [int(i) for i in str(ids).split(",")])
            for sha, size, ids in rows]


def check_all(db_path: Path, store: BlobStore,
              progress: Callable[[int], None] = lambda _n: None) -> FileCheck:
    """Blocking: re-hash every stored file; ``progress`` gets the bytes read as they go."""
    bad: list[str] = []
    total = 0
    wanted = stored_items(db_path)
    for sha, size, ids in wanted:
        path = store.path_for(sha)
        names = ", ".join(str(i) for i in ids)
        try:
            digest = hashlib.sha256()
            with path.open("rb") as fh:
                while block := fh.read(_READ):
                    digest.update(block)
                    total += len(block)
                    progress(len(block))
        except FileNotFoundError:
            bad.append(f"item {names}: stored file {sha[:16]}… is MISSING")
            progress(size)
            continue
        if digest.hexdigest() != sha:
            bad.append(f"item {names}: stored file hashes to {digest.hexdigest()[:16]}…, "
                       f"not {sha[:16]}… (FILE DOES NOT MATCH)")
    return FileCheck(len(wanted), total, bad)
