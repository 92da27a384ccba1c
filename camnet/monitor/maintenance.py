"""Maintenance windows: for a camera, a point or a zone; one-off or weekly; cancellable.

Owns the ``maintenance_window`` table. A window excludes only its own time: the status
machine never back-dates it (see :func:`camnet.monitor.status.advance`), and reports cut
each occurrence to the report's window. A weekly window repeats at the same *local* wall
time (``ui.timezone``) every 7 days until ``repeat_until``. Cancelling keeps what already
happened: every occurrence is cut at ``cancelled_at``.

:func:`occurrences` is pure; the rest are thin store functions.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from camnet import audit
from camnet.auth.principal import Principal
from camnet.auth.scope import in_scope
from camnet.db import Database, Transaction
from camnet.errors import InvalidInput, NotFound
from camnet.intervals import Interval
from camnet.registry.cameras import get_camera_row
from camnet.registry.points import get_point_row
from camnet.registry.zones import get_zone_row
from camnet.timeutil import display_timezone, now_iso, parse_iso, to_iso, utcnow

Target = Literal["camera", "point", "zone"]
WEEK = timedelta(days=7)


def occurrences(starts: datetime, ends: datetime, *, weekly: bool, repeat_until: datetime | None,
                cancelled_at: datetime | None, lo: datetime, hi: datetime,
                tz: ZoneInfo | None = None) -> list[tuple[datetime, datetime]]:
    """The parts of a window's occurrences inside ``[lo, hi)``, cut at ``cancelled_at``.

    Pure. A weekly window repeats at the same local wall time of ``tz`` every 7 days.
    """
    tz = tz or display_timezone()
    length = ends - starts
    found: list[tuple[datetime, datetime]] = []
    if not weekly:
        candidates = [(starts, ends)]
    else:
        candidates = []
        local = starts.astimezone(tz)
        k = max(0, int((lo - ends) / WEEK) - 1)
        while True:
            s = (local + k * WEEK).astimezone(UTC)
            if s >= hi or (repeat_until is not None and s >= repeat_until):
                break
            candidates.append((s, s + length))
            k += 1
    for s, e in candidates:
        if cancelled_at is not None:
            e = min(e, cancelled_at)
        s, e = max(s, lo), min(e, hi)
        if e > s:
            found.append((s, e))
    return found


@dataclass(frozen=True)
class Window:
    """A maintenance window as listed."""

    id: int
    target: Target
    target_id: int
    target_label: str
    starts_at: str
    ends_at: str
    weekly: bool
    repeat_until: str | None
    cancelled_at: str | None
    reason: str
    created_by: str

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON."""
        return dict(self.__dict__)


_LIST = (
    "SELECT * FROM (SELECT mw.*, COALESCE(zc.path, zp.path, zz.path) AS zone_path,"
    " COALESCE(cp.name || ' / ' || c.name, p.name, zz.name) AS label"
    " FROM maintenance_window mw"
    " LEFT JOIN camera c ON c.id = mw.camera_id"
    " LEFT JOIN camera_point cp ON cp.id = c.point_id LEFT JOIN zone zc ON zc.id = cp.zone_id"
    " LEFT JOIN camera_point p ON p.id = mw.point_id LEFT JOIN zone zp ON zp.id = p.zone_id"
    " LEFT JOIN zone zz ON zz.id = mw.zone_id) w"
)


def _window(r: sqlite3.Row) -> Window:
    target: Target = "camera" if r["camera_id"] else "point" if r["point_id"] else "zone"
    target_id = r["camera_id"] or r["point_id"] or r["zone_id"]
    return Window(r["id"], target, int(target_id), r["label"] or "", r["starts_at"], r["ends_at"],
                  bool(r["weekly"]), r["repeat_until"], r["cancelled_at"], r["reason"],
                  r["created_by"])


def _times(starts_at: str, ends_at: str, weekly: bool) -> tuple[str, str]:
    try:
        start, end = parse_iso(starts_at), parse_iso(ends_at)
    except ValueError as exc:
        raise InvalidInput(f"not an ISO-8601 time: {exc}", "starts_at") from exc
    if end <= start:
        raise InvalidInput("maintenance must end after it starts", "ends_at")
    if weekly and end - start >= WEEK:
        raise InvalidInput("a weekly window must be shorter than a week", "ends_at")
    return to_iso(start), to_iso(end)


async def _target_column(tx: Database | Transaction, actor: Principal, target: Target,
                         target_id: int) -> str:
    if target == "camera":
        await get_camera_row(tx, actor, target_id, field="camera_id")
    elif target == "point":
        await get_point_row(tx, actor, target_id, field="point_id")
    else:
        await get_zone_row(tx, actor, zone_id=target_id, field="zone_id")
    return f"{target}_id"


async def add_window(db: Database, actor: Principal, *, target: Target, target_id: int,
                     starts_at: str, ends_at: str, reason: str = "", weekly: bool = False,
                     repeat_until: str | None = None) -> int:
    """Schedule maintenance for a camera, a point or a zone in the caller's scope."""
    actor.require("monitor.write")
    start, end = _times(starts_at, ends_at, weekly)
    until = _until(repeat_until)
    async with db.transaction() as tx:
        column = await _target_column(tx, actor, target, target_id)
        window_id = await tx.execute(
            f"INSERT INTO maintenance_window({column}, starts_at, ends_at, weekly, repeat_until,"  # noqa: S608
            " reason, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (target_id, start, end, int(weekly), until, reason, actor.username))
        await audit.record(tx, actor, "create", "maintenance_window", window_id, None,
                           {"target": target, "target_id": target_id, "starts_at": start,
                            "ends_at": end, "weekly": weekly, "repeat_until": until,
                            "reason": reason})
    return window_id


def _until(repeat_until: str | None) -> str | None:
    if not repeat_until:
        return None
    try:
        return to_iso(parse_iso(repeat_until))
    except ValueError as exc:
        raise InvalidInput(f"not an ISO-8601 time: {exc}", "repeat_until") from exc


async def list_windows(db: Database, actor: Principal, *, include_past: bool = False
                       ) -> list[Window]:
    """Maintenance windows whose camera, point or zone lies in the caller's scope.

    By default only windows not cancelled and not over (a weekly one is over after
    ``repeat_until``).
    """
    actor.require("monitor.read")
    scope, params = in_scope("w.zone_path", actor.zone_path)
    where = ""
    args: list[object] = [*params]
    if not include_past:
        now = now_iso()
        where = (" AND w.cancelled_at IS NULL AND (w.ends_at > ? OR (w.weekly = 1 AND"
                 " (w.repeat_until IS NULL OR w.repeat_until > ?)))")
        args += [now, now]
    rows = await db.fetchall(f"{_LIST} WHERE {scope}{where} ORDER BY w.starts_at, w.id", args)
    return [_window(r) for r in rows]


async def _get(tx: Database | Transaction, actor: Principal, window_id: int) -> sqlite3.Row:
    scope, params = in_scope("w.zone_path", actor.zone_path)
    row = await tx.fetchone(f"{_LIST} WHERE w.id = ? AND {scope}", (window_id, *params))
    if row is None:
        raise NotFound("maintenance window does not exist or is outside your zone", "id")
    return row


async def update_window(db: Database, actor: Principal, window_id: int, *,
                        starts_at: str | None = None, ends_at: str | None = None,
                        reason: str | None = None, repeat_until: str | None = None) -> Window:
    """Change a window's times, reason or weekly end; a cancelled window cannot change."""
    actor.require("monitor.write")
    async with db.transaction() as tx:
        row = await _get(tx, actor, window_id)
        if row["cancelled_at"]:
            raise InvalidInput("this maintenance window was cancelled", "id")
        start, end = _times(starts_at or row["starts_at"], ends_at or row["ends_at"],
                            bool(row["weekly"]))
        until = _until(repeat_until) if repeat_until is not None else row["repeat_until"]
        new_reason = row["reason"] if reason is None else reason
        await tx.execute(
            "UPDATE maintenance_window SET starts_at = ?, ends_at = ?, reason = ?,"
            " repeat_until = ? WHERE id = ?", (start, end, new_reason, until, window_id))
        await audit.record(tx, actor, "update", "maintenance_window", window_id,
                           {"starts_at": row["starts_at"], "ends_at": row["ends_at"],
                            "reason": row["reason"], "repeat_until": row["repeat_until"]},
                           {"starts_at": start, "ends_at": end, "reason": new_reason,
                            "repeat_until": until})
        return _window(await _get(tx, actor, window_id))


async def cancel_window(db: Database, actor: Principal, window_id: int) -> Window:
    """Cancel a window now: what already happened stays maintenance, nothing after it."""
    actor.require("monitor.write")
    async with db.transaction() as tx:
        row = await _get(tx, actor, window_id)
        if row["cancelled_at"]:
            raise InvalidInput("this maintenance window was already cancelled", "id")
        await tx.execute("UPDATE maintenance_window SET cancelled_at = ? WHERE id = ?",
                         (now_iso(), window_id))
        await audit.record(tx, actor, "cancel", "maintenance_window", window_id, None, None)
        return _window(await _get(tx, actor, window_id))


@dataclass(frozen=True)
class Covering:
    """A window covering a camera now (for the board): why and until when."""

    window_id: int
    reason: str
    until: str


async def windows_for(db: Database, ids: list[int], lo: datetime, hi: datetime
                      ) -> tuple[dict[int, list[Interval]], dict[int, Covering]]:
    """Maintenance time of each camera inside ``[lo, hi)``, and what covers ``hi - 1 s``.

    Returns:
        ``(intervals, covering)``: epoch-second intervals per camera id (unmerged), and for
        cameras in maintenance at ``hi - 1 s`` the window's reason and the end of that
        occurrence (UTC ISO).
    """
    intervals: dict[int, list[Interval]] = defaultdict(list)
    covering: dict[int, Covering] = {}
    if not ids:
        return intervals, covering
    lo_iso, hi_iso = to_iso(lo), to_iso(hi)
    rows = await db.fetchall(
        "SELECT mw.*, z.path AS zone_path FROM maintenance_window mw"
        " LEFT JOIN zone z ON z.id = mw.zone_id WHERE mw.starts_at < ?"
        " AND (mw.cancelled_at IS NULL OR mw.cancelled_at > ?)"
        " AND (mw.ends_at > ? OR (mw.weekly = 1 AND (mw.repeat_until IS NULL"
        " OR mw.repeat_until > ?)))", (hi_iso, lo_iso, lo_iso, to_iso(lo - WEEK)))
    if not rows:
        return intervals, covering
    wanted = set(ids)
    points = await _points_of(db, ids)
    now_edge = hi - timedelta(seconds=1)
    for r in rows:
        if r["camera_id"] is not None:
            covered = {r["camera_id"]} & wanted
        elif r["point_id"] is not None:
            covered = {c for c in wanted if points.get(c) == r["point_id"]}
        else:
            covered = await _cameras_in_zone(db, r["zone_path"], wanted)
        if not covered:
            continue
        parts = occurrences(
            parse_iso(r["starts_at"]), parse_iso(r["ends_at"]), weekly=bool(r["weekly"]),
            repeat_until=parse_iso(r["repeat_until"]) if r["repeat_until"] else None,
            cancelled_at=parse_iso(r["cancelled_at"]) if r["cancelled_at"] else None,
            lo=lo, hi=hi)
        for cam in covered:
            intervals[cam].extend((s.timestamp(), e.timestamp()) for s, e in parts)
            for s, e in parts:
                if s <= now_edge < e:
                    full_end = e if e < hi else _occurrence_end(r, s)
                    covering[cam] = Covering(r["id"], r["reason"], to_iso(full_end))
    return intervals, covering


def _occurrence_end(r: sqlite3.Row, part_start: datetime) -> datetime:
    """The real end of the occurrence that contains ``part_start`` (not cut by a query)."""
    starts, ends = parse_iso(r["starts_at"]), parse_iso(r["ends_at"])
    found = occurrences(starts, ends, weekly=bool(r["weekly"]),
                        repeat_until=parse_iso(r["repeat_until"]) if r["repeat_until"] else None,
                        cancelled_at=parse_iso(r["cancelled_at"]) if r["cancelled_at"] else None,
                        lo=part_start, hi=part_start + (ends - starts) + timedelta(seconds=1))
    return found[0][1] if found else part_start


async def _points_of(db: Database, ids: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
        marks = ",".join("?" * len(chunk))
        for r in await db.fetchall(
                f"SELECT id, point_id FROM camera WHERE id IN ({marks})", chunk):  # noqa: S608
            out[r["id"]] = r["point_id"]
    return out


async def _cameras_in_zone(db: Database, zone_path: str, wanted: set[int]) -> set[int]:
    scope, params = in_scope("z.path", zone_path)
    rows = await db.fetchall(
        "SELECT c.id FROM camera c JOIN camera_point p ON p.id = c.point_id"
        f" JOIN zone z ON z.id = p.zone_id WHERE {scope}", params)  # noqa: S608
    return {r["id"] for r in rows} & wanted


async def in_maintenance_now(db: Database, ids: list[int]) -> set[int]:
    """Which of ``ids`` a maintenance window covers right now."""
    now = utcnow()
    intervals, _ = await windows_for(db, ids, now, now + timedelta(seconds=1))
    return set(intervals)


async def covering_now(db: Database, ids: list[int]) -> dict[int, Covering]:
    """For each of ``ids`` in maintenance now: the window's reason and when it ends."""
    now = utcnow()
    _, covering = await windows_for(db, ids, now, now + timedelta(seconds=1))
    return covering
