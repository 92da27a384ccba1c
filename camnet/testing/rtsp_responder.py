"""A light asyncio RTSP responder: thousands of fake camera endpoints in one process.

GStreamer cannot host 50,000 cameras; the tier-1 probe only needs the handshake, so this
answers ``OPTIONS`` and ``DESCRIBE`` (a tiny SDP) per path — and ``SETUP``/``PLAY`` with 200
but then never sends a packet: a camera that answers RTSP and never gives a frame, the
worst case for tier 2 — with switchable quirks for tests:
Basic or Digest auth (with or without ``qop``, SHA-256, one ``stale=true``), closing the
connection after a 401, bare-LF line endings, answers dribbled a few bytes at a time,
``404``, ``503``, garbage, or silence (accepts and never answers). Listens on 127.0.0.1.

Run it in its own process for benchmarks::

    python -m camnet.testing.rtsp_responder --port 0 [--silent-ports N]

prints one JSON line ``{"port": P, "silent_ports": [...]}`` when ready; every path is a
normal camera on ``P``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import socket
import struct
from dataclasses import dataclass, field

SDP = (b"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=camnet test\r\nt=0 0\r\n"
       b"m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n")


@dataclass
class Endpoint:
    """How one path behaves."""

    mode: str = "ok"  # ok | not_found | unavailable (503) | error (500) | garbage | silent
    #                   | close | reset (RST) | banner (an SSH greeting, then silence)
    auth: str | None = None  # None | basic | digest | both (offers Basic and Digest)
    username: str = "admin"
    password: str = "secret"  # noqa: S105 - a test fixture
    qop: bool = True
    algorithm: str = "MD5"  # MD5 | SHA-256
    stale_once: bool = False
    close_after_401: bool = False
    lf_only: bool = False
    dribble: bool = False
    stale_sent: bool = field(default=False, repr=False)
    stale_pending: bool = field(default=False, repr=False)


@dataclass
class Received:
    """A request as the responder saw it (for assertions)."""

    method: str
    uri: str
    headers: dict[str, str]


class RtspResponder:
    """An RTSP server answering per-path rules; ``default`` serves unknown paths."""

    def __init__(self, endpoints: dict[str, Endpoint] | None = None,
                 default: Endpoint | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.endpoints = dict(endpoints or {})
        self.default = default
        self.host = host
        self.port = port
        self.received: list[Received] = []
        self.record = True
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._nonce = os.urandom(8).hex()

    @property
    def open_connections(self) -> int:
        """How many client connections are open right now."""
        return len(self._writers)

    def url(self, path: str) -> str:
        """The ``rtsp://`` URL of ``path`` on this responder."""
        return f"rtsp://{self.host}:{self.port}/{path.lstrip('/')}"

    async def start(self) -> RtspResponder:
        """Listen; ``port`` 0 picks a free one."""
        self._server = await asyncio.start_server(self._serve, self.host, self.port, backlog=4096)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop listening and drop every connection."""
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> RtspResponder:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _endpoint(self, uri: str) -> Endpoint | None:
        path = uri.split("://", 1)[-1].split("/", 1)[-1] if "://" in uri else uri.lstrip("/")
        return self.endpoints.get(path.split("?", 1)[0], self.default)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("utf-8", "replace").split("\r\n")
                method, uri = (lines[0].split(" ") + ["", ""])[:2]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name:
                        headers[name.strip().lower()] = value.strip()
                if self.record:
                    self.received.append(Received(method, uri, headers))
                endpoint = self._endpoint(uri)
                if endpoint is None:
                    await self._send(writer, Endpoint(), 404, "Not Found", headers)
                    continue
                if endpoint.mode == "silent":
                    while await reader.read(4096):  # accept, read, never answer
                        pass
                    return  # the client closed the connection
                if endpoint.mode == "garbage":
                    writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\nnot rtsp\r\n\r\n")
                    await writer.drain()
                    return
                if endpoint.mode == "close":
                    return
                if endpoint.mode == "reset":  # RST instead of FIN
                    sock = writer.get_extra_info("socket")
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    writer.transport.abort()
                    return
                if endpoint.mode == "banner":  # another protocol's greeting, then silence
                    writer.write(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
                    await writer.drain()
                    while await reader.read(4096):
                        pass
                    return
                if endpoint.auth and not self._authorized(endpoint, method, headers):
                    challenge = self._challenge(endpoint)
                    await self._send(writer, endpoint, 401, "Unauthorized", headers,
                                     {"WWW-Authenticate": challenge}, also=(
                                         ['Basic realm="camnet-test"'] if endpoint.auth == "both"
                                         else []))
                    if endpoint.close_after_401:
                        return
                    continue
                if endpoint.mode == "not_found":
                    await self._send(writer, endpoint, 404, "Not Found", headers)
                elif endpoint.mode == "unavailable":
                    await self._send(writer, endpoint, 503, "Service Unavailable", headers)
                elif endpoint.mode == "error":
                    await self._send(writer, endpoint, 500, "Internal Server Error", headers)
                elif method == "DESCRIBE":
                    await self._send(writer, endpoint, 200, "OK", headers,
                                     {"Content-Type": "application/sdp"}, SDP)
                elif method == "SETUP":  # accept any transport, then never send RTP
                    transport = headers.get("transport", "RTP/AVP/TCP;unicast;interleaved=0-1")
                    await self._send(writer, endpoint, 200, "OK", headers,
                                     {"Transport": transport.split(",")[0],
                                      "Session": "4711;timeout=60"})
                elif method == "PLAY":
                    await self._send(writer, endpoint, 200, "OK", headers,
                                     {"Session": "4711", "Range": "npt=0.000-"})
                else:
                    await self._send(writer, endpoint, 200, "OK", headers,
                                     {"Public": "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN"})
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return
        finally:
            self._writers.discard(writer)
            writer.close()

    def _challenge(self, e: Endpoint) -> str:
        if e.auth == "basic":
            return 'Basic realm="camnet-test"'
        stale = ""
        if e.stale_pending:
            e.stale_pending, e.stale_sent = False, True
            stale = ", stale=TRUE"
        qop = ', qop="auth"' if e.qop else ""
        algorithm = f", algorithm={e.algorithm}" if e.algorithm != "MD5" else ""
        return f'Digest realm="camnet-test", nonce="{self._nonce}"{qop}{algorithm}{stale}'

    def _authorized(self, e: Endpoint, method: str, headers: dict[str, str]) -> bool:
        value = headers.get("authorization", "")
        if e.auth == "basic" or (e.auth == "both" and value.startswith("Basic ")):
            expected = base64.b64encode(f"{e.username}:{e.password}".encode()).decode()
            return value == f"Basic {expected}"
        if not value.startswith("Digest "):
            return False
        params = {}
        for part in value[7:].split(","):
            key, _, val = part.strip().partition("=")
            params[key.lower()] = val.strip('"')
        if e.stale_once and not e.stale_sent:
            e.stale_pending = True  # the first signed try meets a "stale nonce": retry
            return False
        hfn = hashlib.sha256 if e.algorithm == "SHA-256" else hashlib.md5

        def h(text: str) -> str:
            return hfn(text.encode()).hexdigest()

        ha1 = h(f"{e.username}:camnet-test:{e.password}")
        ha2 = h(f"{method}:{params.get('uri', '')}")
        if e.qop:
            expected = h(f"{ha1}:{self._nonce}:{params.get('nc', '')}:{params.get('cnonce', '')}"
                         f":auth:{ha2}")
        else:
            expected = h(f"{ha1}:{self._nonce}:{ha2}")
        return params.get("response") == expected and params.get("username") == e.username

    async def _send(self, writer: asyncio.StreamWriter, e: Endpoint, code: int, reason: str,
                    request: dict[str, str], extra: dict[str, str] | None = None,
                    body: bytes = b"", also: list[str] | None = None) -> None:
        eol = "\n" if e.lf_only else "\r\n"
        lines = [f"RTSP/1.0 {code} {reason}", f"CSeq: {request.get('cseq', '0')}",
                 "Server: camnet-responder"]
        lines += [f"{k}: {v}" for k, v in (extra or {}).items()]
        lines += [f"WWW-Authenticate: {v}" for v in also or []]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        data = (eol.join(lines) + eol + eol).encode() + body
        if e.dribble:
            for i in range(0, len(data), 7):
                writer.write(data[i:i + 7])
                await writer.drain()
                await asyncio.sleep(0)
        else:
            writer.write(data)
        await writer.drain()


async def _black_hole(port: int) -> tuple[asyncio.Server, int]:
    """Accept connections and never answer; close each once the prober gives up.

    (Holding them forever ran a 50,000-camera benchmark out of file descriptors by the
    third cycle.)
    """
    held: set[asyncio.StreamWriter] = set()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.add(writer)
        try:
            while await reader.read(4096):  # read and ignore until the prober hangs up
                pass
        except OSError:
            pass
        finally:
            held.discard(writer)
            writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", port, backlog=8192)
    return server, server.sockets[0].getsockname()[1]


async def _main(port: int, silent_ports: int) -> None:
    responder = RtspResponder(default=Endpoint(), port=port)
    responder.record = False
    await responder.start()
    holes = [await _black_hole(0) for _ in range(silent_ports)]
    print(json.dumps({"port": responder.port, "silent_ports": [p for _, p in holes]}), flush=True)  # noqa: T201
    await asyncio.Event().wait()


def main() -> None:
    """Command line: serve normal cameras on every path, plus black-hole ports."""
    parser = argparse.ArgumentParser(description="camnet test RTSP responder (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--silent-ports", type=int, default=0)
    args = parser.parse_args()
    try:
        asyncio.run(_main(args.port, args.silent_ports))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
