"""The language of a web request; the texts themselves live in :mod:`camnet.i18n`."""

from __future__ import annotations

from aiohttp import web

from camnet.i18n import LANGUAGES, cause_text, translate

__all__ = ["LANGUAGES", "cause_text", "language_of", "translate"]


def language_of(request: web.Request, default: str = "vi") -> str:
    """Pick the language: ``?lang=``, then the ``lang`` cookie, then the configured default."""
    lang = request.query.get("lang") or request.cookies.get("lang") or default
    return lang if lang in LANGUAGES else default
