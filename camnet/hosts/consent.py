"""Versioned consent: the texts a host agrees to, and each consent given or withdrawn.

A text version never changes (SQLite triggers refuse UPDATE and DELETE); a new wording is a
new version. A consent row names the version, the time, the channel (``web`` or ``paper``
witnessed by an officer) and, once withdrawn, when and how.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from camnet import audit
from camnet.auth.principal import Principal
from camnet.db import Database, Transaction
from camnet.errors import Conflict, InvalidInput, NotFound
from camnet.timeutil import now_iso
from camnet.validation import multi_line


@dataclass(frozen=True)
class ConsentText:
    """One version of the consent text."""

    version: int
    body: str
    created_at: str


async def current_text(db: Database | Transaction) -> ConsentText:
    """The newest consent text (the one a new registration agrees to)."""
    row = await db.fetchone("SELECT * FROM host_consent_text ORDER BY version DESC LIMIT 1")
    if row is None:
        raise NotFound("no consent text is stored", "consent_version")
    return ConsentText(row["version"], row["body"], row["created_at"])


async def get_text(db: Database | Transaction, version: int) -> ConsentText:
    """One version of the consent text, else :class:`NotFound`."""
    row = await db.fetchone("SELECT * FROM host_consent_text WHERE version = ?", (version,))
    if row is None:
        raise NotFound(f"no consent text version {version}", "consent_version")
    return ConsentText(row["version"], row["body"], row["created_at"])


async def add_text(db: Database, actor: Principal, body: str) -> int:
    """Store a new version of the consent text (admins); earlier versions stay as they were."""
    actor.require("users.manage")
    try:
        body = multi_line(body).strip()
    except ValueError as exc:
        raise InvalidInput(f"text: {exc}", "body") from exc
    if not body:
        raise InvalidInput("the consent text cannot be empty", "body")
    async with db.transaction() as tx:
        last = int(await tx.fetchval("SELECT COALESCE(MAX(version), 0) FROM host_consent_text"))
        version = last + 1
        await tx.execute("INSERT INTO host_consent_text(version, body, created_at, created_by)"
                         " VALUES (?, ?, ?, ?)", (version, body, now_iso(), actor.username))
        await audit.record(tx, actor, "create", "host_consent_text", version, None,
                           {"version": version})
    return version


async def require_current(tx: Transaction, version: int) -> None:
    """Refuse consent to anything but the newest text (the form may be stale)."""
    current = await current_text(tx)
    if version != current.version:
        raise Conflict(f"the consent text changed (now version {current.version}); read it again"
                       " and tick the box", "consent_version")


async def give(tx: Transaction, registration_id: int, version: int, *, channel: str,
               witnessed_by: str | None = None) -> int:
    """Record one consent inside the caller's transaction; return its id."""
    await get_text(tx, version)
    if channel == "paper" and not witnessed_by:
        raise InvalidInput("a paper consent needs the witnessing officer", "witnessed_by")
    return await tx.execute(
        "INSERT INTO host_consent(registration_id, version, channel, given_at, witnessed_by)"
        " VALUES (?, ?, ?, ?, ?)", (registration_id, version, channel, now_iso(), witnessed_by))


async def withdraw_all(tx: Transaction, registration_id: int, via: str) -> int:
    """Withdraw every standing consent of a registration; return how many were withdrawn."""
    return await tx.execute_rowcount(
        "UPDATE host_consent SET withdrawn_at = ?, withdrawn_via = ?"
        " WHERE registration_id = ? AND withdrawn_at IS NULL", (now_iso(), via, registration_id))


async def consents_of(db: Database | Transaction, registration_id: int) -> list[sqlite3.Row]:
    """Every consent row of a registration, oldest first."""
    return await db.fetchall("SELECT * FROM host_consent WHERE registration_id = ? ORDER BY id",
                             (registration_id,))


def standing(rows: list[sqlite3.Row]) -> bool:
    """Tell whether any consent in ``rows`` is still in force."""
    return any(r["withdrawn_at"] is None for r in rows)
