"""Which due frame checks go first when more cameras are due than tier 2 can queue.

At province scale a cycle can find thousands of cameras due for a picture check while the
tier-2 queue holds ``monitor.tier2_queue``; the rest wait for a later cycle. The order
decides who waits: cameras whose tier-1 result just changed first, then cameras with a
bad or unconfirmed picture, then the ones never checked, then the longest unchecked.

At 50,000 cameras order alone guarantees nothing: a stream of changed or bad-picture
cameras could keep the longest-unchecked ones waiting for ever. :func:`plan` therefore
reserves a rotation quota each cycle (:func:`rotation_quota`: enough of the cameras not
checked for longest that each one is checked within ``monitor.tier2_max_age_s``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def priority(last_result: str | None, new_result: str, row: Mapping[str, Any] | None
             ) -> tuple[int, str]:
    """A sort key for one due camera (smaller goes first).

    Args:
        last_result: the tier-1 result stored before this cycle (``None``: never probed).
        new_result: this cycle's tier-1 result.
        row: the camera's stored ``camera_status`` row, if any.
    """
    if row is None or last_result != new_result:
        return (0, "")
    if row["health"] not in ("ok", None) or row["picture"] not in ("ok", None):
        return (1, "")
    last_grab = row["last_grab_at"]
    if last_grab is None:
        return (2, "")
    return (3, str(last_grab))


@dataclass(frozen=True)
class Candidate:
    """One camera that could get a picture check this cycle (reachable, not backed off)."""

    camera_id: int
    key: tuple[int, str]  # :func:`priority`
    last_grab_at: str | None  # ISO UTC of its last picture check, ``None``: never
    due: bool  # due by the old rules (changed, bad picture, every ``tier2_every`` cycles)


def rotation_quota(cameras: int, *, interval_s: float, max_age_s: float) -> int:
    """How many longest-unchecked cameras each cycle must queue so none waits ``max_age_s``.

    A camera queued in one cycle is checked before the next one starts when tier 2 keeps
    up, so two intervals of the window are held back as margin; with ``max_age_s`` under
    three intervals every camera is queued every cycle.
    """
    if cameras <= 0:
        return 0
    usable = max_age_s - 2 * interval_s
    if usable < interval_s:
        return cameras
    return min(cameras, math.ceil(cameras * interval_s / usable))


def plan(candidates: Sequence[Candidate], *, slots: int, quota: int) -> list[int]:
    """Which cameras to queue this cycle, in queue order.

    1. cameras whose tier-1 result changed (``key[0] == 0``), leaving ``quota`` slots;
    2. the ``quota`` cameras not checked for longest (never checked first), whatever their
       class: this rotation is what guarantees every camera a check within the window;
    3. the other due cameras by :func:`priority`, while slots remain.

    Args:
        candidates: cameras that could be checked (not already queued).
        slots: how many checks may be queued now.
        quota: :func:`rotation_quota` for this cycle.

    Returns:
        Camera ids, at most ``slots``.
    """
    if slots <= 0:
        return []
    quota = min(quota, slots)
    chosen: list[int] = []
    taken: set[int] = set()

    def take(c: Candidate) -> None:
        chosen.append(c.camera_id)
        taken.add(c.camera_id)

    for c in sorted((c for c in candidates if c.key[0] == 0), key=lambda c: c.camera_id):
        if len(chosen) >= slots - quota:
            break
        take(c)
    rotation = sorted((c for c in candidates if c.camera_id not in taken),
                      key=lambda c: (c.last_grab_at is not None, c.last_grab_at or "",
                                     c.camera_id))
    for c in rotation[:quota]:
        take(c)
    rest = sorted((c for c in candidates if c.due and c.camera_id not in taken),
                  key=lambda c: (c.key, c.camera_id))
    for c in rest:
        if len(chosen) >= slots:
            break
        take(c)
    return chosen
