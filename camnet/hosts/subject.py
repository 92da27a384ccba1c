"""Data-subject requests of hosts (view / correct / delete their data), with a legal deadline.

A host files one from their page; it is logged with its deadline (``hosts.subject_request_hours``
after filing) and appears in the zone officers' queue until an officer closes it.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from camnet import audit
from camnet.auth.principal import Principal
from camnet.auth.scope import in_scope
from camnet.db import Database
from camnet.errors import Conflict, InvalidInput, NotFound
from camnet.hosts.registrations import get_for_host, get_in_scope, host_actor
from camnet.timeutil import now_iso, to_iso, utcnow
from camnet.validation import multi_line

KINDS = ("view", "correct", "delete")


def _text(note: str, field: str) -> str:
    try:
        return multi_line(note).strip()[:2000]
    except ValueError as exc:
        raise InvalidInput(f"{field}: {exc}", field) from exc


async def file_request(db: Database, registration_id: int, kind: str, note: str, *,
                       deadline_hours: int) -> int:
    """Log a host's request; return its id."""
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", "kind")
    text = _text(note, "note")
    now = utcnow()
    async with db.transaction() as tx:
        row = await get_for_host(tx, registration_id)
        request_id = await tx.execute(
            "INSERT INTO host_subject_request(registration_id, kind, note, created_at, due_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (registration_id, kind, text, to_iso(now),
             to_iso(now + timedelta(hours=deadline_hours))))
        await audit.record(tx, host_actor(row), "create", "host_subject_request", request_id,
                           None, {"kind": kind})
    return request_id


async def requests_of(db: Database, registration_id: int) -> list[sqlite3.Row]:
    """A host's own requests, newest first."""
    return await db.fetchall("SELECT * FROM host_subject_request WHERE registration_id = ?"
                             " ORDER BY id DESC", (registration_id,))


async def open_in_scope(db: Database, actor: Principal) -> list[sqlite3.Row]:
    """Open requests of hosts in the officer's zone subtree, nearest deadline first."""
    actor.require("registry.write")
    scope, params = in_scope("z.path", actor.zone_path)
    return await db.fetchall(
        "SELECT s.*, r.host_name, r.point_name, z.name AS zone_name FROM host_subject_request s"
        " JOIN host_registration r ON r.id = s.registration_id JOIN zone z ON z.id = r.zone_id"
        f" WHERE s.status = 'open' AND {scope} ORDER BY s.due_at", params)  # noqa: S608


async def close_request(db: Database, actor: Principal, request_id: int, *, status: str,
                        answer: str) -> None:
    """An officer closes a request (``done`` or ``refused``) with an answer the host reads."""
    if status not in ("done", "refused"):
        raise InvalidInput("status must be done or refused", "status")
    text = _text(answer, "answer")
    if not text:
        raise InvalidInput("write the answer the host will read", "answer")
    async with db.transaction() as tx:
        row = await tx.fetchone("SELECT * FROM host_subject_request WHERE id = ?", (request_id,))
        if row is None:
            raise NotFound(f"no request {request_id}", "id")
        await get_in_scope(tx, actor, int(row["registration_id"]))
        if row["status"] != "open":
            raise Conflict("this request is already closed", "status")
        await tx.execute("UPDATE host_subject_request SET status = ?, answer = ?, closed_at = ?,"
                         " closed_by = ? WHERE id = ?",
                         (status, text, now_iso(), actor.username, request_id))
        await audit.record(tx, actor, status, "host_subject_request", request_id, None,
                           {"answer": text})
