"""Fixtures for monitor tests: the real camera simulator (GStreamer RTSP server)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest

from camnet.testing.camsim import CameraSpec, Simulator

SECURE_USER = "admin"
SECURE_PASSWORD = "S3cret-pass!"
MODES = ("normal", "black", "frozen", "blurred", "covered")

StartSimulator = Callable[..., Awaitable[Simulator]]


@pytest.fixture(scope="session")
def camsim() -> Iterator[Simulator]:
    """One simulator for the session: a camera per mode (named after it), ``secure`` with
    Digest auth (admin / S3cret-pass!), and one black hole."""
    cameras = [CameraSpec(mode, mode=mode) for mode in MODES]
    cameras.append(CameraSpec("secure", username=SECURE_USER, password=SECURE_PASSWORD))
    sim = Simulator(cameras, blackholes=1)
    sim.start_sync()
    try:
        yield sim
    finally:
        sim.stop_sync()


@pytest.fixture
def secure_credentials() -> tuple[str, str]:
    """User and password of the ``secure`` camera."""
    return SECURE_USER, SECURE_PASSWORD


@pytest.fixture
async def start_camsim() -> AsyncIterator[StartSimulator]:
    """Start a custom simulator: ``await start_camsim([CameraSpec(...)], blackholes=0)``.

    Every simulator started this way is stopped when the test ends.
    """
    started: list[Simulator] = []

    async def start(cameras: list[CameraSpec], blackholes: int = 0) -> Simulator:
        sim = Simulator(cameras, blackholes=blackholes)
        started.append(sim)
        return await sim.start()

    yield start
    for sim in started:
        await sim.stop()
