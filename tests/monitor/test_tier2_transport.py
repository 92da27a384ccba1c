"""Tier 2 against cameras that refuse RTP over TCP, and long-GOP cameras (issue 10, item 2)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from camnet.auth.principal import cli_principal
from camnet.config import MonitorConfig
from camnet.i18n import LANGUAGES, catalog, cause_text, hint_text
from camnet.monitor import board as board_module
from camnet.monitor import frames, queries, tier2_diagnose, tier2_store
from camnet.monitor.cv import cv2
from camnet.monitor.tier2 import check_frame, grab_with_fallback
from camnet.monitor.tier2_diagnose import classify, diagnose_blocking, video_control
from camnet.monitor.transport import OptionsGate
from camnet.testing.camsim import CameraSpec, Simulator
from camnet.timeutil import now_iso
from tests.monitor.test_monitor_service import Rig, _rig

GOP_S = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    """A UDP-only camera and a long-GOP camera (one keyframe every 12 s)."""
    simulator = Simulator([CameraSpec("udponly", transport="udp"),
                           CameraSpec("longgop", gop_s=GOP_S)])
    simulator.start_sync()
    try:
        yield simulator
    finally:
        simulator.stop_sync()


# --- pure parts -------------------------------------------------------------------------

SDP = """v=0
o=- 1 1 IN IP4 127.0.0.1
s=cam
m=audio 0 RTP/AVP 0
a=control:track0
m=video 0 RTP/AVP 96
a=rtpmap:96 H264/90000
a=control:stream=1
"""


def test_video_control_joins_relative_control_to_base() -> None:
    assert video_control(SDP, "rtsp://h/cam/") == "rtsp://h/cam/stream=1"
    assert video_control(SDP.replace("stream=1", "rtsp://o/x"), "rtsp://h/cam") == "rtsp://o/x"
    assert video_control(SDP.replace("a=control:stream=1", "a=control:*"), "rtsp://h/c") == "rtsp://h/c"


def test_video_control_without_video_track() -> None:
    assert video_control("v=0\nm=audio 0 RTP/AVP 0\na=control:a\n", "rtsp://h/c") is None


@pytest.mark.parametrize(("describe", "video", "setup", "cause"), [
    (401, False, None, "auth_failed"),
    (403, False, None, "auth_failed"),
    (404, False, None, "not_found"),
    (503, False, None, "busy"),
    (500, False, None, "protocol_error"),
    (200, False, None, "no_video"),
    (200, True, 401, "auth_failed"),
    (200, True, 461, "tcp_refused"),
    (200, True, 400, "tcp_refused"),
    (200, True, 503, "busy"),
    (200, True, 200, "decode_error"),
])
def test_classify(describe: int, video: bool, setup: int | None, cause: str) -> None:
    assert classify(describe, video, setup) == cause


def test_options_gate_writer_excludes_readers_and_restores_default(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "default")
    gate = OptionsGate("default")
    reader_in, writer_in, release = threading.Event(), threading.Event(), threading.Event()
    seen: list[str] = []

    def reader() -> None:
        with gate.options("default"):
            reader_in.set()
            release.wait(10)

    def writer() -> None:
        with gate.options("udp"):
            writer_in.set()
            import os
            seen.append(os.environ["OPENCV_FFMPEG_CAPTURE_OPTIONS"])

    r = threading.Thread(target=reader)
    r.start()
    assert reader_in.wait(10)
    w = threading.Thread(target=writer)
    w.start()
    assert not writer_in.wait(0.2)  # a TCP open is in flight: the UDP open waits
    release.set()
    r.join(10)
    w.join(10)
    assert seen == ["udp"]
    import os
    assert os.environ["OPENCV_FFMPEG_CAPTURE_OPTIONS"] == "default"


# --- diagnosis against real servers ------------------------------------------------------

def test_diagnose_names_each_cause(sim: Simulator, camsim: Simulator,
                                   secure_credentials: tuple[str, str]) -> None:
    assert diagnose_blocking(sim.url("udponly"), timeout_s=5).cause == "tcp_refused"
    assert diagnose_blocking(camsim.url("secure"), timeout_s=5).cause == "auth_failed"
    wrong = camsim.url_with_credentials("secure", "admin", "Wr0ng-pass!")
    found = diagnose_blocking(wrong, timeout_s=5)
    assert found.cause == "auth_failed" and "Wr0ng" not in found.detail
    right = camsim.url_with_credentials("secure", *secure_credentials)
    assert diagnose_blocking(right, timeout_s=5).cause == "decode_error"  # all answered 200
    assert diagnose_blocking(camsim.url("normal") + "-nope", timeout_s=5).cause == "not_found"
    refused = f"rtsp://127.0.0.1:{free_port()}/cam"
    assert diagnose_blocking(refused, timeout_s=5).cause == "refused"
    assert diagnose_blocking(camsim.blackhole_urls[0], timeout_s=1).cause == "open_timeout"


def test_grab_names_the_cause_never_open_failed(camsim: Simulator) -> None:
    config = MonitorConfig(tier2_open_timeout_s=3, tier2_read_timeout_s=3)
    grab, _ = grab_with_fallback(camsim.url("secure"), config)
    assert not grab.ok and grab.error == "auth_failed"
    check = check_frame(camsim.url("normal") + "-nope", None, config)
    assert check.health == "no_frame" and check.cause == "not_found" and check.frames == 0
    assert frames.OPEN_FAILED not in {grab.error, check.cause}


# --- UDP-only camera ---------------------------------------------------------------------

def test_tcp_only_grab_is_refused_by_udp_camera(sim: Simulator) -> None:
    grab = frames.grab(sim.url("udponly"), open_timeout_s=3, read_timeout_s=3)
    assert not grab.ok and grab.error == frames.OPEN_FAILED


def test_udp_camera_gives_a_picture_over_udp(sim: Simulator) -> None:
    config = MonitorConfig(tier2_open_timeout_s=5, tier2_read_timeout_s=5)
    grab, used = grab_with_fallback(sim.url("udponly"), config)
    assert grab.ok, grab
    assert used == "udp"
    again, used_again = grab_with_fallback(sim.url("udponly"), config, "udp")
    assert again.ok and used_again == "udp"
    check = check_frame(sim.url("udponly"), None, config, transport="udp")
    assert check.health == "ok" and check.detail["transport"] == "udp"
    assert check.frames == len(again.frames) >= 1


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    r = await _rig(tmp_path, tier2_workers=2, tier2_open_timeout_s=5, tier2_read_timeout_s=5,
                   tier2_deadline_s=30)
    yield r
    await r.service.close()
    r.executor.shutdown(wait=True)
    await r.db.close()


async def test_tier2_remembers_udp_per_camera(rig: Rig, sim: Simulator, camsim: Simulator) -> None:
    udp = await rig.add("udp", sim.url("udponly"))
    tcp = await rig.add("tcp", camsim.url("normal"))
    await rig.cycle(force_tier2=True)
    rows = {r["camera_id"]: r["transport"]
            for r in await rig.db.fetchall("SELECT camera_id, transport FROM tier2_transport")}
    assert rows == {udp: "udp", tcp: "tcp"}
    row = await rig.status(udp)
    assert row["health"] == "ok" and row["tier2_cause"] is None
    await rig.cycle(force_tier2=True)  # next time UDP goes first, and still works
    assert (await rig.status(udp))["health"] == "ok"


# --- long-GOP camera ---------------------------------------------------------------------

def test_long_gop_camera_gives_a_frame_within_the_gop_wait(sim: Simulator) -> None:
    url = sim.url("longgop")
    # A viewer already watches: the shared stream runs, so our grab joins mid-GOP and the
    # first decodable frame comes with the next keyframe, up to GOP_S seconds later.
    holder = cv2.VideoCapture(url, cv2.CAP_FFMPEG)
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set() and holder.read()[0]:
            pass

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        config = MonitorConfig(tier2_open_timeout_s=5, tier2_read_timeout_s=2,
                               tier2_gop_wait_s=GOP_S + 3)
        check = check_frame(url, None, config)
        assert check.health == "ok", check.detail
        assert check.frames >= 1 and check.width == 640
    finally:
        stop.set()
        watcher.join(10)
        holder.release()



# --- texts and display -------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_tier2_cause_has_a_text_and_a_hint(lang: str) -> None:
    messages = catalog(lang)
    for cause in tier2_diagnose.TIER2_CAUSES:
        assert messages.get(f"cause_{cause}"), cause
        assert messages.get(f"hint_{cause}"), cause
        assert cause_text(cause, lang) != cause
    assert hint_text("tcp_refused", "vi") != hint_text("tcp_refused", "en")


async def test_cause_and_transport_are_shown_per_camera(rig: Rig, sim: Simulator,
                                                        camsim: Simulator) -> None:
    refused = await rig.add("refused", camsim.url("normal"))
    udp = await rig.add("udp", sim.url("udponly"))
    await rig.cycle(force_tier2=True)
    # a later frame check of "refused" fails: its named cause is stored and shown
    check = await asyncio.to_thread(check_frame, f"rtsp://127.0.0.1:{free_port()}/cam", None,
                                    rig.config.monitor)
    assert check.cause == "refused"
    await tier2_store.record_frame(rig.db, refused, now_iso(), check, picture_after=2,
                                   interval_s=60, backoff_max=4)
    assert (await rig.status(refused))["tier2_cause"] == "refused"
    actor = cli_principal()
    view = await board_module.resolve_view(rig.db, actor, zone_code="T", status=None, q=None)
    cams, _ = await board_module.board_page(rig.db, view, after=None, per_page=50)
    board = {c.id: c for c in cams}
    assert board[refused].tier2_cause == "refused" and board[udp].tier2_cause is None
    status = await queries.camera_status(rig.db, actor, udp)
    assert status["current"]["tier2_transport"] == "udp"
    # the transport is remembered only when a frame came: "refused" keeps its TCP
    assert (await queries.camera_status(rig.db, actor, refused))["current"]["tier2_transport"] == "tcp"


def test_pair_counts_frames_decoded_by_both_grabs(camsim: Simulator) -> None:
    config = MonitorConfig(tier2_open_timeout_s=5, tier2_read_timeout_s=5)
    single = check_frame(camsim.url("normal"), None, config)
    paired = check_frame(camsim.url("normal"), None, config, pair_gap_s=0.3)
    assert single.frames == 2  # frames.grab decodes two by default
    assert paired.frames == 4 and paired.detail["frames"] == 4
    assert paired.detail["transport"] == "tcp"
