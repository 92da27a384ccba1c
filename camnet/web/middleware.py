"""Middlewares: who is calling (token or session), and errors as JSON, never a traceback."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp_session import get_session

from camnet.accounts.sessions import principal_by_session
from camnet.accounts.users import principal_by_token
from camnet.errors import CamnetError, ErrorBody, Forbidden, TooManyAttempts, Unauthenticated
from camnet.timeutil import utcnow
from camnet.web import keys
from camnet.web.csrf import HEADER, token_matches
from camnet.web.i18n import error_words_for
from camnet.web.pages import render
from camnet.web.routing import PRINCIPAL, VIA_TOKEN

log = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


SESSION_ID = "sid"
PUBLIC_PATHS = frozenset({"/healthz"})
CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def client_address(request: web.Request) -> str:
    """The client's address: the socket peer, or X-Forwarded-For's last hop behind a trusted proxy."""
    peer = request.remote or ""
    if peer in request.app[keys.CONFIG].security.trusted_proxies:
        forwarded = request.headers.get("X-Forwarded-For", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1][:64]
    return peer


@web.middleware
async def identify(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Attach the caller's principal (from a bearer token or the session) to the request."""
    if request.path in PUBLIC_PATHS:  # health checks answer whatever credentials come along
        return await handler(request)
    db = request.app[keys.DB]
    auth = request.headers.get("Authorization", "")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("use 'Authorization: Bearer <token>'")
        principal = await principal_by_token(db, token.strip())
        if principal is None:
            raise Unauthenticated("token unknown, revoked, expired, or its user is disabled")
        request[PRINCIPAL] = principal
        request[VIA_TOKEN] = True
        return await handler(request)
    session = await get_session(request)
    sid = session.get(SESSION_ID)
    if isinstance(sid, str):
        principal = await principal_by_session(db, sid, utcnow())
        if principal is None:
            session.invalidate()  # ended on the server (logout elsewhere, password change…)
        else:
            request[PRINCIPAL] = principal
            if request.method not in SAFE_METHODS and request.path.startswith("/api/"):
                if not token_matches(session, request.headers.get(HEADER, "")):
                    raise Forbidden("missing or wrong X-CSRF-Token header", "X-CSRF-Token")
    return await handler(request)


@web.middleware
async def same_origin(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a state-changing browser request whose Origin is another site (behind CSRF)."""
    origin = request.headers.get("Origin")
    if request.method not in SAFE_METHODS and origin and not request.get(VIA_TOKEN):
        expected = f"{request.scheme}://{request.host}"
        forwarded_host = request.headers.get("X-Forwarded-Host")
        allowed = {expected}
        if forwarded_host and (request.remote or "") in request.app[keys.CONFIG].security.trusted_proxies:
            proto = request.headers.get("X-Forwarded-Proto", request.scheme)
            allowed.add(f"{proto}://{forwarded_host}")
        if origin not in allowed:
            raise Forbidden("this request came from another site", "Origin")
    return await handler(request)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every answer: a strict Content-Security-Policy, no sniffing, no framing, no referrer."""
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def error_body(code: str, message: str, field: str | None = None) -> dict[str, object]:
    """The API's error body as JSON-ready data (see :class:`camnet.errors.ErrorBody`)."""
    return ErrorBody.of(code, message, field).model_dump()


def return_path(request: web.Request) -> str:
    """Where to go back after logging in: this page, or for a form post the page holding the form.

    A POST-only address opened with GET would answer 405, so a post returns to the
    same-origin ``Referer`` (the page with the form) or else to the role home.
    """
    if request.method in ("GET", "HEAD"):
        return request.path_qs
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc == request.host and referer.path.startswith("/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/home"


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn expected errors into ``{"error": {...}}`` with a 4xx; unexpected ones into a 500."""
    try:
        return await handler(request)
    except CamnetError as exc:
        headers = {}
        if isinstance(exc, TooManyAttempts):
            headers["Retry-After"] = str(exc.retry_after_s)
        if isinstance(exc, Unauthenticated) and not request.path.startswith("/api/"):
            raise web.HTTPSeeOther(f"/login?next={return_path(request)}") from exc
        if not request.path.startswith("/api/"):
            return await _error_page(request, exc.status, error_words_for(request, exc))
        return web.json_response(exc.to_dict(), status=exc.status, headers=headers)
    except web.HTTPRequestEntityTooLarge:
        limit = request.app[keys.CONFIG].server.max_body_bytes
        if not request.path.startswith("/api/"):
            return await _error_page(request, 413, "", limit_bytes=limit)
        return web.json_response(
            error_body("too_large", f"request body over the limit of {limit} bytes", "body"),
            status=413,
        )
    except web.HTTPException as exc:
        if exc.status < 400 or request.path.startswith("/static/"):
            raise
        if not request.path.startswith("/api/"):
            return await _error_page(request, exc.status, "")  # the page says it in words
        code = exc.reason.lower().replace(" ", "_")
        return web.json_response(error_body(code, exc.reason), status=exc.status)
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        if not request.path.startswith("/api/"):
            return await _error_page(request, 500, "")
        return web.json_response(
            error_body("internal", "internal error; see the server log"), status=500
        )


async def _error_page(request: web.Request, status: int, message: str,
                      limit_bytes: int | None = None) -> web.StreamResponse:
    """An HTML error page for people (pages, not the API); no message: the status in words."""
    try:
        return await render(request, "error.html", {"status": status, "message": message,
                                                    "limit_bytes": limit_bytes}, status)
    except Exception:  # the error page itself must never fail
        log.exception("error page failed")
        return web.Response(status=status, text=message)
