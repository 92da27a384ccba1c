"""The demo's sample case: seeded through the domain, waiting for the commander, once."""

from __future__ import annotations

from datetime import UTC, datetime

from camnet.accounts.users import principal_by_username
from camnet.demo_case import CASE_NO, case_window, seed_sample_case
from camnet.evidence.requests import get_request, next_steps, request_history
from camnet.web import keys
from tests.conftest import World


async def test_sample_case_waits_for_the_commander_and_is_seeded_once(world: World) -> None:
    db, config = world.app[keys.DB], world.app[keys.CONFIG]
    request_id = await seed_sample_case(db, config)
    assert request_id is not None
    commander = await principal_by_username(db, "chihuy")
    assert commander is not None
    req = await get_request(db, commander, request_id)
    assert req.status == "submitted" and req.requested_by == "canbo"
    assert req.cameras and all(c.point for c in req.cameras)
    assert "approved" in next_steps(commander, req.status)
    steps = [(h["from_status"], h["to_status"]) for h in
             await request_history(db, commander, request_id)]
    assert steps[-1] == ("draft", "submitted")
    assert await seed_sample_case(db, config) is None  # a second start adds nothing
    status, body = await world.call("GET", "/api/v1/incidents", "chihuy")
    assert status == 200 and [i["case_no"] for i in body["items"]].count(CASE_NO) == 1


def test_case_window_is_yesterday_evening_local() -> None:
    start, end = case_window(datetime(2026, 11, 28, 18, 0, tzinfo=UTC))  # 01:00 on the 29th
    assert (start.day, start.hour, start.minute) == (28, 19, 30)
    assert (end - start).total_seconds() == 45 * 60
