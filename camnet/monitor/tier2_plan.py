"""Which due frame checks go first when more cameras are due than tier 2 can queue.

At province scale a cycle can find thousands of cameras due for a picture check while the
tier-2 queue holds ``monitor.tier2_queue``; the rest wait for a later cycle. The order
decides who waits: cameras whose tier-1 result just changed first, then cameras with a
bad or unconfirmed picture, then the ones never checked, then the longest unchecked.
"""

from __future__ import annotations

from collections.abc import Mapping
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
