"""Who could have seen P: geometry versions, real outage rows, retention verdicts, scope."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient

from camnet.auth.principal import Principal
from camnet.coverage.geometry import destination
from camnet.coverage.whosaw import WhoSawSettings, who_saw
from camnet.registry.cameras import update_camera
from camnet.registry.models import CameraPatch
from camnet.timeutil import to_iso, utcnow
from camnet.web import keys
from tests.coverage_helpers import LAT, LON, ROOT, make_camera, make_zone, monitored

SETTINGS = WhoSawSettings(tolerance_m=15, unknown_reach_m=50, watch_gap_s=180, at_risk_hours=48)


def by_id(answer: dict) -> dict[int, dict]:  # type: ignore[type-arg]
    return {c["camera_id"]: c for c in answer["cameras"]}


async def test_moved_camera_answers_old_geometry_before_and_new_after(client: TestClient) -> None:
    db, cipher = client.app[keys.DB], client.app[keys.CIPHER]
    await make_zone(db)
    cam = await make_camera(db, cipher, "turning", az=90, fov=60, rng=50)
    east = destination(LAT, LON, 90, 30)
    west = destination(LAT, LON, 270, 30)
    before = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
    await update_camera(db, ROOT, cipher, cam, CameraPatch(azimuth_deg=270))
    after = utcnow() + timedelta(seconds=1), utcnow() + timedelta(hours=1)
    old_east = await who_saw(db, ROOT, lat=east[0], lon=east[1], start=before[0], end=before[1],
                             settings=SETTINGS)
    old_west = await who_saw(db, ROOT, lat=west[0], lon=west[1], start=before[0], end=before[1],
                             settings=SETTINGS)
    new_east = await who_saw(db, ROOT, lat=east[0], lon=east[1], start=after[0], end=after[1],
                             settings=SETTINGS)
    new_west = await who_saw(db, ROOT, lat=west[0], lon=west[1], start=after[0], end=after[1],
                             settings=SETTINGS)
    assert list(by_id(old_east)) == [cam] and by_id(old_east)[cam]["geometry"]["azimuth_deg"] == 90
    assert old_west["cameras"] == []
    assert new_east["cameras"] == []
    assert list(by_id(new_west)) == [cam] and by_id(new_west)[cam]["geometry"]["azimuth_deg"] == 270
    entry = by_id(old_east)[cam]
    assert entry["placement"] == "inside"
    assert abs(entry["distance_m"] - 30) < 0.5 and abs(entry["bearing_deg"] - 90) < 0.5


async def test_status_through_the_window_from_outage_rows(client: TestClient) -> None:
    db, cipher = client.app[keys.DB], client.app[keys.CIPHER]
    await make_zone(db)
    now = utcnow()
    start, end = now - timedelta(hours=3), now - timedelta(hours=2)
    steady = await make_camera(db, cipher, "steady", bearing=270, dist=20)
    flaky = await make_camera(db, cipher, "flaky", bearing=270, dist=25)
    late = await make_camera(db, cipher, "late", bearing=270, dist=30)
    silent = await make_camera(db, cipher, "silent", bearing=270, dist=35)
    await monitored(db, steady, now - timedelta(days=1), now)
    await monitored(db, flaky, now - timedelta(days=1), now,
                    outages=[(start + timedelta(minutes=10), start + timedelta(minutes=35))])
    await monitored(db, late, end + timedelta(minutes=30), now)  # first probed after T
    murky = await make_camera(db, cipher, "murky", bearing=270, dist=40)
    await monitored(db, murky, now - timedelta(days=1), now)
    async with db.transaction() as tx:  # a frozen picture for 10 minutes of the window
        await tx.executemany(
            "INSERT INTO status_change(camera_id, at, from_status, to_status, reason) VALUES (?, ?, ?, ?, ?)",
            [(murky, to_iso(start + timedelta(minutes=10)), "up", "degraded", "frozen"),
             (murky, to_iso(start + timedelta(minutes=20)), "degraded", "up", "")])
    answer = await who_saw(db, ROOT, lat=LAT, lon=LON + 0.0001, start=start, end=end,
                           settings=SETTINGS)
    found = by_id(answer)
    assert set(found) == {steady, flaky, late, silent, murky}
    assert found[murky]["status"]["state"] == "poor_picture"
    assert found[murky]["status"]["minutes_degraded"] == 10 and found[murky]["status"]["minutes_down"] == 0
    assert found[steady]["status"]["minutes_degraded"] == 0
    assert found[steady]["status"]["state"] == "up"
    assert found[steady]["status"]["minutes_down"] == 0
    assert found[flaky]["status"]["state"] == "partly_down"
    assert found[flaky]["status"]["minutes_down"] == 25
    assert len(found[flaky]["status"]["outages"]) == 1
    assert found[late]["status"]["state"] == "no_data"      # no data is never "up"
    assert found[silent]["status"]["state"] == "no_data"    # never probed at all
    order = [c["camera_id"] for c in answer["cameras"]]
    assert order.index(steady) < order.index(flaky) < order.index(late)


async def test_footage_verdict_from_retention(client: TestClient) -> None:
    db, cipher = client.app[keys.DB], client.app[keys.CIPHER]
    await make_zone(db)
    week = await make_camera(db, cipher, "week", retention=7)
    month = await make_camera(db, cipher, "month", bearing=0, dist=3, retention=30)
    none = await make_camera(db, cipher, "none", bearing=0, dist=6, retention=0)
    point = destination(LAT, LON, 90, 20)
    now = utcnow()
    old = await who_saw(db, ROOT, lat=point[0], lon=point[1], start=now - timedelta(days=10),
                        end=now - timedelta(days=10) + timedelta(hours=1), settings=SETTINGS)
    found = by_id(old)
    assert found[week]["footage"]["state"] == "overwritten"
    assert found[month]["footage"]["state"] == "available"
    assert found[none]["footage"]["state"] == "not_recorded"
    assert [c["camera_id"] for c in old["cameras"]][0] == month
    risky = await who_saw(db, ROOT, lat=point[0], lon=point[1], start=now - timedelta(days=6, hours=12),
                          end=now - timedelta(days=6, hours=11), settings=SETTINGS)
    verdict = by_id(risky)[week]["footage"]
    assert verdict["state"] == "at_risk" and 0 < verdict["hours_left"] <= 48
    assert verdict["deadline"] > risky["computed_at"]


async def test_no_view_direction_is_listed_and_flagged(client: TestClient) -> None:
    db, cipher = client.app[keys.DB], client.app[keys.CIPHER]
    await make_zone(db)
    cam = await make_camera(db, cipher, "blind", az=None, fov=None, rng=None)
    now = utcnow()
    point = destination(LAT, LON, 45, 30)
    answer = await who_saw(db, ROOT, lat=point[0], lon=point[1], start=now - timedelta(hours=1),
                           end=now, settings=SETTINGS)
    [entry] = answer["cameras"]
    assert entry["camera_id"] == cam and entry["placement"] == "no_view_direction"
    assert entry["note"] == "no view direction recorded"


async def test_scoped_to_the_callers_zone(client: TestClient) -> None:
    db, cipher = client.app[keys.DB], client.app[keys.CIPHER]
    await make_zone(db)
    await make_zone(db, "OTHER-PROV", "OTHER-COMMUNE")
    mine = await make_camera(db, cipher, "mine")
    theirs = await make_camera(db, cipher, "theirs", bearing=0, dist=2, zone="OTHER-COMMUNE")
    zone = await db.fetchone("SELECT id, path FROM zone WHERE code = 'COV-COMMUNE'")
    officer = Principal(user_id=5, username="canbo", role="officer", zone_id=zone["id"],
                        zone_path=zone["path"])
    point = destination(LAT, LON, 90, 20)
    now = utcnow()
    everyone = await who_saw(db, ROOT, lat=point[0], lon=point[1], start=now - timedelta(hours=1),
                             end=now, settings=SETTINGS)
    scoped = await who_saw(db, officer, lat=point[0], lon=point[1], start=now - timedelta(hours=1),
                           end=now, settings=SETTINGS)
    assert set(by_id(everyone)) == {mine, theirs}
    assert set(by_id(scoped)) == {mine}
