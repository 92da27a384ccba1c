"""What a host submits: the point, its cameras and the consent, checked at the boundary."""

from __future__ import annotations

import re
from typing import Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator

from camnet.validation import Line

Qcvn = Literal["yes", "no", "unknown"]
Channel = Literal["web", "paper"]
SubjectKind = Literal["view", "correct", "delete"]
FootageAnswer = Literal["no_footage", "overwritten", "camera_off"]
REVIEW_STATUSES = ("pending", "changes_requested", "approved", "rejected", "withdrawn")


def normalise_phone(text: str, region: str = "VN") -> str:
    """A phone number in E.164 (``+84…``), read with Vietnam as the default region.

    Raises:
        ValueError: not a valid phone number.
    """
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


def check_email(value: str) -> str:
    """An optional e-mail address: empty, or one plausible ``name@domain.tld``.

    Raises:
        ValueError: not an e-mail address.
    """
    value = value.strip()
    if value and (len(value) > 254 or not _EMAIL.match(value)):
        raise ValueError("not an e-mail address")
    return value


def national_phone(e164: str) -> str:
    """Show an E.164 number the way people write it in Vietnam (``0912 345 678``)."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, "VN"),
                                          phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return e164


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CameraReg(_In):
    """One camera as a host describes it."""

    label: Line = Field("", max_length=100)
    azimuth_deg: float | None = Field(None, ge=0, le=360, allow_inf_nan=False)
    fov_deg: float | None = Field(None, ge=1, le=360, allow_inf_nan=False)
    retention_days: int = Field(ge=0, le=3650)
    sign_posted: bool
    qcvn135: Qcvn = "unknown"
    rtsp_url: str = Field("", max_length=1000)
    password: Line = Field("", max_length=200)

    @field_validator("rtsp_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not value.lower().startswith(("rtsp://", "rtsps://")):
            raise ValueError("must start with rtsp:// or rtsps://")
        if any(c in value for c in "\r\n\t\0 "):
            raise ValueError("must not hold spaces or control characters")
        return value


class RegistrationIn(_In):
    """A registration as submitted on ``/dang-ky`` (or typed in by an officer from paper)."""

    zone_id: int = Field(ge=1)
    host_name: Line = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=6, max_length=40)
    email: str = Field("", max_length=254)
    point_name: Line = Field(min_length=1, max_length=200)
    address: Line = Field(min_length=1, max_length=500)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    cameras: list[CameraReg] = Field(min_length=1, max_length=100)
    consent_version: int = Field(ge=1)
    consent: Literal[True]  # silence is not consent: the box must be ticked by the host

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return normalise_phone(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return check_email(value)


class HostCorrection(_In):
    """What a host may correct on their own page (name and place only before approval)."""

    host_name: Line = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=6, max_length=40)
    email: str = Field("", max_length=254)
    address: Line = Field(min_length=1, max_length=500)
    point_name: Line | None = Field(None, min_length=1, max_length=200)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return normalise_phone(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return check_email(value)
