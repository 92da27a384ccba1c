"""A host answers an approved footage request from their page.

Either the clip is uploaded (the same streamed, hashed, content-addressed upload officers
use: ``evidence.items.upload_item``; its custody chain records "received from host" with the
host as holder), or the host answers that there is no footage, the recorder overwrote it or
the camera was off. Each answer is also noted in the request's history for the investigator.
Evidence never imports hosts; hosts calls evidence.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator

from camnet.auth.principal import Principal
from camnet.db import Database
from camnet.errors import Conflict, InvalidInput
from camnet.evidence.blobstore import BlobStore
from camnet.evidence.items import upload_item
from camnet.evidence.models import ItemOut
from camnet.evidence.requests import add_note
from camnet.hosts.hostpage import requests as host_requests
from camnet.hosts.registrations import get_for_host
from camnet.timeutil import now_iso

ANSWER_TEXT = {
    "uploaded": "Chủ camera đã tải đoạn hình ảnh lên",
    "no_footage": "Chủ camera trả lời: không có hình ảnh",
    "overwritten": "Chủ camera trả lời: đầu ghi đã ghi đè",
    "camera_off": "Chủ camera trả lời: camera tắt trong khoảng thời gian này",
}
ANSWERABLE = ("approved", "extracted")


def _host_evidence_actor(registration_id: int) -> Principal:
    """Who records a host's upload: the host, with exactly the right to add evidence."""
    return Principal(user_id=0, username=f"host#{registration_id}", role="investigator",
                     zone_id=None, zone_path="/")


async def _check(db: Database, registration_id: int, request_id: int, camera_id: int) -> None:
    for req in await host_requests(db, registration_id):
        if req.id == request_id:
            if req.status not in ANSWERABLE:
                raise Conflict("this request is not open for answers", "request_id")
            if camera_id not in {c["camera_id"] for c in req.cameras}:
                raise InvalidInput("this request does not name that camera of yours", "camera_id")
            return
    raise InvalidInput("no such request for your cameras", "request_id")


async def _record(db: Database, registration_id: int, request_id: int, camera_id: int,
                  answer: str, item_id: int | None) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO host_footage_answer(registration_id, request_id, camera_id, answer,"
            " item_id, at) VALUES (?, ?, ?, ?, ?, ?)",
            (registration_id, request_id, camera_id, answer, item_id, now_iso()))
    await add_note(db, _host_evidence_actor(registration_id), request_id,
                   f"{ANSWER_TEXT[answer]} (camera {camera_id})")


async def answer_without_clip(db: Database, registration_id: int, request_id: int,
                              camera_id: int, answer: str) -> None:
    """Record "no footage / overwritten / camera was off" on the request."""
    if answer not in ("no_footage", "overwritten", "camera_off"):
        raise InvalidInput("answer must be no_footage, overwritten or camera_off", "answer")
    await _check(db, registration_id, request_id, camera_id)
    await _record(db, registration_id, request_id, camera_id, answer, None)


async def upload_clip(db: Database, store: BlobStore, registration_id: int, request_id: int,
                      camera_id: int, chunks: AsyncIterator[bytes], filename: str) -> ItemOut:
    """Stream the host's clip into the evidence store and record it on the request."""
    await _check(db, registration_id, request_id, camera_id)
    row = await get_for_host(db, registration_id)
    holder = f"Chủ camera: {row['host_name']} (hồ sơ #{registration_id})"
    item = await upload_item(db, _host_evidence_actor(registration_id), store, request_id,
                             chunks, filename=filename, camera_id=camera_id,
                             method="received from host", holder=holder)
    await _record(db, registration_id, request_id, camera_id, "uploaded", item.id)
    return item


async def answers_of(db: Database, registration_id: int) -> list[sqlite3.Row]:
    """The host's answers so far."""
    return await db.fetchall("SELECT * FROM host_footage_answer WHERE registration_id = ?"
                             " ORDER BY id", (registration_id,))
