"""Incident and request pages: the whole workflow through forms, as people use it."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import aiohttp

from camnet.timeutil import display_timezone, utcnow
from camnet.web import keys
from tests.conftest import World
from tests.web.test_login import _csrf, _login


def _local(dt: object) -> str:
    return dt.astimezone(display_timezone()).strftime("%Y-%m-%dT%H:%M")  # type: ignore[attr-defined]


async def _as(world: World, username: str) -> str:
    """Log in (replacing any session) and return the page CSRF token."""
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, username, "camnet-demo") == 303
    return await _csrf(world.client, "/")


async def _post(world: World, path: str, data: dict[str, str]) -> aiohttp.ClientResponse:
    return await world.client.post(path, data=data, allow_redirects=False)


async def _new_incident(world: World, csrf: str, case_no: str = "VV-UI-1",
                        hours_ago: float = 3) -> int:
    start = utcnow() - timedelta(hours=hours_ago)
    resp = await _post(world, "/incidents", {
        "csrf": csrf, "case_no": case_no, "kind": "theft", "occurred_from": _local(start),
        "occurred_to": _local(start + timedelta(minutes=30)), "zone_code": "SAMPLE-PHUMY",
        "summary": "Mất cắp xe đạp"})
    assert resp.status == 303, await resp.text()
    return int(resp.headers["Location"].rsplit("/", 1)[1])


async def test_whole_workflow_through_pages(world: World) -> None:
    csrf = await _as(world, "canbo")
    html = await (await world.client.get("/incidents")).text()
    assert "Ghi nhận vụ việc mới" in html and 'href="/requests/at-risk"' in html
    # an input error keeps the values and names the problem
    resp = await _post(world, "/incidents", {
        "csrf": csrf, "case_no": "VV-BAD", "kind": "theft", "occurred_from": "2026-11-20T10:00",
        "occurred_to": "2026-11-20T09:00", "zone_code": "SAMPLE-PHUMY", "summary": "giữ lại"})
    assert resp.status == 422
    text = await resp.text()
    assert 'role="alert"' in text and "giữ lại" in text and 'value="VV-BAD"' in text
    incident_id = await _new_incident(world, csrf)
    page = await (await world.client.get(f"/incidents/{incident_id}")).text()
    assert "VV-UI-1" in page and "Mất cắp xe đạp" in page
    cams = re.findall(r'name="camera" value="(\d+)"', page)
    assert len(cams) == 28
    resp = await _post(world, f"/incidents/{incident_id}/requests",
                       {"csrf": csrf, "reason": "Xác định nghi phạm", "camera": cams[0]})
    assert resp.status == 303
    req_path = resp.headers["Location"]
    page = await (await world.client.get(req_path)).text()
    assert "Hạn ghi đè" in page and "Bản nháp" in page and 'value="submitted"' in page
    assert 'value="approved"' not in page  # an officer cannot approve
    assert (await _post(world, f"{req_path}/transition",
                        {"csrf": csrf, "to": "submitted"})).status == 303
    # a forged approval by the officer is refused
    resp = await _post(world, f"{req_path}/transition", {"csrf": csrf, "to": "approved"})
    resp = await _post(world, f"{req_path}/transition", {"csrf": csrf, "to": "extracted"})
    text = await resp.text()  # a step the status does not allow: 409, in words
    assert resp.status == 409 and "đang ở trạng thái «Đã gửi» nên không thể chuyển sang" in text
    assert "Bước tiếp theo có thể: " in text and "cannot become" not in text
    resp = await _post(world, f"{req_path}/transition", {"csrf": csrf, "to": "approved"})
    text = await resp.text()  # said in words: the role and the step, not codes
    assert resp.status == 403 and "Vai trò «Cán bộ» không được chuyển yêu cầu sang «Đã duyệt»" in text
    assert "may not move" not in text and "'officer'" not in text

    csrf = await _as(world, "chihuy")
    page = await (await world.client.get(req_path)).text()
    assert 'value="approved"' in page and 'value="rejected"' in page
    # approving asks once more, repeating the note as typed; nothing happens until confirmed
    resp = await _post(world, f"{req_path}/transition",
                       {"csrf": csrf, "to": "approved", "note": "Đồng ý"})
    page = await resp.text()
    assert resp.status == 200 and 'id="confirm-step"' in page and "không hoàn tác" in page
    assert 'name="note" value="Đồng ý"' in page and 'name="confirm" value="yes"' in page
    _, still = await world.call("GET", f"/api/v1{req_path}", "admin")
    assert still["status"] == "submitted"
    assert (await _post(world, f"{req_path}/transition", {
        "csrf": csrf, "to": "approved", "note": "Đồng ý", "confirm": "yes"})).status == 303

    csrf = await _as(world, "dieutra")
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    form.add_field("method", "USB")
    form.add_field("holder", "Đội CSHS")
    data = b"footage-bytes" * 100
    form.add_field("file", data, filename="cam01.mp4", content_type="video/mp4")
    resp = await world.client.post(f"{req_path}/items", data=form, allow_redirects=False)
    assert resp.status == 303, await resp.text()
    resp = await _post(world, f"{req_path}/items/external", {
        "csrf": csrf, "filename": "usb.mp4", "size": "2048", "sha256": "f" * 64,
        "holder": "Kho vật chứng"})
    assert resp.status == 303, await resp.text()
    page = await (await world.client.get(req_path)).text()
    assert hashlib.sha256(data).hexdigest() in page and "Lưu giữ bên ngoài" in page
    item_id = re.findall(r'action="/items/(\d+)/custody"', page)[0]
    assert (await _post(world, f"/items/{item_id}/custody", {
        "csrf": csrf, "action": "transferred", "to_holder": "VKS huyện"})).status == 303
    assert (await _post(world, f"{req_path}/transition",
                        {"csrf": csrf, "to": "extracted"})).status == 303
    resp = await _post(world, f"{req_path}/transition", {"csrf": csrf, "to": "handed_over"})
    assert resp.status == 422  # who received it?
    resp = await _post(world, f"{req_path}/transition", {
        "csrf": csrf, "to": "handed_over", "handed_over_to": "Đội CSHS"})
    assert resp.status == 200 and "Đội CSHS" in await resp.text()  # to whom, asked once more
    assert (await _post(world, f"{req_path}/transition", {
        "csrf": csrf, "to": "handed_over", "handed_over_to": "Đội CSHS",
        "confirm": "yes"})).status == 303
    page = await (await world.client.get(req_path)).text()
    assert "Đã bàn giao" in page and "VKS huyện" in page
    assert "Đã trích xuất → Đã bàn giao" in page and "extracted → handed_over" not in page

    form_page = await (await world.client.get(f"{req_path}/form")).text()
    assert "VV-UI-1" in form_page and "@media print" in form_page
    assert "Phiếu yêu cầu trích xuất hình ảnh" in form_page
    assert "NGƯỜI PHÊ DUYỆT" in form_page and "CHỦ HỘ / NGƯỜI QUẢN LÝ CAMERA" in form_page
    assert "chihuy" in form_page and "canbo" in form_page  # approver and requester
    _, req = await world.call("GET", f"/api/v1{req_path}", "admin")
    assert req["cameras"][0]["address"] in form_page


async def test_missing_csrf_is_refused(world: World) -> None:
    await _as(world, "canbo")
    resp = await _post(world, "/incidents", {"case_no": "X", "kind": "theft",
                                             "occurred_from": "2026-11-20T10:00",
                                             "occurred_to": "2026-11-20T11:00",
                                             "zone_code": "SAMPLE-PHUMY"})
    assert resp.status == 403


async def test_viewer_and_other_zone(world: World) -> None:
    csrf = await _as(world, "canbo")
    incident_id = await _new_incident(world, csrf)
    await _as(world, "xem")
    assert (await world.client.get("/incidents")).status == 403
    page = await (await world.client.get("/")).text()
    assert 'href="/incidents"' not in page
    await _as(world, "admin")
    assert (await world.client.get(f"/incidents/{incident_id}")).status == 200
    world.client.session.cookie_jar.clear()
    resp = await world.client.get(f"/incidents/{incident_id}", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/login")
    # another commune's admin
    from camnet.accounts.users import add_user
    from camnet.auth.principal import cli_principal

    await add_user(world.app[keys.DB], cli_principal(), username="other2",
                   password="camnet-demo", role="admin", zone_code="OTHER-COMMUNE")
    world.client.session.cookie_jar.clear()
    assert await _login(world.client, "other2", "camnet-demo") == 303
    resp = await world.client.get(f"/incidents/{incident_id}")
    assert resp.status == 404 and "Không tìm thấy" in await resp.text()


async def test_at_risk_page_and_english(world: World) -> None:
    csrf = await _as(world, "canbo")
    _, cams = await world.call("GET", "/api/v1/cameras?per_page=1", "admin")
    cam = cams["items"][0]
    end = utcnow() - timedelta(days=cam["retention_days"]) + timedelta(hours=1)
    incident_id = await _new_incident(world, csrf, "VV-RISK",
                                      hours_ago=cam["retention_days"] * 24)
    resp = await _post(world, f"/incidents/{incident_id}/requests", {
        "csrf": csrf, "reason": "gấp", "camera": str(cam["id"]),
        f"from_{cam['id']}": _local(end - timedelta(minutes=20)),
        f"to_{cam['id']}": _local(end)})
    assert resp.status == 303, await resp.text()
    req_id = resp.headers["Location"].rsplit("/", 1)[1]
    page = await (await world.client.get("/requests/at-risk")).text()
    assert f'href="/requests/{req_id}"' in page and 'class="risk"' in page
    english = await (await world.client.get("/requests/at-risk?lang=en")).text()
    assert "At risk of overwrite" in english
    listing = await (await world.client.get("/requests?status=draft")).text()
    assert f'href="/requests/{req_id}"' in listing
    # time left before the overwrite, as people say it ("1 giờ còn lại"), never "0.98 h"
    detail = await (await world.client.get(f"/requests/{req_id}?lang=vi")).text()
    listing = await (await world.client.get("/requests?status=draft")).text()
    assert re.search(r"\d+ (giờ|phút)[^<]* còn lại", detail) and " h còn lại" not in detail
    assert re.search(r"\(\d+ (giờ|phút)[^<()]* còn lại\)", listing)


def test_notes_camnet_writes_are_shown_in_words() -> None:
    from camnet.evidence.items import system_note
    from camnet.web.ui_evidence import _custody_words

    assert system_note("downloaded from camnet") == ("custody_note_downloaded", {})
    assert system_note("a note an officer typed") is None
    event = {"note": "uploaded again as cam01.mp4; same SHA-256, kept as the same item"}
    shown = _custody_words(event, "vi")["note"]
    assert shown.startswith("tải lên lại với tên cam01.mp4") and "same" not in shown
    assert _custody_words({"note": "Bàn giao tại trụ sở"}, "vi")["note"] == "Bàn giao tại trụ sở"
