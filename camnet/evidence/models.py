"""Pydantic models of incidents, extraction requests and evidence items."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from camnet.timeutil import display_timezone, parse_iso
from camnet.validation import MAX_ID, DbId, Line, Moment, Para, not_null
from camnet.vocab import RequestStatus

IncidentKind = Literal["theft", "assault", "traffic", "fire", "other"]
CustodyAction = Literal["acquired", "transferred", "copied", "viewed", "returned", "sealed",
                        "re_verified", "destroyed", "file_repaired"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _aware(value: datetime | str) -> datetime | str:
    """Take a time without offset as display-zone local time (what people type)."""
    if isinstance(value, str):
        return parse_iso(value)
    if not isinstance(value, datetime):
        return value  # not a time at all: pydantic reports the type error
    if value.tzinfo is None:
        value = value.replace(tzinfo=display_timezone())
    return value


class IncidentIn(_In):
    """A new incident."""

    case_no: Line = Field(min_length=1, max_length=64)
    kind: IncidentKind
    occurred_from: Moment
    occurred_to: Moment
    zone_code: Line = Field(min_length=1, max_length=64)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    summary: Para = Field("", max_length=5000)

    _times = field_validator("occurred_from", "occurred_to", mode="before")(_aware)

    @model_validator(mode="after")
    def _order(self) -> IncidentIn:
        if self.occurred_to < self.occurred_from:
            raise ValueError("occurred_to must not be before occurred_from")
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class IncidentPatch(_In):
    """Changes to an incident."""

    kind: IncidentKind = not_null()
    occurred_from: Moment = not_null()
    occurred_to: Moment = not_null()
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    summary: Para = not_null(max_length=5000)

    _times = field_validator("occurred_from", "occurred_to", mode="before")(_aware)

    @model_validator(mode="after")
    def _position_whole(self) -> IncidentPatch:
        sent = {"lat", "lon"} & self.model_fields_set
        if len(sent) == 1 or (sent and (self.lat is None) != (self.lon is None)):
            raise ValueError("change lat and lon together (both numbers, or both null)")
        return self


class IncidentOut(BaseModel):
    """An incident as returned."""

    id: int
    case_no: str
    kind: str
    occurred_from: str
    occurred_to: str
    lat: float | None
    lon: float | None
    zone_code: str
    summary: str
    created_by: str
    created_at: str
    updated_at: str
    zone_name: str = ""


class RequestCameraIn(_In):
    """One camera of a request, with its own window (default: the incident's)."""

    camera_id: DbId
    window_from: Moment | None = None
    window_to: Moment | None = None

    _times = field_validator("window_from", "window_to", mode="before")(
        lambda v: None if v in (None, "") else _aware(v)
    )


class RequestIn(_In):
    """A new extraction request (a draft)."""

    incident_id: DbId
    reason: Para = Field(min_length=1, max_length=2000)
    cameras: list[RequestCameraIn] = Field(min_length=1, max_length=200)


class TransitionIn(_In):
    """Move a request to another status."""

    to: RequestStatus
    note: Para = Field("", max_length=2000)
    handed_over_to: Line = Field("", max_length=200)


class RequestCameraOut(BaseModel):
    """A requested camera with its availability and overwrite deadline."""

    camera_id: int
    camera: str
    point: str
    address: str
    host_name: str
    host_phone: str
    window_from: str
    window_to: str
    retention_days: int
    overwrite_deadline: str
    registry_retention_days: int | None = None  # set when the registry changed after submit
    hours_left: float
    overwritten: bool
    at_risk: bool
    down_s: float
    up_pct: float | None
    outages: list[dict[str, object]]


class RequestOut(BaseModel):
    """An extraction request as returned."""

    id: int
    incident_id: int
    case_no: str
    zone_code: str
    reason: str
    status: RequestStatus
    requested_by: str
    approved_by: str | None
    decision_note: str
    handed_over_to: str
    created_at: str
    updated_at: str
    next_steps: list[str]
    cameras: list[RequestCameraOut]


class ExternalItemIn(_In):
    """An evidence item held elsewhere, registered by hash and size."""

    filename: Line = Field(min_length=1, max_length=255)
    size: int = Field(ge=0, le=MAX_ID)
    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$")
    camera_id: DbId | None = None
    method: Line = Field("", max_length=200)
    holder: Line = Field(min_length=1, max_length=200)


class CustodyIn(_In):
    """A custody action on an item."""

    action: CustodyAction
    from_holder: Line = Field("", max_length=200)
    to_holder: Line = Field("", max_length=200)
    note: Para = Field("", max_length=2000)


class ItemOut(BaseModel):
    """An evidence item as returned."""

    id: int
    request_id: int
    camera_id: int | None
    filename: str
    size: int
    sha256: str
    stored: bool
    acquired_at: str
    acquired_by: str
    method: str
    holder: str
