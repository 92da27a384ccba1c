"""What one probe cycle learnt: per camera (tier 1 result, frame check, state) and overall."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from camnet.monitor.rtsp_probe import ProbeResult
from camnet.monitor.status import CameraState, Transition
from camnet.registry.cameras import StreamTarget


@dataclass(frozen=True)
class FrameCheck:
    """What tier 2 found for one camera."""

    health: str  # ok | black | frozen | blurred | covered | no_frame
    detail: dict[str, Any]
    width: int | None
    height: int | None
    first_frame_ms: float | None
    jpeg: bytes | None
    fingerprint: bytes | None = None  # health.FINGERPRINT_SIZE grey bytes of the last frame
    frames: int = 0  # frames actually decoded

    @property
    def cause(self) -> str | None:
        """Why no frame came (``open_timeout``, ``read_timeout``, ``deadline``…), else ``None``."""
        error = self.detail.get("error")
        return None if error is None else str(error)


@dataclass(slots=True)
class CameraOutcome:
    """Everything one cycle learnt about one camera."""

    target: StreamTarget
    result: ProbeResult
    at: str
    frame: FrameCheck | None = None
    state: CameraState | None = None
    transition: Transition | None = None


@dataclass
class CycleReport:
    """A finished cycle."""

    started_at: str
    duration_ms: float
    cameras: int
    completed: int
    grabbed: int
    outcomes: list[CameraOutcome] = field(default_factory=list)

    @property
    def transitions(self) -> list[tuple[CameraOutcome, Transition]]:
        """The confirmed changes of this cycle."""
        return [(o, o.transition) for o in self.outcomes if o.transition is not None]
