"""JSON API of alerts: subscriptions, contacts, Zalo link codes, delivery log, metrics."""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from camnet.alerts import delivery, recipients
from camnet.alerts.outbox import EVENT_KINDS
from camnet.alerts.recipients import Recipient
from camnet.auth.principal import Principal
from camnet.errors import InvalidInput, NotFound
from camnet.web import keys
from camnet.web.alerts_ctx import ALERTS
from camnet.web.routing import RouteTable, json_response, path_id, read_body, remember_models

routes = RouteTable()
API = "/api/v1"


class SubscriptionIn(BaseModel):
    """Who (one of username, role, chat_id) hears which events on which channels in a zone."""

    model_config = ConfigDict(extra="forbid")
    zone: str = Field(description="Zone code; the subscription covers its sub-zones")
    username: str | None = None
    role: Literal["viewer", "officer", "investigator", "commander", "admin"] | None = None
    chat_id: str = Field("", description="A Zalo group chat the bot was added to")
    events: list[str] = Field(default_factory=list, description="Event kinds; empty = all")
    channels: list[Literal["zalo", "email", "webhook", "telegram", "zalo_oa"]] = Field(["zalo"])
    quiet_start: str = Field("", description="HH:MM local, e.g. 22:00")
    quiet_end: str = Field("", description="HH:MM local, e.g. 06:00")


class ContactIn(BaseModel):
    """The caller's own alert contact."""

    model_config = ConfigDict(extra="forbid")
    email: str | None = None
    language: Literal["vi", "en"] | None = None
    telegram_chat_id: str | None = Field(None, description="Optional Telegram channel")
    zalo_oa_user_id: str | None = Field(None, description="Optional Zalo OA follower id")


class HostContactIn(BaseModel):
    """The host of a camera point: their Zalo chat id and/or e-mail, and quiet hours."""

    model_config = ConfigDict(extra="forbid")
    host_zalo: str = ""
    host_email: str = ""
    quiet_start: str = "22:00"
    quiet_end: str = "06:00"


class TestIn(BaseModel):
    """Send a test message to a user on a channel."""

    model_config = ConfigDict(extra="forbid")
    channel: Literal["zalo", "email"]
    to: str = Field(description="username")


class ItemList(BaseModel):
    """A list of rows."""

    items: list[dict[str, Any]]


class LinkCode(BaseModel):
    """A one-time code to send to the camnet Zalo bot (6 digits, single use)."""

    code: str
    expires_at: str


remember_models(SubscriptionIn, ContactIn, HostContactIn, TestIn)


@routes.add("GET", f"{API}/alerts/subscriptions", permission="monitor.read",
            summary="Alert subscriptions in my zone (mine unless admin)", tag="alerts",
            response=ItemList)
async def list_subscriptions(request: web.Request, p: Principal) -> web.Response:
    """List subscriptions."""
    return json_response({"items": await recipients.list_subscriptions(request.app[keys.DB], p)})


@routes.add("POST", f"{API}/alerts/subscriptions", permission="monitor.read",
            summary="Subscribe (myself; admins: any user, role or group chat)", tag="alerts",
            body=SubscriptionIn, status=201)
async def add_subscription(request: web.Request, p: Principal) -> web.Response:
    """Create a subscription."""
    data = await read_body(request, SubscriptionIn)
    sub_id = await recipients.add_subscription(
        request.app[keys.DB], p, zone_code=data.zone, username=data.username, role=data.role,
        chat_id=data.chat_id, events=data.events, channels=list(data.channels),
        quiet_start=data.quiet_start, quiet_end=data.quiet_end, event_kinds=EVENT_KINDS)
    return json_response({"id": sub_id}, 201)


@routes.add("DELETE", f"{API}/alerts/subscriptions/{{id}}", permission="monitor.read",
            summary="Delete a subscription", tag="alerts", status=204)
async def delete_subscription(request: web.Request, p: Principal) -> web.Response:
    """Delete a subscription."""
    await recipients.delete_subscription(request.app[keys.DB], p, path_id(request))
    return web.Response(status=204)


@routes.add("GET", f"{API}/me/alert-contact", permission="monitor.read",
            summary="My alert contact (e-mail, Zalo linked?, language)", tag="alerts")
async def get_contact(request: web.Request, p: Principal) -> web.Response:
    """Show the caller's contact."""
    return json_response(await recipients.get_contact(request.app[keys.DB], p.user_id))


@routes.add("PUT", f"{API}/me/alert-contact", permission="monitor.read",
            summary="Set my alert e-mail and language", tag="alerts", body=ContactIn)
async def put_contact(request: web.Request, p: Principal) -> web.Response:
    """Update the caller's contact."""
    if not p.user_id:
        raise InvalidInput("only a user has a contact", "user")
    data = await read_body(request, ContactIn)
    db = request.app[keys.DB]
    await recipients.set_contact(db, p.user_id, email=data.email, language=data.language,
                                 telegram_chat_id=data.telegram_chat_id,
                                 zalo_oa_user_id=data.zalo_oa_user_id)
    return json_response(await recipients.get_contact(db, p.user_id))


@routes.add("POST", f"{API}/me/zalo-link-code", permission="monitor.read",
            summary="A one-time code (6 digits, 15 min) to send to the Zalo bot", tag="alerts",
            response=LinkCode, status=201)
async def link_code(request: web.Request, p: Principal) -> web.Response:
    """Make a link code for the caller."""
    if not p.user_id:
        raise InvalidInput("only a user can link Zalo", "user")
    ttl = request.app[keys.CONFIG].alerts.link_code_ttl_s
    code, expires = await recipients.create_link_code(request.app[keys.DB], p.user_id, ttl)
    return json_response({"code": code, "expires_at": expires}, 201)


@routes.add("PUT", f"{API}/points/{{id}}/host-contact", permission="registry.write",
            summary="Set the host's alert contact of a camera point", tag="alerts",
            body=HostContactIn)
async def put_host_contact(request: web.Request, p: Principal) -> web.Response:
    """Set a point host's contact."""
    data = await read_body(request, HostContactIn)
    await recipients.set_host_contact(request.app[keys.DB], p, path_id(request),
                                      host_zalo=data.host_zalo, host_email=data.host_email,
                                      quiet_start=data.quiet_start, quiet_end=data.quiet_end)
    return json_response({"point_id": path_id(request), "host_zalo_set": bool(data.host_zalo),
                          "host_email_set": bool(data.host_email)})


@routes.add("GET", f"{API}/alerts/deliveries", permission="users.manage",
            summary="Delivery log with failures and errors (admins)", tag="alerts",
            response=ItemList)
async def deliveries(request: web.Request, p: Principal) -> web.Response:
    """List recent deliveries."""
    status = request.query.get("status")
    if status not in (None, "pending", "sent", "failed"):
        raise InvalidInput("use pending, sent or failed", "status")
    return json_response({"items": await delivery.delivery_log(request.app[keys.DB], p.zone_path,
                                                               status=status)})


@routes.add("POST", f"{API}/alerts/test", permission="users.manage",
            summary="Queue a test message to a user on a channel", tag="alerts", body=TestIn,
            status=202)
async def send_test(request: web.Request, p: Principal) -> web.Response:
    """Queue a test message."""
    data = await read_body(request, TestIn)
    event_id = await queue_test(request.app, data.channel, data.to)
    return json_response({"event_id": event_id}, 202)


async def queue_test(app: web.Application, channel: str, username: str) -> int:
    """Queue a test message for ``username`` on ``channel`` (shared with the CLI)."""
    db = app[keys.DB]
    row = await db.fetchone("SELECT id, zone_id FROM user WHERE username = ?", (username,))
    if row is None:
        raise NotFound(f"user {username!r} not found", "to")
    contact = await db.fetchone("SELECT * FROM alert_contact WHERE user_id = ?", (row["id"],))
    address = "" if contact is None else contact["zalo_chat_id" if channel == "zalo" else "email"]
    if contact is None or not address:
        raise InvalidInput(f"user {username!r} has no {channel} address", "to")
    key = f"test:{row['id']}:{channel}"
    return await app[ALERTS].send_test(Recipient(key, channel, address, contact["language"]),
                                       row["zone_id"])


@routes.add("GET", f"{API}/alerts/metrics", permission="monitor.read",
            summary="Prometheus metrics of alert delivery and channel health", tag="alerts")
async def alert_metrics(request: web.Request, p: Principal) -> web.Response:
    """Alert metrics as Prometheus text."""
    text = await request.app[ALERTS].metrics_text()
    return web.Response(text=text, content_type="text/plain")
