"""What a host sees and does on their private page: only their own point and cameras.

Every function takes the registration id the host's link resolved to and acts only on that
registration's point and cameras, through the owning domain modules (monitor status and
uptime, maintenance windows, registry cameras, evidence requests).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from camnet import audit
from camnet.alerts.recipients import set_host_contact
from camnet.auth.principal import cli_principal
from camnet.db import Database
from camnet.errors import Conflict, InvalidInput
from camnet.evidence.requests import get_request, requests_naming_point
from camnet.hosts import consent
from camnet.hosts.registrations import camera_facts, get_for_host, host_actor, host_camera_ids
from camnet.hosts.registrations import withdraw as withdraw_registration
from camnet.monitor import maintenance
from camnet.monitor.queries import camera_status, snapshot
from camnet.monitor.uptime import compute_uptime
from camnet.registry.cameras import get_camera_row, update_camera
from camnet.registry.models import CameraPatch, PointPatch
from camnet.registry.points import get_point_row, update_point
from camnet.secretstore import CredentialCipher
from camnet.timeutil import parse_iso, to_iso, utcnow

MAX_PAUSE_DAYS = 60


@dataclass(frozen=True)
class HostCamera:
    """One of the host's cameras as their page shows it."""

    id: int
    name: str
    monitored: bool
    retention_days: int
    sign_posted: bool
    qcvn135: str
    status: str
    cause: str | None
    since: str | None
    has_snapshot: bool
    avail_7d: float | None
    usable_7d: float | None
    avail_30d: float | None
    usable_30d: float | None
    outages: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class HostRequest:
    """An extraction request naming the host's cameras: date, status, cameras and windows only."""

    id: int
    created_at: str
    status: str
    cameras: list[dict[str, Any]]


async def _own_camera(db: Database, registration_id: int, camera_id: int) -> None:
    if camera_id not in await host_camera_ids(db, registration_id):
        raise InvalidInput("this is not one of your cameras", "camera_id")


async def cameras(db: Database, registration_id: int) -> list[HostCamera]:
    """Status, snapshot flag, 7/30-day availability and usable picture, and outages per camera."""
    row = await get_for_host(db, registration_id)
    ids = await host_camera_ids(db, registration_id)
    if not ids:
        return []
    actor = host_actor(row)
    facts = await camera_facts(db, registration_id)
    end = utcnow()
    out = []
    for camera_id in ids:
        cam = await get_camera_row(db, actor, camera_id)
        status = await camera_status(db, actor, camera_id, limit=10)
        figures = {}
        for days in (7, 30):
            rows = await compute_uptime(db, actor, start=end - timedelta(days=days), end=end,
                                        camera_id=camera_id)
            figures[days] = (rows[0].uptime_pct, rows[0].usable_pct) if rows else (None, None)
        current = status["current"]
        out.append(HostCamera(
            id=camera_id, name=cam["name"], monitored=bool(cam["enabled"]),
            retention_days=int(cam["retention_days"]),
            sign_posted=bool(facts[camera_id]["sign_posted"]),
            qcvn135=facts[camera_id]["qcvn135"], status=current.get("status") or "unknown",
            cause=current.get("cause"), since=current.get("since"),
            has_snapshot=status["has_snapshot"], avail_7d=figures[7][0],
            usable_7d=figures[7][1], avail_30d=figures[30][0], usable_30d=figures[30][1],
            outages=status["outages"][:5]))
    return out


async def camera_snapshot(db: Database, registration_id: int, camera_id: int
                          ) -> tuple[bytes, str] | None:
    """The latest snapshot of one of the host's cameras."""
    await _own_camera(db, registration_id, camera_id)
    row = await get_for_host(db, registration_id)
    return await snapshot(db, host_actor(row), camera_id)


async def _approved(db: Database, registration_id: int) -> sqlite3.Row:
    row = await get_for_host(db, registration_id)
    if row["status"] != "approved" or row["point_id"] is None:
        raise Conflict("this is possible once the registration is approved", "status")
    return row


async def pause(db: Database, registration_id: int, *, until: str, reason: str) -> int:
    """Pause monitoring of the host's whole point until ``until`` (a maintenance window)."""
    row = await _approved(db, registration_id)
    try:
        end = parse_iso(until)
    except ValueError as exc:
        raise InvalidInput(f"not a time: {exc}", "until") from exc
    now = utcnow()
    if end <= now:
        raise InvalidInput("the pause must end in the future", "until")
    if end - now > timedelta(days=MAX_PAUSE_DAYS):
        raise InvalidInput(f"a pause lasts at most {MAX_PAUSE_DAYS} days", "until")
    text = "Chủ camera tạm dừng" + (f": {reason}" if reason else "")
    return await maintenance.add_window(db, host_actor(row), target="point",
                                        target_id=int(row["point_id"]), starts_at=to_iso(now),
                                        ends_at=to_iso(end), reason=text[:500])


async def pauses(db: Database, registration_id: int) -> list[maintenance.Window]:
    """Current and future windows on the host's point."""
    row = await get_for_host(db, registration_id)
    if row["point_id"] is None:
        return []
    windows = await maintenance.list_windows(db, host_actor(row))
    return [w for w in windows if w.target == "point" and w.target_id == row["point_id"]]


async def end_pause(db: Database, registration_id: int, window_id: int) -> None:
    """End one of the host's pauses now."""
    if window_id not in {w.id for w in await pauses(db, registration_id)}:
        raise InvalidInput("not one of your pauses", "window_id")
    row = await get_for_host(db, registration_id)
    await maintenance.cancel_window(db, host_actor(row), window_id)


async def set_retention(db: Database, cipher: CredentialCipher, registration_id: int,
                        camera_id: int, days: int) -> None:
    """Update how many days one of the host's recorders keeps."""
    row = await _approved(db, registration_id)
    await _own_camera(db, registration_id, camera_id)
    if not 0 <= days <= 3650:
        raise InvalidInput("days must be between 0 and 3650", "retention_days")
    await update_camera(db, host_actor(row), cipher, camera_id, CameraPatch(retention_days=days))


async def withdraw_consent(db: Database, cipher: CredentialCipher, registration_id: int,
                           *, via: str = "web") -> None:
    """Withdraw consent: monitoring of the host's cameras stops and the point is marked.

    Evidence already handed over under a case is kept (it is not the host's to delete).
    """
    row = await get_for_host(db, registration_id)
    camera_ids = await withdraw_registration(db, registration_id, via=via)
    actor = host_actor(row)
    for camera_id in camera_ids:
        await update_camera(db, actor, cipher, camera_id, CameraPatch(enabled=False))
    if row["point_id"] is not None:
        if row["email"]:  # no more camera alerts by e-mail
            await set_host_contact(db, actor, int(row["point_id"]), host_email="")
        point = await get_point_row(db, actor, int(row["point_id"]))
        mark = f"[Chủ camera đã rút lại đồng ý {to_iso(utcnow())[:10]}]"
        notes = (mark + " " + (point["notes"] or "")).strip()[:2000]
        await update_point(db, actor, int(row["point_id"]), PointPatch(notes=notes))


async def consent_history(db: Database, registration_id: int) -> list[dict[str, Any]]:
    """The host's consents: version, when, channel, witness, withdrawn."""
    return [dict(r) for r in await consent.consents_of(db, registration_id)]


async def requests(db: Database, registration_id: int) -> list[HostRequest]:
    """Extraction requests naming the host's cameras: date, status, their cameras and windows.

    No case number, reason, requester or investigation detail is returned.
    """
    row = await get_for_host(db, registration_id)
    if row["point_id"] is None:
        return []
    reader = cli_principal(f"host#{registration_id}")
    own = set(await host_camera_ids(db, registration_id))
    found = []
    for request_id in await requests_naming_point(db, reader, int(row["point_id"])):
        req = await get_request(db, reader, request_id)
        found.append(HostRequest(
            id=req.id, created_at=req.created_at, status=req.status,
            cameras=[{"camera_id": c.camera_id, "camera": c.camera, "window_from": c.window_from,
                      "window_to": c.window_to} for c in req.cameras if c.camera_id in own]))
    return found


async def log_page_view(db: Database, registration_id: int) -> None:
    """Audit that the host opened their page (a read of their own personal data)."""
    row = await get_for_host(db, registration_id)
    async with db.transaction() as tx:
        await audit.record(tx, host_actor(row), "host_page_view", "host_registration",
                           registration_id)
