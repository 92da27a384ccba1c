"""Start and stop the camera simulator (``camnet/testing/camsim_server.py``) from Python.

The simulator is a GStreamer RTSP server that runs under the *system* Python (it needs
PyGObject and gst-rtsp-server, which the virtualenv does not have). Tests, ``camnet demo``
and the benchmarks use :class:`Simulator`::

    async with Simulator([CameraSpec("cam01"), CameraSpec("cam02", mode="black")]) as sim:
        url = sim.url("cam01")  # rtsp://127.0.0.1:PORT/cam01

Environment overrides: ``CAMNET_CAMSIM`` (path of the simulator script) and
``CAMNET_GST_PYTHON`` (the interpreter that has ``gi``; default ``/usr/bin/python3``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import tempfile
import time
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from camnet.vocab import SimMode

Mode = SimMode
MODES: tuple[str, ...] = tuple(m.value for m in SimMode)
DEFAULT_START_TIMEOUT_S = 20.0
STOP_GRACE_S = 5.0


class SimulatorError(RuntimeError):
    """The simulator could not be started (the message carries the tail of its stderr)."""


@dataclass(frozen=True)
class CameraSpec:
    """One simulated camera.

    Attributes:
        name: mount name, the URL path (``rtsp://host:port/<name>``).
        mode: ``normal``, ``black``, ``frozen``, ``blurred`` or ``covered``.
        username: with ``password``, the camera demands RTSP Digest auth.
        password: the Digest password.
        offline_after_s: the camera stops listening this many seconds after start ...
        offline_for_s: ... and listens again this many seconds later.
        transport: ``any``, or ``udp`` for a camera that refuses RTP over TCP (SETUP with
            ``RTP/AVP/TCP`` gets ``461 Unsupported Transport``).
        gop_s: keyframe interval in seconds (``None``: one keyframe a second); a long GOP
            (10-25 s) makes a client joining the running stream wait for its first picture.
    """

    name: str
    mode: str = "normal"
    username: str | None = None
    password: str | None = None
    offline_after_s: float | None = None
    offline_for_s: float | None = None
    transport: str = "any"
    gop_s: float | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"CameraSpec {self.name!r}: mode must be one of {MODES}, not {self.mode!r}")
        if bool(self.username) != bool(self.password):
            raise ValueError(f"CameraSpec {self.name!r}: give both username and password, or neither")
        if (self.offline_after_s is None) != (self.offline_for_s is None):
            raise ValueError(f"CameraSpec {self.name!r}: give both offline_after_s and offline_for_s")
        if self.transport not in ("any", "udp"):
            raise ValueError(f"CameraSpec {self.name!r}: transport must be 'any' or 'udp'")
        if self.gop_s is not None and not 0 < self.gop_s <= 120:
            raise ValueError(f"CameraSpec {self.name!r}: gop_s must be in (0, 120]")


def simulator_script() -> Path:
    """Return the path of the GStreamer simulator script (env ``CAMNET_CAMSIM`` overrides)."""
    override = os.environ.get("CAMNET_CAMSIM")
    if override:
        return Path(override)
    return Path(__file__).resolve().with_name("camsim_server.py")


def system_python() -> str:
    """Return the interpreter that has GStreamer's ``gi`` (env ``CAMNET_GST_PYTHON`` overrides)."""
    return os.environ.get("CAMNET_GST_PYTHON") or "/usr/bin/python3"


class Simulator:
    """A running ``camsim`` process serving the given cameras and black holes on ``host``."""

    def __init__(self, cameras: list[CameraSpec] | tuple[CameraSpec, ...], blackholes: int = 0,
                 host: str = "127.0.0.1", *, start_timeout_s: float = DEFAULT_START_TIMEOUT_S) -> None:
        names = [c.name for c in cameras]
        if len(set(names)) != len(names):
            raise ValueError("Simulator: camera names must be unique")
        self.cameras = tuple(cameras)
        self.blackholes = blackholes
        self.host = host
        self.start_timeout_s = start_timeout_s
        self.port: int | None = None
        self._urls: dict[str, str] = {}
        self._holes: list[str] = []
        self._proc: asyncio.subprocess.Process | None = None
        self._popen: subprocess.Popen[bytes] | None = None
        self._stderr_task: asyncio.Task[None] | None = None
        self._stderr_tail: deque[str] = deque(maxlen=40)
        # scheduled offline/online switches as the simulator logged them (asyncio start only):
        # {"event": "offline" | "online", "camera": name, "at": unix time}
        self.events: list[dict[str, Any]] = []
        self._events_task: asyncio.Task[None] | None = None
        self._stderr_file: IO[bytes] | None = None

    # -- configuration -------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        """Return the JSON document handed to the simulator script."""
        return {
            "host": self.host,
            "port": 0,
            "cameras": [{**asdict(c), "port": None} for c in self.cameras],
            "blackholes": [{"port": 0} for _ in range(self.blackholes)],
        }

    def _command(self) -> list[str]:
        script = simulator_script()
        if not script.is_file():
            raise SimulatorError(f"simulator script not found: {script} (set CAMNET_CAMSIM)")
        return [system_python(), "-u", str(script), "-"]

    # -- results ---------------------------------------------------------------------------

    def url(self, name: str) -> str:
        """Return the RTSP URL of camera ``name`` (without credentials)."""
        try:
            return self._urls[name]
        except KeyError:
            raise KeyError(f"no simulated camera {name!r} (started? names: {sorted(self._urls)})") from None

    def url_with_credentials(self, name: str, username: str, password: str) -> str:
        """Return the URL of camera ``name`` with ``username:password@`` in it."""
        from camnet.secretstore import with_credentials

        return with_credentials(self.url(name), username, password)

    @property
    def urls(self) -> dict[str, str]:
        """Every camera's URL by name."""
        return dict(self._urls)

    @property
    def blackhole_urls(self) -> list[str]:
        """URLs of ports that accept TCP connections and never answer."""
        return list(self._holes)

    @property
    def pid(self) -> int | None:
        """Process id of the running simulator, if any."""
        if self._proc is not None:
            return self._proc.pid
        if self._popen is not None:
            return self._popen.pid
        return None

    def _take_ready(self, line: bytes) -> None:
        try:
            ready = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SimulatorError(f"simulator said {line[:200]!r}, not a JSON ready line") from exc
        if not isinstance(ready, dict) or not ready.get("ready"):
            raise SimulatorError(f"simulator said {line[:200]!r}, not a ready line")
        self.port = int(ready["port"])
        self._urls = {str(k): str(v) for k, v in ready["cameras"].items()}
        self._holes = [str(u) for u in ready["blackholes"]]

    def _failure(self, what: str) -> SimulatorError:
        tail = "\n".join(self._stderr_tail).strip() or "(no stderr)"
        return SimulatorError(f"camera simulator {what}; stderr tail:\n{tail}")

    # -- asyncio ---------------------------------------------------------------------------

    async def start(self) -> Simulator:
        """Start the simulator and wait until every camera listens.

        Raises:
            SimulatorError: it exited, said something unexpected, or was not ready in time.
        """
        if self._proc is not None or self._popen is not None:
            raise SimulatorError("simulator already started")
        payload = json.dumps(self.config()).encode()
        self._proc = await asyncio.create_subprocess_exec(
            *self._command(), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, start_new_session=True,
        )
        if self._proc.stdin is None or self._proc.stdout is None or self._proc.stderr is None:
            raise SimulatorError("simulator pipes missing")
        self._stderr_task = asyncio.create_task(self._drain_stderr(self._proc.stderr))
        try:
            self._proc.stdin.write(payload)
            await self._proc.stdin.drain()
            self._proc.stdin.close()
            async with asyncio.timeout(self.start_timeout_s):
                line = await self._proc.stdout.readline()
            if not line:
                await asyncio.wait_for(self._proc.wait(), 2)
                await asyncio.sleep(0)  # let the stderr reader catch up
                raise self._failure(f"exited with code {self._proc.returncode} before it was ready")
            self._take_ready(line)
            self._events_task = asyncio.create_task(self._read_events(self._proc.stdout))
        except TimeoutError:
            await self.stop()
            raise self._failure(f"not ready within {self.start_timeout_s:g} s") from None
        except BaseException:
            await self.stop()
            raise
        return self

    async def _read_events(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                if isinstance(event, dict) and "event" in event:
                    self.events.append(event)

    async def _drain_stderr(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            self._stderr_tail.append(line.decode(errors="replace").rstrip())

    async def stop(self) -> None:
        """Terminate the simulator (SIGTERM, then SIGKILL after a grace period) and reap it."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.terminate()
                try:
                    await asyncio.wait_for(proc.wait(), STOP_GRACE_S)
                except TimeoutError:
                    with contextlib.suppress(ProcessLookupError):
                        proc.kill()
                    await proc.wait()
        events, self._events_task = self._events_task, None
        if events is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(events, 2)
        task, self._stderr_task = self._stderr_task, None
        if task is not None:
            try:
                await asyncio.wait_for(task, 2)
            except TimeoutError:
                task.cancel()
        self.stop_sync()

    async def __aenter__(self) -> Simulator:
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    # -- blocking (CLI, sync pytest fixtures) ----------------------------------------------

    def start_sync(self) -> Simulator:
        """Blocking :meth:`start`, for code without an event loop."""
        if self._proc is not None or self._popen is not None:
            raise SimulatorError("simulator already started")
        payload = json.dumps(self.config()).encode()
        self._stderr_file = tempfile.TemporaryFile()  # closed in stop_sync
        self._popen = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            self._command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr_file, start_new_session=True,
        )
        if self._popen.stdin is None or self._popen.stdout is None:
            raise SimulatorError("simulator pipes missing")
        try:
            self._popen.stdin.write(payload)
            self._popen.stdin.close()
            line = self._readline_sync(self._popen, self.start_timeout_s)
            if not line:
                self._popen.wait(2)
                self._read_stderr_file()
                raise self._failure(f"exited with code {self._popen.returncode} before it was ready")
            self._take_ready(line)
        except TimeoutError:
            self._read_stderr_file()
            self.stop_sync()
            raise self._failure(f"not ready within {self.start_timeout_s:g} s") from None
        except BaseException:
            self.stop_sync()
            raise
        return self

    @staticmethod
    def _readline_sync(popen: subprocess.Popen[bytes], timeout_s: float) -> bytes:
        import selectors

        if popen.stdout is None:
            return b""
        deadline = time.monotonic() + timeout_s
        fd = popen.stdout.fileno()
        buf = b""
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                if not sel.select(left):
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                buf += chunk
        return buf.split(b"\n", 1)[0] + (b"\n" if b"\n" in buf else b"")

    def _read_stderr_file(self) -> None:
        if self._stderr_file is None:
            return
        self._stderr_file.seek(0)
        for line in self._stderr_file.read()[-8192:].decode(errors="replace").splitlines():
            self._stderr_tail.append(line)

    def stop_sync(self) -> None:
        """Blocking :meth:`stop`."""
        popen, self._popen = self._popen, None
        if popen is not None:
            if popen.poll() is None:
                popen.terminate()
                try:
                    popen.wait(STOP_GRACE_S)
                except subprocess.TimeoutExpired:
                    popen.kill()
                    popen.wait()
            if popen.stdout is not None:
                popen.stdout.close()
        if self._stderr_file is not None:
            self._stderr_file.close()
            self._stderr_file = None

    def __enter__(self) -> Simulator:
        return self.start_sync()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop_sync()
