"""Camera points: a place (address, host, funding) holding one or more cameras."""

from __future__ import annotations

import sqlite3
from typing import Any

from camnet import audit
from camnet.auth.principal import Principal
from camnet.auth.scope import fetch_in_scope, in_scope
from camnet.coverage.history import sync_geometry
from camnet.db import Database, Transaction
from camnet.errors import Conflict, InvalidInput
from camnet.geo import check_in_zone
from camnet.paging import Page, like_pattern, paginate
from camnet.registry.models import PointIn, PointOut, PointPatch
from camnet.registry.references import refuse_if_referenced
from camnet.registry.zones import get_zone_row, refuse_if_disabled
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
    scope, scope_params = in_scope("z.path", path)
    where = [scope]
    params: list[Any] = [*scope_params]
    if query:
        where.append("(p.name LIKE ? ESCAPE '\\' OR p.address LIKE ? ESCAPE '\\')")
        params += [like_pattern(query), like_pattern(query)]
    clause = " AND ".join(where)
    rows, paging = await paginate(
        db, select_sql=f"{_SELECT} WHERE {clause} ORDER BY z.path, p.name",
        count_sql=f"SELECT COUNT(*) FROM camera_point p JOIN zone z ON z.id = p.zone_id WHERE {clause}",
        params=params, page=page, per_page=per_page)
    return [point_out(r) for r in rows], paging


async def get_point_row(db: Database | Transaction, actor: Principal, point_id: int,
                        field: str = "id") -> sqlite3.Row:
    """Fetch a point in the caller's scope, else :class:`NotFound`."""
    return await fetch_in_scope(db, actor, f"{_SELECT} WHERE p.id = ?", (point_id,),  # noqa: S608
                                what=f"camera point {point_id}", field=field)


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


_WRITABLE = ("address", "lat", "lon", "host_name", "host_phone", "funding", "installed_on", "notes")
WRITABLE = _WRITABLE  # the columns write_point stores (an importer merges over a stored row)


def point_values(data: PointIn) -> dict[str, Any]:
    """The stored columns of a new or re-imported point."""
    return {"address": data.address, "lat": data.lat, "lon": data.lon,
            "host_name": data.host_name, "host_phone": data.host_phone, "funding": data.funding,
            "installed_on": data.installed_on.isoformat() if data.installed_on else None,
            "notes": data.notes}


async def write_point(tx: Transaction, zone_id: int, name: str, values: dict[str, Any], *,
                      point_id: int | None = None, sync: bool = True) -> int:
    """The one INSERT/UPDATE of ``camera_point`` rows (API, import and forms all come here).

    Args:
        tx: the open write transaction.
        zone_id: the zone the point lies in.
        name: the point's name, unique in its zone.
        values: columns from :func:`point_values`.
        point_id: the row to update; ``None`` inserts.
        sync: version the geometry of its cameras now (an import syncs once at its end).
    """
    now = now_iso()
    row = [values[k] for k in _WRITABLE]
    if point_id is None:
        return await tx.execute(
            f"INSERT INTO camera_point(zone_id, name, {', '.join(_WRITABLE)}, created_at,"  # noqa: S608
            f" updated_at) VALUES (?, ?, {', '.join('?' * len(_WRITABLE))}, ?, ?)",
            (zone_id, name, *row, now, now),
        )
    sets = ", ".join(f"{k} = ?" for k in _WRITABLE)
    await tx.execute(
        f"UPDATE camera_point SET zone_id = ?, name = ?, {sets}, updated_at = ? WHERE id = ?",  # noqa: S608
        (zone_id, name, *row, now, point_id),
    )
    if sync:  # its cameras moved with it: version their geometry
        await sync_geometry(tx, point_id=point_id)
    return point_id


async def point_ids_by_name(tx: Transaction) -> dict[tuple[int, str], int]:
    """Every point's id by (zone id, name), to match imported rows to existing points."""
    rows = await tx.fetchall("SELECT id, zone_id, name FROM camera_point")
    return {(r["zone_id"], r["name"]): r["id"] for r in rows}


async def registry_rows(db: Database, actor: Principal, zone_path: str) -> list[sqlite3.Row]:
    """One row per camera (and per point without cameras) under ``zone_path``, for export.

    Credentials are left out; the URL still needs masking by the caller's format.
    """
    actor.require("registry.read")
    scope, params = in_scope("z.path", zone_path)
    return await db.fetchall(
        "SELECT z.code AS zone_code, p.name AS point_name, p.address, p.lat, p.lon, p.host_name,"
        " p.host_phone, p.funding, p.installed_on, p.notes AS point_notes, c.name AS camera_name,"
        " c.rtsp_url, c.username, c.vendor, c.azimuth_deg, c.fov_deg, c.range_m,"
        " c.retention_days, c.enabled, c.monitor_tier"
        " FROM camera_point p JOIN zone z ON z.id = p.zone_id"
        " LEFT JOIN camera c ON c.point_id = p.id"
        f" WHERE {scope} ORDER BY z.code, p.name, c.name",
        params,
    )


async def insert_point(tx: Transaction, actor: Principal, data: PointIn) -> int:
    """Insert a point inside an open transaction; return its id."""
    zone = await get_zone_row(tx, actor, code=data.zone_code)
    await refuse_if_disabled(tx, zone)
    check_in_zone(zone, data.lat, data.lon)
    if await tx.fetchval(
        "SELECT 1 FROM camera_point WHERE zone_id = ? AND name = ?", (zone["id"], data.name)
    ):
        raise Conflict(f"zone {data.zone_code!r} already has a point named {data.name!r}", "name")
    point_id = await write_point(tx, zone["id"], data.name, point_values(data))
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
        if zone_code != before["zone_code"]:
            await refuse_if_disabled(tx, zone)  # no moving points into a switched-off zone
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
        merged = {k: changes.get(k, before[k]) for k in _WRITABLE}
        await write_point(tx, zone["id"], name, merged, point_id=point_id)
        changes["zone_id"] = zone["id"]
        await audit.record(tx, actor, "update", "camera_point", point_id, dict(before), changes)
        row = await tx.fetchone(f"{_SELECT} WHERE p.id = ?", (point_id,))  # noqa: S608
    assert row is not None  # noqa: S101
    return point_out(row)


async def delete_point(db: Database, actor: Principal, point_id: int) -> None:
    """Delete a point and its cameras."""
    actor.require("registry.write")
    async with db.transaction() as tx:
        before = await get_point_row(tx, actor, point_id)
        for row in await tx.fetchall("SELECT id FROM camera WHERE point_id = ?", (point_id,)):
            await refuse_if_referenced(tx, "camera", row["id"], f"camera {row['id']} of this point",
                                       "disable its cameras instead (PATCH enabled=false)")
        await tx.execute("DELETE FROM camera_point WHERE id = ?", (point_id,))
        await audit.record(tx, actor, "delete", "camera_point", point_id, dict(before), None)
