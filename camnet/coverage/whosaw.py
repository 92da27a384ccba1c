"""Who could have seen a point between two times, were they up, is the footage still there.

Candidates come from the geometry versions valid in the window (an R*Tree of boxes in
SQLite, then an STRtree over the sectors, in metres); each candidate gets the monitor's
verdict for the window and the retention verdict, and the list is ordered by usefulness:
footage that still exists first, then cameras that were up, then inside the nominal sector
before "only within tolerance", then by distance.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from camnet.auth.principal import Principal
from camnet.config import Config
from camnet.coverage import availability as av
from camnet.coverage.geometry import NO_VIEW, Sighting, sightings
from camnet.coverage.history import versions_near, view_of
from camnet.db import Database
from camnet.errors import InvalidInput
from camnet.monitor.history import history_for
from camnet.monitor.maintenance import windows_for
from camnet.timeutil import parse_iso, to_iso, utcnow

MAX_WINDOW = timedelta(days=31)
_PLACEMENT_RANK = {"inside": 0, "within_tolerance": 1, "no_view_direction": 2}


@dataclass(frozen=True)
class WhoSawSettings:
    """Knobs from the configuration."""

    tolerance_m: float = 15.0
    unknown_reach_m: float = 50.0
    watch_gap_s: float = 180.0
    at_risk_hours: float = 48.0


def parse_window(start: str, end: str) -> tuple[datetime, datetime]:
    """Parse the window's ISO times (local time when no offset) and check it.

    Raises:
        InvalidInput: unparsable, reversed, or longer than 31 days.
    """
    try:
        lo = parse_iso(start)
    except ValueError as exc:
        raise InvalidInput(f"not an ISO-8601 time: {start!r}", "from") from exc
    try:
        hi = parse_iso(end)
    except ValueError as exc:
        raise InvalidInput(f"not an ISO-8601 time: {end!r}", "to") from exc
    if hi <= lo:
        raise InvalidInput("the window must end after it starts", "to")
    if hi - lo > MAX_WINDOW:
        raise InvalidInput("the window is longer than 31 days; narrow it", "to")
    return lo, hi


def check_point(lat: float, lon: float) -> None:
    """Refuse impossible coordinates.

    Raises:
        InvalidInput: latitude or longitude out of range.
    """
    if not -90 <= lat <= 90:
        raise InvalidInput("latitude must be between -90 and 90 (latitude comes first)", "lat")
    if not -180 <= lon <= 180:
        raise InvalidInput("longitude must be between -180 and 180", "lon")


def _placement(s: Sighting) -> str:
    if not s.has_view:
        return "no_view_direction"
    return "inside" if s.inside else "within_tolerance"


def usefulness(entry: dict[str, Any]) -> tuple[int, int, int, float]:
    """Sort key: footage that exists, then up, then inside the sector, then distance."""
    return (av.FOOTAGE_RANK[entry["footage"]["state"]], av.STATE_RANK[entry["status"]["state"]],
            _PLACEMENT_RANK[entry["placement"]], entry["distance_m"])


async def who_saw(db: Database, actor: Principal, *, lat: float, lon: float, start: datetime,
                  end: datetime, settings: WhoSawSettings, tolerance_m: float | None = None,
                  now: datetime | None = None) -> dict[str, Any]:
    """Answer "which cameras in my zone could have seen (lat, lon) in [start, end]".

    Returns:
        A plain, JSON-ready answer: the query, when it was computed, and one entry per camera
        with distance, bearing, placement, geometry used, status and footage verdicts.
    """
    actor.require("registry.read")
    check_point(lat, lon)
    tol = settings.tolerance_m if tolerance_m is None else tolerance_m
    if not 0 <= tol <= 500:
        raise InvalidInput("tolerance must be between 0 and 500 metres", "tolerance_m")
    now = now or utcnow()
    # Boxes are padded by range already; add the tolerance and the no-direction reach.
    pad = (tol + settings.unknown_reach_m) / 55_000.0
    rows = await versions_near(db, actor.zone_path, lat, lon, pad, to_iso(start), to_iso(end))
    views = [view_of(r) for r in rows]
    found: list[Sighting] = await asyncio.to_thread(
        sightings, views, lat, lon, tol, settings.unknown_reach_m)
    # A camera moved during the window has several versions: keep its best sighting and
    # say which version it came from.
    best: dict[int, tuple[Sighting, Any]] = {}
    for s in sorted(found, key=lambda s: (_PLACEMENT_RANK[_placement(s)], s.off_by_m, s.distance_m)):
        best.setdefault(s.camera_id, (s, rows[s.index]))
    history = await history_for(db, list(best), start, end, settings.watch_gap_s)
    maintenance, _ = await windows_for(db, list(best), start, end)  # one-off and weekly
    entries = []
    for cam_id, (s, row) in best.items():
        watched = av.watched_intervals(
            history.cycle_starts, settings.watch_gap_s,
            history.first_status[cam_id].timestamp() if cam_id in history.first_status else None)
        degraded = av.status_intervals(history.changes.get(cam_id, []), "degraded", min(end, now))
        status = av.window_status(start, end, now, watched, history.outages.get(cam_id, []),
                                  degraded, maintenance.get(cam_id))
        verdict = av.footage(start, end, int(row["retention_days"]), now, settings.at_risk_hours)
        placement = _placement(s)
        entries.append({
            "camera_id": cam_id, "camera": row["camera"], "point": row["point"],
            "address": row["address"], "zone_code": row["zone_code"],
            "distance_m": round(s.distance_m, 1), "bearing_deg": round(s.bearing_deg, 1),
            "placement": placement, "off_by_m": round(s.off_by_m, 1),
            "note": NO_VIEW if placement == "no_view_direction" else "",
            "geometry": {"version_id": row["id"], "lat": row["lat"], "lon": row["lon"],
                         "azimuth_deg": row["azimuth_deg"], "fov_deg": row["fov_deg"],
                         "range_m": row["range_m"], "min_range_m": row["min_range_m"],
                         "valid_from": row["valid_from"], "valid_to": row["valid_to"]},
            "enabled": bool(row["enabled"]),
            "monitored": bool(row["monitored"]),  # no stream URL (e.g. from OSM): not monitored
            "registered_at": row["camera_created_at"],
            "retention_days": row["retention_days"],
            "status": status.as_dict(),
            "footage": verdict.as_dict(),
        })
    entries.sort(key=usefulness)
    return {
        "query": {"lat": lat, "lon": lon, "from": to_iso(start), "to": to_iso(end),
                  "tolerance_m": tol, "zone_scope": actor.zone_path},
        "computed_at": to_iso(now),
        "computed_by": actor.username,
        "cameras": entries,
    }


def settings_from(config: Config) -> WhoSawSettings:
    """Who-saw knobs from the configuration ([coverage], monitor interval, at-risk hours)."""
    return WhoSawSettings(
        tolerance_m=config.coverage.tolerance_m,
        unknown_reach_m=config.coverage.unknown_reach_m,
        watch_gap_s=config.monitor.interval_s * config.coverage.watch_gap_cycles,
        at_risk_hours=config.evidence.at_risk_hours,
    )
