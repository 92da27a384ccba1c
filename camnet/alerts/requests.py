"""Alerts about extraction-request steps, written by evidence inside its own transaction.

This module never imports :mod:`camnet.evidence`; :mod:`camnet.alerts.deadlines` does.
"""

from __future__ import annotations

from camnet.alerts.outbox import enqueue_event
from camnet.db import Transaction

STEP_KINDS = {"submitted": "request_submitted", "approved": "request_approved",
              "rejected": "request_rejected"}


async def enqueue_request_alert(tx: Transaction, *, request_id: int, zone_path: str,
                                case_no: str, requested_by: str, to_status: str, note: str,
                                now: str) -> int:
    """Add the alert for a request step to the outbox, inside the step's transaction.

    ``submitted`` goes to the zone's commanders (and subscribers), ``approved`` and
    ``rejected`` to the requester. Other steps alert nobody.

    Returns:
        The event id, or 0 when the step alerts nobody.
    """
    kind = STEP_KINDS.get(to_status)
    if kind is None:
        return 0
    zone_id = await tx.fetchval("SELECT id FROM zone WHERE path = ?", (zone_path,))
    data: dict[str, object] = {"subject": f"#{request_id} ({case_no})", "cause": note,
                               "place": case_no}
    if kind == "request_submitted":
        data["roles"] = ["commander"]
    else:
        data["personal"] = [requested_by]
    return await enqueue_event(tx, kind, now, now, zone_id=zone_id, request_id=request_id,
                               data=data)
