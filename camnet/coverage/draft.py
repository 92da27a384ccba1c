"""From a who-saw answer to a draft extraction request, keeping what the officer saw.

The answer is recomputed on the server (never taken from the client), the chosen cameras
must be in it, and the request is drafted with the one request-creation function of
:mod:`camnet.evidence.requests`. The answer — each camera's status record and footage
verdict through the window — is stored with the request (``request_whosaw``, append-only)
and its hash goes into the audit hash chain in the same transaction, so later edits to
outages or to the registry cannot change what the officer saw when asking.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from camnet import audit
from camnet.auth.principal import Principal
from camnet.coverage.whosaw import WhoSawSettings, who_saw
from camnet.db import Database
from camnet.errors import InvalidInput
from camnet.evidence.models import RequestCameraIn, RequestIn
from camnet.evidence.requests import get_request_row, insert_request
from camnet.timeutil import now_iso


def canonical(snapshot: dict[str, Any]) -> str:
    """The stored text of a snapshot (sorted keys, UTF-8 kept)."""
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


async def draft_from_whosaw(
    db: Database, actor: Principal, *, incident_id: int, lat: float, lon: float, start: datetime,
    end: datetime, camera_ids: list[int], reason: str, settings: WhoSawSettings,
    tolerance_m: float | None = None,
) -> int:
    """Draft a request for ``camera_ids`` over [start, end]; return the request id.

    Raises:
        InvalidInput: no camera chosen, or a camera that is not in the who-saw answer.
    """
    actor.require("request.draft")
    if not camera_ids:
        raise InvalidInput("choose at least one camera", "camera_ids")
    if not reason.strip():
        raise InvalidInput("say why the footage is needed", "reason")
    answer = await who_saw(db, actor, lat=lat, lon=lon, start=start, end=end, settings=settings,
                           tolerance_m=tolerance_m)
    listed = {c["camera_id"] for c in answer["cameras"]}
    for n, cid in enumerate(camera_ids):
        if cid not in listed:
            raise InvalidInput(f"camera {cid} could not have seen this point in this window",
                               f"camera_ids.{n}")
    data = RequestIn(incident_id=incident_id, reason=reason, cameras=[
        RequestCameraIn(camera_id=cid, window_from=start, window_to=end) for cid in camera_ids])
    snapshot = {"answer": answer, "chosen": list(camera_ids)}
    text = canonical(snapshot)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    async with db.transaction() as tx:
        request_id = await insert_request(tx, actor, data)
        await tx.execute(
            "INSERT INTO request_whosaw(request_id, answer_json, sha256, created_at)"
            " VALUES (?, ?, ?, ?)", (request_id, text, digest, now_iso()))
        await audit.record(tx, actor, "whosaw_snapshot", "extraction_request", request_id, None,
                           {"sha256": digest, **snapshot})
    return request_id


async def whosaw_snapshot(db: Database, actor: Principal, request_id: int) -> dict[str, Any] | None:
    """The who-saw answer stored with a request (``None`` if it was drafted otherwise).

    ``intact`` tells whether the stored text still matches its recorded hash.
    """
    actor.require("incident.read")
    await get_request_row(db, actor, request_id)
    row = await db.fetchone("SELECT * FROM request_whosaw WHERE request_id = ?", (request_id,))
    if row is None:
        return None
    intact = hashlib.sha256(row["answer_json"].encode("utf-8")).hexdigest() == row["sha256"]
    return {"request_id": request_id, "sha256": row["sha256"], "created_at": row["created_at"],
            "intact": intact, **json.loads(row["answer_json"])}
