"""Rules a court would ask about: separation of duties, custody after hand-over, frozen
retention, and host data in create/transition answers audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from camnet.auth.principal import cli_principal
from camnet.config import load_config
from camnet.db import Database, open_database
from camnet.errors import Conflict, Forbidden, InvalidInput
from camnet.evidence import incidents, items, requests
from camnet.evidence.blobstore import BlobStore
from camnet.evidence.models import CustodyIn, IncidentIn, RequestIn, TransitionIn
from camnet.sample import load_sample
from camnet.secretstore import CredentialCipher, load_secrets
from camnet.timeutil import utcnow
from camnet.web import keys
from tests.conftest import World
from tests.evidence.test_anchors import _chunks
from tests.evidence.test_evidence import make_incident, make_request, step

ALICE, BOB = cli_principal("alice"), cli_principal("bob")


async def _db(tmp_path: Path) -> Database:
    config = load_config(None, {"storage": {"data_dir": str(tmp_path / "data")}})
    db = await open_database(config)
    await load_sample(db, CredentialCipher(load_secrets(config.data_dir).credentials_key))
    return db


async def _submitted(db: Database) -> tuple[int, int]:
    cam = await db.fetchone("SELECT id FROM camera ORDER BY id LIMIT 1")
    assert cam is not None
    end = utcnow()
    incident = await incidents.create_incident(db, ALICE, IncidentIn(
        case_no="VV-RULES", kind="theft", occurred_from=end.replace(hour=0), occurred_to=end,
        zone_code="SAMPLE-PHUMY"))
    req = await requests.create_request(db, ALICE, RequestIn(
        incident_id=incident.id, reason="rules", cameras=[{"camera_id": cam["id"]}]))
    await requests.transition(db, ALICE, req.id, TransitionIn(to="submitted"))
    return req.id, int(cam["id"])


async def test_requester_may_not_decide_own_request(tmp_path: Path) -> None:
    db = await _db(tmp_path)
    try:
        request_id, _ = await _submitted(db)
        for to in ("approved", "rejected"):
            with pytest.raises(Forbidden, match="separation of duties"):
                await requests.transition(db, ALICE, request_id, TransitionIn(to=to, note="x"))
        # a one-person station turns it off
        out = await requests.transition(db, ALICE, request_id, TransitionIn(to="approved"),
                                        separation_of_duties=False)
        assert out.status == "approved" and out.approved_by == "alice"
    finally:
        await db.close()


async def test_after_handover_only_defined_actions_with_reason(tmp_path: Path) -> None:
    db = await _db(tmp_path)
    try:
        request_id, cam = await _submitted(db)
        await requests.transition(db, BOB, request_id, TransitionIn(to="approved"))
        store = BlobStore(tmp_path / "data" / "evidence", 10_000)
        item = await items.upload_item(db, BOB, store, request_id, _chunks(b"x"),
                                       filename="a.mp4", camera_id=cam, method="usb",
                                       holder="kho")
        with pytest.raises(Conflict, match="after hand-over"):
            await items.record_custody(db, BOB, item.id, CustodyIn(action="destroyed",
                                                                  note="too early"))
        await requests.transition(db, BOB, request_id, TransitionIn(to="extracted"))
        await requests.transition(db, BOB, request_id, TransitionIn(
            to="handed_over", handed_over_to="Viện kiểm sát"))
        with pytest.raises(Conflict, match="only returned, re_verified, destroyed"):
            await items.record_custody(db, BOB, item.id, CustodyIn(action="viewed"))
        with pytest.raises(InvalidInput, match="say why"):
            await items.record_custody(db, BOB, item.id, CustodyIn(action="returned"))
        await items.record_custody(db, BOB, item.id, CustodyIn(
            action="re_verified", note="kiểm tra lại theo yêu cầu tòa"))
        await items.record_custody(db, BOB, item.id, CustodyIn(
            action="destroyed", note="hết thời hạn lưu giữ"))
        rows = await db.fetchall("SELECT action, req_seq FROM custody_event WHERE request_id = ?"
                                 " ORDER BY id", (request_id,))
        assert [r["action"] for r in rows][-2:] == ["re_verified", "destroyed"]
        assert [r["req_seq"] for r in rows] == list(range(1, len(rows) + 1))
    finally:
        await db.close()


async def test_retention_frozen_at_submission(tmp_path: Path) -> None:
    db = await _db(tmp_path)
    try:
        request_id, cam = await _submitted(db)
        before = (await requests.get_request(db, ALICE, request_id)).cameras[0]
        async with db.transaction() as tx:  # a later registry edit
            await tx.execute("UPDATE camera SET retention_days = retention_days + 30 WHERE id = ?",
                             (cam,))
        after = (await requests.get_request(db, ALICE, request_id)).cameras[0]
        assert after.overwrite_deadline == before.overwrite_deadline
        assert after.retention_days == before.retention_days
        assert after.registry_retention_days == before.retention_days + 30
    finally:
        await db.close()


async def test_api_create_and_transition_answers_with_hosts_are_audited(world: World) -> None:
    incident = await make_incident(world)
    req = await make_request(world, incident["id"])
    assert any(c["host_name"] for c in req["cameras"])
    status, _ = await step(world, req["id"], "canbo", "submitted")
    assert status == 200
    status, body = await step(world, req["id"], "canbo", "approved")  # canbo may not approve
    assert status == 403
    db = world.app[keys.DB]
    rows = await db.fetchall("SELECT actor, entity_id FROM audit_log WHERE action ="
                             " 'read_personal' ORDER BY id")
    assert [(r["actor"], r["entity_id"]) for r in rows] == [("canbo", req["id"])] * 2
