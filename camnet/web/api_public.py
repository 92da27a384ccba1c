"""JSON API behind the public status pages: turn a zone's page on or off, write notices.

All routes are for logged-in users and zone-scoped; the public pages themselves are in
:mod:`camnet.web.ui_public`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from camnet.auth.principal import Principal
from camnet.hosts import public_store
from camnet.validation import Para
from camnet.web import keys
from camnet.web.routing import RouteTable, json_response, path_id, read_body, remember_models

routes = RouteTable()
API = "/api/v1"


class PageIn(BaseModel):
    """Publish a zone's page or take it down."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool


class PageOut(BaseModel):
    """A zone's public page setting."""

    zone_code: str
    zone_name: str
    level: str
    enabled: bool
    public_path: str
    changed_by: str
    changed_at: str


class PageList(BaseModel):
    """Communes and hamlets in scope with their page setting."""

    items: list[dict[str, Any]]


class NoticeIn(BaseModel):
    """A notice for the public page (no names, phones or addresses)."""

    model_config = ConfigDict(extra="forbid")
    text: Para = Field(min_length=1, max_length=public_store.MAX_NOTICE_CHARS)
    starts_at: str | None = Field(None, description="ISO-8601; local time if no offset; "
                                                    "default now")
    ends_at: str | None = Field(None, description="ISO-8601; none: until ended")


class NoticePatch(BaseModel):
    """Changes to a notice; ``end_now`` ends it at once."""

    model_config = ConfigDict(extra="forbid")
    text: Para | None = Field(None, min_length=1, max_length=public_store.MAX_NOTICE_CHARS)
    starts_at: str | None = None
    ends_at: str | None = None
    end_now: bool = False


class NoticeOut(BaseModel):
    """A notice."""

    id: int
    zone_code: str
    text: str
    starts_at: str
    ends_at: str | None
    created_by: str
    created_at: str
    updated_at: str


class NoticeList(BaseModel):
    """Notices of one zone, newest first."""

    items: list[dict[str, Any]]


remember_models(PageIn, NoticeIn, NoticePatch)


@routes.add("GET", f"{API}/status-pages", permission="registry.read", tag="status page",
            summary="Communes and hamlets in my zone and whether their public page is on",
            response=PageList)
async def list_pages(request: web.Request, p: Principal) -> web.Response:
    """Every commune and hamlet in scope with its public page setting."""
    pages = await public_store.list_pages(request.app[keys.DB], p)
    return json_response({"items": [page.as_dict() for page in pages]})


@routes.add("PUT", f"{API}/status-pages/{{code}}", permission="status_page.publish",
            tag="status page", body=PageIn, response=PageOut,
            summary="Publish or take down a commune's (or hamlet's) public status page")
async def set_page(request: web.Request, p: Principal) -> web.Response:
    """Turn the page at ``/trang-thai/{code}`` on or off (commander, admin)."""
    data = await read_body(request, PageIn)
    page = await public_store.set_enabled(request.app[keys.DB], p, request.match_info["code"],
                                          data.enabled)
    return json_response(page.as_dict())


@routes.add("GET", f"{API}/status-pages/{{code}}/notices", permission="registry.read",
            tag="status page", summary="Notices of a zone's public page", response=NoticeList)
async def list_notices(request: web.Request, p: Principal) -> web.Response:
    """Every notice of the zone, newest first."""
    found = await public_store.list_notices(request.app[keys.DB], p, request.match_info["code"])
    return json_response({"items": [n.as_dict() for n in found]})


@routes.add("POST", f"{API}/status-pages/{{code}}/notices", permission="registry.write",
            tag="status page", body=NoticeIn, response=NoticeOut, status=201,
            summary="Add a notice to a zone's public page")
async def add_notice(request: web.Request, p: Principal) -> web.Response:
    """Add a notice with a start (default now) and an optional end."""
    data = await read_body(request, NoticeIn)
    notice = await public_store.add_notice(request.app[keys.DB], p, request.match_info["code"],
                                           data.text, data.starts_at, data.ends_at)
    return json_response(notice.as_dict(), 201)


@routes.add("PATCH", f"{API}/status-notices/{{notice_id}}", permission="registry.write",
            tag="status page", body=NoticePatch, response=NoticeOut,
            summary="Change or end a notice")
async def edit_notice(request: web.Request, p: Principal) -> web.Response:
    """Change a notice's text or times, or end it now."""
    data = await read_body(request, NoticePatch)
    notice = await public_store.update_notice(
        request.app[keys.DB], p, path_id(request, "notice_id"), text=data.text,
        starts_at=data.starts_at, ends_at=data.ends_at, end_now=data.end_now)
    return json_response(notice.as_dict())


@routes.add("DELETE", f"{API}/status-notices/{{notice_id}}", permission="registry.write",
            tag="status page", summary="Delete a notice", status=204)
async def delete_notice(request: web.Request, p: Principal) -> web.Response:
    """Delete a notice."""
    await public_store.delete_notice(request.app[keys.DB], p, path_id(request, "notice_id"))
    return web.Response(status=204)
