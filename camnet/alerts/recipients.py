"""Who hears about what: subscriptions, user and host contacts, and Zalo link codes.

Owns the SQL of ``alert_subscription``, ``alert_contact``, ``alert_host_contact`` and
``alert_link_code``. Matching an event to recipients is pure (:func:`recipients_for`) over a
:class:`Directory` loaded once per routing pass.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from camnet.auth.principal import Principal
from camnet.auth.scope import fetch_in_scope, in_scope
from camnet.db import Database, Transaction
from camnet.errors import InvalidInput, NotFound
from camnet.timeutil import now_iso, parse_iso, to_iso, utcnow

CHANNELS = ("zalo", "email", "webhook", "telegram", "zalo_oa")
HOST_KINDS = frozenset({"camera_down", "camera_recovered", "camera_flapping", "camera_stable"})
DIRECT_KINDS = frozenset({"host_review"})  # addressed to a host by the event itself
PERSONAL_KINDS = frozenset({"request_approved", "request_rejected", "deadline_48h", "deadline_12h"})


@dataclass(frozen=True)
class Recipient:
    """One address on one channel, with its quiet hours and repeat class."""

    key: str  # e.g. user:4:zalo, host:7:email, chat:-123:zalo, webhook:default
    channel: str
    address: str
    language: str = "vi"
    quiet_start: str = ""
    quiet_end: str = ""
    audience: str = "police"  # police | host  (decides the repeat interval)
    group_chat: bool = False


@dataclass(frozen=True)
class Subscription:
    """A subscription row as plain data."""

    id: int
    user_id: int | None
    role: str | None
    chat_id: str
    zone_id: int
    zone_path: str
    events: frozenset[str]  # empty = every event
    channels: tuple[str, ...]
    quiet_start: str
    quiet_end: str


@dataclass(frozen=True)
class Person:
    """A user who can be alerted."""

    id: int
    username: str
    role: str
    zone_path: str
    zalo: str
    email: str
    language: str
    telegram: str = ""
    zalo_oa: str = ""


@dataclass(frozen=True)
class Directory:
    """Everything routing needs about people, loaded once per pass."""

    subscriptions: tuple[Subscription, ...]
    people: dict[int, Person]
    hosts: dict[int, tuple[str, str, str, str]]  # point -> (zalo, email, quiet_start, quiet_end)
    webhook_url: str = ""
    apprise: bool = False


def recipients_for(d: Directory, kind: str, zone_path: str, *, point_id: int | None = None,
                   personal: tuple[str, ...] = (), roles: tuple[str, ...] = (),
                   host_quiet: tuple[str, str] = ("22:00", "06:00"),
                   direct: tuple[tuple[str, str], ...] = ()) -> list[Recipient]:
    """Return the recipients of one event (deduplicated, stable order).

    Args:
        d: the directory.
        kind: the event kind.
        zone_path: the event's zone path ('/' for system-wide events).
        point_id: the camera point, so its host hears about their own cameras.
        personal: usernames the event concerns directly (the requester).
        roles: roles that hear about it in their zone without a subscription (commanders
            for a submitted request, investigators for a deadline).
        host_quiet: default quiet hours of hosts.
        direct: ``(channel, address)`` pairs of a host the event names itself (a registration's
            review decision, before the host has a point); only for :data:`DIRECT_KINDS`.
    """
    found: dict[str, Recipient] = {}

    def covers(own: str) -> bool:  # system-wide events ('/') reach every zone
        return zone_path == "/" or zone_path.startswith(own)

    def person(p: Person, channels: tuple[str, ...], quiet: tuple[str, str]) -> None:
        for channel in channels:
            address = {"zalo": p.zalo, "email": p.email, "telegram": p.telegram,
                       "zalo_oa": p.zalo_oa}.get(channel, "")
            key = f"user:{p.id}:{channel}"
            if address and key not in found:
                found[key] = Recipient(key, channel, address, p.language, *quiet)

    for s in d.subscriptions:
        if not covers(s.zone_path) or (s.events and kind not in s.events):
            continue
        quiet = (s.quiet_start, s.quiet_end)
        if s.chat_id:
            key = f"chat:{s.chat_id}:zalo"
            found.setdefault(key, Recipient(key, "zalo", s.chat_id, "vi", *quiet, group_chat=True))
        elif s.user_id is not None:
            p = d.people.get(s.user_id)
            if p and covers(p.zone_path):
                person(p, s.channels, quiet)
        else:
            for p in d.people.values():
                if p.role == s.role and covers(p.zone_path):
                    person(p, s.channels, quiet)
    if personal and kind in PERSONAL_KINDS:
        for p in d.people.values():
            if p.username.lower() in {u.lower() for u in personal}:
                person(p, ("zalo", "email"), ("", ""))
    for p in d.people.values():
        if p.role in roles and covers(p.zone_path):
            person(p, ("zalo", "email"), ("", ""))
    if point_id is not None and kind in HOST_KINDS and point_id in d.hosts:
        zalo, email, q_start, q_end = d.hosts[point_id]
        quiet = (q_start, q_end) if (q_start or q_end) else host_quiet
        for channel, address in (("zalo", zalo), ("email", email)):
            if address:
                key = f"host:{point_id}:{channel}"
                found[key] = Recipient(key, channel, address, "vi", *quiet, audience="host")
    if kind in DIRECT_KINDS:
        for channel, address in direct:
            if channel in ("zalo", "email") and address:
                key = f"direct:{channel}:{address}"
                found[key] = Recipient(key, channel, address, "vi", *host_quiet, audience="host")
    if d.webhook_url:
        found["webhook:default"] = Recipient("webhook:default", "webhook", d.webhook_url)
    if d.apprise:  # the URLs stay in the channel (they hold credentials)
        found["apprise:default"] = Recipient("apprise:default", "apprise", "-")
    return list(found.values())


async def load_directory(db: Database, webhook_url: str = "", apprise: bool = False) -> Directory:
    """Load subscriptions, alertable users and host contacts."""
    subs = tuple(
        Subscription(r["id"], r["user_id"], r["role"], r["chat_id"], r["zone_id"], r["path"],
                     frozenset(e for e in r["events"].split(",") if e and e != "*"),
                     tuple(c for c in r["channels"].split(",") if c), r["quiet_start"],
                     r["quiet_end"])
        for r in await db.fetchall(
            "SELECT s.*, z.path FROM alert_subscription s JOIN zone z ON z.id = s.zone_id"
            " ORDER BY s.id"))
    people = {
        r["id"]: Person(r["id"], r["username"], r["role"], r["path"], r["zalo_chat_id"] or "",
                        r["email"] or "", r["language"] or "vi", r["telegram_chat_id"] or "",
                        r["zalo_oa_user_id"] or "")
        for r in await db.fetchall(
            "SELECT u.id, u.username, u.role, z.path, c.zalo_chat_id, c.email, c.language,"
            " c.telegram_chat_id, c.zalo_oa_user_id"
            " FROM user u JOIN zone z ON z.id = u.zone_id"
            " LEFT JOIN alert_contact c ON c.user_id = u.id WHERE u.disabled = 0")
    }
    hosts = {
        r["point_id"]: (r["host_zalo"], r["host_email"], r["quiet_start"], r["quiet_end"])
        for r in await db.fetchall("SELECT * FROM alert_host_contact")
    }
    return Directory(subs, people, hosts, webhook_url, apprise)


def _split(values: list[str] | None, allowed: tuple[str, ...] | None, field: str) -> str:
    if not values:
        return "*" if allowed is None else "zalo"
    for v in values:
        if allowed is not None and v not in allowed:
            raise InvalidInput(f"unknown value {v!r}; allowed: {', '.join(allowed)}", field)
    return ",".join(values)


async def add_subscription(db: Database, actor: Principal, *, zone_code: str,
                           username: str | None = None, role: str | None = None,
                           chat_id: str = "", events: list[str] | None = None,
                           channels: list[str] | None = None, quiet_start: str = "",
                           quiet_end: str = "", event_kinds: tuple[str, ...] = ()) -> int:
    """Create a subscription in a zone inside the actor's scope; return its id.

    Exactly one of ``username``, ``role`` or ``chat_id`` names who receives.
    Non-admins may only subscribe themselves.

    Raises:
        InvalidInput: a bad field (named).
        NotFound: the zone or user does not exist in the actor's scope.
    """
    if sum(bool(x) for x in (username, role, chat_id)) != 1:
        raise InvalidInput("give exactly one of username, role or chat_id", "username")
    if actor.role != "admin" and (role or chat_id or (username and username != actor.username)):
        raise InvalidInput("only an admin subscribes others, roles or group chats", "username")
    for text, name in ((quiet_start, "quiet_start"), (quiet_end, "quiet_end")):
        if text and not _valid_hhmm(text):
            raise InvalidInput("use HH:MM (24 h, local time)", name)
    ev = _split(events, event_kinds or None, "events")
    ch = _split(channels, CHANNELS, "channels")
    zone = await fetch_in_scope(db, actor, "SELECT id, path FROM zone WHERE code = ?", (zone_code,),
                                what=f"zone {zone_code!r}", field="zone", path_column="path")
    user_id = None
    if username:
        row = await db.fetchone("SELECT id FROM user WHERE username = ?", (username,))
        if row is None:
            raise NotFound(f"user {username!r} not found", "username")
        user_id = row["id"]
    async with db.transaction() as tx:
        return await tx.execute(
            "INSERT INTO alert_subscription(user_id, role, chat_id, zone_id, events, channels,"
            " quiet_start, quiet_end, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (user_id, role or None, chat_id, zone["id"], ev, ch, quiet_start, quiet_end,
             actor.username, now_iso()))


def _valid_hhmm(text: str) -> bool:
    hours, sep, minutes = text.partition(":")
    return bool(sep) and hours.isdigit() and minutes.isdigit() and int(hours) < 24 \
        and int(minutes) < 60 and len(minutes) == 2


async def list_subscriptions(db: Database, actor: Principal) -> list[dict[str, Any]]:
    """Subscriptions in the actor's zone subtree (non-admins: their own)."""
    scope, params = in_scope("z.path", actor.zone_path)
    rows = await db.fetchall(
        "SELECT s.id, u.username, s.role, s.chat_id, z.code AS zone, s.events, s.channels,"
        " s.quiet_start, s.quiet_end, s.created_by, s.created_at FROM alert_subscription s"
        " JOIN zone z ON z.id = s.zone_id LEFT JOIN user u ON u.id = s.user_id"
        f" WHERE {scope} ORDER BY s.id", params)
    out = [dict(r) for r in rows]
    if actor.role != "admin":
        out = [r for r in out if r["username"] == actor.username]
    return out


async def delete_subscription(db: Database, actor: Principal, sub_id: int) -> None:
    """Delete a subscription the actor may see.

    Raises:
        NotFound: no such subscription in scope.
    """
    visible = {r["id"] for r in await list_subscriptions(db, actor)}
    if sub_id not in visible:
        raise NotFound(f"subscription {sub_id} not found", "id")
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM alert_subscription WHERE id = ?", (sub_id,))


async def set_contact(db: Database, user_id: int, *, email: str | None = None,
                      zalo_chat_id: str | None = None, language: str | None = None,
                      telegram_chat_id: str | None = None,
                      zalo_oa_user_id: str | None = None) -> None:
    """Set a user's e-mail, chat ids or language (``None`` keeps the current value)."""
    if email is not None and email and "@" not in email:
        raise InvalidInput("not an e-mail address", "email")
    if language is not None and language not in ("vi", "en"):
        raise InvalidInput("use vi or en", "language")
    async with db.transaction() as tx:
        await tx.execute("INSERT OR IGNORE INTO alert_contact(user_id) VALUES (?)", (user_id,))
        for column, value in (("email", email), ("zalo_chat_id", zalo_chat_id),
                              ("language", language), ("telegram_chat_id", telegram_chat_id),
                              ("zalo_oa_user_id", zalo_oa_user_id)):
            if value is not None:
                await tx.execute(f"UPDATE alert_contact SET {column} = ? WHERE user_id = ?",
                                 (value, user_id))


async def get_contact(db: Database, user_id: int) -> dict[str, Any]:
    """A user's contact (e-mail, whether Zalo is linked, language)."""
    row = await db.fetchone("SELECT * FROM alert_contact WHERE user_id = ?", (user_id,))
    if row is None:
        return {"email": "", "zalo_linked": False, "telegram_linked": False, "language": "vi"}
    return {"email": row["email"], "zalo_linked": bool(row["zalo_chat_id"]),
            "telegram_linked": bool(row["telegram_chat_id"]), "language": row["language"]}


async def set_host_contact(db: Database, actor: Principal, point_id: int, *, host_zalo: str = "",
                           host_email: str = "", quiet_start: str = "22:00",
                           quiet_end: str = "06:00") -> None:
    """Set the alert contact of a camera point's host (actor's zone scope).

    Raises:
        NotFound: no such point in scope.
    """
    await fetch_in_scope(db, actor, "SELECT z.path FROM camera_point p JOIN zone z ON z.id = p.zone_id"
                         " WHERE p.id = ?", (point_id,), what=f"point {point_id}", field="point_id",
                         path_column="path")
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO alert_host_contact(point_id, host_zalo, host_email, quiet_start, quiet_end)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(point_id) DO UPDATE SET"
            " host_zalo = excluded.host_zalo, host_email = excluded.host_email,"
            " quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end",
            (point_id, host_zalo, host_email, quiet_start, quiet_end))


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def create_link_code(db: Database, user_id: int, ttl_s: float) -> tuple[str, str]:
    """Make a 6-digit one-time code that links a Zalo chat to ``user_id``.

    Returns:
        (code, expires_at). Only the code's hash is stored.
    """
    expires = to_iso(utcnow() + timedelta(seconds=ttl_s))
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM alert_link_code WHERE user_id = ? AND used_at IS NULL",
                         (user_id,))
        while True:
            code = f"{secrets.randbelow(1_000_000):06d}"
            if await tx.fetchone("SELECT 1 FROM alert_link_code WHERE code_hash = ?",
                                 (_code_hash(code),)) is None:
                break
        await tx.execute("INSERT INTO alert_link_code(code_hash, user_id, expires_at)"
                         " VALUES (?, ?, ?)", (_code_hash(code), user_id, expires))
    return code, expires


async def redeem_link_code(tx: Transaction, code: str, chat_id: str, now: str) -> int | None:
    """Link ``chat_id`` to the user of a valid code; the code is then used up.

    Returns:
        The user id, or ``None`` when the code is unknown, expired or already used.
    """
    row = await tx.fetchone("SELECT * FROM alert_link_code WHERE code_hash = ?",
                            (_code_hash(code.strip()),))
    if row is None or row["used_at"] is not None or parse_iso(row["expires_at"]) <= parse_iso(now):
        return None
    await tx.execute("UPDATE alert_link_code SET used_at = ? WHERE code_hash = ?",
                     (now, row["code_hash"]))
    await tx.execute("INSERT OR IGNORE INTO alert_contact(user_id) VALUES (?)", (row["user_id"],))
    await tx.execute("UPDATE alert_contact SET zalo_chat_id = ? WHERE user_id = ?",
                     (chat_id, row["user_id"]))
    return int(row["user_id"])
