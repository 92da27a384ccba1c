"""Form validation for pages: the API's pydantic models, their errors put into words.

Pages validate with the same input models as the API (so the rules cannot drift) and show
each problem next to its field, in the page's language, from the catalogue
(``verr_*`` keys). Errors a domain function raises (``CamnetError``: a duplicate name, an
unknown zone…) are shown with a translated lead and the field they name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from camnet.errors import CamnetError, ErrorDetail, Words
from camnet.i18n import term, translate

M = TypeVar("M", bound=BaseModel)

# pydantic error type -> catalogue key
_KINDS = {
    "missing": "verr_required", "string_too_short": "verr_required",
    "string_too_long": "verr_too_long", "string_pattern_mismatch": "verr_characters",
    "greater_than": "verr_range", "greater_than_equal": "verr_range", "less_than": "verr_range",
    "less_than_equal": "verr_range", "float_parsing": "verr_number", "int_parsing": "verr_number",
    "float_type": "verr_number", "int_type": "verr_number", "finite_number": "verr_number",
    "date_from_datetime_parsing": "verr_date", "date_parsing": "verr_date",
    "bool_parsing": "verr_choice", "literal_error": "verr_choice", "enum": "verr_choice",
}
_VALUE_ERRORS = {"rtsp://": "verr_rtsp_scheme", "name a host": "verr_rtsp_host",
                 "port": "verr_rtsp_port", "spaces": "verr_characters",
                 "line": "verr_one_line", "control": "verr_characters"}


@dataclass
class FormProblems:
    """Problems of one posted form: a message per field and one for the whole form."""

    fields: dict[str, str] = field(default_factory=dict)
    general: str = ""

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)


def words_for(err: Any, lang: str) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) in words."""
    kind = str(err.get("type", ""))
    key = _KINDS.get(kind)
    if key is None and kind == "value_error":
        msg = str(err.get("msg", ""))
        key = next((k for needle, k in _VALUE_ERRORS.items() if needle in msg), "verr_invalid")
    ctx = err.get("ctx") or {}
    if kind == "string_too_short" and ctx.get("min_length", 1) > 1:
        key = "verr_too_short"
    text = translate(key or "verr_invalid", lang)
    if key == "verr_too_long" and "max_length" in ctx:
        text += f" (≤ {ctx['max_length']})"
    elif key == "verr_range":
        bounds = [f"{op} {_number(ctx[name])}" for name, op in (("ge", "≥"), ("gt", ">"), ("le", "≤"),
                                                       ("lt", "<")) if name in ctx]
        if bounds:
            text += f" ({', '.join(bounds)})"
    return text


# pydantic's English message (what an import row error carries) -> catalogue key
_MESSAGES = {
    "Field required": "verr_required", "at least 1 character": "verr_required",
    "String should have at least": "verr_too_short",
    "String should have at most": "verr_too_long", "String should match pattern": "verr_characters",
    "Input should be greater": "verr_range", "Input should be less": "verr_range",
    "valid number": "verr_number", "valid integer": "verr_number", "finite number": "verr_number",
    "valid date": "verr_date",
    "rtsp://": "verr_rtsp_scheme", "name a host": "verr_rtsp_host", "bad port": "verr_rtsp_port",
    "outside the boundary": "derr_outside_boundary", "is outside zone": "derr_outside_boundary",
    "does not exist": "derr_404", "in your zone": "derr_404",
    "required column missing": "imp_missing_column", "Input should be": "verr_choice",
}


def message_words(message: str, lang: str) -> str:
    """A validation message as text (an import's row error) in words; unknown ones kept."""
    key = next((k for needle, k in _MESSAGES.items() if needle in message), None)
    return translate(key, lang) if key else message


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def problems_of(exc: ValidationError, lang: str) -> FormProblems:
    """Every error of a validation, one message per field (the first one of each field)."""
    out = FormProblems()
    for err in exc.errors():
        name = ".".join(str(p) for p in err["loc"]) or ""
        if name and name not in out.fields:
            out.fields[name] = words_for(err, lang)
        elif not name and not out.general:
            out.general = words_for(err, lang)
    if out.fields and not out.general:
        out.general = translate("verr_see_fields", lang)
    return out


# what the domain says (English, for the API and logs) -> the page's words
_DOMAIN = {
    "already has a camera named": "derr_duplicate_camera",
    "already has a point named": "derr_duplicate_point",
    "is already used": "derr_duplicate_code",
    "outside the boundary": "derr_outside_boundary",
    "does not exist or is outside your zone": "derr_404",
    "is still referred to": "derr_referenced",
    "must end after it starts": "derr_end_before_start",
    "shorter than a week": "derr_weekly_too_long",
    "not an ISO-8601 time": "verr_date",
    "was cancelled": "derr_window_cancelled",
    "already cancelled": "derr_window_cancelled",
    "top-level zone": "derr_top_level_zone",
    "the zone you are bound to": "derr_own_zone",
}


def _param_words(value: str | int | Words, lang: str) -> str:
    if isinstance(value, Words):
        return ", ".join(term(value.prefix, code, lang) for code in value.codes)
    return str(value)


def error_words(exc: CamnetError, lang: str) -> str:
    """What a domain error says, in the page's language (the one helper every page uses).

    The error's own catalogue ``key`` first (its params put in, codes in words), then a known
    English phrase (:data:`_DOMAIN`), else the English message after a translated lead.
    """
    if exc.key and translate(exc.key, lang) != exc.key:
        params = {name: _param_words(value, lang) for name, value in exc.params.items()}
        try:
            return translate(exc.key, lang).format(**params)
        except (KeyError, IndexError, ValueError):  # a catalogue text naming a missing param
            return translate(exc.key, lang)
    key = next((k for needle, k in _DOMAIN.items() if needle in exc.message), None)
    if key:
        return translate(key, lang)
    return f"{translate(f'derr_{exc.status}', lang)}: {exc.message}"


def error_detail(exc: CamnetError, lang: str) -> ErrorDetail:
    """The error body's detail with its message in words, for a page to show."""
    return ErrorDetail(code=exc.code, message=error_words(exc, lang), field=exc.field)


def domain_problem(exc: CamnetError, lang: str) -> FormProblems:
    """A domain refusal (duplicate, not found, still referred to…) for the page, in words.

    Known refusals get their own catalogue text; any other keeps the domain's message
    after a translated lead.
    """
    lead = translate(f"derr_{exc.status}", lang)
    words = error_words(exc, lang)
    out = FormProblems(general=words if words.startswith(lead) else f"{lead}: {words}")
    if exc.field:
        known = exc.key or any(needle in exc.message for needle in _DOMAIN)
        out.fields[exc.field] = words if known else lead
    return out


def check(model: type[M], data: dict[str, Any], lang: str) -> tuple[M | None, FormProblems]:
    """Validate ``data`` into ``model``; on failure ``(None, problems in words)``."""
    try:
        return model.model_validate(data), FormProblems()
    except ValidationError as exc:
        return None, problems_of(exc, lang)
