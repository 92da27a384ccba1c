"""The monitor's cycle writes: status, changes, outages, snapshots and the cycle row.

Owns the SQL that a probe cycle runs on ``camera_status``, ``status_change``, ``outage``,
``snapshot`` and ``probe_cycle`` (maintenance is read through
:mod:`camnet.monitor.maintenance`).

All of a cycle's writes go through :func:`record_cycle` in the cycle's one transaction.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from typing import Any, Literal

from camnet.db import Database, Transaction
from camnet.monitor.maintenance import in_maintenance_now
from camnet.monitor.notify import StatusEvent
from camnet.monitor.outcomes import CycleReport
from camnet.secretstore import mask_text
from camnet.timeutil import to_iso, utcnow

# What a cycle needs of each stored row (not the picture detail JSON: 50,000 of those
# held through a cycle were tens of MB).
STATE_COLUMNS = ("camera_id, status, since, cause, fail_streak, ok_streak, streak_since,"
                 " health, picture, last_grab_at, tier2_next_at, last_result, cycles_since_grab")


async def load_states(db: Database, ids: list[int]) -> dict[int, sqlite3.Row]:
    """The stored ``camera_status`` row (:data:`STATE_COLUMNS`) of each camera that has one."""
    rows: dict[int, Any] = {}
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
        marks = ",".join("?" * len(chunk))
        for r in await db.fetchall(
            f"SELECT {STATE_COLUMNS} FROM camera_status WHERE camera_id IN ({marks})",  # noqa: S608
            chunk,
        ):
            rows[r["camera_id"]] = r
    return rows


async def cameras_in_maintenance(db: Database, ids: list[int]) -> set[int]:
    """Which of ``ids`` are inside a maintenance window right now (camera, point or zone)."""
    return await in_maintenance_now(db, ids)


async def record_cycle(tx: Transaction, report: CycleReport, stored: dict[int, Any],
                       *, cycle_retention_days: float | None = None,
                       part: Literal["all", "changes", "routine"] = "all") -> None:
    """Write everything tier 1 learnt in a cycle: status rows, transitions, outages, the cycle.

    Each table gets one batched statement (``executemany``), so a district-wide change of
    thousands of cameras is a handful of statements in the cycle's one transaction.
    ``stored`` (the rows read at the cycle's start) is kept for hooks that need the state
    before the cycle. With ``cycle_retention_days``, ``probe_cycle`` rows that started
    longer ago than that are deleted in the same transaction (see :func:`prune_cycles`).

    ``part`` splits the write in two for the service (see ``MonitorService._run``):
    ``changes`` writes only the cameras whose status changed (their status rows, changes
    and outages) so a district-wide change commits with its alerts in well under a second;
    ``routine`` writes the rest (every other camera's status row, the cycle row).
    """
    status_rows = []
    changes: list[tuple[int, str, str | None, str, str]] = []
    opened: list[tuple[int, str, str]] = []
    closed: list[tuple[str, int]] = []
    for i, o in enumerate(report.outcomes):
        if i % YIELD_EVERY == YIELD_EVERY - 1:
            await asyncio.sleep(0)  # 50,000 rows: let /healthz in between
        assert o.state is not None  # noqa: S101 - set in _run
        camera_id = o.target.camera_id
        if (part == "changes" and o.transition is None) or (
                part == "routine" and o.transition is not None):
            continue
        status_rows.append((
            camera_id, o.state.status, o.state.since, o.state.cause,
            o.state.fail_streak, o.state.ok_streak, o.state.streak_since, o.at,
            str(o.result.status), mask_text(o.result.detail), o.result.latency_ms,
            o.result.rtsp_code,
        ))
        if o.transition:
            t = o.transition
            changes.append((camera_id, t.at, t.from_status, t.to_status, t.reason))
            if t.outage_started_at:
                opened.append((camera_id, t.outage_started_at, t.reason))
            if t.outage_ended_at:
                closed.append((t.outage_ended_at, camera_id))
    await executemany_chunked(
        tx, "INSERT INTO status_change(camera_id, at, from_status, to_status, reason)"
        " VALUES (?, ?, ?, ?, ?)", changes)
    # closed before opened: a camera's new outage must not be closed by its old one's end
    await executemany_chunked(
        tx, "UPDATE outage SET ended_at = ? WHERE camera_id = ? AND ended_at IS NULL", closed)
    await executemany_chunked(
        tx, "INSERT OR IGNORE INTO outage(camera_id, started_at, cause) VALUES (?, ?, ?)",
        opened)
    # Only the tier-1 columns: the picture ones belong to tier 2 (monitor/tier2_store.py),
    # which writes them on its own schedule.
    await executemany_chunked(
        tx,
        "INSERT INTO camera_status(camera_id, status, since, cause, fail_streak, ok_streak,"
        " streak_since, last_probe_at, last_result, last_detail, last_latency_ms,"
        " last_rtsp_code, cycles_since_grab) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
        " ON CONFLICT(camera_id) DO UPDATE SET status = excluded.status,"
        " since = excluded.since, cause = excluded.cause, fail_streak = excluded.fail_streak,"
        " ok_streak = excluded.ok_streak, streak_since = excluded.streak_since,"
        " last_probe_at = excluded.last_probe_at, last_result = excluded.last_result,"
        " last_detail = excluded.last_detail, last_latency_ms = excluded.last_latency_ms,"
        " last_rtsp_code = excluded.last_rtsp_code,"
        " cycles_since_grab = camera_status.cycles_since_grab + 1",
        status_rows,
    )
    if part == "changes":
        return
    finished = utcnow()
    await tx.execute(
        "INSERT INTO probe_cycle(started_at, finished_at, duration_ms, cameras, completed,"
        " grabbed, changes) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (report.started_at, to_iso(finished), report.duration_ms, report.cameras,
         report.completed, report.grabbed, len(report.transitions)),
    )
    if cycle_retention_days is not None:
        await prune_cycles(tx, to_iso(finished - timedelta(days=cycle_retention_days)))


WRITE_CHUNK = 5000
YIELD_EVERY = 2000  # rows built between two turns of the event loop


async def executemany_chunked(tx: Transaction, sql: str, rows: list[Any]) -> None:
    """``executemany`` in chunks of :data:`WRITE_CHUNK` rows, yielding to the loop between.

    Still one transaction; the event loop gets a turn between chunks, so ``/healthz`` and
    the probes in flight are not held up by a 50,000-row write.
    """
    for i in range(0, len(rows), WRITE_CHUNK):
        await tx.executemany(sql, rows[i:i + WRITE_CHUNK])
        await asyncio.sleep(0)


async def prune_cycles(tx: Transaction, before: str) -> int:
    """Delete ``probe_cycle`` rows that started before ``before`` (ISO UTC); the newest stays.

    The newest row is never deleted, so ``MAX(id)`` keeps counting cycles ever recorded
    (ids are never reused while a row with a higher id exists).

    Returns:
        How many rows were deleted.
    """
    return await tx.execute_rowcount(
        "DELETE FROM probe_cycle WHERE started_at < ?"
        " AND id < (SELECT MAX(id) FROM probe_cycle)", (before,))


async def status_events(db: Database, report: CycleReport) -> list[StatusEvent]:
    """The cycle's confirmed changes as events, with camera, point and zone names."""
    changed = report.transitions
    if not changed:
        return []
    ids = [o.target.camera_id for o, _ in changed]
    names: dict[int, Any] = {}
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):  # a province-wide change
        marks = ",".join("?" * len(chunk))                            # fits no single IN (...)
        for r in await db.fetchall(
            "SELECT c.id, c.name, p.name AS point, z.code FROM camera c"
            " JOIN camera_point p ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id"
            f" WHERE c.id IN ({marks})", chunk,  # noqa: S608
        ):
            names[r["id"]] = r
    events = []
    for i, (o, t) in enumerate(changed):
        if i % YIELD_EVERY == YIELD_EVERY - 1:
            await asyncio.sleep(0)  # a province-wide change: let /healthz in between
        row = names.get(o.target.camera_id)
        if row is not None:
            events.append(StatusEvent(o.target.camera_id, row["name"], row["point"], row["code"],
                                      t.from_status, t.to_status, t.at, t.reason))
    return events
