"""Read side of the monitor's history for many cameras over one window (for coverage).

Returns raw facts — when each camera was first given a status, its outages, and when probe
cycles ran — for the pure verdicts in :mod:`camnet.coverage.availability`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from camnet.db import Database
from camnet.timeutil import parse_iso, to_iso


@dataclass
class MonitorHistory:
    """What the monitor recorded around a window."""

    first_status: dict[int, datetime] = field(default_factory=dict)
    outages: dict[int, list[tuple[datetime, datetime | None]]] = field(
        default_factory=lambda: defaultdict(list))
    cycle_starts: list[float] = field(default_factory=list)
    # (at, to_status) transitions up to the window's end, oldest first
    changes: dict[int, list[tuple[datetime, str]]] = field(default_factory=lambda: defaultdict(list))


async def history_for(db: Database, camera_ids: list[int], start: datetime, end: datetime,
                      lookback_s: float) -> MonitorHistory:
    """First status, outages overlapping [start, end], and cycles from ``start - lookback_s``."""
    out = MonitorHistory()
    lo, hi = to_iso(start), to_iso(end)
    for chunk in (camera_ids[i:i + 900] for i in range(0, len(camera_ids), 900)):
        marks = ",".join("?" * len(chunk))
        for r in await db.fetchall(
            f"SELECT camera_id, MIN(at) AS first FROM status_change WHERE camera_id IN ({marks})"
            " GROUP BY camera_id", chunk,
        ):
            out.first_status[r["camera_id"]] = parse_iso(r["first"])
        for r in await db.fetchall(
            f"SELECT camera_id, at, to_status FROM status_change WHERE camera_id IN ({marks})"
            " AND at < ? AND (at >= ? OR id IN (SELECT MAX(id) FROM status_change"
            f"  WHERE camera_id IN ({marks}) AND at < ? GROUP BY camera_id)) ORDER BY at, id",
            (*chunk, hi, lo, *chunk, lo),
        ):
            out.changes[r["camera_id"]].append((parse_iso(r["at"]), r["to_status"]))
        for r in await db.fetchall(
            f"SELECT camera_id, started_at, ended_at FROM outage WHERE camera_id IN ({marks})"
            " AND started_at < ? AND (ended_at IS NULL OR ended_at > ?) ORDER BY started_at",
            (*chunk, hi, lo),
        ):
            out.outages[r["camera_id"]].append(
                (parse_iso(r["started_at"]), parse_iso(r["ended_at"]) if r["ended_at"] else None))
    since = to_iso(datetime.fromtimestamp(start.timestamp() - lookback_s, tz=start.tzinfo))
    rows = await db.fetchall(
        "SELECT started_at FROM probe_cycle WHERE started_at >= ? AND started_at <= ?"
        " ORDER BY started_at", (since, hi))
    out.cycle_starts = [parse_iso(r["started_at"]).timestamp() for r in rows]
    return out
