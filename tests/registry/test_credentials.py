"""Camera passwords are encrypted at rest and never returned, logged or exported."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from camnet.auth.principal import cli_principal
from camnet.registry import formats, importer
from camnet.secretstore import mask_text, mask_url, split_credentials, with_credentials
from camnet.web import keys
from tests.conftest import World

PASSWORD = "Pw-Secret!#42"


@pytest.mark.parametrize("style", ["fields", "url"])
async def test_password_never_leaves(world: World, caplog: pytest.LogCaptureFixture,
                                     style: str) -> None:
    caplog.set_level(logging.DEBUG)
    _, points = await world.call("GET", "/api/v1/points?per_page=1", "admin")
    point_id = points["items"][0]["id"]
    body = {"point_id": point_id, "name": "Bí mật", "rtsp_url": "rtsp://192.0.2.7:554/live"}
    if style == "fields":
        body.update(username="admin", password=PASSWORD)
    else:
        body["rtsp_url"] = with_credentials(body["rtsp_url"], "admin", PASSWORD)
    responses = []
    status, cam = await world.call("POST", "/api/v1/cameras", "admin", json=body)
    assert status == 201
    responses.append(cam)
    assert cam["has_password"] is True and cam["username"] == "admin"
    assert cam["rtsp_url"] == "rtsp://admin:***@192.0.2.7:554/live"
    responses.append((await world.call("GET", f"/api/v1/cameras/{cam['id']}", "admin"))[1])
    responses.append((await world.call("GET", "/api/v1/cameras?per_page=1000", "admin"))[1])
    responses.append((await world.call("PATCH", f"/api/v1/cameras/{cam['id']}", "admin",
                                       json={"vendor": "Dahua"}))[1])
    for response in responses:
        assert PASSWORD not in str(response)
    db = world.app[keys.DB]
    rows = importer.export_rows
    exported = await rows(db, cli_principal())
    assert PASSWORD not in formats.to_csv(exported)
    assert PASSWORD not in str(formats.to_geojson(exported))
    assert PASSWORD not in caplog.text
    # at rest: only the Fernet token is stored
    raw = sqlite3.connect(db.path).execute("SELECT rtsp_url, secret_enc FROM camera WHERE id = ?",
                                           (cam["id"],)).fetchone()
    assert PASSWORD not in raw[0] and PASSWORD not in raw[1]
    assert world.app[keys.CIPHER].decrypt(raw[1]) == PASSWORD


async def test_password_can_be_cleared(world: World) -> None:
    _, points = await world.call("GET", "/api/v1/points?per_page=1", "admin")
    status, cam = await world.call("POST", "/api/v1/cameras", "admin", json={
        "point_id": points["items"][0]["id"], "name": "c", "rtsp_url": "rtsp://192.0.2.7/x",
        "username": "u", "password": "p1"})
    status, cam = await world.call("PATCH", f"/api/v1/cameras/{cam['id']}", "admin",
                                   json={"password": ""})
    assert status == 200 and cam["has_password"] is False


def test_masking_helpers() -> None:
    url = "rtsp://user:p%40ss@10.0.0.1:554/s"
    assert split_credentials(url) == ("rtsp://10.0.0.1:554/s", "user", "p@ss")
    assert mask_url(url) == "rtsp://user:***@10.0.0.1:554/s"
    assert mask_text(f"failed {url} twice") == "failed rtsp://user:***@10.0.0.1:554/s twice"
    assert with_credentials("rtsp://h/x", "a b", "p@ss:") == "rtsp://a%20b:p%40ss%3A@h/x"


async def test_log_filter_masks_urls(caplog: pytest.LogCaptureFixture) -> None:
    from camnet.logsetup import MaskCredentials

    record = logging.LogRecord("x", logging.INFO, "f", 1, "open %s", ("rtsp://a:hunter2@h/",), None)
    MaskCredentials().filter(record)
    assert "hunter2" not in record.getMessage()


@pytest.mark.parametrize("url", [
    "rtsp://192.0.2.7:554/cam/realmonitor?channel=1&subtype=0&user=admin&password=Pl4nted-Canary",
    "rtsp://192.0.2.7:554/user=admin_password=Pl4nted-Canary_channel=1_stream=0.sdp",
])
async def test_credentials_in_the_url_path_or_query_are_stored_encrypted(world: World, url: str) -> None:
    from camnet.registry.cameras import stream_targets

    _, points = await world.call("GET", "/api/v1/points?per_page=1", "admin")
    status, cam = await world.call("POST", "/api/v1/cameras", "admin", json={
        "point_id": points["items"][0]["id"], "name": "XMEye", "rtsp_url": url})
    assert status == 201, cam
    assert "Pl4nted-Canary" not in str(cam) and cam["has_password"] is True
    db = world.app[keys.DB]
    row = await db.fetchone("SELECT rtsp_url, username, secret_enc FROM camera WHERE id = ?", (cam["id"],))
    assert "Pl4nted-Canary" not in row["rtsp_url"] and "{password}" in row["rtsp_url"]
    assert row["username"] == "admin" and "Pl4nted" not in row["secret_enc"]
    audit = str(await db.fetchall("SELECT * FROM audit_log"))
    assert "Pl4nted-Canary" not in audit
    # the camera gets them back at probe time, and only then
    [target] = await stream_targets(db, world.app[keys.CIPHER], camera_ids=[cam["id"]])
    assert target.url == url and target.password == "Pl4nted-Canary"


def test_password_parameters_are_masked_in_text() -> None:
    from camnet.secretstore import mask_text

    line = "probe rtsp://10.0.0.1/x?user=admin&password=hunter2&channel=1 failed"
    assert "hunter2" not in mask_text(line) and "channel=1" in mask_text(line)
