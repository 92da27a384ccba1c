"""The map page ``/map`` and its optional same-origin PMTiles basemap.

Everything the page needs comes from this origin: vendored Leaflet files under
``/static/vendor``, the coverage API, and the basemap file named by ``[map] basemap``
(served with HTTP range requests, as PMTiles readers need).
"""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from camnet.evidence.incidents import list_incidents
from camnet.registry.zones import list_zones
from camnet.web import keys
from camnet.web.i18n import language_of, translate
from camnet.web.pages import page_principal, render

routes = web.RouteTableDef()
BASEMAP_URL = "/map/basemap.pmtiles"
MAP_TEXT_KEYS = (  # the map script's words: msgid "map_<key>" in camnet/locale/*/camnet.po
    "title", "map_label", "who_saw", "who_saw_help", "lat", "lon", "from", "to", "tolerance",
    "incident", "search", "use_centre", "draft", "reason", "draft_button", "coverage", "zone",
    "no_basemap", "cameras", "cones", "gaps", "incidents", "zones", "grid", "none_found", "no_view",
    "drafted", "status", "footage", "until", "minutes_down", "open_board", "since", "outages",
    "uptime", "st_up", "st_partly_down", "st_down", "st_partly_no_data", "st_no_data",
    "st_poor_picture", "minutes_degraded", "ft_available", "ft_at_risk", "ft_partly_overwritten",
    "ft_overwritten", "ft_not_recorded", "inside", "within_tolerance", "no_view_direction",
    "area_pct", "street_pct", "keypoints", "hull", "st_maintenance", "st_partly_maintenance",
    "minutes_maintenance", "not_monitored", "edit_title", "edit_help", "edit_start", "edit_add",
    "edit_save", "edit_cancel", "edit_clear", "edit_saved", "edit_too_few", "edit_multi",
    "edit_vertex", "edit_count",
)


def basemap_path(request: web.Request) -> Path | None:
    """The configured basemap file if it exists, else ``None`` (a normal state)."""
    config = request.app[keys.CONFIG]
    if not config.map.basemap:
        return None
    path = Path(config.map.basemap).expanduser()
    if not path.is_absolute():
        path = config.data_dir / path
    return path if path.is_file() else None


@routes.get("/map")
async def map_page(request: web.Request) -> web.Response:
    """The coverage map: cameras by status, view cones, gaps, incidents, who-saw on click."""
    principal = page_principal(request, "registry.read")
    db = request.app[keys.DB]
    config = request.app[keys.CONFIG]
    zones = await list_zones(db, principal)
    incidents = ((await list_incidents(db, principal, per_page=200))[0]  # the 200 most recent
                 if principal.can("incident.read") else [])
    basemap = basemap_path(request)
    lang = language_of(request, config.ui.language)
    text = {k: translate(f"map_{k}", lang) for k in MAP_TEXT_KEYS}
    data = {
        "text": text, "lang": lang,
        "zones": [{"id": z.id, "code": z.code, "name": z.name, "level": z.level,
                   "boundary": json.loads(z.boundary_geojson) if z.boundary_geojson else None}
                  for z in zones],
        "incidents": [{"id": i.id, "case_no": i.case_no, "kind": i.kind, "lat": i.lat, "lon": i.lon,
                       "from": i.occurred_from, "to": i.occurred_to} for i in incidents],
        "basemap": BASEMAP_URL if basemap else None,
        "attribution": config.map.basemap_attribution if basemap else "",
        "can_draft": principal.can("request.draft"),
        "can_edit_boundary": principal.can("registry.write"),  # PATCH /api/v1/zones/{id}
        "tolerance_m": config.coverage.tolerance_m,
    }
    return await render(request, "map.html", {"map_data": data, "text": text})


@routes.get(BASEMAP_URL)
async def basemap(request: web.Request) -> web.StreamResponse:
    """The configured PMTiles file, same-origin, with range requests (404 when none)."""
    page_principal(request, "registry.read")
    path = basemap_path(request)
    if path is None:
        raise web.HTTPNotFound(text="no basemap configured; see README 'Coverage and map'")
    return web.FileResponse(path, headers={"Content-Type": "application/octet-stream",
                                           "Cache-Control": "private, max-age=3600"})
