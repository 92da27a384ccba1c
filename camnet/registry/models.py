"""Pydantic models of the registry: what the API and the importers accept and return."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from camnet.validation import DbId, Line, Para, not_null

ZoneLevel = Literal["province", "district", "commune", "hamlet"]
LEVEL_RANK: dict[str, int] = {"province": 0, "district": 1, "commune": 2, "hamlet": 3}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ZoneIn(_In):
    """A new zone."""

    parent_code: Line | None = Field(None, description="Code of the parent zone; none for a root")
    level: ZoneLevel
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: Line = Field(min_length=1, max_length=200)
    boundary_geojson: str | None = Field(
        None, max_length=5_000_000, description="GeoJSON Polygon/MultiPolygon, lon/lat order"
    )


class ZonePatch(_In):
    """Changes to a zone (code and parent are fixed)."""

    name: Line = not_null(min_length=1, max_length=200)
    boundary_geojson: str | None = Field(None, max_length=5_000_000)


class ZoneOut(BaseModel):
    """A zone as returned by the API."""

    id: int
    parent_id: int | None
    level: ZoneLevel
    code: str
    name: str
    boundary_geojson: str | None
    created_at: str
    updated_at: str
    disabled_at: str | None = None  # switched off (admin): cameras not probed, no new points


def _check_rtsp_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("rtsp", "rtsps"):
        raise ValueError("must start with rtsp:// or rtsps://")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise ValueError(f"bad port: {exc}") from exc
    if not host:
        raise ValueError("must name a host, e.g. rtsp://192.0.2.10:554/stream1")
    if port == 0:
        raise ValueError("port 0 is not a camera port; leave it out for 554")
    if any(c.isspace() or unicodedata.category(c) == "Cc" for c in value):
        raise ValueError("must not contain spaces or control characters")
    return value


class PointFields(_In):
    """Fields shared by new points and patches."""

    address: Line = Field("", max_length=500)
    host_name: Line = Field("", max_length=200, description="Owner/host of the point")
    host_phone: str = Field("", max_length=40, pattern=r"^[0-9 +().-]*$")
    funding: Line = Field("", max_length=200, description="Who paid: residents, commune, ...")
    installed_on: date | None = None
    notes: Para = Field("", max_length=2000)


class PointIn(PointFields):
    """A new camera point."""

    zone_code: Line = Field(min_length=1, max_length=64)
    name: Line = Field(min_length=1, max_length=200)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)


class PointPatch(_In):
    """Changes to a camera point."""

    zone_code: Line = not_null(min_length=1, max_length=64)
    name: Line = not_null(min_length=1, max_length=200)
    lat: float = not_null(ge=-90, le=90, allow_inf_nan=False)
    lon: float = not_null(ge=-180, le=180, allow_inf_nan=False)
    address: Line = not_null(max_length=500)
    host_name: Line = not_null(max_length=200)
    host_phone: str = not_null(max_length=40, pattern=r"^[0-9 +().-]*$")
    funding: Line = not_null(max_length=200)
    installed_on: date | None = None
    notes: Para = not_null(max_length=2000)


class PointOut(BaseModel):
    """A camera point as returned by the API."""

    id: int
    zone_id: int
    zone_code: str
    name: str
    address: str
    lat: float
    lon: float
    host_name: str
    host_phone: str
    funding: str
    installed_on: str | None
    notes: str
    camera_count: int
    created_at: str
    updated_at: str


class CameraFields(_In):
    """Optional camera fields shared by new cameras and patches."""

    vendor: Line = Field("", max_length=100)
    azimuth_deg: float | None = Field(None, ge=0, le=360, allow_inf_nan=False,
                                      description="0 = north, clockwise")
    fov_deg: float | None = Field(None, ge=1, le=360, allow_inf_nan=False)
    range_m: float | None = Field(None, gt=0, le=5000, allow_inf_nan=False)
    retention_days: int = Field(7, ge=0, le=3650, description="Days the recorder keeps")
    enabled: bool = True
    monitor_tier: Literal[1, 2] = 2


class CameraIn(CameraFields):
    """A new camera on a point."""

    point_id: DbId
    name: Line = Field(min_length=1, max_length=200)
    rtsp_url: str = Field(max_length=1000, description="rtsp:// or rtsps:// stream URL;"
                          " empty: not monitored (a camera known by place and view only)")
    username: Line | None = Field(None, max_length=200)
    password: Line | None = Field(None, max_length=200)

    @field_validator("rtsp_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return value if value == "" else _check_rtsp_url(value)


class CameraPatch(_In):
    """Changes to a camera; ``password: ""`` clears the stored password."""

    point_id: DbId = not_null()
    name: Line = not_null(min_length=1, max_length=200)
    rtsp_url: str = not_null(min_length=8, max_length=1000)
    username: Line = not_null(max_length=200)
    password: Line | None = Field(None, max_length=200)
    vendor: Line = not_null(max_length=100)
    azimuth_deg: float | None = Field(None, ge=0, le=360, allow_inf_nan=False)
    fov_deg: float | None = Field(None, ge=1, le=360, allow_inf_nan=False)
    range_m: float | None = Field(None, gt=0, le=5000, allow_inf_nan=False)
    retention_days: int = not_null(ge=0, le=3650)
    enabled: bool = not_null()
    monitor_tier: Literal[1, 2] = not_null()

    @field_validator("rtsp_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _check_rtsp_url(value)


class CameraOut(BaseModel):
    """A camera as returned by the API: the password is never included."""

    id: int
    point_id: int
    point_name: str
    zone_code: str
    name: str
    rtsp_url: str = Field(description="Password masked as ***")
    username: str
    has_password: bool
    vendor: str
    azimuth_deg: float | None
    fov_deg: float | None
    range_m: float | None
    retention_days: int
    enabled: bool
    monitor_tier: int
    status: str = "unknown"
    status_since: str | None = None
    monitored: bool = Field(True, description="False: no stream URL (e.g. imported from OSM);"
                            " the monitor skips it and its status stays unknown")
    created_at: str
    updated_at: str
