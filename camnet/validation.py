"""Boundary types for everything people and programs send: one definition of a sane value.

Used by every pydantic input model (API bodies, queries, forms, imports), so a value that
could poison a list, a form or a case package never reaches the database:

- :data:`Line` — one line of text: no control characters at all (no CR/LF in a case number).
- :data:`Para` — free text: newlines and tabs allowed, other control characters refused.
- :data:`Moment` — an aware time between 2000-01-01 and 2100-01-01 (stored zero-padded).
- :data:`DbId` — a row id: 1 … 2**63-1 (what SQLite can hold).
- :func:`not_null` — a PATCH field that may be left out but not set to ``null``.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, Field

from camnet.errors import InvalidInput

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_ID = 2**63 - 1


def _control_characters(text: str, allowed: str = "",
                         categories: tuple[str, ...] = ("Cc", "Cs")) -> list[str]:
    return [c for c in text if c not in allowed and unicodedata.category(c) in categories]


def single_line(text: str) -> str:
    """Refuse control characters (CR, LF, NUL, …) and line/paragraph separators in one line."""
    bad = _control_characters(text, categories=("Cc", "Cs", "Zl", "Zp"))
    if bad:
        raise ValueError(f"must be one line without control characters (found {bad[0]!r})")
    return text


def multi_line(text: str) -> str:
    """Allow newlines and tabs in free text; refuse NUL and other control characters."""
    text = text.replace("\r\n", "\n")
    bad = _control_characters(text, allowed="\n\t")
    if bad:
        raise ValueError(f"must not contain control characters (found {bad[0]!r})")
    return text


def in_era(moment: datetime) -> datetime:
    """Refuse times outside 2000-01-01 … 2100-01-01 (typos like year 1 or 9999)."""
    if not EARLIEST <= moment < LATEST:
        raise ValueError("must be between 2000-01-01 and 2100-01-01")
    return moment


Line = Annotated[str, AfterValidator(single_line)]
Para = Annotated[str, AfterValidator(multi_line)]
Moment = Annotated[AwareDatetime, AfterValidator(in_era)]
DbId = Annotated[int, Field(ge=1, le=MAX_ID)]


def not_null(**constraints: Any) -> Any:
    """Default for a PATCH field of a NOT NULL column: may be omitted, may not be ``null``.

    Declare the field with its plain type (``name: Line = not_null(max_length=200)``); the
    default ``None`` only means "not sent" and is never validated or stored.
    """
    return Field(None, validate_default=False, **constraints)


MAX_JSON_DEPTH = 64


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(raw: bytes | str, field: str = "body") -> Any:
    """Parse JSON strictly: no NaN/Infinity, nesting at most :data:`MAX_JSON_DEPTH` deep."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    depth = deepest = 0
    in_string = escaped = False
    for char in text:  # a cheap scan: refuse deep nesting before the parser recurses
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string, escaped = True, False
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                raise InvalidInput(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", field)
        elif char in "]}":
            depth -= 1
    try:
        return json.loads(text or "null", parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(f"not valid JSON: {exc}", field) from exc
