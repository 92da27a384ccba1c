"""The status board at ``/``: counts by status and cameras grouped by zone."""

from __future__ import annotations

from collections import Counter

from aiohttp import web

from camnet.monitor.queries import BoardCamera, board_cameras, recent_cycles
from camnet.registry.cameras import STATUSES
from camnet.web import keys
from camnet.web.alerts_ctx import ALERTS
from camnet.web.pages import page_principal, render

routes = web.RouteTableDef()
REFRESH_S = 30
_ORDER = {"down": 0, "degraded": 1, "unknown": 2, "maintenance": 3, "up": 4}


@routes.get("/")
async def board(request: web.Request) -> web.Response:
    """Show every camera in the caller's scope with status, cause, since and snapshot."""
    principal = page_principal(request, "monitor.read")
    db = request.app[keys.DB]
    rows = await board_cameras(db, principal)
    counts = Counter(r.status for r in rows)
    groups: dict[tuple[str, str], list[BoardCamera]] = {}
    for row in rows:
        groups.setdefault((row.zone_code, row.zone_name), []).append(row)
    for cams in groups.values():
        cams.sort(key=lambda r: (_ORDER.get(r.status, 9), r.point_name, r.name))
    cycles = await recent_cycles(db, principal, limit=1)
    interval = request.app[keys.CONFIG].monitor.interval_s
    return await render(
        request,
        "board.html",
        {
            "counts": [(s, counts.get(s, 0)) for s in STATUSES],
            "total": len(rows),
            "groups": sorted(groups.items()),
            "last_cycle": cycles[0] if cycles else None,
            "refresh_s": max(5, min(REFRESH_S, int(interval))),
            "alerts_failing": request.app[ALERTS].failing_channels() if ALERTS in request.app else [],
        },
    )
