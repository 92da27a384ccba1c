"""Read side of the monitor: a camera's status, history, outages, snapshot; recent cycles."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from camnet.auth.principal import Principal
from camnet.db import Database
from camnet.errors import InvalidInput
from camnet.monitor import tier2_store
from camnet.registry.cameras import get_camera_row
from camnet.timeutil import now_iso, parse_iso, to_iso


@dataclass(frozen=True)
class BoardCamera:
    """One camera on the status board."""

    id: int
    name: str
    enabled: bool
    point_name: str
    address: str
    zone_code: str
    zone_name: str
    status: str
    since: str | None
    cause: str | None
    health: str | None
    last_probe_at: str | None
    snapshot_at: str | None
    busy: bool = False  # up, but answered 503: all viewing slots in use
    maintenance_reason: str | None = None
    maintenance_until: str | None = None
    tier2_cause: str | None = None  # why the last frame check got no frame (tcp_refused …)
    monitored: bool = True  # False: no stream address (e.g. imported from OSM), never probed

    @property
    def shown_cause(self) -> str | None:
        """The cause to show: the frame check's own reason when tier 2 got no frame."""
        return self.tier2_cause if self.cause == "no_frame" and self.tier2_cause else self.cause


async def camera_status(db: Database, actor: Principal, camera_id: int, *, limit: int = 50
                        ) -> dict[str, Any]:
    """Return current status, last probe and frame check, recent changes and outages."""
    actor.require("monitor.read")
    await get_camera_row(db, actor, camera_id)
    row = await db.fetchone("SELECT * FROM camera_status WHERE camera_id = ?", (camera_id,))
    current: dict[str, Any] = {"status": "unknown"}
    if row is not None:
        current = {k: row[k] for k in row.keys() if k != "camera_id"}
        current["tier2_transport"] = await tier2_store.stored_transport(db, camera_id)
        current["health_detail"] = json.loads(row["health_detail"]) if row["health_detail"] else None
        if current.get("last_result") in ("protocol_error", "not_rtsp") and not actor.can("system.read"):
            # whatever answered (an SSH or HTTP banner…) is the admin's to see: camnet is not a
            # port scanner for everyone with a login
            current["last_detail"] = "not an RTSP camera"
    changes = await db.fetchall(
        "SELECT at, from_status, to_status, reason FROM status_change WHERE camera_id = ?"
        " ORDER BY at DESC, id DESC LIMIT ?", (camera_id, limit))
    outages = await db.fetchall(
        "SELECT id, started_at, ended_at, cause FROM outage WHERE camera_id = ?"
        " ORDER BY started_at DESC LIMIT ?", (camera_id, limit))
    now = parse_iso(now_iso())
    outage_list = []
    for o in outages:
        end = parse_iso(o["ended_at"]) if o["ended_at"] else now
        duration = (end - parse_iso(o["started_at"])).total_seconds()
        outage_list.append({**dict(o), "duration_s": round(duration), "open": o["ended_at"] is None})
    has_snapshot = bool(await db.fetchval("SELECT 1 FROM snapshot WHERE camera_id = ?", (camera_id,)))
    return {"camera_id": camera_id, "current": current, "changes": [dict(c) for c in changes],
            "outages": outage_list, "has_snapshot": has_snapshot}


async def snapshot(db: Database, actor: Principal, camera_id: int) -> tuple[bytes, str] | None:
    """Return the latest JPEG snapshot and when it was taken, or ``None``."""
    actor.require("monitor.read")
    await get_camera_row(db, actor, camera_id)
    row = await db.fetchone("SELECT jpeg, taken_at FROM snapshot WHERE camera_id = ?", (camera_id,))
    return None if row is None else (bytes(row["jpeg"]), row["taken_at"])


async def recent_cycles(db: Database, actor: Principal, limit: int = 20) -> list[dict[str, Any]]:
    """Return the latest probe cycles, newest first.

    A cycle covers every zone, so its camera counts are shown only to those who may see the
    whole service (``system.read``); others see when cycles ran and how long they took.
    """
    actor.require("monitor.read")
    rows = await db.fetchall("SELECT * FROM probe_cycle ORDER BY id DESC LIMIT ?", (limit,))
    if actor.can("system.read"):
        return [dict(r) for r in rows]
    return [{k: r[k] for k in ("id", "started_at", "finished_at", "duration_ms")} for r in rows]


async def add_maintenance(db: Database, actor: Principal, camera_id: int, *, starts_at: str,
                          ends_at: str, reason: str) -> int:
    """Schedule a maintenance window for a camera (excluded from uptime, no outages)."""
    from camnet import audit

    actor.require("monitor.write")
    try:
        start, end = to_iso(parse_iso(starts_at)), to_iso(parse_iso(ends_at))
    except ValueError as exc:
        raise InvalidInput(f"not an ISO-8601 time: {exc}", "starts_at") from exc
    if end <= start:
        raise InvalidInput("maintenance must end after it starts", "ends_at")
    async with db.transaction() as tx:
        await get_camera_row(tx, actor, camera_id)
        window_id = await tx.execute(
            "INSERT INTO maintenance_window(camera_id, starts_at, ends_at, reason, created_by)"
            " VALUES (?, ?, ?, ?, ?)", (camera_id, start, end, reason, actor.username))
        await audit.record(tx, actor, "create", "maintenance_window", window_id, None,
                           {"camera_id": camera_id, "starts_at": start, "ends_at": end,
                            "reason": reason})
    return window_id
