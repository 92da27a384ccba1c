"""A sample case for the demo: one incident and one submitted footage request.

A new user opening the demo finds the request workflow already under way: the officer
``canbo`` logged a (fictional) motorbike theft at the market junction yesterday evening,
asked "which cameras could have seen it", and submitted a request for those cameras; the
commander ``chihuy`` finds it waiting for approval on the home page. Everything goes
through the same domain functions the web pages call (who-saw, draft, transition), so the
custody chain and the audit log hold it like any real case. Seeding twice does nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from camnet.accounts.users import principal_by_username
from camnet.config import Config
from camnet.coverage.draft import draft_from_whosaw
from camnet.coverage.whosaw import settings_from, who_saw
from camnet.db import Database
from camnet.errors import Conflict
from camnet.evidence.incidents import create_incident
from camnet.evidence.models import IncidentIn, TransitionIn
from camnet.evidence.requests import transition
from camnet.timeutil import display_timezone, utcnow

log = logging.getLogger(__name__)

CASE_NO = "MAU-2026-001"  # "mẫu": a sample case number no real register uses
OFFICER = "canbo"
ZONE = "SAMPLE-PHUMY-ML"
SPOT = (16.512111, 107.652652)  # the market junction (sample point 01)
MAX_CAMERAS = 4


def case_window(now: datetime) -> tuple[datetime, datetime]:
    """Yesterday 19:30–20:15 in the display timezone, as aware datetimes."""
    tz = display_timezone()
    yesterday = now.astimezone(tz).date() - timedelta(days=1)
    start = datetime.combine(yesterday, time(19, 30), tzinfo=tz)
    return start, start + timedelta(minutes=45)


async def seed_sample_case(db: Database, config: Config) -> int | None:
    """Log the sample incident and submit its request; return the request id.

    Returns ``None`` (and changes nothing) when the case exists already or the sample
    officer or cameras are missing.
    """
    officer = await principal_by_username(db, OFFICER)
    if officer is None:
        return None
    start, end = case_window(utcnow())
    try:
        incident = await create_incident(db, officer, IncidentIn(
            case_no=CASE_NO, kind="theft", occurred_from=start, occurred_to=end,
            zone_code=ZONE, lat=SPOT[0], lon=SPOT[1],
            summary="Mất trộm xe máy trước cửa hàng ở ngã ba chợ (vụ việc mẫu, hư cấu)."))
    except Conflict:
        return None  # seeded on an earlier start
    settings = settings_from(config)
    answer = await who_saw(db, officer, lat=SPOT[0], lon=SPOT[1], start=start, end=end,
                           settings=settings)
    chosen = [c["camera_id"] for c in answer["cameras"]][:MAX_CAMERAS]
    if not chosen:
        return None
    request_id = await draft_from_whosaw(
        db, officer, incident_id=incident.id, lat=SPOT[0], lon=SPOT[1], start=start, end=end,
        camera_ids=chosen, reason="Xác định người và phương tiện liên quan (vụ việc mẫu).",
        settings=settings)
    await transition(db, officer, request_id, TransitionIn(to="submitted"))
    log.info("demo: sample case %s with request #%d waiting for approval", CASE_NO, request_id)
    return request_id
