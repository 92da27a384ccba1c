"""Success messages after an action (Post/Redirect/Get): a catalogue key in ``?done=``.

A handler redirects with :func:`done_url` (``/cameras/5?done=saved``); the page it lands
on passes :func:`flash_text` to its template, which shows it in ``_flash.html``
(``role="status"``). Only keys listed in :data:`MESSAGES` are shown, so a crafted link
cannot put arbitrary text on a page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from camnet.i18n import translate

MESSAGES = frozenset({
    "saved", "created", "deleted", "disabled", "enabled", "imported", "scheduled", "cancelled",
})


def done_url(path: str, key: str, **extra: str) -> str:
    """``path`` with ``?done=key`` (and any extra query parameters) for a redirect."""
    if key not in MESSAGES:
        raise ValueError(f"unknown flash message {key!r}")
    return f"{path}?{urlencode({'done': key, **extra})}"


def see_other(path: str, key: str, **extra: str) -> web.HTTPSeeOther:
    """A 303 to ``path`` that will show the success message ``key``."""
    return web.HTTPSeeOther(done_url(path, key, **extra))


def flash_text(request: web.Request, lang: str) -> str:
    """The success message named by ``?done=`` in ``lang``, or ``""``."""
    key = request.query.get("done", "")
    return translate(f"flash_{key}", lang) if key in MESSAGES else ""
