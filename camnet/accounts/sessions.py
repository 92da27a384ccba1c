"""Browser sessions kept on the server (``user_session``), so that they really end.

Logout, a password, role or zone change and disabling a user end them, whatever cookie a
browser still holds.

The cookie carries only a random session id; the table keeps its SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from camnet.accounts import users  # users imports this module too: use attributes at call time
from camnet.auth.principal import Principal
from camnet.db import Database, Transaction
from camnet.errors import Forbidden, NotFound
from camnet.timeutil import parse_iso, to_iso

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


@dataclass(frozen=True)
class SessionOut:
    """One session as shown to its user (never the id itself)."""

    id: int
    created_at: str
    last_seen_at: str
    expires_at: str
    address: str
    user_agent: str
    current: bool


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


async def start_session(tx: Transaction, user_id: int, *, lifetime_s: int, address: str,
                        user_agent: str, now: datetime) -> str:
    """Open a session for a user who just logged in; return the id for the cookie."""
    sid = secrets.token_urlsafe(32)
    await tx.execute(
        "INSERT INTO user_session(user_id, sid_hash, created_at, last_seen_at, expires_at,"
        " address, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (user_id, _digest(sid), to_iso(now), to_iso(now), to_iso(now + timedelta(seconds=lifetime_s)),
         address[:64], user_agent[:200]))
    return sid


async def principal_by_session(db: Database, sid: str, now: datetime) -> Principal | None:
    """The principal of an open, unexpired session of an enabled user, else ``None``."""
    session = await db.fetchone(
        "SELECT user_id, last_seen_at FROM user_session"
        " WHERE sid_hash = ? AND ended_at IS NULL AND expires_at > ?", (_digest(sid), to_iso(now)))
    if session is None:
        return None
    principal = await users.principal_by_id(db, int(session["user_id"]))
    if principal is not None and now - parse_iso(session["last_seen_at"]) > TOUCH_EVERY:
        async with db.transaction() as tx:
            await tx.execute("UPDATE user_session SET last_seen_at = ? WHERE sid_hash = ?",
                             (to_iso(now), _digest(sid)))
    return principal


async def end_session(tx: Transaction, sid: str, reason: str, now: datetime) -> int | None:
    """End one session (logout); return the user's id, ``None`` when there was none."""
    row = await tx.fetchone("SELECT user_id FROM user_session WHERE sid_hash = ? AND ended_at IS NULL",
                            (_digest(sid),))
    if row is None:
        return None
    await tx.execute("UPDATE user_session SET ended_at = ?, end_reason = ? WHERE sid_hash = ?",
                     (to_iso(now), reason, _digest(sid)))
    return int(row["user_id"])


async def end_user_sessions(tx: Transaction, user_id: int, reason: str, now: datetime) -> int:
    """End every open session of a user (password, role or zone change, disabling)."""
    return await tx.execute_rowcount(
        "UPDATE user_session SET ended_at = ?, end_reason = ? WHERE user_id = ? AND ended_at IS NULL",
        (to_iso(now), reason, user_id))


async def list_sessions(db: Database, actor: Principal, now: datetime,
                        current_sid: str | None = None) -> list[SessionOut]:
    """The caller's own open sessions, newest first."""
    rows = await db.fetchall(
        "SELECT id, sid_hash, created_at, last_seen_at, expires_at, address, user_agent"
        " FROM user_session WHERE user_id = ? AND ended_at IS NULL AND expires_at > ?"
        " ORDER BY id DESC", (actor.user_id, to_iso(now)))
    mine = _digest(current_sid) if current_sid else None
    return [SessionOut(r["id"], r["created_at"], r["last_seen_at"], r["expires_at"], r["address"],
                       r["user_agent"], r["sid_hash"] == mine) for r in rows]


async def end_own_session(db: Database, actor: Principal, session_id: int, now: datetime) -> None:
    """End one of the caller's own sessions (e.g. a phone left logged in)."""
    if actor.user_id == 0:
        raise Forbidden("the command line has no sessions")
    async with db.transaction() as tx:
        changed = await tx.execute_rowcount(
            "UPDATE user_session SET ended_at = ?, end_reason = 'ended by user'"
            " WHERE id = ? AND user_id = ? AND ended_at IS NULL",
            (to_iso(now), session_id, actor.user_id))
    if not changed:
        raise NotFound(f"no open session {session_id} of yours", "id")
