"""The camera page (``/cameras/{id}``) and the point page (``/points/{id}``).

Thin over the domain: status and outages from :mod:`camnet.monitor.queries`, the strip
from :mod:`camnet.monitor.strip`, availability from :mod:`camnet.monitor.uptime`,
maintenance from :mod:`camnet.monitor.maintenance`, requests from
:mod:`camnet.evidence.requests`. Every read is limited to the caller's zone (404 outside).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from camnet import audit
from camnet.auth.principal import Principal, path_within
from camnet.evidence.requests import requests_naming_camera
from camnet.monitor import maintenance, queries
from camnet.monitor.strip import camera_strip, slot_length
from camnet.monitor.uptime import PERIODS, UptimeReport, UptimeRow, compute_uptime, resolve_window
from camnet.registry import cameras, points
from camnet.registry.zones import get_zone_row
from camnet.timeutil import format_duration
from camnet.web import keys
from camnet.web.flash import flash_text
from camnet.web.i18n import language_of
from camnet.web.pages import page_principal, render
from camnet.web.routing import path_id

routes = web.RouteTableDef()
_PROBE_FIELDS = ("since", "cause", "last_probe_at", "last_result", "last_latency_ms",
                 "first_frame_ms", "width", "height", "last_grab_at")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")


async def _periods(db: Any, p: Principal, camera_ids: list[int], lang: str
                   ) -> list[dict[str, Any]]:
    """Availability and usable picture over 24 h, 7 d and 30 d, summed over these cameras.

    One camera at a time (a point has a handful), never the whole zone.
    """
    out = []
    for period in PERIODS:
        start, end = resolve_window(period, None, None)
        rows: list[UptimeRow] = []
        for camera_id in camera_ids:
            rows += await compute_uptime(db, p, start=start, end=end, camera_id=camera_id)
        row = UptimeReport(start, end, "camera", rows).overall if rows else None
        out.append({"period": period,
                    "uptime": _pct(row.uptime_pct if row else None),
                    "usable": _pct(row.usable_pct if row else None),
                    "watched": _pct(row.watched_pct if row else None),
                    "down": format_duration(row.down_s, lang) if row else "—",
                    "outages": row.outages if row else 0})
    return out


async def _windows(db: Any, p: Principal, zone_path: str, *, camera_ids: set[int],
                   point_id: int) -> list[maintenance.Window]:
    """Current and future windows that cover these cameras: their own, their point's, a zone's."""
    out = []
    for w in await maintenance.list_windows(db, p, include_past=False):
        if w.target == "zone":
            zone = await get_zone_row(db, p, zone_id=w.target_id)
            if path_within(zone_path, zone["path"]):
                out.append(w)
        elif (w.target == "camera" and w.target_id in camera_ids) or (
                w.target == "point" and w.target_id == point_id):
            out.append(w)
    return out


@routes.get("/cameras/{id:\\d+}")
async def camera_page(request: web.Request) -> web.Response:
    """One camera: snapshot, status with cause and hint, strip, uptime, outages, requests."""
    p = page_principal(request, "monitor.read")
    db = request.app[keys.DB]
    lang = language_of(request, request.app[keys.CONFIG].ui.language)
    camera_id = path_id(request)
    cam = await cameras.get_camera(db, p, camera_id)
    status = await queries.camera_status(db, p, camera_id, limit=20)
    for o in status["outages"]:
        o["duration"] = format_duration(o["duration_s"], lang)
    strips = {period: await camera_strip(db, p, camera_id, period) for period in PERIODS}
    zone_path = (await cameras.get_camera_row(db, p, camera_id))["zone_path"]
    windows = await _windows(db, p, zone_path, camera_ids={camera_id}, point_id=cam.point_id)
    covering = await maintenance.covering_now(db, [camera_id])
    involved = (await requests_naming_camera(db, p, camera_id)
                if p.can("incident.read") else [])
    return await render(request, "camera.html", {
        "cam": cam, "current": {**dict.fromkeys(_PROBE_FIELDS), **status["current"]},
        "outages": status["outages"],
        "has_snapshot": status["has_snapshot"], "strips": strips,
        "slot_text": {k: format_duration(slot_length(k).total_seconds(), lang)
                      for k in PERIODS},
        "periods": await _periods(db, p, [camera_id], lang),
        "windows": windows, "covering": covering.get(camera_id),
        "requests": involved, "flash": flash_text(request, lang),
        "can_edit": p.can("registry.write"), "can_maint": p.can("monitor.write"),
    })


@routes.get("/points/{id:\\d+}")
async def point_page(request: web.Request) -> web.Response:
    """One point: its details, its cameras with status, uptime, maintenance."""
    p = page_principal(request, "monitor.read")
    db = request.app[keys.DB]
    lang = language_of(request, request.app[keys.CONFIG].ui.language)
    point_id = path_id(request)
    point = await points.get_point(db, p, point_id)
    if point.host_name or point.host_phone:
        await audit.record_personal_read(db, p, "camera_point", [point.id])
    cams, _ = await cameras.list_cameras(db, p, point_id=point_id, per_page=200)
    periods = await _periods(db, p, [c.id for c in cams], lang)
    zone_path = (await points.get_point_row(db, p, point_id))["zone_path"]
    windows = await _windows(db, p, zone_path, camera_ids={c.id for c in cams},
                             point_id=point_id)
    return await render(request, "point.html", {
        "point": point, "cameras": cams, "periods": periods, "windows": windows,
        "zone_name": (await get_zone_row(db, p, zone_id=point.zone_id))["name"],
        "flash": flash_text(request, lang),
        "can_edit": p.can("registry.write"), "can_maint": p.can("monitor.write"),
    })
