"""Import and export of points and cameras as CSV or GeoJSON.

An import is all-or-nothing: every row is validated first and every problem is reported
with its line (CSV) or feature number (GeoJSON) and field; only a clean file is written,
in one transaction. Existing points (same zone and name) and cameras (same point and name)
are updated; others are created. Passwords are never exported.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from shapely.geometry.base import BaseGeometry

from camnet import audit
from camnet.auth.principal import Principal
from camnet.coverage.history import sync_geometry
from camnet.db import Database
from camnet.errors import CamnetError
from camnet.geo import contains, parse_boundary
from camnet.registry.models import CameraIn, PointIn
from camnet.secretstore import CredentialCipher, mask_url, split_credentials
from camnet.timeutil import now_iso

POINT_COLUMNS = (
    "zone_code", "point_name", "address", "lat", "lon", "host_name", "host_phone", "funding",
    "installed_on", "point_notes",
)
CAMERA_COLUMNS = (
    "camera_name", "rtsp_url", "username", "password", "vendor", "azimuth_deg", "fov_deg",
    "range_m", "retention_days", "enabled", "monitor_tier",
)
CSV_COLUMNS = POINT_COLUMNS + CAMERA_COLUMNS
EXPORT_COLUMNS = tuple(c for c in CSV_COLUMNS if c != "password")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class RowError:
    """One problem in an import file."""

    where: str  # "line 12" or "feature 3"
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}, {self.field}: {self.message}"


class ImportFailed(CamnetError):
    """The file has problems; nothing was written."""

    code = "import_failed"
    status = 422

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the file; nothing was imported")
        self.errors = errors


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


def read_csv_rows(text: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield ("line N", row) from CSV text with a header row.

    Raises:
        ImportFailed: the header lacks required columns or has unknown ones.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    missing = [c for c in ("zone_code", "point_name", "lat", "lon") if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    problems = [RowError("line 1", c, "required column missing") for c in missing]
    problems += [
        RowError("line 1", c, f"unknown column; allowed: {', '.join(CSV_COLUMNS)}") for c in unknown
    ]
    if problems:
        raise ImportFailed(problems)
    for row in reader:
        if None in row:
            yield f"line {reader.line_num}", {"__extra__": "more cells than header columns"}
            continue
        yield f"line {reader.line_num}", {k: (v or "").strip() for k, v in row.items()}


def read_geojson_rows(text: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield ("feature N", row) from a GeoJSON FeatureCollection of points with cameras.

    Raises:
        ImportFailed: the text is not a FeatureCollection.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ImportFailed([RowError("file", "json", f"not valid JSON: {exc}")]) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFailed([RowError("file", "type", "expected a GeoJSON FeatureCollection")])
    for number, feature in enumerate(data.get("features") or [], start=1):
        where = f"feature {number}"
        geometry = (feature or {}).get("geometry") or {}
        props = dict((feature or {}).get("properties") or {})
        coords = geometry.get("coordinates") if geometry.get("type") == "Point" else None
        if not isinstance(coords, list) or len(coords) < 2:
            yield where, {"__extra__": "geometry must be a Point [longitude, latitude]"}
            continue
        point = {k: _text(props.get(k.removeprefix("point_"))) for k in POINT_COLUMNS}
        point["point_name"] = _text(props.get("name"))
        point["zone_code"] = _text(props.get("zone_code"))
        point["lon"], point["lat"] = _text(coords[0]), _text(coords[1])
        cameras = props.get("cameras") or []
        if not cameras:
            yield where, point
        for camera in cameras:
            row = dict(point)
            row.update({k: _text(camera.get(k.removeprefix("camera_"))) for k in CAMERA_COLUMNS})
            row["camera_name"] = _text(camera.get("name"))
            yield where, row


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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
        "point_id": 0,
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
    zone_rows = await db.fetchall(
        "SELECT id, code, boundary_geojson FROM zone WHERE path LIKE ? || '%'", (actor.zone_path,)
    )
    zones = {r["code"]: (r["id"], r["boundary_geojson"]) for r in zone_rows}
    points, count = validate_rows(rows, zones, progress)
    report = ImportReport(rows=count)
    now = now_iso()
    async with db.transaction() as tx:
        existing = {
            (r["zone_id"], r["name"]): r["id"]
            for r in await tx.fetchall("SELECT id, zone_id, name FROM camera_point")
        }
        cams = {
            (r["point_id"], r["name"]): r["id"]
            for r in await tx.fetchall("SELECT id, point_id, name FROM camera")
        }
        for done, ((zone_code, _), entry) in enumerate(points.items(), start=1):
            if progress and done % 1000 == 0:
                progress(f"wrote {done}/{len(points)} points")
            p = entry.data
            zone_id = zones[zone_code][0]
            values = (p.address, p.lat, p.lon, p.host_name, p.host_phone, p.funding,
                      p.installed_on.isoformat() if p.installed_on else None, p.notes, now)
            point_id = existing.get((zone_id, p.name))
            if point_id is None:
                point_id = await tx.execute(
                    "INSERT INTO camera_point(address, lat, lon, host_name, host_phone, funding,"
                    " installed_on, notes, updated_at, zone_id, name, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, zone_id, p.name, now),
                )
                report.points_created += 1
            else:
                await tx.execute(
                    "UPDATE camera_point SET address = ?, lat = ?, lon = ?, host_name = ?,"
                    " host_phone = ?, funding = ?, installed_on = ?, notes = ?, updated_at = ?"
                    " WHERE id = ?",
                    (*values, point_id),
                )
                report.points_updated += 1
            for _, camera in entry.cameras.values():
                url, url_user, url_password = split_credentials(camera.rtsp_url)
                username = camera.username or url_user or ""
                password = camera.password or url_password
                cam_values = (
                    url, username, cipher.encrypt(password) if password else None, camera.vendor,
                    camera.azimuth_deg, camera.fov_deg, camera.range_m, camera.retention_days,
                    int(camera.enabled), camera.monitor_tier, now,
                )
                camera_id = cams.get((point_id, camera.name))
                if camera_id is None:
                    await tx.execute(
                        "INSERT INTO camera(rtsp_url, username, secret_enc, vendor, azimuth_deg,"
                        " fov_deg, range_m, retention_days, enabled, monitor_tier, updated_at,"
                        " point_id, name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (*cam_values, point_id, camera.name, now),
                    )
                    report.cameras_created += 1
                else:
                    await tx.execute(
                        "UPDATE camera SET rtsp_url = ?, username = ?,"
                        " secret_enc = COALESCE(?, secret_enc), vendor = ?, azimuth_deg = ?,"
                        " fov_deg = ?, range_m = ?, retention_days = ?, enabled = ?,"
                        " monitor_tier = ?, updated_at = ? WHERE id = ?",
                        (*cam_values, camera_id),
                    )
                    report.cameras_updated += 1
        await sync_geometry(tx)
        await audit.record(tx, actor, "import", "registry", None, None,
                           {"source": source, **report.__dict__})
    return report


async def export_rows(db: Database, actor: Principal, zone_path: str | None = None) -> list[dict[str, Any]]:
    """Return one row per camera (and per point without cameras), passwords left out."""
    actor.require("registry.read")
    rows = await db.fetchall(
        "SELECT z.code AS zone_code, p.name AS point_name, p.address, p.lat, p.lon, p.host_name,"
        " p.host_phone, p.funding, p.installed_on, p.notes AS point_notes, c.name AS camera_name,"
        " c.rtsp_url, c.username, c.vendor, c.azimuth_deg, c.fov_deg, c.range_m,"
        " c.retention_days, c.enabled, c.monitor_tier"
        " FROM camera_point p JOIN zone z ON z.id = p.zone_id"
        " LEFT JOIN camera c ON c.point_id = p.id"
        " WHERE z.path LIKE ? || '%' ORDER BY z.code, p.name, c.name",
        (zone_path or actor.zone_path,),
    )
    out = []
    for r in rows:
        row = {k: r[k] for k in EXPORT_COLUMNS}
        if row["rtsp_url"]:
            row["rtsp_url"] = mask_url(row["rtsp_url"])
        if row["enabled"] is not None:
            row["enabled"] = "true" if row["enabled"] else "false"
        out.append(row)
    return out


def to_csv(rows: list[dict[str, Any]]) -> str:
    """Render exported rows as CSV with a header."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def to_geojson(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Render exported rows as a FeatureCollection: one Point feature per camera point."""
    features: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["zone_code"], row["point_name"])
        feature = features.get(key)
        if feature is None:
            props = {k: row[k] for k in POINT_COLUMNS if k not in ("lat", "lon", "point_name")}
            props["name"] = row["point_name"]
            props["notes"] = props.pop("point_notes")
            props["cameras"] = []
            feature = features[key] = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                "properties": props,
            }
        if row["camera_name"]:
            camera = {k.removeprefix("camera_"): row[k] for k in CAMERA_COLUMNS if k in row}
            camera["enabled"] = row["enabled"] == "true"
            feature["properties"]["cameras"].append(camera)
    return {"type": "FeatureCollection", "features": list(features.values())}
