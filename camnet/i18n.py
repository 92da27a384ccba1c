"""The one translation catalog: gettext ``.po`` files under ``camnet/locale/``, Vietnamese first.

Message ids are stable keys (``status_down``, ``kind_theft``…) so that a wording change is a
catalogue edit, never a code change. Templates call ``t('key')``; Python calls
:func:`translate`. ``pybabel extract -F babel.cfg -k t -k translate --no-location -o camnet/locale/camnet.pot
camnet`` lists the keys the templates use; ``tests/test_i18n.py`` fails on any key in use
(templates, code, and keys built from a vocabulary) without a Vietnamese or English text.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from babel.messages.pofile import read_po

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
DOMAIN = "camnet"


@cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of one language: key → text (read once from its ``.po`` file)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    path = resources.files("camnet") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as fh:
        po = read_po(fh, locale=lang, domain=DOMAIN)
    return {str(m.id): str(m.string) for m in po if m.id and m.string}


def translate(key: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The text of ``key`` in ``lang``; Vietnamese when ``lang`` lacks it; the key when unknown."""
    messages = catalog(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    return messages.get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key


def term(prefix: str, code: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """The words for a stored code: ``audit_action_`` + ``login`` → "Đăng nhập".

    The code itself when the catalogue has no words for it (never a bare catalogue key).
    """
    if not code:
        return ""
    key = prefix + code
    return translate(key, lang) if key in catalog(DEFAULT_LANGUAGE) else code


def terms(prefix: str, lang: str = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    """Every ``(code, words)`` the catalogue knows under ``prefix``, sorted by the words."""
    codes = [k[len(prefix):] for k in catalog(DEFAULT_LANGUAGE) if k.startswith(prefix)]
    return sorted(((c, translate(prefix + c, lang)) for c in codes), key=lambda p: p[1].lower())


def cause_text(cause: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Describe a down/degraded cause (a probe result or a picture verdict) for people."""
    if not cause:
        return ""
    messages = catalog(DEFAULT_LANGUAGE)
    for prefix in ("cause_", "health_", "status_"):  # status_: a probe that answered ("up")
        if prefix + cause in messages:
            return translate(prefix + cause, lang)
    return cause


def hint_text(cause: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """A short "what to do" for a cause (probe result, picture verdict or ``busy``), or ``""``."""
    if not cause:
        return ""
    key = f"hint_{cause}"
    return translate(key, lang) if key in catalog(DEFAULT_LANGUAGE) else ""
