"""Routing: outbox events → per-recipient pending items, with flap damping and maintenance.

Owns ``alert_flap`` and the per-recipient rows of ``alert_pending``. Runs in one
transaction per pass, so an event is routed exactly once even across crashes.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from camnet.alerts.grouping import Item, is_flapping, is_stable
from camnet.alerts.outbox import enqueue_event, unrouted
from camnet.alerts.recipients import Directory, Recipient, recipients_for
from camnet.config import AlertsConfig
from camnet.db import Database
from camnet.timeutil import parse_iso, to_iso

CAMERA_EVENT_KINDS = frozenset({"camera_down", "camera_degraded", "camera_recovered"})


def group_key(recipient: Recipient, zone_id: int | None) -> str:
    """The grouping key: one recipient, one zone."""
    return f"{recipient.key}|{zone_id or 0}"


async def _camera_info(db: Database, ids: list[int]) -> dict[int, Any]:
    info: dict[int, Any] = {}
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
        marks = ",".join("?" * len(chunk))
        for r in await db.fetchall(
            "SELECT c.id, c.name, c.point_id, p.name AS point, p.zone_id, z.name AS zone, z.path"
            " FROM camera c JOIN camera_point p ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id"
            f" WHERE c.id IN ({marks})", chunk):
            info[r["id"]] = r
    return info


async def route_pending(db: Database, cfg: AlertsConfig, directory: Directory, now: datetime
                        ) -> int:
    """Route every unrouted outbox event; return how many were routed."""
    events = await unrouted(db)
    if not events:
        return 0
    now_s = to_iso(now)
    cam_ids = sorted({e["camera_id"] for e in events if e["camera_id"] is not None})
    cams = await _camera_info(db, cam_ids)
    zones = {r["id"]: r for r in await db.fetchall("SELECT id, name, path FROM zone")}
    earliest = min(parse_iso(e["at"]) for e in events) - timedelta(seconds=cfg.flap_window_s)
    changes: dict[int, list[datetime]] = {}
    muted: set[int] = set()
    for chunk in (cam_ids[i:i + 900] for i in range(0, len(cam_ids), 900)):
        marks = ",".join("?" * len(chunk))
        for r in await db.fetchall(
            f"SELECT camera_id, at FROM status_change WHERE camera_id IN ({marks}) AND at > ?",
            [*chunk, to_iso(earliest)]):
            changes.setdefault(r["camera_id"], []).append(parse_iso(r["at"]))
        for r in await db.fetchall(
            f"SELECT DISTINCT camera_id FROM maintenance_window WHERE camera_id IN ({marks})"
            " AND starts_at <= ? AND ends_at > ?", [*chunk, now_s, now_s]):
            muted.add(r["camera_id"])
    rows: list[tuple[Any, ...]] = []
    async with db.transaction() as tx:
        flapping: set[int] = {r["camera_id"] for r in await tx.fetchall("SELECT camera_id FROM alert_flap")}
        for e in events:
            kind = e["kind"]
            data = json.loads(e["data"] or "{}")
            cam = cams.get(e["camera_id"]) if e["camera_id"] is not None else None
            if cam is not None and kind in CAMERA_EVENT_KINDS:
                if cam["id"] in muted:
                    continue  # maintenance mutes what it covers
                at = parse_iso(e["at"])
                if cam["id"] in flapping:
                    await tx.execute("UPDATE alert_flap SET last_change_at = ? WHERE camera_id = ?",
                                     (e["at"], cam["id"]))
                    continue  # one summary only while it flaps
                if is_flapping(changes.get(cam["id"], []), at, threshold=cfg.flap_transitions,
                               window_s=cfg.flap_window_s):
                    await tx.execute("INSERT OR REPLACE INTO alert_flap(camera_id, since,"
                                     " last_change_at) VALUES (?, ?, ?)", (cam["id"], e["at"], e["at"]))
                    flapping.add(cam["id"])
                    kind = "camera_flapping"
            zone_id = cam["zone_id"] if cam is not None else e["zone_id"]
            zone = zones.get(zone_id)
            path = cam["path"] if cam is not None else (zone["path"] if zone else "/")
            item = Item(
                id=e["id"], kind=kind, at=e["at"], created_at=e["created_at"], camera_id=e["camera_id"],
                subject=str(data.get("subject") or (cam["name"] if cam is not None else "")),
                place=str(data.get("place") or (cam["point"] if cam is not None else "")),
                zone_name=str(zone["name"]) if zone else "camnet",
                cause=str(data.get("cause", "")),
                link=(f"/api/v1/cameras/{cam['id']}/status" if cam is not None else
                      f"/requests/{e['request_id']}" if e["request_id"] else str(data.get("link", ""))),
            )
            personal = tuple(str(u) for u in data.get("personal", []))
            targets = recipients_for(directory, kind, path,
                                     point_id=cam["point_id"] if cam is not None else None,
                                     personal=personal,
                                     roles=tuple(str(r) for r in data.get("roles", [])),
                                     host_quiet=(cfg.host_quiet_start, cfg.host_quiet_end),
                                     direct=tuple((str(c), str(a)) for c, a in data.get("direct", [])))
            if kind == "test":
                targets = [Recipient(**data["recipient"])]
            for target in targets:
                rows.append((group_key(target, zone_id), e["id"], json.dumps(asdict(target)),
                             json.dumps(asdict(item), ensure_ascii=False), e["created_at"]))
        await tx.executemany(
            "INSERT OR IGNORE INTO alert_pending(group_key, event_id, recipient, item, created_at)"
            " VALUES (?, ?, ?, ?, ?)", rows)
        last = events[-1]["id"]
        await tx.execute("UPDATE alert_event SET routed = 1 WHERE routed = 0 AND id <= ?", (last,))
    return len(events)


async def clear_stable(db: Database, cfg: AlertsConfig, now: datetime) -> int:
    """End flapping for cameras still for ``flap_stable_s``: one ``camera_stable`` event each."""
    now_s = to_iso(now)
    cleared = 0
    flaps = await db.fetchall("SELECT * FROM alert_flap")
    if not any(is_stable(parse_iso(r["last_change_at"]), now, stable_s=cfg.flap_stable_s)
               for r in flaps):
        return 0  # nothing to clear: no write transaction
    async with db.transaction() as tx:
        for r in await tx.fetchall("SELECT * FROM alert_flap"):
            if not is_stable(parse_iso(r["last_change_at"]), now, stable_s=cfg.flap_stable_s):
                continue
            status = await tx.fetchval("SELECT status FROM camera_status WHERE camera_id = ?",
                                       (r["camera_id"],))
            await tx.execute("DELETE FROM alert_flap WHERE camera_id = ?", (r["camera_id"],))
            await enqueue_event(tx, "camera_stable", now_s, now_s, camera_id=r["camera_id"],
                                data={"cause": str(status or "")})
            cleared += 1
    return cleared
