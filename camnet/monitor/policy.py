"""Where the monitor may connect: an address policy so camnet is no internal port scanner.

``monitor.deny_networks`` lists CIDR blocks (e.g. link-local, the server's own subnet) where
cameras cannot be; a camera whose URL names an address in one of them is not probed, and
says so. Host names are resolved by the probe itself and are not checked here.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(blocks: Sequence[str]) -> list[Network]:
    """Parse CIDR blocks (``169.254.0.0/16``, ``fe80::/10``); raises ``ValueError`` on a typo."""
    return [ipaddress.ip_network(block, strict=False) for block in blocks]


def denied_network(url: str, networks: Sequence[Network]) -> Network | None:
    """The deny-listed network the URL's literal IP address lies in, else ``None``."""
    if not networks:
        return None
    try:
        host = urlsplit(url).hostname or ""
        address = ipaddress.ip_address(host)
    except ValueError:
        return None  # a host name (or no host): resolved by the probe, not checked here
    for network in networks:
        if address.version == network.version and address in network:
            return network
    return None
