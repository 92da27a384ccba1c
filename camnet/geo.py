"""Geometry helpers over shapely: zone boundaries and points."""

from __future__ import annotations

import math
from typing import Any

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from camnet.errors import InvalidInput
from camnet.validation import parse_json


def parse_boundary(geojson: str | dict[str, Any], field: str = "boundary_geojson") -> BaseGeometry:
    """Parse a zone boundary (GeoJSON Polygon or MultiPolygon, lon/lat order).

    Raises:
        InvalidInput: not GeoJSON, not a polygon, or an invalid polygon.
    """
    try:
        data = parse_json(geojson, field) if isinstance(geojson, str) else geojson
        if data.get("type") == "Feature":
            data = data["geometry"]
        geometry = shape(data)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise InvalidInput(f"not a GeoJSON geometry: {exc}", field) from exc
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise InvalidInput(
            f"boundary must be a Polygon or MultiPolygon, got {geometry.geom_type}", field
        )
    if not geometry.is_valid or geometry.is_empty:
        raise InvalidInput("boundary polygon is empty or self-intersecting", field)
    minx, miny, maxx, maxy = geometry.bounds
    if any(math.isnan(v) or math.isinf(v) for v in (minx, miny, maxx, maxy)):
        raise InvalidInput("boundary coordinates must be finite numbers", field)
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidInput("boundary coordinates must be [longitude, latitude]", field)
    return geometry


def contains(boundary: BaseGeometry, lat: float, lon: float) -> bool:
    """Tell whether (lat, lon) lies inside or on the boundary."""
    return bool(boundary.covers(Point(lon, lat)))


def check_in_zone(zone: Any, lat: float, lon: float, field: str = "lat") -> None:
    """Refuse (lat, lon) outside the boundary of a zone row that has one.

    Raises:
        InvalidInput: the point lies outside the zone's boundary.
    """
    if zone["boundary_geojson"] and not contains(parse_boundary(zone["boundary_geojson"]), lat, lon):
        raise InvalidInput(
            f"({lat}, {lon}) lies outside the boundary of zone {zone['code']!r}; "
            "check the coordinates (latitude first) or the zone",
            field,
        )
