"""Every closed vocabulary of camnet, once: camera status, request status, picture verdicts.

Standard library only, so the GStreamer simulator (run by the system Python) can import it
too. Values are plain strings in the database, the API and templates (``StrEnum``).
"""

from __future__ import annotations

from enum import StrEnum


class CameraStatus(StrEnum):
    """A camera's confirmed status."""

    UNKNOWN = "unknown"
    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"
    MAINTENANCE = "maintenance"


class PictureVerdict(StrEnum):
    """What a frame check says about the picture (``NO_FRAME``: no frame could be decoded)."""

    OK = "ok"
    BLACK = "black"
    COVERED = "covered"
    FROZEN = "frozen"
    BLURRED = "blurred"
    NO_FRAME = "no_frame"


class RequestStatus(StrEnum):
    """Where a footage-extraction request is in its workflow."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    EXTRACTED = "extracted"
    HANDED_OVER = "handed_over"
    REJECTED = "rejected"
    UNAVAILABLE = "unavailable"


class SimMode(StrEnum):
    """What a simulated camera shows."""

    NORMAL = "normal"
    BLACK = "black"
    FROZEN = "frozen"
    BLURRED = "blurred"
    COVERED = "covered"
