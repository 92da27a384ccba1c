"""Content-addressed storage of evidence files under the data directory.

A file is written to ``<root>/tmp`` while its SHA-256 is computed, flushed with ``fsync`` and
renamed to ``<root>/sha256/ab/cd/<hex>``. The client's file name never takes part in the
path. On any error, cancellation or an over-limit size the partial file is deleted. Disk
writes and hashing run in a worker thread in batches, never in the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
import time
from collections.abc import AsyncIterable, AsyncIterator
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from camnet.errors import CamnetError

_BATCH_BYTES = 4 * 1024 * 1024
_READ_BYTES = 1024 * 1024


class BlobTooLarge(CamnetError):
    """An upload went over the configured size limit."""

    status = 413
    code = "too_large"


class BlobCorrupted(Exception):
    """A stored file no longer matches the hash that names it."""


@dataclass(frozen=True, slots=True)
class Blob:
    """A stored file: its SHA-256 (hex) and size in bytes."""

    sha256: str
    size: int
    repaired: bool = False  # a bad stored copy was replaced by this upload


def hash_file(path: Path) -> Blob:
    """Blocking: the SHA-256 and size of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(_READ_BYTES):
            digest.update(block)
            size += len(block)
    return Blob(digest.hexdigest(), size)


class _Writer:
    """Blocking half of an upload: append, hash, and finally fsync + rename."""

    def __init__(self, tmp_dir: Path) -> None:
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="upload-", dir=tmp_dir)
        self.path = Path(name)
        self.fh: BinaryIO = os.fdopen(fd, "wb")
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, chunks: list[bytes]) -> None:
        for data in chunks:
            self.digest.update(data)  # releases the GIL for buffers over 2 KiB
            self.size += len(data)
        self.fh.writelines(chunks)

    def commit(self, final_for: Path) -> Blob:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        blob = Blob(self.digest.hexdigest(), self.size)
        target = final_for / blob.sha256[:2] / blob.sha256[2:4] / blob.sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and hash_file(target).sha256 == blob.sha256:
            self.path.unlink()  # same content already stored, and still intact
            return blob
        repaired = target.exists()  # the stored copy no longer matched: replace it
        os.chmod(self.path, 0o440)
        os.replace(self.path, target)
        return Blob(blob.sha256, blob.size, repaired)

    def discard(self) -> None:
        self.fh.close()
        self.path.unlink(missing_ok=True)


class BlobStore:
    """Evidence files named by their SHA-256, with a per-upload size limit."""

    def __init__(self, root: Path, max_bytes: int, executor: Executor | None = None) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.executor = executor

    @property
    def _objects(self) -> Path:
        return self.root / "sha256"

    def path_for(self, sha256: str) -> Path:
        """Where the file with this hash lives (whether or not it exists)."""
        sha = sha256.lower()
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise ValueError("not a SHA-256 hex digest")
        return self._objects / sha[:2] / sha[2:4] / sha

    async def put_stream(self, chunks: AsyncIterable[bytes]) -> Blob:
        """Store a stream of bytes; the partial file is deleted on any failure.

        Raises:
            BlobTooLarge: the stream went over ``max_bytes``.
        """
        loop = asyncio.get_running_loop()
        writer = await loop.run_in_executor(self.executor, _Writer, self.root / "tmp")
        inflight: asyncio.Future[None] | None = None
        try:
            pending: list[bytes] = []
            pending_size = 0
            total = 0
            async for chunk in chunks:
                total += len(chunk)
                if total > self.max_bytes:
                    raise BlobTooLarge(
                        f"the file is larger than the limit of {self.max_bytes} bytes", "file"
                    )
                pending.append(chunk)
                pending_size += len(chunk)
                if pending_size >= _BATCH_BYTES:
                    # Hash and write this batch in the worker while the next one arrives.
                    if inflight is not None:
                        await inflight
                    inflight = loop.run_in_executor(self.executor, writer.write, pending)
                    pending, pending_size = [], 0
            if inflight is not None:
                await inflight
                inflight = None
            if pending:
                await loop.run_in_executor(self.executor, writer.write, pending)
            return await loop.run_in_executor(self.executor, writer.commit, self._objects)
        except BaseException:
            # Also on cancellation: let the worker finish its current batch, then delete.
            if inflight is not None:
                await asyncio.shield(asyncio.wait([inflight]))
            await asyncio.shield(loop.run_in_executor(self.executor, writer.discard))
            raise

    async def put_file(self, path: Path) -> Blob:
        """Store a copy of a local file."""

        async def chunks() -> AsyncIterator[bytes]:
            loop = asyncio.get_running_loop()
            with path.open("rb") as fh:
                while block := await loop.run_in_executor(self.executor, fh.read, _BATCH_BYTES):
                    yield block

        return await self.put_stream(chunks())

    async def open_verified(self, sha256: str) -> Path:
        """Re-hash a stored file and return its path.

        Raises:
            FileNotFoundError: nothing is stored under this hash.
            BlobCorrupted: the file's content no longer matches its name.
        """
        path = self.path_for(sha256)
        loop = asyncio.get_running_loop()
        actual = await loop.run_in_executor(self.executor, hash_file, path)
        if actual.sha256 != sha256.lower():
            raise BlobCorrupted(f"stored file hashes to {actual.sha256[:16]}…, not {sha256[:16]}…")
        return path

    def remove_partials(self, older_than_s: float = 0.0) -> list[Path]:
        """Blocking: delete partial uploads in ``tmp`` older than ``older_than_s`` seconds.

        At start no upload is in flight, so every partial file is a leftover of a killed
        upload; the periodic sweep passes an age so live uploads are kept.
        """
        tmp = self.root / "tmp"
        if not tmp.is_dir():
            return []
        removed = []
        limit = time.time() - older_than_s
        for path in tmp.glob("upload-*"):
            try:
                if path.stat().st_mtime <= limit:
                    path.unlink()
                    removed.append(path)
            except FileNotFoundError:
                continue
        return removed

    def stored_hashes(self) -> dict[str, Path]:
        """Blocking: every stored file, by the hash its name claims."""
        found: dict[str, Path] = {}
        if self._objects.is_dir():
            for path in self._objects.glob("*/*/*"):
                if path.is_file():
                    found[path.name] = path
        return found
