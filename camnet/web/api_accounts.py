"""The caller's own sessions, and API tokens (list, create, revoke) for user managers."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web
from aiohttp_session import get_session
from pydantic import BaseModel, ConfigDict, Field

from camnet import audit
from camnet.accounts import sessions, users
from camnet.auth.principal import Principal
from camnet.evidence import requests as evidence_requests
from camnet.registry.points import get_point
from camnet.timeutil import utcnow
from camnet.validation import DbId, Line
from camnet.web import keys
from camnet.web.middleware import SESSION_ID
from camnet.web.routing import RouteTable, json_response, path_id, read_body, read_query

routes = RouteTable()
API = "/api/v1"


class SessionItem(BaseModel):
    """One open session of the caller."""

    id: int
    created_at: str
    last_seen_at: str
    expires_at: str
    address: str
    user_agent: str
    current: bool


class SessionList(BaseModel):
    """The caller's open sessions."""

    items: list[SessionItem]


class TokenItem(BaseModel):
    """An API token (only its first characters)."""

    id: int
    username: str
    name: str
    prefix: str
    created_at: str
    expires_at: str | None
    last_used_at: str | None
    revoked: bool


class TokenList(BaseModel):
    """API tokens of users in the caller's zone."""

    items: list[TokenItem]


class AccessQuery(BaseModel):
    """Whose personal data: a camera point (its host)."""

    model_config = ConfigDict(extra="forbid")
    point_id: DbId


class AccessReport(BaseModel):
    """Every recorded read of one host's personal data."""

    point_id: int
    requests: list[int]
    reads: list[dict[str, Any]]


class TokenQuery(BaseModel):
    """Filter tokens by user."""

    model_config = ConfigDict(extra="forbid")
    username: Line | None = Field(None, max_length=200)


class TokenIn(BaseModel):
    """A new token for a user."""

    model_config = ConfigDict(extra="forbid")
    username: Line = Field(min_length=1, max_length=200)
    name: Line = Field("api", min_length=1, max_length=100)
    expires_days: float | None = Field(None, gt=0, le=3650)


class TokenCreated(BaseModel):
    """The token, shown this once."""

    token: str


@routes.add("GET", f"{API}/me/sessions", permission="registry.read",
            summary="My open sessions", tag="system", response=SessionList)
async def my_sessions(request: web.Request, p: Principal) -> web.Response:
    """The caller's open browser sessions (where and since when)."""
    session = await get_session(request)
    current = session.get(SESSION_ID)
    found = await sessions.list_sessions(request.app[keys.DB], p, utcnow(),
                                         current if isinstance(current, str) else None)
    return json_response({"items": [asdict(s) for s in found]})


@routes.add("DELETE", f"{API}/me/sessions/{{id}}", permission="registry.read",
            summary="End one of my sessions", tag="system", status=204)
async def end_my_session(request: web.Request, p: Principal) -> web.Response:
    """End one of the caller's sessions (a phone left logged in, say)."""
    await sessions.end_own_session(request.app[keys.DB], p, path_id(request), utcnow())
    return web.Response(status=204)


@routes.add("GET", f"{API}/tokens", permission="users.manage", summary="API tokens",
            tag="system", query=TokenQuery, response=TokenList)
async def list_tokens(request: web.Request, p: Principal) -> web.Response:
    """Tokens of users in the caller's zone, with last use and expiry."""
    q = read_query(request, TokenQuery)
    found = await users.list_tokens(request.app[keys.DB], p, q.username)
    return json_response({"items": [asdict(t) for t in found]})


@routes.add("POST", f"{API}/tokens", permission="users.manage", summary="Create an API token",
            tag="system", body=TokenIn, response=TokenCreated, status=201)
async def create_token(request: web.Request, p: Principal) -> web.Response:
    """Create a token; it is shown once and stored only hashed."""
    data = await read_body(request, TokenIn)
    token = await users.create_token(request.app[keys.DB], p, data.username, data.name,
                                     data.expires_days)
    return json_response({"token": token}, 201)


@routes.add("DELETE", f"{API}/tokens/{{id}}", permission="users.manage",
            summary="Revoke an API token", tag="system", status=204)
async def revoke_token(request: web.Request, p: Principal) -> web.Response:
    """Revoke a token: it stops working at once."""
    await users.revoke_token(request.app[keys.DB], p, path_id(request))
    return web.Response(status=204)


@routes.add("GET", f"{API}/audit/personal-access", permission="users.manage",
            summary="Who read a host's personal data (data-subject access report)", tag="system",
            query=AccessQuery, response=AccessReport)
async def personal_access(request: web.Request, p: Principal) -> web.Response:
    """Every read of one host's name, phone and address, by whom and when (Law 91/2025)."""
    q = read_query(request, AccessQuery)
    db = request.app[keys.DB]
    await get_point(db, p, q.point_id)  # in the caller's zone, else 404
    request_ids = await evidence_requests.requests_naming_point(db, p, q.point_id)
    reads = await audit.personal_access_report(db, p, point_ids=[q.point_id],
                                               request_ids=request_ids)
    return json_response({"point_id": q.point_id, "requests": request_ids, "reads": reads})
