"""Pydantic models of the registry: what the API and the importers accept and return."""

from __future__ import annotations

from datetime import date
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

ZoneLevel = Literal["province", "district", "commune", "hamlet"]
LEVEL_RANK: dict[str, int] = {"province": 0, "district": 1, "commune": 2, "hamlet": 3}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ZoneIn(_In):
    """A new zone."""

    parent_code: str | None = Field(None, description="Code of the parent zone; none for a root")
    level: ZoneLevel
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=200)
    boundary_geojson: str | None = Field(
        None, description="GeoJSON Polygon/MultiPolygon, lon/lat order"
    )


class ZonePatch(_In):
    """Changes to a zone (code and parent are fixed)."""

    name: str | None = Field(None, min_length=1, max_length=200)
    boundary_geojson: str | None = None


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
    del port
    if any(c.isspace() for c in value):
        raise ValueError("must not contain spaces")
    return value


class PointFields(_In):
    """Fields shared by new points and patches."""

    address: str = Field("", max_length=500)
    host_name: str = Field("", max_length=200, description="Owner/host of the point")
    host_phone: str = Field("", max_length=40, pattern=r"^[0-9 +().-]*$")
    funding: str = Field("", max_length=200, description="Who paid: residents, commune, ...")
    installed_on: date | None = None
    notes: str = Field("", max_length=2000)


class PointIn(PointFields):
    """A new camera point."""

    zone_code: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=200)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class PointPatch(_In):
    """Changes to a camera point."""

    zone_code: str | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    address: str | None = Field(None, max_length=500)
    host_name: str | None = Field(None, max_length=200)
    host_phone: str | None = Field(None, max_length=40, pattern=r"^[0-9 +().-]*$")
    funding: str | None = Field(None, max_length=200)
    installed_on: date | None = None
    notes: str | None = Field(None, max_length=2000)


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

    vendor: str = Field("", max_length=100)
    azimuth_deg: float | None = Field(None, ge=0, le=360, description="0 = north, clockwise")
    fov_deg: float | None = Field(None, ge=1, le=360)
    range_m: float | None = Field(None, gt=0, le=5000)
    retention_days: int = Field(7, ge=0, le=3650, description="Days the recorder keeps")
    enabled: bool = True
    monitor_tier: Literal[1, 2] = 2


class CameraIn(CameraFields):
    """A new camera on a point."""

    point_id: int
    name: str = Field(min_length=1, max_length=200)
    rtsp_url: str = Field(min_length=8, max_length=1000)
    username: str | None = Field(None, max_length=200)
    password: str | None = Field(None, max_length=200)

    _url = field_validator("rtsp_url")(_check_rtsp_url)


class CameraPatch(_In):
    """Changes to a camera; ``password: ""`` clears the stored password."""

    point_id: int | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    rtsp_url: str | None = Field(None, min_length=8, max_length=1000)
    username: str | None = Field(None, max_length=200)
    password: str | None = Field(None, max_length=200)
    vendor: str | None = Field(None, max_length=100)
    azimuth_deg: float | None = Field(None, ge=0, le=360)
    fov_deg: float | None = Field(None, ge=1, le=360)
    range_m: float | None = Field(None, gt=0, le=5000)
    retention_days: int | None = Field(None, ge=0, le=3650)
    enabled: bool | None = None
    monitor_tier: Literal[1, 2] | None = None

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
    created_at: str
    updated_at: str
