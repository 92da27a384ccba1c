"""``camnet demo``: the sample Phú Mỹ fleet on a local camera simulator, monitored live.

28 simulated cameras at 24 points on 127.0.0.1: most show a normal moving picture; one is
black, one frozen, one blurred, one covered, one protected by a password camnet does not
know, one is a black hole that accepts connections and never answers, and one goes offline
two minutes after start and returns three minutes later.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from camnet.auth.principal import cli_principal
from camnet.db import Database
from camnet.demo_case import seed_sample_case
from camnet.hosts import public_store
from camnet.registry.cameras import sample_camera_ids, set_streams
from camnet.sample import SAMPLE_PREFIX
from camnet.secretstore import CredentialCipher
from camnet.testing.camsim import CameraSpec, Simulator
from camnet.web import keys

log = logging.getLogger(__name__)

DEMO_OVERRIDES = {
    "storage": {"database": "demo.sqlite3"},
    "monitor": {"interval_s": 10, "timeout_s": 3, "down_after": 2, "up_after": 2,
                "tier2_every": 3, "spread": 0.3},
}
SIM_PASSWORD = "sim-Secret-42"  # noqa: S105 - what the simulated camera wants
STORED_WRONG_PASSWORD = "not-the-password"  # noqa: S105 - what the registry has for it


@dataclass(frozen=True)
class DemoCamera:
    """How one sample camera is simulated."""

    number: int  # 1..28, the sample's camera order
    mode: str = "normal"
    wrong_password: bool = False
    blackhole: bool = False
    offline_after_s: float | None = None
    offline_for_s: float | None = None
    transport: str = "any"  # "udp": refuses RTP over TCP (461), like VLC or a small NVR


SPECIAL = {
    3: DemoCamera(3, "black"),
    6: DemoCamera(6, "frozen"),
    9: DemoCamera(9, "blurred"),
    12: DemoCamera(12, "covered"),
    15: DemoCamera(15, wrong_password=True),
    18: DemoCamera(18, blackhole=True),
    21: DemoCamera(21, offline_after_s=120, offline_for_s=180),
    24: DemoCamera(24, transport="udp"),
}


def demo_plan(count: int = 28) -> list[DemoCamera]:
    """Return the simulation plan for cameras 1..count."""
    return [SPECIAL.get(n, DemoCamera(n)) for n in range(1, count + 1)]


def simulator_for(plan: list[DemoCamera]) -> Simulator:
    """Build the simulator serving the plan (the black hole is a separate port)."""
    specs = [
        CameraSpec(
            name=f"phumy-{c.number:02d}", mode=c.mode,
            username="admin" if c.wrong_password else None,
            password=SIM_PASSWORD if c.wrong_password else None,
            offline_after_s=c.offline_after_s, offline_for_s=c.offline_for_s,
            transport=c.transport,
        )
        for c in plan if not c.blackhole
    ]
    return Simulator(specs, blackholes=sum(1 for c in plan if c.blackhole))


async def point_registry_at(db: Database, cipher: CredentialCipher, sim: Simulator,
                            plan: list[DemoCamera]) -> None:
    """Rewrite the sample cameras' URLs to the running simulator's addresses."""
    ids = await sample_camera_ids(db, SAMPLE_PREFIX)
    holes = iter(sim.blackhole_urls)
    streams: dict[int, tuple[str, str, str | None]] = {}
    for camera_id, cam in zip(ids, plan, strict=False):
        url = next(holes) if cam.blackhole else sim.url(f"phumy-{cam.number:02d}")
        if cam.wrong_password:
            streams[camera_id] = (url, "admin", STORED_WRONG_PASSWORD)
        else:
            streams[camera_id] = (url, "", None)
    await set_streams(db, cipher, streams)

DEMO_COMMUNE = f"{SAMPLE_PREFIX}PHUMY"  # the sample commune, published on the demo


def simulator_ctx(plan: list[DemoCamera]):  # type: ignore[no-untyped-def]
    """cleanup_ctx factory: start the simulator before the monitor, stop it on exit."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        sim = simulator_for(plan)
        await sim.start()
        try:
            await point_registry_at(app[keys.DB], app[keys.CIPHER], sim, plan)
            # residents' view of the sample commune: /trang-thai/SAMPLE-PHUMY
            await public_store.set_enabled(app[keys.DB], cli_principal("demo"),
                                           DEMO_COMMUNE, True)
            # a case under way: canbo's submitted request waits for chihuy's approval
            await seed_sample_case(app[keys.DB], app[keys.CONFIG])
            log.info("demo: simulator serving %d cameras on 127.0.0.1", len(plan))
            yield
        finally:
            await sim.stop()

    return ctx
