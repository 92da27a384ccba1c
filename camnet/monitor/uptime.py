"""Uptime per camera, point or zone over a window: up, down, degraded and no data.

Only time the monitor actually watched a camera (``watched_span``, see
:mod:`camnet.monitor.watched`) counts; the rest of the window is **no data** — the service
was stopped or killed, or monitoring had not begun — never "up". Time inside maintenance
windows counts as none of them. Over the watched time:

- **availability** (``uptime_pct``): the stream was reachable (not in an outage);
- **usable picture** (``usable_pct``): reachable *and* the picture was good (not
  ``degraded``: black, covered, blurred, frozen);
- ``watched_pct``: the share of the window (maintenance excluded) that was watched.

A camera counts from when it was registered (or the window's start, whichever is later).
An open outage runs until the window's end (or now).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from camnet.auth.principal import Principal
from camnet.auth.scope import in_scope
from camnet.db import Database
from camnet.errors import InvalidInput
from camnet.intervals import intersect, length, merge
from camnet.monitor import rollup, watched
from camnet.monitor.uptime_raw import Seconds, created_ts
from camnet.registry.zones import get_zone_row
from camnet.timeutil import parse_iso, to_iso, utcnow

Group = Literal["camera", "point", "zone"]
BATCH = 5000  # cameras computed at a time
PERIODS: dict[str, timedelta] = {"24h": timedelta(hours=24), "7d": timedelta(days=7),
                                 "30d": timedelta(days=30)}


@dataclass(frozen=True)
class UptimeRow:
    """Uptime of one camera, point or zone (seconds summed over its cameras)."""

    key: str
    label: str
    zone_code: str
    cameras: int
    monitored_s: float  # watched, maintenance excluded
    down_s: float
    maintenance_s: float
    outages: int
    degraded_s: float = 0.0
    no_data_s: float = 0.0

    @property
    def up_s(self) -> float:
        """Watched time with the stream reachable and a good picture."""
        return max(0.0, self.monitored_s - self.down_s - self.degraded_s)

    @property
    def uptime_pct(self) -> float | None:
        """Availability: % of watched time the stream was reachable; ``None`` if never watched."""
        if self.monitored_s <= 0:
            return None
        return round(100.0 * (1 - self.down_s / self.monitored_s), 3)

    @property
    def usable_pct(self) -> float | None:
        """% of watched time with a usable picture; ``None`` if never watched."""
        if self.monitored_s <= 0:
            return None
        return round(100.0 * self.up_s / self.monitored_s, 3)

    @property
    def watched_pct(self) -> float | None:
        """% of the window (maintenance excluded) that the monitor watched."""
        total = self.monitored_s + self.no_data_s
        return None if total <= 0 else round(100.0 * self.monitored_s / total, 3)

    def as_dict(self) -> dict[str, object]:
        """Plain form for JSON and CSV."""
        return {"key": self.key, "label": self.label, "zone_code": self.zone_code,
                "cameras": self.cameras, "uptime_pct": self.uptime_pct,
                "usable_pct": self.usable_pct, "watched_pct": self.watched_pct,
                "monitored_s": round(self.monitored_s), "up_s": round(self.up_s),
                "down_s": round(self.down_s), "degraded_s": round(self.degraded_s),
                "no_data_s": round(self.no_data_s),
                "maintenance_s": round(self.maintenance_s), "outages": self.outages}


def resolve_window(period: str | None, start: str | None, end: str | None
                   ) -> tuple[datetime, datetime]:
    """Turn ``24h``/``7d``/``30d`` or explicit ISO times into a UTC window.

    Raises:
        InvalidInput: unknown period, unparsable time, or end before start.
    """
    now = utcnow()
    try:
        end_at = parse_iso(end) if end else now
        if start:
            start_at = parse_iso(start)
        else:
            if (period or "24h") not in PERIODS:
                raise InvalidInput(f"period must be one of {', '.join(PERIODS)}", "period")
            start_at = end_at - PERIODS[period or "24h"]
    except ValueError as exc:
        raise InvalidInput(f"not an ISO-8601 time: {exc}", "from") from exc
    if end_at <= start_at:
        raise InvalidInput("the window must end after it starts", "to")
    return start_at, min(end_at, now)


async def compute_uptime(
    db: Database, actor: Principal, *, start: datetime, end: datetime,
    zone_code: str | None = None, group: Group = "camera", camera_id: int | None = None,
) -> list[UptimeRow]:
    """Uptime of every camera in scope (or one), grouped by camera, point or zone."""
    actor.require("monitor.read")
    path = actor.zone_path
    if zone_code:
        path = (await get_zone_row(db, actor, code=zone_code, field="zone"))["path"]
    lo_iso, hi_iso = to_iso(start), to_iso(end)
    scope, scope_params = in_scope("z.path", path)
    params: list[object] = [*scope_params]
    extra = ""
    if camera_id is not None:
        extra = " AND c.id = ?"
        params.append(camera_id)
    cameras = await db.fetchall(
        "SELECT c.id, c.name, c.created_at, p.id AS point_id, p.name AS point_name,"
        " z.code AS zone_code, z.name AS zone_name FROM camera c"
        " JOIN camera_point p ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id"
        f" WHERE {scope}{extra} ORDER BY z.code, p.name, c.name",
        params,
    )
    ids = [r["id"] for r in cameras]
    # whole days from the daily roll-ups, the window's partial days from the raw rows;
    # a few thousand cameras at a time, so a province-wide report stays small in memory
    seconds: dict[int, Seconds] = {}
    for i in range(0, len(cameras), BATCH):
        seconds.update(await rollup.camera_seconds(
            db, {r["id"]: created_ts(r["created_at"]) for r in cameras[i:i + BATCH]}, start, end))
    outage_count = await _outage_counts(db, ids, lo_iso, hi_iso)
    totals: dict[str, list[float]] = {}
    meta: dict[str, tuple[str, str]] = {}
    for cam in cameras:
        sec = seconds[cam["id"]]
        if group == "camera":
            key, label = str(cam["id"]), f"{cam['point_name']} / {cam['name']}"
        elif group == "point":
            key, label = str(cam["point_id"]), cam["point_name"]
        else:
            key, label = cam["zone_code"], cam["zone_name"]
        acc = totals.setdefault(key, [0, 0.0, 0.0, 0.0, 0, 0.0, 0.0])
        acc[0] += 1
        acc[1] += sec.monitored
        acc[2] += sec.down
        acc[3] += sec.maintenance
        acc[4] += outage_count.get(cam["id"], 0)
        acc[5] += sec.degraded
        acc[6] += sec.no_data
        meta[key] = (label, cam["zone_code"])
    return [
        UptimeRow(key, meta[key][0], meta[key][1], int(a[0]), a[1], a[2], a[3], int(a[4]),
                  a[5], a[6])
        for key, a in totals.items()
    ]


async def _outage_counts(db: Database, ids: list[int], lo_iso: str, hi_iso: str) -> dict[int, int]:
    """How many outages of each camera overlap ``[lo, hi]``."""
    counts: dict[int, int] = {}
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
        marks = ",".join("?" * len(chunk))
        for r in await db.fetchall(
            f"SELECT camera_id, COUNT(*) AS n FROM outage WHERE camera_id IN ({marks})"  # noqa: S608
            " AND started_at < ? AND (ended_at IS NULL OR ended_at > ?) GROUP BY camera_id",
            (*chunk, hi_iso, lo_iso),
        ):
            counts[r["camera_id"]] = int(r["n"])
    return counts


async def outages_in_window(db: Database, camera_id: int, start: datetime, end: datetime
                            ) -> tuple[float, list[dict[str, object]]]:
    """Seconds a camera was down inside [start, end] and the outages that overlap it."""
    rows = await db.fetchall(
        "SELECT started_at, ended_at, cause FROM outage WHERE camera_id = ? AND started_at < ?"
        " AND (ended_at IS NULL OR ended_at > ?) ORDER BY started_at",
        (camera_id, to_iso(end), to_iso(start)),
    )
    lo, hi = start.timestamp(), end.timestamp()
    intervals = []
    for r in rows:
        s = parse_iso(r["started_at"]).timestamp()
        e = parse_iso(r["ended_at"]).timestamp() if r["ended_at"] else utcnow().timestamp()
        intervals.append((max(s, lo), min(e, hi)))
    return length(merge(intervals)), [dict(r) for r in rows]


@dataclass(frozen=True)
class WindowAvailability:
    """One camera over one window: availability over watched time, down time, its outages."""

    up_pct: float | None  # None: never watched in the window
    down_s: float
    watched_s: float
    outages: list[dict[str, object]]


async def windows_availability(db: Database, windows: list[tuple[int, datetime, datetime]]
                               ) -> list[WindowAvailability]:
    """:func:`availability_in_window` and the outages for many (camera, start, end) at once.

    Three queries whatever the number of windows (the cameras' outages and watched spans
    over the union of the windows), then each window is cut out in memory: a list page of
    fifty requests costs the same as one.
    """
    if not windows:
        return []
    ids = sorted({cid for cid, _, _ in windows})
    lo_iso = to_iso(min(start for _, start, _ in windows))
    hi_iso = to_iso(max(end for _, _, end in windows))
    spans = await watched.spans(db, ids, lo_iso, hi_iso)
    rows_of: dict[int, list[dict[str, object]]] = {cid: [] for cid in ids}
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
        marks = ",".join("?" * len(chunk))
        for r in await db.fetchall(
            "SELECT camera_id, started_at, ended_at, cause FROM outage"  # noqa: S608
            f" WHERE camera_id IN ({marks}) AND started_at < ? AND (ended_at IS NULL OR ended_at > ?)"
            " ORDER BY started_at", (*chunk, hi_iso, lo_iso)):
            rows_of[r["camera_id"]].append(
                {"started_at": r["started_at"], "ended_at": r["ended_at"], "cause": r["cause"]})
    now = utcnow().timestamp()
    out = []
    for cid, start, end in windows:
        lo, hi = start.timestamp(), end.timestamp()
        start_iso, end_iso = to_iso(start), to_iso(end)
        hits = [o for o in rows_of[cid] if str(o["started_at"]) < end_iso
                and (o["ended_at"] is None or str(o["ended_at"]) > start_iso)]
        down_all = merge((parse_iso(str(o["started_at"])).timestamp(),
                          parse_iso(str(o["ended_at"])).timestamp() if o["ended_at"] else now)
                         for o in hits)
        seen = intersect(merge(spans.get(cid, [])), [(lo, hi)])
        watched_s = length(seen)
        seen_down = length(intersect(down_all, seen))
        up = None if watched_s <= 0 else round(100 * (1 - seen_down / watched_s), 2)
        out.append(WindowAvailability(up, seen_down, watched_s, hits))
    return out


async def availability_in_window(db: Database, camera_id: int, start: datetime, end: datetime
                                 ) -> tuple[float | None, float, float]:
    """Availability of one camera over [start, end], only over the time it was watched.

    Returns:
        ``(up_pct, down_s, watched_s)``: ``up_pct`` is ``None`` when the monitor never
        watched the camera in the window (before monitoring began, or the service was
        down), never 100 %.
    """
    lo_iso, hi_iso = to_iso(start), to_iso(end)
    window = [(start.timestamp(), end.timestamp())]
    seen = intersect(merge((await watched.spans(db, [camera_id], lo_iso, hi_iso))[camera_id]),
                      window)
    outage_rows = await db.fetchall(
        "SELECT started_at, ended_at FROM outage WHERE camera_id = ? AND started_at < ?"
        " AND (ended_at IS NULL OR ended_at > ?)", (camera_id, hi_iso, lo_iso))
    now = utcnow().timestamp()
    down = intersect(merge(
        (parse_iso(r["started_at"]).timestamp(),
         parse_iso(r["ended_at"]).timestamp() if r["ended_at"] else now) for r in outage_rows), seen)
    watched_s, seen_down = length(seen), length(down)
    if watched_s <= 0:
        return None, seen_down, 0.0
    return round(100 * (1 - seen_down / watched_s), 2), seen_down, watched_s


@dataclass(frozen=True)
class UptimeReport:
    """An uptime report over one window: the rows and the overall figure."""

    window_from: datetime
    window_to: datetime
    group: Group
    rows: list[UptimeRow]

    @property
    def overall(self) -> UptimeRow:
        """All rows summed into one."""
        return UptimeRow("all", "overall", "", sum(r.cameras for r in self.rows),
                         sum(r.monitored_s for r in self.rows), sum(r.down_s for r in self.rows),
                         sum(r.maintenance_s for r in self.rows),
                         sum(r.outages for r in self.rows),
                         sum(r.degraded_s for r in self.rows),
                         sum(r.no_data_s for r in self.rows))

    @property
    def overall_pct(self) -> float | None:
        """Availability over all rows' watched time; ``None`` when nothing was watched."""
        return self.overall.uptime_pct

    def as_dict(self) -> dict[str, object]:
        """Plain form for JSON (the API's answer and ``camnet report uptime --format json``)."""
        total = self.overall
        return {"window_from": to_iso(self.window_from), "window_to": to_iso(self.window_to),
                "group": self.group, "overall_pct": total.uptime_pct,
                "overall_usable_pct": total.usable_pct, "overall_watched_pct": total.watched_pct,
                "items": [r.as_dict() for r in self.rows]}


async def uptime_report(db: Database, actor: Principal, *, period: str | None = None,
                        start: str | None = None, end: str | None = None,
                        zone_code: str | None = None, group: Group = "camera") -> UptimeReport:
    """Resolve the window and compute uptime per ``group`` inside the caller's scope."""
    window_from, window_to = resolve_window(period, start, end)
    rows = await compute_uptime(db, actor, start=window_from, end=window_to,
                                zone_code=zone_code, group=group)
    return UptimeReport(window_from, window_to, group, rows)
