"""The outbox (table ``alert_event``): written in the transaction that causes the alert.

The monitor calls :func:`enqueue_status_alerts` with its cycle's transaction, so a status
change and its alert commit together or not at all. Other domains (evidence requests,
chain verification) call :func:`enqueue_event` the same way.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from camnet.auth.scope import in_scope
from camnet.db import Database, Transaction
from camnet.monitor.status import Transition

EVENT_KINDS = (
    "camera_down", "camera_degraded", "camera_recovered", "camera_flapping", "camera_stable",
    "zone_down", "zone_ok", "watchdog", "watchdog_ok", "request_submitted", "request_approved",
    "request_rejected", "deadline_48h", "deadline_12h", "chain_failure", "test", "host_review",
)
CAMERA_KINDS = ("camera_down", "camera_degraded", "camera_recovered")


def status_event_kind(t: Transition) -> str | None:
    """Map a confirmed transition to an alert kind (``None``: nothing to tell)."""
    if t.to_status == "down":
        return "camera_down"
    if t.to_status == "degraded":
        return "camera_degraded"
    if t.to_status == "up" and t.from_status in ("down", "degraded"):
        return "camera_recovered"
    return None


async def enqueue_event(tx: Transaction, kind: str, at: str, now: str, *,
                        zone_id: int | None = None, camera_id: int | None = None,
                        request_id: int | None = None, data: dict[str, Any] | None = None,
                        dedupe_key: str | None = None) -> int:
    """Add one event to the outbox inside ``tx``; return its id (0 if deduplicated).

    Args:
        tx: the caller's transaction (the alert commits with the change).
        kind: one of :data:`EVENT_KINDS`.
        at: when it happened (UTC ISO).
        now: the current time (UTC ISO).
        zone_id: the zone it concerns (routing scope).
        camera_id: the camera, for camera events.
        request_id: the extraction request, for request events.
        data: extra plain fields shown in the message (``subject``, ``cause``…).
        dedupe_key: an event with the same key is added only once.
    """
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown alert kind {kind!r}")
    added = await tx.execute_rowcount(
        "INSERT OR IGNORE INTO alert_event(kind, zone_id, camera_id, request_id, at, data,"
        " dedupe_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, zone_id, camera_id, request_id, at, json.dumps(data or {}, ensure_ascii=False),
         dedupe_key, now),
    )
    return int(await tx.fetchval("SELECT last_insert_rowid()")) if added else 0


async def enqueue_status_alerts(tx: Transaction, transitions: Sequence[tuple[int, Transition]],
                                now: str, *, zone_down_pct: float = 30.0) -> int:
    """Write the alerts caused by a probe cycle's transitions, inside its transaction.

    Also judges each affected camera's own zone against ``zone_down_pct``: crossing
    above it adds one ``zone_down`` event, falling back adds ``zone_ok``.

    Returns:
        The number of events written.
    """
    rows = []
    for camera_id, t in transitions:
        kind = status_event_kind(t)
        if kind:
            rows.append((kind, camera_id, t.at, json.dumps({"cause": t.reason}, ensure_ascii=False),
                         now, camera_id))
    if not rows:
        return 0
    await tx.executemany(
        "INSERT INTO alert_event(kind, zone_id, camera_id, at, data, created_at)"
        " SELECT ?, p.zone_id, ?, ?, ?, ? FROM camera c JOIN camera_point p ON p.id = c.point_id"
        " WHERE c.id = ?", rows)
    return len(rows) + await _judge_zones(tx, [r[1] for r in rows], now, zone_down_pct)


async def _judge_zones(tx: Transaction, camera_ids: list[int], now: str, pct: float) -> int:
    paths: set[str] = set()
    for chunk in (camera_ids[i:i + 900] for i in range(0, len(camera_ids), 900)):
        marks = ",".join("?" * len(chunk))
        for r in await tx.fetchall(
            "SELECT DISTINCT z.path FROM camera c JOIN camera_point p ON p.id = c.point_id"
            f" JOIN zone z ON z.id = p.zone_id WHERE c.id IN ({marks})", chunk):
            paths.add(str(r["path"]))  # the camera's own zone: one message per hamlet
    written = 0
    for path in sorted(paths):
        zone = await tx.fetchone("SELECT id FROM zone WHERE path = ?", (path,))
        if zone is None:
            continue
        scope, scope_params = in_scope("z.path", path)
        counts = await tx.fetchone(
            "SELECT COUNT(*) AS total, COALESCE(SUM(s.status = 'down'), 0) AS down FROM camera c"
            " JOIN camera_point p ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id"
            " LEFT JOIN camera_status s ON s.camera_id = c.id"
            f" WHERE c.enabled = 1 AND {scope}", scope_params)
        if counts is None or not counts["total"]:
            continue
        share = 100.0 * counts["down"] / counts["total"]
        key = f"zone:{zone['id']}"
        flagged = await tx.fetchval("SELECT value FROM alert_state WHERE key = ?", (key,)) == "down"
        over = share > pct
        if over == flagged:
            continue
        await tx.execute("INSERT INTO alert_state(key, value) VALUES (?, ?) ON CONFLICT(key)"
                         " DO UPDATE SET value = excluded.value", (key, "down" if over else "ok"))
        await enqueue_event(tx, "zone_down" if over else "zone_ok", now, now, zone_id=zone["id"],
                            data={"cause": f"{share:.0f}% ({counts['down']}/{counts['total']})"})
        written += 1
    return written


async def unrouted(db: Database, limit: int = 5000) -> list[Any]:
    """Events not yet routed to recipients, oldest first."""
    return await db.fetchall("SELECT * FROM alert_event WHERE routed = 0 ORDER BY id LIMIT ?",
                             (limit,))


async def pending_count(db: Database) -> int:
    """How many outbox events wait to be routed."""
    return int(await db.fetchval("SELECT COUNT(*) FROM alert_event WHERE routed = 0") or 0)
