"""The seconds behind every uptime figure, computed from the raw history of each camera.

Pure core (:func:`camera_sets`, :func:`measure`) over epoch-second intervals, and one
reader (:func:`raw_seconds`) that loads outages, watched spans, degraded periods and
maintenance windows. Both the live uptime report (for the edges of its window) and the
daily roll-up (:mod:`camnet.monitor.rollup`) use them, so a rolled-up day holds exactly
what the raw computation gives for that day: every set operation here is pointwise in
time, so the seconds of a window are the sum of the seconds of any partition of it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from camnet.db import Database
from camnet.intervals import Interval, intersect, length, merge, subtract
from camnet.monitor import watched
from camnet.monitor.maintenance import windows_for
from camnet.timeutil import parse_iso, to_iso


@dataclass(frozen=True)
class Seconds:
    """Seconds of one camera over some time (see :class:`camnet.monitor.uptime.UptimeRow`)."""

    monitored: float = 0.0  # watched, maintenance excluded
    down: float = 0.0
    degraded: float = 0.0
    maintenance: float = 0.0
    no_data: float = 0.0

    def __add__(self, other: Seconds) -> Seconds:
        return Seconds(self.monitored + other.monitored, self.down + other.down,
                       self.degraded + other.degraded, self.maintenance + other.maintenance,
                       self.no_data + other.no_data)


@dataclass(frozen=True)
class CameraSets:
    """One camera's time over a window, as merged interval lists."""

    window: list[Interval]  # from registration (or the window's start) to the window's end
    maintenance: list[Interval]
    seen: list[Interval]  # watched, maintenance excluded
    down: list[Interval]
    degraded: list[Interval]


def camera_sets(begin: float, lo: float, hi: float, *, maintenance: list[Interval],
                watched_spans: list[Interval], outages: list[Interval],
                degraded: list[Interval]) -> CameraSets:
    """Combine one camera's raw intervals over ``[lo, hi]`` (registered at ``begin``)."""
    start = max(lo, begin)
    window = [(start, hi)] if hi > start else []
    if not maintenance and not outages and not degraded:  # the common case, same result
        return CameraSets(window, [], intersect(merge(watched_spans), window), [], [])
    maint = intersect(merge(maintenance), window)
    seen = subtract(intersect(merge(watched_spans), window), maint)
    down = intersect(merge(outages), seen)
    bad = subtract(intersect(merge(degraded), seen), down)
    return CameraSets(window, maint, seen, down, bad)


def measure(sets: CameraSets, lo: float | None = None, hi: float | None = None) -> Seconds:
    """The seconds of ``sets``, or of their part inside ``[lo, hi)``."""
    def cut(items: list[Interval]) -> list[Interval]:
        return items if lo is None or hi is None else intersect(items, [(lo, hi)])

    maint_s, monitored = length(cut(sets.maintenance)), length(cut(sets.seen))
    return Seconds(monitored, length(cut(sets.down)), length(cut(sets.degraded)), maint_s,
                   max(0.0, length(cut(sets.window)) - maint_s - monitored))


def created_ts(created_at: str) -> float:
    """When a camera was registered, in epoch seconds."""
    return parse_iso(created_at).timestamp()


async def raw_sets(db: Database, cameras: dict[int, float], start: datetime, end: datetime
                   ) -> dict[int, CameraSets]:
    """Each camera's :class:`CameraSets` over ``[start, end]`` from the raw history.

    Args:
        db: the database.
        cameras: camera id → registration time (epoch seconds).
        start: the window's start (aware).
        end: the window's end (aware); an open outage runs until it.
    """
    ids = list(cameras)
    lo_iso, hi_iso = to_iso(start), to_iso(end)
    t_lo, t_hi = start.timestamp(), end.timestamp()
    outages: dict[int, list[Interval]] = defaultdict(list)
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
        marks = ",".join("?" * len(chunk))
        for r in await db.fetchall(
            f"SELECT camera_id, started_at, ended_at FROM outage WHERE camera_id IN ({marks})"  # noqa: S608
            " AND started_at < ? AND (ended_at IS NULL OR ended_at > ?)",
            (*chunk, hi_iso, lo_iso),
        ):
            s = parse_iso(r["started_at"]).timestamp()
            e = parse_iso(r["ended_at"]).timestamp() if r["ended_at"] else t_hi
            outages[r["camera_id"]].append((max(s, t_lo), min(e, t_hi)))
    maintenance, _ = await windows_for(db, ids, start, end)
    watched_by = await watched.spans(db, ids, lo_iso, hi_iso)
    degraded_by = await watched.degraded_intervals(db, ids, lo_iso, hi_iso)
    return {cam: camera_sets(begin, t_lo, t_hi, maintenance=maintenance[cam],
                             watched_spans=watched_by[cam], outages=outages[cam],
                             degraded=degraded_by[cam])
            for cam, begin in cameras.items()}


async def raw_seconds(db: Database, cameras: dict[int, float], start: datetime, end: datetime
                      ) -> dict[int, Seconds]:
    """Each camera's :class:`Seconds` over ``[start, end]`` from the raw history."""
    if end <= start:
        return {cam: Seconds() for cam in cameras}
    return {cam: measure(sets) for cam, sets in (await raw_sets(db, cameras, start, end)).items()}


def utc(ts: float) -> datetime:
    """Epoch seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(ts, UTC)
