"""Pages for incidents and extraction requests (Vietnamese first), thin over camnet.evidence.

Every form posts with the session's CSRF token and redirects back (Post/Redirect/Get); an
input error re-renders the page with the message next to the form and the values kept.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import BodyPartReader, web
from pydantic import BaseModel

from camnet.auth.principal import Principal
from camnet.errors import CamnetError, ErrorDetail, InvalidInput
from camnet.evidence import incidents, items, requests
from camnet.evidence.form import KIND_VI, STATUS_VI, form_context, render_form
from camnet.evidence.models import (
    CustodyIn,
    ExternalItemIn,
    IncidentIn,
    IncidentPatch,
    RequestCameraIn,
    RequestIn,
    TransitionIn,
)
from camnet.paging import MAX_PER_PAGE
from camnet.registry.cameras import cameras_under_zone
from camnet.registry.zones import list_zones
from camnet.web import keys
from camnet.web.csrf import check_csrf
from camnet.web.form_errors import error_detail
from camnet.web.i18n import page_language, translate
from camnet.web.pages import page_principal, render
from camnet.web.routing import next_part, open_multipart, part_chunks, path_id, upload_name, validate

routes = web.RouteTableDef()
KINDS = tuple(KIND_VI)
STATUSES = tuple(STATUS_VI)


# The printable form is a standalone document (it also goes into case packages): its own
# inline styles, and one inline handler (the print button) allowed by its hash.
FORM_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            "script-src 'unsafe-hashes' 'sha256-MguIPR6qNR8D3B+eAlK+bIRTZe8t3wkOY4B/56Me9FU='; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def _page_number(request: web.Request) -> int:
    text = request.query.get("page", "1")
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 8 else 1


def _error(request: web.Request, exc: CamnetError) -> ErrorDetail:
    """The error for the page: its message in the reader's language."""
    return error_detail(exc, page_language(request))


def _clean(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    """Take the named, non-empty text fields of a posted form."""
    out = {}
    for name in names:
        value = str(form.get(name, "")).strip()
        if value:
            out[name] = value
    return out


async def _zones(request: web.Request, p: Principal) -> list[Any]:
    return await list_zones(request.app[keys.DB], p)


# --- incidents -----------------------------------------------------------------------------

async def _incidents_page(request: web.Request, p: Principal, values: dict[str, Any] | None = None,
                          error: ErrorDetail | None = None, status: int = 200) -> web.Response:
    found, pager = await incidents.list_incidents(request.app[keys.DB], p,
                                                  page=_page_number(request))
    return await render(request, "incidents.html", {
        "incidents": found, "pager": pager, "pager_query": "", "kinds": KINDS, "kind_vi": KIND_VI,
        "zones": await _zones(request, p), "people": [i.created_by for i in found],
        "values": values or {}, "error": error}, status)


@routes.get("/incidents")
async def incident_list(request: web.Request) -> web.Response:
    """Incidents of the caller's zone and a form to log one."""
    return await _incidents_page(request, page_principal(request, "incident.read"))


@routes.post("/incidents")
async def incident_create(request: web.Request) -> web.Response:
    """Log an incident from the form."""
    p = page_principal(request, "incident.write")
    form = await request.post()
    await check_csrf(request, form)
    values = _clean(form, ("case_no", "kind", "occurred_from", "occurred_to", "zone_code", "lat",
                           "lon", "summary"))
    try:
        data = validate(IncidentIn, values)
        created = await incidents.create_incident(request.app[keys.DB], p, data)
    except CamnetError as exc:
        return await _incidents_page(request, p, values, _error(request, exc), exc.status)
    raise web.HTTPSeeOther(f"/incidents/{created.id}")


async def _incident_page(request: web.Request, p: Principal, incident_id: int,
                         error: ErrorDetail | None = None, status: int = 200) -> web.Response:
    db = request.app[keys.DB]
    incident = await incidents.get_incident(db, p, incident_id)
    cameras = await cameras_under_zone(db, p, incident.zone_code)
    found, _ = await requests.list_requests(
        db, p, incident_id=incident_id, per_page=MAX_PER_PAGE,
        at_risk_hours=request.app[keys.CONFIG].evidence.at_risk_hours)
    return await render(request, "incident.html", {
        "incident": incident, "kinds": KINDS, "kind_vi": KIND_VI, "status_vi": STATUS_VI,
        "cameras": cameras, "requests": found, "error": error,
        "people": [incident.created_by, *(r.requested_by for r in found)]}, status)


@routes.get("/incidents/{id}")
async def incident_detail(request: web.Request) -> web.Response:
    """An incident, its requests and a form to draft one."""
    p = page_principal(request, "incident.read")
    return await _incident_page(request, p, path_id(request))


@routes.post("/incidents/{id}")
async def incident_update(request: web.Request) -> web.Response:
    """Change an incident from the edit form."""
    p = page_principal(request, "incident.write")
    incident_id = path_id(request)
    form = await request.post()
    await check_csrf(request, form)
    values = _clean(form, ("kind", "occurred_from", "occurred_to", "lat", "lon", "summary"))
    if "summary" not in values and "summary" in form:
        values["summary"] = ""
    try:
        await incidents.update_incident(request.app[keys.DB], p, incident_id,
                                        validate(IncidentPatch, values))
    except CamnetError as exc:
        return await _incident_page(request, p, incident_id, _error(request, exc), exc.status)
    raise web.HTTPSeeOther(f"/incidents/{incident_id}")


@routes.post("/incidents/{id}/requests")
async def request_create(request: web.Request) -> web.Response:
    """Draft an extraction request for the ticked cameras."""
    p = page_principal(request, "request.draft")
    incident_id = path_id(request)
    form = await request.post()
    await check_csrf(request, form)
    cameras: list[RequestCameraIn] = []
    try:
        for raw in form.getall("camera", []):
            cid = int(str(raw))
            window = _clean(form, (f"from_{cid}", f"to_{cid}"))
            cameras.append(validate(RequestCameraIn, {
                "camera_id": cid, "window_from": window.get(f"from_{cid}"),
                "window_to": window.get(f"to_{cid}")}))
        if not cameras:
            raise InvalidInput("tick at least one camera", "cameras")
        data = validate(RequestIn, {"incident_id": incident_id,
                                    "reason": str(form.get("reason", "")).strip(),
                                    "cameras": [c.model_dump() for c in cameras]})
        created = await requests.create_request(request.app[keys.DB], p, data)
    except ValueError:
        return await _incident_page(request, p, incident_id,
                                    _error(request, InvalidInput("bad camera id", "cameras",
                                                                key="err_bad_camera_id")), 422)
    except CamnetError as exc:
        return await _incident_page(request, p, incident_id, _error(request, exc), exc.status)
    raise web.HTTPSeeOther(f"/requests/{created.id}")


# --- requests ------------------------------------------------------------------------------

@routes.get("/requests")
async def request_list(request: web.Request) -> web.Response:
    """Requests of the caller's zone, optionally by status."""
    p = page_principal(request, "incident.read")
    status = request.query.get("status") or None
    if status is not None and status not in STATUSES:
        status = None
    found, pager = await requests.list_requests(
        request.app[keys.DB], p, status=status, page=_page_number(request),
        at_risk_hours=request.app[keys.CONFIG].evidence.at_risk_hours)
    return await render(request, "requests.html", {
        "requests": found, "pager": pager,
        "pager_query": urlencode({"status": status}) + "&" if status else "", "status": status,
        "statuses": STATUSES, "status_vi": STATUS_VI,
        "at_risk_view": False})


@routes.get("/requests/at-risk")
async def request_at_risk(request: web.Request) -> web.Response:
    """Open requests whose footage a recorder overwrites soon."""
    p = page_principal(request, "incident.read")
    hours = request.app[keys.CONFIG].evidence.at_risk_hours
    found = await requests.at_risk(request.app[keys.DB], p, hours)
    await requests.audit_host_reads(request.app[keys.DB], p, found)
    return await render(request, "requests.html", {
        "requests": found, "status": None, "statuses": STATUSES, "status_vi": STATUS_VI,
        "at_risk_view": True, "hours": hours})


def _custody_words(event: dict[str, Any], lang: str) -> dict[str, Any]:
    """A custody event for the page: a note camnet wrote itself is said in words."""
    known = items.system_note(str(event.get("note") or ""))
    if known is None:
        return event
    key, params = known
    return {**event, "note": translate(key, lang).format(**params)}


async def _request_page(request: web.Request, p: Principal, request_id: int,
                        error: ErrorDetail | None = None, status: int = 200,
                        confirm: TransitionIn | None = None) -> web.Response:
    db = request.app[keys.DB]
    req = await requests.get_request(db, p, request_id,
                                     request.app[keys.CONFIG].evidence.at_risk_hours)
    await requests.audit_host_reads(request.app[keys.DB], p, [req])
    incident = await incidents.get_incident(db, p, req.incident_id)
    history = await requests.request_history(db, p, request_id)
    found = await items.list_items(db, p, request_id)
    custody = [_custody_words(e, page_language(request))
               for e in await items.custody_log(db, p, [i.id for i in found])]
    return await render(request, "request.html", {
        "req": req, "incident": incident, "history": history, "items": found,
        "custody": custody, "status_vi": STATUS_VI, "kind_vi": KIND_VI, "error": error,
        "can_write": p.can("evidence.write"), "confirm": confirm,
        "people": [req.requested_by, req.approved_by or "", *(h["actor"] for h in history),
                   *(str(e["actor"]) for e in custody)],
        "custody_actions": ("transferred", "viewed", "returned", "sealed")}, status)


@routes.get("/requests/{id}")
async def request_detail(request: web.Request) -> web.Response:
    """A request: cameras with availability and deadlines, workflow, items, custody."""
    p = page_principal(request, "incident.read")
    return await _request_page(request, p, path_id(request))


async def _post_back(request: web.Request, p: Principal, request_id: int, model: type[BaseModel],
                     names: tuple[str, ...], action: Any) -> web.Response:
    form = await request.post()
    await check_csrf(request, form)
    try:
        await action(validate(model, _clean(form, names)))
    except CamnetError as exc:
        return await _request_page(request, p, request_id, _error(request, exc), exc.status)
    raise web.HTTPSeeOther(f"/requests/{request_id}")


# Steps that cannot be taken back: the page asks once more, saying what will happen.
CONFIRM_STEPS = ("approved", "rejected", "unavailable", "handed_over")
_STEP_FIELDS = ("to", "note", "handed_over_to")


@routes.post("/requests/{id}/transition")
async def request_transition(request: web.Request) -> web.Response:
    """Take one workflow step (the role is checked by the domain function).

    An irreversible step (:data:`CONFIRM_STEPS`) posted without ``confirm=yes`` is not taken:
    the request page comes back with a confirmation card (what, for which cameras, the note
    as typed) whose button posts the same step with ``confirm=yes``. No script needed.
    """
    p = page_principal(request, "incident.read")
    request_id = path_id(request)
    form = await request.post()
    if form.get("to") in CONFIRM_STEPS and form.get("confirm") != "yes" and form["to"] in (
            requests.next_steps(p, (await requests.get_request_row(
                request.app[keys.DB], p, request_id))["status"])):  # else: the domain refuses
        await check_csrf(request, form)
        try:
            step = validate(TransitionIn, _clean(form, _STEP_FIELDS))
            requests.check_step(step)
        except CamnetError as exc:
            return await _request_page(request, p, request_id, _error(request, exc), exc.status)
        return await _request_page(request, p, request_id, confirm=step)

    async def act(step: TransitionIn) -> None:
        await requests.transition(request.app[keys.DB], p, request_id, step,
                                  separation_of_duties=request.app[keys.CONFIG].evidence
                                  .separation_of_duties)

    return await _post_back(request, p, request_id, TransitionIn, _STEP_FIELDS, act)


@routes.post("/requests/{id}/items/external")
async def item_register(request: web.Request) -> web.Response:
    """Register an item held elsewhere by its hash and size."""
    p = page_principal(request, "evidence.write")
    request_id = path_id(request)

    async def act(data: ExternalItemIn) -> None:
        await items.register_item(request.app[keys.DB], p, request_id, data)

    return await _post_back(request, p, request_id, ExternalItemIn,
                            ("filename", "size", "sha256", "camera_id", "method", "holder"), act)


@routes.post("/items/{id}/custody")
async def item_custody(request: web.Request) -> web.Response:
    """Record a custody action, then go back to the item's request."""
    p = page_principal(request, "evidence.write")
    item = await items.get_item_row(request.app[keys.DB], p, path_id(request))

    async def act(event: CustodyIn) -> None:
        await items.record_custody(request.app[keys.DB], p, item["id"], event)

    return await _post_back(request, p, item["request_id"], CustodyIn,
                            ("action", "from_holder", "to_holder", "note"), act)


@routes.post("/requests/{id}/items")
async def item_upload(request: web.Request) -> web.Response:
    """Upload a footage file: fields first (csrf, camera_id, method, holder), then ``file``."""
    p = page_principal(request, "evidence.write")
    request_id = path_id(request)
    reader = await open_multipart(request)
    fields: dict[str, str] = {}
    part = await next_part(reader)
    while isinstance(part, BodyPartReader) and part.name != "file":
        fields[str(part.name)] = (await part.text())[:500]
        part = await next_part(reader)
    await check_csrf(request, fields)
    if not isinstance(part, BodyPartReader) or not part.filename:
        return await _request_page(request, p, request_id,
                                   _error(request, InvalidInput("choose a file", "file",
                                                               key="err_choose_file")), 422)
    try:
        camera_id = int(fields["camera_id"]) if fields.get("camera_id") else None
        await items.upload_item(request.app[keys.DB], p, request.app[keys.BLOBS], request_id,
                                part_chunks(part), filename=upload_name(part),
                                camera_id=camera_id, method=fields.get("method", "") or "upload",
                                holder=fields.get("holder", ""))
    except ValueError:
        return await _request_page(request, p, request_id,
                                   _error(request, InvalidInput("bad camera id", "camera_id",
                                                               key="err_bad_camera_id")), 422)
    except CamnetError as exc:
        return await _request_page(request, p, request_id, _error(request, exc), exc.status)
    raise web.HTTPSeeOther(f"/requests/{request_id}")


@routes.get("/requests/{id}/form")
async def request_form(request: web.Request) -> web.Response:
    """The printable request form for the camera host."""
    p = page_principal(request, "incident.read")
    context = await form_context(request.app[keys.DB], p, path_id(request), request.app[keys.CONFIG])
    await requests.audit_host_reads(request.app[keys.DB], p, [context["req"]])
    return web.Response(text=render_form(context), content_type="text/html",
                        headers={"Content-Security-Policy": FORM_CSP})
