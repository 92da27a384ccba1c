"""The printable request form ("phiếu yêu cầu trích xuất hình ảnh"), in Vietnamese.

One renderer serves the web page and the case package, so both show the same form. The
layout follows Decree 30/2020/NĐ-CP Annex I; its content is built by
:func:`camnet.evidence.form_model.form_model` (a plain dict for the template).
"""

from __future__ import annotations

import asyncio
from typing import Any

import jinja2

from camnet.accounts.users import people_named
from camnet.auth.principal import Principal
from camnet.config import Config
from camnet.db import Database
from camnet.evidence import anchors
from camnet.evidence.form_model import form_model
from camnet.evidence.incidents import get_incident
from camnet.evidence.items import list_items
from camnet.evidence.requests import get_request
from camnet.i18n import translate
from camnet.timeutil import format_local, now_iso
from camnet.vocab import RequestStatus

KINDS = ("theft", "assault", "traffic", "fire", "other")
KIND_VI = {k: translate(f"kind_{k}", "vi") for k in KINDS}
STATUS_VI = {s.value: translate(f"request_status_{s.value}", "vi") for s in RequestStatus}

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("camnet.evidence", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
)


async def form_context(db: Database, actor: Principal, request_id: int,
                       config: Config | None = None) -> dict[str, Any]:
    """Everything the form shows, read with the caller's scope.

    With ``config`` the header carries the configured unit names and the QR code the newest
    custody anchor's hash.
    """
    req = await get_request(db, actor, request_id)
    incident = await get_incident(db, actor, req.incident_id)
    item_list = await list_items(db, actor, request_id)
    people = await people_named(db, [req.requested_by, req.approved_by or ""])
    anchor = (await asyncio.to_thread(anchors.latest_blocking, anchors.log_path(config))
              if config is not None else None)
    evidence = config.evidence if config is not None else None
    printed_at = now_iso()
    model = form_model(
        req.model_dump(), incident.model_dump(), [i.model_dump() for i in item_list],
        parent_unit=evidence.parent_unit if evidence else "",
        issuing_unit=evidence.issuing_unit if evidence else "",
        separation_of_duties=evidence.separation_of_duties if evidence else True,
        people=people, anchor_head=anchor.head if anchor else None, printed_at=printed_at,
        kind_vi=KIND_VI.get(incident.kind, incident.kind),
        status_vi=STATUS_VI.get(req.status, req.status))
    return {"req": req, "incident": incident, "kind": KIND_VI.get(incident.kind, incident.kind),
            "status": STATUS_VI.get(req.status, req.status), "local": format_local,
            "printed_at": printed_at, "form": model}


def render_form(context: dict[str, Any]) -> str:
    """Render the standalone printable HTML form."""
    return _env.get_template("request_form.html").render(**context)
