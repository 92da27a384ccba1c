"""The language of a web request; the texts themselves live in :mod:`camnet.i18n`."""

from __future__ import annotations

from aiohttp import web

from camnet.errors import CamnetError
from camnet.i18n import LANGUAGES, cause_text, translate
from camnet.web import keys
from camnet.web.form_errors import error_words

__all__ = ["LANGUAGES", "cause_text", "error_words_for", "language_of", "page_language",
           "translate"]


def language_of(request: web.Request, default: str = "vi") -> str:
    """Pick the language: ``?lang=``, then the ``lang`` cookie, then the configured default."""
    lang = request.query.get("lang") or request.cookies.get("lang") or default
    return lang if lang in LANGUAGES else default


def page_language(request: web.Request) -> str:
    """The language of this request with the configured default (``ui.language``)."""
    return language_of(request, request.app[keys.CONFIG].ui.language)


def error_words_for(request: web.Request, exc: CamnetError) -> str:
    """A domain error in the words of this request's language (see ``form_errors``)."""
    return error_words(exc, page_language(request))
