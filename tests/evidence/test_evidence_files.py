"""Stored evidence files: repair on re-upload, one item per file, verify-all, fsck, partials."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from camnet.auth.principal import cli_principal
from camnet.config import load_config
from camnet.db import open_database
from camnet.evidence import items
from camnet.evidence.blobstore import BlobStore
from camnet.evidence.startup import on_open
from tests.evidence.test_anchors import _chunks, _seed, make_env

CLIP = b"clip-1"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, Any]:
    """See tests/test_anchors.py."""
    return make_env(tmp_path)


def _blob(data_dir: Path) -> Path:
    store = BlobStore(data_dir / "evidence", 10_000_000)
    sha = sqlite3.connect(data_dir / "camnet.sqlite3").execute(
        "SELECT sha256 FROM evidence_item").fetchone()[0]
    return store.path_for(sha)


async def _upload_again(data_dir: Path, request_id: int, data: bytes) -> int:
    config = load_config(None, {"storage": {"data_dir": str(data_dir)}})
    db = await open_database(config)
    try:
        store = BlobStore(data_dir / "evidence", 10_000_000)
        out = await items.upload_item(db, cli_principal("bob"), store, request_id, _chunks(data),
                                      filename="again.mp4", camera_id=None, method="usb",
                                      holder="kho")
        return out.id
    finally:
        await db.close()


def test_reupload_repairs_bad_copy_and_keeps_one_item(env: dict[str, Any]) -> None:
    request_id = asyncio.run(_seed(env["data"], upload=CLIP))
    path = _blob(env["data"])
    path.chmod(0o600)
    path.write_bytes(b"rotten")
    out = env["run"]("evidence", "verify", code=1)
    assert "stored files: 1 re-hashed, 1 bad" in out.output
    assert "FILE DOES NOT MATCH" in out.stderr
    item_id = asyncio.run(_upload_again(env["data"], request_id, CLIP))
    assert item_id == 1  # same file, same request: the same item
    assert path.read_bytes() == CLIP
    conn = sqlite3.connect(env["db"])
    actions = [r[0] for r in conn.execute("SELECT action FROM custody_event WHERE item_id = 1")]
    count = conn.execute("SELECT COUNT(*) FROM evidence_item").fetchone()[0]
    conn.close()
    assert actions == ["acquired", "file_repaired", "viewed"] and count == 1
    assert "stored files: 1 re-hashed, 0 bad" in env["run"]("evidence", "verify").output


def test_fsck_quarantines_orphans_and_partials_go_on_start(env: dict[str, Any]) -> None:
    asyncio.run(_seed(env["data"], upload=CLIP))
    store = BlobStore(env["data"] / "evidence", 10_000_000)
    orphan = store.path_for("cd" * 32)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"nobody's")
    partial = env["data"] / "evidence" / "tmp" / "upload-killed"
    partial.write_bytes(b"x" * 1000)
    result = env["run"]("evidence", "fsck", "--report-only", code=3)
    assert f"orphan: {orphan}" in result.output and orphan.exists()
    assert "partial upload removed" in result.output and not partial.exists()
    result = env["run"]("evidence", "fsck", code=3)
    assert "(quarantined)" in result.output and not orphan.exists()
    assert (env["data"] / "evidence" / "quarantine" / orphan.name).read_bytes() == b"nobody's"
    assert "0 orphans" in env["run"]("evidence", "fsck").output
    # a service start removes partial uploads left by killed uploads
    partial.write_bytes(b"y")

    async def start() -> None:
        config = load_config(None, {"storage": {"data_dir": str(env["data"])}})
        db = await open_database(config)
        try:
            await on_open(db, config, clean_partials=True)
        finally:
            await db.close()

    asyncio.run(start())
    assert not partial.exists()
