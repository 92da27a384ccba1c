"""The camera simulator itself: ready line, modes, Digest auth, black holes, offline window."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import pytest

from camnet.monitor import frames
from camnet.testing.camsim import CameraSpec, Simulator, SimulatorError, simulator_script, system_python

MODES = ("normal", "black", "frozen", "blurred", "covered")
StartSimulator = Callable[..., Awaitable[Simulator]]


async def rtsp_request(url: str, method: str = "OPTIONS") -> str:
    """Send one RTSP request, return the response head."""
    parts = urlsplit(url)
    async with asyncio.timeout(5.0):
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            extra = "Accept: application/sdp\r\n" if method == "DESCRIBE" else ""
            writer.write(f"{method} {url} RTSP/1.0\r\nCSeq: 1\r\n{extra}\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
        finally:
            writer.close()
            await writer.wait_closed()
    return head.decode()


def process_exists(pid: int) -> bool:
    return os.path.exists(f"/proc/{pid}")


def connect_refused(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=2):
            return False
    except ConnectionRefusedError:
        return True


def test_script_and_interpreter_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    assert simulator_script().name == "camsim_server.py"
    assert simulator_script().is_file()
    assert system_python() == "/usr/bin/python3"
    monkeypatch.setenv("CAMNET_GST_PYTHON", "/opt/python")
    monkeypatch.setenv("CAMNET_CAMSIM", "/tmp/x.py")
    assert system_python() == "/opt/python"
    assert str(simulator_script()) == "/tmp/x.py"


def test_ready_line_names_every_camera(camsim: Simulator) -> None:
    assert set(camsim.urls) == {*MODES, "secure"}
    for name, url in camsim.urls.items():
        parts = urlsplit(url)
        assert parts.scheme == "rtsp"
        assert parts.hostname == "127.0.0.1"
        assert parts.path == f"/{name}"
        assert "@" not in url
    assert camsim.url("normal").startswith(f"rtsp://127.0.0.1:{camsim.port}/")
    assert len(camsim.blackhole_urls) == 1
    with pytest.raises(KeyError, match="nope"):
        camsim.url("nope")


async def test_options_and_describe(camsim: Simulator) -> None:
    head = await rtsp_request(camsim.url("normal"))
    assert head.startswith("RTSP/1.0 200")
    assert "DESCRIBE" in head
    head = await rtsp_request(camsim.url("normal"), "DESCRIBE")
    assert head.startswith("RTSP/1.0 200")
    assert "application/sdp" in head.lower()
    head = await rtsp_request(camsim.url("normal") + "-missing", "DESCRIBE")
    assert head.startswith("RTSP/1.0 404")


async def test_secure_camera_demands_digest(camsim: Simulator) -> None:
    head = await rtsp_request(camsim.url("secure"), "DESCRIBE")
    assert head.startswith("RTSP/1.0 401")
    assert 'www-authenticate: digest' in head.lower()
    assert "basic" not in head.lower()


async def test_blackhole_accepts_and_never_answers(camsim: Simulator) -> None:
    parts = urlsplit(camsim.blackhole_urls[0])
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(b"OPTIONS rtsp://127.0.0.1/ RTSP/1.0\r\nCSeq: 1\r\n\r\n")
        await writer.drain()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(1.0):
                await reader.read(1)
    finally:
        writer.close()
        await writer.wait_closed()


async def test_stop_leaves_no_process(start_camsim: StartSimulator) -> None:
    sim = await start_camsim([CameraSpec("one")], blackholes=1)
    pid = sim.pid
    assert pid is not None
    assert process_exists(pid)
    await sim.stop()
    assert not process_exists(pid)
    assert sim.pid is None
    await sim.stop()  # idempotent


def test_sync_start_and_context_manager() -> None:
    with Simulator([CameraSpec("s1", mode="black")], blackholes=2) as sim:
        pid = sim.pid
        assert len(sim.blackhole_urls) == 2
        assert not connect_refused(sim.url("s1"))
    assert pid is not None
    assert not process_exists(pid)


async def test_start_failure_reports_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMNET_GST_PYTHON", sys.executable)  # the venv has no gi
    with pytest.raises(SimulatorError, match="gi"):
        await Simulator([CameraSpec("x")]).start()


def test_camera_spec_validation() -> None:
    with pytest.raises(ValueError, match="mode"):
        CameraSpec("x", mode="sepia")
    with pytest.raises(ValueError, match="password"):
        CameraSpec("x", username="admin")
    with pytest.raises(ValueError, match="offline"):
        CameraSpec("x", offline_after_s=3)
    with pytest.raises(ValueError, match="unique"):
        Simulator([CameraSpec("x"), CameraSpec("x")])


@pytest.mark.slow
def test_offline_window_refuses_then_serves_again() -> None:
    """offline_after_s=2, offline_for_s=3: up, refused during [2 s, 5 s), up again after."""
    specs = [CameraSpec("steady"), CameraSpec("flaky", offline_after_s=2, offline_for_s=3)]
    with Simulator(specs) as sim:
        started = time.monotonic()
        flaky = sim.url("flaky")
        assert urlsplit(flaky).port != sim.port  # its own listener
        assert frames.grab(flaky, open_timeout_s=3, read_timeout_s=3).ok
        time.sleep(max(0.0, 2.7 - (time.monotonic() - started)))
        assert connect_refused(flaky)
        off = frames.grab(flaky, open_timeout_s=2, read_timeout_s=2)
        assert not off.ok
        assert off.error == frames.OPEN_FAILED
        assert not connect_refused(sim.url("steady"))  # the others keep serving
        time.sleep(max(0.0, 5.8 - (time.monotonic() - started)))
        assert not connect_refused(flaky)
        back = frames.grab(flaky, open_timeout_s=3, read_timeout_s=3)
        assert back.ok, back


def test_secure_grab_with_the_password(camsim: Simulator, secure_credentials: tuple[str, str]) -> None:
    good = camsim.url_with_credentials("secure", *secure_credentials)
    assert frames.grab(good, open_timeout_s=5, read_timeout_s=5).ok
