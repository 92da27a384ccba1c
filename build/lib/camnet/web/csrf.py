"""CSRF tokens: one per session, sent back by forms (``csrf`` field) and the API (header)."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web
from aiohttp_session import Session, get_session

from camnet.errors import Forbidden

CSRF_KEY = "csrf"
HEADER = "X-CSRF-Token"


async def csrf_token(request: web.Request) -> str:
    """Return the session's CSRF token, creating it on first use."""
    session = await get_session(request)
    token = session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        session[CSRF_KEY] = token
    return token


def token_matches(session: Session, sent: str) -> bool:
    """Tell whether ``sent`` is this session's token (constant-time)."""
    expected = str(session.get(CSRF_KEY, ""))
    return bool(expected) and secrets.compare_digest(sent, expected)


async def check_csrf(request: web.Request, form: Any) -> None:
    """Refuse a form post whose ``csrf`` field does not match the session."""
    if not token_matches(await get_session(request), str(form.get("csrf", ""))):
        raise Forbidden("the form expired or was not sent by this site; reload and try again")
