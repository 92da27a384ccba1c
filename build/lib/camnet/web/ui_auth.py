"""Login and logout pages for people (sessions in an encrypted cookie)."""

from __future__ import annotations

from aiohttp import web
from aiohttp_session import get_session, new_session

from camnet.accounts.users import authenticate
from camnet.errors import TooManyAttempts
from camnet.web import keys
from camnet.web.csrf import check_csrf, csrf_token
from camnet.web.i18n import language_of, translate
from camnet.web.pages import render

routes = web.RouteTableDef()


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


@routes.get("/login")
async def login_form(request: web.Request) -> web.Response:
    """Show the login form."""
    return await render(request, "login.html", {"next": _safe_next(request.query.get("next", "/"))})


@routes.post("/login")
async def login(request: web.Request) -> web.Response:
    """Check the password; failures are slowed down per user name and per address."""
    form = await request.post()
    await check_csrf(request, form)
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "/")))
    throttle = request.app[keys.THROTTLE]
    user_key, addr_key = f"user:{username.lower()}", f"addr:{request.remote}"
    lang = language_of(request, request.app[keys.CONFIG].ui.language)
    try:
        throttle.check(user_key, addr_key)
    except TooManyAttempts as exc:
        response = await render(request, "login.html", {"next": target, "error": exc.message}, 429)
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    principal = await authenticate(request.app[keys.DB], username, password)
    if principal is None:
        throttle.failed(user_key, addr_key)
        return await render(
            request, "login.html", {"next": target, "error": translate("login_failed", lang)}, 401
        )
    throttle.succeeded(user_key, addr_key)
    session = await new_session(request)  # a fresh session id: no fixation
    session["user_id"] = principal.user_id
    await csrf_token(request)
    raise web.HTTPSeeOther(target)


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    """End the session."""
    form = await request.post()
    await check_csrf(request, form)
    session = await get_session(request)
    session.invalidate()
    raise web.HTTPSeeOther("/login")
