"""Incidents, extraction requests and evidence through the API, with a real SQLite file."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from camnet.timeutil import to_iso, utcnow
from camnet.web import keys
from tests.conftest import World, eventually

API = "/api/v1"


async def _camera_ids(world: World, n: int = 2) -> list[int]:
    _, cams = await world.call("GET", f"{API}/cameras?per_page={n}", "admin")
    return [c["id"] for c in cams["items"]]


async def make_incident(world: World, who: str = "canbo", case_no: str = "VV-2026-001",
                        hours_ago: float = 5, **extra: Any) -> dict[str, Any]:
    start = utcnow() - timedelta(hours=hours_ago)
    body = {"case_no": case_no, "kind": "theft", "occurred_from": to_iso(start),
            "occurred_to": to_iso(start + timedelta(minutes=30)), "zone_code": "SAMPLE-PHUMY",
            "lat": 16.52, "lon": 107.65, "summary": "Mất xe máy trước chợ", **extra}
    status, incident = await world.call("POST", f"{API}/incidents", who, json=body)
    assert status == 201, incident
    return incident  # type: ignore[no-any-return]


async def make_request(world: World, incident_id: int, cameras: list[int] | None = None,
                       who: str = "canbo") -> dict[str, Any]:
    cams = cameras or await _camera_ids(world)
    status, req = await world.call("POST", f"{API}/requests", who, json={
        "incident_id": incident_id, "reason": "Trích xuất hình ảnh khu vực chợ",
        "cameras": [{"camera_id": c} for c in cams]})
    assert status == 201, req
    return req  # type: ignore[no-any-return]


async def step(world: World, req_id: int, who: str, to: str, **extra: Any) -> tuple[int, Any]:
    return await world.call("POST", f"{API}/requests/{req_id}/transition", who,
                            json={"to": to, **extra})


async def approved_request(world: World) -> dict[str, Any]:
    incident = await make_incident(world)
    req = await make_request(world, incident["id"])
    assert (await step(world, req["id"], "canbo", "submitted"))[0] == 200
    assert (await step(world, req["id"], "chihuy", "approved", note="Đồng ý"))[0] == 200
    return req


async def upload(world: World, req_id: int, data: bytes, filename: str = "clip.mp4",
                 who: str = "dieutra", **query: Any) -> tuple[int, Any]:
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(data), filename=filename,
                   content_type="application/octet-stream")
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return await world.call("POST", f"{API}/requests/{req_id}/items?{qs}", who, data=form)


# --- incidents ---------------------------------------------------------------------------

async def test_incident_crud_and_validation(world: World) -> None:
    incident = await make_incident(world)
    assert incident["zone_code"] == "SAMPLE-PHUMY" and incident["created_by"] == "canbo"
    status, _ = await world.call("GET", f"{API}/incidents/{incident['id']}", "xem")
    assert status == 403, "viewers see cameras, not cases"
    status, _ = await world.call("GET", f"{API}/incidents/{incident['id']}", "other")
    assert status == 404, "another commune does not see this case"
    status, got = await world.call("GET", f"{API}/incidents/{incident['id']}", "chihuy")
    assert status == 200 and got["case_no"] == "VV-2026-001"
    status, patched = await world.call("PATCH", f"{API}/incidents/{incident['id']}", "canbo",
                                       json={"summary": "Đã có nghi phạm", "kind": "assault"})
    assert status == 200 and patched["kind"] == "assault"
    status, err = await world.call("POST", f"{API}/incidents", "canbo", json={
        "case_no": "VV-2026-001", "kind": "theft", "occurred_from": "2026-11-01T10:00:00",
        "occurred_to": "2026-11-01T11:00:00", "zone_code": "SAMPLE-PHUMY"})
    assert status == 409 and err["error"]["field"] == "case_no"
    for bad, field in [({"kind": "murder"}, "kind"),
                       ({"occurred_to": "2026-10-01T00:00:00"}, None),
                       ({"lat": 91, "lon": 107.6}, "lat"),
                       ({"zone_code": "OTHER-COMMUNE"}, "zone_code")]:
        body = {"case_no": "VV-X", "kind": "theft", "occurred_from": "2026-11-01T10:00:00",
                "occurred_to": "2026-11-01T11:00:00", "zone_code": "SAMPLE-PHUMY", **bad}
        status, err = await world.call("POST", f"{API}/incidents", "canbo", json=body)
        assert status in (404, 422), (bad, err)
        if field:
            assert err["error"]["field"] == field, (bad, err)
    _, listed = await world.call("GET", f"{API}/incidents", "other")
    assert listed["items"] == []


async def test_local_times_are_read_as_ho_chi_minh(world: World) -> None:
    status, incident = await world.call("POST", f"{API}/incidents", "canbo", json={
        "case_no": "VV-TZ", "kind": "traffic", "occurred_from": "2026-11-20T08:00:00",
        "occurred_to": "2026-11-20T08:30:00", "zone_code": "SAMPLE-PHUMY"})
    assert status == 201
    assert incident["occurred_from"].startswith("2026-11-20T01:00:00")  # stored in UTC


# --- requests and their workflow ---------------------------------------------------------

async def test_draft_shows_deadline_and_availability(world: World) -> None:
    incident = await make_incident(world)
    cams = await _camera_ids(world)
    req = await make_request(world, incident["id"], cams)
    assert req["status"] == "draft" and req["next_steps"] == ["submitted"]
    cam = req["cameras"][0]
    assert cam["window_from"] == incident["occurred_from"]
    assert cam["retention_days"] >= 0
    assert cam["overwrite_deadline"] > cam["window_to"]
    assert cam["up_pct"] is None and cam["outages"] == []  # never watched: no data, not 100 %


async def test_availability_uses_outages(world: World) -> None:
    incident = await make_incident(world)
    cam = (await _camera_ids(world, 1))[0]
    db = world.app[keys.DB]
    start = incident["occurred_from"]
    end = to_iso(utcnow() - timedelta(hours=5) + timedelta(minutes=15))
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO outage(camera_id, started_at, ended_at, cause)"
                         " VALUES (?, ?, ?, 'timeout')", (cam, start, end))
        await tx.execute("INSERT INTO watched_span(camera_id, started_at, ended_at)"
                         " VALUES (?, ?, ?)", (cam, "2000-01-01T00:00:00Z", to_iso(utcnow())))
    req = await make_request(world, incident["id"], [cam])
    got = req["cameras"][0]
    assert got["outages"] and 40 < got["up_pct"] < 60


async def test_full_workflow(world: World) -> None:
    req = await approved_request(world)
    rid = req["id"]
    # extracted needs an item first
    status, err = await step(world, rid, "dieutra", "extracted")
    assert status == 409 and "evidence item" in err["error"]["message"]
    status, item = await upload(world, rid, b"footage " * 1000, camera_id=req["cameras"][0]["camera_id"])
    assert status == 201, item
    assert item["sha256"] == hashlib.sha256(b"footage " * 1000).hexdigest()
    assert (await step(world, rid, "dieutra", "extracted"))[0] == 200
    status, err = await step(world, rid, "dieutra", "handed_over")
    assert status == 422 and err["error"]["field"] == "handed_over_to"
    status, done = await step(world, rid, "dieutra", "handed_over", handed_over_to="Đội CSHS")
    assert status == 200 and done["status"] == "handed_over" and done["next_steps"] == []
    status, err = await step(world, rid, "admin", "approved")
    assert status == 409 and "final" in err["error"]["message"]


ALL = ("draft", "submitted", "approved", "extracted", "handed_over", "rejected", "unavailable")
LEGAL = {("draft", "submitted"), ("submitted", "approved"), ("submitted", "rejected"),
         ("approved", "extracted"), ("extracted", "handed_over"), ("submitted", "unavailable"),
         ("approved", "unavailable")}
PATH_TO = {"draft": [], "submitted": ["submitted"], "approved": ["submitted", "approved"],
           "extracted": ["submitted", "approved", "extracted"],
           "handed_over": ["submitted", "approved", "extracted", "handed_over"],
           "rejected": ["submitted", "rejected"], "unavailable": ["submitted", "unavailable"]}
EXTRA = {"rejected": {"note": "không đủ căn cứ"}, "unavailable": {"note": "đầu ghi hỏng"},
         "handed_over": {"handed_over_to": "Đội CSHS"}, "approved": {"note": "ok"}}


async def _request_in(world: World, status: str, n: int) -> int:
    incident = await make_incident(world, case_no=f"VV-{status}-{n}")
    req = await make_request(world, incident["id"])
    for to in PATH_TO[status]:
        if to == "extracted":
            await world.call("POST", f"{API}/requests/{req['id']}/items/external", "admin", json={
                "filename": "usb.mp4", "size": 10, "sha256": "a" * 64, "holder": "kho"})
        code, body = await step(world, req["id"], "admin", to, **EXTRA.get(to, {}))
        assert code == 200, body
    return int(req["id"])


async def test_every_illegal_transition_is_409(world: World) -> None:
    n = 0
    for current in ALL:
        rid = await _request_in(world, current, n)
        for target in ALL:
            if (current, target) in LEGAL:
                continue
            n += 1
            status, err = await step(world, rid, "admin", target, **EXTRA.get(target, {}))
            assert status == 409, (current, target, err)
            assert current in err["error"]["message"]


@pytest.mark.parametrize(("frm", "to", "allowed"), [
    ("draft", "submitted", {"canbo", "dieutra", "admin"}),
    ("submitted", "approved", {"chihuy", "admin"}),
    ("submitted", "rejected", {"chihuy", "admin"}),
    ("submitted", "unavailable", {"dieutra", "admin"}),
    ("approved", "extracted", {"dieutra", "admin"}),
    ("approved", "unavailable", {"dieutra", "admin"}),
    ("extracted", "handed_over", {"dieutra", "admin"}),
])
async def test_who_may_take_each_step(world: World, frm: str, to: str, allowed: set[str]) -> None:
    rid = await _request_in(world, frm, 0)
    if to == "extracted":
        await world.call("POST", f"{API}/requests/{rid}/items/external", "admin", json={
            "filename": "usb.mp4", "size": 10, "sha256": "b" * 64, "holder": "kho"})
    for who in ("xem", "canbo", "dieutra", "chihuy"):
        if who in allowed:
            continue
        status, err = await step(world, rid, who, to, **EXTRA.get(to, {}))
        assert status == 403, (who, err)
    who = sorted(allowed - {"admin"})[0]
    status, body = await step(world, rid, who, to, **EXTRA.get(to, {}))
    assert status == 200 and body["status"] == to


async def test_reject_needs_a_reason(world: World) -> None:
    rid = await _request_in(world, "submitted", 0)
    status, err = await step(world, rid, "chihuy", "rejected")
    assert status == 422 and err["error"]["field"] == "note"


async def test_request_validation(world: World) -> None:
    incident = await make_incident(world)
    cam = (await _camera_ids(world, 1))[0]
    cases = [
        ({"cameras": []}, "cameras"),
        ({"cameras": [{"camera_id": cam}, {"camera_id": cam}]}, "cameras.1"),
        ({"cameras": [{"camera_id": 99999}]}, "cameras.0.camera_id"),
        ({"cameras": [{"camera_id": cam, "window_from": "2026-11-02T10:00:00",
                       "window_to": "2026-11-02T09:00:00"}]}, "cameras.0.window_to"),
        ({"incident_id": 99999}, "incident_id"),
    ]
    for patch, field in cases:
        body = {"incident_id": incident["id"], "reason": "x", "cameras": [{"camera_id": cam}],
                **patch}
        status, err = await world.call("POST", f"{API}/requests", "canbo", json=body)
        assert status in (404, 422), (patch, err)
        assert err["error"]["field"] == field, (patch, err)


async def test_at_risk(world: World, tmp_path: Path) -> None:
    # a window that ended (retention) days ago minus one hour: deadline in one hour
    cams = await world.call("GET", f"{API}/cameras?per_page=1", "admin")
    cam = cams[1]["items"][0]
    retention = cam["retention_days"]
    end = utcnow() - timedelta(days=retention) + timedelta(hours=1)
    incident = await make_incident(world, case_no="VV-RISK")
    status, req = await world.call("POST", f"{API}/requests", "canbo", json={
        "incident_id": incident["id"], "reason": "gấp", "cameras": [{
            "camera_id": cam["id"], "window_from": to_iso(end - timedelta(minutes=10)),
            "window_to": to_iso(end)}]})
    assert status == 201, req
    assert req["cameras"][0]["at_risk"] and 0 < req["cameras"][0]["hours_left"] <= 1
    safe = await make_incident(world, case_no="VV-SAFE", hours_ago=1)
    await make_request(world, safe["id"], [cam["id"]])
    _, risky = await world.call("GET", f"{API}/requests/at-risk", "chihuy")
    assert [r["id"] for r in risky["items"]] == [req["id"]]
    _, none = await world.call("GET", f"{API}/requests/at-risk", "other")
    assert none["items"] == []


# --- evidence items ----------------------------------------------------------------------

async def test_items_only_on_approved_requests(world: World) -> None:
    incident = await make_incident(world)
    req = await make_request(world, incident["id"])
    status, err = await upload(world, req["id"], b"x")
    assert status == 409 and "approved" in err["error"]["message"]
    evidence_dir = world.app[keys.CONFIG].data_dir / "evidence"
    assert not list(evidence_dir.rglob("*")) or not [p for p in evidence_dir.rglob("*") if p.is_file()]


async def test_traversal_filename_is_only_metadata(world: World) -> None:
    req = await approved_request(world)
    data = b"evil"
    status, item = await upload(world, req["id"], data, filename="../../../../etc/passwd")
    assert status == 201, item
    assert item["filename"] == "passwd"
    data_dir = world.app[keys.CONFIG].data_dir
    files = [p for p in data_dir.rglob("*") if p.is_file() and "evidence" in p.parts]
    sha = hashlib.sha256(data).hexdigest()
    assert [p.name for p in files] == [sha]
    assert files[0].resolve().is_relative_to((data_dir / "evidence").resolve())
    status, item = await upload(world, req["id"], b"win", filename="..\\..\\x\\boot.ini")
    assert item["filename"] == "boot.ini"


async def test_upload_over_limit_leaves_nothing(world: World) -> None:
    store = world.app[keys.BLOBS]
    store.max_bytes = 100_000
    req = await approved_request(world)
    status, err = await upload(world, req["id"], b"z" * 300_000)
    assert status == 413 and err["error"]["field"] == "file"
    evidence_dir = world.app[keys.CONFIG].data_dir / "evidence"
    assert [p for p in evidence_dir.rglob("*") if p.is_file()] == []
    _, listed = await world.call("GET", f"{API}/requests/{req['id']}/items", "dieutra")
    assert listed["items"] == []


async def test_killed_upload_leaves_no_row_and_no_file(world: World) -> None:
    req = await approved_request(world)
    # the client promises 1 MB then hangs up after 200 kB
    url = world.client.make_url(f"{API}/requests/{req['id']}/items")
    boundary = "XyZ"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    import asyncio

    reader, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(
        f"POST {url.path} HTTP/1.1\r\nHost: {url.host}\r\nAuthorization: Bearer "
        f"{world.tokens['dieutra']}\r\nContent-Type: multipart/form-data; boundary={boundary}"
        f"\r\nContent-Length: {len(head) + 1_000_000}\r\n\r\n".encode() + head + b"q" * 200_000)
    await writer.drain()
    evidence_dir = world.app[keys.CONFIG].data_dir / "evidence"

    def files() -> list[Any]:
        return [p for p in evidence_dir.rglob("*") if p.is_file()]

    assert await eventually(lambda: bool(files())), "the upload never reached the server"
    writer.close()
    await writer.wait_closed()
    await eventually(lambda: not files())  # ...and cleans up after the hang-up
    _, listed = await world.call("GET", f"{API}/requests/{req['id']}/items", "dieutra")
    assert listed["items"] == []
    assert files() == []


async def test_register_external_item_and_custody(world: World) -> None:
    req = await approved_request(world)
    status, item = await world.call("POST", f"{API}/requests/{req['id']}/items/external",
                                    "dieutra", json={"filename": "usb-01.mp4", "size": 123456,
                                                     "sha256": "C" * 64, "holder": "Kho vật chứng"})
    assert status == 201 and item["stored"] is False and item["sha256"] == "c" * 64
    iid = item["id"]
    status, err = await world.call("POST", f"{API}/items/{iid}/custody", "dieutra",
                                   json={"action": "transferred"})
    assert status == 422 and err["error"]["field"] == "to_holder"
    status, _ = await world.call("POST", f"{API}/items/{iid}/custody", "dieutra",
                                 json={"action": "transferred", "to_holder": "VKSND huyện"})
    assert status == 201
    await world.call("POST", f"{API}/items/{iid}/custody", "dieutra", json={"action": "sealed"})
    _, log = await world.call("GET", f"{API}/items/{iid}/custody", "chihuy")
    actions = [e["action"] for e in log["items"]]
    assert actions == ["acquired", "transferred", "sealed"]
    assert log["items"][1]["from_holder"] == "Kho vật chứng"
    assert log["items"][1]["prev_hash"] == log["items"][0]["hash"]
    status, err = await world.call("GET", f"{API}/items/{iid}/download", "dieutra")
    assert status == 409


async def test_download_rechecks_hash(world: World) -> None:
    req = await approved_request(world)
    data = b"real footage bytes" * 500
    _, item = await upload(world, req["id"], data)
    resp = await world.client.get(f"{API}/items/{item['id']}/download",
                                  headers=world.auth("dieutra"))
    assert resp.status == 200 and await resp.read() == data
    assert resp.headers["X-SHA256"] == item["sha256"]
    path = world.app[keys.BLOBS].path_for(item["sha256"])
    path.chmod(0o600)
    path.write_bytes(b"tampered" + data)
    status, err = await world.call("GET", f"{API}/items/{item['id']}/download", "dieutra")
    assert status == 409 and "no longer matches" in err["error"]["message"]
    _, log = await world.call("GET", f"{API}/items/{item['id']}/custody", "dieutra")
    assert [e["action"] for e in log["items"]] == ["acquired", "copied"]


async def test_package_hashes_match_manifest(world: World) -> None:
    req = await approved_request(world)
    files = {"cam1.mp4": b"one" * 4000, "cam2.mp4": b"two" * 5000}
    for name, data in files.items():
        assert (await upload(world, req["id"], data, filename=name))[0] == 201
    await world.call("POST", f"{API}/requests/{req['id']}/items/external", "dieutra", json={
        "filename": "usb.mp4", "size": 1, "sha256": "d" * 64, "holder": "kho"})
    resp = await world.client.get(f"{API}/requests/{req['id']}/package",
                                  headers=world.auth("dieutra"))
    assert resp.status == 200 and resp.content_type == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(await resp.read()))
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["incident"]["case_no"] == "VV-2026-001"
    stored = [i for i in manifest["items"] if i["stored"]]
    assert len(stored) == 2 and len(manifest["items"]) == 3
    for entry in stored:
        content = zf.read(entry["path_in_package"])
        assert hashlib.sha256(content).hexdigest() == entry["sha256"]
        assert len(content) == entry["size"]
    custody = json.loads(zf.read("custody.json"))  # the request's whole custody, in order
    assert len([r for r in custody if r["item_id"]]) == 3
    assert [r["req_seq"] for r in custody] == list(range(1, len(custody) + 1))
    form = zf.read("form.html").decode()
    assert "VV-2026-001" in form and "trích xuất" in form.lower()
    tmp = world.app[keys.CONFIG].data_dir / "tmp"
    assert not tmp.exists() or list(tmp.iterdir()) == []


# --- hash chains -------------------------------------------------------------------------

def _tamper(db_path: Path, sql: str, params: tuple[Any, ...]) -> None:
    conn = sqlite3.connect(db_path)
    try:
        for trig in ("custody_event_no_update", "custody_event_no_delete", "audit_log_no_update",
                     "audit_log_no_delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS {trig}")
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


async def test_triggers_refuse_update_and_delete(world: World) -> None:
    req = await approved_request(world)
    await upload(world, req["id"], b"abc")
    db = world.app[keys.DB]
    for sql in ("UPDATE custody_event SET note = 'x'", "DELETE FROM custody_event",
                "UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            async with db.transaction() as tx:
                await tx.execute(sql)


@pytest.mark.parametrize(("table", "column", "route"), [
    ("custody_event", "note", "custody/verify"),
    ("audit_log", "after", "audit/verify"),
])
async def test_editing_a_row_is_found_at_that_row(world: World, table: str, column: str,
                                                  route: str) -> None:
    req = await approved_request(world)
    for n in range(4):
        await upload(world, req["id"], f"clip {n}".encode(), filename=f"{n}.mp4")
    status, ok = await world.call("GET", f"{API}/{route}", "admin")
    assert status == 200 and ok["ok"] and ok["rows_checked"] >= 4
    db_path = world.app[keys.CONFIG].database_path
    conn = sqlite3.connect(db_path)
    ids = [r[0] for r in conn.execute(f"SELECT id FROM {table} ORDER BY id")]
    conn.close()
    victim = ids[len(ids) // 2]
    _tamper(db_path, f"UPDATE {table} SET {column} = {column} || ' ' WHERE id = ?", (victim,))
    _, bad = await world.call("GET", f"{API}/{route}", "admin")
    assert bad["ok"] is False and bad["first_bad_id"] == victim
    assert bad["rows_checked"] == ids.index(victim)


async def test_deleting_or_rehashing_a_row_is_found(world: World) -> None:
    req = await approved_request(world)
    for n in range(3):
        await upload(world, req["id"], f"x{n}".encode())
    db_path = world.app[keys.CONFIG].database_path
    conn = sqlite3.connect(db_path)
    ids = [r[0] for r in conn.execute("SELECT id FROM custody_event ORDER BY id")]
    conn.close()
    _tamper(db_path, "DELETE FROM custody_event WHERE id = ?", (ids[1],))
    _, bad = await world.call("GET", f"{API}/custody/verify", "admin")
    assert bad["first_bad_id"] == ids[2]
    # a forger who recomputes the edited row's own hash still breaks the next link
    from camnet.chain import content_of, link_hash
    from camnet.evidence.items import CUSTODY_COLUMNS, CUSTODY_OPTIONAL

    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    row = dict(conn.execute("SELECT * FROM custody_event WHERE id = ?", (ids[0],)).fetchone())
    conn.close()
    row["note"] = "forged"
    new_hash = link_hash(row["prev_hash"], content_of(row, CUSTODY_COLUMNS, CUSTODY_OPTIONAL))
    _tamper(db_path, "UPDATE custody_event SET note = 'forged', hash = ? WHERE id = ?",
            (new_hash, ids[0]))
    _, bad = await world.call("GET", f"{API}/custody/verify", "admin")
    assert bad["first_bad_id"] == ids[2]


async def test_audit_masks_secrets_and_records_writes(world: World) -> None:
    cam = (await _camera_ids(world, 1))[0]
    status, _ = await world.call("PATCH", f"{API}/cameras/{cam}", "admin",
                                 json={"rtsp_url": "rtsp://u:TopSecret99@127.0.0.1:8554/x"})
    assert status == 200
    incident = await make_incident(world)
    conn = sqlite3.connect(world.app[keys.CONFIG].database_path)
    rows = conn.execute("SELECT actor, action, entity, entity_id, before, after FROM audit_log"
                        " ORDER BY id").fetchall()
    conn.close()
    text = json.dumps(rows, ensure_ascii=False)
    assert "TopSecret99" not in text
    assert ("canbo", "create", "incident", incident["id"]) in [r[:4] for r in rows]
    assert any(r[2] == "camera" and r[0] == "admin" for r in rows)


async def test_personal_data_reads_are_audited(world: World) -> None:
    _, points = await world.call("GET", f"{API}/points?per_page=1", "canbo")
    pid = points["items"][0]["id"]
    await world.call("GET", f"{API}/points/{pid}", "canbo")
    req = await approved_request(world)
    await world.call("GET", f"{API}/requests/{req['id']}", "chihuy")
    conn = sqlite3.connect(world.app[keys.CONFIG].database_path)
    rows = conn.execute("SELECT actor, entity, after FROM audit_log WHERE action = 'read_personal'"
                        " ORDER BY id").fetchall()
    conn.close()
    assert ("canbo", "camera_point") in [r[:2] for r in rows]
    assert ("chihuy", "extraction_request") in [r[:2] for r in rows]
    assert any(str(pid) in (r[2] or "") for r in rows if r[1] == "camera_point")


async def test_lists_are_paged_not_capped(world: World) -> None:
    for n in range(205):
        await make_incident(world, case_no=f"VV-PAGE-{n:03d}")
    status, first = await world.call("GET", f"{API}/incidents?per_page=100", "canbo")
    assert status == 200
    assert first["page"] == {"page": 1, "per_page": 100, "total": 205}
    assert len(first["items"]) == 100
    _, last = await world.call("GET", f"{API}/incidents?per_page=100&page=3", "canbo")
    assert len(last["items"]) == 5
    seen = {i["case_no"] for i in first["items"]} | {i["case_no"] for i in last["items"]}
    _, middle = await world.call("GET", f"{API}/incidents?per_page=100&page=2", "canbo")
    seen |= {i["case_no"] for i in middle["items"]}
    assert seen == {f"VV-PAGE-{n:03d}" for n in range(205)}
    status, _ = await world.call("GET", f"{API}/incidents?per_page=0", "canbo")
    assert status == 422
    # the incidents page shows a pager instead of silently dropping rows
    status, html = await world.call("GET", "/incidents?page=5", "canbo")
    assert status == 200 and "5 / 5" in html and "205" in html


async def test_request_list_is_paged(world: World) -> None:
    incident = await make_incident(world)
    for _ in range(3):
        await make_request(world, incident["id"])
    _, page = await world.call("GET", f"{API}/requests?per_page=2&page=2", "canbo")
    assert page["page"] == {"page": 2, "per_page": 2, "total": 3}
    assert len(page["items"]) == 1


async def test_request_cameras_must_be_in_the_incidents_zone(world: World) -> None:
    """A commune officer may not put a hamlet-DC camera on a hamlet-ML incident: everyone who
    reads the request would see that host's name and phone."""
    _, dc = await world.call("GET", f"{API}/cameras?zone=SAMPLE-PHUMY-DC&per_page=1", "canbo")
    _, ml = await world.call("GET", f"{API}/cameras?zone=SAMPLE-PHUMY-ML&per_page=1", "canbo")
    incident = await make_incident(world, zone_code="SAMPLE-PHUMY-ML")
    status, err = await world.call("POST", f"{API}/requests", "canbo", json={
        "incident_id": incident["id"], "reason": "thử",
        "cameras": [{"camera_id": ml["items"][0]["id"]}, {"camera_id": dc["items"][0]["id"]}]})
    assert status == 422 and err["error"]["field"] == "cameras.1.camera_id", err
    _, listed = await world.call("GET", f"{API}/requests?incident_id={incident['id']}", "canbo")
    assert listed["items"] == []  # nothing stored
    assert (await make_request(world, incident["id"], cameras=[ml["items"][0]["id"]]))["id"]


async def test_delete_of_what_evidence_refers_to_is_409(world: World) -> None:
    incident = await make_incident(world)
    cams = await _camera_ids(world, 1)
    await make_request(world, incident["id"], cameras=cams)
    status, err = await world.call("DELETE", f"{API}/cameras/{cams[0]}", "admin")
    assert status == 409 and "extraction" in err["error"]["message"] and "disable" in err["error"]["message"]
    _, cam = await world.call("GET", f"{API}/cameras/{cams[0]}", "admin")
    status, _ = await world.call("DELETE", f"{API}/points/{cam['point_id']}", "admin")
    assert status == 409
    _, zones = await world.call("GET", f"{API}/zones", "admin")
    zone = next(z for z in zones["items"] if z["code"] == "SAMPLE-PHUMY")
    status, err = await world.call("DELETE", f"{API}/zones/{zone['id']}", "admin")
    assert status == 409 and "incidents" in err["error"]["message"]
    assert (await world.call("GET", f"{API}/cameras/{cams[0]}", "admin"))[0] == 200  # still there
    # disabling is the way out
    status, cam = await world.call("PATCH", f"{API}/cameras/{cams[0]}", "admin", json={"enabled": False})
    assert status == 200 and cam["enabled"] is False


async def test_access_report_per_data_subject(world: World) -> None:
    """An admin can list every read of one host's personal data (Law 91/2025 Art. 19.2)."""
    cams = await _camera_ids(world, 1)
    _, cam = await world.call("GET", f"{API}/cameras/{cams[0]}", "admin")
    point_id = cam["point_id"]
    await world.call("GET", f"{API}/points/{point_id}", "chihuy")  # a read of the host's data
    incident = await make_incident(world)
    req = await make_request(world, incident["id"], cameras=cams)
    await world.call("GET", f"{API}/requests/{req['id']}", "dieutra")  # shows the host too
    status, report = await world.call("GET", f"{API}/audit/personal-access?point_id={point_id}",
                                      "admin")
    assert status == 200, report
    assert report["requests"] == [req["id"]]
    who = {(r["actor"], r["entity"]) for r in report["reads"]}
    assert ("chihuy", "camera_point") in who and ("dieutra", "extraction_request") in who
    assert (await world.call("GET", f"{API}/audit/personal-access?point_id={point_id}",
                             "chihuy"))[0] == 403
    assert (await world.call("GET", f"{API}/audit/personal-access?point_id={point_id}",
                             "other"))[0] == 404


async def test_a_poisoned_old_row_never_takes_the_list_down(world: World) -> None:
    """A window ending 9999-12-31, stored before the boundary checked dates, must not turn the
    zone's request list and pages into 500s."""
    incident = await make_incident(world)
    good = await make_request(world, incident["id"])
    bad = await make_request(world, incident["id"])
    db = world.app[keys.DB]
    async with db.transaction() as tx:  # what an old database may hold
        await tx.execute("UPDATE request_camera SET window_to = '9999-12-31T23:59:59.000000Z'"
                         " WHERE request_id = ?", (bad["id"],))
    status, listed = await world.call("GET", f"{API}/requests", "canbo")
    assert status == 200 and good["id"] in [r["id"] for r in listed["items"]]
    assert (await world.call("GET", "/requests", "canbo"))[0] == 200
    assert (await world.call("GET", f"/incidents/{incident['id']}", "canbo"))[0] == 200


async def test_api_reports_a_bad_stored_file(world: World) -> None:
    req = await approved_request(world)
    data = b"genuine clip" * 300
    _, item = await upload(world, req["id"], data)
    status, ok = await world.call("POST", f"{API}/requests/{req['id']}/verify-files", "dieutra")
    assert status == 200 and ok["bad"] == 0 and ok["items"][0]["state"] == "ok"
    path = world.app[keys.BLOBS].path_for(item["sha256"])
    path.chmod(0o600)
    path.write_bytes(b"swapped " + data)
    _, bad = await world.call("POST", f"{API}/requests/{req['id']}/verify-files", "dieutra")
    assert bad["bad"] == 1 and bad["items"][0]["state"] == "bad"
    assert (await world.call("POST", f"{API}/requests/{req['id']}/verify-files", "other"))[0] == 404


async def test_anchors_are_listed_for_the_audit_viewer(world: World) -> None:
    from camnet.evidence.anchors import anchor_now

    await anchor_now(world.app[keys.CONFIG])
    status, listed = await world.call("GET", f"{API}/anchors", "chihuy")
    assert status == 200, listed
    assert {a["chain"] for a in listed["items"]} == {"custody", "audit"}
    assert len(listed["public_key"]) == 64 and listed["problems"] == []
    assert all(a["sig"] for a in listed["items"])
    assert (await world.call("GET", f"{API}/anchors", "canbo"))[0] == 403
