"""Why a tier-2 open failed: a short RTSP DESCRIBE + SETUP of our own.

OpenCV says only "not opened"; the RTSP status FFmpeg got is not exposed (FFmpeg prints it
to stderr, process-wide and unattributable between threads, so parsing its log is not
robust). So when an open fails fast, :func:`diagnose` asks the camera again with the
tier-1 asyncio RTSP client (:mod:`camnet.monitor.rtsp_probe`): DESCRIBE (with the stored
credentials, Basic or Digest), a look at the SDP for a video track, then ``SETUP`` of that
track with ``RTP/AVP/TCP`` interleaved - exactly what FFmpeg asked. The answers map to:

* DESCRIBE or SETUP ``401``/``403`` → ``auth_failed`` (wrong or missing password);
* DESCRIBE ``404`` → ``not_found``; ``503`` anywhere → ``busy`` (all slots taken);
* an SDP without ``m=video`` → ``no_video``;
* SETUP ``461 Unsupported Transport`` or ``400`` → ``tcp_refused`` (the grab then retries
  over UDP);
* everything answered ``200`` → ``decode_error``: the stream is there, FFmpeg could not
  open or decode it (unsupported codec, broken SPS/PPS);
* connection refused → ``refused``; no answer in time → ``open_timeout``; anything else
  → ``protocol_error``.

It costs one extra RTSP exchange, only for a grab that already failed. The session is
closed without PLAY (no media flows).
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

from camnet.monitor import rtsp_probe as rp

AUTH_FAILED = "auth_failed"
NOT_FOUND = "not_found"
BUSY = "busy"
NO_VIDEO = "no_video"
TCP_REFUSED = "tcp_refused"
DECODE_ERROR = "decode_error"
REFUSED = "refused"
OPEN_TIMEOUT = "open_timeout"
PROTOCOL_ERROR = "protocol_error"

# Every cause a failed frame check can store in ``camera_status.tier2_cause``; each has a
# ``cause_*`` and a ``hint_*`` text in both catalogues (tests/monitor/test_tier2_transport.py).
TIER2_CAUSES = (AUTH_FAILED, NOT_FOUND, BUSY, NO_VIDEO, TCP_REFUSED, DECODE_ERROR, REFUSED,
                OPEN_TIMEOUT, PROTOCOL_ERROR, "read_timeout", "deadline", "internal", "bad_url")

_TCP_TRANSPORT = "RTP/AVP/TCP;unicast;interleaved=0-1"


@dataclass(frozen=True)
class Diagnosis:
    """The cause of a failed open and a safe one-line detail (an RTSP status, no secrets)."""

    cause: str
    detail: str


def video_control(sdp: str, base: str) -> str | None:
    """The SETUP URI of the first video track of ``sdp``, or ``None`` without video.

    Pure. ``base`` is the Content-Base (or the DESCRIBE URI); a relative ``a=control``
    is joined to it, ``*`` or a missing control means the base itself.
    """
    in_video = False
    found = False
    control: str | None = None
    for raw in sdp.splitlines():
        line = raw.strip()
        if line.startswith("m="):
            if found:
                break
            in_video = line[2:].startswith("video")
            found = found or in_video
        elif in_video and line.startswith("a=control:"):
            control = line[len("a=control:"):].strip()
    if not found:
        return None
    if not control or control == "*":
        return base
    if "://" in control:
        return control
    return base.rstrip("/") + "/" + control


def classify(describe: int, has_video: bool, setup: int | None) -> str:
    """Pure: the cause from the DESCRIBE code, the SDP's video track and the SETUP code."""
    if describe in (401, 403):
        return AUTH_FAILED
    if describe == 404:
        return NOT_FOUND
    if describe == 503 or setup == 503:
        return BUSY
    if describe != 200:
        return PROTOCOL_ERROR
    if not has_video:
        return NO_VIDEO
    if setup in (401, 403):
        return AUTH_FAILED
    if setup in (400, 461):
        return TCP_REFUSED
    if setup == 200:
        return DECODE_ERROR
    return PROTOCOL_ERROR


async def _request(conn: rp._Connection, auth: rp._Auth | None, method: str, uri: str,
                   headers: dict[str, str]) -> rp._Response:
    if auth is not None:
        headers = {**headers, "Authorization": auth.header(method, uri)}
    return await conn.request(method, uri, headers)


async def _exchange(target: rp._Target) -> Diagnosis:
    conn = await rp._open(target, "camnet/1")
    try:
        auth: rp._Auth | None = None
        accept = {"Accept": "application/sdp"}
        response = await _request(conn, None, "DESCRIBE", target.uri, accept)
        if response.code == 401 and target.username and target.password is not None:
            auth = rp._Auth(target.username, target.password)
            if auth.accept(rp._parse_challenges(response.headers.get("www-authenticate", ""))):
                if response.headers.get("connection", "").lower() == "close":
                    await conn.close()
                    conn = await rp._open(target, "camnet/1")
                response = await _request(conn, auth, "DESCRIBE", target.uri, accept)
        said = f"DESCRIBE: RTSP {response.code} {response.reason}".strip()
        if response.code != 200:
            return Diagnosis(classify(response.code, False, None), said)
        base = response.headers.get("content-base", "").strip() or target.uri
        control = video_control(response.body.decode("utf-8", "replace"), base)
        if control is None:
            return Diagnosis(NO_VIDEO, "the stream has no video track")
        setup = await _request(conn, auth, "SETUP", control, {"Transport": _TCP_TRANSPORT})
        said = f"SETUP over TCP: RTSP {setup.code} {setup.reason}".strip()
        return Diagnosis(classify(200, True, setup.code), said)
    finally:
        await conn.close()


async def diagnose(url: str, *, timeout_s: float) -> Diagnosis:
    """Ask the camera why it would not open (see the module doc); never raises."""
    try:
        target = rp._parse_target(url, None, None)
    except ValueError as exc:
        return Diagnosis(PROTOCOL_ERROR, str(exc))
    try:
        async with asyncio.timeout(timeout_s):
            return await _exchange(target)
    except TimeoutError:
        return Diagnosis(OPEN_TIMEOUT, f"no RTSP answer within {timeout_s:g} s")
    except ConnectionRefusedError:
        return Diagnosis(REFUSED, "connection refused")
    except (rp._ProtocolError, ConnectionError, asyncio.IncompleteReadError, socket.gaierror,
            OSError) as exc:
        return Diagnosis(PROTOCOL_ERROR, type(exc).__name__)


def diagnose_blocking(url: str, *, timeout_s: float) -> Diagnosis:
    """:func:`diagnose` for a worker thread (runs its own short event loop)."""
    return asyncio.run(diagnose(url, timeout_s=timeout_s))
