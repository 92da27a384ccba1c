"""Known answers for the view geometry (pure functions, no database)."""

from __future__ import annotations

import pytest
from shapely.geometry import Point

from camnet.coverage.geometry import (
    LocalFrame,
    View,
    angle_off_axis,
    bearing_distance,
    destination,
    is_inside_sector,
    sector_wgs84,
    sightings,
)

LAT, LON = 16.5121, 107.6527


def cam(az: float | None, fov: float | None, rng: float | None, **kw: float) -> View:
    return View(camera_id=1, lat=LAT, lon=LON, azimuth_deg=az, fov_deg=fov, range_m=rng, **kw)


def inside(view: View, bearing: float, distance: float) -> bool:
    lat, lon = destination(LAT, LON, bearing, distance)
    poly = sector_wgs84(view)
    assert poly is not None
    return bool(poly.covers(Point(lon, lat)))


def test_point_on_axis_at_half_range_is_inside() -> None:
    view = cam(135, 90, 60)
    assert inside(view, 135, 30)
    assert is_inside_sector(view, *destination(LAT, LON, 135, 30))


def test_just_outside_the_fov_edge_is_not_inside() -> None:
    view = cam(135, 90, 60)
    assert inside(view, 135 + 44, 40)       # just inside the edge at 180°
    assert not inside(view, 135 + 46.5, 40)  # 1.5° past the edge
    assert not inside(view, 135 - 46.5, 40)
    assert not is_inside_sector(view, *destination(LAT, LON, 181.5, 40))


def test_beyond_range_is_not_inside() -> None:
    view = cam(0, 60, 50)
    assert inside(view, 0, 45)
    assert not inside(view, 0, 53)


def test_wrap_around_north() -> None:
    view = cam(359, 20, 80)  # looks north, spans 349°..9°
    assert inside(view, 5, 40)
    assert inside(view, 352, 40)
    assert not inside(view, 15, 40)
    assert not inside(view, 340, 40)
    view = cam(1, 20, 80)  # spans 351°..11°
    assert inside(view, 355, 40) and inside(view, 8, 40)
    assert not inside(view, 14, 40)
    assert angle_off_axis(359, 1) == pytest.approx(2)


def test_360_camera_is_a_circle_and_min_range_makes_an_annulus() -> None:
    view = cam(None, 360, 40)
    for bearing in (0, 90, 180, 270, 333):
        assert inside(view, bearing, 30)
        assert not inside(view, bearing, 45)
    ring = cam(None, 360, 40, min_range_m=10)
    assert inside(ring, 90, 25)
    assert not inside(ring, 90, 5)
    assert not is_inside_sector(ring, *destination(LAT, LON, 90, 5))


def test_no_view_direction_is_flagged_not_dropped() -> None:
    no_dir = View(camera_id=7, lat=LAT, lon=LON, azimuth_deg=None, fov_deg=None, range_m=None)
    assert not no_dir.has_view
    assert sector_wgs84(no_dir) is None
    lat, lon = destination(LAT, LON, 10, 20)
    found = sightings([no_dir], lat, lon, tolerance_m=15, unknown_reach_m=50)
    assert [(s.camera_id, s.has_view) for s in found] == [(7, False)]
    far_lat, far_lon = destination(LAT, LON, 10, 200)
    assert sightings([no_dir], far_lat, far_lon, tolerance_m=15, unknown_reach_m=50) == []


def test_sightings_distance_bearing_and_tolerance() -> None:
    view = cam(90, 60, 50)
    lat, lon = destination(LAT, LON, 90, 25)
    [hit] = sightings([view], lat, lon, tolerance_m=15)
    assert hit.inside and hit.distance_m == pytest.approx(25, abs=0.01)
    assert hit.bearing_deg == pytest.approx(90, abs=0.01)
    lat, lon = destination(LAT, LON, 90, 58)  # 8 m past the range
    [near] = sightings([view], lat, lon, tolerance_m=15)
    assert not near.inside and near.within_tolerance and 7 < near.off_by_m < 9
    assert sightings([view], lat, lon, tolerance_m=5) == []


def test_local_frame_distances_are_metres() -> None:
    frame = LocalFrame(LAT, LON)
    lat, lon = destination(LAT, LON, 45, 1000)
    x, y = frame.to_metres(lon, lat)  # type: ignore[arg-type]
    assert (float(x) ** 2 + float(y) ** 2) ** 0.5 == pytest.approx(1000, abs=0.01)
    assert bearing_distance(LAT, LON, lat, lon)[1] == pytest.approx(1000, abs=0.001)
