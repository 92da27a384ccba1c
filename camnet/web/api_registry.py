"""JSON API for the registry: zones, points, cameras. Thin: it calls camnet.registry."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field

from camnet import audit
from camnet.auth.principal import Principal
from camnet.paging import Page, PageQuery
from camnet.registry import cameras, points, zone_switch, zones
from camnet.registry.models import (
    CameraIn,
    CameraOut,
    CameraPatch,
    PointIn,
    PointOut,
    PointPatch,
    ZoneIn,
    ZoneOut,
    ZonePatch,
)
from camnet.validation import DbId
from camnet.vocab import CameraStatus
from camnet.web import keys
from camnet.web.routing import RouteTable, json_response, path_id, read_body, read_query, remember_models

routes = RouteTable()
remember_models(ZoneIn, ZonePatch, PointIn, PointPatch, CameraIn, CameraPatch)
API = "/api/v1"


class PointQuery(PageQuery):
    """Filters for the point list."""

    zone: str | None = Field(None, description="Zone code; includes its sub-zones")
    q: str | None = Field(None, description="Text in name or address")


class CameraQuery(PageQuery):
    """Filters for the camera list."""

    zone: str | None = Field(None, description="Zone code; includes its sub-zones")
    point_id: DbId | None = None
    status: CameraStatus | None = None
    enabled: bool | None = None


class ZoneList(BaseModel):
    """All zones in the caller's scope."""

    items: list[ZoneOut]


class PointList(BaseModel):
    """A page of points."""

    items: list[PointOut]
    page: Page


class CameraList(BaseModel):
    """A page of cameras."""

    items: list[CameraOut]
    page: Page


remember_models(PointQuery, CameraQuery)


@routes.add("GET", f"{API}/zones", permission="registry.read", summary="List zones",
            tag="zones", response=ZoneList)
async def list_zones(request: web.Request, p: Principal) -> web.Response:
    """List the zones in the caller's scope."""
    return json_response({"items": await zones.list_zones(request.app[keys.DB], p)})


@routes.add("POST", f"{API}/zones", permission="registry.write", summary="Create a zone",
            tag="zones", body=ZoneIn, response=ZoneOut, status=201)
async def create_zone(request: web.Request, p: Principal) -> web.Response:
    """Create a zone."""
    data = await read_body(request, ZoneIn)
    return json_response(await zones.create_zone(request.app[keys.DB], p, data), 201)


@routes.add("GET", f"{API}/zones/{{id}}", permission="registry.read", summary="Get a zone",
            tag="zones", response=ZoneOut)
async def get_zone(request: web.Request, p: Principal) -> web.Response:
    """Return one zone."""
    return json_response(await zones.get_zone(request.app[keys.DB], p, path_id(request)))


@routes.add("PATCH", f"{API}/zones/{{id}}", permission="registry.write", summary="Change a zone",
            tag="zones", body=ZonePatch, response=ZoneOut)
async def update_zone(request: web.Request, p: Principal) -> web.Response:
    """Change a zone's name or boundary."""
    patch = await read_body(request, ZonePatch)
    return json_response(await zones.update_zone(request.app[keys.DB], p, path_id(request), patch))


@routes.add("DELETE", f"{API}/zones/{{id}}", permission="registry.write",
            summary="Delete an empty zone", tag="zones", status=204)
async def delete_zone(request: web.Request, p: Principal) -> web.Response:
    """Delete an empty zone."""
    await zones.delete_zone(request.app[keys.DB], p, path_id(request))
    return web.Response(status=204)


class ZoneSwitched(BaseModel):
    """A zone switched off or on, and how many of its cameras followed."""

    zone: ZoneOut
    cameras_switched: int


@routes.add("POST", f"{API}/zones/{{id}}/disable", permission="zones.manage",
            summary="Switch a zone off: its cameras are no longer probed, no new points",
            tag="zones", response=ZoneSwitched)
async def disable_zone(request: web.Request, p: Principal) -> web.Response:
    """Switch a zone off (admin)."""
    zone, switched = await zone_switch.set_zone_disabled(request.app[keys.DB], p,
                                                         path_id(request), True)
    return json_response({"zone": zone, "cameras_switched": switched})


@routes.add("POST", f"{API}/zones/{{id}}/enable", permission="zones.manage",
            summary="Switch a zone back on: the cameras it switched off resume",
            tag="zones", response=ZoneSwitched)
async def enable_zone(request: web.Request, p: Principal) -> web.Response:
    """Switch a zone back on (admin)."""
    zone, switched = await zone_switch.set_zone_disabled(request.app[keys.DB], p,
                                                         path_id(request), False)
    return json_response({"zone": zone, "cameras_switched": switched})


@routes.add("GET", f"{API}/points", permission="registry.read", summary="List camera points",
            tag="points", query=PointQuery, response=PointList)
async def list_points(request: web.Request, p: Principal) -> web.Response:
    """List points, paged, filtered by zone or text."""
    q = read_query(request, PointQuery)
    items, page = await points.list_points(
        request.app[keys.DB], p, zone_code=q.zone, query=q.q, page=q.page, per_page=q.per_page
    )
    shown = [i.id for i in items if i.host_name or i.host_phone]
    await audit.record_personal_read(request.app[keys.DB], p, "camera_point", shown)
    return json_response({"items": items, "page": page})


@routes.add("POST", f"{API}/points", permission="registry.write", summary="Create a point",
            tag="points", body=PointIn, response=PointOut, status=201)
async def create_point(request: web.Request, p: Principal) -> web.Response:
    """Create a camera point."""
    data = await read_body(request, PointIn)
    return json_response(await points.create_point(request.app[keys.DB], p, data), 201)


@routes.add("GET", f"{API}/points/{{id}}", permission="registry.read", summary="Get a point",
            tag="points", response=PointOut)
async def get_point(request: web.Request, p: Principal) -> web.Response:
    """Return one point (the read of its host's name and phone is audited)."""
    point = await points.get_point(request.app[keys.DB], p, path_id(request))
    if point.host_name or point.host_phone:
        await audit.record_personal_read(request.app[keys.DB], p, "camera_point", [point.id])
    return json_response(point)


@routes.add("PATCH", f"{API}/points/{{id}}", permission="registry.write",
            summary="Change a point", tag="points", body=PointPatch, response=PointOut)
async def update_point(request: web.Request, p: Principal) -> web.Response:
    """Change a point."""
    patch = await read_body(request, PointPatch)
    return json_response(await points.update_point(request.app[keys.DB], p, path_id(request), patch))


@routes.add("DELETE", f"{API}/points/{{id}}", permission="registry.write",
            summary="Delete a point and its cameras", tag="points", status=204)
async def delete_point(request: web.Request, p: Principal) -> web.Response:
    """Delete a point."""
    await points.delete_point(request.app[keys.DB], p, path_id(request))
    return web.Response(status=204)


@routes.add("GET", f"{API}/cameras", permission="registry.read", summary="List cameras",
            tag="cameras", query=CameraQuery, response=CameraList)
async def list_cameras(request: web.Request, p: Principal) -> web.Response:
    """List cameras, paged, filtered by zone, point, status or enabled."""
    q = read_query(request, CameraQuery)
    items, page = await cameras.list_cameras(
        request.app[keys.DB], p, zone_code=q.zone, point_id=q.point_id, status=q.status,
        enabled=q.enabled, page=q.page, per_page=q.per_page,
    )
    return json_response({"items": items, "page": page})


@routes.add("POST", f"{API}/cameras", permission="registry.write", summary="Create a camera",
            tag="cameras", body=CameraIn, response=CameraOut, status=201)
async def create_camera(request: web.Request, p: Principal) -> web.Response:
    """Create a camera; the password is stored encrypted and never returned."""
    data = await read_body(request, CameraIn)
    app = request.app
    return json_response(await cameras.create_camera(app[keys.DB], p, app[keys.CIPHER], data), 201)


@routes.add("GET", f"{API}/cameras/{{id}}", permission="registry.read", summary="Get a camera",
            tag="cameras", response=CameraOut)
async def get_camera(request: web.Request, p: Principal) -> web.Response:
    """Return one camera (password masked)."""
    return json_response(await cameras.get_camera(request.app[keys.DB], p, path_id(request)))


@routes.add("PATCH", f"{API}/cameras/{{id}}", permission="registry.write",
            summary="Change a camera", tag="cameras", body=CameraPatch, response=CameraOut)
async def update_camera(request: web.Request, p: Principal) -> web.Response:
    """Change a camera."""
    patch = await read_body(request, CameraPatch)
    app = request.app
    return json_response(
        await cameras.update_camera(app[keys.DB], p, app[keys.CIPHER], path_id(request), patch)
    )


@routes.add("DELETE", f"{API}/cameras/{{id}}", permission="registry.write",
            summary="Delete a camera", tag="cameras", status=204)
async def delete_camera(request: web.Request, p: Principal) -> web.Response:
    """Delete a camera."""
    await cameras.delete_camera(request.app[keys.DB], p, path_id(request))
    return web.Response(status=204)
