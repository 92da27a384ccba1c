"""Build a public page's snapshot from the monitor's uptime, and keep it in a process cache.

The figures come from :func:`camnet.monitor.uptime.compute_uptime` (availability over the
time the monitor watched; no data is never up), read through a viewer-role principal bound
to the page's zone, so the page can never reach beyond its own zone.

Cost: a snapshot needs one uptime pass over the last bucket (per camera, for the counts),
one over 24 h, one over 7 days, and one per local day for the 90 daily bars. Finished days
do not change, so each (zone, day) is computed once per process and kept; a later snapshot
recomputes only today and yesterday (late data). A snapshot is reused until the next bucket
starts or ``cache_ttl_s`` passes, whichever is first, and concurrent requests for one page
wait for one computation.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from camnet.auth.principal import Principal
from camnet.db import Database
from camnet.hosts.public_status import (
    CameraState,
    Component,
    Counts,
    PublicSnapshot,
    Thresholds,
    Watched,
    bucket_floor,
    camera_state,
    component_status,
    count_states,
    day_windows,
    group_components,
)
from camnet.hosts.public_store import PublicPage
from camnet.monitor.uptime import UptimeRow, compute_uptime
from camnet.registry.zones import list_zones
from camnet.timeutil import display_timezone, utcnow

PerZone = dict[str, Watched]


def page_reader(page: PublicPage) -> Principal:
    """A read-only principal bound to the page's zone: the page sees nothing outside it."""
    return Principal(user_id=0, username="public-status", role="viewer", zone_id=page.zone_id,
                     zone_path=page.path)


def _per_zone(rows: list[UptimeRow]) -> PerZone:
    out: PerZone = {}
    for r in rows:
        out[r.zone_code] = out.get(r.zone_code, Watched()).plus(Watched(r.monitored_s, r.down_s))
    return out


async def _window(db: Database, reader: Principal, start: datetime, end: datetime) -> PerZone:
    return _per_zone(await compute_uptime(db, reader, start=start, end=end, group="zone"))


@dataclass
class _Entry:
    as_of: datetime
    made: float
    snapshot: PublicSnapshot


class PublicStatusCache:
    """Snapshots per page and finished daily buckets per zone, in this process only."""

    def __init__(self, *, bucket_s: int, ttl_s: float, days: int, thresholds: Thresholds) -> None:
        """Keep snapshots of ``bucket_s`` buckets for at most ``ttl_s``, with ``days`` bars."""
        self.bucket_s = bucket_s
        self.ttl_s = ttl_s
        self.days = days
        self.thresholds = thresholds
        self._entries: dict[int, _Entry] = {}
        self._days: dict[tuple[int, date], PerZone] = {}
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def forget(self, zone_id: int) -> None:
        """Drop a page's snapshot (after it is disabled, or a notice changed nothing cached)."""
        self._entries.pop(zone_id, None)

    async def snapshot(self, db: Database, page: PublicPage, now: datetime | None = None
                       ) -> PublicSnapshot:
        """The page's snapshot as of the last full bucket, from the cache when still fresh."""
        as_of = bucket_floor(now or utcnow(), self.bucket_s)
        async with self._locks[page.zone_id]:
            entry = self._entries.get(page.zone_id)
            if (entry is not None and entry.as_of == as_of
                    and time.monotonic() - entry.made < self.ttl_s):
                return entry.snapshot
            snap = await self._build(db, page, as_of)
            self._entries[page.zone_id] = _Entry(as_of, time.monotonic(), snap)
            return snap

    async def _build(self, db: Database, page: PublicPage, as_of: datetime) -> PublicSnapshot:
        reader = page_reader(page)
        th = self.thresholds
        hour = await compute_uptime(db, reader, start=as_of - timedelta(seconds=self.bucket_s),
                                    end=as_of, group="camera")
        cameras_per_zone: dict[str, int] = defaultdict(int)
        states: dict[str, list[CameraState | None]] = defaultdict(list)
        for r in hour:
            cameras_per_zone[r.zone_code] += 1
            states[r.zone_code].append(camera_state(r.monitored_s, r.down_s, r.maintenance_s,
                                                    r.no_data_s))
        zones = await list_zones(db, reader)
        hamlets = {z.code: z.name for z in zones if z.level == "hamlet"}
        components = group_components(page.zone_code, page.zone_name, cameras_per_zone, hamlets,
                                      th.min_component_cameras)
        day_24h = await _window(db, reader, as_of - timedelta(hours=24), as_of)
        day_7d = await _window(db, reader, as_of - timedelta(days=7), as_of)
        bars = await self._daily(db, page, reader, as_of)
        statuses = []
        for comp in components:
            counts = Counts()
            for code in comp.zone_codes:
                counts = counts.plus(count_states(states.get(code, [])))
            cams = sum(cameras_per_zone.get(code, 0) for code in comp.zone_codes)
            statuses.append(component_status(comp, counts, cams, day_24h, day_7d, bars, th))
        everything = Component("all", page.zone_name, True, frozenset(cameras_per_zone))
        all_counts = Counts()
        for s in statuses:
            all_counts = all_counts.plus(s.counts)
        overall = component_status(everything, all_counts, sum(cameras_per_zone.values()),
                                   day_24h, day_7d, bars, th)
        return PublicSnapshot(page.zone_code, page.zone_name, as_of, overall, tuple(statuses))

    async def _daily(self, db: Database, page: PublicPage, reader: Principal, as_of: datetime
                     ) -> list[tuple[date, Mapping[str, Watched]]]:
        windows = day_windows(as_of, self.days, display_timezone())
        settled = windows[-1][0] - timedelta(days=1)  # today and yesterday may still change
        out: list[tuple[date, Mapping[str, Watched]]] = []
        for day, start, end in windows:
            key = (page.zone_id, day)
            figures = self._days.get(key) if day < settled else None
            if figures is None:
                figures = await _window(db, reader, start, end)
                if day < settled:
                    self._days[key] = figures
            out.append((day, figures))
        oldest = windows[0][0]
        for stale in [k for k in self._days if k[0] == page.zone_id and k[1] < oldest]:
            del self._days[stale]
        return out
