"""Public status pages (no login): ``/trang-thai/<commune>``, its ``.json`` and its badge.

Only what :class:`camnet.hosts.public_status.PublicSnapshot` holds reaches the public:
per-hamlet (or folded) counts, states and availability as of the last full bucket, plus the
officers' notices. A zone without an enabled page answers exactly like an unknown one (404).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

from camnet.hosts import public_store
from camnet.hosts.public_snapshot import PublicStatusCache
from camnet.hosts.public_status import (
    ComponentState,
    ComponentStatus,
    DayBar,
    PublicSnapshot,
    Thresholds,
    worst,
)
from camnet.hosts.public_store import Notice, PublicPage
from camnet.timeutil import display_timezone_name, parse_iso, to_iso, utcnow
from camnet.web import keys
from camnet.web.i18n import language_of, translate
from camnet.web.pages import render
from camnet.web.routing import PRINCIPAL

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
CACHE = web.AppKey("public_status_cache", PublicStatusCache)
_CODE = r"{code:[A-Za-z0-9_.-]+?}"
BADGE_COLOURS = {ComponentState.OPERATIONAL: "#1b6e35", ComponentState.DEGRADED: "#8a5300",
                 ComponentState.PARTIAL_OUTAGE: "#a33a00", ComponentState.MAJOR_OUTAGE: "#b3261e",
                 ComponentState.UNDER_MAINTENANCE: "#2f5f9e"}


def setup(app: web.Application) -> None:
    """Add the public routes and the snapshot cache built from ``[status_page]``."""
    cfg = app[keys.CONFIG].status_page
    app[CACHE] = PublicStatusCache(
        bucket_s=cfg.bucket_s, ttl_s=cfg.cache_ttl_s, days=cfg.days,
        thresholds=Thresholds(degraded_pct=cfg.degraded_pct, partial_pct=cfg.partial_pct,
                              major_pct=cfg.major_pct, maintenance_pct=cfg.maintenance_pct,
                              min_component_cameras=cfg.min_component_cameras))
    app.router.add_routes(routes)
    if cfg.prewarm:
        app.cleanup_ctx.append(prewarm_ctx)


async def prewarm_once(app: web.Application) -> int:
    """Compute the snapshot of every enabled page into the cache; return how many."""
    db = app[keys.DB]
    pages = await public_store.enabled_pages(db)
    for page in pages:
        await app[CACHE].snapshot(db, page)
    return len(pages)


async def _prewarm_loop(app: web.Application) -> None:
    bucket_s = app[keys.CONFIG].status_page.bucket_s
    while True:
        try:
            await prewarm_once(app)
        except Exception:  # the page still computes on a visit; never kill the loop
            log.exception("public status prewarm failed")
        now = utcnow().timestamp()
        await asyncio.sleep(bucket_s - now % bucket_s + min(60, bucket_s / 10))


async def prewarm_ctx(app: web.Application) -> AsyncIterator[None]:
    """Keep enabled pages computed: at start, then shortly after each bucket ends."""
    task = asyncio.create_task(_prewarm_loop(app), name="public-status-prewarm")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _load(request: web.Request) -> tuple[PublicPage, PublicSnapshot, list[Notice]]:
    db = request.app[keys.DB]
    page = await public_store.enabled_page(db, request.match_info["code"])
    if page is None:
        raise web.HTTPNotFound()  # the same answer as for a zone that does not exist
    snap = await request.app[CACHE].snapshot(db, page)
    recent = request.app[keys.CONFIG].status_page.notice_recent_days
    notices = await public_store.public_notices(db, page.zone_id, utcnow(), recent)
    return page, snap, notices


def _cache_headers(request: web.Request) -> dict[str, str]:
    ttl = int(request.app[keys.CONFIG].status_page.cache_ttl_s)
    return {"Cache-Control": f"public, max-age={ttl}"}


def notice_state(notice: Notice, now_iso: str) -> str:
    """``scheduled``, ``active`` or ``resolved`` at ``now_iso``."""
    if parse_iso(notice.starts_at) > parse_iso(now_iso):
        return "scheduled"
    if notice.ends_at and parse_iso(notice.ends_at) <= parse_iso(now_iso):
        return "resolved"
    return "active"


def _uptime(c: ComponentStatus) -> dict[str, float | None]:
    return {"24h": c.uptime_24h, "7d": c.uptime_7d, "90d": c.uptime_90d}


def _counts(c: ComponentStatus) -> dict[str, int]:
    return {"up": c.counts.up, "down": c.counts.down, "maintenance": c.counts.maintenance,
            "no_data": c.counts.no_data}


def _component_name(c: ComponentStatus, snap: PublicSnapshot, lang: str) -> str:
    if c.folded and len(snap.components) > 1:
        return translate("public_other_areas", lang)
    return c.name


def _days(bars: tuple[DayBar, ...]) -> list[dict[str, object]]:
    return [{"date": b.day.isoformat(), "uptime_pct": b.uptime_pct} for b in bars]


def snapshot_json(snap: PublicSnapshot, notices: list[Notice], lang: str, bucket_s: int
                  ) -> dict[str, Any]:
    """The public JSON: Statuspage-style page, status, components and notices (no personal data)."""
    now = to_iso(utcnow())
    overall = worst(c.state for c in snap.components)
    return {
        "page": {"name": snap.zone_name, "url": f"/trang-thai/{snap.zone_code}",
                 "updated_at": to_iso(snap.as_of), "delay_bucket_s": bucket_s,
                 "time_zone": display_timezone_name()},
        "status": {"indicator": overall.value,
                   "description": translate(f"public_state_{overall.value}", lang)},
        "counts": _counts(snap.overall),
        "uptime_pct": _uptime(snap.overall),
        "days": _days(snap.overall.days),
        "components": [
            {"id": c.key, "name": _component_name(c, snap, lang), "status": c.state.value,
             "cameras": c.cameras, "counts": _counts(c), "uptime_pct": _uptime(c),
             "days": _days(c.days)}
            for c in snap.components],
        "notices": [{"text": n.text, "starts_at": n.starts_at, "ends_at": n.ends_at,
                     "state": notice_state(n, now)} for n in notices],
    }


@routes.get(f"/trang-thai/{_CODE}.json")
async def status_json(request: web.Request) -> web.Response:
    """The public JSON summary of a commune."""
    _, snap, notices = await _load(request)
    cfg = request.app[keys.CONFIG]
    lang = language_of(request, cfg.ui.language)
    body = snapshot_json(snap, notices, lang, cfg.status_page.bucket_s)
    return web.json_response(body, headers={**_cache_headers(request),
                                            "Access-Control-Allow-Origin": "*"},
                             dumps=_dumps)


def _dumps(obj: Any) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False)


def badge_svg(label: str, message: str, colour: str) -> str:
    """A flat, shields-style badge; widths estimated from the character count."""
    lw, mw = 12 + 7 * len(label), 12 + 7 * len(message)
    total = lw + mw
    label_x, msg_x = lw / 2, lw + mw / 2
    title = escape(f"{label}: {message}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}"><title>{title}</title>'
        f'<rect width="{lw}" height="20" fill="#444"/>'
        f'<rect x="{lw}" width="{mw}" height="20" fill="{colour}"/>'
        f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" '
        f'text-anchor="middle"><text x="{label_x}" y="14">{escape(label)}</text>'
        f'<text x="{msg_x}" y="14">{escape(message)}</text></g></svg>'
    )


@routes.get(f"/trang-thai/{_CODE}/badge.svg")
async def status_badge(request: web.Request) -> web.Response:
    """An embeddable SVG badge: the commune's overall state."""
    _, snap, _ = await _load(request)
    lang = language_of(request, request.app[keys.CONFIG].ui.language)
    state = worst(c.state for c in snap.components)
    svg = badge_svg(translate("public_badge_label", lang),
                    translate(f"public_state_{state.value}", lang), BADGE_COLOURS[state])
    headers = {**_cache_headers(request), "Cross-Origin-Resource-Policy": "cross-origin"}
    return web.Response(text=svg, content_type="image/svg+xml", headers=headers)


@routes.get(f"/trang-thai/{_CODE}")
async def status_page(request: web.Request) -> web.Response:
    """The public status page of a commune (phone-first, no script)."""
    page, snap, notices = await _load(request)
    cfg = request.app[keys.CONFIG]
    lang = language_of(request, cfg.ui.language)
    now = to_iso(utcnow())
    components = [(c, _component_name(c, snap, lang)) for c in snap.components]
    response = await render(request, "public_status.html", {
        "page": page, "snap": snap, "components": components,
        "overall_state": worst(c.state for c in snap.components).value,
        "notices": [(n, notice_state(n, now)) for n in notices],
        "bar_width": 4, "bar_gap": 1, "days": cfg.status_page.days,
        "min_cameras": cfg.status_page.min_component_cameras,
    })
    response.headers["Cache-Control"] = "no-store" if request.get(PRINCIPAL) else "no-cache"
    return response
