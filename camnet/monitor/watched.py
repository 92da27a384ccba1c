"""Monitoring coverage: when the monitor actually watched each camera (``watched_span``).

Every cycle extends each probed camera's latest span to the time of its probe when the
span ended at most ``gap_s`` before (about two intervals); otherwise it opens a new span.
Whatever lies outside every span — the service stopped, killed with ``kill -9``, or not
yet installed — is "no data", never "up". A camera watched without a break has one row.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from camnet.db import Database, Transaction
from camnet.monitor.outcomes import CycleReport
from camnet.timeutil import parse_iso, to_iso

Interval = tuple[float, float]


async def extend(tx: Transaction, report: CycleReport, *, gap_s: float) -> None:
    """Record that this cycle watched its cameras (inside the cycle's transaction)."""
    for o in report.outcomes:
        camera_id, at = o.target.camera_id, o.at
        oldest = to_iso(parse_iso(at) - timedelta(seconds=gap_s))
        updated = await tx.execute_rowcount(
            "UPDATE watched_span SET ended_at = ? WHERE id = (SELECT id FROM watched_span"
            " WHERE camera_id = ? ORDER BY ended_at DESC LIMIT 1) AND ended_at >= ?"
            " AND ended_at <= ?", (at, camera_id, oldest, at))
        if not updated:
            await tx.execute(
                "INSERT INTO watched_span(camera_id, started_at, ended_at)"
                " SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM watched_span"
                " WHERE camera_id = ? AND ended_at >= ?)", (camera_id, at, at, camera_id, at))


async def spans(db: Database, ids: list[int], lo_iso: str, hi_iso: str, *, now_iso: str,
                gap_s: float) -> dict[int, list[Interval]]:
    """Watched intervals (epoch seconds) of each camera that overlap ``[lo, hi]``.

    A span that ended less than ``gap_s`` before ``now_iso`` is still being watched: it
    runs on to now.
    """
    out: dict[int, list[Interval]] = defaultdict(list)
    now = parse_iso(now_iso).timestamp()
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
        marks = ",".join("?" * len(chunk))
        for r in await db.fetchall(
            "SELECT camera_id, started_at, ended_at FROM watched_span"  # noqa: S608
            f" WHERE camera_id IN ({marks}) AND ended_at >= ? AND started_at < ?",
            (*chunk, to_iso(parse_iso(lo_iso) - timedelta(seconds=gap_s)), hi_iso),
        ):
            start = parse_iso(r["started_at"]).timestamp()
            end = parse_iso(r["ended_at"]).timestamp()
            if now - end <= gap_s:
                end = now
            out[r["camera_id"]].append((start, end))
    return out
