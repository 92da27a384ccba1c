"""Cameras ("eyes") on points: stream URL, encrypted credentials, view geometry, retention."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from camnet import audit
from camnet.auth.principal import Principal
from camnet.coverage.history import sync_geometry
from camnet.db import Database, Transaction
from camnet.errors import Conflict, InvalidInput, NotFound
from camnet.registry.models import CameraIn, CameraOut, CameraPatch, Page
from camnet.registry.points import get_point_row
from camnet.registry.zones import get_zone_row
from camnet.secretstore import CredentialCipher, mask_url, split_credentials
from camnet.timeutil import now_iso

_SELECT = (
    "SELECT c.*, p.name AS point_name, z.code AS zone_code, z.path AS zone_path,"
    " COALESCE(s.status, 'unknown') AS status, s.since AS status_since"
    " FROM camera c JOIN camera_point p ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id"
    " LEFT JOIN camera_status s ON s.camera_id = c.id"
)
STATUSES = ("unknown", "up", "degraded", "down", "maintenance")


def camera_out(row: sqlite3.Row) -> CameraOut:
    """Convert a joined camera row to its API model; the password never leaves."""
    has_password = row["secret_enc"] is not None
    return CameraOut(
        id=row["id"],
        point_id=row["point_id"],
        point_name=row["point_name"],
        zone_code=row["zone_code"],
        name=row["name"],
        rtsp_url=mask_url(row["rtsp_url"], row["username"], has_password),
        username=row["username"],
        has_password=has_password,
        vendor=row["vendor"],
        azimuth_deg=row["azimuth_deg"],
        fov_deg=row["fov_deg"],
        range_m=row["range_m"],
        retention_days=row["retention_days"],
        enabled=bool(row["enabled"]),
        monitor_tier=row["monitor_tier"],
        status=row["status"],
        status_since=row["status_since"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _safe(row: sqlite3.Row | dict[str, Any]) -> dict[str, Any]:
    """A camera row fit for the audit log: no secret, URL without credentials."""
    data = dict(row)
    data.pop("secret_enc", None)
    data.pop("password", None)
    if data.get("rtsp_url"):
        data["rtsp_url"] = mask_url(data["rtsp_url"])
    return data


async def list_cameras(
    db: Database, actor: Principal, *, zone_code: str | None = None,
    point_id: int | None = None, status: str | None = None, enabled: bool | None = None,
    page: int = 1, per_page: int = 50,
) -> tuple[list[CameraOut], Page]:
    """Return a page of cameras in scope, filtered by zone, point, status or enabled."""
    actor.require("registry.read")
    path = actor.zone_path
    if zone_code:
        path = (await get_zone_row(db, actor, code=zone_code, field="zone"))["path"]
    where = ["z.path LIKE ? || '%'"]
    params: list[Any] = [path]
    if point_id is not None:
        where.append("c.point_id = ?")
        params.append(point_id)
    if status is not None:
        if status not in STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", "status")
        where.append("COALESCE(s.status, 'unknown') = ?")
        params.append(status)
    if enabled is not None:
        where.append("c.enabled = ?")
        params.append(int(enabled))
    clause = " AND ".join(where)
    total = await db.fetchval(
        "SELECT COUNT(*) FROM camera c JOIN camera_point p ON p.id = c.point_id"
        " JOIN zone z ON z.id = p.zone_id LEFT JOIN camera_status s ON s.camera_id = c.id"
        f" WHERE {clause}",  # noqa: S608
        params,
    )
    rows = await db.fetchall(
        f"{_SELECT} WHERE {clause} ORDER BY z.path, p.name, c.name LIMIT ? OFFSET ?",  # noqa: S608
        (*params, per_page, (page - 1) * per_page),
    )
    return [camera_out(r) for r in rows], Page(page=page, per_page=per_page, total=total)


async def get_camera_row(db: Database | Transaction, actor: Principal, camera_id: int,
                         field: str = "id") -> sqlite3.Row:
    """Fetch a camera in the caller's scope, else :class:`NotFound`."""
    row = await db.fetchone(f"{_SELECT} WHERE c.id = ?", (camera_id,))  # noqa: S608
    if row is None or not actor.sees_path(row["zone_path"]):
        raise NotFound(f"camera {camera_id} does not exist or is outside your zone", field)
    return row


async def get_camera(db: Database, actor: Principal, camera_id: int) -> CameraOut:
    """Return one camera in the caller's scope."""
    actor.require("registry.read")
    return camera_out(await get_camera_row(db, actor, camera_id))


def _credentials(url: str, username: str | None, password: str | None) -> tuple[str, str, str | None]:
    """Take credentials out of the URL; explicit fields win over the URL's userinfo."""
    clean, url_user, url_password = split_credentials(url)
    return clean, (username if username is not None else url_user) or "", (
        password if password is not None else url_password
    )


async def create_camera(
    db: Database, actor: Principal, cipher: CredentialCipher, data: CameraIn
) -> CameraOut:
    """Create a camera on a point of the caller's scope; the password is stored encrypted."""
    actor.require("registry.write")
    async with db.transaction() as tx:
        camera_id = await insert_camera(tx, actor, cipher, data)
        row = await tx.fetchone(f"{_SELECT} WHERE c.id = ?", (camera_id,))  # noqa: S608
    assert row is not None  # noqa: S101
    return camera_out(row)


async def insert_camera(
    tx: Transaction, actor: Principal, cipher: CredentialCipher, data: CameraIn
) -> int:
    """Insert a camera inside an open transaction; return its id."""
    await get_point_row(tx, actor, data.point_id, field="point_id")
    if await tx.fetchval(
        "SELECT 1 FROM camera WHERE point_id = ? AND name = ?", (data.point_id, data.name)
    ):
        raise Conflict(f"point {data.point_id} already has a camera named {data.name!r}", "name")
    url, username, password = _credentials(data.rtsp_url, data.username, data.password)
    now = now_iso()
    camera_id = await tx.execute(
        "INSERT INTO camera(point_id, name, rtsp_url, username, secret_enc, vendor, azimuth_deg,"
        " fov_deg, range_m, retention_days, enabled, monitor_tier, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            data.point_id, data.name, url, username,
            cipher.encrypt(password) if password else None, data.vendor, data.azimuth_deg,
            data.fov_deg, data.range_m, data.retention_days, int(data.enabled), data.monitor_tier,
            now, now,
        ),
    )
    await audit.record(tx, actor, "create", "camera", camera_id, None, _safe(data.model_dump()))
    await sync_geometry(tx, camera_ids=[camera_id])
    return camera_id


async def update_camera(
    db: Database, actor: Principal, cipher: CredentialCipher, camera_id: int, patch: CameraPatch
) -> CameraOut:
    """Change a camera. ``password=""`` clears the password; omitted keeps it."""
    actor.require("registry.write")
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
    async with db.transaction() as tx:
        before = await get_camera_row(tx, actor, camera_id)
        point_id = changes.get("point_id") or before["point_id"]
        if "point_id" in changes:
            await get_point_row(tx, actor, point_id, field="point_id")
        name = changes.get("name") or before["name"]
        if await tx.fetchval(
            "SELECT 1 FROM camera WHERE point_id = ? AND name = ? AND id != ?",
            (point_id, name, camera_id),
        ):
            raise Conflict(f"point {point_id} already has a camera named {name!r}", "name")
        if "rtsp_url" in changes:
            url, username, password = _credentials(
                changes["rtsp_url"], changes.get("username"), changes.get("password")
            )
            changes["rtsp_url"] = url
            if username:
                changes["username"] = username
            if password is not None:
                changes["password"] = password
        if "password" in changes:
            password = changes.pop("password")
            changes["secret_enc"] = cipher.encrypt(password) if password else None
        for flag in ("enabled",):
            if flag in changes:
                changes[flag] = int(changes[flag])
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            await tx.execute(
                f"UPDATE camera SET {sets}, updated_at = ? WHERE id = ?",  # noqa: S608
                (*changes.values(), now_iso(), camera_id),
            )
            await audit.record(tx, actor, "update", "camera", camera_id, _safe(before), _safe(changes))
            await sync_geometry(tx, camera_ids=[camera_id])
        row = await tx.fetchone(f"{_SELECT} WHERE c.id = ?", (camera_id,))  # noqa: S608
    assert row is not None  # noqa: S101
    return camera_out(row)


async def delete_camera(db: Database, actor: Principal, camera_id: int) -> None:
    """Delete a camera."""
    actor.require("registry.write")
    async with db.transaction() as tx:
        before = await get_camera_row(tx, actor, camera_id)
        await tx.execute("DELETE FROM camera WHERE id = ?", (camera_id,))
        await audit.record(tx, actor, "delete", "camera", camera_id, _safe(before), None)


@dataclass(frozen=True)
class StreamTarget:
    """What the monitor needs to reach one camera. Holds a secret: never log it."""

    camera_id: int
    url: str
    username: str | None
    password: str | None = None
    frames: bool = True  # monitor_tier 2: also grab frames; tier 1: handshake only

    def __repr__(self) -> str:
        return f"StreamTarget(camera_id={self.camera_id}, url={mask_url(self.url)!r})"


async def stream_targets(
    db: Database, cipher: CredentialCipher, *, zone_path: str = "/",
    camera_ids: list[int] | None = None, enabled_only: bool = True,
) -> list[StreamTarget]:
    """Return decrypted stream targets for monitoring (internal; never exposed by the API)."""
    where = ["z.path LIKE ? || '%'"]
    params: list[Any] = [zone_path]
    if enabled_only:
        where.append("c.enabled = 1")
    if camera_ids is not None:
        where.append(f"c.id IN ({','.join('?' * len(camera_ids))})")
        params += camera_ids
    rows = await db.fetchall(
        "SELECT c.id, c.rtsp_url, c.username, c.secret_enc, c.monitor_tier FROM camera c"
        " JOIN camera_point p ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id"
        f" WHERE {' AND '.join(where)} ORDER BY c.id",  # noqa: S608
        params,
    )
    return [
        StreamTarget(
            camera_id=r["id"],
            url=r["rtsp_url"],
            username=r["username"] or None,
            password=cipher.decrypt(r["secret_enc"]) if r["secret_enc"] else None,
            frames=r["monitor_tier"] == 2,
        )
        for r in rows
    ]
