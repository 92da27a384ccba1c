"""Camera points: a place (address, host, funding) holding one or more cameras."""

from __future__ import annotations

import sqlite3
from typing import Any

from camnet import audit
from camnet.auth.principal import Principal
from camnet.coverage.history import sync_geometry
from camnet.db import Database, Transaction
from camnet.errors import Conflict, InvalidInput, NotFound
from camnet.geo import check_in_zone
from camnet.registry.models import Page, PointIn, PointOut, PointPatch
from camnet.registry.zones import get_zone_row
from camnet.timeutil import now_iso

_SELECT = (
    "SELECT p.*, z.code AS zone_code, z.path AS zone_path,"
    " (SELECT COUNT(*) FROM camera c WHERE c.point_id = p.id) AS camera_count"
    " FROM camera_point p JOIN zone z ON z.id = p.zone_id"
)
PERSONAL_FIELDS = ("host_name", "host_phone")


def point_out(row: sqlite3.Row) -> PointOut:
    """Convert a joined point row to its API model."""
    return PointOut(
        id=row["id"],
        zone_id=row["zone_id"],
        zone_code=row["zone_code"],
        name=row["name"],
        address=row["address"],
        lat=row["lat"],
        lon=row["lon"],
        host_name=row["host_name"],
        host_phone=row["host_phone"],
        funding=row["funding"],
        installed_on=row["installed_on"],
        notes=row["notes"],
        camera_count=row["camera_count"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def list_points(
    db: Database, actor: Principal, *, zone_code: str | None = None, query: str | None = None,
    page: int = 1, per_page: int = 50,
) -> tuple[list[PointOut], Page]:
    """Return a page of points in the caller's scope, optionally under one zone."""
    actor.require("registry.read")
    path = actor.zone_path
    if zone_code:
        path = (await get_zone_row(db, actor, code=zone_code, field="zone"))["path"]
    where = ["z.path LIKE ? || '%'"]
    params: list[Any] = [path]
    if query:
        where.append("(p.name LIKE '%' || ? || '%' OR p.address LIKE '%' || ? || '%')")
        params += [query, query]
    clause = " AND ".join(where)
    total = await db.fetchval(
        f"SELECT COUNT(*) FROM camera_point p JOIN zone z ON z.id = p.zone_id WHERE {clause}",  # noqa: S608
        params,
    )
    rows = await db.fetchall(
        f"{_SELECT} WHERE {clause} ORDER BY z.path, p.name LIMIT ? OFFSET ?",  # noqa: S608
        (*params, per_page, (page - 1) * per_page),
    )
    return [point_out(r) for r in rows], Page(page=page, per_page=per_page, total=total)


async def get_point_row(db: Database | Transaction, actor: Principal, point_id: int,
                        field: str = "id") -> sqlite3.Row:
    """Fetch a point in the caller's scope, else :class:`NotFound`."""
    row = await db.fetchone(f"{_SELECT} WHERE p.id = ?", (point_id,))  # noqa: S608
    if row is None or not actor.sees_path(row["zone_path"]):
        raise NotFound(f"camera point {point_id} does not exist or is outside your zone", field)
    return row


async def get_point(db: Database, actor: Principal, point_id: int) -> PointOut:
    """Return one point in the caller's scope."""
    actor.require("registry.read")
    return point_out(await get_point_row(db, actor, point_id))


async def create_point(db: Database, actor: Principal, data: PointIn) -> PointOut:
    """Create a camera point in a zone of the caller's scope."""
    actor.require("registry.write")
    async with db.transaction() as tx:
        point_id = await insert_point(tx, actor, data)
        row = await tx.fetchone(f"{_SELECT} WHERE p.id = ?", (point_id,))  # noqa: S608
    assert row is not None  # noqa: S101
    return point_out(row)


async def insert_point(tx: Transaction, actor: Principal, data: PointIn) -> int:
    """Insert a point inside an open transaction; return its id."""
    zone = await get_zone_row(tx, actor, code=data.zone_code)
    check_in_zone(zone, data.lat, data.lon)
    if await tx.fetchval(
        "SELECT 1 FROM camera_point WHERE zone_id = ? AND name = ?", (zone["id"], data.name)
    ):
        raise Conflict(f"zone {data.zone_code!r} already has a point named {data.name!r}", "name")
    now = now_iso()
    point_id = await tx.execute(
        "INSERT INTO camera_point(zone_id, name, address, lat, lon, host_name, host_phone,"
        " funding, installed_on, notes, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            zone["id"], data.name, data.address, data.lat, data.lon, data.host_name,
            data.host_phone, data.funding,
            data.installed_on.isoformat() if data.installed_on else None, data.notes, now, now,
        ),
    )
    await audit.record(tx, actor, "create", "camera_point", point_id, None, data.model_dump(mode="json"))
    return point_id


async def update_point(db: Database, actor: Principal, point_id: int, patch: PointPatch) -> PointOut:
    """Change a point; moving it re-checks the (new) zone's boundary."""
    actor.require("registry.write")
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True, mode="json")
    async with db.transaction() as tx:
        before = await get_point_row(tx, actor, point_id)
        zone_code = changes.pop("zone_code", None) or before["zone_code"]
        zone = await get_zone_row(tx, actor, code=zone_code)
        lat = changes.get("lat", before["lat"])
        lon = changes.get("lon", before["lon"])
        if lat is None or lon is None:
            raise InvalidInput("latitude and longitude cannot be removed", "lat")
        check_in_zone(zone, lat, lon)
        name = changes.get("name") or before["name"]
        clash = await tx.fetchval(
            "SELECT 1 FROM camera_point WHERE zone_id = ? AND name = ? AND id != ?",
            (zone["id"], name, point_id),
        )
        if clash:
            raise Conflict(f"zone {zone['code']!r} already has a point named {name!r}", "name")
        changes["zone_id"] = zone["id"]
        sets = ", ".join(f"{k} = ?" for k in changes)
        await tx.execute(
            f"UPDATE camera_point SET {sets}, updated_at = ? WHERE id = ?",  # noqa: S608
            (*changes.values(), now_iso(), point_id),
        )
        await audit.record(tx, actor, "update", "camera_point", point_id, dict(before), changes)
        await sync_geometry(tx, point_id=point_id)
        row = await tx.fetchone(f"{_SELECT} WHERE p.id = ?", (point_id,))  # noqa: S608
    assert row is not None  # noqa: S101
    return point_out(row)


async def delete_point(db: Database, actor: Principal, point_id: int) -> None:
    """Delete a point and its cameras."""
    actor.require("registry.write")
    async with db.transaction() as tx:
        before = await get_point_row(tx, actor, point_id)
        await tx.execute("DELETE FROM camera_point WHERE id = ?", (point_id,))
        await audit.record(tx, actor, "delete", "camera_point", point_id, dict(before), None)
