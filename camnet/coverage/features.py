"""Street lines and key points of a zone (``zone_street``, ``zone_keypoint``): their only SQL.

Streets are GeoJSON LineStrings (e.g. OSM ``highway=*`` or the police's "tuyến trọng
điểm"); key points ("điểm trọng điểm") are GeoJSON Points. Importing replaces the zone's
previous set.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from shapely.geometry import shape

from camnet import audit
from camnet.auth.principal import Principal
from camnet.auth.scope import in_scope
from camnet.db import Database, Transaction
from camnet.errors import InvalidInput
from camnet.registry.zones import get_zone_row
from camnet.timeutil import now_iso

MAX_FEATURES = 100_000


def _features(data: Any, field: str) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection, Feature or bare geometry."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise InvalidInput(f"not JSON: {exc}", field) from exc
    if not isinstance(data, dict):
        raise InvalidInput("expected a GeoJSON object", field)
    kind = data.get("type")
    if kind == "FeatureCollection":
        feats = data.get("features")
        if not isinstance(feats, list):
            raise InvalidInput("a FeatureCollection needs a 'features' list", field)
    elif kind == "Feature":
        feats = [data]
    else:
        feats = [{"type": "Feature", "properties": {}, "geometry": data}]
    if len(feats) > MAX_FEATURES:
        raise InvalidInput(f"more than {MAX_FEATURES} features; split the file", field)
    return [f for f in feats if isinstance(f, dict)]


def _name(props: Any, n: int) -> str:
    props = props if isinstance(props, dict) else {}
    for key in ("name", "ten", "tên", "ref", "label"):
        if props.get(key):
            return str(props[key])[:200]
    return f"#{n + 1}"


def parse_streets(data: Any, field: str = "streets") -> list[tuple[str, str]]:
    """(name, geometry GeoJSON) of every LineString/MultiLineString; other types refused.

    Raises:
        InvalidInput: not GeoJSON, a non-line feature, or coordinates out of range.
    """
    out: list[tuple[str, str]] = []
    for n, feat in enumerate(_features(data, field)):
        geom = feat.get("geometry")
        if not isinstance(geom, dict):
            raise InvalidInput(f"feature {n + 1}: has no geometry", field)
        try:
            line = shape(geom)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise InvalidInput(f"feature {n + 1}: not a GeoJSON geometry ({exc})", field) from exc
        if line.geom_type not in ("LineString", "MultiLineString") or line.is_empty:
            raise InvalidInput(f"feature {n + 1}: streets must be LineStrings, got "
                               f"{line.geom_type}", field)
        minx, miny, maxx, maxy = line.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise InvalidInput(f"feature {n + 1}: coordinates must be [longitude, latitude]", field)
        out.append((_name(feat.get("properties"), n), json.dumps(geom)))
    return out


def parse_keypoints(data: Any, field: str = "keypoints") -> list[tuple[str, float, float]]:
    """(name, lat, lon) of every Point feature.

    Raises:
        InvalidInput: not GeoJSON, a non-point feature, or coordinates out of range.
    """
    out: list[tuple[str, float, float]] = []
    for n, feat in enumerate(_features(data, field)):
        geom = feat.get("geometry") or {}
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        if not isinstance(geom, dict) or geom.get("type") != "Point" or not isinstance(coords, list) \
                or len(coords) < 2:
            raise InvalidInput(f"feature {n + 1}: key points must be GeoJSON Points", field)
        lon, lat = float(coords[0]), float(coords[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InvalidInput(f"feature {n + 1}: coordinates must be [longitude, latitude]", field)
        out.append((_name(feat.get("properties"), n), lat, lon))
    return out


async def import_streets(db: Database, actor: Principal, zone_code: str, data: Any) -> int:
    """Replace a zone's street lines with those in a GeoJSON document; return the count."""
    actor.require("registry.write")
    streets = parse_streets(data)
    async with db.transaction() as tx:
        zone = await get_zone_row(tx, actor, code=zone_code, field="zone")
        await tx.execute("DELETE FROM zone_street WHERE zone_id = ?", (zone["id"],))
        now = now_iso()
        await tx.executemany(
            "INSERT INTO zone_street(zone_id, name, geojson, imported_at) VALUES (?, ?, ?, ?)",
            [(zone["id"], name, geo, now) for name, geo in streets])
        await audit.record(tx, actor, "import", "zone_street", zone["id"], None,
                           {"zone": zone_code, "count": len(streets)})
    return len(streets)


async def import_keypoints(db: Database, actor: Principal, zone_code: str, data: Any) -> int:
    """Replace a zone's key points with those in a GeoJSON document; return the count."""
    actor.require("registry.write")
    points = parse_keypoints(data)
    async with db.transaction() as tx:
        zone = await get_zone_row(tx, actor, code=zone_code, field="zone")
        await tx.execute("DELETE FROM zone_keypoint WHERE zone_id = ?", (zone["id"],))
        now = now_iso()
        await tx.executemany(
            "INSERT INTO zone_keypoint(zone_id, name, lat, lon, imported_at) VALUES (?, ?, ?, ?, ?)",
            [(zone["id"], name, lat, lon, now) for name, lat, lon in points])
        await audit.record(tx, actor, "import", "zone_keypoint", zone["id"], None,
                           {"zone": zone_code, "count": len(points)})
    return len(points)


async def streets_under(db: Database | Transaction, zone_path: str) -> list[sqlite3.Row]:
    """Street lines of every zone under ``zone_path``."""
    scope, params = in_scope("z.path", zone_path)
    return await db.fetchall(
        "SELECT s.id, s.name, s.geojson, s.imported_at FROM zone_street s"
        f" JOIN zone z ON z.id = s.zone_id WHERE {scope} ORDER BY s.id", params)


async def keypoints_under(db: Database | Transaction, zone_path: str) -> list[sqlite3.Row]:
    """Key points of every zone under ``zone_path``."""
    scope, params = in_scope("z.path", zone_path)
    return await db.fetchall(
        "SELECT k.id, k.name, k.lat, k.lon, k.imported_at FROM zone_keypoint k"
        f" JOIN zone z ON z.id = k.zone_id WHERE {scope} ORDER BY k.id", params)
