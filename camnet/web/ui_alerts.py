"""The alerts page (``/alerts``): contact, Zalo linking, subscriptions, delivery log.

Admins also see the delivery log with failures and the channels that keep failing.
"""

from __future__ import annotations

from aiohttp import web

from camnet.alerts import delivery, recipients
from camnet.alerts.outbox import EVENT_KINDS
from camnet.auth.principal import Principal
from camnet.errors import CamnetError
from camnet.registry.zones import list_zones
from camnet.web import keys
from camnet.web.alerts_ctx import ALERTS
from camnet.web.csrf import check_csrf
from camnet.web.i18n import error_words_for
from camnet.web.pages import page_principal, render

routes = web.RouteTableDef()


async def _page(request: web.Request, p: Principal, *, code: tuple[str, str] | None = None,
                error: str = "", status: int = 200) -> web.Response:
    db = request.app[keys.DB]
    zones = await list_zones(db, p)
    admin = p.role == "admin"
    service = request.app.get(ALERTS)
    subscriptions = await recipients.list_subscriptions(db, p)
    return await render(request, "alerts.html", {
        "contact": await recipients.get_contact(db, p.user_id) if p.user_id else None,
        "subscriptions": subscriptions,
        "people": [s["username"] for s in subscriptions if s["username"]],
        "zones": zones, "kinds": EVENT_KINDS, "code": code, "error": error,
        "admin": admin,
        "deliveries": await delivery.delivery_log(db, p.zone_path, limit=50) if admin else [],
        "failing": service.failing_channels() if (admin and service) else [],
    }, status)


@routes.get("/alerts")
async def alerts_page(request: web.Request) -> web.Response:
    """Show the caller's alert settings (and the delivery log to admins)."""
    return await _page(request, page_principal(request, "monitor.read"))


@routes.post("/alerts")
async def alerts_post(request: web.Request) -> web.Response:
    """Handle the page's forms: contact, link code, subscribe, unsubscribe."""
    p = page_principal(request, "monitor.read")
    form = await request.post()
    await check_csrf(request, form)
    db = request.app[keys.DB]
    action = str(form.get("action", ""))
    try:
        if action == "contact" and p.user_id:
            await recipients.set_contact(db, p.user_id, email=str(form.get("email", "")).strip(),
                                         language=str(form.get("language", "vi")))
        elif action == "link" and p.user_id:
            ttl = request.app[keys.CONFIG].alerts.link_code_ttl_s
            code = await recipients.create_link_code(db, p.user_id, ttl)
            return await _page(request, p, code=code)
        elif action == "subscribe":
            await recipients.add_subscription(
                db, p, zone_code=str(form.get("zone", "")), username=p.username,
                events=[str(v) for v in form.getall("events", [])],
                channels=[str(v) for v in form.getall("channels", [])] or ["zalo"],
                quiet_start=str(form.get("quiet_start", "")).strip(),
                quiet_end=str(form.get("quiet_end", "")).strip(), event_kinds=EVENT_KINDS)
        elif action == "unsubscribe":
            await recipients.delete_subscription(db, p, int(str(form.get("id", "0")) or 0))
    except CamnetError as exc:
        where = f" ({exc.field})" if exc.field else ""
        return await _page(request, p, error=error_words_for(request, exc) + where, status=exc.status)
    raise web.HTTPSeeOther("/alerts")


