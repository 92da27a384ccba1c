"""JSON API of the monitor: status, history, snapshots, uptime, cycles, maintenance."""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from camnet.auth.principal import Principal
from camnet.errors import NotFound
from camnet.monitor import queries
from camnet.monitor.uptime import uptime_report
from camnet.paging import shared_result
from camnet.registry.zones import get_zone_row
from camnet.validation import DbId
from camnet.web import keys
from camnet.web.routing import RouteTable, json_response, path_id, read_body, read_query, remember_models

routes = RouteTable()
API = "/api/v1"
METRICS_MAX_AGE_S = 5.0  # metrics shared by concurrent scrapers for at most this long
UPTIME_MAX_AGE_S = 30.0  # an uptime report shared by concurrent readers for at most this long


class CameraStatus(BaseModel):
    """A camera's current status, recent changes and outages."""

    camera_id: DbId
    current: dict[str, Any]
    changes: list[dict[str, Any]]
    outages: list[dict[str, Any]]
    has_snapshot: bool


class UptimeQuery(BaseModel):
    """Window and grouping of an uptime report."""

    model_config = ConfigDict(extra="forbid")
    zone: str | None = Field(None, description="Zone code; includes its sub-zones")
    period: Literal["24h", "7d", "30d"] | None = Field(None, description="Ignored when from is set")
    from_: str | None = Field(None, alias="from", description="ISO-8601; local time if no offset")
    to: str | None = Field(None, description="ISO-8601; default now")
    group: Literal["camera", "point", "zone"] = "camera"


class UptimeReport(BaseModel):
    """Uptime rows and the overall figure."""

    window_from: str
    window_to: str
    group: str
    overall_pct: float | None = Field(description="availability: % of watched time reachable")
    overall_usable_pct: float | None = Field(
        None, description="% of watched time reachable with a good picture")
    overall_watched_pct: float | None = Field(
        None, description="% of the window the monitor watched (the rest is no data)")
    items: list[dict[str, Any]]


class CycleList(BaseModel):
    """Recent probe cycles."""

    items: list[dict[str, Any]]


class MaintenanceIn(BaseModel):
    """A maintenance window for one camera."""

    model_config = ConfigDict(extra="forbid")
    starts_at: str
    ends_at: str
    reason: str = Field("", max_length=500)


class RunIn(BaseModel):
    """Which cameras to probe now."""

    model_config = ConfigDict(extra="forbid")
    zone: str | None = None
    camera_id: DbId | None = None


class RunOut(BaseModel):
    """Summary of a cycle run on request."""

    cameras: int
    completed: int
    grabbed: int
    changes: int
    duration_ms: float


class Created(BaseModel):
    """The id of a created record."""

    id: int


remember_models(UptimeQuery, MaintenanceIn, RunIn)


@routes.add("GET", f"{API}/cameras/{{id}}/status", permission="monitor.read",
            summary="A camera's status, changes and outages", tag="monitor", response=CameraStatus)
async def camera_status(request: web.Request, p: Principal) -> web.Response:
    """Return the camera's monitor state."""
    return json_response(await queries.camera_status(request.app[keys.DB], p, path_id(request)))


@routes.add("GET", f"{API}/cameras/{{id}}/snapshot", permission="monitor.read",
            summary="Latest JPEG snapshot", tag="monitor")
async def camera_snapshot(request: web.Request, p: Principal) -> web.Response:
    """Return the latest JPEG thumbnail taken by a frame check."""
    found = await queries.snapshot(request.app[keys.DB], p, path_id(request))
    if found is None:
        raise NotFound("no snapshot yet for this camera")
    jpeg, taken_at = found
    return web.Response(body=jpeg, content_type="image/jpeg",
                        headers={"Cache-Control": "no-store", "X-Taken-At": taken_at})


@routes.add("GET", f"{API}/uptime", permission="monitor.read", summary="Uptime report",
            tag="monitor", query=UptimeQuery, response=UptimeReport)
async def uptime(request: web.Request, p: Principal) -> web.Response:
    """Uptime per camera, point or zone over 24h, 7d, 30d or a custom window."""
    q = read_query(request, UptimeQuery)
    db = request.app[keys.DB]
    # several officers opening the same report at once share one computation; a report is
    # at most UPTIME_MAX_AGE_S old and never older than the data (it states its window)
    report = await shared_result(
        db, ("uptime", p.zone_path, q.zone, q.group, q.period, str(q.from_), str(q.to)),
        lambda: uptime_report(db, p, period=q.period, start=q.from_, end=q.to,
                              zone_code=q.zone, group=q.group), max_age_s=UPTIME_MAX_AGE_S)
    return json_response(report.as_dict())


@routes.add("GET", f"{API}/monitor/cycles", permission="monitor.read",
            summary="Recent probe cycles", tag="monitor", response=CycleList)
async def cycles(request: web.Request, p: Principal) -> web.Response:
    """List the latest probe cycles with duration and completion."""
    return json_response({"items": await queries.recent_cycles(request.app[keys.DB], p)})


@routes.add("POST", f"{API}/cameras/{{id}}/maintenance", permission="monitor.write",
            summary="Schedule maintenance", tag="monitor", body=MaintenanceIn, response=Created,
            status=201)
async def maintenance(request: web.Request, p: Principal) -> web.Response:
    """Add a maintenance window: no outages, excluded from uptime."""
    data = await read_body(request, MaintenanceIn)
    window_id = await queries.add_maintenance(request.app[keys.DB], p, path_id(request),
                                              starts_at=data.starts_at, ends_at=data.ends_at,
                                              reason=data.reason)
    return json_response({"id": window_id}, 201)


@routes.add("POST", f"{API}/monitor/run", permission="monitor.write",
            summary="Probe now", tag="monitor", body=RunIn, response=RunOut)
async def run_now(request: web.Request, p: Principal) -> web.Response:
    """Run one cycle now over the caller's zone (or one zone or camera) and summarise it."""
    data = await read_body(request, RunIn)
    db = request.app[keys.DB]
    path = p.zone_path
    if data.zone:
        path = (await get_zone_row(db, p, code=data.zone, field="zone"))["path"]
    ids = None
    if data.camera_id is not None:
        from camnet.registry.cameras import get_camera_row

        await get_camera_row(db, p, data.camera_id, field="camera_id")
        ids = [data.camera_id]
    report = await request.app[keys.MONITOR].run_cycle(camera_ids=ids, zone_path=path, spread_s=0,
                                                       wait_tier2=True)
    return json_response(RunOut(cameras=report.cameras, completed=report.completed,
                                grabbed=report.grabbed, changes=len(report.transitions),
                                duration_ms=report.duration_ms))


@routes.add("GET", f"{API}/metrics", permission="monitor.read",
            summary="Prometheus metrics (text format; scrape with a bearer token)", tag="monitor")
async def metrics(request: web.Request, p: Principal) -> web.Response:
    """Cameras by status and result, open outages, the last cycle's duration and completion."""
    from camnet.monitor.metrics import render_metrics

    db, config = request.app[keys.DB], request.app[keys.CONFIG].monitor
    # scrapers poll at once: one computation per zone until the data changes (≤ 5 s old)
    text = await shared_result(db, ("metrics", p.zone_path, p.can("system.read")),
                               lambda: render_metrics(db, p, config), max_age_s=METRICS_MAX_AGE_S)
    from camnet.web.alerts_ctx import ALERTS  # alert delivery and channel health

    if ALERTS in request.app:
        text += await request.app[ALERTS].metrics_text()
    return web.Response(text=text, content_type="text/plain", headers={
        "Cache-Control": "no-store"}, charset="utf-8")
