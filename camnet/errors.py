"""Errors a user can cause, carrying a machine code, a message and the field to fix.

The API turns them into ``{"error": {"code", "message", "field"}}`` with a 4xx status;
the CLI prints the message and exits non-zero. The message is English (API clients, logs);
an error may also name a catalogue ``key`` with ``params`` so that pages say it in the
reader's language (``web/form_errors.error_words``). A param that is itself a stored code
(a request status, a role) is given as :class:`Words` and translated there too: the domain
never chooses a language.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel


@dataclass(frozen=True)
class Words:
    """Stored codes to be shown in words: catalogue ``prefix + code``, joined with commas."""

    prefix: str
    codes: tuple[str, ...]

    @classmethod
    def of(cls, prefix: str, *codes: str) -> Words:
        """Words for some codes under one catalogue prefix."""
        return cls(prefix, tuple(codes))


class ErrorDetail(BaseModel):
    """What went wrong: a machine code, a sentence for people, and the field to fix."""

    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """The one error body of the API, its OpenAPI schema and the pages' error context."""

    error: ErrorDetail

    @classmethod
    def of(cls, code: str, message: str, field: str | None = None) -> ErrorBody:
        """Build an error body."""
        return cls(error=ErrorDetail(code=code, message=message, field=field))


class CamnetError(Exception):
    """Base class of expected, user-facing errors."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None, *, key: str | None = None,
                 **params: str | int | Words) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.key = key  # catalogue msgid of the message in words, with {name} placeholders
        self.params = params

    def body(self) -> ErrorBody:
        """The error body for this error."""
        return ErrorBody.of(self.code, self.message, self.field)

    def to_dict(self) -> dict[str, object]:
        """Return the JSON error body."""
        return self.body().model_dump()


class InvalidInput(CamnetError):
    """A value that breaks a validation rule."""

    status = 422
    code = "invalid"


class NotFound(CamnetError):
    """A record that does not exist, or that the caller may not see."""

    status = 404
    code = "not_found"


class Conflict(CamnetError):
    """A uniqueness clash or an illegal state transition."""

    status = 409
    code = "conflict"


class Unauthenticated(CamnetError):
    """No valid session or token."""

    status = 401
    code = "unauthenticated"


class Forbidden(CamnetError):
    """Authenticated, but the role or zone does not allow it."""

    status = 403
    code = "forbidden"


class TooManyAttempts(CamnetError):
    """Too many failed logins; retry later."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after_s: int, *, key: str | None = None,
                 **params: str | int | Words) -> None:
        super().__init__(message)
        self.key, self.params = key, params  # see CamnetError
        self.retry_after_s = retry_after_s
