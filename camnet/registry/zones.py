"""Zones: province › district › commune/ward › hamlet, as a tree with materialised paths."""

from __future__ import annotations

import sqlite3
from typing import Any

from camnet import audit
from camnet.auth.principal import Principal
from camnet.auth.scope import fetch_in_scope, in_scope
from camnet.db import Database, Transaction
from camnet.errors import Conflict, Forbidden, InvalidInput
from camnet.geo import parse_boundary
from camnet.registry.models import LEVEL_RANK, ZoneIn, ZoneOut, ZonePatch
from camnet.registry.references import refuse_if_referenced
from camnet.timeutil import now_iso

_COLUMNS = ("id, parent_id, level, code, name, path, boundary_geojson, created_at, updated_at,"
            " disabled_at")


def zone_out(row: sqlite3.Row) -> ZoneOut:
    """Convert a ``zone`` row to its API model."""
    return ZoneOut(
        id=row["id"],
        parent_id=row["parent_id"],
        level=row["level"],
        code=row["code"],
        name=row["name"],
        boundary_geojson=row["boundary_geojson"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        disabled_at=row["disabled_at"],
    )


async def list_zones(db: Database, actor: Principal) -> list[ZoneOut]:
    """Return the zones the caller may see, parents before children."""
    actor.require("registry.read")
    scope, scope_params = in_scope("path", actor.zone_path)
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM zone WHERE {scope} ORDER BY path", scope_params)
    return [zone_out(r) for r in rows]


async def zone_boundaries(db: Database, actor: Principal) -> dict[str, tuple[int, str | None]]:
    """Every zone in the caller's scope: code → (id, boundary GeoJSON or ``None``)."""
    scope, params = in_scope("path", actor.zone_path)
    rows = await db.fetchall(f"SELECT id, code, boundary_geojson FROM zone WHERE {scope}", params)
    return {r["code"]: (r["id"], r["boundary_geojson"]) for r in rows}


async def zone_code_prefix_exists(db: Database, prefix: str) -> bool:
    """Tell whether any zone's code starts with ``prefix`` (e.g. the sample's ``SAMPLE-``)."""
    found = await db.fetchval("SELECT 1 FROM zone WHERE substr(code, 1, ?) = ? LIMIT 1",
                              (len(prefix), prefix))
    return bool(found)


async def get_zone_row(
    db: Database | Transaction, actor: Principal, *, zone_id: int | None = None,
    code: str | None = None, field: str = "zone_code",
) -> sqlite3.Row:
    """Fetch a zone by id or code inside the caller's scope, else :class:`NotFound`."""
    if zone_id is not None:
        return await fetch_in_scope(db, actor, f"SELECT {_COLUMNS} FROM zone WHERE id = ?",
                                    (zone_id,), what=f"zone {zone_id}", field=field,
                                    path_column="path")
    return await fetch_in_scope(db, actor, f"SELECT {_COLUMNS} FROM zone WHERE code = ?", (code,),
                                what=f"zone code {code!r}", field=field, path_column="path")


async def get_zone(db: Database, actor: Principal, zone_id: int) -> ZoneOut:
    """Return one zone in the caller's scope."""
    actor.require("registry.read")
    return zone_out(await get_zone_row(db, actor, zone_id=zone_id, field="id"))


async def create_zone(db: Database, actor: Principal, data: ZoneIn) -> ZoneOut:
    """Create a zone under a parent in the caller's scope (a root needs a root-bound caller)."""
    actor.require("registry.write")
    if data.boundary_geojson:
        parse_boundary(data.boundary_geojson)
    async with db.transaction() as tx:
        zone_id = await insert_zone(tx, actor, data)
        row = await tx.fetchone(f"SELECT {_COLUMNS} FROM zone WHERE id = ?", (zone_id,))
    assert row is not None  # noqa: S101 - just inserted
    return zone_out(row)


async def insert_zone(tx: Transaction, actor: Principal, data: ZoneIn) -> int:
    """Insert a zone inside an open transaction; return its id."""
    parent_path = "/"
    parent_id: int | None = None
    if data.parent_code:
        parent = await get_zone_row(tx, actor, code=data.parent_code, field="parent_code")
        if LEVEL_RANK[data.level] <= LEVEL_RANK[parent["level"]]:
            raise InvalidInput(
                f"a {data.level} cannot sit under a {parent['level']}; "
                "order is province › district › commune › hamlet",
                "level",
            )
        parent_path, parent_id = parent["path"], parent["id"]
    elif actor.zone_path != "/":
        raise Forbidden("only a caller bound to no zone may create a top-level zone", "parent_code")
    if await tx.fetchval("SELECT 1 FROM zone WHERE code = ?", (data.code,)):
        raise Conflict(f"zone code {data.code!r} is already used", "code")
    now = now_iso()
    zone_id = await tx.execute(
        "INSERT INTO zone(parent_id, level, code, name, path, boundary_geojson, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, '', ?, ?, ?)",
        (parent_id, data.level, data.code, data.name, data.boundary_geojson, now, now),
    )
    await tx.execute("UPDATE zone SET path = ? WHERE id = ?", (f"{parent_path}{zone_id}/", zone_id))
    await audit.record(tx, actor, "create", "zone", zone_id, None, data.model_dump())
    return zone_id


async def update_zone(db: Database, actor: Principal, zone_id: int, patch: ZonePatch) -> ZoneOut:
    """Change a zone's name or boundary."""
    actor.require("registry.write")
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
    if changes.get("boundary_geojson"):
        parse_boundary(changes["boundary_geojson"])
    async with db.transaction() as tx:
        before = await get_zone_row(tx, actor, zone_id=zone_id, field="id")
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            await tx.execute(
                f"UPDATE zone SET {sets}, updated_at = ? WHERE id = ?",  # noqa: S608 - keys from model
                (*changes.values(), now_iso(), zone_id),
            )
            await audit.record(tx, actor, "update", "zone", zone_id, dict(before), changes)
        row = await tx.fetchone(f"SELECT {_COLUMNS} FROM zone WHERE id = ?", (zone_id,))
    assert row is not None  # noqa: S101
    return zone_out(row)


async def delete_zone(db: Database, actor: Principal, zone_id: int) -> None:
    """Delete an empty zone (no child zones, points or users)."""
    actor.require("registry.write")
    async with db.transaction() as tx:
        row = await get_zone_row(tx, actor, zone_id=zone_id, field="id")
        if row["path"] == actor.zone_path:
            raise Forbidden("you cannot delete the zone you are bound to", "id")
        await refuse_if_referenced(tx, "zone", zone_id, f"zone {row['code']!r}",
                                   "move or delete those first")
        await tx.execute("DELETE FROM zone WHERE id = ?", (zone_id,))
        await audit.record(tx, actor, "delete", "zone", zone_id, dict(row), None)


async def refuse_if_disabled(tx: Database | Transaction, zone: sqlite3.Row) -> None:
    """Refuse new points in a switched-off zone or under one (ancestors read from the path)."""
    ids = [int(part) for part in str(zone["path"]).strip("/").split("/") if part]
    marks = ",".join("?" * len(ids))
    off = await tx.fetchval(
        f"SELECT code FROM zone WHERE id IN ({marks}) AND disabled_at IS NOT NULL LIMIT 1",  # noqa: S608
        ids)
    if off:
        raise Conflict(f"zone {off!r} is switched off; switch it on first", "zone_code",
                       key="err_zone_off", zone=str(off))

async def mark_disabled(tx: Transaction, zone_id: int, disabled_at: str | None, now: str
                        ) -> sqlite3.Row:
    """Set a zone's switched-off time (``None``: on) inside an open transaction; the new row."""
    await tx.execute("UPDATE zone SET disabled_at = ?, updated_at = ? WHERE id = ?",
                     (disabled_at, now, zone_id))
    row = await tx.fetchone(f"SELECT {_COLUMNS} FROM zone WHERE id = ?", (zone_id,))
    assert row is not None  # noqa: S101 - found in this transaction
    return row
