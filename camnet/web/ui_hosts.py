"""Pages for hosts: self-registration ``/dang-ky`` (public) and the private host page.

The host page lives at ``/chu-camera/<token>``: the token is the host's private link (see
:mod:`camnet.hosts.links`); an invalid, expired or revoked one answers 404.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp_session import get_session
from multidict import MultiDictProxy
from pydantic import ValidationError

from camnet.errors import CamnetError, InvalidInput, NotFound
from camnet.hosts import abuse, consent, footage, hostpage, invites, links, registrations, subject
from camnet.hosts.models import HostCorrection, RegistrationIn, national_phone
from camnet.web import keys
from camnet.web.csrf import check_csrf, token_matches
from camnet.web.i18n import error_words_for
from camnet.web.middleware import client_address
from camnet.web.pages import render
from camnet.web.routing import (
    PRINCIPAL,
    invalid_from,
    next_part,
    open_multipart,
    part_chunks,
    upload_name,
)

routes = web.RouteTableDef()
CAMERA_FIELDS = ("label", "azimuth_deg", "fov_deg", "retention_days", "sign_posted", "qcvn135",
                 "rtsp_url", "password")


def purpose_key(request: web.Request, purpose: str) -> bytes:
    """A key for one purpose (host links, proof of work) derived from the service key."""
    return links.derive_key(request.app[keys.SECRETS].session_key, purpose)


def _enabled(request: web.Request) -> None:
    if not request.app[keys.CONFIG].hosts.registration_enabled:
        raise web.HTTPNotFound()


def _camera_count(request: web.Request, form: MultiDictProxy[Any] | None) -> int:
    limit = request.app[keys.CONFIG].hosts.max_cameras
    raw = str((form or request.query).get("n", "1"))
    return max(1, min(limit, int(raw) if raw.isdigit() and len(raw) < 4 else 1))


async def _form_page(request: web.Request, *, values: dict[str, Any] | None = None,
                     error: str = "", status: int = 200) -> web.Response:
    cfg = request.app[keys.CONFIG].hosts
    db = request.app[keys.DB]
    invite = None
    code = str(request.query.get("ma", "") or (values or {}).get("ma", ""))
    if code:
        invite = await invites.resolve_invite(db, code)
    text = await consent.current_text(db)
    principal = request.get(PRINCIPAL)
    return await render(request, "hosts_register.html", {
        "zones": [] if invite else await registrations.public_zones(db),
        "invite": invite, "consent_text": text, "values": values or {},
        "n": _camera_count(request, None) if values is None else int(values.get("n", 1)),
        "max_cameras": cfg.max_cameras, "error": error,
        "pow": abuse.new_challenge(purpose_key(request, "pow"), cfg.pow_max_number,
                                   cfg.pow_ttl_s),
        "officer": principal is not None and principal.can("registry.write"),
    }, status)


@routes.get("/dang-ky")
async def register_form(request: web.Request) -> web.Response:
    """The public registration form (``?ma=CODE`` from an invite fixes the zone)."""
    _enabled(request)
    return await _form_page(request)


def _float(text: str, field: str) -> float | None:
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError as exc:
        raise InvalidInput(f"{field}: not a number", field) from exc


def parse_form(form: MultiDictProxy[Any], n: int, zone_id: int) -> RegistrationIn:
    """Build the registration from the form fields (``cam-<i>-<field>`` per camera)."""
    cameras = []
    for i in range(n):

        def get(name: str, i: int = i) -> str:
            return str(form.get(f"cam-{i}-{name}", "")).strip()

        if i > 0 and not get("retention_days") and not get("label"):
            continue  # an empty extra camera block
        cameras.append({
            "label": get("label"), "azimuth_deg": _float(get("azimuth_deg"), "azimuth_deg"),
            "fov_deg": _float(get("fov_deg"), "fov_deg"),
            "retention_days": get("retention_days") or None,
            "sign_posted": get("sign_posted") == "yes" if get("sign_posted") else None,
            "qcvn135": get("qcvn135") or "unknown", "rtsp_url": get("rtsp_url"),
            "password": str(form.get(f"cam-{i}-password", ""))})
    data = {
        "zone_id": zone_id, "host_name": str(form.get("host_name", "")),
        "phone": str(form.get("phone", "")), "email": str(form.get("email", "")),
        "point_name": str(form.get("point_name", "")),
        "address": str(form.get("address", "")),
        "lat": _float(str(form.get("lat", "")), "lat"), "lon": _float(str(form.get("lon", "")), "lon"),
        "cameras": cameras,
        "consent_version": str(form.get("consent_version", "0")) or "0",
        "consent": form.get("consent") == "yes",
    }
    try:
        return RegistrationIn.model_validate(data)
    except ValidationError as exc:
        raise invalid_from(exc) from exc


@routes.post("/dang-ky")
async def register_post(request: web.Request) -> web.Response:
    """Store a registration (after CSRF, proof of work and rate limits) and show the private link."""
    _enabled(request)
    form = await request.post()
    await check_csrf(request, form)
    cfg = request.app[keys.CONFIG].hosts
    db = request.app[keys.DB]
    values = {k: str(v) for k, v in form.items() if not k.endswith("password")}
    n = _camera_count(request, form)
    values["n"] = str(n)
    principal = request.get(PRINCIPAL)
    paper = (form.get("channel") == "paper" and principal is not None
             and principal.can("registry.write"))
    try:
        invite_id = None
        code = str(form.get("ma", ""))
        if code:
            invite = await invites.resolve_invite(db, code)
            zone_id, invite_id = int(invite["zone_id"]), int(invite["id"])
        else:
            raw = str(form.get("zone_id", ""))
            if not raw.isdigit() or len(raw) > 18:
                raise InvalidInput("choose your commune or hamlet", "zone_id")
            zone_id = int(raw)
        data = parse_form(form, n, zone_id)
        challenge = None if paper else abuse.verify_pow(purpose_key(request, "pow"),
                                                       str(form.get("altcha", "")))
        done = await registrations.submit(
            db, request.app[keys.CIPHER], purpose_key(request, "link"), data,
            client_address=client_address(request), pow_challenge=challenge,
            policy=abuse.RatePolicy(cfg.rate_window_s, cfg.rate_per_address, cfg.rate_per_phone),
            link_days=cfg.link_days, max_cameras=cfg.max_cameras, invite_id=invite_id,
            channel="paper" if paper else "web",
            witnessed_by=principal.username if paper and principal else None)
    except CamnetError as exc:
        where = f" ({exc.field})" if exc.field else ""
        return await _form_page(request, values=values, error=error_words_for(request, exc) + where,
                                status=exc.status)
    link = f"{request.scheme}://{request.host}/chu-camera/{done.token}"
    return await render(request, "hosts_thanks.html", {"link": link, "id": done.registration_id,
                                                       "days": cfg.link_days})


async def _host(request: web.Request) -> int:
    token = request.match_info["token"]
    return await links.resolve(request.app[keys.DB], purpose_key(request, "link"), token)


async def _host_page(request: web.Request, registration_id: int, *, error: str = "",
                     done: str = "", status: int = 200) -> web.Response:
    db = request.app[keys.DB]
    row = await registrations.get_for_host(db, registration_id)
    await hostpage.log_page_view(db, registration_id)
    return await render(request, "hosts_page.html", {
        "reg": row, "phone": national_phone(row["phone"]),
        "submitted": registrations.cameras_of(row),
        "cameras": await hostpage.cameras(db, registration_id),
        "pauses": await hostpage.pauses(db, registration_id),
        "consents": await hostpage.consent_history(db, registration_id),
        "requests": await hostpage.requests(db, registration_id),
        "answers": await footage.answers_of(db, registration_id),
        "subject_requests": await subject.requests_of(db, registration_id),
        "token": request.match_info["token"], "error": error,
        "done": "" if error else (done or str(request.query.get("ok", ""))[:20]),
    }, status)


@routes.get("/chu-camera/{token}")
async def host_page(request: web.Request) -> web.Response:
    """The host's own page: their point and cameras only."""
    return await _host_page(request, await _host(request))


def _int(form: MultiDictProxy[Any], name: str) -> int:
    raw = str(form.get(name, "")).strip()
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidInput(f"{name}: a whole number is needed", name)
    return int(raw)


@routes.post("/chu-camera/{token}")
async def host_action(request: web.Request) -> web.Response:
    """Actions from the host page: correct, pause, end pause, retention, withdraw, requests."""
    registration_id = await _host(request)
    form = await request.post()
    await check_csrf(request, form)
    db = request.app[keys.DB]
    cfg = request.app[keys.CONFIG].hosts
    action = str(form.get("action", ""))
    try:
        if action == "correct":
            fields: dict[str, Any] = {k: str(form.get(k, ""))
                                      for k in ("host_name", "phone", "email", "address")}
            if form.get("point_name"):
                fields["point_name"] = str(form.get("point_name"))
            for name in ("lat", "lon"):
                fields[name] = _float(str(form.get(name, "")), name)
            try:
                data = HostCorrection.model_validate(fields)
            except ValidationError as exc:
                raise invalid_from(exc) from exc
            await registrations.correct(db, registration_id, data)
        elif action == "pause":
            await hostpage.pause(db, registration_id, until=str(form.get("until", "")),
                                 reason=str(form.get("reason", ""))[:200].strip())
        elif action == "end_pause":
            await hostpage.end_pause(db, registration_id, _int(form, "window_id"))
        elif action == "retention":
            await hostpage.set_retention(db, request.app[keys.CIPHER], registration_id,
                                         _int(form, "camera_id"), _int(form, "retention_days"))
        elif action == "withdraw":
            if form.get("confirm") != "yes":
                raise InvalidInput("tick the box to confirm the withdrawal", "confirm")
            await hostpage.withdraw_consent(db, request.app[keys.CIPHER], registration_id)
        elif action == "subject":
            await subject.file_request(db, registration_id, str(form.get("kind", "")),
                                       str(form.get("note", "")),
                                       deadline_hours=cfg.subject_request_hours)
        elif action == "answer":
            await footage.answer_without_clip(db, registration_id, _int(form, "request_id"),
                                              _int(form, "camera_id"), str(form.get("answer", "")))
        else:
            raise InvalidInput("unknown action", "action")
    except CamnetError as exc:
        where = f" ({exc.field})" if exc.field else ""
        return await _host_page(request, registration_id, error=error_words_for(request, exc) + where,
                                status=exc.status)
    raise web.HTTPSeeOther(f"/chu-camera/{request.match_info['token']}?ok={action}")


@routes.post("/chu-camera/{token}/clip")
async def host_upload(request: web.Request) -> web.Response:
    """The host uploads a clip for an approved request (multipart: csrf, request_id, camera_id, file)."""
    registration_id = await _host(request)
    reader = await open_multipart(request)
    fields: dict[str, str] = {}
    session = await get_session(request)
    while (part := await next_part(reader)) is not None:
        if part.name == "file":
            if not token_matches(session, fields.get("csrf", "")):
                raise InvalidInput("the form expired; reload and try again", "csrf")
            for name in ("request_id", "camera_id"):
                if not fields.get(name, "").isdigit() or len(fields[name]) > 18:
                    raise InvalidInput(f"{name} is required", name)
            store = request.app[keys.HOST_BLOBS]
            try:
                await footage.upload_clip(
                    request.app[keys.DB], store, registration_id, int(fields["request_id"]),
                    int(fields["camera_id"]), part_chunks(part), upload_name(part))
            except CamnetError as exc:
                return await _host_page(request, registration_id, error=error_words_for(request, exc),
                                        status=exc.status)
            raise web.HTTPSeeOther(f"/chu-camera/{request.match_info['token']}?ok=clip")
        fields[str(part.name)] = (await part.text())[:100]
    raise InvalidInput("send the clip in a part named 'file'", "file")


@routes.get("/chu-camera/{token}/snapshot/{camera_id}")
async def host_snapshot(request: web.Request) -> web.Response:
    """The latest snapshot of one of the host's cameras."""
    registration_id = await _host(request)
    raw = request.match_info["camera_id"]
    if not raw.isdigit() or len(raw) > 18:
        raise NotFound("no such camera", "camera_id")
    shot = await hostpage.camera_snapshot(request.app[keys.DB], registration_id, int(raw))
    if shot is None:
        raise NotFound("no snapshot yet", "camera_id")
    return web.Response(body=shot[0], content_type="image/jpeg",
                        headers={"Cache-Control": "no-store", "X-Taken-At": shot[1]})
