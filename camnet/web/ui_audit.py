"""The audit viewer (``/audit``, commanders and admins): filtered, paged, with chain status.

Rows come from :func:`camnet.audit.search_log`; the chain is recomputed by
:func:`camnet.evidence.verify.verify_audit` (in a worker thread) on every view.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from aiohttp import web

from camnet import audit
from camnet.errors import InvalidInput
from camnet.evidence.verify import verify_audit
from camnet.timeutil import display_timezone, to_iso
from camnet.web import keys
from camnet.web.pages import page_principal, render

routes = web.RouteTableDef()
PER_PAGE = 50
FIELDS = ("actor", "action", "entity", "entity_id", "since", "until")


def _day_start(text: str, field: str, *, next_day: bool = False) -> str:
    """ISO UTC of local midnight starting the day ``YYYY-MM-DD`` (or the day after)."""
    if not text:
        return ""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{field} must be a date YYYY-MM-DD", field) from None
    if next_day:
        day += timedelta(days=1)
    return to_iso(datetime.combine(day, time(0), tzinfo=display_timezone()))


def _filter(query: dict[str, str]) -> audit.AuditFilter:
    """The audit filter from the page's query string (dates are local days, inclusive)."""
    raw_id = query.get("entity_id", "").strip()
    if raw_id and not raw_id.isdigit():
        raise InvalidInput("entity_id must be a number", "entity_id")
    return audit.AuditFilter(
        actor=query.get("actor", "").strip(), action=query.get("action", "").strip(),
        entity=query.get("entity", "").strip(), entity_id=int(raw_id) if raw_id else None,
        since=_day_start(query.get("since", "").strip(), "since"),
        until=_day_start(query.get("until", "").strip(), "until", next_day=True))


@routes.get("/audit")
async def audit_page(request: web.Request) -> web.Response:
    """Show one page of the audit log with the filters, chain status and head hash."""
    p = page_principal(request, "audit.read")
    db = request.app[keys.DB]
    query = {k: request.query.get(k, "") for k in FIELDS}
    page = request.query.get("page", "1")
    wanted = _filter(query)
    rows, pager = await audit.search_log(db, p, wanted, page=int(page) if page.isdigit() else 1,
                                         per_page=PER_PAGE)
    kept = {k: v for k, v in query.items() if v}
    return await render(request, "audit.html", {
        "rows": rows, "pager": pager, "pager_query": urlencode(kept) + "&" if kept else "",
        "query": query, "chain": await verify_audit(request.app[keys.CONFIG]),
        "head": await audit.head_hash(db), "people": [r["actor"] for r in rows],
    })
