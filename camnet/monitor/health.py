"""Image health of one camera frame: black, covered, frozen, blurred or ok.

Pure numpy/OpenCV and cheap (about 1 ms for a 640x360 frame): every metric is computed on
the frame reduced to a fixed working size, :data:`WORK_SIZE` grayscale, so thresholds mean
the same for every camera resolution.

Metrics (grey levels 0-255 at the working size):

- ``mean`` and ``std`` of the grey levels;
- ``laplacian_var``: variance of the Laplacian, high for sharp pictures;
- ``detail``: edge density, the fraction of pixels on a Canny edge;
- ``changed``: the share of pixels that changed by more than 16 levels since then;
- ``diff``: mean absolute difference to the working-size frame of the *previous sample*
  (the previous tier-2 grab of the same camera, typically minutes ago), not to the next
  frame of the same grab: a still scene at night is not frozen by itself, but a stream that
  repeats one picture for minutes is.

Verdict precedence, first match wins:

1. ``black``: ``mean <= black_mean_max`` and ``std <= black_std_max``;
2. ``covered``: ``std <= covered_std_max`` and ``detail <= covered_detail_max`` (near
   uniform, not dark enough to be black: tape, a hand, a bag, a lens blinded by light);
3. ``frozen``: a previous sample exists, ``diff <= frozen_diff_max`` *and* at most
   ``frozen_changed_max`` of the pixels changed by more than 16 levels. The mean alone is
   not enough: a quiet scene whose only motion is the camera's burnt-in clock or one
   passer-by has a tiny mean difference, but a few hundred clearly changed pixels;
4. ``blurred``: ``laplacian_var < blur_laplacian_min``;
5. ``ok``.

Black and covered pictures are also static and unsharp, so they go first; a frozen stream
is a fault of the camera or recorder and is reported before a soft picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from camnet.config import HealthConfig
from camnet.monitor.cv import cv2
from camnet.vocab import PictureVerdict

WORK_SIZE = (320, 180)  # width, height
VERDICTS = tuple(v.value for v in PictureVerdict if v is not PictureVerdict.NO_FRAME)
CANNY_LOW, CANNY_HIGH = 50, 150
CHANGED_LEVELS = 16  # a pixel "changed" when it moved more than this (codec noise stays below)


# The thresholds are ``[monitor.health]`` of the configuration: defined (with their defaults
# and limits) once, in camnet.config.
HealthThresholds = HealthConfig


@dataclass(frozen=True)
class HealthReport:
    """The health of one frame.

    Attributes:
        verdict: ``ok``, ``black``, ``covered``, ``frozen`` or ``blurred``.
        mean: mean grey level.
        std: standard deviation of the grey levels.
        laplacian_var: variance of the Laplacian (sharpness).
        detail: edge density, 0..1.
        diff: mean absolute difference to the previous sample, ``None`` without one.
        changed: share of pixels that differ from the previous sample by more than
            :data:`CHANGED_LEVELS` grey levels, ``None`` without one.
        small: the working-size grey frame; keep it as ``previous_small`` for the next
            sample (not in repr, not compared).
    """

    verdict: str
    mean: float
    std: float
    laplacian_var: float
    detail: float
    diff: float | None
    changed: float | None
    small: np.ndarray = field(repr=False, compare=False)

    def metrics(self) -> dict[str, float | str | None]:
        """Return the verdict and metrics as a JSON-friendly dict (rounded)."""
        return {
            "verdict": self.verdict,
            "mean": round(self.mean, 2),
            "std": round(self.std, 2),
            "laplacian_var": round(self.laplacian_var, 2),
            "detail": round(self.detail, 5),
            "diff": None if self.diff is None else round(self.diff, 3),
            "changed": None if self.changed is None else round(self.changed, 6),
        }


def working_gray(frame: np.ndarray) -> np.ndarray:
    """Reduce a BGR (or BGRA, or grey) frame to the working-size grey image (uint8).

    Raises:
        ValueError: not an image.
    """
    if frame is None or frame.ndim not in (2, 3) or frame.size == 0:
        raise ValueError("frame must be a non-empty 2-D grey or 3-D BGR image")
    if frame.dtype != np.uint8:
        frame = np.clip(frame, 0, 255).astype(np.uint8)
    small = cv2.resize(frame, WORK_SIZE, interpolation=cv2.INTER_AREA)
    if small.ndim == 2:
        return np.ascontiguousarray(small)
    channels = small.shape[2]
    if channels == 1:
        return np.ascontiguousarray(small[:, :, 0])
    code = cv2.COLOR_BGRA2GRAY if channels == 4 else cv2.COLOR_BGR2GRAY
    return np.asarray(cv2.cvtColor(small, code))


def assess(frame_bgr: np.ndarray, previous_small: np.ndarray | None,
           thresholds: HealthThresholds | None = None) -> HealthReport:
    """Measure one frame and give a verdict.

    Args:
        frame_bgr: the decoded frame (BGR as OpenCV returns it; grey accepted).
        previous_small: ``HealthReport.small`` of this camera's previous sample, or ``None``.
        thresholds: limits; defaults when ``None``.

    Returns:
        The :class:`HealthReport`.

    Raises:
        ValueError: ``frame_bgr`` is not an image.
    """
    t = thresholds or HealthThresholds()
    small = working_gray(frame_bgr)
    mean_a, std_a = cv2.meanStdDev(small)
    mean, std = float(mean_a[0, 0]), float(std_a[0, 0])
    _, lap_std = cv2.meanStdDev(cv2.Laplacian(small, cv2.CV_16S))
    laplacian_var = float(lap_std[0, 0]) ** 2
    detail = cv2.countNonZero(cv2.Canny(small, CANNY_LOW, CANNY_HIGH)) / small.size
    diff: float | None = None
    changed: float | None = None
    if previous_small is not None and previous_small.ndim == 2 and previous_small.size:
        same = small
        if previous_small.shape != small.shape:  # a stored fingerprint: compare at its size
            size = (previous_small.shape[1], previous_small.shape[0])
            same = cv2.resize(small, size, interpolation=cv2.INTER_AREA)
        delta = cv2.absdiff(same, previous_small)
        diff = float(cv2.mean(delta)[0])
        changed = int(np.count_nonzero(delta > CHANGED_LEVELS)) / small.size

    if mean <= t.black_mean_max and std <= t.black_std_max:
        verdict = "black"
    elif std <= t.covered_std_max and detail <= t.covered_detail_max:
        verdict = "covered"
    elif (diff is not None and changed is not None and diff <= t.frozen_diff_max
          and changed <= t.frozen_changed_max):
        verdict = "frozen"
    elif laplacian_var < t.blur_laplacian_min:
        verdict = "blurred"
    else:
        verdict = "ok"
    return HealthReport(verdict, mean, std, laplacian_var, detail, diff, changed, small)


def thumbnail_jpeg(frame: np.ndarray, width: int = 320, quality: int = 70) -> bytes:
    """Encode a JPEG thumbnail ``width`` pixels wide, keeping the aspect ratio.

    Raises:
        ValueError: not an image, or the encoder failed.
    """
    if frame is None or frame.ndim not in (2, 3) or frame.size == 0:
        raise ValueError("frame must be a non-empty image")
    height, src_width = frame.shape[:2]
    width = max(1, min(width, src_width))
    new_height = max(1, round(height * width / src_width))
    small = frame if width == src_width else cv2.resize(frame, (width, new_height),
                                                        interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(buf.tobytes())


FINGERPRINT_SIZE = (160, 90)  # width, height: 14 400 bytes of grey per camera


def fingerprint(small: np.ndarray) -> np.ndarray:
    """Reduce a working-size grey frame to the small fingerprint stored per camera.

    "Frozen" compares a new frame with the fingerprint of the previous sample, so the
    comparison survives restarts and works for a one-shot probe.
    """
    return np.ascontiguousarray(cv2.resize(small, FINGERPRINT_SIZE, interpolation=cv2.INTER_AREA))
