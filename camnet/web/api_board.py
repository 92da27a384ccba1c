"""JSON API of the status board: one keyset page with zone counts, and the status delta."""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from camnet.auth.principal import Principal
from camnet.i18n import hint_text, translate
from camnet.monitor import board
from camnet.monitor.queries import BoardCamera
from camnet.paging import MAX_PER_PAGE, KeysetPage
from camnet.timeutil import format_local
from camnet.validation import Line
from camnet.web import keys
from camnet.web.i18n import cause_text, language_of
from camnet.web.routing import RouteTable, json_response, read_query, remember_models

routes = RouteTable()
API = "/api/v1"
StatusFilter = Literal["problems", "down", "degraded", "unknown", "maintenance", "up"]


class BoardQuery(BaseModel):
    """Which part of the board: zone, status filter, search text, keyset page."""

    model_config = ConfigDict(extra="forbid")
    zone: str | None = Field(None, max_length=100, description="Zone code; default your zone")
    status: StatusFilter | None = Field(None, description="problems = down and degraded")
    q: Line | None = Field(None, max_length=100, description="Text in camera, point, address or zone")
    after: str | None = Field(None, max_length=40, description="Cursor of the page (from `page.next`)")
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE)


class ChangesQuery(BaseModel):
    """The board's view and the change cursor the client last saw."""

    model_config = ConfigDict(extra="forbid")
    zone: str | None = Field(None, max_length=100)
    q: Line | None = Field(None, max_length=100)
    since: int = Field(ge=0, le=2**63 - 1, description="`cursor` of the previous answer")


class BoardOut(BaseModel):
    """Counts of the zone and its child zones, one page of cameras (problems first)."""

    zone: dict[str, Any]
    parent: str | None
    children: list[dict[str, Any]]
    items: list[dict[str, Any]]
    page: KeysetPage
    cursor: int = Field(description="Ask /board/changes?since= with this")


class ChangesOut(BaseModel):
    """Cameras whose status changed after ``since``, with fresh counts."""

    cursor: int
    reload: bool = Field(description="Too many changes: reload the board instead")
    zone: dict[str, Any]
    children: list[dict[str, Any]]
    items: list[dict[str, Any]]


remember_models(BoardQuery, ChangesQuery)


@routes.add("GET", f"{API}/board", permission="monitor.read", summary="Status board",
            tag="monitor", query=BoardQuery, response=BoardOut)
async def board_json(request: web.Request, p: Principal) -> web.Response:
    """Counts per zone and one page of cameras, down and degraded first."""
    q = read_query(request, BoardQuery)
    db = request.app[keys.DB]
    view = await board.resolve_view(db, p, zone_code=q.zone, status=q.status, q=q.q)
    cursor = await board.change_cursor(db)
    whole, children = await board.zone_counts(db, view)
    cams, page = await board.board_page(db, view, after=q.after, per_page=q.per_page)
    return json_response({"zone": whole.as_dict(), "parent": view.parent_code,
                          "children": [c.as_dict() for c in children],
                          "items": [board.camera_dict(c) for c in cams], "page": page,
                          "cursor": cursor})


@routes.add("GET", f"{API}/board/changes", permission="monitor.read",
            summary="Status changes since a cursor", tag="monitor", query=ChangesQuery,
            response=ChangesOut)
async def board_changes(request: web.Request, p: Principal) -> web.Response:
    """The cameras of the view whose status changed after ``since``, and the counts now."""
    q = read_query(request, ChangesQuery)
    db = request.app[keys.DB]
    view = await board.resolve_view(db, p, zone_code=q.zone, status=None, q=q.q)
    cams, cursor, reload = await board.board_changes(db, view, since=q.since)
    whole, children = await board.zone_counts(db, view)
    lang = language_of(request, request.app[keys.CONFIG].ui.language)
    return json_response({"cursor": cursor, "reload": reload, "zone": whole.as_dict(),
                          "children": [c.as_dict() for c in children],
                          "items": [_shown(c, lang) for c in cams]})


def _shown(cam: BoardCamera, lang: str) -> dict[str, object]:
    """A changed camera with the texts the board shows for it, in the caller's language."""
    label = translate("up_busy" if cam.busy else f"status_{cam.status}", lang)
    problem = cam.status in ("down", "degraded")
    return {**board.camera_dict(cam), "status_text": label,
            "cause_text": cause_text(cam.shown_cause, lang) if problem else "",
            "hint_text": hint_text("busy" if cam.busy else cam.shown_cause, lang) if problem or cam.busy
            else "", "since_text": format_local(cam.since)}
