"""Maintenance windows: weekly occurrences, camera/point/zone targets, list/edit/cancel, uptime."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from camnet.monitor.maintenance import occurrences
from camnet.monitor.store import cameras_in_maintenance
from camnet.timeutil import parse_iso, to_iso, utcnow
from camnet.web import keys
from tests.conftest import CamnetCli, World

API = "/api/v1"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _hours(parts: list[Any]) -> list[float]:
    return [(e - s).total_seconds() / 3600 for s, e in parts]


def test_weekly_sunday_night_occurrences() -> None:
    start, end = parse_iso("2026-11-22T02:00:00+07:00"), parse_iso("2026-11-22T04:00:00+07:00")
    lo, hi = parse_iso("2026-11-20T00:00:00+07:00"), parse_iso("2026-12-10T00:00:00+07:00")
    every = occurrences(start, end, weekly=True, repeat_until=None, cancelled_at=None,
                        lo=lo, hi=hi, tz=HCM)
    assert [s.astimezone(HCM).strftime("%a %d %H:%M") for s, _ in every] == [
        "Sun 22 02:00", "Sun 29 02:00", "Sun 06 02:00"]
    assert _hours(every) == [2.0, 2.0, 2.0]
    cut = occurrences(start, end, weekly=True, repeat_until=parse_iso("2026-12-01T00:00:00+07:00"),
                      cancelled_at=parse_iso("2026-11-29T03:00:00+07:00"), lo=lo, hi=hi, tz=HCM)
    assert _hours(cut) == [2.0, 1.0]  # cancelling keeps what already happened
    one = occurrences(start, end, weekly=False, repeat_until=None, cancelled_at=None,
                      lo=parse_iso("2026-11-22T03:00:00+07:00"), hi=hi, tz=HCM)
    assert _hours(one) == [1.0]  # cut to the asked window


async def _ids(world: World, zone: str) -> list[int]:
    _, cams = await world.call("GET", f"{API}/cameras?zone={zone}&per_page=100", "admin")
    return [c["id"] for c in cams["items"]]


async def test_zone_window_list_edit_cancel(world: World) -> None:
    db = world.app[keys.DB]
    _, zones = await world.call("GET", f"{API}/zones", "admin")
    ml = next(z for z in zones["items"] if z["code"] == "SAMPLE-PHUMY-ML")
    inside, outside = await _ids(world, "SAMPLE-PHUMY-ML"), await _ids(world, "SAMPLE-PHUMY-DC")
    now = utcnow()
    body = {"target": "zone", "target_id": ml["id"], "starts_at": to_iso(now - timedelta(minutes=5)),
            "ends_at": to_iso(now + timedelta(hours=2)), "reason": "thay nguồn điện"}
    status, _ = await world.call("POST", f"{API}/maintenance", "xem", json=body)
    assert status == 403
    status, _ = await world.call("POST", f"{API}/maintenance", "other", json=body)
    assert status == 404  # that zone is outside the caller's
    status, created = await world.call("POST", f"{API}/maintenance", "canbo", json=body)
    assert status == 201, created
    assert created["target"] == "zone" and created["reason"] == "thay nguồn điện"
    covered = await cameras_in_maintenance(db, inside + outside)
    assert covered == set(inside)
    _, listed = await world.call("GET", f"{API}/maintenance", "xem")
    assert [w["id"] for w in listed["items"]] == [created["id"]]
    _, others = await world.call("GET", f"{API}/maintenance", "other")
    assert others["items"] == []
    patch = {"reason": "đổi camera", "ends_at": to_iso(now + timedelta(hours=1))}
    status, edited = await world.call("PATCH", f"{API}/maintenance/{created['id']}", "canbo",
                                      json=patch)
    assert status == 200 and edited["reason"] == "đổi camera"
    status, err = await world.call("PATCH", f"{API}/maintenance/{created['id']}", "canbo",
                                   json={"ends_at": to_iso(now - timedelta(hours=1))})
    assert status == 422 and err["error"]["field"] == "ends_at"
    status, cancelled = await world.call("POST", f"{API}/maintenance/{created['id']}/cancel", "canbo")
    assert status == 200 and cancelled["cancelled_at"]
    assert await cameras_in_maintenance(db, inside) == set()
    _, listed = await world.call("GET", f"{API}/maintenance", "xem")
    assert listed["items"] == []
    _, every = await world.call("GET", f"{API}/maintenance?all=true", "xem")
    assert [w["id"] for w in every["items"]] == [created["id"]]


async def test_weekly_point_window_counts_only_its_own_time(world: World) -> None:
    _, cams = await world.call("GET", f"{API}/cameras?zone=SAMPLE-PHUMY-ML&per_page=1", "admin")
    cam = cams["items"][0]
    now = utcnow()
    since = to_iso(now - timedelta(days=15))
    async with world.app[keys.DB].transaction() as tx:
        await tx.execute("UPDATE camera SET created_at = ? WHERE id = ?", (since, cam["id"]))
        await tx.execute("INSERT INTO watched_span(camera_id, started_at, ended_at)"
                         " VALUES (?, ?, ?)", (cam["id"], since, to_iso(now + timedelta(hours=1))))
    first = now - timedelta(days=20)  # began before the report: repeats 2 h every week
    status, created = await world.call("POST", f"{API}/maintenance", "canbo", json={
        "target": "point", "target_id": cam["point_id"], "starts_at": to_iso(first),
        "ends_at": to_iso(first + timedelta(hours=2)), "weekly": True, "reason": "định kỳ"})
    assert status == 201, created
    _, week = await world.call("GET", f"{API}/uptime?period=7d", "admin")
    row = next(i for i in week["items"] if i["key"] == str(cam["id"]))
    assert row["maintenance_s"] == 2 * 3600
    assert row["monitored_s"] == 7 * 24 * 3600 - 2 * 3600


def test_cli_add_list_edit_cancel(camnet_cli: CamnetCli) -> None:
    run = camnet_cli

    run("sample", "load")
    out = run("maintenance", "add", "--zone", "SAMPLE-PHUMY-ML", "--from", "2026-11-22T02:00",
              "--to", "2026-11-22T04:00", "--weekly", "--reason", "bảo trì định kỳ")
    assert "weekly" in out and "02:00" in out
    window_id = out.split()[0].lstrip("#")
    assert "bảo trì định kỳ" in run("maintenance", "list")
    assert "mới" in run("maintenance", "edit", window_id, "--reason", "mới")
    assert "CANCELLED" in run("maintenance", "cancel", window_id)
    assert "none" in run("maintenance", "list")
    run("maintenance", "add", "--camera", "1", "--zone", "X", "--from", "a", "--to", "b", code=2)
    err = run("maintenance", "add", "--camera", "1", "--from", "2026-11-22T04:00",
              "--to", "2026-11-22T02:00", code=1)
    assert "ends_at" in err


async def test_board_shows_reason_end_busy_and_hint(world: World) -> None:
    ids = await _ids(world, "SAMPLE-PHUMY-ML")
    maint, busy, down = ids[:3]
    now = utcnow()
    status, _ = await world.call("POST", f"{API}/maintenance", "canbo", json={
        "target": "camera", "target_id": maint, "starts_at": to_iso(now - timedelta(minutes=1)),
        "ends_at": "2099-01-01T10:30:00+07:00", "reason": "thay nguồn điện"})
    assert status == 201
    async with world.app[keys.DB].transaction() as tx:
        for cam, state, cause, code in ((maint, "maintenance", "maintenance window", None),
                                        (busy, "up", "stream up", 503),
                                        (down, "down", "auth_required", 401)):
            await tx.execute("INSERT INTO camera_status(camera_id, status, cause, last_rtsp_code)"
                             " VALUES (?, ?, ?, ?)", (cam, state, cause, code))
    html = await (await world.client.get("/", headers=world.auth("xem"))).text()
    assert "thay nguồn điện" in html and "Bảo trì đến" in html, html[html.find("thay") - 300:][:900]
    assert "01/01/2099 10:30" in html
    assert "Hoạt động, đang bận (hết lượt xem)" in html
    assert "Camera đòi mật khẩu nhưng chưa lưu mật khẩu nào" in html
    assert "Nhập tài khoản và mật khẩu camera" in html
    english = await (await world.client.get("/?lang=en", headers=world.auth("xem"))).text()
    assert "Up, busy (all viewing slots in use)" in english and "What to do" in english
