"""Hosts' pages through HTTP: /dang-ky, the host page, the officers' queue; escaping; limits."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from camnet.app import create_app
from camnet.auth.principal import Principal, cli_principal
from camnet.config import Config, load_config
from camnet.evidence import incidents, items, requests
from camnet.evidence.models import IncidentIn, RequestIn, TransitionIn
from camnet.hosts import registrations
from camnet.hosts.links import token_hash
from camnet.i18n import cause_text, hint_text
from camnet.sample import load_sample
from camnet.timeutil import to_iso, utcnow
from camnet.web import keys
from tests.conftest import AiohttpClient, World
from tests.hosts.test_hosts_domain import _solve
from tests.web.test_login import _login

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


async def _form(client: TestClient, path: str = "/dang-ky") -> tuple[str, dict[str, Any], str]:
    resp = await client.get(path)
    assert resp.status == 200
    text = await resp.text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', text)
    pow_attr = re.search(r'data-pow="([^"]+)"', text)
    assert csrf and pow_attr, text
    return csrf.group(1), json.loads(html.unescape(pow_attr.group(1))), text


async def _zone_id(client: TestClient, code: str) -> int:
    return int(await client.app[keys.DB].fetchval("SELECT id FROM zone WHERE code = ?", (code,)))


async def _register(client: TestClient, *, name: str = "Lê Văn Cường", phone: str = "0912000111",
                    point: str = "Nhà ông Cường", solve: bool = True, extra: dict[str, str] | None
                    = None) -> Any:
    csrf, challenge, _ = await _form(client)
    data = {
        "csrf": csrf, "n": "1", "zone_id": str(await _zone_id(client, "SAMPLE-PHUMY-ML")),
        "host_name": name, "phone": phone, "point_name": point, "address": f"Địa chỉ {name}",
        "lat": "16.51", "lon": "107.65", "cam-0-label": "Cổng", "cam-0-retention_days": "10",
        "cam-0-sign_posted": "yes", "cam-0-qcvn135": "unknown",
        "cam-0-rtsp_url": "rtsp://127.0.0.1:9/x", "cam-0-password": "p@ss",
        "consent_version": "1", "consent": "yes", "altcha": _solve(challenge) if solve else "",
        **(extra or {}),
    }
    return await client.post("/dang-ky", data=data, allow_redirects=False)


def _link(text: str) -> str:
    match = re.search(r'class="host-link" href="[^"]*(/chu-camera/[^"]+)"', text)
    assert match, text
    return match.group(1)


async def test_form_is_public_with_nothing_pre_ticked(world: World) -> None:
    _csrf, challenge, text = await _form(world.client)
    assert "CAM KẾT CHIA SẺ DỮ LIỆU" in text and challenge["algorithm"] == "SHA-256"
    boxes = re.findall(r"<input[^>]*type=\"(?:checkbox|radio)\"[^>]*>", text)
    assert boxes and not any("checked" in b for b in boxes)
    assert "Thôn Mỹ Lợi (mẫu)" in text


async def test_register_approve_and_escape_everywhere(world: World) -> None:
    client = world.client
    resp = await _register(client, name=HOSTILE, point=HOSTILE)
    text = await resp.text()
    assert resp.status == 200, text
    link = _link(text)
    page = await (await client.get(link)).text()
    for shown in (page,):
        assert HOSTILE not in shown and html.escape(HOSTILE, quote=False)[:20] in shown
    assert 'data-status="pending"' in page
    assert await _login(client, "canbo", "camnet-demo") == 303
    queue = await (await client.get("/ho-so-dang-ky")).text()
    assert HOSTILE not in queue and "&lt;script&gt;" in queue
    reg_id = re.search(r'data-reg="(\d+)"', queue)
    assert reg_id
    review_path = f"/ho-so-dang-ky/{reg_id.group(1)}"
    review = await (await client.get(review_path)).text()
    assert HOSTILE not in review and "&lt;script&gt;" in review and "p@ss" not in review
    csrf = re.search(r'name="csrf" value="([^"]+)"', review)
    assert csrf
    resp = await client.post(review_path, data={"csrf": csrf.group(1), "action": "approve",
                                                "note": ""}, allow_redirects=False)
    assert resp.status == 303
    board = await (await client.get("/")).text()
    assert HOSTILE not in board and "&lt;script&gt;" in board
    page = await (await client.get(link)).text()
    assert 'data-status="approved"' in page and HOSTILE not in page and "Cổng" in page
    # another zone's officer sees nothing of it
    other = await client.get(review_path, headers=world.auth("other"))
    assert other.status == 404


async def test_form_errors_refill_and_proof_of_work_is_required(world: World) -> None:
    resp = await _register(world.client, solve=False)
    text = await resp.text()
    assert resp.status == 422 and "altcha" in text
    assert 'value="Lê Văn Cường"' in text and "p@ss" not in text  # refilled, never the password
    resp = await _register(world.client, phone="12", name=HOSTILE)
    text = await resp.text()
    assert resp.status == 422 and "phone" in text
    assert HOSTILE not in text and "&lt;script&gt;" in text  # the refilled form escapes too
    resp = await world.client.post("/dang-ky", data={"host_name": "x"})
    assert resp.status == 403  # no CSRF token


async def test_rate_limit_through_the_form(aiohttp_client: AiohttpClient, config: Config) -> None:
    cfg = load_config(None, {"storage": {"data_dir": config.storage.data_dir},
                             "monitor": {"enabled": False},
                             "hosts": {"rate_per_address": 2, "rate_per_phone": 5}})
    client = await aiohttp_client(create_app(cfg))
    await load_sample(client.app[keys.DB], client.app[keys.CIPHER])
    assert (await _register(client, phone="0912000001")).status == 200
    assert (await _register(client, phone="0912000002")).status == 200
    resp = await _register(client, phone="0912000003")
    assert resp.status == 429 and "quá nhiều hồ sơ" in await resp.text()  # in words


async def test_expired_and_revoked_links_are_refused(world: World) -> None:
    client = world.client
    link = _link(await (await _register(client)).text())
    assert (await client.get(link)).status == 200
    token = link.rsplit("/", 1)[1]
    assert (await client.get(link[:-3] + "abc")).status == 404  # a mistyped/forged token
    db = client.app[keys.DB]
    async with db.transaction() as tx:
        await tx.execute("UPDATE host_link SET expires_at = ? WHERE token_hash = ?",
                         (to_iso(utcnow()), token_hash(token)))
    assert (await client.get(link)).status == 404
    async with db.transaction() as tx:
        await tx.execute("UPDATE host_link SET expires_at = '2099-01-01T00:00:00Z',"
                         " revoked_at = ? WHERE token_hash = ?", (to_iso(utcnow()), token_hash(token)))
    resp = await client.get(link)
    assert resp.status == 404
    assert (await client.post(link, data={"action": "withdraw"})).status == 404


async def test_host_actions_through_the_page(world: World) -> None:
    client = world.client
    link = _link(await (await _register(client)).text())
    db = client.app[keys.DB]
    reg_id = int(await db.fetchval("SELECT MAX(id) FROM host_registration"))
    path = str(await db.fetchval("SELECT path FROM zone WHERE code = 'SAMPLE-PHUMY'"))
    await registrations.approve(db, Principal(3, "canbo", "officer", None, path), reg_id)
    page = await (await client.get(link)).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    token = csrf.group(1)
    resp = await client.post(link, data={"csrf": token, "action": "pause",
                                         "until": "2099-01-01T00:00"}, allow_redirects=False)
    assert resp.status == 422  # more than 60 days
    resp = await client.post(link, data={"csrf": token, "action": "subject", "kind": "view",
                                         "note": HOSTILE}, allow_redirects=False)
    assert resp.status == 303
    page = await (await client.get(link)).text()
    assert HOSTILE not in page and "&lt;script&gt;" in page
    resp = await client.post(link, data={"csrf": token, "action": "withdraw"},
                             allow_redirects=False)
    assert resp.status == 422  # not confirmed
    resp = await client.post(link, data={"csrf": token, "action": "withdraw", "confirm": "yes"},
                             allow_redirects=False)
    assert resp.status == 303
    page = await (await client.get(link)).text()
    assert 'data-status="withdrawn"' in page
    assert await _login(client, "canbo", "camnet-demo") == 303
    queue = await (await client.get("/ho-so-dang-ky")).text()
    assert HOSTILE not in queue and "dsr-row" in queue


async def test_invite_link_and_qr(world: World) -> None:
    client = world.client
    assert await _login(client, "canbo", "camnet-demo") == 303
    queue = await (await client.get("/ho-so-dang-ky")).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', queue)
    assert csrf
    resp = await client.post("/ho-so-dang-ky/moi", data={"csrf": csrf.group(1),
                                                         "zone": "SAMPLE-PHUMY-ML"},
                             allow_redirects=False)
    assert resp.status == 303
    flyer_path = resp.headers["Location"]
    flyer = await (await client.get(flyer_path)).text()
    assert "Thôn Mỹ Lợi (mẫu)" in flyer and "/dang-ky?ma=" in flyer
    qr = await client.get(flyer_path + "/qr.svg")
    assert qr.status == 200 and qr.content_type == "image/svg+xml"
    assert (await qr.read()).lstrip().startswith(b"<?xml")
    code = flyer_path.rsplit("/", 1)[1]
    _csrf, _c, form = await _form(client, f"/dang-ky?ma={code}")
    assert f'name="ma" value="{code}"' in form and 'name="zone_id"' not in form
    assert (await client.get(flyer_path, headers=world.auth("other"))).status == 404


async def test_host_answers_a_request_from_the_page(world: World) -> None:
    client = world.client
    link = _link(await (await _register(client, name=HOSTILE)).text())
    db = client.app[keys.DB]
    reg_id = int(await db.fetchval("SELECT MAX(id) FROM host_registration"))
    path = str(await db.fetchval("SELECT path FROM zone WHERE code = 'SAMPLE-PHUMY'"))
    await registrations.approve(db, Principal(3, "canbo", "officer", None, path), reg_id)
    camera_id = (await registrations.host_camera_ids(db, reg_id))[0]
    root = cli_principal("chihuy")
    end = utcnow() - timedelta(hours=2)
    incident = await incidents.create_incident(db, root, IncidentIn(
        case_no="VV-PAGE-1", kind="theft", occurred_from=end - timedelta(hours=1),
        occurred_to=end, zone_code="SAMPLE-PHUMY"))
    req = await requests.create_request(db, root, RequestIn(
        incident_id=incident.id, reason="điều tra", cameras=[{"camera_id": camera_id}]))
    for to in ("submitted", "approved"):
        await requests.transition(db, root, req.id, TransitionIn(to=to),
                                  separation_of_duties=False)
    page = await (await client.get(link)).text()
    assert f'data-request="{req.id}"' in page and "VV-PAGE-1" not in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    resp = await client.post(link, data={"csrf": csrf.group(1), "action": "answer",
                                         "request_id": str(req.id), "camera_id": str(camera_id),
                                         "answer": "camera_off"}, allow_redirects=False)
    assert resp.status == 303
    token = csrf.group(1)

    def clip_form(data: bytes) -> aiohttp.FormData:
        form = aiohttp.FormData()
        form.add_field("csrf", token)
        form.add_field("request_id", str(req.id))
        form.add_field("camera_id", str(camera_id))
        form.add_field("file", data, filename="../../cong.mp4", content_type="video/mp4")
        return form

    store = client.app[keys.HOST_BLOBS]
    normal, store.max_bytes = store.max_bytes, 1024  # as if hosts.upload_max_bytes = 1024
    resp = await client.post(link + "/clip", data=clip_form(b"x" * 5000), allow_redirects=False)
    assert resp.status == 413
    store.max_bytes = normal
    assert not list((store.root / "tmp").glob("upload-*"))  # the partial file is gone
    resp = await client.post(link + "/clip", data=clip_form(b"\x00clip from the recorder"),
                             allow_redirects=False)
    assert resp.status == 303, await resp.text()
    found = await items.list_items(db, root, req.id)
    assert [(i.filename, i.method) for i in found] == [("cong.mp4", "received from host")]
    assert found[0].holder.startswith("Chủ camera: <script>")  # stored as typed…
    assert await _login(client, "dieutra", "camnet-demo") == 303
    shown = await (await client.get(f"/requests/{req.id}")).text()
    assert "camera tắt" in shown and HOSTILE not in shown  # …and escaped where shown
    # another camera's snapshot is not the host's to see
    other = int(await db.fetchval("SELECT MIN(id) FROM camera"))
    assert (await client.get(f"{link}/snapshot/{other}")).status == 422
    assert (await client.get(f"{link}/snapshot/{camera_id}")).status == 404  # none yet


async def test_officer_types_in_a_paper_form_and_reads_are_audited(world: World) -> None:
    client = world.client
    assert await _login(client, "canbo", "camnet-demo") == 303
    resp = await _register(client, solve=False, extra={"channel": "paper"})
    assert resp.status == 200  # a logged-in officer needs no proof of work for paper forms
    db = client.app[keys.DB]
    reg_id = int(await db.fetchval("SELECT MAX(id) FROM host_registration"))
    row = await db.fetchone("SELECT channel, witnessed_by FROM host_consent"
                            " WHERE registration_id = ?", (reg_id,))
    assert row is not None and (row["channel"], row["witnessed_by"]) == ("paper", "canbo")
    assert (await client.get(f"/ho-so-dang-ky/{reg_id}")).status == 200
    audited = await db.fetchall("SELECT actor, entity_id FROM audit_log WHERE action ="
                                " 'read_personal' AND entity = 'host_registration'")
    assert ("canbo", reg_id) in [(a["actor"], a["entity_id"]) for a in audited]


async def test_anonymous_paper_channel_is_ignored(world: World) -> None:
    resp = await _register(world.client, solve=False, extra={"channel": "paper"})
    assert resp.status == 422  # the public still has to pass the proof of work


async def test_host_page_shows_status_cause_hint_outage_and_snapshot(world: World) -> None:
    client = world.client
    link = _link(await (await _register(client)).text())
    db = client.app[keys.DB]
    reg_id = int(await db.fetchval("SELECT MAX(id) FROM host_registration"))
    path = str(await db.fetchval("SELECT path FROM zone WHERE code = 'SAMPLE-PHUMY'"))
    await registrations.approve(db, Principal(3, "canbo", "officer", None, path), reg_id)
    camera_id = (await registrations.host_camera_ids(db, reg_id))[0]
    since = to_iso(utcnow() - timedelta(hours=3))
    async with db.transaction() as tx:  # what a monitor cycle would have written
        await tx.execute("INSERT INTO camera_status(camera_id, status, since, cause)"
                         " VALUES (?, 'down', ?, 'timeout')", (camera_id, since))
        await tx.execute("INSERT INTO outage(camera_id, started_at, cause) VALUES (?, ?, 'timeout')",
                         (camera_id, since))
        await tx.execute("INSERT INTO snapshot(camera_id, taken_at, width, height, jpeg)"
                         " VALUES (?, ?, 2, 2, ?)", (camera_id, since, b"\xff\xd8jpeg"))
    page = await (await client.get(link)).text()
    assert html.escape(hint_text("timeout", "vi"), quote=False) in page
    assert html.escape(cause_text("timeout", "vi"), quote=False) in page
    assert "Hoạt động 7 ngày" in page and f"/snapshot/{camera_id}" in page
    shot = await client.get(f"{link}/snapshot/{camera_id}")
    assert shot.status == 200 and shot.content_type == "image/jpeg"
    assert await shot.read() == b"\xff\xd8jpeg"
