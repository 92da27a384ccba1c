"""Footage deadlines: 48 h and 12 h before overwrite, tell requester and investigators.

Only requests not yet extracted count (draft, submitted, approved).
"""

from __future__ import annotations

from camnet.alerts.outbox import enqueue_event
from camnet.auth.principal import cli_principal
from camnet.db import Database
from camnet.evidence.requests import at_risk
from camnet.timeutil import format_local, now_iso


async def check_deadlines(db: Database) -> int:
    """Queue one ``deadline_48h`` and one ``deadline_12h`` event per request camera.

    Returns:
        Events newly queued (repeats are dropped by their dedupe key).
    """
    queued = 0
    requests = await at_risk(db, cli_principal("alerts"), 48.0)
    if not requests:
        return 0
    now = now_iso()
    async with db.transaction() as tx:
        for req in requests:
            zone_id = await tx.fetchval("SELECT id FROM zone WHERE code = ?", (req.zone_code,))
            for cam in req.cameras:
                if not cam.at_risk:
                    continue
                kind = "deadline_12h" if cam.hours_left <= 12 else "deadline_48h"
                queued += bool(await enqueue_event(
                    tx, kind, now, now, zone_id=zone_id, request_id=req.id,
                    dedupe_key=f"{kind}:{req.id}:{cam.camera_id}",
                    data={"subject": f"#{req.id} ({req.case_no})", "place": cam.camera,
                          "cause": format_local(cam.overwrite_deadline),
                          "personal": [req.requested_by], "roles": ["investigator"]}))
    return queued
