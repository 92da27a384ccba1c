"""Per-zone coverage: the union of the sectors of the cameras that are up, cached per zone.

Only cameras that are up with a good picture cover anything (an offline, black, frozen,
blurred or covered camera covers nothing). The union is built in metres in an aeqd centred
on the zone, compared with the zone's boundary (or, without one, the hull of its camera
points, labelled as such), its street lines and its key points. ``zone_coverage`` keeps
the result with a signature of what went into it, so a zone is recomputed only when one
of its cameras changed status or geometry (or its boundary, streets or key points).

A province or district is never unioned in a request: its report sums its communes'.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from camnet.auth.principal import Principal
from camnet.auth.scope import in_scope
from camnet.coverage.features import keypoints_under, streets_under
from camnet.coverage.geometry import NO_VIEW, LocalFrame, View, sectors_in_frame, union_in_frame
from camnet.coverage.history import current_in_zone, view_of
from camnet.db import Database
from camnet.geo import parse_boundary
from camnet.registry.zones import get_zone_row
from camnet.timeutil import now_iso

AREA_LABEL = ("share of the zone's area inside the view of a camera that is up — a rough "
              "figure; street length and key points say more")
HULL_LABEL = "no boundary recorded: hull of the zone's camera points (+30 m)"
GOOD_HEALTH = (None, "ok")
AGGREGATE_LEVELS = ("province", "district")


def covers(row: sqlite3.Row) -> bool:
    """A camera covers ground only when enabled, up and with a good (or unjudged) picture."""
    return bool(row["enabled"]) and row["status"] == "up" and row["health"] in GOOD_HEALTH


@dataclass(frozen=True)
class ZoneInputs:
    """Everything one zone's coverage depends on (plain data)."""

    covering: list[View]
    points: list[tuple[float, float]]  # (lat, lon) of every camera in the zone
    boundary: BaseGeometry | None
    streets: list[tuple[str, BaseGeometry]]
    keypoints: list[tuple[int, str, float, float]]
    cameras_total: int = 0
    cameras_no_view: int = 0


@dataclass
class ZoneCoverage:
    """A zone's computed coverage: figures and GeoJSON (WGS84)."""

    report: dict[str, Any]
    union_geojson: str | None
    gaps_geojson: str | None
    extra: dict[str, Any] = field(default_factory=dict)


def compute(inputs: ZoneInputs) -> ZoneCoverage:
    """Union the covering sectors and measure them against the zone (CPU-bound, pure)."""
    boundary, source = inputs.boundary, "imported"
    if boundary is None and inputs.points:
        source = "hull_of_points"
    elif boundary is None:
        source = "none"
    if boundary is not None:
        c = boundary.centroid
        lat0, lon0 = c.y, c.x
    elif inputs.points:
        lat0 = float(np.mean([p[0] for p in inputs.points]))
        lon0 = float(np.mean([p[1] for p in inputs.points]))
    else:
        lat0 = lon0 = 0.0
    frame = LocalFrame(lat0, lon0)
    polys = [p for p in sectors_in_frame(inputs.covering, frame) if p is not None]
    union = union_in_frame(polys)
    if boundary is not None:
        area_m = frame.geometry_to_metres(boundary)
    elif inputs.points:
        xs, ys = frame.to_metres(np.array([p[1] for p in inputs.points]),
                                 np.array([p[0] for p in inputs.points]))
        area_m = MultiPoint(np.column_stack((xs, ys))).convex_hull.buffer(30.0)
    else:
        area_m = None
    report: dict[str, Any] = {
        "boundary_source": source,
        "boundary_note": HULL_LABEL if source == "hull_of_points" else "",
        "cameras_total": inputs.cameras_total,
        "cameras_covering": len(inputs.covering),
        "cameras_no_view": inputs.cameras_no_view,
        "no_view_note": NO_VIEW if inputs.cameras_no_view else "",
    }
    gaps = None
    if area_m is not None and area_m.area > 0:
        inside = union.intersection(area_m)
        gaps = area_m.difference(union)
        report["area"] = {"label": AREA_LABEL, "zone_m2": round(area_m.area),
                          "covered_m2": round(inside.area),
                          "pct": round(100 * inside.area / area_m.area, 2)}
    else:
        report["area"] = None
    if inputs.streets:
        total = covered = 0.0
        for _, line in inputs.streets:
            line_m = frame.geometry_to_metres(line)
            total += line_m.length
            covered += line_m.intersection(union).length
        report["streets"] = {"count": len(inputs.streets), "length_m": round(total),
                             "covered_m": round(covered),
                             "pct": round(100 * covered / total, 2) if total else None}
    else:
        report["streets"] = None
    kps = []
    if inputs.keypoints:
        xs, ys = frame.to_metres(np.array([k[3] for k in inputs.keypoints]),
                                 np.array([k[2] for k in inputs.keypoints]))
        hits: list[bool] = [False] * len(xs)
        if not union.is_empty:
            hits = [bool(h) for h in np.atleast_1d(shapely.covers(union, shapely.points(xs, ys)))]
        for k, hit in zip(inputs.keypoints, hits, strict=True):
            kps.append({"id": k[0], "name": k[1], "lat": k[2], "lon": k[3], "covered": bool(hit)})
    report["keypoints"] = kps
    report["keypoints_covered"] = sum(1 for k in kps if k["covered"])
    report["keypoints_total"] = len(kps)
    union_ll = None if union.is_empty else json.dumps(mapping(frame.geometry_to_lonlat(union)))
    gaps_ll = None if gaps is None or gaps.is_empty else json.dumps(
        mapping(frame.geometry_to_lonlat(gaps)))
    return ZoneCoverage(report, union_ll, gaps_ll)


def _signature(rows: list[sqlite3.Row], zone: sqlite3.Row, streets: list[sqlite3.Row],
               keypoints: list[sqlite3.Row]) -> str:
    parts = {
        "covering": sorted((r["camera_id"], r["id"]) for r in rows if covers(r)),
        "cameras": sorted((r["camera_id"], r["id"]) for r in rows),
        "boundary": zone["boundary_geojson"] or "",
        "streets": [(s["id"], s["imported_at"]) for s in streets],
        "keypoints": [(k["id"], k["imported_at"]) for k in keypoints],
    }
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


async def _commune_coverage(db: Database, zone: sqlite3.Row) -> dict[str, Any]:
    rows = await current_in_zone(db, zone["path"])
    streets = await streets_under(db, zone["path"])
    keypoints = await keypoints_under(db, zone["path"])
    signature = _signature(rows, zone, streets, keypoints)
    cached = await db.fetchone("SELECT * FROM zone_coverage WHERE zone_id = ?", (zone["id"],))
    if cached is not None and cached["signature"] == signature:
        report: dict[str, Any] = json.loads(cached["report_json"])
        report.update(cached=True, computed_at=cached["computed_at"])
        return report
    views = [view_of(r) for r in rows]
    inputs = ZoneInputs(
        covering=[v for v, r in zip(views, rows, strict=True) if covers(r) and v.has_view],
        points=[(r["lat"], r["lon"]) for r in rows],
        boundary=parse_boundary(zone["boundary_geojson"]) if zone["boundary_geojson"] else None,
        streets=[(s["name"], shape(json.loads(s["geojson"]))) for s in streets],
        keypoints=[(k["id"], k["name"], k["lat"], k["lon"]) for k in keypoints],
        cameras_total=len(rows), cameras_no_view=sum(1 for v in views if not v.has_view),
    )
    result = await asyncio.to_thread(compute, inputs)
    computed_at = now_iso()
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO zone_coverage(zone_id, signature, computed_at, report_json, union_geojson,"
            " gaps_geojson) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(zone_id) DO UPDATE SET"
            " signature = excluded.signature, computed_at = excluded.computed_at,"
            " report_json = excluded.report_json, union_geojson = excluded.union_geojson,"
            " gaps_geojson = excluded.gaps_geojson",
            (zone["id"], signature, computed_at, json.dumps(result.report, ensure_ascii=False),
             result.union_geojson, result.gaps_geojson))
    report = dict(result.report)
    report.update(cached=False, computed_at=computed_at)
    return report


def _header(zone: sqlite3.Row) -> dict[str, Any]:
    return {"zone_code": zone["code"], "zone_name": zone["name"], "level": zone["level"]}


async def zone_report(db: Database, actor: Principal, zone_code: str | None = None) -> dict[str, Any]:
    """Coverage of one zone (default: the caller's), recomputed only if its inputs changed.

    A province or district is reported as the sum of its communes (each cached), never as
    one union.
    """
    actor.require("registry.read")
    if zone_code:
        zone = await get_zone_row(db, actor, code=zone_code, field="zone")
    elif actor.zone_id is not None:
        zone = await get_zone_row(db, actor, zone_id=actor.zone_id, field="zone")
    else:
        top = await db.fetchone("SELECT code FROM zone WHERE parent_id IS NULL ORDER BY id LIMIT 1")
        if top is None:
            return {"zone_code": None, "communes": [], "note": "no zones yet"}
        zone = await get_zone_row(db, actor, code=top["code"], field="zone")
    if zone["level"] not in AGGREGATE_LEVELS:
        return {**_header(zone), **await _commune_coverage(db, zone)}
    scope, params = in_scope("path", zone["path"])
    communes = await db.fetchall(
        f"SELECT * FROM zone WHERE {scope} AND level = 'commune' ORDER BY code", params)
    parts = [{**_header(c), **await _commune_coverage(db, c)} for c in communes]
    return {**_header(zone), **_sum(parts), "communes": parts}


def _sum(parts: list[dict[str, Any]]) -> dict[str, Any]:
    def total(section: str, key: str) -> float:
        return sum(float((p.get(section) or {}).get(key) or 0) for p in parts)

    zone_m2, covered_m2 = total("area", "zone_m2"), total("area", "covered_m2")
    length, covered = total("streets", "length_m"), total("streets", "covered_m")
    return {
        "aggregated_from_communes": len(parts),
        "cameras_total": sum(p["cameras_total"] for p in parts),
        "cameras_covering": sum(p["cameras_covering"] for p in parts),
        "cameras_no_view": sum(p["cameras_no_view"] for p in parts),
        "area": {"label": AREA_LABEL, "zone_m2": round(zone_m2), "covered_m2": round(covered_m2),
                 "pct": round(100 * covered_m2 / zone_m2, 2) if zone_m2 else None},
        "streets": {"length_m": round(length), "covered_m": round(covered),
                    "pct": round(100 * covered / length, 2) if length else None} if length else None,
        "keypoints_covered": sum(p["keypoints_covered"] for p in parts),
        "keypoints_total": sum(p["keypoints_total"] for p in parts),
    }


async def zone_geojson(db: Database, actor: Principal, zone_code: str) -> dict[str, Any]:
    """GeoJSON of a commune or hamlet: sectors (status per camera), no-view points, gaps."""
    report = await zone_report(db, actor, zone_code)
    zone = await get_zone_row(db, actor, code=zone_code, field="zone")
    rows = await current_in_zone(db, zone["path"])
    features: list[dict[str, Any]] = []
    if rows:
        views = [view_of(r) for r in rows]
        c = Point(float(np.mean([v.lon for v in views])), float(np.mean([v.lat for v in views])))
        frame = LocalFrame(c.y, c.x)
        polys = await asyncio.to_thread(sectors_in_frame, views, frame)
        for row, view, poly in zip(rows, views, polys, strict=True):
            props = {"kind": "sector" if poly is not None else "camera", "camera_id": row["camera_id"],
                     "camera": row["camera"], "point": row["point"], "zone_code": row["zone_code"],
                     "status": row["status"], "health": row["health"], "covers": covers(row),
                     "azimuth_deg": view.azimuth_deg, "fov_deg": view.fov_deg,
                     "range_m": view.range_m, "note": "" if poly is not None else NO_VIEW}
            geom = mapping(frame.geometry_to_lonlat(poly)) if poly is not None else {
                "type": "Point", "coordinates": [view.lon, view.lat]}
            features.append({"type": "Feature", "properties": props, "geometry": geom})
    if zone["level"] not in AGGREGATE_LEVELS:
        cached = await db.fetchone("SELECT gaps_geojson FROM zone_coverage WHERE zone_id = ?",
                                   (zone["id"],))
        if cached is not None and cached["gaps_geojson"]:
            features.append({"type": "Feature", "geometry": json.loads(cached["gaps_geojson"]),
                             "properties": {"kind": "gap", "zone_code": zone["code"],
                                            "boundary_source": report.get("boundary_source")}})
    return {"type": "FeatureCollection", "features": features,
            "properties": {"zone_code": zone["code"], "computed_at": report.get("computed_at")}}
