"""Tier-1 liveness: a cheap asyncio RTSP handshake (connect, OPTIONS, DESCRIBE).

No frames are decoded: a camera that answers ``DESCRIBE`` with ``200`` and an SDP is up.
Basic and Digest authentication (RFC 7616: MD5 / SHA-256, ``qop=auth`` or none, ``stale``)
are handled; credentials come from the arguments or the URL's userinfo and never appear in
the request URI, in :attr:`ProbeResult.detail` or in a log line. ``rtsps://`` uses TLS
without certificate verification (cameras ship self-signed certificates; the probe only
asks whether the camera answers, it sends credentials only as Digest where offered).

One hard ``timeout_s`` covers everything (DNS, connect, every exchange): a camera that
accepts and never answers costs exactly that and no more.

Classification of the final answer:

* ``200`` to DESCRIBE → ``up``; ``401``/``403`` after trying credentials → ``auth_failed``;
  ``401`` when no credentials are stored → ``auth_required``; ``404`` → ``not_found``;
* ``503 Service Unavailable`` → ``up`` with the detail "busy": small cameras and NVRs
  answer 503 when their few client slots are taken (by the recorder, a viewer app). The
  camera is alive; whether it gives a picture is tier 2's question, and a camera that
  answers 503 for good shows up there as ``no_frame`` (degraded), not as a dead camera;
* other ``5xx`` and anything unparseable → ``protocol_error``; a first line that is no
  RTSP status line (an ``SSH-2.0-…`` banner, ``HTTP/1.1 …``) → ``not_rtsp`` at once;
* connection refused → ``refused``; closed without an answer → ``closed``; reset →
  ``reset``; name resolution or no route → ``unreachable``; the time limit → ``timeout``.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit, urlunsplit

from camnet.secretstore import resolve_credentials

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 256 * 1024
_UNREACHABLE_ERRNOS = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EADDRNOTAVAIL}


class ProbeStatus(StrEnum):
    """The outcome classes of a tier-1 probe."""

    UP = "up"
    AUTH_FAILED = "auth_failed"  # credentials were sent and refused
    AUTH_REQUIRED = "auth_required"  # the camera asks for a password and none is stored
    NOT_FOUND = "not_found"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    CLOSED = "closed"  # the camera closed the connection without an answer
    RESET = "reset"  # the connection was reset (RST)
    NOT_RTSP = "not_rtsp"  # something else answers on the port (SSH, HTTP …)
    PROTOCOL_ERROR = "protocol_error"
    BLOCKED = "blocked"  # the address lies in monitor.deny_networks: not probed at all


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """One probe: status, wall time until the final answer, last RTSP code, a safe detail."""

    status: ProbeStatus
    latency_ms: float | None
    rtsp_code: int | None = None
    detail: str = ""
    server: str | None = None


class _ProtocolError(Exception):
    """The peer's bytes are not an RTSP response we can use."""


class _Closed(ConnectionResetError):
    """The peer closed the connection (FIN) before a full answer; a reset is an RST."""


class _NotRtsp(_ProtocolError):
    """The peer's first line is no RTSP status line: another protocol (SSH, HTTP …)."""


@dataclass(slots=True)
class _Response:
    code: int
    reason: str
    headers: dict[str, str]  # lower-case names; repeated WWW-Authenticate joined by "\n"
    body: bytes = b""  # the SDP of a DESCRIBE answer (tier2_diagnose reads it)


@dataclass(frozen=True, slots=True)
class _Target:
    host: str
    port: int
    tls: bool
    uri: str  # the request URI: no userinfo
    username: str | None
    password: str | None


def _parse_target(url: str, username: str | None, password: str | None) -> _Target:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("rtsp", "rtsps") or not parts.hostname:
        raise ValueError("not an rtsp:// or rtsps:// URL with a host")
    tls = scheme == "rtsps"
    port = parts.port or (322 if tls else 554)
    host = parts.hostname
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    uri = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    _, user, secret = resolve_credentials(url, username or None, password or None)
    return _Target(host, port, tls, uri, user or None, secret or None)


def _parse_challenges(value: str) -> list[tuple[str, dict[str, str]]]:
    """Parse WWW-Authenticate values (one per line) into (scheme, params)."""
    found = []
    for line in value.split("\n"):
        line = line.strip()
        if not line:
            continue
        scheme, _, rest = line.partition(" ")
        params: dict[str, str] = {}
        i = 0
        while i < len(rest):
            while i < len(rest) and rest[i] in " ,":
                i += 1
            eq = rest.find("=", i)
            if eq < 0:
                break
            key = rest[i:eq].strip().lower()
            i = eq + 1
            if i < len(rest) and rest[i] == '"':
                end = i + 1
                buf = []
                while end < len(rest) and rest[end] != '"':
                    if rest[end] == "\\" and end + 1 < len(rest):
                        end += 1
                    buf.append(rest[end])
                    end += 1
                params[key] = "".join(buf)
                i = end + 1
            else:
                end = rest.find(",", i)
                end = len(rest) if end < 0 else end
                params[key] = rest[i:end].strip()
                i = end
        found.append((scheme.lower(), params))
    return found


class _Auth:
    """Builds Authorization headers from a challenge."""

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self.password = password
        self.scheme: str | None = None
        self.params: dict[str, str] = {}
        self.nc = 0
        self.cnonce = os.urandom(8).hex()

    def accept(self, challenges: list[tuple[str, dict[str, str]]]) -> bool:
        """Pick the strongest offered scheme; ``False`` when none is usable."""
        digests = [p for s, p in challenges if s == "digest"]
        order = {"sha-256": 0, "md5": 1, "": 1}
        digests = [p for p in digests if p.get("algorithm", "").lower() in order]
        if digests:
            digests.sort(key=lambda p: order[p.get("algorithm", "").lower()])
            self.scheme, self.params, self.nc = "digest", digests[0], 0
            return True
        if any(s == "basic" for s, _ in challenges):
            self.scheme = "basic"
            return True
        return False

    def header(self, method: str, uri: str) -> str:
        if self.scheme == "basic":
            import base64

            token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            return f"Basic {token}"
        p = self.params
        algorithm = p.get("algorithm", "MD5")
        hfn = hashlib.sha256 if algorithm.lower() == "sha-256" else hashlib.md5

        def h(text: str) -> str:
            return hfn(text.encode("utf-8")).hexdigest()

        realm, nonce = p.get("realm", ""), p.get("nonce", "")
        ha1 = h(f"{self.username}:{realm}:{self.password}")
        ha2 = h(f"{method}:{uri}")
        qops = [q.strip() for q in p.get("qop", "").split(",") if q.strip()]
        fields = [f'username="{self.username}"', f'realm="{realm}"', f'nonce="{nonce}"',
                  f'uri="{uri}"']
        if "auth" in qops:
            self.nc += 1
            nc = f"{self.nc:08x}"
            response = h(f"{ha1}:{nonce}:{nc}:{self.cnonce}:auth:{ha2}")
            fields += [f'response="{response}"', "qop=auth", f"nc={nc}",
                       f'cnonce="{self.cnonce}"']
        else:
            fields.append(f'response="{h(f"{ha1}:{nonce}:{ha2}")}"')
        if "algorithm" in p:
            fields.append(f"algorithm={algorithm}")
        if "opaque" in p:
            fields.append(f'opaque="{p["opaque"]}"')
        return "Digest " + ", ".join(fields)


class _Connection:
    """One RTSP connection: send a request, read the response with the same CSeq."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 user_agent: str) -> None:
        self.reader = reader
        self.writer = writer
        self.user_agent = user_agent
        self.cseq = 0

    async def request(self, method: str, uri: str, headers: dict[str, str]) -> _Response:
        self.cseq += 1
        lines = [f"{method} {uri} RTSP/1.0", f"CSeq: {self.cseq}", f"User-Agent: {self.user_agent}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
        while True:
            response = await self._read_response()
            cseq = response.headers.get("cseq", "").strip()
            if not cseq or cseq == str(self.cseq):
                return response
            # an answer to something else (or a server request): skip it

    async def _read_response(self) -> _Response:
        try:
            head = await self._read_head()
        except asyncio.IncompleteReadError as exc:
            raise _Closed("the camera closed the connection") from exc
        text = head.decode("utf-8", "replace").replace("\r\n", "\n").strip("\n")
        status_line, *header_lines = text.split("\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("RTSP/") or not parts[1].isdigit():
            raise _ProtocolError(f"not an RTSP response: {status_line[:40]!r}")
        headers: dict[str, str] = {}
        for line in header_lines:
            name, sep, value = line.partition(":")
            if not sep:
                continue
            key = name.strip().lower()
            value = value.strip()
            headers[key] = f"{headers[key]}\n{value}" if key in headers else value
        length = headers.get("content-length", "0").strip() or "0"
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            raise _ProtocolError("bad Content-Length")
        body = await self.reader.readexactly(int(length)) if int(length) else b""
        return _Response(int(parts[1]), parts[2] if len(parts) > 2 else "", headers, body)

    async def _read_head(self) -> bytes:
        """Read up to the blank line, accepting CRLF or bare LF line endings."""
        buf = bytearray()
        while True:
            line = await self.reader.readline()
            if not line:
                raise asyncio.IncompleteReadError(bytes(buf), None)
            if line in (b"\r\n", b"\n"):
                if buf:
                    return bytes(buf)
                continue  # stray blank lines between responses
            if not buf and not line.startswith(b"RTSP/"):
                # A banner of another protocol (SSH-2.0-…, HTTP/1.1 …): say so at once
                # instead of waiting for a blank line that never comes.
                banner = line.decode("ascii", "replace").strip()[:40]
                raise _NotRtsp(f"not an RTSP camera: answered {banner!r}")
            buf += line
            if len(buf) > MAX_HEADER_BYTES:
                raise _ProtocolError("response headers too large")

    async def close(self) -> None:
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except (OSError, ssl.SSLError):
            pass


_TLS: ssl.SSLContext | None = None


def _tls_context() -> ssl.SSLContext:
    global _TLS
    if _TLS is None:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # cameras use self-signed certificates
        _TLS = ctx
    return _TLS


async def _open(target: _Target, user_agent: str) -> _Connection:
    reader, writer = await asyncio.open_connection(
        target.host, target.port, ssl=_tls_context() if target.tls else None,
        server_hostname=target.host if target.tls else None, limit=MAX_HEADER_BYTES)
    return _Connection(reader, writer, user_agent)


async def _handshake(target: _Target, user_agent: str) -> tuple[_Response, str | None]:
    """OPTIONS then DESCRIBE with auth; reconnect once if the server hangs up after a 401."""
    auth: _Auth | None = None
    conn = await _open(target, user_agent)
    try:
        tried_auth = False
        stale_retries = 0
        options_done = False
        while True:
            headers: dict[str, str] = {}
            method = "DESCRIBE" if options_done else "OPTIONS"
            if method == "DESCRIBE":
                headers["Accept"] = "application/sdp"
            if auth is not None:
                headers["Authorization"] = auth.header(method, target.uri)
            try:
                response = await conn.request(method, target.uri, headers)
            except ConnectionResetError:
                if auth is None or not tried_auth:
                    raise
                # some cameras close after a 401: once more on a fresh connection
                await conn.close()
                conn = await _open(target, user_agent)
                response = await conn.request(method, target.uri, headers)
            server = response.headers.get("server")
            if response.code == 401:
                challenges = _parse_challenges(response.headers.get("www-authenticate", ""))
                stale = any(p.get("stale", "").lower() == "true" for _, p in challenges)
                if auth is not None and tried_auth and not (stale and stale_retries < 1):
                    return response, server
                if not target.username or target.password is None:
                    return response, server
                if stale and auth is not None:
                    stale_retries += 1
                auth = auth or _Auth(target.username, target.password)
                if not auth.accept(challenges):
                    return response, server
                tried_auth = True
                if response.headers.get("connection", "").lower() == "close":
                    await conn.close()
                    conn = await _open(target, user_agent)
                continue
            if method == "OPTIONS" and response.code < 500 and response.code != 404:
                options_done = True  # some cameras answer OPTIONS oddly; DESCRIBE decides
                continue
            return response, server
    finally:
        await conn.close()


def _classify(response: _Response, server: str | None, latency_ms: float,
              has_credentials: bool = True) -> ProbeResult:
    code = response.code
    detail = f"RTSP {code} {response.reason}".strip()[:120]
    if code == 200:
        return ProbeResult(ProbeStatus.UP, latency_ms, code, detail, server)
    if code == 401 and not has_credentials:
        return ProbeResult(ProbeStatus.AUTH_REQUIRED, latency_ms, code,
                           "the camera asks for a password and none is stored", server)
    if code in (401, 403):
        return ProbeResult(ProbeStatus.AUTH_FAILED, latency_ms, code, detail, server)
    if code == 404:
        return ProbeResult(ProbeStatus.NOT_FOUND, latency_ms, code, detail, server)
    if code == 503:
        return ProbeResult(ProbeStatus.UP, latency_ms, code,
                           "RTSP 503: up, busy (all viewing slots in use)", server)
    return ProbeResult(ProbeStatus.PROTOCOL_ERROR, latency_ms, code, detail, server)


async def probe(url: str, *, username: str | None = None, password: str | None = None,
                timeout_s: float = 5.0, user_agent: str = "camnet/1") -> ProbeResult:
    """Probe one camera; never raises for network trouble, always within ``timeout_s``."""
    started = time.perf_counter()

    def elapsed() -> float:
        return round((time.perf_counter() - started) * 1000, 1)

    try:
        target = _parse_target(url, username, password)
    except ValueError as exc:
        return ProbeResult(ProbeStatus.PROTOCOL_ERROR, None, None, str(exc))
    try:
        async with asyncio.timeout(timeout_s):
            response, server = await _handshake(target, user_agent)
    except TimeoutError:
        return ProbeResult(ProbeStatus.TIMEOUT, elapsed(), None, f"no answer within {timeout_s:g} s")
    except ConnectionRefusedError:
        return ProbeResult(ProbeStatus.REFUSED, elapsed(), None, "connection refused")
    except socket.gaierror:
        return ProbeResult(ProbeStatus.UNREACHABLE, elapsed(), None,
                           f"cannot resolve {target.host}")
    except _NotRtsp as exc:
        return ProbeResult(ProbeStatus.NOT_RTSP, elapsed(), None, str(exc))
    except _ProtocolError as exc:
        return ProbeResult(ProbeStatus.PROTOCOL_ERROR, elapsed(), None, str(exc))
    except (_Closed, asyncio.IncompleteReadError):
        return ProbeResult(ProbeStatus.CLOSED, elapsed(), None,
                           "the camera closed the connection without answering")
    except (ConnectionResetError, BrokenPipeError):
        return ProbeResult(ProbeStatus.RESET, elapsed(), None, "the connection was reset")
    except ssl.SSLError as exc:
        return ProbeResult(ProbeStatus.PROTOCOL_ERROR, elapsed(), None, f"TLS: {exc.reason}")
    except OSError as exc:
        status = (ProbeStatus.UNREACHABLE if exc.errno in _UNREACHABLE_ERRNOS
                  else ProbeStatus.PROTOCOL_ERROR)
        return ProbeResult(status, elapsed(), None, os.strerror(exc.errno) if exc.errno else "error")
    return _classify(response, server, elapsed(), target.username is not None)


async def probe_many(targets: Iterable[tuple[str, str | None, str | None]], *, timeout_s: float,
                     concurrency: int) -> list[ProbeResult]:
    """Probe (url, username, password) targets with at most ``concurrency`` in flight."""
    semaphore = asyncio.Semaphore(concurrency)

    async def one(url: str, user: str | None, secret: str | None) -> ProbeResult:
        async with semaphore:
            return await probe(url, username=user, password=secret, timeout_s=timeout_s)

    return list(await asyncio.gather(*(one(*t) for t in targets)))
