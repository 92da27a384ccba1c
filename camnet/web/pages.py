"""Shared page machinery: rendering with language, CSRF token and the caller."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from camnet import __version__
from camnet.accounts import users
from camnet.auth.principal import Principal
from camnet.errors import Unauthenticated
from camnet.i18n import hint_text, term, terms
from camnet.sample import has_sample_data
from camnet.timeutil import format_duration, format_local
from camnet.web import keys
from camnet.web.csrf import csrf_token
from camnet.web.i18n import cause_text, language_of, translate
from camnet.web.routing import PRINCIPAL


def page_principal(request: web.Request, permission: str = "registry.read") -> Principal:
    """Return the logged-in caller of a page, or redirect to the login page."""
    principal: Principal | None = request.get(PRINCIPAL)
    if principal is None:
        raise Unauthenticated("log in first")
    principal.require(permission)
    return principal


async def render(
    request: web.Request, template: str, context: dict[str, Any], status: int = 200
) -> web.Response:
    """Render a template with the standard context (``t``, ``lang``, ``csrf``, ``local``...)."""
    config = request.app[keys.CONFIG]
    lang = language_of(request, config.ui.language)
    principal = request.get(PRINCIPAL)
    # people are shown by full name and title, never by login name: the handler lists the
    # login names its page shows in ``people``; one query resolves them with the caller's
    people = set(context.pop("people", ())) | ({principal.username} if principal else set())
    names = await users.display_names(request.app[keys.DB], sorted(p for p in people if p))
    base = {
        "lang": lang,
        "t": lambda key: translate(key, lang),
        "local": format_local,
        "cause": lambda value: cause_text(value, lang),
        "term": lambda prefix, code: term(prefix, code, lang),
        "duration": lambda seconds: format_duration(seconds, lang),
        "terms": lambda prefix: terms(prefix, lang),
        "hint": lambda value: hint_text(value, lang),
        "principal": principal,
        "who": lambda username: names.get(username, username) if username else "",
        "csrf": await csrf_token(request),
        "version": __version__,
        "sample": await has_sample_data(request.app[keys.DB]),
    }
    response = aiohttp_jinja2.render_template(template, request, {**base, **context}, status=status)
    if "lang" in request.query:
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response
