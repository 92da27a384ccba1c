"""Evidence items and their chain of custody.

A file uploaded to camnet is stored content-addressed (its SHA-256 names it; the client's
file name is only metadata). An item held elsewhere is registered by hash and size. Every
action on an item is an append-only, hash-chained ``custody_event`` (see :mod:`camnet.chain`).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from camnet import audit
from camnet.auth.principal import Principal
from camnet.db import Database, Transaction
from camnet.errors import Conflict, InvalidInput, NotFound, Words
from camnet.evidence.blobstore import BlobCorrupted, BlobStore
from camnet.evidence.custody import (
    AFTER_HANDOVER,
    CUSTODY_COLUMNS,
    CUSTODY_OPTIONAL,
    CUSTODY_TABLE,
    append_event,
)
from camnet.evidence.models import CustodyIn, ExternalItemIn, ItemOut
from camnet.evidence.requests import get_request_row
from camnet.timeutil import now_iso

__all__ = ["CUSTODY_COLUMNS", "CUSTODY_OPTIONAL", "CUSTODY_TABLE"]  # re-exported
ITEM_STATUSES = ("approved", "extracted")  # items are recorded once a request is approved


def item_out(row: sqlite3.Row) -> ItemOut:
    """Convert an item row to its API model."""
    data = {k: row[k] for k in ItemOut.model_fields}
    data["stored"] = bool(row["stored"])
    return ItemOut(**data)


def safe_filename(name: str) -> str:
    """Keep only the last path component of a client file name, printable, <= 255 chars.

    Percent-escapes are decoded first (some clients send ``..%2Fetc%2Fpasswd``), so an
    encoded separator cannot hide a path either. The result is metadata only.
    """
    base = unquote(name).replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable() and c not in '<>:"|?*').strip(". ")
    return cleaned[:255] or "unnamed"


async def _check_request(tx: Transaction, actor: Principal, request_id: int, camera_id: int | None
                         ) -> None:
    row = await get_request_row(tx, actor, request_id, field="request_id")
    if row["status"] not in ITEM_STATUSES:
        raise Conflict(f"items are recorded on approved requests; this one is {row['status']!r}",
                       "request_id", key="err_items_need_approval",
                       status=Words.of("request_status_", row["status"]))
    if camera_id is not None and not await tx.fetchval(
        "SELECT 1 FROM request_camera WHERE request_id = ? AND camera_id = ?",
        (request_id, camera_id),
    ):
        raise InvalidInput(f"camera {camera_id} is not part of request {request_id}", "camera_id",
                           key="err_camera_not_in_request")


async def add_custody(tx: Transaction, actor: Principal, item_id: int, event: CustodyIn,
                      fact: dict[str, object] | None = None) -> int:
    """Append one custody event to the chain inside the caller's transaction."""
    request_id = await tx.fetchval("SELECT request_id FROM evidence_item WHERE id = ?", (item_id,))
    event_id = await append_event(tx, actor.username, request_id=int(request_id),
                                  action=event.action, item_id=item_id,
                                  from_holder=event.from_holder, to_holder=event.to_holder,
                                  note=event.note, fact=fact)
    if event.action == "transferred" and event.to_holder:
        await tx.execute("UPDATE evidence_item SET holder = ? WHERE id = ?",
                         (event.to_holder, item_id))
    return event_id


async def _insert_item(tx: Transaction, actor: Principal, request_id: int, camera_id: int | None,
                       filename: str, size: int, sha256: str, stored: bool, method: str,
                       holder: str) -> int:
    now = now_iso()
    item_id = await tx.execute(
        "INSERT INTO evidence_item(request_id, camera_id, filename, size, sha256, stored,"
        " acquired_at, acquired_by, method, holder, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (request_id, camera_id, filename, size, sha256.lower(), int(stored), now, actor.username,
         method, holder, now),
    )
    await add_custody(tx, actor, item_id, CustodyIn(action="acquired", to_holder=holder,
                                                    note=f"{method} {filename}".strip()),
                      fact={"filename": filename, "size": size, "sha256": sha256.lower(),
                            "stored": stored, "camera_id": camera_id})
    await audit.record(tx, actor, "create", "evidence_item", item_id, None,
                       {"request_id": request_id, "filename": filename, "size": size,
                        "sha256": sha256, "stored": stored})
    return item_id


async def upload_item(db: Database, actor: Principal, store: BlobStore, request_id: int,
                      chunks: AsyncIterator[bytes], *, filename: str, camera_id: int | None,
                      method: str, holder: str) -> ItemOut:
    """Store an uploaded file (hashed while streaming) and record it; nothing on failure."""
    actor.require("evidence.write")
    async with db.transaction() as tx:  # check before reading the body
        await _check_request(tx, actor, request_id, camera_id)
    blob = await store.put_stream(chunks)
    async with db.transaction() as tx:
        await _check_request(tx, actor, request_id, camera_id)
        same = await tx.fetchone(
            "SELECT id FROM evidence_item WHERE request_id = ? AND sha256 = ? AND stored = 1"
            " ORDER BY id LIMIT 1", (request_id, blob.sha256))
        if blob.repaired:
            await _record_repair(tx, actor, blob.sha256, safe_filename(filename))
        if same is not None:  # the same file again: one item, the upload noted in its custody
            item_id = int(same["id"])
            await add_custody(tx, actor, item_id, CustodyIn(
                action="viewed", note=f"uploaded again as {safe_filename(filename)}; "
                "same SHA-256, kept as the same item"))
        else:
            item_id = await _insert_item(tx, actor, request_id, camera_id,
                                         safe_filename(filename), blob.size, blob.sha256, True,
                                         method, holder or actor.username)
        row = await tx.fetchone("SELECT * FROM evidence_item WHERE id = ?", (item_id,))
    assert row is not None  # noqa: S101
    return item_out(row)


async def _record_repair(tx: Transaction, actor: Principal, sha256: str, filename: str) -> None:
    """A bad stored copy was replaced by a genuine upload: say so on every item it backs."""
    rows = await tx.fetchall("SELECT id FROM evidence_item WHERE sha256 = ? AND stored = 1",
                             (sha256,))
    for r in rows:
        await add_custody(tx, actor, int(r["id"]), CustodyIn(
            action="file_repaired",
            note=f"stored copy no longer matched its SHA-256; replaced by upload {filename}"))
        await audit.record(tx, actor, "file_repaired", "evidence_item", int(r["id"]), None,
                           {"sha256": sha256})


async def register_item(db: Database, actor: Principal, request_id: int, data: ExternalItemIn
                        ) -> ItemOut:
    """Record an item kept elsewhere (e.g. a USB stick in a sealed bag) by hash and size."""
    actor.require("evidence.write")
    async with db.transaction() as tx:
        await _check_request(tx, actor, request_id, data.camera_id)
        item_id = await _insert_item(tx, actor, request_id, data.camera_id,
                                     safe_filename(data.filename), data.size, data.sha256, False,
                                     data.method, data.holder)
        row = await tx.fetchone("SELECT * FROM evidence_item WHERE id = ?", (item_id,))
    assert row is not None  # noqa: S101
    return item_out(row)


async def get_item_row(db: Database | Transaction, actor: Principal, item_id: int) -> sqlite3.Row:
    """Fetch an item whose request is in the caller's scope."""
    row = await db.fetchone("SELECT * FROM evidence_item WHERE id = ?", (item_id,))
    if row is None:
        raise NotFound(f"evidence item {item_id} does not exist or is outside your zone", "id")
    await get_request_row(db, actor, row["request_id"])
    return row


async def list_items(db: Database, actor: Principal, request_id: int) -> list[ItemOut]:
    """Items of one request."""
    actor.require("incident.read")
    await get_request_row(db, actor, request_id)
    rows = await db.fetchall("SELECT * FROM evidence_item WHERE request_id = ? ORDER BY id",
                             (request_id,))
    return [item_out(r) for r in rows]


async def record_custody(db: Database, actor: Principal, item_id: int, event: CustodyIn) -> int:
    """Record a custody action (transferred, copied, viewed, returned, sealed)."""
    actor.require("evidence.write")
    if event.action in ("acquired", "file_repaired"):
        raise InvalidInput(f"{event.action!r} is recorded by camnet itself", "action")
    if event.action == "transferred" and not event.to_holder:
        raise InvalidInput("say who receives the item", "to_holder", key="err_item_recipient")
    async with db.transaction() as tx:
        item = await get_item_row(tx, actor, item_id)
        status = await tx.fetchval("SELECT status FROM extraction_request WHERE id = ?",
                                   (item["request_id"],))
        if status == "handed_over":
            if event.action not in AFTER_HANDOVER:
                raise Conflict(f"after hand-over only {', '.join(AFTER_HANDOVER)} may be "
                               "recorded", "action", key="err_after_handover_only",
                               actions=Words.of("custody_", *AFTER_HANDOVER))
            if not event.note.strip():
                raise InvalidInput(f"say why the item is {event.action}", "note",
                                   key="err_custody_reason",
                                   action=Words.of("custody_", event.action))
        elif event.action in ("re_verified", "destroyed"):
            raise Conflict(f"{event.action!r} is recorded after hand-over", "action",
                           key="err_only_after_handover",
                           action=Words.of("custody_", event.action))
        if event.action == "transferred" and not event.from_holder:
            event = event.model_copy(update={"from_holder": item["holder"]})
        event_id = await add_custody(tx, actor, item_id, event)
        await audit.record(tx, actor, "custody", "evidence_item", item_id, None,
                           event.model_dump())
    return event_id


# Notes camnet itself writes into the custody chain (stored in English, hashed, never
# rewritten): the pattern, and the catalogue key pages show instead, with its parameters.
_SYSTEM_NOTES = (
    (re.compile(r"uploaded again as (?P<name>.+); same SHA-256, kept as the same item"),
     "custody_note_uploaded_again"),
    (re.compile(r"stored copy no longer matched its SHA-256; replaced by upload (?P<name>.+)"),
     "custody_note_repaired"),
    (re.compile(r"downloaded from camnet"), "custody_note_downloaded"),
)


def system_note(note: str) -> tuple[str, dict[str, str]] | None:
    """The catalogue key and parameters of a note camnet wrote itself, else ``None``."""
    for pattern, key in _SYSTEM_NOTES:
        found = pattern.fullmatch(note or "")
        if found:
            return key, found.groupdict()
    return None


async def custody_log(db: Database, actor: Principal, item_ids: list[int]) -> list[dict[str, object]]:
    """The custody events of some items, in chain order."""
    if not item_ids:
        return []
    marks = ",".join("?" * len(item_ids))
    rows = await db.fetchall(
        f"SELECT * FROM custody_event WHERE item_id IN ({marks}) ORDER BY id", item_ids)
    return [dict(r) for r in rows]


async def open_for_download(db: Database, actor: Principal, store: BlobStore, item_id: int
                            ) -> tuple[Path, sqlite3.Row]:
    """Re-check a stored file's hash, log the copy in the custody chain, return its path.

    Raises:
        Conflict: the item is held elsewhere, or its file no longer matches its hash.
    """
    actor.require("evidence.write")
    item = await get_item_row(db, actor, item_id)
    if not item["stored"]:
        raise Conflict("this item is held elsewhere; camnet has only its hash", "id",
                       key="err_item_held_elsewhere")
    from camnet.evidence.blobstore import BlobCorrupted

    try:
        path = await store.open_verified(item["sha256"])
    except (BlobCorrupted, FileNotFoundError) as exc:
        raise Conflict(f"the stored file no longer matches its SHA-256 ({exc}); refusing it",
                       "id") from exc
    async with db.transaction() as tx:
        await add_custody(tx, actor, item_id, CustodyIn(action="copied", to_holder=actor.username,
                                                        note="downloaded from camnet"))
    return path, item


async def verify_request_files(db: Database, actor: Principal, store: BlobStore,
                               request_id: int) -> list[dict[str, Any]]:
    """Re-hash every stored file of a request; each item says ``ok``, ``bad`` or ``elsewhere``.

    ``bad`` means the stored bytes no longer match the recorded SHA-256 (or the file is gone);
    re-uploading the genuine file repairs it.
    """
    found = await list_items(db, actor, request_id)
    out: list[dict[str, Any]] = []
    for item in found:
        state, problem = "elsewhere", ""
        if item.stored:
            try:
                await store.open_verified(item.sha256)
                state = "ok"
            except (BlobCorrupted, FileNotFoundError) as exc:
                state, problem = "bad", str(exc)
        out.append({"item_id": item.id, "filename": item.filename, "sha256": item.sha256,
                    "state": state, "problem": problem})
    return out
