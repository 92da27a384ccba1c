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
