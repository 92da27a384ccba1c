"""Hosts' private links: signed, expiring, revocable tokens of which only a hash is stored.

A token is ``<random>.<signature>``: the signature (HMAC-SHA-256 with the service key) lets a
forged or mistyped token be refused before the database is asked; the database holds only
the SHA-256 of the whole token with its expiry and revocation, so a copy of the database
opens no host page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

from camnet import audit
from camnet.auth.principal import Principal
from camnet.db import Database, Transaction
from camnet.errors import NotFound
from camnet.timeutil import now_iso, parse_iso, to_iso, utcnow

_SIG_BYTES = 16


def derive_key(master: bytes, purpose: str) -> bytes:
    """A key for one purpose (``link``, ``pow``) derived from the service's session key."""
    return hmac.new(master, f"camnet-hosts-{purpose}".encode(), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def sign(key: bytes, body: str) -> str:
    """The token for ``body``: the body and its truncated HMAC signature."""
    mac = hmac.new(key, b"camnet-host-link\n" + body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac[:_SIG_BYTES])}"


def signature_ok(key: bytes, token: str) -> bool:
    """Tell whether a token carries a valid signature (constant-time)."""
    body, _, _sig = token.partition(".")
    if not body or len(token) > 200:
        return False
    return hmac.compare_digest(sign(key, body), token)


def token_hash(token: str) -> str:
    """What the database stores of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(key: bytes) -> str:
    """A fresh signed token (256 random bits)."""
    return sign(key, _b64(secrets.token_bytes(32)))


async def issue(tx: Transaction, key: bytes, registration_id: int, *, days: int,
                created_by: str, revoke_others: bool = True) -> str:
    """Issue a new link for a registration inside the caller's transaction; return the token.

    Earlier links are revoked unless ``revoke_others`` is false: a re-issued link replaces a
    lost or leaked one.
    """
    token = new_token(key)
    now = utcnow()
    if revoke_others:
        await tx.execute("UPDATE host_link SET revoked_at = ? WHERE registration_id = ?"
                         " AND revoked_at IS NULL", (to_iso(now), registration_id))
    await tx.execute(
        "INSERT INTO host_link(registration_id, token_hash, created_at, created_by, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (registration_id, token_hash(token), to_iso(now), created_by,
         to_iso(now + timedelta(days=days))))
    return token


async def resolve(db: Database, key: bytes, token: str) -> int:
    """The registration a token opens, else :class:`NotFound` (forged, unknown, expired, revoked).

    Every refusal answers the same, so a guesser learns nothing.
    """
    refused = NotFound("this link is not valid (expired or replaced); ask the commune police"
                       " for a new one", "token")
    if not signature_ok(key, token):
        raise refused
    row = await db.fetchone("SELECT * FROM host_link WHERE token_hash = ?", (token_hash(token),))
    if row is None or row["revoked_at"] is not None or parse_iso(row["expires_at"]) <= utcnow():
        raise refused
    async with db.transaction() as tx:
        await tx.execute("UPDATE host_link SET last_used_at = ? WHERE id = ?", (now_iso(), row["id"]))
    return int(row["registration_id"])


async def revoke_all(db: Database, actor: Principal, registration_id: int) -> int:
    """Revoke every link of a registration (the caller has checked the zone); return how many."""
    async with db.transaction() as tx:
        count = await tx.execute_rowcount(
            "UPDATE host_link SET revoked_at = ? WHERE registration_id = ? AND revoked_at IS NULL",
            (now_iso(), registration_id))
        await audit.record(tx, actor, "revoke_links", "host_registration", registration_id, None,
                           {"revoked": count})
    return count


async def links_of(db: Database, registration_id: int) -> list[dict[str, object]]:
    """Every link of a registration without its token: created, by whom, expiry, revoked, last use."""
    rows = await db.fetchall(
        "SELECT id, created_at, created_by, expires_at, revoked_at, last_used_at FROM host_link"
        " WHERE registration_id = ? ORDER BY id DESC", (registration_id,))
    return [dict(r) for r in rows]
