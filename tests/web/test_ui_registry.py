"""Camera, point, registry-editing and maintenance pages, through forms as people use them."""

from __future__ import annotations

import re
import socket
from datetime import timedelta

import aiohttp

from camnet.auth.principal import cli_principal
from camnet.evidence import incidents, requests
from camnet.evidence.models import IncidentIn, RequestIn
from camnet.registry import cameras, points
from camnet.timeutil import display_timezone, to_iso, utcnow
from camnet.web import keys
from tests.conftest import World
from tests.web.test_login import _csrf, _login


async def _as(world: World, username: str, password: str = "camnet-demo") -> str:  # noqa: S107
    """Log in (replacing any session) and return the page CSRF token."""
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, username, password) == 303
    return await _csrf(world.client, "/")


async def _post(world: World, path: str, data: dict[str, str]) -> aiohttp.ClientResponse:
    return await world.client.post(path, data=data, allow_redirects=False)


async def _first_camera(world: World) -> tuple[int, int]:
    found, _ = await cameras.list_cameras(world.app[keys.DB], cli_principal(), per_page=1)
    return found[0].id, found[0].point_id


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _local(dt: object) -> str:
    return dt.astimezone(display_timezone()).strftime("%Y-%m-%dT%H:%M")  # type: ignore[attr-defined]


async def test_camera_page_shows_status_strip_uptime_and_links(world: World) -> None:
    camera_id, point_id = await _first_camera(world)
    await _as(world, "canbo")
    resp = await world.client.get(f"/cameras/{camera_id}")
    html = await resp.text()
    assert resp.status == 200
    assert html.count('class="strip"') == 3  # 24 h, 7 d, 30 d
    assert len(re.findall(r'<span class="s-', html)) == 48 + 42 + 30
    assert "24 giờ qua" in html and "7 ngày qua" in html and "30 ngày qua" in html
    assert "Hình ảnh dùng được" in html and "Thời gian bắt tay RTSP" in html
    assert f'href="/cameras/{camera_id}/edit"' in html and f'href="/points/{point_id}"' in html
    assert "Không có dữ liệu" in html  # never watched: no data, never "up"
    board = await (await world.client.get("/")).text()
    assert re.search(rf'<a class="tap[^"]*" href="/cameras/{camera_id}">', board)
    point = await (await world.client.get(f"/points/{point_id}")).text()
    assert f'href="/cameras/{camera_id}"' in point and "Lịch sử hoạt động" in point
    english = await (await world.client.get(f"/cameras/{camera_id}?lang=en")).text()
    assert "Last 24 hours" in english and "Usable picture" in english


async def test_camera_page_lists_requests_and_viewer_sees_no_edit_link(world: World) -> None:
    camera_id, _ = await _first_camera(world)
    db, root = world.app[keys.DB], cli_principal()
    start = utcnow() - timedelta(hours=3)
    incident = await incidents.create_incident(db, root, IncidentIn.model_validate({
        "case_no": "VV-CAM-1", "kind": "theft", "occurred_from": start.isoformat(),
        "occurred_to": (start + timedelta(minutes=30)).isoformat(), "zone_code": "SAMPLE-PHUMY",
        "summary": "x"}))
    await requests.create_request(db, root, RequestIn.model_validate({
        "incident_id": incident.id, "reason": "r", "cameras": [{"camera_id": camera_id}]}))
    await _as(world, "canbo")
    html = await (await world.client.get(f"/cameras/{camera_id}")).text()
    assert "VV-CAM-1" in html
    await _as(world, "xem")  # a viewer of one hamlet: reads, never edits
    xem_cams, _ = await cameras.list_cameras(
        db, cli_principal(), zone_code="SAMPLE-PHUMY-ML", per_page=1)
    resp = await world.client.get(f"/cameras/{xem_cams[0].id}")
    html = await resp.text()
    assert resp.status == 200 and "/edit" not in html and "VV-CAM-1" not in html
    assert (await world.client.get(f"/cameras/{xem_cams[0].id}/edit")).status == 403


async def test_anonymous_is_sent_to_login(world: World) -> None:
    camera_id, point_id = await _first_camera(world)
    for path in (f"/cameras/{camera_id}", f"/points/{point_id}", "/registry", "/maintenance",
                 "/cameras/new", "/points/new", "/zones/new", "/registry/import",
                 "/maintenance/new"):
        resp = await world.client.get(path, allow_redirects=False)
        assert resp.status == 303 and resp.headers["Location"].startswith("/login"), path


async def test_other_zone_gets_404(world: World) -> None:
    camera_id, point_id = await _first_camera(world)
    await _as(world, "other", "other-pass-1")
    for path in (f"/cameras/{camera_id}", f"/points/{point_id}", f"/cameras/{camera_id}/edit",
                 f"/points/{point_id}/edit", f"/cameras/{camera_id}/delete"):
        assert (await world.client.get(path)).status == 404, path


async def test_point_create_edit_round_trip_keeps_input_and_says_what_is_wrong(
        world: World) -> None:
    found, _ = await points.list_points(world.app[keys.DB], cli_principal(),
                                        zone_code="SAMPLE-PHUMY", per_page=1)
    lat, lon = str(found[0].lat), str(found[0].lon)
    csrf = await _as(world, "canbo")
    page = await (await world.client.get("/points/new")).text()
    assert all(f'name="{n}"' in page for n in ("zone_code", "name", "lat", "lon"))
    resp = await _post(world, "/points/new", {
        "csrf": csrf, "zone_code": "SAMPLE-PHUMY", "name": "Ngã tư mới", "lat": "95",
        "lon": "107.6", "address": "giữ lại địa chỉ", "host_phone": "abc"})
    html = await resp.text()
    assert resp.status == 422
    assert 'value="giữ lại địa chỉ"' in html and 'value="Ngã tư mới"' in html
    assert "ngoài khoảng cho phép" in html and "có ký tự không được phép" in html
    assert 'aria-invalid="true"' in html and "greater" not in html
    resp = await _post(world, "/points/new", {  # the domain's refusal, in words too
        "csrf": csrf, "zone_code": "SAMPLE-PHUMY", "name": "Ngã tư mới", "lat": "10.0",
        "lon": "106.0"})
    html = await resp.text()
    assert resp.status == 422 and "nằm ngoài ranh giới địa bàn" in html
    assert "lies outside" not in html and 'value="Ngã tư mới"' in html
    resp = await _post(world, "/points/new", {
        "csrf": csrf, "zone_code": "SAMPLE-PHUMY", "name": "Ngã tư mới", "lat": lat,
        "lon": lon, "address": "Thôn 1"})
    assert resp.status == 303, await resp.text()
    location = resp.headers["Location"]
    assert location.endswith("?done=created")
    html = await (await world.client.get(location)).text()
    assert 'role="status"' in html and "Đã tạo." in html and "Ngã tư mới" in html
    point_id = int(location.split("/")[2].split("?")[0])
    resp = await _post(world, f"/points/{point_id}/edit", {
        "csrf": csrf, "zone_code": "SAMPLE-PHUMY", "name": "", "lat": lat, "lon": lon})
    assert resp.status == 422 and "bắt buộc phải nhập" in await resp.text()
    resp = await _post(world, f"/points/{point_id}/edit", {
        "csrf": csrf, "zone_code": "SAMPLE-PHUMY", "name": "Ngã tư đổi tên", "lat": lat,
        "lon": lon})
    assert resp.status == 303
    got = await points.get_point(world.app[keys.DB], cli_principal(), point_id)
    assert got.name == "Ngã tư đổi tên"
    # a forged post without the token is refused
    assert (await _post(world, f"/points/{point_id}/edit", {"name": "x"})).status == 403


async def test_camera_form_masks_password_tests_connection_and_deletes(world: World) -> None:
    _, point_id = await _first_camera(world)
    csrf = await _as(world, "canbo")
    port = _closed_port()
    resp = await _post(world, "/cameras/new", {
        "csrf": csrf, "point_id": str(point_id), "name": "Cam thử", "rtsp_url": "http://x",
        "retention_days": "7", "monitor_tier": "1", "enabled": "on"})
    html = await resp.text()
    assert resp.status == 422 and "phải bắt đầu bằng rtsp://" in html and 'value="Cam thử"' in html
    resp = await _post(world, "/cameras/new", {
        "csrf": csrf, "point_id": str(point_id), "name": "Cam thử",
        "rtsp_url": f"rtsp://127.0.0.1:{port}/live", "username": "admin",
        "new_password": "Bí-mật-123", "retention_days": "7", "monitor_tier": "1",
        "enabled": "on"})
    assert resp.status == 303, await resp.text()
    camera_id = int(resp.headers["Location"].split("/")[2].split("?")[0])
    html = await (await world.client.get(f"/cameras/{camera_id}/edit")).text()
    assert "Bí-mật-123" not in html and 'name="new_password"' in html
    assert "Để trống để giữ mật khẩu" in html and f'value="rtsp://127.0.0.1:{port}/live"' in html
    # save without a new password keeps the stored one
    resp = await _post(world, f"/cameras/{camera_id}/edit", {
        "csrf": csrf, "point_id": str(point_id), "name": "Cam thử 2",
        "rtsp_url": f"rtsp://127.0.0.1:{port}/live", "username": "admin",
        "retention_days": "10", "monitor_tier": "1"})
    assert resp.status == 303
    cam = await cameras.get_camera(world.app[keys.DB], cli_principal(), camera_id)
    assert cam.has_password and cam.name == "Cam thử 2" and not cam.enabled
    assert cam.retention_days == 10
    # the test button runs one probe now and says what it found, in words
    resp = await _post(world, f"/cameras/{camera_id}/test", {"csrf": csrf})
    html = await resp.text()
    assert resp.status == 200 and 'id="test-result"' in html and "Từ chối kết nối" in html
    # delete asks first, then deletes
    ask = await (await world.client.get(f"/cameras/{camera_id}/delete")).text()
    assert "Bạn chắc chắn muốn xoá?" in ask
    resp = await _post(world, f"/cameras/{camera_id}/delete", {"csrf": csrf, "confirm": "yes"})
    assert resp.status == 303 and resp.headers["Location"].endswith("?done=deleted")


async def test_delete_is_refused_in_words_when_evidence_refers_to_the_camera(
        world: World) -> None:
    camera_id, _ = await _first_camera(world)
    db, root = world.app[keys.DB], cli_principal()
    start = utcnow() - timedelta(hours=2)
    incident = await incidents.create_incident(db, root, IncidentIn.model_validate({
        "case_no": "VV-DEL-1", "kind": "theft", "occurred_from": start.isoformat(),
        "occurred_to": (start + timedelta(minutes=10)).isoformat(),
        "zone_code": "SAMPLE-PHUMY", "summary": "x"}))
    await requests.create_request(db, root, RequestIn.model_validate({
        "incident_id": incident.id, "reason": "r", "cameras": [{"camera_id": camera_id}]}))
    csrf = await _as(world, "canbo")
    resp = await _post(world, f"/cameras/{camera_id}/delete", {"csrf": csrf, "confirm": "yes"})
    html = await resp.text()
    assert resp.status == 409 and "Không xoá được" in html and "vẫn còn hồ sơ" in html
    assert 'id="refused-by"' in html and "VV-DEL-1" in html
    assert "is still referred to" not in html  # the domain's English stays in the API
    assert (await cameras.get_camera(db, root, camera_id)).id == camera_id


async def test_zones_are_admin_only_and_validated(world: World) -> None:
    csrf = await _as(world, "canbo")
    assert (await world.client.get("/zones/new")).status == 403
    assert (await _post(world, "/zones/new", {"csrf": csrf, "level": "hamlet", "code": "X",
                                              "name": "X"})).status == 403
    csrf = await _as(world, "admin")
    resp = await _post(world, "/zones/new", {"csrf": csrf, "parent_code": "SAMPLE-PHUMY",
                                             "level": "hamlet", "code": "bad code!",
                                             "name": "Thôn Mới"})
    html = await resp.text()
    assert resp.status == 422 and "có ký tự không được phép" in html and 'value="Thôn Mới"' in html
    resp = await _post(world, "/zones/new", {"csrf": csrf, "parent_code": "SAMPLE-PHUMY",
                                             "level": "hamlet", "code": "SAMPLE-PHUMY-NEW",
                                             "name": "Thôn Mới"})
    assert resp.status == 303
    html = await (await world.client.get("/registry?done=created")).text()
    assert "Thôn Mới" in html and "Đã tạo." in html
    zone_id = re.search(r'data-zone="(\d+)"><td><a class="tap" href="/zones/\d+/edit">Thôn Mới',
                        html)
    assert zone_id
    zid = zone_id.group(1)
    resp = await _post(world, f"/zones/{zid}/edit", {"csrf": csrf, "action": "delete"})
    assert resp.status == 200 and "Bạn chắc chắn muốn xoá?" in await resp.text()
    resp = await _post(world, f"/zones/{zid}/edit", {"csrf": csrf, "action": "delete",
                                                     "confirm": "yes"})
    assert resp.status == 303 and resp.headers["Location"].endswith("done=deleted")


async def test_import_reports_each_bad_line_then_imports(world: World) -> None:
    found, _ = await points.list_points(world.app[keys.DB], cli_principal(),
                                        zone_code="SAMPLE-PHUMY", per_page=1)
    where = f"{found[0].lat},{found[0].lon}"
    csrf = await _as(world, "canbo")
    header = "zone_code,point_name,lat,lon,camera_name,rtsp_url\n"
    bad = header + f"SAMPLE-PHUMY,Điểm A,{where},Cam 1,rtsp://127.0.0.1/a\n" \
                   "SAMPLE-PHUMY,Điểm B,99,107.6,Cam 1,rtsp://127.0.0.1/b\n" \
                   f"SAMPLE-PHUMY,Điểm C,{where},Cam 1,ftp://example.org/x\n"
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", bad.encode(), filename="diem.csv", content_type="text/csv")
    resp = await world.client.post("/registry/import", data=form)
    html = await resp.text()
    assert resp.status == 422 and 'id="import-errors"' in html and "dòng 3" in html
    assert "dòng 4" in html and "phải bắt đầu bằng rtsp://" in html and "ngoài khoảng cho phép" in html
    good = header + f"SAMPLE-PHUMY,Điểm A,{where},Cam 1,rtsp://127.0.0.1/a\n"
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", good.encode(), filename="diem.csv", content_type="text/csv")
    resp = await world.client.post("/registry/import", data=form)
    html = await resp.text()
    assert resp.status == 200 and 'id="import-report"' in html and "Đã nhập tệp." in html
    found, _ = await points.list_points(world.app[keys.DB], cli_principal(), query="Điểm A")
    assert [p.name for p in found] == ["Điểm A"]


async def test_maintenance_schedule_edit_cancel_for_camera_point_and_zone(world: World) -> None:
    camera_id, point_id = await _first_camera(world)
    csrf = await _as(world, "canbo")
    start = utcnow() + timedelta(hours=1)
    page = await (await world.client.get(
        f"/maintenance/new?target=camera&target_id={camera_id}")).text()
    assert 'name="starts_at"' in page and 'type="datetime-local"' in page
    resp = await _post(world, "/maintenance/new", {
        "csrf": csrf, "target": "camera", "target_id": str(camera_id),
        "starts_at": _local(start), "ends_at": _local(start - timedelta(minutes=5)),
        "reason": "giữ lý do"})
    html = await resp.text()
    assert resp.status == 422 and "giữ lý do" in html and 'role="alert"' in html
    resp = await _post(world, "/maintenance/new", {
        "csrf": csrf, "target": "camera", "target_id": str(camera_id),
        "starts_at": _local(start), "ends_at": _local(start + timedelta(hours=2)),
        "reason": "Thay nguồn"})
    assert resp.status == 303 and resp.headers["Location"] == \
        f"/cameras/{camera_id}?done=scheduled"
    html = await (await world.client.get(f"/cameras/{camera_id}?done=scheduled")).text()
    assert "Thay nguồn" in html and "Đã lên lịch bảo trì." in html
    resp = await _post(world, "/maintenance/new", {
        "csrf": csrf, "target": "point", "target_id": str(point_id), "weekly": "1",
        "starts_at": _local(start), "ends_at": _local(start + timedelta(hours=1)),
        "reason": "Hằng tuần"})
    assert resp.status == 303
    listing = await (await world.client.get("/maintenance")).text()
    assert "Thay nguồn" in listing and "Hằng tuần" in listing
    window_id = re.search(r'data-window="(\d+)"', listing).group(1)  # type: ignore[union-attr]
    resp = await _post(world, f"/maintenance/{window_id}/edit", {
        "csrf": csrf, "starts_at": _local(start), "ends_at": _local(start + timedelta(hours=3)),
        "reason": "Đổi lý do"})
    assert resp.status == 303
    resp = await _post(world, f"/maintenance/{window_id}/edit", {"csrf": csrf,
                                                                  "action": "cancel"})
    assert resp.status == 303 and resp.headers["Location"].endswith("done=cancelled")
    assert "Đổi lý do" not in await (await world.client.get("/maintenance")).text()
    assert "Đổi lý do" in await (await world.client.get("/maintenance?all=1")).text()
    # a zone window from the general form
    page = await (await world.client.get("/maintenance/new")).text()
    zone_id = re.search(r'<option value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    resp = await _post(world, "/maintenance/new", {
        "csrf": csrf, "target": "zone", "target_id": zone_id, "starts_at": _local(start),
        "ends_at": _local(start + timedelta(hours=1)), "reason": "Cả xã"})
    assert resp.status == 303 and resp.headers["Location"] == "/maintenance?done=scheduled"
    # a viewer may not schedule
    await _as(world, "xem")
    assert (await world.client.get("/maintenance/new")).status == 403
    assert (await world.client.get("/maintenance")).status == 200


async def test_camera_page_figures_follow_the_history(world: World) -> None:
    camera_id, point_id = await _first_camera(world)
    now = utcnow()
    since, until = to_iso(now - timedelta(days=40)), to_iso(now + timedelta(hours=1))
    async with world.app[keys.DB].transaction() as tx:
        await tx.execute("UPDATE camera SET created_at = ?", (since,))
        await tx.execute("INSERT INTO watched_span(camera_id, started_at, ended_at)"
                         " SELECT id, ?, ? FROM camera", (since, until))
        await tx.execute("INSERT INTO outage(camera_id, started_at, ended_at, cause)"
                         " VALUES (?, ?, ?, 'refused')",
                         (camera_id, to_iso(now - timedelta(hours=20)),
                          to_iso(now - timedelta(hours=14))))
    await _as(world, "canbo")
    html = await (await world.client.get(f"/cameras/{camera_id}")).text()
    day = html.split('class="strip"')[1].split("</div>")[0]
    assert 12 <= day.count("s-down") <= 13  # 6 h in 30-minute boxes (edges may touch one more)
    assert day.count("s-no_data") == 0
    label = re.search(r'aria-label="24 giờ qua: ([^"]+)"', html)
    assert label and "Mất tín hiệu" in label.group(1) and label.group(1).endswith("/ 48")
    assert "6 giờ" in html and "Từ chối kết nối" in html  # duration and reason in words
    row = html.split('data-period="24h"')[1].split("</tr>")[0]
    assert "75,0 %" in row and "100,0 %" in row  # availability; watched the whole day
    point = await (await world.client.get(f"/points/{point_id}")).text()
    assert 'data-period="30d"' in point and "6 giờ" in point


async def test_no_page_shows_a_raw_message_key(world: World) -> None:
    camera_id, point_id = await _first_camera(world)
    await _as(world, "admin")
    zone_id = (await (await world.client.get("/registry")).text()).split('data-zone="')[1]
    zone_id = zone_id.split('"')[0]
    key = re.compile(r">[^<]*\b(?:reg|cam|maint|imp|verr|derr|strip|period|tier|level|flash)_"
                     r"[a-z0-9_]+\b")
    for lang in ("vi", "en"):
        for path in (f"/cameras/{camera_id}", f"/points/{point_id}", "/registry",
                     f"/cameras/{camera_id}/edit", f"/points/{point_id}/edit", "/points/new",
                     "/cameras/new", f"/zones/{zone_id}/edit", "/zones/new", "/registry/import",
                     "/maintenance", "/maintenance/new", f"/cameras/{camera_id}/delete"):
            resp = await world.client.get(f"{path}?lang={lang}")
            html = await resp.text()
            assert resp.status == 200, path
            assert not key.search(html), (lang, path, key.search(html))
