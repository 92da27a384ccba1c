"""Tier-2 frame grabs through OpenCV/FFmpeg against the real simulator."""

from __future__ import annotations

import os
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from camnet.monitor import frames
from camnet.testing.camsim import Simulator


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cv_module_sets_environment_before_cv2() -> None:
    assert "cv2" in sys.modules
    assert os.environ["OPENCV_FFMPEG_IS_THREAD_SAFE"] == "1"
    assert os.environ["OPENCV_FFMPEG_CAPTURE_OPTIONS"].startswith("rtsp_transport;tcp")
    assert "OPENCV_LOG_LEVEL" in os.environ


def test_grab_normal_camera(camsim: Simulator) -> None:
    grab = frames.grab(camsim.url("normal"), open_timeout_s=5, read_timeout_s=5)
    assert grab.ok, grab
    assert grab.error is None
    assert (grab.width, grab.height) == (640, 360)
    assert len(grab.frames) == 2
    assert grab.frames[-1].shape == (360, 640, 3)
    assert grab.frames[-1].dtype == np.uint8
    assert grab.first_frame_ms is not None
    assert grab.open_ms is not None
    assert 0 < grab.open_ms <= grab.first_frame_ms < 5000
    assert "array" not in repr(grab)


def test_grab_one_frame(camsim: Simulator) -> None:
    grab = frames.grab(camsim.url("black"), open_timeout_s=5, read_timeout_s=5, frames=1)
    assert grab.ok
    assert len(grab.frames) == 1


def test_digest_camera_without_credentials_fails(camsim: Simulator) -> None:
    grab = frames.grab(camsim.url("secure"), open_timeout_s=3, read_timeout_s=3)
    assert not grab.ok
    assert grab.error == frames.OPEN_FAILED
    assert grab.frames == ()


def test_digest_camera_wrong_password_fails_without_leaking_it(camsim: Simulator) -> None:
    url = camsim.url_with_credentials("secure", "admin", "Wr0ng-pass!")
    grab = frames.grab(url, open_timeout_s=3, read_timeout_s=3)
    assert not grab.ok
    assert grab.error == frames.OPEN_FAILED
    assert "Wr0ng" not in repr(grab)


def test_digest_camera_right_password(camsim: Simulator, secure_credentials: tuple[str, str]) -> None:
    url = camsim.url_with_credentials("secure", *secure_credentials)
    grab = frames.grab(url, open_timeout_s=5, read_timeout_s=5)
    assert grab.ok, grab
    assert secure_credentials[1] not in repr(grab)


def test_blackhole_times_out_within_the_open_timeout(camsim: Simulator) -> None:
    started = time.monotonic()
    grab = frames.grab(camsim.blackhole_urls[0], open_timeout_s=1.5, read_timeout_s=1.5)
    elapsed = time.monotonic() - started
    assert not grab.ok
    assert grab.error == frames.OPEN_TIMEOUT
    assert 1.3 <= elapsed < 3.5


def test_refused_port_fails_fast() -> None:
    started = time.monotonic()
    grab = frames.grab(f"rtsp://127.0.0.1:{free_port()}/cam", open_timeout_s=3, read_timeout_s=3)
    assert not grab.ok
    assert grab.error == frames.OPEN_FAILED
    assert time.monotonic() - started < 1.5


def test_unknown_path_fails(camsim: Simulator) -> None:
    grab = frames.grab(camsim.url("normal") + "-nope", open_timeout_s=3, read_timeout_s=3)
    assert grab.error == frames.OPEN_FAILED


@pytest.mark.parametrize("url", [
    "http://admin:Top-Secret@127.0.0.1/cam",
    "rtsp://admin:Top-Secret@/cam",
    "not a url",
    "",
])
def test_bad_url_detail_has_no_password(url: str) -> None:
    grab = frames.grab(url, open_timeout_s=1, read_timeout_s=1)
    assert not grab.ok
    assert grab.error == frames.BAD_URL
    assert "Top-Secret" not in grab.detail


def test_safe_url_strips_userinfo() -> None:
    assert frames.safe_url("rtsp://admin:p%40ss@10.0.0.1:554/a/b?x=1") == "rtsp://10.0.0.1:554/a/b"
    assert frames.safe_url("rtsp://10.0.0.1/a") == "rtsp://10.0.0.1/a"


def test_grabs_run_in_parallel(camsim: Simulator) -> None:
    """OPENCV_FFMPEG_IS_THREAD_SAFE=1: four opens in four threads overlap."""
    url = camsim.url("blurred")
    frames.grab(url, open_timeout_s=5, read_timeout_s=5)  # media prepared
    started = time.monotonic()
    single = frames.grab(url, open_timeout_s=5, read_timeout_s=5)
    one = time.monotonic() - started
    assert single.ok
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: frames.grab(url, open_timeout_s=5, read_timeout_s=5), range(4)))
    four = time.monotonic() - started
    assert all(r.ok for r in results)
    # serialised opens take ~4x one open; overlapping ones ~1-1.5x (bound generous for a busy CI)
    assert four < 3.2 * max(one, 0.3), (one, four)
