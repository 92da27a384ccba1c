"""Import and export of points and cameras as CSV or GeoJSON.

An import is all-or-nothing: every row is validated first and every problem is reported
with its line (CSV) or feature number (GeoJSON) and field; only a clean file is written,
in one transaction. Existing points (same zone and name) and cameras (same point and name)
are updated; others are created. Passwords are never exported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from shapely.geometry.base import BaseGeometry

from camnet import audit
from camnet.auth.principal import Principal
from camnet.coverage.history import sync_geometry
from camnet.db import Database
from camnet.geo import contains, parse_boundary
from camnet.registry import cameras, points
from camnet.registry.formats import EXPORT_COLUMNS, ImportFailed, RowError
from camnet.registry.models import CameraIn, PointIn
from camnet.registry.zones import zone_boundaries
from camnet.secretstore import CredentialCipher, mask_url

Progress = Callable[[str], None]


@dataclass
class ImportReport:
    """What an import changed."""

    rows: int = 0
    points_created: int = 0
    points_updated: int = 0
    cameras_created: int = 0
    cameras_updated: int = 0


@dataclass
class _Point:
    where: str
    data: PointIn
    cameras: dict[str, tuple[str, CameraIn]] = field(default_factory=dict)


def _errors_of(where: str, exc: ValidationError, rename: dict[str, str]) -> list[RowError]:
    out = []
    for err in exc.errors():
        name = ".".join(str(p) for p in err["loc"])
        out.append(RowError(where, rename.get(name, name), err["msg"]))
    return out


_POINT_RENAME = {"name": "point_name", "notes": "point_notes"}
_CAMERA_RENAME = {"name": "camera_name"}


def _point_in(row: dict[str, str]) -> dict[str, Any]:
    return {
        "zone_code": row.get("zone_code", ""),
        "name": row.get("point_name", ""),
        "address": row.get("address", ""),
        "lat": row.get("lat") or None,
        "lon": row.get("lon") or None,
        "host_name": row.get("host_name", ""),
        "host_phone": row.get("host_phone", ""),
        "funding": row.get("funding", ""),
        "installed_on": row.get("installed_on") or None,
        "notes": row.get("point_notes", ""),
    }


def _camera_in(row: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "point_id": 1,  # placeholder: the point is known only when written (unused by write_camera)
        "name": row.get("camera_name", ""),
        "rtsp_url": row.get("rtsp_url", ""),
        "username": row.get("username") or None,
        "password": row.get("password") or None,
        "vendor": row.get("vendor", ""),
        "azimuth_deg": row.get("azimuth_deg") or None,
        "fov_deg": row.get("fov_deg") or None,
        "range_m": row.get("range_m") or None,
    }
    for key in ("retention_days", "enabled", "monitor_tier"):
        if row.get(key):
            data[key] = row[key]
    if str(data.get("monitor_tier", "")).isdigit():
        data["monitor_tier"] = int(data["monitor_tier"])  # a Literal[1, 2] does not coerce text
    return data


def validate_rows(
    rows: Iterable[tuple[str, dict[str, str]]], zones: dict[str, tuple[int, str | None]],
    progress: Progress | None = None,
) -> tuple[dict[tuple[str, str], _Point], int]:
    """Check every row; return the points by (zone code, name) and the row count.

    Args:
        rows: ("where", row) pairs from a reader.
        zones: zone code -> (id, boundary GeoJSON) for the caller's scope.
        progress: called with a line every 1,000 rows.

    Raises:
        ImportFailed: with every problem found.
    """
    errors: list[RowError] = []
    points: dict[tuple[str, str], _Point] = {}
    boundaries: dict[str, BaseGeometry | None] = {}
    count = 0
    for count, (where, row) in enumerate(rows, start=1):
        if progress and count % 1000 == 0:
            progress(f"checked {count} rows")
        if "__extra__" in row:
            errors.append(RowError(where, "row", row["__extra__"]))
            continue
        try:
            point = PointIn.model_validate(_point_in(row))
        except ValidationError as exc:
            errors += _errors_of(where, exc, _POINT_RENAME)
            continue
        zone = zones.get(point.zone_code)
        if zone is None:
            errors.append(RowError(where, "zone_code", f"no zone {point.zone_code!r} in your zone"))
            continue
        if point.zone_code not in boundaries:
            boundaries[point.zone_code] = parse_boundary(zone[1]) if zone[1] else None
        boundary = boundaries[point.zone_code]
        if boundary is not None and not contains(boundary, point.lat, point.lon):
            errors.append(
                RowError(where, "lat", f"({point.lat}, {point.lon}) is outside zone {point.zone_code!r}")
            )
            continue
        key = (point.zone_code, point.name)
        entry = points.get(key)
        if entry is None:
            entry = points[key] = _Point(where, point)
        elif entry.data != point:
            errors.append(
                RowError(where, "point_name", f"point {point.name!r} differs from {entry.where}")
            )
            continue
        if not row.get("camera_name") and not row.get("rtsp_url"):
            continue
        try:
            camera = CameraIn.model_validate(_camera_in(row))
        except ValidationError as exc:
            errors += _errors_of(where, exc, _CAMERA_RENAME)
            continue
        if camera.name in entry.cameras:
            errors.append(
                RowError(where, "camera_name",
                         f"camera {camera.name!r} already given at {entry.cameras[camera.name][0]}")
            )
            continue
        entry.cameras[camera.name] = (where, camera)
    if errors:
        raise ImportFailed(errors)
    return points, count


async def import_rows(
    db: Database, actor: Principal, cipher: CredentialCipher,
    rows: Iterable[tuple[str, dict[str, str]]], *, source: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    """Validate then write points and cameras in one transaction (all or nothing)."""
    actor.require("registry.write")
    zones = await zone_boundaries(db, actor)
    validated, count = validate_rows(rows, zones, progress)
    report = ImportReport(rows=count)
    async with db.transaction() as tx:
        existing = await points.point_ids_by_name(tx)
        cams = await cameras.camera_ids_by_name(tx)
        for done, ((zone_code, _), entry) in enumerate(validated.items(), start=1):
            if progress and done % 1000 == 0:
                progress(f"wrote {done}/{len(validated)} points")
            zone_id = zones[zone_code][0]
            point_id = existing.get((zone_id, entry.data.name))
            if point_id is None:
                report.points_created += 1
            else:
                report.points_updated += 1
            point_id = await points.write_point(tx, zone_id, entry.data.name,
                                                points.point_values(entry.data), point_id=point_id,
                                                sync=False)
            for _, camera in entry.cameras.values():
                camera_id = cams.get((point_id, camera.name))
                if camera_id is None:
                    report.cameras_created += 1
                else:
                    report.cameras_updated += 1
                await cameras.write_camera(tx, point_id, camera.name,
                                           cameras.camera_values(cipher, camera),
                                           camera_id=camera_id, keep_secret=True, sync=False)
        await sync_geometry(tx)  # once for the whole file
        await audit.record(tx, actor, "import", "registry", None, None,
                           {"source": source, **report.__dict__})
    return report


async def export_rows(db: Database, actor: Principal, zone_path: str | None = None) -> list[dict[str, Any]]:
    """Return one row per camera (and per point without cameras), passwords left out."""
    actor.require("registry.read")
    rows = await points.registry_rows(db, actor, zone_path or actor.zone_path)
    out = []
    for r in rows:
        row = {k: r[k] for k in EXPORT_COLUMNS}
        if row["rtsp_url"]:
            row["rtsp_url"] = mask_url(row["rtsp_url"])
        if row["enabled"] is not None:
            row["enabled"] = "true" if row["enabled"] else "false"
        out.append(row)
    return out


