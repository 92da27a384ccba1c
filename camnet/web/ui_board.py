"""The status board at ``/``: counts by status and cameras grouped by zone."""

from __future__ import annotations

from collections import Counter
from typing import Any

from aiohttp import web

from camnet import keys
from camnet.registry.cameras import STATUSES, list_cameras
from camnet.web.pages import page_principal, render

routes = web.RouteTableDef()
REFRESH_S = 30


@routes.get("/")
async def board(request: web.Request) -> web.Response:
    """Show every camera in the caller's scope with its status, grouped by zone."""
    principal = page_principal(request)
    db = request.app[keys.DB]
    items, _ = await list_cameras(db, principal, per_page=100_000)
    counts = Counter(c.status for c in items)
    groups: dict[str, list[Any]] = {}
    for camera in items:
        groups.setdefault(camera.zone_code, []).append(camera)
    zone_names = {
        r["code"]: r["name"]
        for r in await db.fetchall(
            "SELECT code, name FROM zone WHERE path LIKE ? || '%'", (principal.zone_path,)
        )
    }
    return await render(
        request,
        "board.html",
        {
            "counts": [(s, counts.get(s, 0)) for s in STATUSES],
            "total": len(items),
            "groups": sorted(groups.items()),
            "zone_names": zone_names,
            "refresh_s": REFRESH_S,
        },
    )
