"""The users and tokens page (``/users``, admins): list, create, role/zone, reset, disable.

Handlers are thin: every change goes through :mod:`camnet.accounts.users`, the same
functions the API and the CLI call (scope, audit and session ending live there). A new
temporary password or token secret is shown once on the page that made it, never again.
"""

from __future__ import annotations

import secrets

from aiohttp import web

from camnet.accounts import users
from camnet.auth.principal import ROLES, Principal
from camnet.errors import CamnetError, InvalidInput
from camnet.registry.zones import list_zones
from camnet.web import keys
from camnet.web.csrf import check_csrf
from camnet.web.i18n import error_words_for
from camnet.web.pages import page_principal, render

routes = web.RouteTableDef()
PERMISSION = "users.manage"
DONE = ("created", "profile", "role", "disabled", "enabled", "revoked", "unlocked")  # ?done= success messages


async def _page(request: web.Request, p: Principal, *, secret: tuple[str, str, str] | None = None,
                error: str = "", status: int = 200, form: dict[str, str] | None = None,
                ) -> web.Response:
    db = request.app[keys.DB]
    done = request.query.get("done", "")
    return await render(request, "users.html", {
        "users": await users.list_users(db, p),
        "tokens": await users.list_tokens(db, p),
        "zones": await list_zones(db, p), "roles": ROLES,
        "secret": secret, "error": error, "form": form or {},
        "done": done if done in DONE else "",
    }, status)


@routes.get("/users")
async def users_page(request: web.Request) -> web.Response:
    """List the users and API tokens in the admin's zone subtree."""
    return await _page(request, page_principal(request, PERMISSION))


def _text(form: object, name: str) -> str:
    return str(form.get(name, "")).strip()  # type: ignore[attr-defined]


@routes.post("/users")
async def users_post(request: web.Request) -> web.Response:
    """Handle the page's forms (field ``action``), then show the result."""
    p = page_principal(request, PERMISSION)
    form = await request.post()
    await check_csrf(request, form)
    db = request.app[keys.DB]
    action = _text(form, "action")
    username = _text(form, "username")
    done = ""
    try:
        if action == "create":
            await users.add_user(db, p, username=username, password=_text(form, "password"),
                                 role=_text(form, "role"), zone_code=_text(form, "zone"),
                                 full_name=_text(form, "full_name"), title=_text(form, "title"))
            done = "created"
        elif action == "profile":
            await users.set_profile(db, p, username, full_name=_text(form, "full_name"),
                                    title=_text(form, "title"))
            done = "profile"
        elif action == "role":
            await users.set_role(db, p, username, role=_text(form, "role") or None,
                                 zone_code=_text(form, "zone") or None)
            done = "role"
        elif action in ("disable", "enable"):
            await users.set_disabled(db, p, username, disabled=action == "disable")
            done = f"{action}d"
        elif action == "unlock":
            await users.unlock_user(db, p, username)
            done = "unlocked"
        elif action == "reset":
            temporary = secrets.token_urlsafe(9)
            await users.set_password(db, p, username, temporary)
            return await _page(request, p, secret=("password", username, temporary))
        elif action == "token":
            days = _text(form, "expires_days")
            try:
                expires = float(days) if days else None
            except ValueError:
                raise InvalidInput("expires_days must be a number", "expires_days") from None
            token = await users.create_token(db, p, username, _text(form, "name") or "web", expires)
            return await _page(request, p, secret=("token", username, token))
        elif action == "revoke":
            try:
                token_id = int(_text(form, "id"))
            except ValueError:
                raise InvalidInput("id must be a number", "id") from None
            await users.revoke_token(db, p, token_id)
            done = "revoked"
        else:
            raise InvalidInput(f"unknown action {action!r}", "action")
    except CamnetError as exc:
        where = f" ({exc.field})" if exc.field else ""
        keep = {k: _text(form, k) for k in ("username", "full_name", "title", "role", "zone")}
        return await _page(request, p, error=error_words_for(request, exc) + where,
                           status=exc.status, form=keep)
    raise web.HTTPSeeOther(f"/users?done={done}")
