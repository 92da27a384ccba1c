"""Self-registrations: submitted by a host, reviewed by the zone's officers.

Nothing a host submits is visible to anyone but the officers of the registration's zone
(and the host through their private link) until it is approved; approval writes the point
and its cameras into the registry through ``registry.points.write_point`` and
``registry.cameras.write_camera`` and monitoring starts at the next cycle.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from camnet import audit
from camnet.alerts.outbox import enqueue_event
from camnet.alerts.recipients import set_host_contact
from camnet.auth.principal import Principal
from camnet.auth.scope import fetch_in_scope, in_scope
from camnet.db import Database, Transaction
from camnet.errors import Conflict, InvalidInput, NotFound
from camnet.geo import check_in_zone
from camnet.hosts import consent, links
from camnet.hosts.abuse import RatePolicy, check_rate
from camnet.hosts.models import CameraReg, HostCorrection, RegistrationIn, national_phone
from camnet.registry.cameras import write_camera
from camnet.registry.points import get_point_row, write_point
from camnet.registry.zones import get_zone_row, list_zones
from camnet.secretstore import CredentialCipher, resolve_credentials
from camnet.timeutil import now_iso

_SELECT = (
    "SELECT r.*, z.path AS zone_path, z.code AS zone_code, z.name AS zone_name"
    " FROM host_registration r JOIN zone z ON z.id = r.zone_id"
)
HOST_LEVELS = ("commune", "hamlet")


@dataclass(frozen=True)
class Submitted:
    """A stored registration and the private link shown to the host once."""

    registration_id: int
    token: str


def host_actor(row: sqlite3.Row | dict[str, Any]) -> Principal:
    """The host as an actor on their own point: bound to the point's zone, officer rights.

    Only ever used by this package on rows the host's link already resolved to; every call
    passes the host's own point or camera ids.
    """
    return Principal(user_id=0, username=f"host#{row['id']}", role="officer",
                     zone_id=int(row["zone_id"]), zone_path=str(row["zone_path"]))


def public_actor() -> Principal:
    """Who the public form acts as (audit rows name it)."""
    return Principal(user_id=0, username="public-form", role="viewer", zone_id=None,
                     zone_path="/")


def stored_cameras(cipher: CredentialCipher, cameras: list[CameraReg]) -> list[dict[str, Any]]:
    """Cameras as kept until review: URL without credentials, the password only encrypted."""
    out = []
    for cam in cameras:
        url, username, password = ("", "", None)
        if cam.rtsp_url:
            url, username, password = resolve_credentials(cam.rtsp_url, None,
                                                          cam.password or None)
        out.append({"label": cam.label, "azimuth_deg": cam.azimuth_deg, "fov_deg": cam.fov_deg,
                    "retention_days": cam.retention_days, "sign_posted": cam.sign_posted,
                    "qcvn135": cam.qcvn135, "rtsp_url": url, "username": username,
                    "secret_enc": cipher.encrypt(password) if password else None})
    return out


def cameras_of(row: sqlite3.Row) -> list[dict[str, Any]]:
    """The submitted cameras of a registration row (no password, only ``has_password``)."""
    cams: list[dict[str, Any]] = json.loads(row["cameras_json"])
    return [{**{k: v for k, v in c.items() if k != "secret_enc"},
             "has_password": bool(c.get("secret_enc"))} for c in cams]


async def public_zones(db: Database) -> list[tuple[int, str]]:
    """Communes and hamlets a host may register in: (id, name shown with its commune)."""
    zones = await list_zones(db, public_actor())
    names = {z.id: z.name for z in zones}
    return [(z.id, z.name if z.level == "commune" or z.parent_id is None
             else f"{z.name} — {names.get(z.parent_id, '')}")
            for z in zones if z.level in HOST_LEVELS]


async def submit(db: Database, cipher: CredentialCipher, key: bytes, data: RegistrationIn, *,
                 client_address: str, pow_challenge: str | None, policy: RatePolicy,
                 link_days: int, max_cameras: int, invite_id: int | None = None,
                 channel: str = "web", witnessed_by: str | None = None) -> Submitted:
    """Store a registration with its consent and issue the host's private link.

    Raises:
        TooManyAttempts: the address or phone is over its limit.
        Conflict: the consent text changed, or the challenge was already used.
        InvalidInput / NotFound: a bad zone or too many cameras.
    """
    if len(data.cameras) > max_cameras:
        raise InvalidInput(f"at most {max_cameras} cameras per registration", "cameras")
    cams = stored_cameras(cipher, data.cameras)
    async with db.transaction() as tx:
        await check_rate(tx, policy, client_address=client_address, phone=data.phone)
        zone = await get_zone_row(tx, public_actor(), zone_id=data.zone_id, field="zone_id")
        if zone["level"] not in HOST_LEVELS:
            raise InvalidInput("choose your commune or hamlet", "zone_id")
        check_in_zone(zone, data.lat, data.lon)
        await consent.require_current(tx, data.consent_version)
        if pow_challenge is not None and await tx.fetchval(
                "SELECT 1 FROM host_registration WHERE pow_challenge = ?", (pow_challenge,)):
            raise Conflict("this form was already sent; reload the page", "altcha")
        now = now_iso()
        reg_id = await tx.execute(
            "INSERT INTO host_registration(zone_id, invite_id, status, host_name, phone, email,"
            " point_name, address, lat, lon, cameras_json, client_address, pow_challenge,"
            " created_at, updated_at)"
            " VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (data.zone_id, invite_id, data.host_name, data.phone, data.email, data.point_name,
             data.address,
             data.lat, data.lon, json.dumps(cams, ensure_ascii=False), client_address,
             pow_challenge, now, now))
        await consent.give(tx, reg_id, data.consent_version, channel=channel,
                           witnessed_by=witnessed_by)
        token = await links.issue(tx, key, reg_id, days=link_days,
                                  created_by=witnessed_by or "registration")
        await audit.record(tx, public_actor(), "create", "host_registration", reg_id, None,
                           {"zone_id": data.zone_id, "cameras": len(cams), "channel": channel,
                            "consent_version": data.consent_version})
    return Submitted(reg_id, token)


async def get_for_host(db: Database | Transaction, registration_id: int) -> sqlite3.Row:
    """A registration by id, for its host (the link was checked by the caller)."""
    row = await db.fetchone(f"{_SELECT} WHERE r.id = ?", (registration_id,))  # noqa: S608
    if row is None:
        raise NotFound("no such registration", "token")
    return row


async def get_in_scope(db: Database | Transaction, actor: Principal, registration_id: int
                       ) -> sqlite3.Row:
    """A registration of the officer's zone subtree, else :class:`NotFound`."""
    actor.require("registry.write")
    return await fetch_in_scope(db, actor, f"{_SELECT} WHERE r.id = ?",  # noqa: S608
                                (registration_id,), what=f"registration {registration_id}")


async def review_queue(db: Database, actor: Principal, *, status: str | None = "pending"
                       ) -> list[sqlite3.Row]:
    """Registrations in the officer's zone subtree (pending ones by default), oldest first."""
    actor.require("registry.write")
    scope, params = in_scope("z.path", actor.zone_path)
    where, args = [scope], [*params]
    if status:
        where.append("r.status = ?")
        args.append(status)
    return await db.fetchall(f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY r.id",  # noqa: S608
                             args)


def _unique_names(cams: list[dict[str, Any]]) -> list[str]:
    names: list[str] = []
    for i, cam in enumerate(cams, start=1):
        base = str(cam.get("label") or f"Camera {i}")
        name, n = base, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


async def approve(db: Database, actor: Principal, registration_id: int, note: str = "") -> int:
    """Approve: the point and its cameras enter the registry; return the new point's id."""
    async with db.transaction() as tx:
        row = await get_in_scope(tx, actor, registration_id)
        if row["status"] != "pending":
            raise Conflict(f"only a pending registration can be approved; this one is"
                           f" {row['status']!r}", "status")
        if not consent.standing(await consent.consents_of(tx, registration_id)):
            raise Conflict("the host has withdrawn consent", "status")
        zone = await get_zone_row(tx, actor, zone_id=row["zone_id"], field="zone_id")
        check_in_zone(zone, row["lat"], row["lon"])
        try:
            point_id = await write_point(tx, row["zone_id"], row["point_name"], {
                "address": row["address"], "lat": row["lat"], "lon": row["lon"],
                "host_name": row["host_name"], "host_phone": national_phone(row["phone"]),
                "funding": "", "installed_on": None,
                "notes": f"Chủ camera tự đăng ký (hồ sơ #{registration_id})"})
        except sqlite3.IntegrityError as exc:  # UNIQUE (zone_id, name)
            raise Conflict(f"the zone already has a point named {row['point_name']!r}; ask the"
                           " host to change the name", "point_name") from exc
        cams = json.loads(row["cameras_json"])
        for cam, name in zip(cams, _unique_names(cams), strict=True):
            camera_id = await write_camera(tx, point_id, name, {
                "rtsp_url": cam["rtsp_url"], "username": cam["username"],
                "secret_enc": cam["secret_enc"], "vendor": "",
                "azimuth_deg": cam["azimuth_deg"], "fov_deg": cam["fov_deg"], "range_m": None,
                "retention_days": cam["retention_days"],
                "enabled": 1 if cam["rtsp_url"] else 0, "monitor_tier": 2})
            await tx.execute(
                "INSERT INTO host_camera(registration_id, camera_id, sign_posted, qcvn135)"
                " VALUES (?, ?, ?, ?)",
                (registration_id, camera_id, int(cam["sign_posted"]), cam["qcvn135"]))
        await _decide(tx, actor, registration_id, "approved", note, point_id=point_id)
    if row["email"]:  # the host hears about their cameras going down and back up
        await set_host_contact(db, actor, point_id, host_email=row["email"])
    return point_id


async def ask_changes(db: Database, actor: Principal, registration_id: int, note: str) -> None:
    """Send a pending registration back to its host with what to change."""
    await _review(db, actor, registration_id, "changes_requested", note)


async def reject(db: Database, actor: Principal, registration_id: int, note: str) -> None:
    """Reject a pending registration with a reason the host sees."""
    await _review(db, actor, registration_id, "rejected", note)


async def _review(db: Database, actor: Principal, registration_id: int, status: str, note: str
                  ) -> None:
    if not note.strip():
        raise InvalidInput("say what to change or why (the host reads it)", "note")
    async with db.transaction() as tx:
        row = await get_in_scope(tx, actor, registration_id)
        if row["status"] != "pending":
            raise Conflict(f"only a pending registration can be reviewed; this one is"
                           f" {row['status']!r}", "status")
        await _decide(tx, actor, registration_id, status, note)


async def _decide(tx: Transaction, actor: Principal, registration_id: int, status: str,
                  note: str, *, point_id: int | None = None) -> None:
    now = now_iso()
    await tx.execute(
        "UPDATE host_registration SET status = ?, review_note = ?, reviewed_by = ?,"
        " reviewed_at = ?, point_id = COALESCE(?, point_id), updated_at = ? WHERE id = ?",
        (status, note.strip(), actor.username, now, point_id, now, registration_id))
    await audit.record(tx, actor, status, "host_registration", registration_id, None,
                       {"note": note.strip(), "point_id": point_id})
    await _tell_host(tx, registration_id, status, note.strip(), now)


async def _tell_host(tx: Transaction, registration_id: int, status: str, note: str, now: str
                     ) -> None:
    """Queue the review decision for the host's e-mail, in the decision's own transaction."""
    row = await tx.fetchone("SELECT zone_id, point_name, email FROM host_registration"
                            " WHERE id = ?", (registration_id,))
    if row is None or not row["email"]:
        return  # no address given: the decision shows on the host's page only
    await enqueue_event(tx, "host_review", now, now, zone_id=row["zone_id"], data={
        "subject": row["point_name"], "place": note or "—", "cause": f"review_{status}",
        "direct": [["email", row["email"]]]})


async def reissue_link(db: Database, actor: Principal, key: bytes, registration_id: int,
                       days: int) -> str:
    """An officer issues a new private link (earlier ones stop working); return the token."""
    async with db.transaction() as tx:
        await get_in_scope(tx, actor, registration_id)
        token = await links.issue(tx, key, registration_id, days=days, created_by=actor.username)
        await audit.record(tx, actor, "issue_link", "host_registration", registration_id)
    return token


async def revoke_links(db: Database, actor: Principal, registration_id: int) -> int:
    """An officer revokes every private link of a registration; return how many."""
    await get_in_scope(db, actor, registration_id)
    return await links.revoke_all(db, actor, registration_id)


async def correct(db: Database, registration_id: int, data: HostCorrection) -> None:
    """The host corrects their name, phone and address (on the registry point too).

    A registration sent back for changes goes back to the queue.
    """
    async with db.transaction() as tx:
        row = await get_for_host(tx, registration_id)
        if row["status"] in ("rejected", "withdrawn"):
            raise Conflict("this registration is closed", "status")
        status = "pending" if row["status"] == "changes_requested" else row["status"]
        point_name, lat, lon = row["point_name"], row["lat"], row["lon"]
        if row["point_id"] is None:  # before approval the place may change too
            point_name = data.point_name or point_name
            if (data.lat is None) != (data.lon is None):
                raise InvalidInput("give both latitude and longitude", "lat")
            if data.lat is not None and data.lon is not None:
                zone = await get_zone_row(tx, public_actor(), zone_id=row["zone_id"])
                check_in_zone(zone, data.lat, data.lon)
                lat, lon = data.lat, data.lon
        await tx.execute(
            "UPDATE host_registration SET host_name = ?, phone = ?, email = ?, address = ?,"
            " point_name = ?, lat = ?, lon = ?, status = ?, updated_at = ? WHERE id = ?",
            (data.host_name, data.phone, data.email, data.address, point_name, lat, lon, status,
             now_iso(), registration_id))
        if row["point_id"] is not None:
            point = await get_point_row(tx, host_actor(row), int(row["point_id"]))
            values = {k: point[k] for k in ("address", "lat", "lon", "host_name", "host_phone",
                                            "funding", "installed_on", "notes")}
            values.update(address=data.address, host_name=data.host_name,
                          host_phone=national_phone(data.phone))
            await write_point(tx, point["zone_id"], point["name"], values,
                              point_id=point["id"], sync=False)
        await audit.record(tx, host_actor(row), "correct", "host_registration", registration_id,
                           {"status": row["status"]}, {"status": status, "fields":
                                                       ["host_name", "phone", "email", "address"]})
    if row["point_id"] is not None and data.email != row["email"]:
        await set_host_contact(db, host_actor(row), int(row["point_id"]), host_email=data.email)


async def host_camera_ids(db: Database | Transaction, registration_id: int) -> list[int]:
    """The registry cameras of an approved registration."""
    rows = await db.fetchall("SELECT camera_id FROM host_camera WHERE registration_id = ?"
                             " ORDER BY camera_id", (registration_id,))
    return [int(r["camera_id"]) for r in rows]


async def camera_facts(db: Database, registration_id: int) -> dict[int, sqlite3.Row]:
    """Recording sign and QCVN 135 compliance of each registry camera of a registration."""
    rows = await db.fetchall("SELECT * FROM host_camera WHERE registration_id = ?",
                             (registration_id,))
    return {int(r["camera_id"]): r for r in rows}


async def withdraw(db: Database, registration_id: int, *, via: str) -> list[int]:
    """Withdraw consent: status ``withdrawn``; return the cameras whose monitoring must stop.

    Evidence already handed over under a case is not touched.
    """
    async with db.transaction() as tx:
        row = await get_for_host(tx, registration_id)
        if row["status"] == "withdrawn":
            raise Conflict("consent was already withdrawn", "status")
        await consent.withdraw_all(tx, registration_id, via)
        await tx.execute("UPDATE host_registration SET status = 'withdrawn', updated_at = ?"
                         " WHERE id = ?", (now_iso(), registration_id))
        await audit.record(tx, host_actor(row), "withdraw_consent", "host_registration",
                           registration_id, {"status": row["status"]}, {"via": via})
        return await host_camera_ids(tx, registration_id)


async def record_reads(db: Database, actor: Principal, rows: list[sqlite3.Row]) -> None:
    """Audit that an officer was shown hosts' names and phones (queue or registration page)."""
    await audit.record_personal_read(db, actor, "host_registration", [int(r["id"]) for r in rows])
