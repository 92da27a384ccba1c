"""The printable request form ("phiếu yêu cầu trích xuất hình ảnh"), in Vietnamese.

One renderer serves the web page and the case package, so both show the same form.
"""

from __future__ import annotations

from typing import Any

import jinja2

from camnet.auth.principal import Principal
from camnet.db import Database
from camnet.evidence.incidents import get_incident
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


async def form_context(db: Database, actor: Principal, request_id: int) -> dict[str, Any]:
    """Everything the form shows, read with the caller's scope."""
    req = await get_request(db, actor, request_id)
    incident = await get_incident(db, actor, req.incident_id)
    return {"req": req, "incident": incident, "kind": KIND_VI.get(incident.kind, incident.kind),
            "status": STATUS_VI.get(req.status, req.status), "local": format_local,
            "printed_at": now_iso()}


def render_form(context: dict[str, Any]) -> str:
    """Render the standalone printable HTML form."""
    return _env.get_template("request_form.html").render(**context)
