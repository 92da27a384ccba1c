"""Login and logout pages for people: server-side sessions, throttled, audited."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web
from aiohttp_session import get_session, new_session

from camnet.accounts import logins, sessions
from camnet.accounts.users import authenticate
from camnet.audit import record_auth_event
from camnet.errors import TooManyAttempts
from camnet.timeutil import format_duration, utcnow
from camnet.web import keys
from camnet.web.csrf import check_csrf, csrf_token
from camnet.web.i18n import language_of, translate
from camnet.web.middleware import SESSION_ID, client_address
from camnet.web.pages import render
from camnet.web.routing import PRINCIPAL

routes = web.RouteTableDef()


def safe_next(target: str) -> str:
    """A same-origin path to go to after login; anything else (other hosts, tricks) is ``/``."""
    cleaned = "".join(c for c in target if c.isprintable() and c not in "\\\t\r\n")
    if cleaned != target or not cleaned.startswith("/") or cleaned.startswith("//"):
        return "/"
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return "/"
    return cleaned


@routes.get("/login")
async def login_form(request: web.Request) -> web.Response:
    """Show the login form."""
    return await render(request, "login.html", {"next": safe_next(request.query.get("next", "/home"))})


@routes.post("/login")
async def login(request: web.Request) -> web.Response:
    """Check the password; failures lock out the (user, address) pair, not the user."""
    form = await request.post()
    await check_csrf(request, form)
    username = str(form.get("username", "")).strip()[:200]
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("next", "/home")))
    db, policy = request.app[keys.DB], request.app[keys.THROTTLE]
    address = client_address(request)
    lang = language_of(request, request.app[keys.CONFIG].ui.language)
    now = utcnow()
    try:
        await logins.check_allowed(db, username, address, now)
    except TooManyAttempts as exc:
        wait = format_duration(exc.retry_after_s, lang)
        response = await render(request, "login.html", {
            "next": target, "error": f"{translate('login_locked_wait', lang)} {wait}."}, 429)
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    principal = await authenticate(db, username, password)
    if principal is None:
        async with db.transaction() as tx:
            locked_s = await logins.record_failure(tx, policy, username, address, now)
            await record_auth_event(tx, username, "login_failed", {"address": address})
            if locked_s:
                await record_auth_event(tx, username, "login_locked",
                                        {"address": address, "seconds": locked_s})
        return await render(
            request, "login.html", {"next": target, "error": translate("login_failed", lang)}, 401
        )
    async with db.transaction() as tx:
        await logins.record_success(tx, username, address)
        sid = await sessions.start_session(
            tx, principal.user_id, lifetime_s=request.app[keys.CONFIG].security.session_max_age_s,
            address=address, user_agent=request.headers.get("User-Agent", ""), now=now)
        await record_auth_event(tx, principal.username, "login", {"address": address})
    session = await new_session(request)  # a fresh cookie: no fixation
    session[SESSION_ID] = sid
    await csrf_token(request)
    raise web.HTTPSeeOther(target)


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    """End the session on the server and in the browser."""
    form = await request.post()
    await check_csrf(request, form)
    session = await get_session(request)
    sid = session.get(SESSION_ID)
    if isinstance(sid, str):
        db = request.app[keys.DB]
        async with db.transaction() as tx:
            user_id = await sessions.end_session(tx, sid, "logout", utcnow())
            if user_id is not None:
                who = request.get(PRINCIPAL)
                await record_auth_event(tx, who.username if who else f"user {user_id}", "logout",
                                        {"address": client_address(request)})
    session.invalidate()
    raise web.HTTPSeeOther("/login")
