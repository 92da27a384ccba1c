"""JSON API for coverage: who-saw, zone reports, GeoJSON, streets and key points, drafting.

Thin: it calls :mod:`camnet.coverage`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from camnet.auth.principal import Principal
from camnet.coverage import draft, features, osm, osm_import, zones
from camnet.coverage.history import cones_geojson, current_in_bbox, view_of
from camnet.coverage.whosaw import parse_window, settings_from, who_saw
from camnet.errors import InvalidInput
from camnet.registry.formats import ImportFailed
from camnet.web import keys
from camnet.web.routing import RouteTable, json_response, path_id, read_body, read_query, remember_models

routes = RouteTable()
API = "/api/v1/coverage"


class WhoSawQuery(BaseModel):
    """Where and when."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    lat: float = Field(ge=-90, le=90, description="Latitude (WGS84)")
    lon: float = Field(ge=-180, le=180, description="Longitude (WGS84)")
    from_: str = Field(alias="from", description="Window start, ISO-8601 (local time if no offset)")
    to: str = Field(description="Window end, ISO-8601")
    tolerance_m: float | None = Field(None, ge=0, le=500, description="GPS/click error allowed")


class BboxQuery(BaseModel):
    """The visible part of the map."""

    model_config = ConfigDict(extra="forbid")
    bbox: str = Field(description="west,south,east,north in degrees")
    limit: int = Field(5000, ge=1, le=20000)
    cones: bool = Field(False, description="Include each view sector as GeoJSON (street zoom)")


class GeoJsonIn(BaseModel):
    """A GeoJSON document (FeatureCollection, Feature or geometry)."""

    model_config = ConfigDict(extra="forbid")
    geojson: dict[str, Any]


class OsmImportIn(BaseModel):
    """OSM-tagged cameras to import."""

    model_config = ConfigDict(extra="forbid")
    data: dict[str, Any] = Field(description="GeoJSON FeatureCollection of Points with OSM tags,"
                                 " or OSM JSON (Overpass [out:json]) with elements")


class DraftIn(BaseModel):
    """Draft a request from a who-saw answer."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    incident_id: int
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    from_: str = Field(alias="from")
    to: str
    camera_ids: list[int] = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)
    tolerance_m: float | None = Field(None, ge=0, le=500)


class Imported(BaseModel):
    """How many features were imported."""

    zone: str
    imported: int


class Drafted(BaseModel):
    """The drafted request."""

    request_id: int
    url: str


remember_models(WhoSawQuery, BboxQuery, GeoJsonIn, OsmImportIn, DraftIn)


@routes.add("GET", f"{API}/who-saw", permission="registry.read", tag="coverage",
            summary="Cameras that could have seen a point in a window, their status and footage",
            query=WhoSawQuery)
async def who_saw_route(request: web.Request, p: Principal) -> web.Response:
    """Answer who could have seen (lat, lon) between from and to."""
    q = read_query(request, WhoSawQuery)
    start, end = parse_window(q.from_, q.to)
    answer = await who_saw(request.app[keys.DB], p, lat=q.lat, lon=q.lon, start=start, end=end,
                           settings=settings_from(request.app[keys.CONFIG]),
                           tolerance_m=q.tolerance_m)
    return json_response(answer)


@routes.add("GET", f"{API}/cameras", permission="registry.read", tag="coverage",
            summary="Cameras (current geometry and status) inside a bounding box", query=BboxQuery)
async def cameras_in_bbox(request: web.Request, p: Principal) -> web.Response:
    """The map's query for the visible cameras."""
    q = read_query(request, BboxQuery)
    try:
        west, south, east, north = (float(v) for v in q.bbox.split(","))
    except ValueError as exc:
        raise InvalidInput("bbox must be west,south,east,north", "bbox") from exc
    rows = await current_in_bbox(request.app[keys.DB], p.zone_path, west, south, east, north,
                                 q.limit)
    cones = await asyncio.to_thread(cones_geojson, rows) if q.cones else [None] * len(rows)
    return json_response({"items": [
        {"camera_id": r["camera_id"], "camera": r["camera"], "point_id": r["point_id"],
         "point": r["point"], "zone_code": r["zone_code"], "lat": r["lat"], "lon": r["lon"],
         "azimuth_deg": r["azimuth_deg"], "fov_deg": r["fov_deg"], "range_m": r["range_m"],
         "min_range_m": r["min_range_m"], "status": r["status"], "health": r["health"],
         "has_view": view_of(r).has_view, "monitored": bool(r["monitored"]), "cone": cone}
        for r, cone in zip(rows, cones, strict=True)], "truncated": len(rows) >= q.limit})


@routes.add("GET", f"{API}/zones/{{code}}", permission="registry.read", tag="coverage",
            summary="Coverage report of a zone (street length, key points, gaps; area labelled)")
async def zone_report(request: web.Request, p: Principal) -> web.Response:
    """Coverage report of one zone (cached; recomputed only when its inputs changed)."""
    return json_response(await zones.zone_report(request.app[keys.DB], p,
                                                 request.match_info["code"]))


@routes.add("GET", f"{API}/zones/{{code}}/geojson", permission="registry.read", tag="coverage",
            summary="GeoJSON of a zone's view sectors and coverage gaps")
async def zone_geojson(request: web.Request, p: Principal) -> web.Response:
    """Sectors, cameras without a view direction, and gap polygons as GeoJSON."""
    data = await zones.zone_geojson(request.app[keys.DB], p, request.match_info["code"])
    resp = json_response(data)
    resp.content_type = "application/geo+json"
    return resp


@routes.add("GET", f"{API}/zones/{{code}}/osm", permission="registry.read", tag="coverage",
            summary="The zone's cameras as GeoJSON with OSM surveillance tags (no host details)")
async def zone_osm(request: web.Request, p: Principal) -> web.Response:
    """Cameras with ``man_made=surveillance`` tagging, for OSM tools."""
    data = await osm.export_osm(request.app[keys.DB], p, request.match_info["code"])
    resp = json_response(data)
    resp.content_type = "application/geo+json"
    return resp


@routes.add("POST", f"{API}/zones/{{code}}/osm", permission="registry.write", tag="coverage",
            summary="Import cameras tagged man_made=surveillance into the zone (all or nothing;"
            " no personal tags; imported cameras are not monitored until given a stream URL)",
            body=OsmImportIn)
async def zone_osm_import(request: web.Request, p: Principal) -> web.Response:
    """Import OSM-tagged cameras; every problem is listed as ``problems`` with a 422."""
    body = await read_body(request, OsmImportIn)
    try:
        report = await osm_import.import_osm(request.app[keys.DB], p, request.match_info["code"],
                                             body.data, source="api")
    except ImportFailed as exc:
        return json_response({**exc.to_dict(), "problems": [
            {"where": e.where, "field": e.field, "message": e.message} for e in exc.errors]}, 422)
    return json_response(report.as_dict())


@routes.add("POST", f"{API}/zones/{{code}}/streets", permission="registry.write", tag="coverage",
            summary="Replace a zone's street lines (GeoJSON LineStrings)", body=GeoJsonIn,
            response=Imported)
async def import_streets(request: web.Request, p: Principal) -> web.Response:
    """Import street lines for a zone."""
    body = await read_body(request, GeoJsonIn)
    code = request.match_info["code"]
    count = await features.import_streets(request.app[keys.DB], p, code, body.geojson)
    return json_response(Imported(zone=code, imported=count))


@routes.add("POST", f"{API}/zones/{{code}}/keypoints", permission="registry.write",
            tag="coverage", summary="Replace a zone's key points (GeoJSON Points)", body=GeoJsonIn,
            response=Imported)
async def import_keypoints(request: web.Request, p: Principal) -> web.Response:
    """Import key points for a zone."""
    body = await read_body(request, GeoJsonIn)
    code = request.match_info["code"]
    count = await features.import_keypoints(request.app[keys.DB], p, code, body.geojson)
    return json_response(Imported(zone=code, imported=count))


@routes.add("POST", f"{API}/draft-request", permission="request.draft", tag="coverage",
            summary="Draft an extraction request from a who-saw answer (answer kept with it)",
            body=DraftIn, response=Drafted, status=201)
async def draft_request(request: web.Request, p: Principal) -> web.Response:
    """Draft a request for the chosen cameras; the who-saw answer is stored with it."""
    body = await read_body(request, DraftIn)
    start, end = parse_window(body.from_, body.to)
    request_id = await draft.draft_from_whosaw(
        request.app[keys.DB], p, incident_id=body.incident_id, lat=body.lat, lon=body.lon,
        start=start, end=end, camera_ids=body.camera_ids, reason=body.reason,
        settings=settings_from(request.app[keys.CONFIG]), tolerance_m=body.tolerance_m)
    return json_response(Drafted(request_id=request_id, url=f"/requests/{request_id}"), 201)


@routes.add("GET", "/api/v1/requests/{id}/who-saw", permission="incident.read", tag="coverage",
            summary="The who-saw answer stored with a request when it was drafted")
async def request_snapshot(request: web.Request, p: Principal) -> web.Response:
    """What the officer saw when drafting the request."""
    request_id = path_id(request)
    snap = await draft.whosaw_snapshot(request.app[keys.DB], p, request_id)
    if snap is None:  # drafted from the incident page: nothing was shown, nothing kept
        return json_response({"request_id": request_id, "drafted_from_who_saw": False})
    return json_response({"drafted_from_who_saw": True, **snap})
