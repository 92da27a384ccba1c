"""Image health: synthetic edge cases, and every simulator mode through RTSP + OpenCV."""

from __future__ import annotations

import json
import statistics
import time

import numpy as np
import pytest

from camnet.monitor import frames, health
from camnet.monitor.cv import cv2
from camnet.monitor.health import HealthThresholds, assess, fingerprint, thumbnail_jpeg
from camnet.testing.camsim import Simulator

RNG = np.random.default_rng(7)


def texture(h: int = 360, w: int = 640, block: int = 8, levels: tuple[int, int] = (0, 256)) -> np.ndarray:
    """A sharp, detailed BGR picture: random grey blocks with hard edges."""
    blocks = RNG.integers(*levels, size=(h // block, w // block), dtype=np.uint8)
    grey = cv2.resize(blocks, (w, h), interpolation=cv2.INTER_NEAREST)
    return np.dstack([grey] * 3)


def uniform(value: int, noise: float = 0.0, h: int = 360, w: int = 640) -> np.ndarray:
    img = np.full((h, w, 3), float(value))
    if noise:
        img += RNG.normal(0, noise, size=img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def test_black() -> None:
    assert assess(uniform(0), None).verdict == "black"
    assert assess(uniform(8, noise=3), None).verdict == "black"


def test_dark_but_detailed_is_not_black() -> None:
    dark = texture(levels=(0, 2)) * 30  # blocks of 0 and 30: mean ~15, std ~15
    report = assess(dark, None)
    assert report.mean <= HealthThresholds().black_mean_max
    assert report.verdict == "ok"


def test_covered_near_uniform() -> None:
    report = assess(uniform(90, noise=2), None)
    assert report.verdict == "covered"
    assert report.detail <= HealthThresholds().covered_detail_max
    assert assess(uniform(250), None).verdict == "covered"  # blinded by light


def test_covered_soft_gradient() -> None:
    ramp = np.tile(np.linspace(40, 70, 640), (360, 1))
    img = np.dstack([ramp] * 3).astype(np.uint8)
    assert assess(img, None).verdict == "covered"


def test_sharp_picture_ok() -> None:
    report = assess(texture(), None)
    assert report.verdict == "ok"
    assert report.diff is None
    assert report.laplacian_var > 1000


def test_blurred() -> None:
    soft = cv2.GaussianBlur(texture(block=20), (0, 0), 5)
    report = assess(soft, None)
    assert report.verdict == "blurred"
    assert report.std > HealthThresholds().covered_std_max


def test_frozen_needs_a_previous_sample() -> None:
    img = texture()
    first = assess(img, None)
    assert first.verdict == "ok"
    second = assess(img.copy(), first.small)
    assert second.verdict == "frozen"
    assert second.diff == 0.0


def test_moving_picture_is_not_frozen() -> None:
    img = texture()
    first = assess(img, None)
    moved = np.roll(img, 40, axis=1)
    report = assess(moved, first.small)
    assert report.verdict == "ok"
    assert report.diff is not None
    assert report.diff > 5


def test_only_the_burnt_in_clock_changed_is_not_frozen() -> None:
    """A noiseless still scene where only the camera's OSD clock ticked: tiny mean diff."""
    img = texture()
    first = assess(img, None)
    ticked = img.copy()
    cv2.putText(ticked, "07", (8, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1)
    report = assess(ticked, first.small)
    assert report.diff is not None and report.diff <= HealthThresholds().frozen_diff_max
    assert report.changed is not None and report.changed > HealthThresholds().frozen_changed_max
    assert report.verdict == "ok"


def test_still_scene_with_sensor_noise_is_not_frozen() -> None:
    img = texture().astype(float)
    a = np.clip(img + RNG.normal(0, 4, img.shape), 0, 255).astype(np.uint8)
    b = np.clip(img + RNG.normal(0, 4, img.shape), 0, 255).astype(np.uint8)
    assert assess(b, assess(a, None).small).verdict == "ok"


def test_precedence_black_and_covered_before_frozen() -> None:
    black = uniform(0)
    assert assess(black, assess(black, None).small).verdict == "black"
    grey = uniform(100)
    assert assess(grey, assess(grey, None).small).verdict == "covered"


def test_frozen_before_blurred() -> None:
    soft = cv2.GaussianBlur(texture(block=20), (0, 0), 5)
    assert assess(soft, assess(soft, None).small).verdict == "frozen"


def test_stored_fingerprint_sees_frozen_and_motion() -> None:
    img = texture()
    print_ = fingerprint(assess(img, None).small)
    assert print_.shape == (90, 160) and print_.nbytes == 14_400
    assert assess(img, print_).verdict == "frozen"
    moved = np.roll(img, 40, axis=1)
    report = assess(moved, print_)
    assert report.verdict != "frozen" and report.diff is not None and report.diff > 1


def test_resolution_independent() -> None:
    img = texture(720, 1280)
    small = assess(img, None)
    assert small.small.shape == (180, 320)
    assert assess(cv2.resize(img, (640, 360), interpolation=cv2.INTER_AREA), small.small).verdict == "frozen"


def test_grey_and_bgra_input() -> None:
    img = texture()
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    bgra = cv2.cvtColor(img, cv2.COLOR_BGR2BGRA)
    assert assess(grey, None).verdict == "ok"
    assert assess(bgra, None).verdict == "ok"
    assert assess(img[:, :, :1], None).verdict == "ok"


@pytest.mark.parametrize("bad", [np.zeros((0, 0, 3), np.uint8), np.zeros(5, np.uint8)])
def test_not_an_image(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="frame"):
        assess(bad, None)
    with pytest.raises(ValueError, match="frame"):
        thumbnail_jpeg(bad)


def test_thresholds_are_respected() -> None:
    grey = uniform(100)
    strict = HealthThresholds(covered_std_max=0.0, covered_detail_max=0.0, blur_laplacian_min=0.0)
    assert assess(grey, None, strict).verdict == "covered"
    # below any real value (the config refuses it): never 'covered'
    never = HealthThresholds.model_construct(**{**HealthThresholds().model_dump(),
                                                 "covered_std_max": -1, "blur_laplacian_min": 0})
    assert assess(grey, None, never).verdict == "ok"


def test_metrics_are_json() -> None:
    report = assess(texture(), assess(texture(), None).small)
    data = json.loads(json.dumps(report.metrics()))
    assert set(data) == {"verdict", "mean", "std", "laplacian_var", "detail", "diff", "changed"}
    assert data["verdict"] == report.verdict
    assert "array" not in repr(report)


def test_thresholds_are_the_config_section() -> None:
    from camnet.config import HealthConfig, load_config

    assert HealthThresholds is HealthConfig
    assert load_config(None).monitor.health == HealthThresholds()


def test_assess_is_fast() -> None:
    img = texture()
    previous = assess(img, None).small
    timings = []
    for _ in range(60):
        started = time.perf_counter()
        assess(img, previous)
        timings.append(time.perf_counter() - started)
    assert statistics.median(timings) * 1000 <= 3.0


def test_thumbnail_keeps_aspect() -> None:
    jpeg = thumbnail_jpeg(texture(), width=320, quality=70)
    assert jpeg[:2] == b"\xff\xd8"
    decoded = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (180, 320, 3)
    small = thumbnail_jpeg(texture(90, 160), width=320)  # never upscaled
    assert cv2.imdecode(np.frombuffer(small, np.uint8), cv2.IMREAD_COLOR).shape == (90, 160, 3)


EXPECTED = {"normal": "ok", "black": "black", "frozen": "frozen", "blurred": "blurred",
            "covered": "covered"}


@pytest.mark.parametrize("mode", list(EXPECTED))
def test_every_mode_through_rtsp(camsim: Simulator, mode: str) -> None:
    """Two samples of the simulated camera a little apart, as the monitor takes them."""
    first = frames.grab(camsim.url(mode), open_timeout_s=5, read_timeout_s=5)
    assert first.ok, first
    before = assess(first.frames[-1], None)
    time.sleep(1.1)  # the clock overlay and the ball move
    second = frames.grab(camsim.url(mode), open_timeout_s=5, read_timeout_s=5)
    assert second.ok, second
    report = assess(second.frames[-1], before.small)
    assert report.verdict == EXPECTED[mode], report.metrics()
    if mode != "frozen":  # without a previous sample the verdict is the same
        assert before.verdict == EXPECTED[mode], before.metrics()
    else:
        assert before.verdict == "ok", before.metrics()


def test_verdict_names() -> None:
    assert set(health.VERDICTS) == {"ok", "black", "covered", "frozen", "blurred"}
