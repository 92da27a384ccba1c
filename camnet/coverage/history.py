"""The versioned camera geometry (``camera_geometry``, ``camera_view_extra``): its only SQL.

Whenever a camera's position (its point's lat/lon), azimuth, field of view or range
changes, the current version is closed (``valid_to``) and a new one opened, so that
"who could have seen P at T" uses the geometry as it was at T. The registry calls
:func:`sync_geometry` inside its write transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from shapely.geometry import mapping

from camnet.auth.scope import in_scope
from camnet.coverage.geometry import View, sector_wgs84
from camnet.db import Database, Transaction
from camnet.timeutil import now_iso

BEGINNING = "0001-01-01T00:00:00.000000Z"
_CURRENT = (
    "SELECT c.id AS camera_id, p.zone_id, p.lat, p.lon, c.azimuth_deg, c.fov_deg, c.range_m,"
    " x.min_range_m, x.height_m FROM camera c JOIN camera_point p ON p.id = c.point_id"
    " LEFT JOIN camera_view_extra x ON x.camera_id = c.id"
)
_FIELDS = ("zone_id", "lat", "lon", "azimuth_deg", "fov_deg", "range_m", "min_range_m", "height_m")


async def sync_geometry(tx: Transaction, *, camera_ids: Sequence[int] | None = None,
                        point_id: int | None = None) -> int:
    """Bring ``camera_geometry`` in line with the registry for some (or all) cameras.

    Args:
        tx: the registry's open write transaction.
        camera_ids: cameras to check; with ``point_id`` also ``None``, every camera.
        point_id: check every camera on this point (after the point moved).

    Returns:
        The number of new versions written.
    """
    where, params = "", []  # type: tuple[str, list[Any]]
    if camera_ids is not None:
        if not camera_ids:
            return 0
        where = f" WHERE c.id IN ({','.join('?' * len(camera_ids))})"
        params = list(camera_ids)
    elif point_id is not None:
        where, params = " WHERE c.point_id = ?", [point_id]
    current = await tx.fetchall(_CURRENT + where, params)
    if not current:
        return 0
    ids = [r["camera_id"] for r in current]
    stored: dict[int, sqlite3.Row] = {}
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
        for row in await tx.fetchall(
            f"SELECT * FROM camera_geometry WHERE valid_to IS NULL AND camera_id IN"
            f" ({','.join('?' * len(chunk))})", chunk,
        ):
            stored[row["camera_id"]] = row
    now = now_iso()
    closes: list[tuple[str, int]] = []
    inserts: list[tuple[Any, ...]] = []
    for row in current:
        old = stored.get(row["camera_id"])
        if old is not None and all(old[f] == row[f] for f in _FIELDS):
            continue
        if old is not None:
            closes.append((now, old["id"]))
        inserts.append((row["camera_id"], *(row[f] for f in _FIELDS),
                        now if old is not None else BEGINNING, now))
    await tx.executemany("UPDATE camera_geometry SET valid_to = ? WHERE id = ?", closes)
    await tx.executemany(
        "INSERT INTO camera_geometry(camera_id, zone_id, lat, lon, azimuth_deg, fov_deg, range_m,"
        " min_range_m, height_m, valid_from, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        inserts,
    )
    return len(inserts)


async def set_view_extra(tx: Transaction, camera_id: int, min_range_m: float | None,
                         height_m: float | None) -> None:
    """Record a camera's blind distance and mounting height, then version its geometry."""
    await tx.execute(
        "INSERT INTO camera_view_extra(camera_id, min_range_m, height_m) VALUES (?, ?, ?)"
        " ON CONFLICT(camera_id) DO UPDATE SET min_range_m = excluded.min_range_m,"
        " height_m = excluded.height_m",
        (camera_id, min_range_m, height_m),
    )
    await sync_geometry(tx, camera_ids=[camera_id])


async def view_extra(tx: Database | Transaction, camera_id: int) -> tuple[float | None, float | None]:
    """A camera's recorded ``(min_range_m, height_m)``; ``(None, None)`` when never set."""
    row = await tx.fetchone("SELECT min_range_m, height_m FROM camera_view_extra WHERE camera_id = ?",
                            (camera_id,))
    return (None, None) if row is None else (row["min_range_m"], row["height_m"])


def view_of(row: sqlite3.Row) -> View:
    """A :class:`View` from a ``camera_geometry`` row."""
    return View(camera_id=row["camera_id"], lat=row["lat"], lon=row["lon"],
                azimuth_deg=row["azimuth_deg"], fov_deg=row["fov_deg"], range_m=row["range_m"],
                min_range_m=row["min_range_m"], height_m=row["height_m"])


async def versions_near(db: Database, zone_path: str, lat: float, lon: float, pad_deg: float,
                        start: str, end: str) -> list[sqlite3.Row]:
    """Geometry versions valid at some time in [start, end] whose box is near (lat, lon).

    Only cameras in zones under ``zone_path`` are returned. Joined with the camera's name,
    point, zone, creation time and retention.
    """
    scope, scope_params = in_scope("z.path", zone_path)
    return await db.fetchall(
        "SELECT g.*, c.name AS camera, c.created_at AS camera_created_at, c.retention_days,"
        " c.enabled, c.rtsp_url != '' AS monitored, p.name AS point, p.address, z.code AS zone_code"
        " FROM camera_geometry_bbox b JOIN camera_geometry g ON g.id = b.id"
        " JOIN camera c ON c.id = g.camera_id JOIN camera_point p ON p.id = c.point_id"
        " JOIN zone z ON z.id = p.zone_id"
        " WHERE b.max_lon >= ? AND b.min_lon <= ? AND b.max_lat >= ? AND b.min_lat <= ?"
        " AND g.valid_from < ? AND (g.valid_to IS NULL OR g.valid_to > ?)"
        f" AND {scope} ORDER BY g.camera_id, g.valid_from",
        (lon - pad_deg, lon + pad_deg, lat - pad_deg, lat + pad_deg, end, start, *scope_params),
    )


async def current_in_bbox(db: Database, zone_path: str, west: float, south: float, east: float,
                          north: float, limit: int = 5000) -> list[sqlite3.Row]:
    """Current geometry of the cameras in scope whose box meets the given bounding box."""
    scope, scope_params = in_scope("z.path", zone_path)
    return await db.fetchall(
        "SELECT g.*, c.name AS camera, p.id AS point_id, p.name AS point, z.code AS zone_code,"
        " COALESCE(s.status, 'unknown') AS status, s.health, c.rtsp_url != '' AS monitored"
        " FROM camera_geometry_bbox b JOIN camera_geometry g ON g.id = b.id"
        " JOIN camera c ON c.id = g.camera_id JOIN camera_point p ON p.id = c.point_id"
        " JOIN zone z ON z.id = p.zone_id LEFT JOIN camera_status s ON s.camera_id = c.id"
        " WHERE b.max_lon >= ? AND b.min_lon <= ? AND b.max_lat >= ? AND b.min_lat <= ?"
        f" AND g.valid_to IS NULL AND {scope} LIMIT ?",
        (west, east, south, north, *scope_params, limit),
    )


async def current_in_zone(db: Database | Transaction, zone_path: str) -> list[sqlite3.Row]:
    """Current geometry of every camera in a zone subtree, with status and health."""
    scope, scope_params = in_scope("z.path", zone_path)
    return await db.fetchall(
        "SELECT g.*, c.name AS camera, c.enabled, p.name AS point, z.code AS zone_code,"
        " COALESCE(s.status, 'unknown') AS status, s.health"
        " FROM camera_geometry g JOIN camera c ON c.id = g.camera_id"
        " JOIN camera_point p ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id"
        " LEFT JOIN camera_status s ON s.camera_id = c.id"
        f" WHERE g.valid_to IS NULL AND g.zone_id IN (SELECT id FROM zone WHERE {scope})"
        " ORDER BY g.camera_id",
        scope_params,
    )


def cones_geojson(rows: list[sqlite3.Row]) -> list[dict[str, Any] | None]:
    """GeoJSON sector of each geometry row (``None`` without a view), built around each camera."""
    out: list[dict[str, Any] | None] = []
    for row in rows:
        poly = sector_wgs84(view_of(row))
        out.append(None if poly is None else dict(mapping(poly)))
    return out
