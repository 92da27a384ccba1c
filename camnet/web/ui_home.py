"""The role home (``/home``): the few counts that matter to the caller's role, with links.

Where login lands. Counts come from the same domain functions as the board and the
request pages; each is shown only to roles that can act on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from camnet.evidence import requests
from camnet.monitor.queries import board_cameras
from camnet.timeutil import parse_iso, utcnow
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
    cameras = await board_cameras(db, p)
    down = [c for c in cameras if c.status == "down"]
    day_ago = utcnow() - timedelta(days=1)
    long_down = [c for c in down if c.since and parse_iso(c.since) <= day_ago]
    counts.append(HomeCount(len(down), "home_cameras_down", "/", bool(down)))
    counts.append(HomeCount(len(long_down), "home_cameras_down_day", "/", bool(long_down)))
    return await render(request, "home.html", {"counts": counts})
