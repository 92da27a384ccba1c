"""Cameras ("eyes") on points: stream URL, encrypted credentials, view geometry, retention."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from camnet import audit
from camnet.auth.principal import Principal
from camnet.auth.scope import fetch_in_scope, in_scope
from camnet.coverage.history import sync_geometry
from camnet.db import Database, Transaction
from camnet.errors import Conflict, InvalidInput
from camnet.paging import Page, paginate
from camnet.registry.models import CameraIn, CameraOut, CameraPatch
from camnet.registry.points import get_point_row
from camnet.registry.references import refuse_if_referenced
from camnet.registry.zones import get_zone_row
from camnet.secretstore import CredentialCipher, fill_credentials, mask_url, resolve_credentials
from camnet.timeutil import now_iso
from camnet.vocab import CameraStatus

_SELECT = (
    "SELECT c.*, p.name AS point_name, z.code AS zone_code, z.path AS zone_path,"
    " COALESCE(s.status, 'unknown') AS status, s.since AS status_since"
    " FROM camera c JOIN camera_point p ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id"
    " LEFT JOIN camera_status s ON s.camera_id = c.id"
)
STATUSES = tuple(s.value for s in CameraStatus)


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
        monitored=row["rtsp_url"] != NOT_MONITORED_URL,
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
    scope, scope_params = in_scope("z.path", path)
    where = [scope]
    params: list[Any] = [*scope_params]
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
    rows, paging = await paginate(
        db,
        select_sql=f"{_SELECT} WHERE {clause} ORDER BY z.path, p.name, c.name",
        count_sql="SELECT COUNT(*) FROM camera c JOIN camera_point p ON p.id = c.point_id"
        " JOIN zone z ON z.id = p.zone_id LEFT JOIN camera_status s ON s.camera_id = c.id"
        f" WHERE {clause}",
        params=params, page=page, per_page=per_page)
    return [camera_out(r) for r in rows], paging


async def get_camera_row(db: Database | Transaction, actor: Principal, camera_id: int,
                         field: str = "id") -> sqlite3.Row:
    """Fetch a camera in the caller's scope, else :class:`NotFound`."""
    return await fetch_in_scope(db, actor, f"{_SELECT} WHERE c.id = ?", (camera_id,),  # noqa: S608
                                what=f"camera {camera_id}", field=field)


async def get_camera(db: Database, actor: Principal, camera_id: int) -> CameraOut:
    """Return one camera in the caller's scope."""
    actor.require("registry.read")
    return camera_out(await get_camera_row(db, actor, camera_id))


_WRITABLE = ("rtsp_url", "username", "secret_enc", "vendor", "azimuth_deg", "fov_deg", "range_m",
             "retention_days", "enabled", "monitor_tier")
WRITABLE = _WRITABLE  # the columns write_camera stores (an importer merges over a stored row)
NOT_MONITORED_URL = ""  # a camera known only by place and view (e.g. from OSM): never probed


def camera_values(cipher: CredentialCipher, data: CameraIn) -> dict[str, Any]:
    """The stored columns of a new or re-imported camera (credentials resolved and encrypted)."""
    url, username, password = resolve_credentials(data.rtsp_url, data.username, data.password)
    return {"rtsp_url": url, "username": username,
            "secret_enc": cipher.encrypt(password) if password else None,
            "vendor": data.vendor, "azimuth_deg": data.azimuth_deg, "fov_deg": data.fov_deg,
            "range_m": data.range_m, "retention_days": data.retention_days,
            "enabled": int(data.enabled), "monitor_tier": data.monitor_tier}


async def write_camera(tx: Transaction, point_id: int, name: str, values: dict[str, Any], *,
                       camera_id: int | None = None, keep_secret: bool = False,
                       sync: bool = True) -> int:
    """The one INSERT/UPDATE of ``camera`` rows (API, import and forms all come here).

    Args:
        tx: the open write transaction.
        point_id: the point the camera sits on.
        name: the camera's name, unique on its point.
        values: columns from :func:`camera_values`.
        camera_id: the row to update; ``None`` inserts.
        keep_secret: on update, keep the stored password when ``secret_enc`` is ``None``.
        sync: version the camera's geometry now (an import syncs once at its end instead).
    """
    now = now_iso()
    row = [values[k] for k in _WRITABLE]
    if camera_id is None:
        columns = ", ".join(_WRITABLE)
        camera_id = await tx.execute(
            f"INSERT INTO camera(point_id, name, {columns}, created_at, updated_at)"  # noqa: S608
            f" VALUES (?, ?, {', '.join('?' * len(_WRITABLE))}, ?, ?)",
            (point_id, name, *row, now, now),
        )
    else:
        sets = ", ".join(
            "secret_enc = COALESCE(?, secret_enc)" if k == "secret_enc" and keep_secret else f"{k} = ?"
            for k in _WRITABLE
        )
        await tx.execute(
            f"UPDATE camera SET point_id = ?, name = ?, {sets}, updated_at = ? WHERE id = ?",  # noqa: S608
            (point_id, name, *row, now, camera_id),
        )
    if sync:  # "who saw P at T" needs the geometry as it was at T
        await sync_geometry(tx, camera_ids=[camera_id])
    return camera_id


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
    camera_id = await write_camera(tx, data.point_id, data.name, camera_values(cipher, data))
    await audit.record(tx, actor, "create", "camera", camera_id, None, _safe(data.model_dump()))
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
            url, username, password = resolve_credentials(
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
            merged = {k: changes.get(k, before[k]) for k in _WRITABLE}
            await write_camera(tx, point_id, name, merged, camera_id=camera_id)
            await audit.record(tx, actor, "update", "camera", camera_id, _safe(before), _safe(changes))
        row = await tx.fetchone(f"{_SELECT} WHERE c.id = ?", (camera_id,))  # noqa: S608
    assert row is not None  # noqa: S101
    return camera_out(row)


async def delete_camera(db: Database, actor: Principal, camera_id: int) -> None:
    """Delete a camera."""
    actor.require("registry.write")
    async with db.transaction() as tx:
        before = await get_camera_row(tx, actor, camera_id)
        await refuse_if_referenced(tx, "camera", camera_id, f"camera {camera_id}",
                                   "disable it instead (PATCH enabled=false)")
        await tx.execute("DELETE FROM camera WHERE id = ?", (camera_id,))
        await audit.record(tx, actor, "delete", "camera", camera_id, _safe(before), None)


@dataclass(frozen=True, slots=True)
class StreamTarget:
    """What the monitor needs to reach one camera. Holds a secret: never log it."""

    camera_id: int
    url: str
    username: str | None
    password: str | None = None
    frames: bool = True  # monitor_tier 2: also grab frames; tier 1: handshake only

    def __repr__(self) -> str:
        return f"StreamTarget(camera_id={self.camera_id}, url={mask_url(self.url)!r})"


@dataclass(frozen=True)
class CameraChoice:
    """A camera offered for a request: name, point, address, how long it keeps footage."""

    id: int
    name: str
    point: str
    address: str
    retention_days: int


async def cameras_under_zone(db: Database, actor: Principal, zone_code: str | None
                             ) -> list[CameraChoice]:
    """Cameras in a zone's subtree (default: the caller's whole scope), by point and name."""
    actor.require("registry.read")
    path = actor.zone_path
    if zone_code:
        path = (await get_zone_row(db, actor, code=zone_code, field="zone_code"))["path"]
    scope, params = in_scope("z.path", path)
    rows = await db.fetchall(
        "SELECT c.id, c.name, c.retention_days, p.name AS point, p.address FROM camera c"
        " JOIN camera_point p ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id"
        f" WHERE {scope} ORDER BY p.name, c.name", params)
    return [CameraChoice(r["id"], r["name"], r["point"], r["address"], r["retention_days"])
            for r in rows]


async def camera_ids_by_name(tx: Transaction) -> dict[tuple[int, str], int]:
    """Every camera's id by (point id, name), to match imported rows to existing cameras."""
    rows = await tx.fetchall("SELECT id, point_id, name FROM camera")
    return {(r["point_id"], r["name"]): r["id"] for r in rows}


async def sample_camera_ids(db: Database, zone_code_prefix: str) -> list[int]:
    """Ids of the cameras in zones whose code starts with a prefix, in id order (demo use)."""
    rows = await db.fetchall(
        "SELECT c.id FROM camera c JOIN camera_point p ON p.id = c.point_id"
        " JOIN zone z ON z.id = p.zone_id WHERE substr(z.code, 1, ?) = ? ORDER BY c.id",
        (len(zone_code_prefix), zone_code_prefix))
    return [r["id"] for r in rows]


async def set_streams(db: Database, cipher: CredentialCipher,
                      streams: dict[int, tuple[str, str, str | None]]) -> None:
    """Point cameras at new stream URLs: id → (URL, user name, password or ``None``).

    Internal (the demo points the sample at its simulator); not audited as a user's edit.
    """
    async with db.transaction() as tx:
        for camera_id, (url, username, password) in streams.items():
            row = await tx.fetchone("SELECT * FROM camera WHERE id = ?", (camera_id,))
            if row is None:
                continue
            values = {k: row[k] for k in _WRITABLE}
            values.update(rtsp_url=url, username=username,
                          secret_enc=cipher.encrypt(password) if password else None)
            await write_camera(tx, row["point_id"], row["name"], values, camera_id=camera_id)


async def camera_labels(db: Database, camera_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(point name, camera name) of each camera id, for tables and messages (internal)."""
    if not camera_ids:
        return {}
    rows = await db.fetchall(
        "SELECT c.id, c.name, p.name AS point FROM camera c JOIN camera_point p ON p.id = c.point_id"
        " WHERE c.id IN (SELECT value FROM json_each(?))", (json.dumps(camera_ids),))
    return {r["id"]: (r["point"], r["name"]) for r in rows}


async def switch_off_for_zone(tx: Transaction, zone_id: int, zone_path: str) -> int:
    """Disable every enabled camera of a zone's subtree, remembering the zone; return how many."""
    scope, params = in_scope("z.path", zone_path)
    return await tx.execute_rowcount(
        "UPDATE camera SET enabled = 0, disabled_by_zone = ? WHERE enabled = 1 AND point_id IN"
        " (SELECT p.id FROM camera_point p JOIN zone z ON z.id = p.zone_id"
        f" WHERE {scope})", (zone_id, *params))  # noqa: S608 - scope from auth.scope


async def switch_on_for_zone(tx: Transaction, zone_id: int) -> int:
    """Re-enable the cameras a zone's disabling switched off (not those disabled by hand)."""
    return await tx.execute_rowcount(
        "UPDATE camera SET enabled = 1, disabled_by_zone = NULL WHERE disabled_by_zone = ?",
        (zone_id,))


async def stream_targets(
    db: Database, cipher: CredentialCipher, *, zone_path: str = "/",
    camera_ids: list[int] | None = None, enabled_only: bool = True,
) -> list[StreamTarget]:
    """Return decrypted stream targets for monitoring (internal; never exposed by the API)."""
    scope, scope_params = in_scope("z.path", zone_path)
    where = [scope]
    params: list[Any] = [*scope_params]
    if enabled_only:
        where.append("c.enabled = 1")
    where.append("c.rtsp_url != ''")  # no stream URL: not monitored (NOT_MONITORED_URL)
    if camera_ids is not None:
        where.append(f"c.id IN ({','.join('?' * len(camera_ids))})")
        params += camera_ids
    rows = await db.fetchall(
        "SELECT c.id, c.rtsp_url, c.username, c.secret_enc, c.monitor_tier FROM camera c"
        " JOIN camera_point p ON p.id = c.point_id JOIN zone z ON z.id = p.zone_id"
        f" WHERE {' AND '.join(where)} ORDER BY c.id",  # noqa: S608
        params,
    )
    targets = []
    for i, r in enumerate(rows):
        if i % 2000 == 1999:
            await asyncio.sleep(0)  # 50,000 cameras: let the web in between
        password = cipher.decrypt(r["secret_enc"]) if r["secret_enc"] else None
        targets.append(StreamTarget(
            camera_id=r["id"],
            url=fill_credentials(r["rtsp_url"], r["username"], password),  # query-style cameras
            username=r["username"] or None,
            password=password,
            frames=r["monitor_tier"] == 2,
        ))
    return targets
