"""API route table: every route declares its permission and models in one place.

The same table registers the aiohttp routes, enforces authorization (one check, here)
and generates the OpenAPI document, so the three cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import BodyPartReader, MultipartReader, web
from pydantic import BaseModel, ValidationError

from camnet.auth.principal import ALL_PERMISSIONS, Principal
from camnet.errors import CamnetError, InvalidInput, NotFound, Unauthenticated
from camnet.validation import MAX_ID, parse_json, single_line

Handler = Callable[[web.Request, Principal], Awaitable[web.StreamResponse]]
M = TypeVar("M", bound=BaseModel)
PRINCIPAL = web.RequestKey("camnet.principal", Principal)
VIA_TOKEN = web.RequestKey("camnet.via_token", bool)


@dataclass(frozen=True)
class ApiRoute:
    """One API operation."""

    method: str
    path: str
    handler: Handler
    permission: str | None  # None: public
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    extra_responses: dict[int, str] = field(default_factory=dict)


class RouteTable:
    """Collects :class:`ApiRoute` entries through a decorator."""

    def __init__(self) -> None:
        self.routes: list[ApiRoute] = []

    def add(
        self, method: str, path: str, *, permission: str | None, summary: str, tag: str,
        body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None, status: int = 200,
    ) -> Callable[[Handler], Handler]:
        """Register a handler ``async def h(request, principal)`` for method and path."""
        if permission is not None and permission not in ALL_PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}")

        def decorate(handler: Handler) -> Handler:
            self.routes.append(
                ApiRoute(method, path, handler, permission, summary, tag, body, query, response,
                         status)
            )
            return handler

        return decorate

    def install(self, app: web.Application) -> None:
        """Add every route to the app, wrapped in the one authorization check."""
        for route in self.routes:
            app.router.add_route(route.method, route.path, _guard(route))


def _guard(route: ApiRoute) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def guarded(request: web.Request) -> web.StreamResponse:
        principal: Principal | None = request.get(PRINCIPAL)
        if route.permission is not None:
            if principal is None:
                raise Unauthenticated("log in or send 'Authorization: Bearer <token>'")
            principal.require(route.permission)
        return await route.handler(request, principal)  # type: ignore[arg-type]

    guarded.__name__ = route.handler.__name__
    return guarded


def path_id(request: web.Request, name: str = "id") -> int:
    """A row id from the path: ASCII digits only, 1 … 2**63-1, else 404 (no such row)."""
    text = request.match_info.get(name, "")
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise NotFound(f"no {name} {text[:30]!r}", name)
    return int(text)


async def read_body(request: web.Request, model: type[M]) -> M:
    """Parse and validate a JSON request body into ``model``."""
    if request.content_type != "application/json":
        raise InvalidInput("send a JSON body with Content-Type: application/json", "body")
    data = parse_json(await request.read())
    if not isinstance(data, dict):
        raise InvalidInput("body must be a JSON object", "body")
    return validate(model, data)


def read_query(request: web.Request, model: type[M]) -> M:
    """Validate the query string into ``model`` (unknown parameters are refused)."""
    return validate(model, dict(request.query))


def validate(model: type[M], data: dict[str, Any]) -> M:
    """Validate ``data`` into ``model``, turning the first error into :class:`InvalidInput`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_from(exc) from exc


def invalid_from(exc: ValidationError) -> CamnetError:
    """Describe a pydantic error as a field and a message a person can act on."""
    err = exc.errors()[0]
    fieldname = ".".join(str(p) for p in err["loc"]) or None
    if err["type"] == "extra_forbidden":
        allowed = ", ".join(sorted(exc.title and _fields(exc.title) or []))
        message = f"unknown field {fieldname!r}" + (f"; allowed: {allowed}" if allowed else "")
    elif err["type"] == "missing":
        message = f"{fieldname} is required"
    else:
        message = f"{fieldname}: {err['msg']}"
    count = exc.error_count()
    if count > 1:
        message += f" (and {count - 1} more problem{'s' if count > 2 else ''})"
    return InvalidInput(message, fieldname)


_MODELS: dict[str, type[BaseModel]] = {}


def _fields(title: str) -> list[str]:
    model = _MODELS.get(title)
    return list(model.model_fields) if model else []


def remember_models(*models: type[BaseModel]) -> None:
    """Let error messages list the allowed fields of these models."""
    for model in models:
        _MODELS[model.__name__] = model


def attachment(filename: str) -> str:
    """A ``Content-Disposition`` value for a download (RFC 6266), the one way to build it.

    An ASCII fallback name with quotes and controls removed, and the real name
    percent-encoded in ``filename*``.
    """
    from urllib.parse import quote

    clean = "".join(c for c in filename if c.isprintable() and c not in '"\\/') or "download"
    fallback = "".join(c if c.isascii() and c not in ";," else "_" for c in clean)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(clean, safe='')}"


def json_response(data: Any, status: int = 200) -> web.Response:
    """Serialise a model, a list of models or plain data as JSON."""
    return web.json_response(_plain(data), status=status, dumps=_dumps)


def _plain(data: Any) -> Any:
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json")
    if isinstance(data, list | tuple):
        return [_plain(d) for d in data]
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    return data


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


async def open_multipart(request: web.Request) -> MultipartReader:
    """Start reading a multipart/form-data body; a malformed one is a 4xx, never a 500."""
    header = request.headers.get("Content-Type", "")
    if not request.content_type.startswith("multipart/") or "boundary=" not in header:
        raise InvalidInput("send multipart/form-data (with its boundary) and a part named 'file'",
                           "file")
    try:
        return await request.multipart()
    except (ValueError, AssertionError, KeyError) as exc:
        raise InvalidInput(f"malformed multipart body: {exc}", "file") from exc


async def next_part(reader: MultipartReader) -> Any:
    """The next part of a multipart body (``None`` at the end); malformed parts are a 4xx."""
    try:
        return await reader.next()
    except (ValueError, AssertionError, KeyError) as exc:
        raise InvalidInput(f"malformed multipart body: {exc}", "file") from exc


def upload_name(part: BodyPartReader) -> str:
    """The client's file name of a part: metadata only, one line, at most 255 characters."""
    try:
        name = part.filename or "upload"
    except (ValueError, KeyError):
        name = "upload"
    try:
        return single_line(name)[:255] or "upload"
    except ValueError as exc:
        raise InvalidInput(f"file name: {exc}", "file") from exc


async def part_chunks(part: BodyPartReader, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    """Stream the body of one multipart part in chunks (uploads never sit in memory)."""
    while chunk := await part.read_chunk(size):
        yield chunk
