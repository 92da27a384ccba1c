"""Users with argon2 password hashes, and API tokens stored as SHA-256 digests."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from camnet import audit
from camnet.accounts import logins, sessions
from camnet.auth.principal import ROLES, Principal
from camnet.auth.scope import fetch_in_scope, in_scope
from camnet.db import Database, Transaction
from camnet.errors import Conflict, Forbidden, InvalidInput
from camnet.registry.zones import get_zone_row
from camnet.timeutil import now_iso, to_iso, utcnow
from camnet.validation import single_line

_hasher = PasswordHasher()
# A hash to verify against when the user does not exist, so timing does not tell; made on
# first use, not at import (hashing costs ~0.1 s, and most CLI commands never log anyone in).
_DUMMY_HASH: str | None = None
TOKEN_PREFIX = "cn_"  # noqa: S105 - a public marker, not a secret
MIN_PASSWORD = 8


@dataclass(frozen=True)
class UserOut:
    """A user as listed (never with the hash)."""

    id: int
    username: str
    full_name: str
    role: str
    zone_code: str
    disabled: bool
    created_at: str
    title: str = ""
    zone_name: str = ""


MAX_NAME = 200


def clean_profile(full_name: str, title: str) -> tuple[str, str]:
    """A full name and job title as stored: one trimmed line each, at most 200 characters.

    Raises:
        InvalidInput: naming ``full_name`` or ``title``.
    """
    out = []
    for field, value in (("full_name", full_name), ("title", title)):
        try:
            text = single_line(value.strip())
        except ValueError as exc:
            raise InvalidInput(f"{field}: {exc}", field) from None
        if len(text) > MAX_NAME:
            raise InvalidInput(f"{field}: at most {MAX_NAME} characters", field,
                               key="verr_too_long")
        out.append(text)
    return out[0], out[1]


def display_name(username: str, full_name: str = "", title: str = "") -> str:
    """How a person is shown: "Full Name – title", the full name alone, or the login name."""
    if not full_name:
        return username
    return f"{full_name} – {title}" if title else full_name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD} characters", "password",
                           key="err_password_short", n=MIN_PASSWORD)


async def hash_password(password: str) -> str:
    """Hash a password with argon2 in a worker thread."""
    return await asyncio.to_thread(_hasher.hash, password)


async def add_user(
    db: Database, actor: Principal, *, username: str, password: str, role: str,
    zone_code: str, full_name: str = "", title: str = "",
) -> int:
    """Create a user bound to a zone inside the caller's scope; return the id."""
    actor.require("users.manage")
    full_name, title = clean_profile(full_name, title)
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", "role")
    if not username or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise InvalidInput("username: letters, digits, '.', '_' or '-' only", "username",
                           key="err_username_characters")
    _check_password(password)
    password_hash = await hash_password(password)
    async with db.transaction() as tx:
        user_id = await insert_user(tx, actor, username=username, password_hash=password_hash,
                                    role=role, zone_code=zone_code, full_name=full_name,
                                    title=title)
        if user_id is None:
            raise Conflict(f"user {username!r} exists", "username", key="err_user_exists",
                           username=username)
    return user_id


async def insert_user(
    tx: Transaction, actor: Principal, *, username: str, password_hash: str, role: str,
    zone_code: str, full_name: str = "", title: str = "",
) -> int | None:
    """The one INSERT of ``user`` rows, inside an open transaction, audited.

    Returns:
        The new user's id, or ``None`` when the user name is taken (nothing written).
    """
    zone = await get_zone_row(tx, actor, code=zone_code)
    if await tx.fetchval("SELECT 1 FROM user WHERE username = ?", (username,)):
        return None
    user_id = await tx.execute(
        "INSERT INTO user(username, full_name, title, password_hash, role, zone_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (username, full_name, title, password_hash, role, zone["id"], now_iso()),
    )
    await audit.record(
        tx, actor, "create", "user", user_id, None,
        {"username": username, "role": role, "zone": zone_code, "full_name": full_name,
         "title": title},
    )
    return user_id


async def _user_in_scope(tx: Transaction, actor: Principal, username: str) -> sqlite3.Row:
    return await fetch_in_scope(
        tx, actor, "SELECT u.id, z.path FROM user u JOIN zone z ON z.id = u.zone_id WHERE username = ?",
        (username,), what=f"user {username!r}", field="username", path_column="path")


async def list_users(db: Database, actor: Principal) -> list[UserOut]:
    """List users bound to zones inside the caller's scope."""
    actor.require("users.manage")
    scope, params = in_scope("z.path", actor.zone_path)
    rows = await db.fetchall(
        "SELECT u.*, z.code AS zone_code, z.name AS zone_name FROM user u"
        f" JOIN zone z ON z.id = u.zone_id WHERE {scope} ORDER BY u.username",
        params,
    )
    return [
        UserOut(r["id"], r["username"], r["full_name"], r["role"], r["zone_code"],
                bool(r["disabled"]), r["created_at"], r["title"], r["zone_name"])
        for r in rows
    ]


async def set_profile(db: Database, actor: Principal, username: str, *, full_name: str,
                      title: str) -> None:
    """Change the full name and job title of a user in the caller's scope, audited."""
    actor.require("users.manage")
    full_name, title = clean_profile(full_name, title)
    async with db.transaction() as tx:
        row = await _user_in_scope(tx, actor, username)
        before = await tx.fetchone("SELECT full_name, title FROM user WHERE id = ?", (row["id"],))
        assert before is not None  # noqa: S101 - the row was just found in this transaction
        await tx.execute("UPDATE user SET full_name = ?, title = ? WHERE id = ?",
                         (full_name, title, row["id"]))
        await audit.record(tx, actor, "update", "user", row["id"],
                           {"full_name": before["full_name"], "title": before["title"]},
                           {"full_name": full_name, "title": title})


async def set_disabled(db: Database, actor: Principal, username: str, disabled: bool = True) -> None:
    """Disable (or re-enable) a user; disabling ends their sessions and stops their tokens."""
    actor.require("users.manage")
    async with db.transaction() as tx:
        row = await _user_in_scope(tx, actor, username)
        if disabled and row["id"] == actor.user_id:
            raise Forbidden("you cannot disable yourself", "username", key="err_disable_self")
        await tx.execute("UPDATE user SET disabled = ? WHERE id = ?", (int(disabled), row["id"]))
        if disabled:
            await sessions.end_user_sessions(tx, row["id"], "user disabled", utcnow())
        await audit.record(tx, actor, "disable" if disabled else "enable", "user", row["id"])


async def set_role(db: Database, actor: Principal, username: str, *, role: str | None = None,
                   zone_code: str | None = None) -> None:
    """Change a user's role and/or zone; their open sessions end (they log in again)."""
    actor.require("users.manage")
    if role is not None and role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", "role")
    async with db.transaction() as tx:
        row = await _user_in_scope(tx, actor, username)
        before = await tx.fetchone("SELECT role, zone_id FROM user WHERE id = ?", (row["id"],))
        assert before is not None  # noqa: S101 - just found
        zone_id = before["zone_id"]
        if zone_code is not None:
            zone_id = (await get_zone_row(tx, actor, code=zone_code, field="zone"))["id"]
        new_role = role or before["role"]
        await tx.execute("UPDATE user SET role = ?, zone_id = ? WHERE id = ?",
                         (new_role, zone_id, row["id"]))
        await sessions.end_user_sessions(tx, row["id"], "role or zone changed", utcnow())
        await audit.record(tx, actor, "set_role", "user", row["id"], dict(before),
                           {"role": new_role, "zone_id": zone_id})


async def set_password(db: Database, actor: Principal, username: str, password: str) -> None:
    """Set a new password (admin reset, or a user's own change); every session ends."""
    if actor.username != username:
        actor.require("users.manage")
    _check_password(password)
    password_hash = await hash_password(password)
    async with db.transaction() as tx:
        row = await _user_in_scope(tx, actor, username)
        await tx.execute("UPDATE user SET password_hash = ? WHERE id = ?", (password_hash, row["id"]))
        await sessions.end_user_sessions(tx, row["id"], "password changed", utcnow())
        await audit.record(tx, actor, "set_password", "user", row["id"])  # never the password


async def unlock_user(db: Database, actor: Principal, username: str) -> int:
    """Lift the login lockouts of a user in the caller's scope (admin action), audited.

    Returns:
        How many lockouts were lifted.
    """
    actor.require("users.manage")
    async with db.transaction() as tx:
        row = await _user_in_scope(tx, actor, username)
        lifted = await logins.unlock(tx, username)
        await audit.record(tx, actor, "unlock", "user", row["id"], None, {"lifted": lifted})
    return lifted


def principal_from_row(row: sqlite3.Row) -> Principal:
    """The principal of a row selected with :data:`USER_SELECT`."""
    return Principal(
        user_id=row["id"], username=row["username"], role=row["role"],
        zone_id=row["zone_id"], zone_path=row["zone_path"],
    )


USER_SELECT = (  # the user columns a principal needs, with its zone's path
    "SELECT u.id, u.username, u.role, u.zone_id, u.password_hash, u.disabled,"
    " z.path AS zone_path FROM user u JOIN zone z ON z.id = u.zone_id"
)


async def _dummy_hash() -> str:
    global _DUMMY_HASH  # noqa: PLW0603 - computed once per process
    if _DUMMY_HASH is None:
        _DUMMY_HASH = await hash_password("camnet-no-such-user")
    return _DUMMY_HASH


async def authenticate(db: Database, username: str, password: str) -> Principal | None:
    """Check a username and password; return the principal or ``None``."""
    row = await db.fetchone(f"{USER_SELECT} WHERE u.username = ?", (username,))  # noqa: S608
    stored = row["password_hash"] if row is not None else await _dummy_hash()
    try:
        await asyncio.to_thread(_hasher.verify, stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None or row["disabled"]:
        return None
    return principal_from_row(row)


async def principal_by_id(db: Database, user_id: int) -> Principal | None:
    """Load an enabled user's principal (for sessions)."""
    row = await db.fetchone(f"{USER_SELECT} WHERE u.id = ? AND u.disabled = 0", (user_id,))  # noqa: S608
    return None if row is None else principal_from_row(row)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(db: Database, actor: Principal, username: str, name: str,
                       expires_days: float | None = None) -> str:
    """Create an API token for a user; the plaintext is returned once and never stored.

    Args:
        db: the database.
        actor: who creates it (needs ``users.manage``).
        username: whose token it is.
        name: what it is for.
        expires_days: days until it stops working; ``None`` never expires.
    """
    actor.require("users.manage")
    if expires_days is not None and not 0 < expires_days <= 3650:
        raise InvalidInput("expires_days must be between 0 and 3650", "expires_days")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = to_iso(utcnow() + timedelta(days=expires_days)) if expires_days else None
    async with db.transaction() as tx:
        row = await _user_in_scope(tx, actor, username)
        token_id = await tx.execute(
            "INSERT INTO api_token(user_id, name, token_hash, prefix, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (row["id"], name, _token_digest(token), token[:10], now_iso(), expires),
        )
        await audit.record(tx, actor, "create", "api_token", token_id, None,
                           {"user": username, "name": name, "prefix": token[:10],
                            "expires_at": expires})
    return token


@dataclass(frozen=True)
class TokenOut:
    """An API token as listed: never the token, only its first characters."""

    id: int
    username: str
    name: str
    prefix: str
    created_at: str
    expires_at: str | None
    last_used_at: str | None
    revoked: bool


async def list_tokens(db: Database, actor: Principal, username: str | None = None) -> list[TokenOut]:
    """Tokens of users in the caller's scope (or of one user), newest first."""
    actor.require("users.manage")
    scope, scope_params = in_scope("z.path", actor.zone_path)
    params: list[str] = [*scope_params]
    extra = ""
    if username:
        extra = " AND u.username = ?"
        params.append(username)
    rows = await db.fetchall(
        "SELECT t.id, u.username, t.name, t.prefix, t.created_at, t.expires_at, t.last_used_at,"
        " t.revoked FROM api_token t JOIN user u ON u.id = t.user_id JOIN zone z ON z.id = u.zone_id"
        f" WHERE {scope}{extra} ORDER BY t.id DESC", params)
    return [TokenOut(r["id"], r["username"], r["name"], r["prefix"], r["created_at"],
                     r["expires_at"], r["last_used_at"], bool(r["revoked"])) for r in rows]


async def revoke_token(db: Database, actor: Principal, token_id: int) -> None:
    """Revoke a token of a user in the caller's scope; it stops working at once."""
    actor.require("users.manage")
    async with db.transaction() as tx:
        await fetch_in_scope(
            tx, actor, "SELECT t.id, z.path FROM api_token t JOIN user u ON u.id = t.user_id"
            " JOIN zone z ON z.id = u.zone_id WHERE t.id = ?", (token_id,),
            what=f"token {token_id}", path_column="path")
        await tx.execute("UPDATE api_token SET revoked = 1 WHERE id = ?", (token_id,))
        await audit.record(tx, actor, "revoke", "api_token", token_id)


async def principal_by_token(db: Database, token: str) -> Principal | None:
    """Resolve a bearer token to its (enabled) user."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = now_iso()
    row = await db.fetchone(
        "SELECT u.id, u.username, u.role, u.zone_id, u.disabled, z.path AS zone_path,"
        " t.id AS token_id, t.last_used_at"
        " FROM api_token t JOIN user u ON u.id = t.user_id JOIN zone z ON z.id = u.zone_id"
        " WHERE t.token_hash = ? AND t.revoked = 0 AND u.disabled = 0"
        " AND (t.expires_at IS NULL OR t.expires_at > ?)",
        (_token_digest(token), now),
    )
    if row is None:
        return None
    if not row["last_used_at"] or row["last_used_at"][:16] != now[:16]:  # at most once a minute
        async with db.transaction() as tx:
            await tx.execute("UPDATE api_token SET last_used_at = ? WHERE id = ?",
                             (now, row["token_id"]))
    return principal_from_row(row)


async def people_named(db: Database | Transaction, usernames: list[str]
                       ) -> dict[str, dict[str, str]]:
    """Full name, job title and role of some users, by username (one query)."""
    names = sorted({u for u in usernames if u})
    if not names:
        return {}
    rows = await db.fetchall(
        "SELECT username, full_name, title, role FROM user"
        " WHERE username IN (SELECT value FROM json_each(?))", (json.dumps(names),))
    return {r["username"]: {"full_name": r["full_name"], "title": r["title"], "role": r["role"]}
            for r in rows}


async def display_names(db: Database | Transaction, usernames: list[str]) -> dict[str, str]:
    """How each login name is shown to people ("Full Name – title"), in one query.

    Names that are not users (``cli``, ``system``, ``host#3``) map to themselves.
    """
    found = await people_named(db, usernames)
    return {u: display_name(u, found[u]["full_name"], found[u]["title"]) if u in found else u
            for u in usernames}


async def principal_by_username(db: Database, username: str) -> Principal | None:
    """Load an enabled user's principal by login name (the demo acts as its sample users)."""
    row = await db.fetchone(f"{USER_SELECT} WHERE u.username = ? AND u.disabled = 0",  # noqa: S608
                            (username,))
    return None if row is None else principal_from_row(row)
