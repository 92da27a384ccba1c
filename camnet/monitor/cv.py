"""The one place camnet imports OpenCV from: environment first, then ``import cv2``.

OpenCV reads these variables when it is first imported (or on every FFmpeg open), so every
module takes ``cv2`` from here (``from camnet.monitor.cv import cv2``):

- ``OPENCV_FFMPEG_IS_THREAD_SAFE=1``: without it OpenCV serialises every FFmpeg open in the
  process, and a bounded thread pool of grabs runs one at a time.
- ``OPENCV_FFMPEG_CAPTURE_OPTIONS``: ``rtsp_transport;tcp``: RTP over TCP (the default
  for every open); a camera that refuses TCP (400/461) is retried over UDP with
  :data:`UDP_CAPTURE_OPTIONS` under :mod:`camnet.monitor.transport`'s gate, since the
  variable is process-wide and read at every open. And no frame-rate probing, which turns
  a ~3 s open into ~0.35 s.
- ``OPENCV_LOG_LEVEL=ERROR``: OpenCV's own warnings off. (FFmpeg still logs connection
  errors at ERROR level to stderr; they name host and port, never credentials.)
"""

from __future__ import annotations

import os

_PROBE = "analyzeduration;100000|probesize;32768|fpsprobesize;0"
CAPTURE_OPTIONS = f"rtsp_transport;tcp|{_PROBE}"
UDP_CAPTURE_OPTIONS = f"rtsp_transport;udp|{_PROBE}"

os.environ["OPENCV_FFMPEG_IS_THREAD_SAFE"] = "1"
os.environ["OPENCV_FFMPEG_CAPTURE_OPTIONS"] = CAPTURE_OPTIONS
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")

import cv2  # noqa: E402 - must follow the environment set-up above

__all__ = ["CAPTURE_OPTIONS", "UDP_CAPTURE_OPTIONS", "cv2"]
