"""Monitoring coverage: when the monitor actually watched each camera (``watched_span``).

Every cycle extends each probed camera's latest span to the time of its probe when the
span ended at most ``gap_s`` before (about two intervals); otherwise it opens a new span.
Whatever lies outside every span — the service stopped, killed with ``kill -9``, or not
yet installed — is "no data", never "up". A camera watched without a break has one row.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import timedelta

from camnet.db import Database, Transaction
from camnet.intervals import Interval
from camnet.monitor.outcomes import CycleReport
from camnet.monitor.store import YIELD_EVERY, executemany_chunked
from camnet.timeutil import parse_iso, to_iso


async def extend(tx: Transaction, report: CycleReport, *, gap_s: float) -> None:
    """Record that this cycle watched its cameras (inside the cycle's transaction).

    Two batched statements, whatever the number of cameras: first every camera's latest
    span is extended when it ended at most ``gap_s`` before the probe; then a span is
    opened for each camera that still has none reaching its probe (the ones just extended
    do, so they are skipped).
    """
    extend_rows = []
    open_rows = []
    for i, o in enumerate(report.outcomes):
        if i % YIELD_EVERY == YIELD_EVERY - 1:
            await asyncio.sleep(0)
        camera_id, at = o.target.camera_id, o.at
        oldest = to_iso(parse_iso(at) - timedelta(seconds=gap_s))
        extend_rows.append((at, camera_id, oldest, at))
        open_rows.append((camera_id, at, at, camera_id, at))
    if not extend_rows:
        return
    await executemany_chunked(
        tx, "UPDATE watched_span SET ended_at = ? WHERE id = (SELECT id FROM watched_span"
        " WHERE camera_id = ? ORDER BY ended_at DESC LIMIT 1) AND ended_at >= ?"
        " AND ended_at <= ?", extend_rows)
    await executemany_chunked(
        tx, "INSERT INTO watched_span(camera_id, started_at, ended_at)"
        " SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM watched_span"
        " WHERE camera_id = ? AND ended_at >= ?)", open_rows)


async def spans(db: Database, ids: list[int], lo_iso: str, hi_iso: str
                ) -> dict[int, list[Interval]]:
    """Watched intervals (epoch seconds) of each camera that overlap ``[lo, hi]``.

    A span runs from the first to the last probe of an unbroken run of cycles; the time
    since the latest probe is not counted until the next probe extends it.
    """
    out: dict[int, list[Interval]] = defaultdict(list)
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
        marks = ",".join("?" * len(chunk))
        for r in await db.fetchall(
            "SELECT camera_id, started_at, ended_at FROM watched_span"  # noqa: S608
            f" WHERE camera_id IN ({marks}) AND ended_at > ? AND started_at < ?",
            (*chunk, lo_iso, hi_iso),
        ):
            out[r["camera_id"]].append((parse_iso(r["started_at"]).timestamp(),
                                        parse_iso(r["ended_at"]).timestamp()))
    return out


async def degraded_intervals(db: Database, ids: list[int], lo_iso: str, hi_iso: str
                             ) -> dict[int, list[Interval]]:
    """When each camera was confirmed ``degraded`` inside ``[lo, hi]`` (from ``status_change``)."""
    out: dict[int, list[Interval]] = defaultdict(list)
    lo, hi = parse_iso(lo_iso).timestamp(), parse_iso(hi_iso).timestamp()
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
        marks = ",".join("?" * len(chunk))
        before = await db.fetchall(  # the status at the window's start: the last change before
            # (one index seek per camera; a GROUP BY max(at) would read each camera's history)
            "SELECT id AS camera_id, (SELECT to_status FROM status_change s"  # noqa: S608
            " WHERE s.camera_id = camera.id AND s.at <= ? ORDER BY s.at DESC, s.id DESC LIMIT 1)"
            f" AS to_status FROM camera WHERE id IN ({marks})", (lo_iso, *chunk))
        inside = await db.fetchall(
            "SELECT camera_id, at, to_status FROM status_change"  # noqa: S608
            f" WHERE camera_id IN ({marks}) AND at > ? AND at < ? ORDER BY camera_id, at, id",
            (*chunk, lo_iso, hi_iso))
        opened: dict[int, float] = {r["camera_id"]: lo for r in before
                                    if r["to_status"] == "degraded"}
        for r in inside:
            at = parse_iso(r["at"]).timestamp()
            cam = r["camera_id"]
            if cam in opened and r["to_status"] != "degraded":
                out[cam].append((opened.pop(cam), at))
            elif cam not in opened and r["to_status"] == "degraded":
                opened[cam] = at
        for cam, start in opened.items():
            out[cam].append((start, hi))
    return out
