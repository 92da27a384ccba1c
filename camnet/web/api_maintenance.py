"""JSON API of maintenance windows: list, add (camera, point or zone; weekly), edit, cancel."""

from __future__ import annotations

from typing import Any, Literal, get_type_hints

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, create_model

from camnet.auth.principal import Principal
from camnet.monitor import maintenance
from camnet.web import keys
from camnet.web.routing import RouteTable, json_response, path_id, read_body, read_query, remember_models

routes = RouteTable()
API = "/api/v1"


class WindowQuery(BaseModel):
    """Which windows to list."""

    model_config = ConfigDict(extra="forbid")
    all: bool = Field(False, description="Include cancelled and finished windows")


class WindowIn(BaseModel):
    """A new maintenance window for one camera, point or zone."""

    model_config = ConfigDict(extra="forbid")
    target: Literal["camera", "point", "zone"]
    target_id: int
    starts_at: str = Field(description="ISO-8601; local time if no offset")
    ends_at: str
    reason: str = Field("", max_length=500)
    weekly: bool = Field(False, description="Repeat every 7 days at the same local time")
    repeat_until: str | None = Field(None, description="Weekly: no occurrence from this time on")


class WindowPatch(BaseModel):
    """Changes to a window."""

    model_config = ConfigDict(extra="forbid")
    starts_at: str | None = None
    ends_at: str | None = None
    reason: str | None = Field(None, max_length=500)
    repeat_until: str | None = None


# The answer's schema is built from the domain's own Window dataclass: they cannot drift apart.
_WINDOW_FIELDS: dict[str, Any] = {
    name: (kind, ...) for name, kind in get_type_hints(maintenance.Window).items()}
WindowOut: type[BaseModel] = create_model("WindowOut", __doc__="A maintenance window.",
                                          **_WINDOW_FIELDS)
WindowList: type[BaseModel] = create_model(
    "WindowList", __doc__="Maintenance windows.", items=(list[WindowOut], ...))


remember_models(WindowQuery, WindowIn, WindowPatch)


@routes.add("GET", f"{API}/maintenance", permission="monitor.read",
            summary="List maintenance windows", tag="monitor", query=WindowQuery,
            response=WindowList)
async def list_windows(request: web.Request, p: Principal) -> web.Response:
    """Current and future windows in the caller's zone (``all=true``: every one)."""
    q = read_query(request, WindowQuery)
    found = await maintenance.list_windows(request.app[keys.DB], p, include_past=q.all)
    return json_response({"items": [w.as_dict() for w in found]})


@routes.add("POST", f"{API}/maintenance", permission="monitor.write",
            summary="Schedule maintenance (camera, point or zone)", tag="monitor", body=WindowIn,
            response=WindowOut, status=201)
async def add_window(request: web.Request, p: Principal) -> web.Response:
    """Add a one-off or weekly window; it excludes only its own time."""
    data = await read_body(request, WindowIn)
    db = request.app[keys.DB]
    window_id = await maintenance.add_window(
        db, p, target=data.target, target_id=data.target_id, starts_at=data.starts_at,
        ends_at=data.ends_at, reason=data.reason, weekly=data.weekly,
        repeat_until=data.repeat_until)
    (created,) = [w for w in await maintenance.list_windows(db, p, include_past=True)
                  if w.id == window_id]
    return json_response(created.as_dict(), 201)


@routes.add("PATCH", f"{API}/maintenance/{{id}}", permission="monitor.write",
            summary="Change a maintenance window", tag="monitor", body=WindowPatch,
            response=WindowOut)
async def edit_window(request: web.Request, p: Principal) -> web.Response:
    """Change times, reason or the weekly end of a window."""
    data = await read_body(request, WindowPatch)
    window = await maintenance.update_window(
        request.app[keys.DB], p, path_id(request), starts_at=data.starts_at, ends_at=data.ends_at,
        reason=data.reason, repeat_until=data.repeat_until)
    return json_response(window.as_dict())


@routes.add("POST", f"{API}/maintenance/{{id}}/cancel", permission="monitor.write",
            summary="Cancel a maintenance window", tag="monitor", response=WindowOut)
async def cancel_window(request: web.Request, p: Principal) -> web.Response:
    """Cancel now: time already spent in maintenance stays so, nothing after."""
    window = await maintenance.cancel_window(request.app[keys.DB], p, path_id(request))
    return json_response(window.as_dict())
