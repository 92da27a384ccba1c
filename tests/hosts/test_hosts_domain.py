"""Hosts domain: registration, consent versions, review, links, limits, host actions, answers."""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from altcha.v1 import solve_challenge

from camnet.auth.principal import Principal, cli_principal
from camnet.db import Database
from camnet.errors import Conflict, InvalidInput, NotFound, TooManyAttempts
from camnet.evidence import incidents, items, requests
from camnet.evidence.models import IncidentIn, RequestIn, TransitionIn
from camnet.hosts import abuse, consent, footage, hostpage, links, registrations, subject
from camnet.hosts.models import HostCorrection, RegistrationIn, normalise_phone
from camnet.monitor import maintenance
from camnet.timeutil import parse_iso, to_iso, utcnow
from camnet.web import keys
from tests.conftest import World

KEY = b"k" * 32
POLICY = abuse.RatePolicy(window_s=3600, per_address=3, per_phone=2)


async def _zone_id(db: Database, code: str) -> int:
    return int(await db.fetchval("SELECT id FROM zone WHERE code = ?", (code,)))


async def _officer(db: Database, code: str = "SAMPLE-PHUMY", name: str = "canbo") -> Principal:
    path = str(await db.fetchval("SELECT path FROM zone WHERE code = ?", (code,)))
    return Principal(user_id=3, username=name, role="officer", zone_id=None, zone_path=path)


def reg_data(zone_id: int, **over: Any) -> RegistrationIn:
    data: dict[str, Any] = {
        "zone_id": zone_id, "host_name": "Trần Thị Bình", "phone": "0912 345 678",
        "point_name": "Tạp hóa Bình", "address": "12 đường Chợ, thôn Mỹ Lợi",
        "lat": 16.51, "lon": 107.65, "consent_version": 1, "consent": True,
        "cameras": [
            {"label": "Cổng", "azimuth_deg": 90, "fov_deg": 80, "retention_days": 14,
             "sign_posted": True, "qcvn135": "yes",
             "rtsp_url": "rtsp://admin:S3cret@127.0.0.1:9/ch1", "password": ""},
            {"retention_days": 7, "sign_posted": False},
        ],
    }
    data.update(over)
    return RegistrationIn.model_validate(data)


async def _submit(world: World, data: RegistrationIn | None = None, *, address: str = "10.0.0.1",
                  pow_challenge: str | None = None) -> registrations.Submitted:
    db = world.app[keys.DB]
    data = data or reg_data(await _zone_id(db, "SAMPLE-PHUMY-ML"))
    return await registrations.submit(db, world.app[keys.CIPHER], KEY, data,
                                      client_address=address, pow_challenge=pow_challenge,
                                      policy=POLICY, link_days=30, max_cameras=16)


async def _approved(world: World) -> tuple[int, str, int]:
    db = world.app[keys.DB]
    done = await _submit(world)
    point_id = await registrations.approve(db, await _officer(db), done.registration_id)
    return done.registration_id, done.token, point_id


async def test_phone_is_normalised_with_vietnam_default() -> None:
    assert normalise_phone("0912 345 678") == "+84912345678"
    assert normalise_phone("+84 912-345-678") == "+84912345678"
    with pytest.raises(ValueError, match="phone"):
        normalise_phone("12")


async def test_consent_must_be_ticked_and_current(world: World) -> None:
    db = world.app[keys.DB]
    zone_id = await _zone_id(db, "SAMPLE-PHUMY-ML")
    with pytest.raises(ValueError, match="consent"):
        reg_data(zone_id, consent=False)
    v1 = await consent.current_text(db)
    assert v1.version == 1 and "CAM KẾT" in v1.body
    v2 = await consent.add_text(db, cli_principal(), "Cam kết phiên bản 2")
    assert v2 == 2 and (await consent.current_text(db)).body == "Cam kết phiên bản 2"
    with pytest.raises(Conflict, match="version 2"):
        await _submit(world)  # the form still showed version 1
    done = await _submit(world, reg_data(zone_id, consent_version=2))
    rows = await consent.consents_of(db, done.registration_id)
    assert [(r["version"], r["channel"], r["withdrawn_at"]) for r in rows] == [(2, "web", None)]
    assert (await consent.get_text(db, 1)).body == v1.body  # the old version is kept as it was
    async with db.transaction() as tx:
        with pytest.raises(sqlite3.IntegrityError, match="versioned"):
            await tx.execute("UPDATE host_consent_text SET body = 'x' WHERE version = 1")


async def test_paper_consent_needs_a_witness(world: World) -> None:
    db = world.app[keys.DB]
    data = reg_data(await _zone_id(db, "SAMPLE-PHUMY-ML"))
    with pytest.raises(InvalidInput, match="witness"):
        await registrations.submit(db, world.app[keys.CIPHER], KEY, data, client_address="x",
                                   pow_challenge=None, policy=POLICY, link_days=30,
                                   max_cameras=16, channel="paper")
    done = await registrations.submit(db, world.app[keys.CIPHER], KEY, data, client_address="x",
                                      pow_challenge=None, policy=POLICY, link_days=30,
                                      max_cameras=16, channel="paper", witnessed_by="canbo")
    row = (await consent.consents_of(db, done.registration_id))[0]
    assert (row["channel"], row["witnessed_by"]) == ("paper", "canbo")


async def test_submission_is_hidden_until_approved_then_enters_registry(world: World) -> None:
    db = world.app[keys.DB]
    before = int(await db.fetchval("SELECT COUNT(*) FROM camera_point"))
    done = await _submit(world)
    row = await registrations.get_for_host(db, done.registration_id)
    assert "S3cret" not in row["cameras_json"]  # the password is only kept encrypted
    assert registrations.cameras_of(row)[0]["has_password"] is True
    assert int(await db.fetchval("SELECT COUNT(*) FROM camera_point")) == before
    other = await _officer(db, "OTHER-COMMUNE", "other")
    assert await registrations.review_queue(db, other) == []
    with pytest.raises(NotFound):
        await registrations.get_in_scope(db, other, done.registration_id)
    with pytest.raises(NotFound):
        await registrations.approve(db, other, done.registration_id)
    canbo = await _officer(db)
    assert [r["id"] for r in await registrations.review_queue(db, canbo)] == [done.registration_id]
    point_id = await registrations.approve(db, canbo, done.registration_id, "ok")
    point = await db.fetchone("SELECT * FROM camera_point WHERE id = ?", (point_id,))
    assert point is not None and point["host_name"] == "Trần Thị Bình"
    cams = await db.fetchall("SELECT * FROM camera WHERE point_id = ? ORDER BY id", (point_id,))
    assert [(c["name"], c["enabled"], c["retention_days"]) for c in cams] == [
        ("Cổng", 1, 14), ("Camera 2", 0, 7)]  # no RTSP address: registered, not monitored
    assert cams[0]["rtsp_url"] == "rtsp://127.0.0.1:9/ch1" and cams[0]["username"] == "admin"
    assert world.app[keys.CIPHER].decrypt(cams[0]["secret_enc"]) == "S3cret"
    assert len(await registrations.host_camera_ids(db, done.registration_id)) == 2
    with pytest.raises(Conflict, match="pending"):
        await registrations.approve(db, canbo, done.registration_id)


async def test_ask_changes_then_resubmit_and_reject(world: World) -> None:
    db = world.app[keys.DB]
    canbo = await _officer(db)
    done = await _submit(world)
    with pytest.raises(InvalidInput, match="change"):
        await registrations.ask_changes(db, canbo, done.registration_id, " ")
    await registrations.ask_changes(db, canbo, done.registration_id, "Ghi rõ số nhà")
    row = await registrations.get_for_host(db, done.registration_id)
    assert (row["status"], row["review_note"]) == ("changes_requested", "Ghi rõ số nhà")
    with pytest.raises(InvalidInput, match="boundary|outside"):
        await registrations.correct(db, done.registration_id, HostCorrection(
            host_name="Trần Thị Bình", phone="0912345678", address="Số 12", lat=10.0, lon=106.0))
    await registrations.correct(db, done.registration_id, HostCorrection(
        host_name="Trần Thị Bình", phone="0912345678", address="Số 12, đường Chợ",
        point_name="Tạp hóa Bình 2", lat=16.512, lon=107.652))
    row = await registrations.get_for_host(db, done.registration_id)
    assert (row["status"], row["address"], row["point_name"], row["lat"]) == (
        "pending", "Số 12, đường Chợ", "Tạp hóa Bình 2", 16.512)
    await registrations.reject(db, canbo, done.registration_id, "Trùng điểm đã có")
    assert (await registrations.get_for_host(db, done.registration_id))["status"] == "rejected"


async def test_links_expire_are_revoked_and_forged_ones_refused(world: World) -> None:
    db = world.app[keys.DB]
    done = await _submit(world)
    assert await links.resolve(db, KEY, done.token) == done.registration_id
    stored = await db.fetchval("SELECT token_hash FROM host_link")
    assert stored == links.token_hash(done.token) and done.token not in stored
    body = done.token.split(".")[0]
    with pytest.raises(NotFound):
        await links.resolve(db, KEY, body + ".AAAAAAAAAAAAAAAAAAAAAA")  # forged signature
    with pytest.raises(NotFound):
        await links.resolve(db, b"other-key" * 4, done.token)
    canbo = await _officer(db)
    fresh = await registrations.reissue_link(db, canbo, KEY, done.registration_id, 30)
    with pytest.raises(NotFound):
        await links.resolve(db, KEY, done.token)  # re-issuing replaced the old link
    assert await links.resolve(db, KEY, fresh) == done.registration_id
    assert await registrations.revoke_links(db, canbo, done.registration_id) == 1
    with pytest.raises(NotFound):
        await links.resolve(db, KEY, fresh)
    async with db.transaction() as tx:
        expired = await links.issue(tx, KEY, done.registration_id, days=1, created_by="t")
        await tx.execute("UPDATE host_link SET expires_at = ? WHERE token_hash = ?",
                         (to_iso(utcnow() - timedelta(seconds=1)), links.token_hash(expired)))
    with pytest.raises(NotFound):
        await links.resolve(db, KEY, expired)


async def test_rate_limits_per_phone_and_per_address(world: World) -> None:
    db = world.app[keys.DB]
    zone_id = await _zone_id(db, "SAMPLE-PHUMY-ML")
    await _submit(world, address="10.0.0.9")
    await _submit(world, address="10.0.0.8")
    with pytest.raises(TooManyAttempts, match="phone"):
        await _submit(world, address="10.0.0.7")  # third one for the same phone
    for i in range(2):
        await _submit(world, reg_data(zone_id, phone=f"090300000{i}"), address="10.0.0.9")
    with pytest.raises(TooManyAttempts, match="address"):
        await _submit(world, reg_data(zone_id, phone="0903000009"), address="10.0.0.9")
    assert POLICY.refusal(0, 0) is None and POLICY.refusal(3, 0) == "address"


def _solve(challenge: dict[str, Any]) -> str:
    solution = solve_challenge(challenge["challenge"], challenge["salt"], challenge["algorithm"],
                               challenge["maxnumber"])
    assert solution is not None
    return base64.b64encode(json.dumps({
        "algorithm": challenge["algorithm"], "challenge": challenge["challenge"],
        "number": solution.number, "salt": challenge["salt"],
        "signature": challenge["signature"]}).encode()).decode()


async def test_proof_of_work_is_checked_and_used_once(world: World) -> None:
    challenge = abuse.new_challenge(KEY, 2000, 600)
    payload = _solve(challenge)
    assert abuse.verify_pow(KEY, payload) == challenge["challenge"]
    with pytest.raises(InvalidInput):
        abuse.verify_pow(b"x" * 32, payload)  # signed with another key
    tampered = json.loads(base64.b64decode(payload))
    tampered["number"] += 1
    with pytest.raises(InvalidInput):
        abuse.verify_pow(KEY, base64.b64encode(json.dumps(tampered).encode()).decode())
    with pytest.raises(InvalidInput):
        abuse.verify_pow(KEY, "")
    await _submit(world, pow_challenge=challenge["challenge"])
    with pytest.raises(Conflict, match="already"):
        await _submit(world, address="10.9.9.9", pow_challenge=challenge["challenge"])


async def test_pause_retention_withdraw(world: World) -> None:
    db = world.app[keys.DB]
    cipher = world.app[keys.CIPHER]
    reg_id, _token, point_id = await _approved(world)
    until = to_iso(utcnow() + timedelta(days=3))
    window_id = await hostpage.pause(db, reg_id, until=until, reason="nghỉ Tết")
    mine = await hostpage.pauses(db, reg_id)
    assert [(w.id, w.target, w.target_id) for w in mine] == [(window_id, "point", point_id)]
    cams = await registrations.host_camera_ids(db, reg_id)
    assert await maintenance.in_maintenance_now(db, cams) == set(cams)
    with pytest.raises(InvalidInput, match="60 days"):
        await hostpage.pause(db, reg_id, until=to_iso(utcnow() + timedelta(days=90)), reason="")
    await hostpage.end_pause(db, reg_id, window_id)
    assert await maintenance.in_maintenance_now(db, cams) == set()
    await hostpage.set_retention(db, cipher, reg_id, cams[0], 30)
    assert await db.fetchval("SELECT retention_days FROM camera WHERE id = ?", (cams[0],)) == 30
    sample_cam = int(await db.fetchval("SELECT MIN(id) FROM camera"))
    with pytest.raises(InvalidInput, match="not one of your"):
        await hostpage.set_retention(db, cipher, reg_id, sample_cam, 1)
    await hostpage.withdraw_consent(db, cipher, reg_id)
    assert {r["enabled"] for r in await db.fetchall(
        "SELECT enabled FROM camera WHERE point_id = ?", (point_id,))} == {0}
    notes = await db.fetchval("SELECT notes FROM camera_point WHERE id = ?", (point_id,))
    assert "rút lại đồng ý" in notes
    history = await hostpage.consent_history(db, reg_id)
    assert history[0]["withdrawn_at"] and history[0]["withdrawn_via"] == "web"
    with pytest.raises(Conflict):
        await hostpage.withdraw_consent(db, cipher, reg_id)


async def test_subject_requests_have_a_deadline_and_reach_officers(world: World) -> None:
    db = world.app[keys.DB]
    done = await _submit(world)
    request_id = await subject.file_request(db, done.registration_id, "delete", "Xóa số điện thoại",
                                            deadline_hours=72)
    row = (await subject.requests_of(db, done.registration_id))[0]
    assert parse_iso(row["due_at"]) - parse_iso(row["created_at"]) == timedelta(hours=72)
    canbo = await _officer(db)
    assert [r["id"] for r in await subject.open_in_scope(db, canbo)] == [request_id]
    assert await subject.open_in_scope(db, await _officer(db, "OTHER-COMMUNE", "other")) == []
    with pytest.raises(InvalidInput):
        await subject.file_request(db, done.registration_id, "sell", "", deadline_hours=72)
    await subject.close_request(db, canbo, request_id, status="done", answer="Đã xóa")
    assert await subject.open_in_scope(db, canbo) == []


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def test_host_answers_an_approved_request(world: World) -> None:
    db = world.app[keys.DB]
    reg_id, _token, _point = await _approved(world)
    cams = await registrations.host_camera_ids(db, reg_id)
    root = cli_principal("chihuy")
    end = utcnow() - timedelta(hours=1)
    incident = await incidents.create_incident(db, root, IncidentIn(
        case_no="VV-HOST-1", kind="theft", occurred_from=end - timedelta(hours=1),
        occurred_to=end, zone_code="SAMPLE-PHUMY", summary="BÍ MẬT điều tra"))
    req = await requests.create_request(db, root, RequestIn(
        incident_id=incident.id, reason="Lý do BÍ MẬT", cameras=[{"camera_id": cams[0]}]))
    shown = await hostpage.requests(db, reg_id)
    assert [(r.id, r.status) for r in shown] == [(req.id, "draft")]
    assert "BÍ MẬT" not in repr(shown) and "VV-HOST-1" not in repr(shown)
    with pytest.raises(Conflict):
        await footage.answer_without_clip(db, reg_id, req.id, cams[0], "no_footage")
    for to in ("submitted", "approved"):
        await requests.transition(db, root, req.id, TransitionIn(to=to),
                                  separation_of_duties=False)
    with pytest.raises(InvalidInput, match="does not name"):
        await footage.answer_without_clip(db, reg_id, req.id, cams[1], "no_footage")
    await footage.answer_without_clip(db, reg_id, req.id, cams[0], "overwritten")
    history = await requests.request_history(db, root, req.id)
    assert "đầu ghi đã ghi đè" in history[-1]["note"] and history[-1]["actor"] == f"host#{reg_id}"
    item = await footage.upload_clip(db, world.app[keys.BLOBS], reg_id, req.id, cams[0],
                                     _chunks(b"clip bytes"), "cong.mp4")
    assert item.method == "received from host" and item.holder.startswith("Chủ camera")
    log = await items.custody_log(db, root, [item.id])
    acquired = [e for e in log if e["action"] == "acquired"]
    assert acquired and str(acquired[0]["to_holder"]).startswith("Chủ camera: Trần Thị Bình")
    answers = await footage.answers_of(db, reg_id)
    assert [a["answer"] for a in answers] == ["overwritten", "uploaded"]


async def test_email_becomes_the_hosts_alert_contact(world: World) -> None:
    db = world.app[keys.DB]
    zone_id = await _zone_id(db, "SAMPLE-PHUMY-ML")
    with pytest.raises(ValueError, match="e-mail"):
        reg_data(zone_id, email="not an address")
    done = await _submit(world, reg_data(zone_id, email="binh@example.org"))
    point_id = await registrations.approve(db, await _officer(db), done.registration_id)
    contact = await db.fetchone("SELECT * FROM alert_host_contact WHERE point_id = ?", (point_id,))
    assert contact is not None and contact["host_email"] == "binh@example.org"
    await registrations.correct(db, done.registration_id, HostCorrection(
        host_name="Trần Thị Bình", phone="0912345678", email="moi@example.org", address="Số 12"))
    assert await db.fetchval("SELECT host_email FROM alert_host_contact WHERE point_id = ?",
                             (point_id,)) == "moi@example.org"
    await hostpage.withdraw_consent(db, world.app[keys.CIPHER], done.registration_id)
    assert await db.fetchval("SELECT host_email FROM alert_host_contact WHERE point_id = ?",
                             (point_id,)) == ""
