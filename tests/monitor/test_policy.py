"""The monitor's address policy (monitor.deny_networks)."""

from __future__ import annotations

import pytest

from camnet.monitor.policy import denied_network, parse_networks

NETS = parse_networks(["169.254.0.0/16", "fe80::/10", "10.9.0.0/24"])


@pytest.mark.parametrize(("url", "blocked"), [
    ("rtsp://169.254.1.20:554/x", "169.254.0.0/16"),
    ("rtsp://user:pw@10.9.0.7/s", "10.9.0.0/24"),
    ("rtsp://[fe80::1]:554/s", "fe80::/10"),
    ("rtsp://10.9.1.7/s", None),
    ("rtsp://192.0.2.10/s", None),
    ("rtsp://camera.local/s", None),  # names are the probe's to resolve
])
def test_denied_networks(url: str, blocked: str | None) -> None:
    found = denied_network(url, NETS)
    assert (str(found) if found else None) == blocked


def test_no_policy_allows_everything() -> None:
    assert denied_network("rtsp://169.254.1.1/x", []) is None


def test_a_typo_is_refused() -> None:
    with pytest.raises(ValueError, match="does not appear"):
        parse_networks(["169.254.0.0/33x"])


async def test_a_camera_in_a_denied_network_is_never_contacted(
    tmp_path: object, aiohttp_client: object
) -> None:
    from camnet.app import create_app
    from camnet.auth.principal import cli_principal
    from camnet.config import load_config
    from camnet.sample import load_sample
    from camnet.testing.rtsp_responder import Endpoint, RtspResponder
    from camnet.web import keys

    config = load_config(None, {"storage": {"data_dir": str(tmp_path)},
                                "monitor": {"enabled": False, "deny_networks": ["127.0.0.0/8"]}})
    client = await aiohttp_client(create_app(config))  # type: ignore[operator]
    app = client.app
    await load_sample(app[keys.DB], app[keys.CIPHER])
    async with RtspResponder({"cam": Endpoint()}) as responder:
        from camnet.registry.cameras import list_cameras, update_camera
        from camnet.registry.models import CameraPatch

        cams, _ = await list_cameras(app[keys.DB], cli_principal(), per_page=1)
        await update_camera(app[keys.DB], cli_principal(), app[keys.CIPHER], cams[0].id,
                            CameraPatch(rtsp_url=responder.url("cam")))
        report = await app[keys.MONITOR].run_cycle(camera_ids=[cams[0].id], spread_s=0, tier2=False)
        assert [o.result.status for o in report.outcomes] == ["blocked"]
        assert responder.received == []  # not one byte went to it
