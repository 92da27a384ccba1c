"""Daily uptime roll-ups: a 30-day province report reads days, not raw outages.

``uptime_daily`` (migration 0120) holds the seconds of each camera and UTC day that is not
a plain day. A **plain day** — the camera existed from midnight to midnight, the monitor
watched it all day, no outage, no degraded picture, no maintenance — has no row and counts
86 400 s watched and up. Days before ``uptime_rollup_state.rolled_until`` are rolled up;
:func:`camera_seconds` reads them and computes only the window's partial first and last days
(and anything after ``rolled_until``) from the raw history, so its answer equals the raw
computation exactly (tests/monitor/test_rollup.py checks this on random histories).

Rolling (:func:`roll_up`) runs in the service every few minutes and with
``camnet uptime rollup``; it processes at most ``max_days`` days per call and only days that
ended at least ``lag_s`` ago (the monitor still extends watched spans and confirms
outages a few intervals back). Writes that change the history of rolled-up days (a
back-dated outage, a maintenance window in the past, a re-dated camera) move
``rolled_until`` back through triggers, and the next roll-up recomputes from there; until
then the report computes those days from the raw rows.
"""

from __future__ import annotations

import asyncio
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from camnet.db import Database
from camnet.intervals import Interval, merge, subtract
from camnet.monitor.uptime_raw import (
    CameraSets,
    Seconds,
    created_ts,
    measure,
    raw_seconds,
    raw_sets,
    utc,
)
from camnet.timeutil import to_iso, utcnow

DAY = 86400.0
_EPS = 1e-6
BATCH = 1000  # cameras per raw read while rolling up


def day_of(ts: float) -> str:
    """The UTC day (``YYYY-MM-DD``) holding epoch second ``ts``."""
    return utc(ts).strftime("%Y-%m-%d")


@lru_cache(maxsize=4096)
def day_start(day: str) -> float | None:
    """Epoch seconds of a UTC day's midnight, or ``None`` for the empty state's marker."""
    try:
        return datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


@dataclass(frozen=True)
class RollupState:
    """How far the roll-up has come."""

    rolled_until: str  # days before this one are rolled up ('0000-00-00': none)
    horizon: str
    dirty: bool
    updated_at: str | None


async def rollup_state(db: Database) -> RollupState:
    """Read ``uptime_rollup_state``."""
    row = await db.fetchone("SELECT rolled_until, horizon, dirty, updated_at FROM uptime_rollup_state"
                            " WHERE id = 1")
    if row is None:
        return RollupState("0000-00-00", "0000-00-00", False, None)
    return RollupState(row["rolled_until"], row["horizon"], bool(row["dirty"]), row["updated_at"])


def exception_days(sets: CameraSets, lo: float, hi: float) -> list[float]:
    """Midnights of the days in ``[lo, hi)`` that are not plain days (they get a row)."""
    if not sets.window:
        return []
    bad: list[Interval] = subtract(sets.window, sets.seen) + sets.down + sets.degraded
    begin = sets.window[0][0]
    if begin > lo and begin % DAY:
        bad.append((begin, begin + 1))  # registered that day: only part of it counts
    days: set[float] = set()
    for a, b in merge(bad):
        first = math.floor(max(a, lo) / DAY) * DAY
        last = math.ceil(min(b, hi) / DAY) * DAY
        days.update(first + i * DAY for i in range(round((last - first) / DAY)))
    return sorted(d for d in days if lo <= d < hi)


def day_rows(camera_id: int, sets: CameraSets, lo: float, hi: float
             ) -> list[tuple[int, str, float, float, float, float, float]]:
    """The ``uptime_daily`` rows of one camera over whole days ``[lo, hi)``."""
    rows = []
    for d in exception_days(sets, lo, hi):
        s = measure(sets, d, d + DAY)
        rows.append((camera_id, day_of(d), s.monitored, s.down, s.degraded, s.maintenance,
                     s.no_data))
    return rows


def _rows_of(sets: dict[int, CameraSets], lo: float, hi: float
             ) -> list[tuple[int, str, float, float, float, float, float]]:
    return [row for cam, cam_sets in sets.items() for row in day_rows(cam, cam_sets, lo, hi)]


async def roll_up(db: Database, *, now: datetime | None = None, lag_s: float = 3600.0,
                  max_days: int = 31) -> int:
    """Roll up the next days that ended at least ``lag_s`` ago; return how many days.

    Reads the raw history outside any transaction, then writes the days only if nothing
    changed their history meanwhile (the triggers set ``dirty``); otherwise it tries again
    from wherever ``rolled_until`` moved back to on the next call.
    """
    now = now or utcnow()
    state = await rollup_state(db)
    target_ts = math.floor((now.timestamp() - lag_s) / DAY) * DAY
    start_ts = day_start(state.rolled_until)
    if start_ts is None:
        first = await db.fetchval("SELECT MIN(created_at) FROM camera")
        if first is None:
            return 0
        start_ts = math.floor(created_ts(first) / DAY) * DAY
    end_ts = min(start_ts + max_days * DAY, target_ts)
    if end_ts <= start_ts:
        return 0
    start_day, end_day = day_of(start_ts), day_of(end_ts)
    async with db.transaction() as tx:
        await tx.execute("UPDATE uptime_rollup_state SET horizon = MAX(rolled_until, ?), dirty = 0"
                         " WHERE id = 1", (end_day,))
    cameras = {r["id"]: created_ts(r["created_at"]) for r in await db.fetchall(
        "SELECT id, created_at FROM camera WHERE created_at < ?", (to_iso(utc(end_ts)),))}
    ids = list(cameras)
    rows: list[tuple[int, str, float, float, float, float, float]] = []
    for chunk in (ids[i:i + BATCH] for i in range(0, len(ids), BATCH)):
        sets = await raw_sets(db, {c: cameras[c] for c in chunk}, utc(start_ts), utc(end_ts))
        rows += await asyncio.to_thread(_rows_of, sets, start_ts, end_ts)  # the loop stays free
    async with db.transaction() as tx:
        now_state = await tx.fetchone("SELECT rolled_until, dirty FROM uptime_rollup_state"
                                      " WHERE id = 1")
        expected = state.rolled_until if day_start(state.rolled_until) is not None else None
        moved = now_state is None or now_state["dirty"] or (
            expected is not None and now_state["rolled_until"] != expected)
        if moved:
            await tx.execute("UPDATE uptime_rollup_state SET horizon = rolled_until, dirty = 0"
                             " WHERE id = 1")
            return 0
        await tx.execute("DELETE FROM uptime_daily WHERE day >= ? AND day < ?", (start_day, end_day))
        await tx.executemany(
            "INSERT INTO uptime_daily(camera_id, day, monitored_s, down_s, degraded_s,"
            " maintenance_s, no_data_s) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        await tx.execute("UPDATE uptime_rollup_state SET rolled_until = ?, horizon = ?, dirty = 0,"
                         " updated_at = ? WHERE id = 1", (end_day, end_day, to_iso(utcnow())))
    return round((end_ts - start_ts) / DAY)


async def roll_up_all(db: Database, *, now: datetime | None = None, lag_s: float = 3600.0,
                      max_days: int = 31) -> int:
    """Call :func:`roll_up` until it is caught up (the backfill); return the days rolled."""
    total = 0
    for _ in range(10_000):
        done = await roll_up(db, now=now, lag_s=lag_s, max_days=max_days)
        if not done:
            state = await rollup_state(db)
            if not state.dirty:
                return total
        total += done
    return total


async def camera_seconds(db: Database, cameras: dict[int, float], start: datetime,
                         end: datetime) -> dict[int, Seconds]:
    """Each camera's :class:`Seconds` over ``[start, end]``: roll-ups inside, raw at the edges.

    Args:
        db: the database.
        cameras: camera id → registration time (epoch seconds).
        start: the window's start (aware).
        end: the window's end (aware).
    """
    state = await rollup_state(db)
    rolled = day_start(state.rolled_until)
    lo, hi = start.timestamp(), end.timestamp()
    r0 = math.ceil(lo / DAY) * DAY
    r1 = min(math.floor(hi / DAY) * DAY, rolled if rolled is not None else -math.inf)
    if r1 <= r0 or not cameras:
        return await raw_seconds(db, cameras, start, end)
    head = await raw_seconds(db, cameras, start, utc(r0))
    tail = await raw_seconds(db, cameras, utc(r1), end)
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0] * 6)
    ids = sorted(cameras)
    found = []
    for chunk in (ids[i:i + 2000] for i in range(0, len(ids), 2000)):
        # per day, one seek to the chunk's id range (the key is day, camera_id); ids of the
        # range outside the report's scope are dropped here
        found += [r for r in await db.fetchall(
            "SELECT camera_id, day, monitored_s, down_s, degraded_s, maintenance_s, no_data_s"
            " FROM uptime_daily WHERE day >= ? AND day < ? AND camera_id BETWEEN ? AND ?",
            (day_of(r0), day_of(r1), chunk[0], chunk[-1])) if r["camera_id"] in cameras]
    for r in found:
        acc = sums[r["camera_id"]]
        acc[0] += r["monitored_s"]
        acc[1] += r["down_s"]
        acc[2] += r["degraded_s"]
        acc[3] += r["maintenance_s"]
        acc[4] += r["no_data_s"]
        start_of_day = day_start(r["day"])
        if start_of_day is not None and start_of_day >= cameras[r["camera_id"]]:
            acc[5] += 1  # a whole day of its life that is not plain
    out = {}
    for cam, begin in cameras.items():
        acc = sums.get(cam, [0.0] * 6)
        first_whole = max(r0, math.ceil(begin / DAY) * DAY)
        whole_days = max(0, round((r1 - first_whole) / DAY))
        plain = max(0, whole_days - int(acc[5]))
        middle = Seconds(acc[0] + plain * DAY, acc[1], acc[2], acc[3], acc[4])
        out[cam] = head[cam] + middle + tail[cam]
    return out


async def run_forever(db: Database, *, interval_s: float, lag_s: float, max_days: int) -> None:
    """Roll up every ``interval_s`` (after a first run at once, the backfill); never raises.

    Cancel the task to stop it; a failed run is logged and retried at the next interval.
    """
    import logging

    log = logging.getLogger(__name__)
    while True:
        try:
            for _ in range(10_000):  # a backfill goes on chunk by chunk
                if not await roll_up(db, lag_s=lag_s, max_days=max_days):
                    break
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - logged; the report stays exact without it
            log.exception("uptime roll-up failed; retrying in %.0f s", interval_s)
        await asyncio.sleep(interval_s)
