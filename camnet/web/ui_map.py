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
from camnet.web.i18n import language_of
from camnet.web.pages import page_principal, render

routes = web.RouteTableDef()
BASEMAP_URL = "/map/basemap.pmtiles"
TEXT: dict[str, tuple[str, str]] = {  # key: (Vietnamese, English)
    "title": ("Bản đồ", "Map"),
    "map_label": ("Bản đồ camera; nhấn vào bản đồ để hỏi camera nào có thể đã thấy",
                  "Camera map; click to ask which cameras could have seen a place"),
    "who_saw": ("Camera nào có thể đã thấy?", "Which cameras could have seen it?"),
    "who_saw_help": ("Nhấn vào bản đồ (hoặc nhập tọa độ), chọn khoảng thời gian rồi tìm.",
                     "Click the map (or type coordinates), choose the window, then search."),
    "lat": ("Vĩ độ", "Latitude"), "lon": ("Kinh độ", "Longitude"),
    "from": ("Từ", "From"), "to": ("Đến", "To"),
    "tolerance": ("Sai số (m)", "Tolerance (m)"),
    "incident": ("Vụ việc", "Incident"),
    "search": ("Tìm camera", "Find cameras"),
    "use_centre": ("Dùng tâm bản đồ", "Use map centre"),
    "draft": ("Soạn yêu cầu trích xuất", "Draft an extraction request"),
    "reason": ("Lý do", "Reason"),
    "draft_button": ("Soạn yêu cầu cho camera đã chọn", "Draft request for the chosen cameras"),
    "coverage": ("Vùng phủ theo địa bàn", "Coverage by zone"),
    "zone": ("Địa bàn", "Zone"),
    "no_basemap": ("Chưa có bản đồ nền. Quản trị viên có thể thêm tệp .pmtiles: "
                   "[map] basemap trong camnet.toml (xem README).",
                   "No basemap. An administrator can add a .pmtiles file: [map] basemap in "
                   "camnet.toml (see the README)."),
    "cameras": ("Camera", "Cameras"), "cones": ("Hướng nhìn", "View cones"),
    "gaps": ("Vùng chưa phủ", "Coverage gaps"), "incidents": ("Vụ việc", "Incidents"),
    "zones": ("Ranh giới địa bàn", "Zone outlines"), "grid": ("Lưới mét", "Metric grid"),
    "none_found": ("Không có camera nào có thể đã thấy điểm này.",
                   "No camera could have seen this point."),
    "no_view": ("chưa ghi hướng nhìn", "no view direction recorded"),
    "drafted": ("Đã soạn yêu cầu", "Request drafted"),
    "status": ("Trạng thái", "Status"), "footage": ("Dữ liệu", "Footage"),
    "until": ("đến", "until"), "minutes_down": ("phút mất tín hiệu", "minutes down"),
    "open_board": ("Mở bảng trạng thái", "Open the status board"),
    "since": ("từ", "since"), "outages": ("lần mất tín hiệu", "outage(s)"),
    "uptime": ("Thời gian hoạt động", "Uptime"),
    "st_up": ("hoạt động", "up"), "st_partly_down": ("mất tín hiệu một phần", "partly down"),
    "st_down": ("mất tín hiệu", "down"), "st_partly_no_data": ("có lúc không có dữ liệu",
                                                              "partly no data"),
    "st_no_data": ("không có dữ liệu", "no data"),
    "st_poor_picture": ("hình ảnh kém một phần", "poor picture for part of it"),
    "minutes_degraded": ("phút hình ảnh kém", "minutes with a poor picture"),
    "ft_available": ("còn lưu", "available"), "ft_at_risk": ("sắp bị ghi đè", "at risk"),
    "ft_partly_overwritten": ("đã ghi đè một phần", "partly overwritten"),
    "ft_overwritten": ("đã bị ghi đè", "overwritten"), "ft_not_recorded": ("không ghi hình",
                                                                          "not recorded"),
    "inside": ("trong vùng nhìn", "inside the view"),
    "within_tolerance": ("trong sai số", "within tolerance"),
    "no_view_direction": ("chưa ghi hướng nhìn", "no view direction recorded"),
    "area_pct": ("% diện tích (ước lượng thô)", "% of area (rough)"),
    "street_pct": ("% chiều dài đường", "% of street length"),
    "keypoints": ("Điểm trọng điểm được phủ", "Key points covered"),
    "hull": ("chưa có ranh giới: dùng bao lồi các điểm camera", "no boundary: hull of camera points"),
}


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
    vi = language_of(request, config.ui.language) == "vi"
    text = {k: v[0] if vi else v[1] for k, v in TEXT.items()}
    data = {
        "text": text, "lang": "vi" if vi else "en",
        "zones": [{"code": z.code, "name": z.name, "level": z.level,
                   "boundary": json.loads(z.boundary_geojson) if z.boundary_geojson else None}
                  for z in zones],
        "incidents": [{"id": i.id, "case_no": i.case_no, "kind": i.kind, "lat": i.lat, "lon": i.lon,
                       "from": i.occurred_from, "to": i.occurred_to} for i in incidents],
        "basemap": BASEMAP_URL if basemap else None,
        "attribution": config.map.basemap_attribution if basemap else "",
        "can_draft": principal.can("request.draft"),
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
