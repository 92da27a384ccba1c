"""Import cameras tagged the OpenStreetMap way into points and cameras of one zone.

Reads a GeoJSON FeatureCollection of Points (tags as properties, or under ``tags``, as
``camnet coverage export-osm`` and osmtogeojson write them) or OSM JSON (Overpass
``[out:json]``: ``elements`` of ``type: node``). Only ``man_made=surveillance`` with
``surveillance:type=camera`` (or no type) is a camera; other elements are skipped and listed.

Tags used: ``camera:direction`` (degrees or N/NE/…), ``camnet:fov`` (else 360 for
``camera:type=panorama``), ``camnet:range`` / ``camnet:range_m``, ``camnet:min_range`` /
``camnet:min_range_m``, ``height`` (metres), ``name`` (``"point / camera"`` as exported
splits into both), ``camera:angle`` (the *tilt* below the horizon in OSM, not a field of
view: checked, not stored). Never imported: ``operator`` (often a household), ``addr:*``,
``phone``, ``contact:*``, ``email`` and every other tag — the point's host, phone, address
and funding stay empty. Imported cameras have no stream URL: they are **not monitored**
until someone sets one (the monitor skips them; their status stays "unknown", never down).

An import is all or nothing, like :mod:`camnet.registry.importer`: every element is checked
first and every problem is reported as ``feature N`` / ``element N``, field and message.
Re-importing updates the place and view of points and cameras of the same names and keeps
everything else (stream URL, credentials, retention, host details).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from camnet import audit
from camnet.auth.principal import Principal
from camnet.coverage.history import set_view_extra, sync_geometry, view_extra
from camnet.db import Database, Transaction
from camnet.geo import contains, parse_boundary
from camnet.registry import cameras, points
from camnet.registry.formats import ImportFailed, RowError
from camnet.registry.zones import get_zone_row, list_zones

MAX_ELEMENTS = 20_000
NAME_MAX = 200
CARDINAL = {name: i * 22.5 for i, name in enumerate(
    "N NNE NE ENE E ESE SE SSE S SSW SW WSW W WNW NW NNW".split())}
PERSONAL_TAGS = ("operator", "phone", "email", "contact:", "addr:", "owner", "website")


@dataclass(frozen=True)
class OsmCamera:
    """One camera read from OSM tags (no personal data)."""

    where: str
    osm_id: str
    lat: float
    lon: float
    point_name: str
    camera_name: str
    azimuth_deg: float | None
    fov_deg: float | None
    range_m: float | None
    min_range_m: float | None
    height_m: float | None


@dataclass
class OsmImportReport:
    """What an OSM import changed, and what it skipped (not a camera) or left out."""

    zone: str
    elements: int = 0
    points_created: int = 0
    points_updated: int = 0
    cameras_created: int = 0
    cameras_updated: int = 0
    skipped: list[str] = field(default_factory=list)
    ignored_tags: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON."""
        return dict(self.__dict__)


Element = tuple[str, Any, Any, dict[str, Any], str, str]


def read_elements(data: Any) -> Iterator[Element]:
    """Yield ``(where, lat, lon, tags, osm id, skip reason)`` from GeoJSON or OSM JSON (pure).

    Raises:
        ImportFailed: neither a FeatureCollection nor OSM JSON, or too many elements.
    """
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        items = data.get("features")
        if not isinstance(items, list):
            raise ImportFailed([RowError("file", "features", "must be a list")])
        _check_size(items)
        for n, feature in enumerate(items, start=1):
            where = f"feature {n}"
            if not isinstance(feature, dict):
                yield where, None, None, {}, "", "not a GeoJSON Feature"
                continue
            geometry, props = _obj(feature.get("geometry")), _obj(feature.get("properties"))
            tags = _obj(props["tags"]) if isinstance(props.get("tags"), dict) else props
            coords = geometry.get("coordinates") if geometry.get("type") == "Point" else None
            lon, lat = (None, None)
            if isinstance(coords, list) and len(coords) >= 2:
                lon, lat = coords[0], coords[1]
            osm_id = str(feature.get("id") or props.get("@id") or props.get("id") or "")
            yield where, lat, lon, dict(tags), osm_id, ""
        return
    if isinstance(data, dict) and isinstance(data.get("elements"), list):
        items = data["elements"]
        _check_size(items)
        for n, element in enumerate(items, start=1):
            where = f"element {n}"
            if not isinstance(element, dict) or element.get("type") != "node":
                kind = element.get("type") if isinstance(element, dict) else "?"
                yield where, None, None, {}, "", f"a {kind}, not a node"
                continue
            yield (where, element.get("lat"), element.get("lon"), dict(_obj(element.get("tags"))),
                   f"node/{element.get('id')}", "")
        return
    raise ImportFailed([RowError("file", "type", "expected a GeoJSON FeatureCollection or OSM JSON"
                                                 " with \"elements\" (Overpass [out:json])")])


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _check_size(items: list[Any]) -> None:
    if len(items) > MAX_ELEMENTS:
        raise ImportFailed([RowError("file", "features",
                                     f"{len(items)} elements; import at most {MAX_ELEMENTS} at a time")])


def is_camera(tags: dict[str, Any]) -> bool:
    """``man_made=surveillance`` and ``surveillance:type`` camera (or not given)."""
    return (tags.get("man_made") == "surveillance"
            and str(tags.get("surveillance:type", "camera")).lower() == "camera")


def _number(tags: dict[str, Any], keys: tuple[str, ...], where: str, errors: list[RowError], *,
            lo: float, hi: float, lo_open: bool = False) -> float | None:
    for key in keys:
        raw = tags.get(key)
        if raw is None or str(raw).strip() == "":
            continue
        text = str(raw).strip().lower().removesuffix("m").strip()
        try:
            value = float(text)
        except ValueError:
            errors.append(RowError(where, key, f"not a number: {raw!r}"))
            return None
        if not math.isfinite(value) or value > hi or value < lo or (lo_open and value == lo):
            errors.append(RowError(where, key, f"{raw!r} is out of range ({lo:g}–{hi:g})"))
            return None
        return value
    return None


def _direction(tags: dict[str, Any], where: str, errors: list[RowError]) -> float | None:
    raw = tags.get("camera:direction")
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip().upper()
    if text in CARDINAL:
        return CARDINAL[text]
    try:
        value = float(text)
    except ValueError:
        errors.append(RowError(where, "camera:direction",
                               f"{raw!r} is neither degrees (0–360) nor N, NE, ENE…"))
        return None
    if not math.isfinite(value) or not 0 <= value <= 360:
        errors.append(RowError(where, "camera:direction", f"{raw!r} is out of range (0–360)"))
        return None
    return value % 360


def _names(tags: dict[str, Any], osm_id: str, lat: float, lon: float) -> tuple[str, str]:
    name = " ".join(str(tags.get("name") or "").split())
    if " / " in name:  # as camnet exports it: "point / camera"
        point, camera = (part.strip() for part in name.split(" / ", 1))
        if point and camera:
            return point[:NAME_MAX], camera[:NAME_MAX]
    label = f"OSM {osm_id}" if osm_id else f"OSM {lat:.6f},{lon:.6f}"
    return (name or label)[:NAME_MAX], "camera"


def parse_camera(where: str, lat: Any, lon: Any, tags: dict[str, Any], osm_id: str,
                 errors: list[RowError]) -> OsmCamera | None:
    """Check one camera element; append its problems to ``errors`` (pure)."""
    before = len(errors)
    try:
        la, lo = float(lat), float(lon)
    except (TypeError, ValueError):
        errors.append(RowError(where, "geometry", "needs a Point [longitude, latitude] (lat/lon)"))
        return None
    if not (math.isfinite(la) and -90 <= la <= 90):
        errors.append(RowError(where, "lat", f"latitude {lat!r} out of range"))
    if not (math.isfinite(lo) and -180 <= lo <= 180):
        errors.append(RowError(where, "lon", f"longitude {lon!r} out of range"))
    azimuth = _direction(tags, where, errors)
    fov = _number(tags, ("camnet:fov", "camnet:fov_deg"), where, errors, lo=1, hi=360)
    if fov is None and str(tags.get("camera:type", "")).lower() == "panorama":
        fov = 360.0
    rng = _number(tags, ("camnet:range", "camnet:range_m"), where, errors, lo=0, hi=5000,
                  lo_open=True)
    min_rng = _number(tags, ("camnet:min_range", "camnet:min_range_m"), where, errors, lo=0, hi=5000)
    height = _number(tags, ("height",), where, errors, lo=0, hi=500)
    _number(tags, ("camera:angle",), where, errors, lo=-90, hi=90)  # a tilt: checked, not stored
    if min_rng is not None and rng is not None and min_rng >= rng:
        errors.append(RowError(where, "camnet:min_range", "must be shorter than camnet:range"))
    if len(errors) > before:
        return None
    point, camera = _names(tags, osm_id, la, lo)
    return OsmCamera(where, osm_id, la, lo, point, camera, azimuth, fov, rng, min_rng, height)


def parse_osm(data: Any) -> tuple[list[OsmCamera], list[str], list[str]]:
    """Every camera of a file, what was skipped, and which personal tags were left out (pure).

    Raises:
        ImportFailed: with every problem found (nothing is imported then).
    """
    errors: list[RowError] = []
    found: list[OsmCamera] = []
    skipped: list[str] = []
    ignored: set[str] = set()
    seen: dict[tuple[str, str], str] = {}
    for where, lat, lon, tags, osm_id, skip in read_elements(data):
        if skip:
            skipped.append(f"{where}: {skip}")
            continue
        if not is_camera(tags):
            skipped.append(f"{where}: not a camera (man_made=surveillance,"
                           " surveillance:type=camera)")
            continue
        ignored |= {k for k in tags if k.startswith(PERSONAL_TAGS)}
        camera = parse_camera(where, lat, lon, tags, osm_id, errors)
        if camera is None:
            continue
        key = (camera.point_name, camera.camera_name)
        if key in seen:
            errors.append(RowError(where, "name", f"camera {camera.point_name!r} /"
                                   f" {camera.camera_name!r} already given at {seen[key]}"))
            continue
        seen[key] = where
        found.append(camera)
    errors += _same_point_same_place(found)
    if errors:
        raise ImportFailed(errors)
    return found, skipped, sorted(ignored)


def _same_point_same_place(found: list[OsmCamera]) -> list[RowError]:
    first: dict[str, OsmCamera] = {}
    out = []
    for c in found:
        other = first.setdefault(c.point_name, c)
        if (round(other.lat, 6), round(other.lon, 6)) != (round(c.lat, 6), round(c.lon, 6)):
            out.append(RowError(c.where, "name", f"point {c.point_name!r} is at another place"
                                f" in {other.where}; give the cameras different names"))
    return out


def load_text(text: str) -> Any:
    """Parse the file's JSON.

    Raises:
        ImportFailed: not JSON.
    """
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ImportFailed([RowError("file", "json", f"not valid JSON: {exc}")]) from exc


async def import_osm(db: Database, actor: Principal, zone_code: str, data: Any, *,
                     source: str = "") -> OsmImportReport:
    """Import the OSM-tagged cameras of ``data`` into zone ``zone_code`` (all or nothing).

    Args:
        db: the database.
        actor: needs ``registry.write``; the zone must be in the caller's scope.
        zone_code: the zone the points go into; its boundary (if any) must hold them.
        data: a parsed GeoJSON FeatureCollection or OSM JSON document.
        source: a file name for the audit log.

    Raises:
        ImportFailed: with every problem found; nothing is written then.
    """
    actor.require("registry.write")
    zone = await get_zone_row(db, actor, code=zone_code, field="zone")
    found, skipped, ignored = parse_osm(data)
    boundary = parse_boundary(zone["boundary_geojson"]) if zone["boundary_geojson"] else None
    if boundary is not None:
        outside = [RowError(c.where, "lat", f"({c.lat}, {c.lon}) is outside zone {zone_code!r}")
                   for c in found if not contains(boundary, c.lat, c.lon)]
        if outside:
            raise ImportFailed(outside)
    report = OsmImportReport(zone=zone_code, elements=len(found) + len(skipped), skipped=skipped,
                             ignored_tags=ignored)
    below = dataclasses.replace(actor, zone_id=zone["id"], zone_path=zone["path"])
    subtree = {z.id for z in await list_zones(db, below)}
    async with db.transaction() as tx:
        # a point of the same name anywhere under the zone (e.g. in a hamlet) is the same point
        point_ids: dict[str, tuple[int, int]] = {}
        for (zone_id, name), point_id in sorted((await points.point_ids_by_name(tx)).items()):
            if zone_id in subtree:
                point_ids.setdefault(name, (zone_id, point_id))
        camera_ids = await cameras.camera_ids_by_name(tx)
        for c in found:
            point_id = await _write_point(tx, actor, zone["id"], c, point_ids, report)
            camera_id = await _write_camera(tx, actor, point_id, c, camera_ids, report)
            if c.min_range_m is not None or c.height_m is not None:
                min_rng, height = await view_extra(tx, camera_id)
                await set_view_extra(tx, camera_id, _given(c.min_range_m, min_rng),
                                     _given(c.height_m, height))
        await sync_geometry(tx)
        await audit.record(tx, actor, "import_osm", "registry", None, None,
                           {"source": source, **report.as_dict()})
    return report


async def _write_point(tx: Transaction, actor: Principal, zone_id: int, c: OsmCamera,
                       ids: dict[str, tuple[int, int]], report: OsmImportReport) -> int:
    if c.point_name not in ids:
        values = {"address": "", "lat": c.lat, "lon": c.lon, "host_name": "", "host_phone": "",
                  "funding": "", "installed_on": None,
                  "notes": f"OpenStreetMap {c.osm_id}".strip()}
        point_id = await points.write_point(tx, zone_id, c.point_name, values, sync=False)
        ids[c.point_name] = (zone_id, point_id)
        report.points_created += 1
        return point_id
    zone_id, point_id = ids[c.point_name]
    row = await points.get_point_row(tx, actor, point_id, field="name")
    values = {k: row[k] for k in points.WRITABLE}
    if (row["lat"], row["lon"]) != (c.lat, c.lon):
        values.update(lat=c.lat, lon=c.lon)
        await points.write_point(tx, zone_id, c.point_name, values, point_id=point_id, sync=False)
        report.points_updated += 1
    return point_id


async def _write_camera(tx: Transaction, actor: Principal, point_id: int, c: OsmCamera,
                        ids: dict[tuple[int, str], int], report: OsmImportReport) -> int:
    view: dict[str, Any] = {"azimuth_deg": c.azimuth_deg, "fov_deg": c.fov_deg, "range_m": c.range_m}
    camera_id = ids.get((point_id, c.camera_name))
    if camera_id is None:
        values = {"rtsp_url": cameras.NOT_MONITORED_URL, "username": "", "secret_enc": None,
                  "vendor": "", "retention_days": 7, "enabled": 1, "monitor_tier": 2, **view}
        camera_id = await cameras.write_camera(tx, point_id, c.camera_name, values, sync=False)
        ids[(point_id, c.camera_name)] = camera_id
        report.cameras_created += 1
        return camera_id
    row = await cameras.get_camera_row(tx, actor, camera_id, field="name")
    values = {k: row[k] for k in cameras.WRITABLE}
    values.update({k: v for k, v in view.items() if v is not None})  # a tag left out keeps ours
    await cameras.write_camera(tx, point_id, c.camera_name, values, camera_id=camera_id,
                               keep_secret=True, sync=False)
    report.cameras_updated += 1
    return camera_id


def _given(new: float | None, old: float | None) -> float | None:
    return old if new is None else new
