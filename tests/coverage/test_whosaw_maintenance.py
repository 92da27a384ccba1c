"""Maintenance is its own state in who-saw answers: neither up, nor down, nor no data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient

from camnet.coverage import availability as av
from camnet.coverage.whosaw import WhoSawSettings, who_saw
from camnet.monitor.maintenance import add_window
from camnet.timeutil import to_iso, utcnow
from camnet.web import keys
from tests.coverage_helpers import LAT, LON, ROOT, make_camera, make_zone, monitored

SETTINGS = WhoSawSettings(tolerance_m=15, unknown_reach_m=50, watch_gap_s=180, at_risk_hours=48)
T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def _span(a_min: float, b_min: float) -> tuple[float, float]:
    return ((T0 + timedelta(minutes=a_min)).timestamp(), (T0 + timedelta(minutes=b_min)).timestamp())


def test_maintenance_is_taken_out_of_up_down_and_no_data() -> None:
    end = T0 + timedelta(minutes=60)
    watched = [_span(-10, 70)]
    outage = [(T0 + timedelta(minutes=20), T0 + timedelta(minutes=40))]
    # maintenance 15..45 swallows the whole outage: nothing is down
    st = av.window_status(T0, end, end + timedelta(hours=1), watched, outage,
                          maintenance=[_span(15, 45)])
    assert st.state == "partly_maintenance"
    assert st.as_dict()["minutes_maintenance"] == 30
    assert st.minutes_down == 0 and st.up_s == 30 * 60 and st.no_data_s == 0
    # a maintenance window covering the whole asked window
    whole = av.window_status(T0, end, end + timedelta(hours=1), watched, [],
                             maintenance=[_span(-30, 90)])
    assert whole.state == "maintenance" and whole.as_dict()["minutes_maintenance"] == 60
    assert whole.up_s == 0 and whole.no_data_s == 0
    # maintenance while nobody watched is still maintenance, never "up"
    unwatched = av.window_status(T0, end, end + timedelta(hours=1), [], [],
                                 maintenance=[_span(0, 20)])
    assert unwatched.state == "maintenance"
    assert unwatched.as_dict()["minutes_maintenance"] == 20
    assert unwatched.as_dict()["minutes_no_data"] == 40
    # down outside the maintenance stays down, and outranks it
    mixed = av.window_status(T0, end, end + timedelta(hours=1), watched,
                             [(T0 + timedelta(minutes=50), None)], maintenance=[_span(0, 10)])
    assert mixed.state == "partly_down" and mixed.minutes_down == 10
    assert mixed.as_dict()["minutes_maintenance"] == 10
    # no maintenance at all: unchanged verdicts
    plain = av.window_status(T0, end, end + timedelta(hours=1), watched, [])
    assert plain.state == "up" and plain.as_dict()["minutes_maintenance"] == 0


async def test_who_saw_shows_maintenance_minutes_from_windows(client: TestClient) -> None:
    db, cipher = client.app[keys.DB], client.app[keys.CIPHER]
    await make_zone(db)
    now = utcnow().replace(microsecond=0)
    start, end = now - timedelta(hours=3), now - timedelta(hours=2)
    fixed = await make_camera(db, cipher, "fixed", bearing=270, dist=20)
    weekly = await make_camera(db, cipher, "weekly", bearing=270, dist=25)
    plain = await make_camera(db, cipher, "plain", bearing=270, dist=30)
    for cam in (fixed, weekly, plain):
        await monitored(db, cam, now - timedelta(days=1), now)
    # a one-off window over 20 minutes of the asked hour; the camera "failed" meanwhile
    await add_window(db, ROOT, target="camera", target_id=fixed,
                     starts_at=to_iso(start + timedelta(minutes=10)),
                     ends_at=to_iso(start + timedelta(minutes=30)), reason="thay nguồn")
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO outage(camera_id, started_at, ended_at, cause)"
                         " VALUES (?, ?, ?, 'timeout')",
                         (fixed, to_iso(start + timedelta(minutes=12)),
                          to_iso(start + timedelta(minutes=28))))
    # a weekly window that began three weeks ago and covers the whole hour this week too
    await add_window(db, ROOT, target="point", target_id=await _point_of(db, weekly),
                     starts_at=to_iso(start - timedelta(weeks=3, minutes=5)),
                     ends_at=to_iso(end - timedelta(weeks=3) + timedelta(minutes=5)),
                     weekly=True, reason="vệ sinh ống kính")
    answer = await who_saw(db, ROOT, lat=LAT, lon=LON + 0.0001, start=start, end=end,
                           settings=SETTINGS)
    found = {c["camera_id"]: c for c in answer["cameras"]}
    assert set(found) == {fixed, weekly, plain}
    assert found[fixed]["status"]["state"] == "partly_maintenance"
    assert found[fixed]["status"]["minutes_maintenance"] == 20
    assert found[fixed]["status"]["minutes_down"] == 0
    assert found[weekly]["status"]["state"] == "maintenance"
    assert found[weekly]["status"]["minutes_maintenance"] == 60
    assert found[plain]["status"]["state"] == "up"
    assert found[plain]["status"]["minutes_maintenance"] == 0
    # usefulness: the camera that was up comes before the one in maintenance all along
    order = [c["camera_id"] for c in answer["cameras"]]
    assert order.index(plain) < order.index(weekly)
    assert all(c["monitored"] for c in answer["cameras"])


async def _point_of(db, camera_id: int) -> int:  # type: ignore[no-untyped-def]
    return int(await db.fetchval("SELECT point_id FROM camera WHERE id = ?", (camera_id,)))
