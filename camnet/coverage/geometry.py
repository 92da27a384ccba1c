"""Pure view geometry: a camera's sector on the ground, built in metres, returned in WGS84.

A camera with azimuth, field of view and range sees a sector (a circle at 360°, an annulus
when it has a minimum range). Sectors are built in an azimuthal-equidistant projection
(``+proj=aeqd``) centred on an origin near the cameras (the zone's centroid, or the query
point for who-saw), where distances from the origin are exact and the error a few km away
is far below a metre; the result is converted back to longitude/latitude.

Nothing here touches the database or the network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

ARC_SEGMENTS = 32
NO_VIEW = "no view direction recorded"
_GEOD = Geod(ellps="WGS84")
_LONLAT = "+proj=longlat +ellps=WGS84 +no_defs"


@dataclass(frozen=True)
class View:
    """One version of where a camera stands and what it looks at.

    Attributes:
        camera_id: the camera.
        lat: latitude of its point (WGS84).
        lon: longitude of its point.
        azimuth_deg: compass direction of the view axis (0 = north, 90 = east).
        fov_deg: horizontal field of view, 1–360.
        range_m: how far it usefully sees.
        min_range_m: blind distance in front of it (optional).
        height_m: mounting height (kept, not used for the footprint).
    """

    camera_id: int
    lat: float
    lon: float
    azimuth_deg: float | None
    fov_deg: float | None
    range_m: float | None
    min_range_m: float | None = None
    height_m: float | None = None

    @property
    def has_view(self) -> bool:
        """Tell whether a sector can be drawn: a range, and a direction unless it sees 360°."""
        if self.range_m is None or self.range_m <= 0:
            return False
        if self.fov_deg is not None and self.fov_deg >= 360:
            return True
        return self.azimuth_deg is not None and self.fov_deg is not None


@lru_cache(maxsize=4096)
def _transformers(lat0: float, lon0: float) -> tuple[Transformer, Transformer]:
    # Plain PROJ strings on both sides: ~0.6 ms to build, where "EPSG:4326" costs ~13 ms
    # (a lookup in PROJ's database) — too slow for one frame per who-saw query.
    proj = f"+proj=aeqd +lat_0={lat0:.7f} +lon_0={lon0:.7f} +ellps=WGS84 +units=m +no_defs"
    forward = Transformer.from_proj(_LONLAT, proj, always_xy=True)
    inverse = Transformer.from_proj(proj, _LONLAT, always_xy=True)
    return forward, inverse


class LocalFrame:
    """An aeqd projection centred on (lat0, lon0): metres ↔ longitude/latitude."""

    def __init__(self, lat0: float, lon0: float) -> None:
        self.lat0, self.lon0 = round(lat0, 7), round(lon0, 7)
        self._fwd, self._inv = _transformers(self.lat0, self.lon0)

    def to_metres(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project longitude/latitude arrays to x/y metres."""
        x, y = self._fwd.transform(lon, lat)
        return np.asarray(x), np.asarray(y)

    def to_lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unproject x/y metre arrays to longitude/latitude."""
        lon, lat = self._inv.transform(x, y)
        return np.asarray(lon), np.asarray(lat)

    def geometry_to_lonlat(self, geom: BaseGeometry) -> BaseGeometry:
        """Convert a geometry in this frame's metres to WGS84 longitude/latitude."""
        return shapely.transform(geom, lambda xy: np.column_stack(self.to_lonlat(xy[:, 0], xy[:, 1])))

    def geometry_to_metres(self, geom: BaseGeometry) -> BaseGeometry:
        """Convert a WGS84 geometry to this frame's metres."""
        return shapely.transform(geom, lambda xy: np.column_stack(self.to_metres(xy[:, 0], xy[:, 1])))


def _ring(x: float, y: float, radius: float, start_deg: float, sweep_deg: float,
          segments: int) -> np.ndarray:
    """Points on an arc, clockwise by compass from ``start_deg`` through ``sweep_deg``."""
    angles = np.radians(start_deg + sweep_deg * np.linspace(0.0, 1.0, segments + 1))
    return np.column_stack((x + radius * np.sin(angles), y + radius * np.cos(angles)))


def sector_in_metres(view: View, x: float, y: float, segments: int = ARC_SEGMENTS) -> Polygon | None:
    """The footprint of ``view`` with the camera at (x, y) metres; ``None`` without a view."""
    if not view.has_view:
        return None
    assert view.range_m is not None  # noqa: S101 - has_view checked it
    outer = float(view.range_m)
    inner = float(view.min_range_m or 0.0)
    if inner >= outer:
        inner = 0.0
    fov = float(view.fov_deg or 360.0)
    if fov >= 360:
        shell = _ring(x, y, outer, 0.0, 360.0, segments * 2)
        if inner > 0:
            hole = _ring(x, y, inner, 0.0, 360.0, segments * 2)[::-1]
            return Polygon(shell, [hole])
        return Polygon(shell)
    start = float(view.azimuth_deg or 0.0) - fov / 2
    arc = _ring(x, y, outer, start, fov, segments)
    if inner > 0:
        back = _ring(x, y, inner, start, fov, segments)[::-1]
        return Polygon(np.vstack((arc, back)))
    return Polygon(np.vstack(([[x, y]], arc)))


def sectors_in_frame(views: list[View], frame: LocalFrame,
                     segments: int = ARC_SEGMENTS) -> list[Polygon | None]:
    """Footprints of many views in ``frame``'s metres (positions projected in one call)."""
    if not views:
        return []
    xs, ys = frame.to_metres(np.array([v.lon for v in views]), np.array([v.lat for v in views]))
    return [sector_in_metres(v, float(x), float(y), segments) for v, x, y in zip(views, xs, ys, strict=True)]


def sectors_wgs84(views: list[View], lat0: float, lon0: float) -> list[Polygon | None]:
    """Footprints of many views in longitude/latitude, built in an aeqd at (lat0, lon0)."""
    frame = LocalFrame(lat0, lon0)
    out: list[Polygon | None] = []
    for geom in sectors_in_frame(views, frame):
        out.append(None if geom is None else frame.geometry_to_lonlat(geom))  # type: ignore[arg-type]
    return out


def sector_wgs84(view: View) -> Polygon | None:
    """One view's footprint in longitude/latitude, built around the camera itself."""
    return sectors_wgs84([view], view.lat, view.lon)[0]


def bearing_distance(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    """Compass bearing (0–360) and geodesic distance in metres from point 1 to point 2."""
    azimuth, _, distance = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(azimuth) % 360.0, float(distance)


def angle_off_axis(bearing: float, azimuth: float) -> float:
    """Unsigned angle (0–180) between a bearing and a view axis, across 0°/360°."""
    diff = (bearing - azimuth) % 360.0
    return min(diff, 360.0 - diff)


@dataclass(frozen=True)
class Sighting:
    """How a view relates to a point."""

    camera_id: int
    distance_m: float
    bearing_deg: float
    inside: bool          # inside the nominal sector
    within_tolerance: bool  # inside, or outside by no more than the tolerance
    off_by_m: float       # metres from the sector's edge (0 inside)
    has_view: bool
    index: int = 0        # position of the view in the list given to :func:`sightings`


def sightings(views: list[View], lat: float, lon: float, tolerance_m: float,
              unknown_reach_m: float = 50.0) -> list[Sighting]:
    """Which views hold (lat, lon), each with distance and bearing from the camera.

    Sectors are built in an aeqd centred on the point and searched with an STRtree for
    those within ``tolerance_m``. Views without a direction are returned when the point is
    within their range (or ``unknown_reach_m`` when no range is recorded) plus the
    tolerance, flagged ``has_view=False``: never silently dropped.
    """
    frame = LocalFrame(lat, lon)
    polys = sectors_in_frame(views, frame)
    target = Point(0.0, 0.0)
    indexed = [i for i, p in enumerate(polys) if p is not None]
    tree = shapely.STRtree([p for p in polys if p is not None])
    near = {indexed[int(j)] for j in tree.query(target, predicate="dwithin", distance=tolerance_m)}
    out: list[Sighting] = []
    for i, view in enumerate(views):
        bearing, distance = bearing_distance(view.lat, view.lon, lat, lon)
        poly = polys[i]
        if poly is None:
            reach = view.range_m or unknown_reach_m
            if distance <= reach + tolerance_m:
                out.append(Sighting(view.camera_id, distance, bearing, False, True,
                                    max(0.0, distance - reach), False, i))
            continue
        if i not in near:
            continue
        off = float(poly.distance(target))
        out.append(Sighting(view.camera_id, distance, bearing, off == 0.0, True, off, True, i))
    return out


def union_in_frame(polys: list[Polygon], grid_m: float = 0.01) -> BaseGeometry:
    """Union of footprints in metres (vectorised, snapped to a centimetre grid)."""
    if not polys:
        return Polygon()
    return shapely.union_all(np.array(polys, dtype=object), grid_size=grid_m)


def is_inside_sector(view: View, lat: float, lon: float) -> bool:
    """Analytic check (no polygon): within range band and within fov/2 of the axis."""
    if not view.has_view:
        return False
    bearing, distance = bearing_distance(view.lat, view.lon, lat, lon)
    if distance > float(view.range_m or 0) or distance < float(view.min_range_m or 0):
        return False
    fov = float(view.fov_deg or 360)
    return fov >= 360 or angle_off_axis(bearing, float(view.azimuth_deg or 0)) <= fov / 2


def destination(lat: float, lon: float, bearing_deg: float, distance_m: float) -> tuple[float, float]:
    """The point ``distance_m`` from (lat, lon) along ``bearing_deg``: (lat, lon)."""
    lon2, lat2, _ = _GEOD.fwd(lon, lat, bearing_deg, distance_m)
    return float(lat2), float(lon2)


def metres_per_degree_lon(lat: float) -> float:
    """Approximate metres per degree of longitude at ``lat``."""
    return 111_320.0 * math.cos(math.radians(lat))
