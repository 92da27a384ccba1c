"""Incidents: a case number, a kind, a time window and a place, scoped to a zone."""

from __future__ import annotations

import sqlite3
from typing import Any

from camnet import audit
from camnet.auth.principal import Principal
from camnet.auth.scope import fetch_in_scope, in_scope
from camnet.db import Database, Transaction
from camnet.errors import Conflict, InvalidInput
from camnet.evidence.models import IncidentIn, IncidentOut, IncidentPatch
from camnet.geo import check_in_zone
from camnet.paging import Page, paginate
from camnet.registry.zones import get_zone_row
from camnet.timeutil import now_iso, to_iso

_SELECT = (
    "SELECT i.*, z.code AS zone_code, z.name AS zone_name, z.path AS zone_path FROM incident i"
    " JOIN zone z ON z.id = i.zone_id"
)


def incident_out(row: sqlite3.Row) -> IncidentOut:
    """Convert a joined incident row to its API model."""
    return IncidentOut(**{k: row[k] for k in IncidentOut.model_fields})


async def get_incident_row(db: Database | Transaction, actor: Principal, incident_id: int,
                           field: str = "id") -> sqlite3.Row:
    """Fetch an incident in the caller's scope, else :class:`NotFound`."""
    return await fetch_in_scope(db, actor, f"{_SELECT} WHERE i.id = ?", (incident_id,),
                                what=f"incident {incident_id}", field=field)


async def list_incidents(db: Database, actor: Principal, *, page: int = 1, per_page: int = 50
                         ) -> tuple[list[IncidentOut], Page]:
    """Return a page of incidents in the caller's scope, newest first."""
    actor.require("incident.read")
    scope, scope_params = in_scope("z.path", actor.zone_path)
    rows, paging = await paginate(
        db, select_sql=f"{_SELECT} WHERE {scope} ORDER BY i.occurred_from DESC, i.id DESC",
        count_sql=f"SELECT COUNT(*) FROM incident i JOIN zone z ON z.id = i.zone_id WHERE {scope}",
        params=scope_params, page=page, per_page=per_page)
    return [incident_out(r) for r in rows], paging


async def get_incident(db: Database, actor: Principal, incident_id: int) -> IncidentOut:
    """Return one incident."""
    actor.require("incident.read")
    return incident_out(await get_incident_row(db, actor, incident_id))


async def create_incident(db: Database, actor: Principal, data: IncidentIn) -> IncidentOut:
    """Log an incident in a zone of the caller's scope."""
    actor.require("incident.write")
    async with db.transaction() as tx:
        zone = await get_zone_row(tx, actor, code=data.zone_code)
        if data.lat is not None and data.lon is not None:
            check_in_zone(zone, data.lat, data.lon)
        if await tx.fetchval("SELECT 1 FROM incident WHERE case_no = ?", (data.case_no,)):
            raise Conflict(f"case number {data.case_no!r} is already used", "case_no",
                           key="err_case_no_used", case_no=data.case_no)
        now = now_iso()
        incident_id = await tx.execute(
            "INSERT INTO incident(case_no, kind, occurred_from, occurred_to, lat, lon, zone_id,"
            " summary, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (data.case_no, data.kind, to_iso(data.occurred_from), to_iso(data.occurred_to),
             data.lat, data.lon, zone["id"], data.summary, actor.username, now, now),
        )
        await audit.record(tx, actor, "create", "incident", incident_id, None,
                           data.model_dump(mode="json"))
        row = await get_incident_row(tx, actor, incident_id)
    return incident_out(row)


async def update_incident(db: Database, actor: Principal, incident_id: int,
                          patch: IncidentPatch) -> IncidentOut:
    """Change an incident's kind, window, place or summary."""
    actor.require("incident.write")
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
    async with db.transaction() as tx:
        before = await get_incident_row(tx, actor, incident_id)
        for key in ("occurred_from", "occurred_to"):
            if changes.get(key) is not None:
                changes[key] = to_iso(changes[key])
        start = changes.get("occurred_from") or before["occurred_from"]
        end = changes.get("occurred_to") or before["occurred_to"]
        if end < start:
            raise InvalidInput("occurred_to must not be before occurred_from", "occurred_to",
                               key="derr_end_before_start")
        lat, lon = changes.get("lat", before["lat"]), changes.get("lon", before["lon"])
        if lat is not None and lon is not None:
            zone = await get_zone_row(tx, actor, zone_id=before["zone_id"])
            check_in_zone(zone, lat, lon)
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            await tx.execute(f"UPDATE incident SET {sets}, updated_at = ? WHERE id = ?",
                             (*changes.values(), now_iso(), incident_id))
            await audit.record(tx, actor, "update", "incident", incident_id, dict(before), changes)
        row = await get_incident_row(tx, actor, incident_id)
    return incident_out(row)
