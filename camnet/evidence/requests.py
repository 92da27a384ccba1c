"""Footage-extraction requests ("yêu cầu trích xuất hình ảnh") and their workflow.

``draft → submitted → approved → extracted → handed_over``, or ``rejected`` (with a reason)
or ``unavailable`` (footage overwritten, recorder broken, camera down in the window). Who may
take each step depends on the role; an illegal step answers 409.

Each requested camera's overwrite deadline is ``window_to + retention_days``: after it the
recorder has overwritten the footage. Requests still open whose deadline is within
``evidence.at_risk_hours`` are "at risk".
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from camnet import audit
from camnet.alerts.requests import enqueue_request_alert
from camnet.auth.principal import Principal, path_within
from camnet.auth.scope import fetch_in_scope, in_scope
from camnet.db import Database, Transaction
from camnet.errors import Conflict, Forbidden, InvalidInput, Words
from camnet.evidence.custody import append_event
from camnet.evidence.incidents import get_incident_row
from camnet.evidence.models import RequestCameraOut, RequestIn, RequestOut, TransitionIn
from camnet.monitor.uptime import windows_availability
from camnet.paging import Page, paginate
from camnet.registry.cameras import get_camera_row
from camnet.timeutil import now_iso, parse_iso, to_iso, utcnow

# (from, to) -> the permission that allows the step
STEPS: dict[tuple[str, str], str] = {
    ("draft", "submitted"): "request.submit",
    ("submitted", "approved"): "request.approve",
    ("submitted", "rejected"): "request.approve",
    ("approved", "extracted"): "evidence.write",
    ("extracted", "handed_over"): "evidence.write",
    ("submitted", "unavailable"): "evidence.write",
    ("approved", "unavailable"): "evidence.write",
}
OPEN_STATUSES = ("draft", "submitted", "approved")
log = logging.getLogger(__name__)

_SELECT = (
    "SELECT r.*, i.case_no, z.code AS zone_code, z.path AS zone_path FROM extraction_request r"
    " JOIN incident i ON i.id = r.incident_id JOIN zone z ON z.id = i.zone_id"
)


async def get_request_row(db: Database | Transaction, actor: Principal, request_id: int,
                          field: str = "id") -> sqlite3.Row:
    """Fetch a request in the caller's scope, else :class:`NotFound`."""
    return await fetch_in_scope(db, actor, f"{_SELECT} WHERE r.id = ?", (request_id,),
                                what=f"request {request_id}", field=field)


def next_steps(actor: Principal, status: str) -> list[str]:
    """The statuses this caller may move a request to from ``status``."""
    return [to for (frm, to), perm in STEPS.items() if frm == status and actor.can(perm)]


async def create_request(db: Database, actor: Principal, data: RequestIn) -> RequestOut:
    """Draft a request for footage from cameras in the caller's scope."""
    actor.require("request.draft")
    async with db.transaction() as tx:
        request_id = await insert_request(tx, actor, data)
    return await get_request(db, actor, request_id)


async def insert_request(tx: Transaction, actor: Principal, data: RequestIn) -> int:
    """Draft a request inside an open transaction (checks and audit included); return its id."""
    actor.require("request.draft")
    incident = await get_incident_row(tx, actor, data.incident_id, field="incident_id")
    seen: set[int] = set()
    windows = []
    for n, cam in enumerate(data.cameras):
        if cam.camera_id in seen:
            raise InvalidInput(f"camera {cam.camera_id} is listed twice", f"cameras.{n}")
        seen.add(cam.camera_id)
        camera = await get_camera_row(tx, actor, cam.camera_id, field=f"cameras.{n}.camera_id")
        if not path_within(camera["zone_path"], incident["zone_path"]):
            # a host's name and phone go to everyone who may read the request: only
            # cameras of the incident's own zone (and below) may be on it
            raise InvalidInput(f"camera {cam.camera_id} is outside the incident's zone "
                               f"{incident['zone_code']!r}", f"cameras.{n}.camera_id")
        start = to_iso(cam.window_from) if cam.window_from else incident["occurred_from"]
        end = to_iso(cam.window_to) if cam.window_to else incident["occurred_to"]
        if end <= start:
            raise InvalidInput("the window must end after it starts", f"cameras.{n}.window_to")
        windows.append((cam.camera_id, start, end))
    now = now_iso()
    request_id = await tx.execute(
        "INSERT INTO extraction_request(incident_id, reason, status, requested_by, created_at,"
        " updated_at) VALUES (?, ?, 'draft', ?, ?, ?)",
        (data.incident_id, data.reason, actor.username, now, now),
    )
    await tx.executemany(
        "INSERT INTO request_camera(request_id, camera_id, window_from, window_to)"
        " VALUES (?, ?, ?, ?)",
        [(request_id, cid, s, e) for cid, s, e in windows],
    )
    await audit.record(tx, actor, "create", "extraction_request", request_id, None,
                       data.model_dump(mode="json"))
    await append_event(tx, actor.username, request_id=request_id, action="request_created",
                       note=data.reason, fact={"from": None, "to": "draft", "reason": data.reason})
    return request_id


def check_step(step: TransitionIn) -> None:
    """What a step needs besides its target: a reason to reject, a recipient to hand over.

    Raises:
        InvalidInput: naming the missing field.
    """
    if step.to in ("rejected", "unavailable") and not step.note:
        raise InvalidInput(f"say why the request is {step.to}", "note", key="err_step_reason",
                           to=Words.of("request_status_", step.to))
    if step.to == "handed_over" and not step.handed_over_to:
        raise InvalidInput("say who received the footage", "handed_over_to",
                           key="err_step_recipient")


async def transition(db: Database, actor: Principal, request_id: int, step: TransitionIn,
                     *, separation_of_duties: bool = True) -> RequestOut:
    """Move a request one step; 409 for an illegal step, 403 for a role that may not.

    With ``separation_of_duties`` (``evidence.separation_of_duties``) the requester may not
    approve or reject their own request, whatever their role. Each step is a chained custody
    fact (who, when, from → to, reason); submitting freezes each camera's retention days and
    overwrite deadline into the request.
    """
    async with db.transaction() as tx:
        row = await get_request_row(tx, actor, request_id)
        current = row["status"]
        permission = STEPS.get((current, step.to))
        if permission is None:
            allowed = [to for (frm, to) in STEPS if frm == current] or ["none (final)"]
            raise Conflict(
                f"a request that is {current!r} cannot become {step.to!r}; "
                f"next steps: {', '.join(allowed)}", "to", key="err_step_not_allowed",
                current=Words.of("request_status_", current),
                to=Words.of("request_status_", step.to),
                next=Words.of("request_status_", *[to for (frm, to) in STEPS if frm == current]))
        if not actor.can(permission):
            raise Forbidden(f"role {actor.role!r} may not move a request to {step.to!r}", "to",
                            key="err_step_role", role=Words.of("role_", actor.role),
                            to=Words.of("request_status_", step.to))
        if (separation_of_duties and step.to in ("approved", "rejected")
                and row["requested_by"] == actor.username):
            raise Forbidden("the requester may not decide on their own request (separation of "
                            "duties); another officer must approve or reject it", "to",
                            key="err_own_request")
        check_step(step)
        if step.to == "extracted" and not await tx.fetchval(
            "SELECT 1 FROM evidence_item WHERE request_id = ?", (request_id,)
        ):
            raise Conflict("record at least one evidence item before marking it extracted", "to",
                           key="err_extracted_needs_item")
        sets = ["status = ?", "updated_at = ?"]
        values: list[object] = [step.to, now_iso()]
        if step.to in ("approved", "rejected"):
            sets += ["approved_by = ?", "decision_note = ?"]
            values += [actor.username, step.note]
        if step.to == "unavailable":
            sets.append("decision_note = ?")
            values.append(step.note)
        if step.to == "handed_over":
            sets.append("handed_over_to = ?")
            values.append(step.handed_over_to)
        await tx.execute(f"UPDATE extraction_request SET {', '.join(sets)} WHERE id = ?",
                         (*values, request_id))
        await tx.execute(
            "INSERT INTO request_event(request_id, at, actor, from_status, to_status, note)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (request_id, now_iso(), actor.username, current, step.to, step.note),
        )
        if step.to == "submitted":
            await _freeze_retention(tx, request_id)
        await append_event(tx, actor.username, request_id=request_id, action="request_status",
                           to_holder=step.handed_over_to if step.to == "handed_over" else "",
                           note=step.note, fact={"from": current, "to": step.to,
                                                 "reason": step.note})
        await audit.record(tx, actor, "transition", "extraction_request", request_id,
                           {"status": current}, {"status": step.to, "note": step.note})
        await enqueue_request_alert(tx, request_id=request_id, zone_path=row["zone_path"],
                                    case_no=row["case_no"], requested_by=row["requested_by"],
                                    to_status=step.to, note=step.note, now=now_iso())
    return await get_request(db, actor, request_id)


async def add_note(db: Database, actor: Principal, request_id: int, note: str) -> None:
    """Append a note to a request's history without changing its status (e.g. a host's answer).

    The caller has checked that ``actor`` may speak about this request.
    """
    async with db.transaction() as tx:
        row = await get_request_row(tx, actor, request_id)
        await tx.execute(
            "INSERT INTO request_event(request_id, at, actor, from_status, to_status, note)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (request_id, now_iso(), actor.username, row["status"], row["status"], note))
        await audit.record(tx, actor, "note", "extraction_request", request_id, None,
                           {"note": note})


async def _freeze_retention(tx: Transaction, request_id: int) -> None:
    """Copy each camera's retention days and overwrite deadline into the request."""
    rows = await tx.fetchall(
        "SELECT rc.camera_id, rc.window_to, c.retention_days FROM request_camera rc"
        " JOIN camera c ON c.id = rc.camera_id WHERE rc.request_id = ?", (request_id,))
    now = now_iso()
    await tx.executemany(
        "INSERT OR REPLACE INTO request_retention(request_id, camera_id, retention_days,"
        " overwrite_deadline, frozen_at) VALUES (?, ?, ?, ?, ?)",
        [(request_id, r["camera_id"], r["retention_days"],
          to_iso(parse_iso(r["window_to"]) + timedelta(days=r["retention_days"])), now)
         for r in rows])


def _deadline(window_end: datetime, retention_days: int) -> datetime:
    """When a recorder overwrites the end of a window.

    A row stored before the 2000–2100 rule with an absurd date reads as "far future" instead
    of taking the page down.
    """
    try:
        return window_end + timedelta(days=retention_days)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC)


async def _cameras_of(db: Database, statuses: dict[int, str], at_risk_hours: float
                      ) -> dict[int, list[RequestCameraOut]]:
    """The cameras of some requests with availability and deadlines, in a few queries."""
    if not statuses:
        return {}
    rows = await db.fetchall(
        "SELECT rc.*, c.name AS camera, c.retention_days AS registry_retention_days,"
        " rr.retention_days, rr.overwrite_deadline, p.name AS point, p.address,"
        " p.host_name, p.host_phone FROM request_camera rc JOIN camera c ON c.id = rc.camera_id"
        " JOIN camera_point p ON p.id = c.point_id LEFT JOIN request_retention rr"
        " ON rr.request_id = rc.request_id AND rr.camera_id = rc.camera_id"
        " WHERE rc.request_id IN (SELECT value FROM json_each(?))"
        " ORDER BY rc.request_id, p.name, c.name",
        (json.dumps(list(statuses)),),
    )
    now = utcnow()
    spans = [(r, parse_iso(r["window_from"]), parse_iso(r["window_to"])) for r in rows]
    # only watched time counts: a window before monitoring began shows "—", not 100 %
    seen = await windows_availability(
        db, [(r["camera_id"], start, min(end, now)) for r, start, end in spans])
    out: dict[int, list[RequestCameraOut]] = {rid: [] for rid in statuses}
    for (r, _start, end), avail in zip(spans, seen, strict=True):
        frozen = r["retention_days"] is not None
        days = r["retention_days"] if frozen else r["registry_retention_days"]
        deadline = parse_iso(r["overwrite_deadline"]) if frozen else _deadline(end, days)
        hours_left = (deadline - now).total_seconds() / 3600
        out[r["request_id"]].append(RequestCameraOut(
            camera_id=r["camera_id"], camera=r["camera"], point=r["point"], address=r["address"],
            host_name=r["host_name"], host_phone=r["host_phone"], window_from=r["window_from"],
            window_to=r["window_to"], retention_days=days,
            registry_retention_days=(r["registry_retention_days"]
                                     if frozen and r["registry_retention_days"] != days else None),
            overwrite_deadline=to_iso(deadline), hours_left=round(hours_left, 1),
            overwritten=hours_left < 0,
            at_risk=statuses[r["request_id"]] in OPEN_STATUSES and 0 <= hours_left <= at_risk_hours,
            down_s=round(avail.down_s), up_pct=avail.up_pct,
            outages=avail.outages,
        ))
    return out


def _request_out(actor: Principal, row: sqlite3.Row, cameras: list[RequestCameraOut]
                 ) -> RequestOut:
    return RequestOut(
        id=row["id"], incident_id=row["incident_id"], case_no=row["case_no"],
        zone_code=row["zone_code"], reason=row["reason"], status=row["status"],
        requested_by=row["requested_by"], approved_by=row["approved_by"],
        decision_note=row["decision_note"], handed_over_to=row["handed_over_to"],
        created_at=row["created_at"], updated_at=row["updated_at"],
        next_steps=next_steps(actor, row["status"]), cameras=cameras,
    )


async def get_request(db: Database, actor: Principal, request_id: int,
                      at_risk_hours: float = 48.0) -> RequestOut:
    """Return a request with each camera's availability and overwrite deadline."""
    actor.require("incident.read")
    row = await get_request_row(db, actor, request_id)
    cameras = await _cameras_of(db, {request_id: row["status"]}, at_risk_hours)
    return _request_out(actor, row, cameras[request_id])


async def request_history(db: Database, actor: Principal, request_id: int) -> list[dict[str, Any]]:
    """Every status change of a request in order: when, who, from, to, note."""
    await get_request_row(db, actor, request_id)
    rows = await db.fetchall(
        "SELECT id, at, actor, from_status, to_status, note FROM request_event"
        " WHERE request_id = ? ORDER BY id", (request_id,))
    return [dict(r) for r in rows]


async def list_requests(db: Database, actor: Principal, *, status: str | None = None,
                        incident_id: int | None = None, at_risk_hours: float = 48.0,
                        page: int = 1, per_page: int = 50) -> tuple[list[RequestOut], Page]:
    """Return a page of requests in scope, newest first, optionally by status or incident."""
    actor.require("incident.read")
    scope, scope_params = in_scope("z.path", actor.zone_path)
    where, params = [scope], [*scope_params]
    if status:
        where.append("r.status = ?")
        params.append(status)
    if incident_id is not None:
        where.append("r.incident_id = ?")
        params.append(str(incident_id))
    clause = " AND ".join(where)
    rows, paging = await paginate(
        db, select_sql=f"{_SELECT} WHERE {clause} ORDER BY r.id DESC",
        count_sql="SELECT COUNT(*) FROM extraction_request r JOIN incident i ON i.id = r.incident_id"
        f" JOIN zone z ON z.id = i.zone_id WHERE {clause}",
        params=params, page=page, per_page=per_page)
    try:
        cameras = await _cameras_of(db, {r["id"]: r["status"] for r in rows}, at_risk_hours)
    except (ValueError, OverflowError):  # a damaged row: read one by one, leave it out
        return await _one_by_one(db, actor, rows, at_risk_hours), paging
    return [_request_out(actor, r, cameras[r["id"]]) for r in rows], paging


async def _one_by_one(db: Database, actor: Principal, rows: list[sqlite3.Row],
                      at_risk_hours: float) -> list[RequestOut]:
    """The slow path of a list page holding a request with unreadable times."""
    found = []
    for r in rows:
        try:
            found.append(await get_request(db, actor, r["id"], at_risk_hours))
        except (ValueError, OverflowError):  # one damaged row never takes the list down
            log.warning("request %s has unreadable times; left out of the list", r["id"])
    return found


async def requests_naming_point(db: Database, actor: Principal, point_id: int) -> list[int]:
    """Ids of the extraction requests that name a camera of this point (they show its host)."""
    actor.require("incident.read")
    rows = await db.fetchall(
        "SELECT DISTINCT rc.request_id FROM request_camera rc JOIN camera c ON c.id = rc.camera_id"
        " WHERE c.point_id = ? ORDER BY rc.request_id", (point_id,))
    return [int(r["request_id"]) for r in rows]


async def requests_naming_camera(db: Database, actor: Principal, camera_id: int,
                                 limit: int = 50) -> list[dict[str, Any]]:
    """The extraction requests in the caller's scope that name this camera, newest first.

    Each: ``id``, ``case_no``, ``status``, ``window_from``, ``window_to``, ``created_at``.
    """
    actor.require("incident.read")
    scope, params = in_scope("z.path", actor.zone_path)
    rows = await db.fetchall(
        "SELECT r.id, i.case_no, r.status, rc.window_from, rc.window_to, r.created_at"
        " FROM request_camera rc JOIN extraction_request r ON r.id = rc.request_id"
        " JOIN incident i ON i.id = r.incident_id JOIN zone z ON z.id = i.zone_id"
        f" WHERE rc.camera_id = ? AND {scope} ORDER BY r.id DESC LIMIT ?",  # noqa: S608
        (camera_id, *params, limit))
    return [dict(r) for r in rows]


async def audit_host_reads(db: Database, actor: Principal, shown: list[RequestOut]) -> None:
    """Requests list each camera's host name and phone: log that the caller saw them."""
    ids = [r.id for r in shown if any(c.host_name or c.host_phone for c in r.cameras)]
    await audit.record_personal_read(db, actor, "extraction_request", ids)


async def at_risk(db: Database, actor: Principal, at_risk_hours: float) -> list[RequestOut]:
    """Open requests with a camera whose footage is overwritten within ``at_risk_hours``."""
    actor.require("incident.read")
    horizon = to_iso(utcnow() + timedelta(hours=at_risk_hours))
    now = now_iso()
    scope, scope_params = in_scope("z.path", actor.zone_path)
    rows = await db.fetchall(
        f"{_SELECT} WHERE {scope} AND r.status IN ('draft', 'submitted', 'approved')"
        " AND EXISTS (SELECT 1 FROM request_camera rc JOIN camera c ON c.id = rc.camera_id"
        "  WHERE rc.request_id = r.id"
        "  AND COALESCE((SELECT rr.overwrite_deadline FROM request_retention rr"
        "      WHERE rr.request_id = rc.request_id AND rr.camera_id = rc.camera_id),"
        "      strftime('%Y-%m-%dT%H:%M:%fZ', rc.window_to, '+' || c.retention_days || ' days'))"
        "      BETWEEN ? AND ?) ORDER BY r.id",
        (*scope_params, now, horizon),
    )
    return [await get_request(db, actor, r["id"], at_risk_hours) for r in rows]
