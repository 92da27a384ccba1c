"""Officers' pages for hosts: the review queue, one registration, invites and QR flyers.

Everything here is limited to the officer's zone subtree (``registry.write``).
"""

from __future__ import annotations

from aiohttp import web

from camnet import audit
from camnet.errors import CamnetError, InvalidInput
from camnet.hosts import consent, invites, links, registrations, subject
from camnet.hosts.models import REVIEW_STATUSES, national_phone
from camnet.registry.zones import list_zones
from camnet.web import keys
from camnet.web.csrf import check_csrf
from camnet.web.i18n import error_words_for
from camnet.web.pages import page_principal, render
from camnet.web.routing import path_id
from camnet.web.ui_hosts import purpose_key

routes = web.RouteTableDef()
PERMISSION = "registry.write"


@routes.get("/ho-so-dang-ky")
async def queue(request: web.Request) -> web.Response:
    """Registrations to review, open data-subject requests and invites of the officer's zone."""
    p = page_principal(request, PERMISSION)
    db = request.app[keys.DB]
    status = str(request.query.get("status", "pending"))
    if status not in REVIEW_STATUSES and status != "all":
        status = "pending"
    zones = [z for z in await list_zones(db, p) if z.level in registrations.HOST_LEVELS]
    rows = await registrations.review_queue(db, p, status=None if status == "all" else status)
    dsr = await subject.open_in_scope(db, p)
    await registrations.record_reads(db, p, rows)
    await audit.record_personal_read(db, p, "host_subject_request", [int(r["id"]) for r in dsr])
    return await render(request, "hosts_queue.html", {
        "rows": rows, "status": status, "statuses": REVIEW_STATUSES,
        "subject_requests": dsr,
        "invites": await invites.invites_in_scope(db, p), "zones": zones,
        "base": f"{request.scheme}://{request.host}",
    })


@routes.get("/ho-so-dang-ky/{id}")
async def one(request: web.Request) -> web.Response:
    """One registration with its cameras, consents and links, and the review actions."""
    return await _one(request)


async def _one(request: web.Request, *, error: str = "", link: str = "", status: int = 200
               ) -> web.Response:
    p = page_principal(request, PERMISSION)
    db = request.app[keys.DB]
    reg_id = path_id(request)
    row = await registrations.get_in_scope(db, p, reg_id)
    await registrations.record_reads(db, p, [row])
    consents = await consent.consents_of(db, reg_id)
    return await render(request, "hosts_review.html", {
        "reg": row, "phone": national_phone(row["phone"]),
        "cameras": registrations.cameras_of(row), "consents": consents,
        "consent_texts": {c["version"]: (await consent.get_text(db, c["version"])).body
                          for c in consents},
        "links": await links.links_of(db, reg_id), "error": error, "link": link,
    }, status)


@routes.post("/ho-so-dang-ky/{id}")
async def decide(request: web.Request) -> web.Response:
    """Approve, ask for changes, reject, re-issue or revoke the host's link."""
    p = page_principal(request, PERMISSION)
    form = await request.post()
    await check_csrf(request, form)
    db = request.app[keys.DB]
    reg_id = path_id(request)
    action = str(form.get("action", ""))
    note = str(form.get("note", ""))[:2000]
    try:
        if action == "approve":
            await registrations.approve(db, p, reg_id, note)
        elif action == "changes":
            await registrations.ask_changes(db, p, reg_id, note)
        elif action == "reject":
            await registrations.reject(db, p, reg_id, note)
        elif action == "reissue":
            token = await registrations.reissue_link(
                db, p, purpose_key(request, "link"), reg_id,
                request.app[keys.CONFIG].hosts.link_days)
            return await _one(request, link=f"{request.scheme}://{request.host}/chu-camera/{token}")
        elif action == "revoke":
            await registrations.revoke_links(db, p, reg_id)
        else:
            raise InvalidInput("unknown action", "action")
    except CamnetError as exc:
        where = f" ({exc.field})" if exc.field else ""
        return await _one(request, error=error_words_for(request, exc) + where, status=exc.status)
    raise web.HTTPSeeOther(f"/ho-so-dang-ky/{reg_id}")


@routes.post("/ho-so-dang-ky/yeu-cau/{id}")
async def close_subject(request: web.Request) -> web.Response:
    """Close a host's data-subject request with an answer."""
    p = page_principal(request, PERMISSION)
    form = await request.post()
    await check_csrf(request, form)
    await subject.close_request(request.app[keys.DB], p, path_id(request),
                                status=str(form.get("status", "")),
                                answer=str(form.get("answer", "")))
    raise web.HTTPSeeOther("/ho-so-dang-ky")


@routes.post("/ho-so-dang-ky/moi")
async def new_invite(request: web.Request) -> web.Response:
    """Create an invite link for a commune or hamlet."""
    p = page_principal(request, PERMISSION)
    form = await request.post()
    await check_csrf(request, form)
    code = await invites.create_invite(request.app[keys.DB], p, str(form.get("zone", "")))
    raise web.HTTPSeeOther(f"/ho-so-dang-ky/moi/{code}")


async def _invite(request: web.Request) -> tuple[str, str, str]:
    p = page_principal(request, PERMISSION)
    code = request.match_info["code"]
    row = await invites.get_invite_in_scope(request.app[keys.DB], p, code)
    return code, str(row["zone_name"]), f"{request.scheme}://{request.host}/dang-ky?ma={code}"


@routes.get("/ho-so-dang-ky/moi/{code}")
async def invite_flyer(request: web.Request) -> web.Response:
    """A printable flyer: the invite link and its QR code."""
    code, zone_name, url = await _invite(request)
    return await render(request, "hosts_invite.html", {"code": code, "zone_name": zone_name,
                                                       "url": url})


@routes.get("/ho-so-dang-ky/moi/{code}/qr.svg")
async def invite_qr(request: web.Request) -> web.Response:
    """The invite's QR code as SVG."""
    _code, _zone, url = await _invite(request)
    return web.Response(body=invites.qr_svg(url), content_type="image/svg+xml")
