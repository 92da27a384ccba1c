"""Health check, the caller's identity, and the OpenAPI document."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from camnet import __version__
from camnet.auth.principal import PERMISSIONS, Principal
from camnet.web import keys
from camnet.web.routing import RouteTable, json_response

routes = RouteTable()


class Health(BaseModel):
    """Liveness of the service itself."""

    status: str
    version: str
    schema_version: int


class Me(BaseModel):
    """The caller."""

    username: str
    role: str
    zone_id: int | None
    permissions: list[str]


@routes.add("GET", "/healthz", permission=None, summary="Service health", tag="system",
            response=Health)
async def healthz(request: web.Request, p: Principal | None) -> web.Response:
    """Answer 200 when the database answers."""
    version = await request.app[keys.DB].schema_version()
    return json_response(Health(status="ok", version=__version__, schema_version=version))


@routes.add("GET", "/api/v1/me", permission="registry.read", summary="Who am I",
            tag="system", response=Me)
async def me(request: web.Request, p: Principal) -> web.Response:
    """Return the caller's user name, role and permissions."""
    return json_response(
        Me(username=p.username, role=p.role, zone_id=p.zone_id,
           permissions=sorted(PERMISSIONS[p.role]))
    )
