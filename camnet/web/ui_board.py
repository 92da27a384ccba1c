"""The status board at ``/``: counts per zone first, then cameras problems first, page by page.

Works without JavaScript (links for zones, status filters and pages; a search form);
``/static/board.js`` then keeps it fresh with ``/api/v1/board/changes`` without reloading.
"""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from camnet.monitor import board
from camnet.monitor.queries import recent_cycles
from camnet.web import keys
from camnet.web.alerts_ctx import ALERTS
from camnet.web.api_board import BoardQuery
from camnet.web.pages import page_principal, render
from camnet.web.routing import validate

routes = web.RouteTableDef()
REFRESH_S = 30
DEFAULT_PER_PAGE = BoardQuery.model_fields["per_page"].default


def board_link(zone: str | None, status: str | None, q: str, after: str | None = None,
               per_page: int | None = None) -> str:
    """The board URL for a zone, status filter, search and page (empty parts left out)."""
    parts = {k: str(v) for k, v in (("zone", zone), ("status", status), ("q", q),
                                    ("after", after), ("per_page", per_page)) if v}
    return "/" + ("?" + urlencode(parts) if parts else "")


@routes.get("/")
async def board_page(request: web.Request) -> web.Response:
    """Counts of the zone and its child zones, then one page of cameras, problems first."""
    principal = page_principal(request, "monitor.read")
    db = request.app[keys.DB]
    query = validate(BoardQuery, {k: v for k, v in request.query.items()
                                  if k in ("zone", "status", "q", "after", "per_page") and v})
    view = await board.resolve_view(db, principal, zone_code=query.zone, status=query.status,
                                    q=query.q)
    cursor = await board.change_cursor(db)
    whole, children = await board.zone_counts(db, view)
    cams, page = await board.board_page(db, view, after=query.after, per_page=query.per_page)
    cycles = await recent_cycles(db, principal, limit=1)
    interval = request.app[keys.CONFIG].monitor.interval_s
    zone_param = view.zone_code if query.zone else None
    per_page = query.per_page
    return await render(
        request,
        "board.html",
        {
            "view": view,
            "zone_param": zone_param or "",
            "whole": whole,
            "children": sorted(children, key=lambda c: (-c.problems, c.code)),
            "statuses": board.RANK,
            "cams": cams,
            "page": page,
            "cursor": cursor,
            "link": lambda zone=zone_param, status=view.status, q=view.q, after=None: board_link(
                zone, status, q, after, per_page if per_page != DEFAULT_PER_PAGE else None),
            "last_cycle": cycles[0] if cycles else None,
            "refresh_s": max(5, min(REFRESH_S, int(interval))),
            "alerts_failing": request.app[ALERTS].failing_channels() if ALERTS in request.app else [],
        },
    )
