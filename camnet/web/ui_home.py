"""The role home (``/home``): the few counts that matter to the caller's role, with links.

Where login lands. Counts come from the same domain functions as the board and the
request pages; each is shown only to roles that can act on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from camnet.evidence import requests
from camnet.monitor.board import down_counts
from camnet.timeutil import to_iso, utcnow
from camnet.web import keys
from camnet.web.pages import page_principal, render

routes = web.RouteTableDef()


@dataclass(frozen=True)
class HomeCount:
    """One line of the home page: how many, what (a catalogue key) and where to look."""

    count: int
    key: str
    href: str
    urgent: bool


@routes.get("/home")
async def home_page(request: web.Request) -> web.Response:
    """Show the caller's role home."""
    p = page_principal(request, "monitor.read")
    db, config = request.app[keys.DB], request.app[keys.CONFIG]
    counts: list[HomeCount] = []
    if p.can("request.approve"):
        _, waiting = await requests.list_requests(db, p, status="submitted", per_page=1)
        counts.append(HomeCount(waiting.total, "home_waiting_approval",
                                "/requests?status=submitted", waiting.total > 0))
    if p.can("incident.read"):
        risky = await requests.at_risk(db, p, config.evidence.at_risk_hours)
        counts.append(HomeCount(len(risky), "home_at_risk", "/requests/at-risk", bool(risky)))
    down, long_down = await down_counts(db, p, down_before=to_iso(utcnow() - timedelta(days=1)))
    counts.append(HomeCount(down, "home_cameras_down", "/?status=down", down > 0))
    counts.append(HomeCount(long_down, "home_cameras_down_day", "/?status=down", long_down > 0))
    return await render(request, "home.html", {"counts": counts})
