"""Tier 2: grab a frame or two from an RTSP stream with OpenCV (FFmpeg backend).

:func:`grab` is *blocking*: run it in the monitor's bounded executor
(``loop.run_in_executor``), never in the event loop. It never raises for a camera's fault;
every failure becomes a :class:`FrameGrab` with ``ok=False`` and an error class.

The URL may carry ``user:password@``: it goes to FFmpeg only. Nothing here logs it, and
error details never contain it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import numpy as np

from camnet.monitor.cv import cv2
from camnet.monitor.transport import TCP, capture_options
from camnet.secretstore import mask_text

# Error classes (``FrameGrab.error``).
BAD_URL = "bad_url"
OPEN_TIMEOUT = "open_timeout"  # nothing usable before the open timeout (black hole, slow)
OPEN_FAILED = "open_failed"  # refused, auth, no video ...: tier2_diagnose names the cause
READ_TIMEOUT = "read_timeout"  # opened, but no frame within the read timeout
READ_FAILED = "read_failed"  # opened, but the stream ended or did not decode
INTERNAL = "internal"  # OpenCV raised

_SCHEMES = ("rtsp", "rtsps")


@dataclass(frozen=True)
class FrameGrab:
    """The result of one grab.

    Attributes:
        ok: at least one frame was decoded.
        error: error class when not ok (``bad_url``, ``open_timeout``, ``open_failed``,
            ``read_timeout``, ``read_failed``, ``internal``), else ``None``.
        detail: a human explanation, free of credentials.
        width: frame width in pixels (when ok).
        height: frame height in pixels (when ok).
        open_ms: time for the open (connect, RTSP handshake, stream probe).
        first_frame_ms: time from the start of the open to the first decoded frame.
        frames: the decoded BGR frames, oldest first (not in repr, not compared).
    """

    ok: bool
    error: str | None = None
    detail: str = ""
    width: int | None = None
    height: int | None = None
    open_ms: float | None = None
    first_frame_ms: float | None = None
    frames: tuple[np.ndarray, ...] = field(default=(), repr=False, compare=False)


def safe_url(url: str) -> str:
    """Return ``url`` without its userinfo (``user:password@``), for messages."""
    try:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
        return f"{parts.scheme}://{host}{parts.path}"
    except ValueError:
        return "<unparsable URL>"


def grab(url: str, *, open_timeout_s: float, read_timeout_s: float, frames: int = 2,
         transport: str = TCP) -> FrameGrab:
    """Open ``url`` with OpenCV/FFmpeg and decode up to ``frames`` frames.

    Blocking; meant for a thread pool. OpenCV enforces both timeouts through FFmpeg's
    interrupt callback, so a black hole costs about ``open_timeout_s``.

    Args:
        url: ``rtsp://[user:password@]host[:port]/path``.
        open_timeout_s: limit for connect + RTSP handshake + stream probe.
        read_timeout_s: limit for each frame read.
        frames: how many frames to decode (>= 1); the last one is the freshest.
        transport: RTP over ``tcp`` (default) or ``udp`` (see :mod:`camnet.monitor.transport`).

    Returns:
        A :class:`FrameGrab`; ``ok`` when at least one frame decoded.
    """
    try:
        scheme = urlsplit(url).scheme.lower()
        hostname = urlsplit(url).hostname
    except ValueError:
        scheme, hostname = "", None
    if scheme not in _SCHEMES or not hostname:
        return FrameGrab(False, BAD_URL, f"not an rtsp:// URL with a host: {safe_url(url)}")
    params = [
        cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, max(1, int(open_timeout_s * 1000)),
        cv2.CAP_PROP_READ_TIMEOUT_MSEC, max(1, int(read_timeout_s * 1000)),
    ]
    started = time.perf_counter()
    cap = None
    try:
        with capture_options(transport):
            cap = cv2.VideoCapture(url, cv2.CAP_FFMPEG, params)
        open_s = time.perf_counter() - started
        if not cap.isOpened():
            if open_s >= open_timeout_s * 0.9:
                return FrameGrab(False, OPEN_TIMEOUT, f"no stream within {open_timeout_s:g} s",
                                 open_ms=open_s * 1000)
            return FrameGrab(False, OPEN_FAILED,
                             "stream did not open (refused, auth failed, not found or no video)",
                             open_ms=open_s * 1000)
        return _read(cap, started, open_s, read_timeout_s, max(1, frames))
    except cv2.error as exc:
        return FrameGrab(False, INTERNAL, f"OpenCV error: {mask_text(str(exc))[:200]}")
    finally:
        if cap is not None:
            cap.release()


def _read(cap: cv2.VideoCapture, started: float, open_s: float, read_timeout_s: float,
          count: int) -> FrameGrab:
    got: list[np.ndarray] = []
    first_ms: float | None = None
    read_started = time.perf_counter()
    for _ in range(count):
        ok, frame = cap.read()
        if not ok or frame is None or frame.size == 0:
            break
        if first_ms is None:
            first_ms = (time.perf_counter() - started) * 1000
        got.append(frame)
    if not got:
        waited = time.perf_counter() - read_started
        if waited >= read_timeout_s * 0.9:
            return FrameGrab(False, READ_TIMEOUT, f"no frame within {read_timeout_s:g} s",
                             open_ms=open_s * 1000)
        return FrameGrab(False, READ_FAILED, "stream opened but no frame decoded",
                         open_ms=open_s * 1000)
    height, width = got[-1].shape[:2]
    return FrameGrab(True, None, f"{len(got)} frame(s)", int(width), int(height), open_s * 1000,
                     first_ms, tuple(got))
