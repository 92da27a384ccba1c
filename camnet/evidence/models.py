"""Pydantic models of incidents, extraction requests and evidence items."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from camnet.timeutil import DISPLAY_TZ

IncidentKind = Literal["theft", "assault", "traffic", "fire", "other"]
RequestStatus = Literal["draft", "submitted", "approved", "extracted", "handed_over", "rejected",
                        "unavailable"]
CustodyAction = Literal["acquired", "transferred", "copied", "viewed", "returned", "sealed",
                        "re_verified", "destroyed", "file_repaired"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _aware(value: datetime | str) -> datetime | str:
    """Take a time without offset as Asia/Ho_Chi_Minh local time (what people type)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=DISPLAY_TZ)
    return value


class IncidentIn(_In):
    """A new incident."""

    case_no: str = Field(min_length=1, max_length=64)
    kind: IncidentKind
    occurred_from: AwareDatetime
    occurred_to: AwareDatetime
    zone_code: str = Field(min_length=1)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    summary: str = Field("", max_length=5000)

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

    kind: IncidentKind | None = None
    occurred_from: AwareDatetime | None = None
    occurred_to: AwareDatetime | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    summary: str | None = Field(None, max_length=5000)

    _times = field_validator("occurred_from", "occurred_to", mode="before")(_aware)


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


class RequestCameraIn(_In):
    """One camera of a request, with its own window (default: the incident's)."""

    camera_id: int
    window_from: AwareDatetime | None = None
    window_to: AwareDatetime | None = None

    _times = field_validator("window_from", "window_to", mode="before")(
        lambda v: None if v in (None, "") else _aware(v)
    )


class RequestIn(_In):
    """A new extraction request (a draft)."""

    incident_id: int
    reason: str = Field(min_length=1, max_length=2000)
    cameras: list[RequestCameraIn] = Field(min_length=1, max_length=200)


class TransitionIn(_In):
    """Move a request to another status."""

    to: RequestStatus
    note: str = Field("", max_length=2000)
    handed_over_to: str = Field("", max_length=200)


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

    filename: str = Field(min_length=1, max_length=255)
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$")
    camera_id: int | None = None
    method: str = Field("", max_length=200)
    holder: str = Field(min_length=1, max_length=200)


class CustodyIn(_In):
    """A custody action on an item."""

    action: CustodyAction
    from_holder: str = Field("", max_length=200)
    to_holder: str = Field("", max_length=200)
    note: str = Field("", max_length=2000)


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
