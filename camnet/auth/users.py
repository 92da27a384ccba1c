"""Users with argon2 password hashes, and API tokens stored as SHA-256 digests."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import sqlite3
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from camnet import audit
from camnet.auth.principal import ROLES, Principal
from camnet.db import Database
from camnet.errors import Conflict, InvalidInput, NotFound
from camnet.registry.zones import get_zone_row
from camnet.timeutil import now_iso

_hasher = PasswordHasher()
# A hash to verify against when the user does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash("camnet-no-such-user")
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


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD} characters", "password")


async def hash_password(password: str) -> str:
    """Hash a password with argon2 in a worker thread."""
    return await asyncio.to_thread(_hasher.hash, password)


async def add_user(
    db: Database, actor: Principal, *, username: str, password: str, role: str,
    zone_code: str, full_name: str = "",
) -> int:
    """Create a user bound to a zone inside the caller's scope; return the id."""
    actor.require("users.manage")
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", "role")
    if not username or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise InvalidInput("username: letters, digits, '.', '_' or '-' only", "username")
    _check_password(password)
    password_hash = await hash_password(password)
    async with db.transaction() as tx:
        zone = await get_zone_row(tx, actor, code=zone_code)
        if await tx.fetchval("SELECT 1 FROM user WHERE username = ?", (username,)):
            raise Conflict(f"user {username!r} exists", "username")
        user_id = await tx.execute(
            "INSERT INTO user(username, full_name, password_hash, role, zone_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (username, full_name, password_hash, role, zone["id"], now_iso()),
        )
        await audit.record(
            tx, actor, "create", "user", user_id, None,
            {"username": username, "role": role, "zone": zone_code, "full_name": full_name},
        )
    return user_id


async def list_users(db: Database, actor: Principal) -> list[UserOut]:
    """List users bound to zones inside the caller's scope."""
    actor.require("users.manage")
    rows = await db.fetchall(
        "SELECT u.*, z.code AS zone_code FROM user u JOIN zone z ON z.id = u.zone_id"
        " WHERE z.path LIKE ? || '%' ORDER BY u.username",
        (actor.zone_path,),
    )
    return [
        UserOut(r["id"], r["username"], r["full_name"], r["role"], r["zone_code"],
                bool(r["disabled"]), r["created_at"])
        for r in rows
    ]


async def set_disabled(db: Database, actor: Principal, username: str, disabled: bool = True) -> None:
    """Disable (or re-enable) a user; a disabled user's sessions and tokens stop working."""
    actor.require("users.manage")
    async with db.transaction() as tx:
        row = await tx.fetchone(
            "SELECT u.id, z.path FROM user u JOIN zone z ON z.id = u.zone_id WHERE username = ?",
            (username,),
        )
        if row is None or not actor.sees_path(row["path"]):
            raise NotFound(f"no user {username!r} in your zone", "username")
        await tx.execute("UPDATE user SET disabled = ? WHERE id = ?", (int(disabled), row["id"]))
        await audit.record(tx, actor, "disable" if disabled else "enable", "user", row["id"])


def _principal(row: sqlite3.Row) -> Principal:
    return Principal(
        user_id=row["id"], username=row["username"], role=row["role"],
        zone_id=row["zone_id"], zone_path=row["zone_path"],
    )


_USER_SELECT = (
    "SELECT u.id, u.username, u.role, u.zone_id, u.password_hash, u.disabled,"
    " z.path AS zone_path FROM user u JOIN zone z ON z.id = u.zone_id"
)


async def authenticate(db: Database, username: str, password: str) -> Principal | None:
    """Check a username and password; return the principal or ``None``."""
    row = await db.fetchone(f"{_USER_SELECT} WHERE u.username = ?", (username,))  # noqa: S608
    stored = row["password_hash"] if row is not None else _DUMMY_HASH
    try:
        await asyncio.to_thread(_hasher.verify, stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None or row["disabled"]:
        return None
    return _principal(row)


async def principal_by_id(db: Database, user_id: int) -> Principal | None:
    """Load an enabled user's principal (for sessions)."""
    row = await db.fetchone(f"{_USER_SELECT} WHERE u.id = ? AND u.disabled = 0", (user_id,))  # noqa: S608
    return None if row is None else _principal(row)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(db: Database, actor: Principal, username: str, name: str) -> str:
    """Create an API token for a user; the plaintext is returned once and never stored."""
    actor.require("users.manage")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with db.transaction() as tx:
        row = await tx.fetchone(
            "SELECT u.id, z.path FROM user u JOIN zone z ON z.id = u.zone_id WHERE username = ?",
            (username,),
        )
        if row is None or not actor.sees_path(row["path"]):
            raise NotFound(f"no user {username!r} in your zone", "username")
        token_id = await tx.execute(
            "INSERT INTO api_token(user_id, name, token_hash, prefix, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (row["id"], name, _token_digest(token), token[:10], now_iso()),
        )
        await audit.record(tx, actor, "create", "api_token", token_id, None,
                           {"user": username, "name": name, "prefix": token[:10]})
    return token


async def principal_by_token(db: Database, token: str) -> Principal | None:
    """Resolve a bearer token to its (enabled) user."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = await db.fetchone(
        "SELECT u.id, u.username, u.role, u.zone_id, u.disabled, z.path AS zone_path"
        " FROM api_token t JOIN user u ON u.id = t.user_id JOIN zone z ON z.id = u.zone_id"
        " WHERE t.token_hash = ? AND t.revoked = 0 AND u.disabled = 0",
        (_token_digest(token),),
    )
    return None if row is None else _principal(row)


async def people_named(db: Database, usernames: list[str]) -> dict[str, dict[str, str]]:
    """Full name and role of some users, by username (for signature blocks on forms)."""
    names = [u for u in usernames if u]
    if not names:
        return {}
    marks = ",".join("?" * len(names))
    rows = await db.fetchall(
        f"SELECT username, full_name, role FROM user WHERE username IN ({marks})", names)  # noqa: S608
    return {r["username"]: {"full_name": r["full_name"], "role": r["role"]} for r in rows}
