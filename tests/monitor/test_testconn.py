"""The "test connection" button's domain function against the camera simulator."""

from __future__ import annotations

from camnet.auth.principal import cli_principal
from camnet.config import load_config
from camnet.monitor.testconn import check_connection
from camnet.registry import cameras
from camnet.registry.models import CameraIn
from camnet.testing.camsim import CameraSpec
from camnet.web import keys
from tests.conftest import StartSimulator, World


async def _camera(world: World, url: str, name: str, password: str | None) -> int:
    db, root = world.app[keys.DB], cli_principal()
    found, _ = await cameras.list_cameras(db, root, per_page=1)
    cam = await cameras.create_camera(db, root, world.app[keys.CIPHER], CameraIn(
        point_id=found[0].point_id, name=name, rtsp_url=url,
        username="admin" if password else None, password=password))
    return cam.id


async def test_probe_and_frame_with_stored_credentials(world: World,
                                                       start_camsim: StartSimulator) -> None:
    password = "Mật-khẩu-riêng-1"
    # its own simulator: the session one's viewing slots may be held by other tests
    camsim = await start_camsim([CameraSpec("secure", username="admin", password=password)])
    # generous limits: a loaded 2-core machine must not turn a slow answer into a failure
    config = load_config(None, {"monitor": {"timeout_s": 30, "tier2_open_timeout_s": 30,
                                            "tier2_read_timeout_s": 30}}).monitor
    db, cipher, root = world.app[keys.DB], world.app[keys.CIPHER], cli_principal()
    good = await _camera(world, camsim.url("secure"), "secure-ok", password)
    found = await check_connection(db, cipher, root, good, config, grab=True)
    assert found.result == "up" and found.frame_ok is True
    assert found.width and found.height and found.first_frame_ms is not None
    wrong = await _camera(world, camsim.url("secure"), "secure-wrong", "not-the-password")
    found = await check_connection(db, cipher, root, wrong, config, grab=True)
    assert found.result == "auth_failed" and found.frame_ok is None  # no grab after a failure
    # nothing was recorded: the monitor's status stays its own
    assert (await cameras.get_camera(db, root, good)).status == "unknown"


async def test_deny_listed_address_is_not_probed(world: World) -> None:
    config = load_config(None, {"monitor": {"deny_networks": ["127.0.0.0/8"]}}).monitor
    cam = await _camera(world, "rtsp://127.0.0.1:9/x", "blocked", None)
    found = await check_connection(world.app[keys.DB], world.app[keys.CIPHER], cli_principal(),
                                   cam, config)
    assert found.result == "blocked" and found.latency_ms is None
