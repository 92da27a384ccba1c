"""Invite links and QR codes per commune or hamlet, for flyers an officer prints."""

from __future__ import annotations

import io
import secrets
import sqlite3

import segno

from camnet import audit
from camnet.auth.principal import Principal
from camnet.auth.scope import fetch_in_scope, in_scope
from camnet.db import Database
from camnet.errors import InvalidInput, NotFound
from camnet.hosts.registrations import HOST_LEVELS
from camnet.registry.zones import get_zone_row
from camnet.timeutil import now_iso


async def create_invite(db: Database, actor: Principal, zone_code: str) -> str:
    """A new invite code for a commune or hamlet of the officer's zone; return the code."""
    actor.require("registry.write")
    async with db.transaction() as tx:
        zone = await get_zone_row(tx, actor, code=zone_code, field="zone")
        if zone["level"] not in HOST_LEVELS:
            raise InvalidInput("invites are per commune or hamlet", "zone")
        code = secrets.token_urlsafe(9)
        invite_id = await tx.execute(
            "INSERT INTO host_invite(zone_id, code, created_by, created_at) VALUES (?, ?, ?, ?)",
            (zone["id"], code, actor.username, now_iso()))
        await audit.record(tx, actor, "create", "host_invite", invite_id, None,
                           {"zone": zone_code})
    return code


async def invites_in_scope(db: Database, actor: Principal) -> list[sqlite3.Row]:
    """The live invites of the officer's zone subtree."""
    actor.require("registry.write")
    scope, params = in_scope("z.path", actor.zone_path)
    return await db.fetchall(
        "SELECT i.*, z.name AS zone_name, z.code AS zone_code FROM host_invite i"
        f" JOIN zone z ON z.id = i.zone_id WHERE i.revoked_at IS NULL AND {scope}"  # noqa: S608
        " ORDER BY z.path, i.id", params)


async def resolve_invite(db: Database, code: str) -> sqlite3.Row:
    """The live invite with this code (and its zone), else :class:`NotFound`."""
    row = await db.fetchone(
        "SELECT i.*, z.name AS zone_name FROM host_invite i JOIN zone z ON z.id = i.zone_id"
        " WHERE i.code = ? AND i.revoked_at IS NULL", (code[:64],))
    if row is None:
        raise NotFound("this invite link is not valid", "ma")
    return row


def qr_svg(url: str) -> bytes:
    """An SVG QR code of ``url`` (error correction M, scale for print)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=2)
    return out.getvalue()


async def get_invite_in_scope(db: Database, actor: Principal, code: str) -> sqlite3.Row:
    """A live invite of the officer's zone subtree, else :class:`NotFound`."""
    actor.require("registry.write")
    return await fetch_in_scope(
        db, actor, "SELECT i.*, z.name AS zone_name, z.path AS zone_path FROM host_invite i"
        " JOIN zone z ON z.id = i.zone_id WHERE i.code = ? AND i.revoked_at IS NULL",
        (code[:64],), what="invite", field="code")
