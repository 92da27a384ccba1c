#!/usr/bin/python3
"""camsim: many synthetic H.264 RTSP cameras on 127.0.0.1 from one GStreamer process.

Run with the *system* Python (it needs PyGObject and gst-rtsp-server)::

    /usr/bin/python3 camnet/testing/camsim_server.py config.json     # or: ... < config.json

It ships inside the camnet package (so ``camnet demo`` works from an installed wheel) but
imports nothing from camnet except the standard-library-only :mod:`camnet.vocab`.

The JSON config::

    {"host": "127.0.0.1", "port": 8554,
     "cameras": [{"name": "cam01", "mode": "normal", "username": null, "password": null,
                  "offline_after_s": null, "offline_for_s": null, "port": null}],
     "blackholes": [{"port": 0}]}

Per camera, ``"transport": "udp"`` makes a UDP-only camera (its own server; SETUP with
``RTP/AVP/TCP`` is answered ``461 Unsupported Transport``) and ``"gop_s": 15`` a long-GOP
camera (one keyframe every 15 s).

Modes: ``normal`` (colour bars, a ball moving by wall-clock time, a running clock),
``black``, ``frozen`` (bit-identical frames forever), ``blurred`` (the normal picture
shrunk to 32x18 and blown up again: low Laplacian variance, not uniform, still moving),
``covered`` (near-uniform, dim, low detail: a hand over the lens).
Port 0 means "pick a free port". A camera gets its own RTSP server (own port) when it has
credentials (Digest auth), an offline schedule, or an explicit port; the others share the
main server. An offline camera's listening socket is closed (clients see "connection
refused") and its clients are dropped; it listens again on the same port later. A black
hole accepts TCP connections and never sends a byte.

When everything listens, one JSON line goes to stdout::

    {"ready": true, "port": 8554, "cameras": {"cam01": "rtsp://127.0.0.1:8554/cam01"},
     "blackholes": ["rtsp://127.0.0.1:40123/"]}

Each scheduled offline/online switch then prints one event line, the simulator's own log
of the truth (``at`` is Unix time)::

    {"event": "offline", "camera": "cam01", "at": 1764300000.123}

SIGTERM / SIGINT (or the parent process going away) stop it cleanly.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gi

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the folder holding camnet/
from camnet.vocab import SimMode  # noqa: E402 - standard library only

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

WIDTH, HEIGHT, FPS = 640, 360, 10
MODES = tuple(m.value for m in SimMode)
RAW = f"video/x-raw,width={WIDTH},height={HEIGHT},framerate={FPS}/1"
# Constant quantiser: identical input gives bit-identical output (the frozen mode relies on
# it) and the bitrate stays low for simple synthetic pictures. threads=1: many encoders
# share two cores; one thread each avoids oversubscription.
ENCODE = (
    "videoconvert ! video/x-raw,format=I420 ! "
    "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 pass=quant quantizer=30 "
    "threads=1 ! rtph264pay name=pay0 pt=96 config-interval=1"
)
# gst-rtsp-server builds a fresh pipeline for the first client and drops it after the last
# one leaves, so anything that must differ between two visits (the normal and blurred
# modes) is driven by the wall clock, not by a frame counter.
RAW_I420 = f"video/x-raw,format=I420,width={WIDTH},height={HEIGHT},framerate={FPS}/1"
# A ball moving by wall-clock time in a dark 200x120 box over colour bars. Both inputs are
# opaque I420, so the compositor only copies (about 1% of a core per camera, encoder
# included; scaling or alpha-blending a full frame costs five times that).
SCENE = (
    f"videotestsrc is-live=true pattern=smpte ! {RAW_I420} ! mix.sink_0 "
    "videotestsrc is-live=true pattern=ball animation-mode=wall-time motion=wavy "
    f"background-color=0xff202020 ! video/x-raw,format=I420,width=200,height=120,framerate={FPS}/1 ! "
    f"mix.sink_1 compositor name=mix sink_1::xpos=220 sink_1::ypos=120 ! {RAW_I420}"
)


SOURCES = {
    "normal": (
        f"{SCENE} ! clockoverlay time-format=\"%H:%M:%S\" font-desc=\"Sans 24\" "
        "halignment=left valignment=top"
    ),
    "black": f"videotestsrc is-live=true pattern=black ! {RAW}",
    "frozen": f"videotestsrc is-live=true pattern=smpte ! {RAW} ! textoverlay text=CAM "
              "font-desc=\"Sans 24\" halignment=left valignment=top",
    "blurred": (
        f"{SCENE} ! videoscale method=nearest-neighbour ! video/x-raw,width=32,height=18 ! "
        f"videoscale method=bilinear ! {RAW}"
    ),
    "covered": (
        f"videotestsrc is-live=true pattern=snow ! video/x-raw,width=8,height=5,framerate={FPS}/1 ! "
        "videoconvert ! video/x-raw,format=I420 ! videobalance contrast=0.08 brightness=0.12 ! "
        f"videoscale method=bilinear ! {RAW}"
    ),
}


def launch_line(mode: str, gop_s: float | None = None) -> str:
    """Return the gst-rtsp-server launch line for one camera mode.

    ``gop_s`` makes a long-GOP camera: one keyframe every ``gop_s`` seconds instead of every
    second, so a client that joins the running (shared) stream waits up to that long for a
    decodable picture.
    """
    encode = ENCODE
    if gop_s is not None:
        encode = encode.replace("key-int-max=10", f"key-int-max={max(1, round(gop_s * FPS))}")
    return f"( {SOURCES[mode]} ! {encode} )"


@dataclass
class Camera:
    """One configured camera."""

    name: str
    mode: str = "normal"
    username: str | None = None
    password: str | None = None
    offline_after_s: float | None = None
    offline_for_s: float | None = None
    port: int | None = None
    transport: str = "any"  # "udp": SETUP over RTP/AVP/TCP gets 461 Unsupported Transport
    gop_s: float | None = None  # keyframe interval in seconds (default: one per second)

    @property
    def own_server(self) -> bool:
        """Whether this camera needs its own RTSP server (and port)."""
        return (bool(self.username) or self.offline_after_s is not None
                or self.port is not None or self.transport != "any")


def parse_config(raw: dict[str, Any]) -> tuple[str, int, list[Camera], list[int]]:
    """Validate the JSON config; return host, main port, cameras and black-hole ports."""
    host = str(raw.get("host", "127.0.0.1"))
    port = int(raw.get("port", 0) or 0)
    cameras: list[Camera] = []
    seen: set[str] = set()
    for item in raw.get("cameras", []):
        cam = Camera(**item)
        if cam.mode not in MODES:
            raise ValueError(f"camera {cam.name!r}: unknown mode {cam.mode!r}, use one of {MODES}")
        if not cam.name or "/" in cam.name or cam.name in seen:
            raise ValueError(f"camera name {cam.name!r} is empty, has '/' or is repeated")
        if bool(cam.username) != bool(cam.password):
            raise ValueError(f"camera {cam.name!r}: give both username and password, or neither")
        if (cam.offline_after_s is None) != (cam.offline_for_s is None):
            raise ValueError(f"camera {cam.name!r}: give both offline_after_s and offline_for_s")
        if cam.transport not in ("any", "udp"):
            raise ValueError(f"camera {cam.name!r}: transport must be 'any' or 'udp'")
        if cam.gop_s is not None and not 0 < cam.gop_s <= 120:
            raise ValueError(f"camera {cam.name!r}: gop_s must be in (0, 120]")
        seen.add(cam.name)
        cameras.append(cam)
    holes = [int(h.get("port", 0) or 0) for h in raw.get("blackholes", [])]
    return host, port, cameras, holes


class Server:
    """One GstRtspServer listening on one port, with a detachable listening source."""

    def __init__(self, host: str, port: int, camera: Camera | None = None) -> None:
        self.server = GstRtspServer.RTSPServer()
        self.server.set_address(host)
        self.server.set_service(str(port))
        self.server.set_backlog(64)
        self.source_id: int | None = None
        self.port = 0
        if camera is not None and camera.username and camera.password:
            auth = GstRtspServer.RTSPAuth()
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
            auth.set_realm("camsim")
            token = GstRtspServer.RTSPToken()
            token.set_string("media.factory.role", "user")
            auth.add_digest(camera.username, camera.password, token)
            self.server.set_auth(auth)

    def add(self, camera: Camera) -> None:
        """Mount one camera at ``/<name>``."""
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch_line(camera.mode, camera.gop_s))
        factory.set_shared(True)
        if camera.transport == "udp":  # like VLC or a small NVR: no RTP over TCP (461)
            factory.set_protocols(GstRtsp.RTSPLowerTrans.UDP)
        if camera.username:
            perms = GstRtspServer.RTSPPermissions()
            perms.add_role("user")
            perms.add_permission_for_role("user", "media.factory.access", True)
            perms.add_permission_for_role("user", "media.factory.construct", True)
            factory.set_permissions(perms)
        self.server.get_mount_points().add_factory(f"/{camera.name}", factory)

    def listen(self) -> None:
        """Open the listening socket (again, on the same port after the first time)."""
        if self.source_id is None:
            self.source_id = self.server.attach(None)
            self.port = self.server.get_bound_port()
            self.server.set_service(str(self.port))  # come back on the same port

    def go_offline(self) -> bool:
        """Close the listening socket and drop every client; a GLib timeout callback."""
        if self.source_id is not None:
            GLib.source_remove(self.source_id)
            self.source_id = None
        self.server.client_filter(lambda _server, _client, *_: GstRtspServer.RTSPFilterResult.REMOVE)
        return False

    def go_online(self) -> bool:
        """Listen again; a GLib timeout callback."""
        self.listen()
        return False


class BlackHole:
    """A TCP port that accepts connections and never answers."""

    MAX_HELD = 256

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(128)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        GLib.io_add_watch(self.sock.fileno(), GLib.PRIORITY_DEFAULT, GLib.IO_IN, self._accept)

    def _accept(self, *_: Any) -> bool:
        try:
            conn, _addr = self.sock.accept()
        except OSError:
            return True
        conn.setblocking(False)
        self.held.append(conn)  # held open, never read, never written
        while len(self.held) > self.MAX_HELD:
            self.held.pop(0).close()
        return True

    def close(self) -> None:
        """Close the listener and every held connection."""
        for conn in self.held:
            conn.close()
        self.sock.close()


def read_config(argv: list[str]) -> dict[str, Any]:
    """Load the JSON config from the file named in argv, or from stdin."""
    if len(argv) > 1 and argv[1] != "-":
        with open(argv[1], encoding="utf-8") as fh:
            return dict(json.load(fh))
    return dict(json.load(sys.stdin))


def main(argv: list[str]) -> int:
    """Start every server, print the ready line, run until told to stop."""
    try:
        host, port, cameras, hole_ports = parse_config(read_config(argv))
    except (OSError, ValueError, TypeError) as exc:
        print(f"camsim: bad config: {exc}", file=sys.stderr)
        return 2
    Gst.init(None)
    loop = GLib.MainLoop()

    main_server = Server(host, port)
    servers = [main_server]
    where: dict[str, Server] = {}
    for cam in cameras:
        if cam.own_server:
            srv = Server(host, cam.port or 0, cam)
            servers.append(srv)
        else:
            srv = main_server
        srv.add(cam)
        where[cam.name] = srv
    try:
        for srv in servers:
            srv.listen()
        holes = [BlackHole(host, p) for p in hole_ports]
    except (GLib.Error, OSError) as exc:
        print(f"camsim: cannot listen: {exc}", file=sys.stderr)
        return 1
    if any(srv.source_id is None or srv.port <= 0 for srv in servers):
        print("camsim: a server failed to listen (port in use?)", file=sys.stderr)
        return 1

    def logged(kind: str, name: str, action: Any) -> Any:
        def fire() -> bool:
            action()
            # the simulator's own event log: the truth an outage is measured against
            print(json.dumps({"event": kind, "camera": name, "at": time.time()}), flush=True)
            return False
        return fire

    for cam in cameras:
        if cam.offline_after_s is not None and cam.offline_for_s is not None:
            srv = where[cam.name]
            after_ms = int(cam.offline_after_s * 1000)
            GLib.timeout_add(after_ms, logged("offline", cam.name, srv.go_offline))
            GLib.timeout_add(after_ms + int(cam.offline_for_s * 1000),
                             logged("online", cam.name, srv.go_online))

    def stop(*_: Any) -> bool:
        loop.quit()
        return False

    parent = os.getppid()

    def parent_alive() -> bool:
        if os.getppid() != parent:  # re-parented: whoever started us is gone
            loop.quit()
            return False
        return True

    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGTERM, stop)
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGINT, stop)
    GLib.timeout_add_seconds(1, parent_alive)

    ready = {
        "ready": True,
        "port": main_server.port,
        "cameras": {c.name: f"rtsp://{host}:{where[c.name].port}/{c.name}" for c in cameras},
        "blackholes": [f"rtsp://{host}:{h.port}/" for h in holes],
    }
    print(json.dumps(ready), flush=True)
    try:
        loop.run()
    finally:
        for h in holes:
            h.close()
        for srv in servers:
            srv.go_offline()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
