"""Shared fixtures: a real SQLite file in a temp dir, the real app, the aiohttp test client,
and the real camera simulator (GStreamer RTSP server) for every test package."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from aiosmtpd.controller import Controller
from argon2 import PasswordHasher

from camnet.accounts import users
from camnet.app import create_app
from camnet.auth.principal import cli_principal
from camnet.config import Config, load_config
from camnet.registry.models import ZoneIn
from camnet.registry.zones import create_zone
from camnet.sample import load_sample
from camnet.testing.camsim import CameraSpec, Simulator
from camnet.web import keys

AiohttpClient = Callable[[web.Application], Awaitable[TestClient]]


async def eventually(check: Callable[[], bool], limit_s: float = 10.0, step_s: float = 0.02) -> bool:
    """Poll ``check`` until it is true or ``limit_s`` passes (generous: CI machines are busy)."""
    deadline = time.monotonic() + limit_s
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step_s)
    return True


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2 with the lowest cost in tests: still real argon2, but ~1 ms instead of ~50 ms.

    Production parameters stay the library's defaults (see camnet.accounts.users).
    """
    saved = users._hasher, users._DUMMY_HASH
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    users._DUMMY_HASH = None
    yield
    users._hasher, users._DUMMY_HASH = saved


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """Defaults with the data dir in a temp dir and the monitor off."""
    return load_config(None, {"storage": {"data_dir": str(tmp_path / "data")},
                              "monitor": {"enabled": False}})


@pytest.fixture
async def sample_server(config: Config) -> AsyncIterator[TestServer]:
    """The real app with the sample data on a real port of 127.0.0.1 (for browser tests)."""
    app = create_app(config)
    srv = TestServer(app, host="127.0.0.1")
    await srv.start_server()
    await load_sample(app[keys.DB], app[keys.CIPHER])
    yield srv
    await srv.close()


@pytest.fixture
async def client(aiohttp_client: AiohttpClient, config: Config) -> TestClient:
    """A test client on a fresh app with an empty (migrated) database."""
    return await aiohttp_client(create_app(config))


@dataclass
class World:
    """The sample commune, a second commune, and one API token per role."""

    client: TestClient
    tokens: dict[str, str]

    @property
    def app(self) -> web.Application:
        return self.client.app  # type: ignore[return-value]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    async def call(self, method: str, path: str, who: str | None, **kw: Any) -> tuple[int, Any]:
        headers = self.auth(who) if who else {}
        resp = await self.client.request(method, path, headers=headers, **kw)
        if resp.content_type == "application/json":
            body = await resp.json()
        elif resp.content_type.startswith("text/"):
            body = await resp.text()
        else:
            body = await resp.read()
        return resp.status, body


@pytest.fixture
async def world(client: TestClient) -> World:
    """Sample data + zone OTHER-COMMUNE with its own officer; tokens for every sample user."""
    app = client.app
    db, cipher = app[keys.DB], app[keys.CIPHER]
    await load_sample(db, cipher)
    root = cli_principal()
    await create_zone(db, root, ZoneIn(parent_code="SAMPLE-PV", level="commune",
                                       code="OTHER-COMMUNE", name="Another commune"))
    await users.add_user(db, root, username="other", password="other-pass-1", role="admin",
                         zone_code="OTHER-COMMUNE")
    tokens = {}
    for name in ("admin", "chihuy", "canbo", "dieutra", "xem", "other"):
        tokens[name] = await users.create_token(db, root, name, "tests")
    return World(client, tokens)


# --- the camera simulator -------------------------------------------------------------

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


class Inbox:
    """Collects every message the local aiosmtpd server accepts (the SMTP stand-in)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1: its inbox and port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def log_in(page: Any, base: str, username: str, password: str = "camnet-demo") -> None:  # noqa: S107 - sample login
    """Log in through the login form in a Playwright page; wait for the role home it lands on."""
    root = base.rstrip("/") + "/"
    await page.goto(root + "login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(root + "home")


# --- the command line ------------------------------------------------------------------

CamnetCli = Callable[..., str]


@pytest.fixture
def camnet_cli(tmp_path: Path) -> CamnetCli:
    """Run ``camnet ARGS…`` on a config of its own (data in a temp dir, monitor off).

    ``camnet_cli("zone", "list")`` returns the output and asserts exit code 0; pass
    ``code=1`` for a command that must fail and ``input=`` for what it reads from stdin.
    """
    from click.testing import CliRunner

    from camnet.cli import main

    config = tmp_path / "camnet-cli.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "cli-data"}"\n'
                      "[monitor]\nenabled = false\n")
    runner = CliRunner()

    def run(*args: str, code: int = 0, input: str | None = None) -> str:  # noqa: A002
        result = runner.invoke(main, ["--config", str(config), *args], input=input)
        assert result.exit_code == code, (result.output, result.exception)
        return result.output

    return run
